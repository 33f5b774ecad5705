"""Output formats, as aws-cli prints them: json, text, table, yaml and yaml-stream.

Timestamps print as aws-cli version 2 prints them by default (`cli_timestamp_format =
iso8601`): `2026-12-02T02:17:33+00:00`. `ResponseMetadata` is left out, as aws-cli does.
The text layout follows aws-cli's `awscli/text.py` (Apache-2.0).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

FORMATS = ("json", "text", "table", "yaml", "yaml-stream")


def plain(value: Any) -> Any:
    """Timestamps as ISO 8601 strings and bytes as base64, recursively (what the formats and
    `--query` see)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def write_json(data: Any, out: TextIO) -> None:
    # aws-cli prints nothing for an empty response (AbortMultipartUpload), but does print
    # other "falsey" results (`[]`, `null` from a --query)
    if data != {}:
        out.write(json.dumps(data, indent=4, ensure_ascii=False))
        out.write("\n")


# ---------------------------------------------------------------------------- text


def write_text(item: Any, out: TextIO) -> None:
    _text(item, out, None, None)


def _text(item: Any, out: TextIO, identifier: str | None, scalar_keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _text_dict(item, out, identifier, scalar_keys)
    elif isinstance(item, list):
        _text_list(item, out, identifier)
    else:
        out.write(f"{_str(item)}\n")


def _str(value: Any) -> str:
    return str(value)  # as aws-cli: True, None, ...


def _text_list(item: list[Any], out: TextIO, identifier: str | None) -> None:
    if not item:
        return
    if any(isinstance(el, dict) for el in item):
        keys = sorted(
            {k for el in item if isinstance(el, dict) for k, v in el.items() if not _nested(v)}
        )
        for el in item:
            _text(el, out, identifier, keys)
    elif any(isinstance(el, list) for el in item):
        scalars = [el for el in item if not _nested(el)]
        if scalars:
            _text_scalars(scalars, out, identifier)
        for el in item:
            if _nested(el):
                _text(el, out, identifier, None)
    else:
        _text_scalars(item, out, identifier)


def _nested(value: Any) -> bool:
    return isinstance(value, dict | list)


def _text_scalars(elements: list[Any], out: TextIO, identifier: str | None) -> None:
    if identifier is not None:
        for el in elements:
            out.write(f"{identifier.upper()}\t{_str(el)}\n")
    else:
        out.write("\t".join(_str(el) for el in elements) + "\n")


def _text_dict(
    item: dict[str, Any], out: TextIO, identifier: str | None, scalar_keys: list[str] | None
) -> None:
    scalars: list[str] = []
    nested: list[tuple[str, Any]] = []
    if scalar_keys is None:
        for key, value in sorted(item.items()):
            if _nested(value):
                nested.append((key, value))
            else:
                scalars.append(_str(value))
    else:
        scalars = [_str(item.get(k, "")) for k in scalar_keys]
        nested = [(k, item[k]) for k in sorted(set(item) - set(scalar_keys))]
    if scalars:
        if identifier is not None:
            scalars.insert(0, identifier.upper())
        out.write("\t".join(scalars) + "\n")
    for key, value in nested:
        _text(value, out, key, None)


# ---------------------------------------------------------------------------- yaml


def write_yaml(data: Any, out: TextIO) -> None:
    """aws-cli v2's yaml: block style, keys in the response's order; nothing for `{}`."""
    if data == {}:
        return
    out.write(_yaml(data))


def write_yaml_stream(pages: Iterable[Any], out: TextIO) -> None:
    """aws-cli v2's yaml-stream: a YAML list with one element per page (per response)."""
    for page in pages:
        out.write(_yaml([page]))
        out.flush()


def _yaml(data: Any) -> str:
    import yaml  # only for these formats: it costs startup time

    text: str = yaml.safe_dump(
        data, default_flow_style=False, sort_keys=False, allow_unicode=True, width=80
    )
    return text


# ---------------------------------------------------------------------------- table


def write_table(title: str, data: Any, out: TextIO, *, color: bool) -> None:
    from ._table import render

    if data:
        out.write(render(title, data, color=color))
