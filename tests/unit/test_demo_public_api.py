"""`python -m aios3.demo` is an example users copy: it must use public API only."""

from __future__ import annotations

import ast
import inspect

import aios3.demo


def _tree() -> ast.Module:
    return ast.parse(inspect.getsource(aios3.demo))


def test_the_demo_touches_no_private_attribute() -> None:
    private = sorted(
        {
            node.attr
            for node in ast.walk(_tree())
            if isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        }
    )
    assert private == []


def test_the_demo_imports_public_modules_only() -> None:
    modules = set()
    for node in ast.walk(_tree()):
        if isinstance(node, ast.ImportFrom):
            modules.add(node.module or "")
            modules.update(a.name for a in node.names if node.module is None)
    modules.discard("__future__")
    private = {m for m in modules if any(p.startswith("_") for p in m.split(".") if p)}
    assert private == set()
