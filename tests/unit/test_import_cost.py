"""What `import aios3` loads: the layers of a call, not the helpers on top of them, and no
model schema (built on first use). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aios3 import models

# what `import aios3` must not load: the layers above a call, and modules only some calls
# (or the command line) need
NOT_AT_IMPORT = (
    "aios3._models_bucket_object",  # the bucket, object and lifecycle models
    "aios3._parse_bucket_object",
    "aios3._resource",
    "aios3._sweeper",  # the sweep itself (its report types come with aios3)
    "aios3.cli",
    "aios3.testing",
    "botocore.session",  # the credential chain's, loaded by a client that needs it
    "click",
    "defusedxml",  # the first XML answer
    "jmespath",  # PageIterator.search and the command line's --query
    "xml.sax",
)

PROBE = """
import json, sys
import aios3
from aios3 import models
from pydantic import BaseModel
built = sorted(
    name for name, cls in vars(models).items()
    if isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == models.__name__
    and cls.__pydantic_complete__
)
from aios3._config import Config
if Config.__pydantic_complete__:
    built.append("Config")
loaded = sorted(m for m in sys.modules if m.startswith("aios3.") or m in NOT_AT_IMPORT)
print(json.dumps({"built": built, "loaded": loaded}))
"""


def _probe(extra: str = "") -> dict[str, list[str]]:
    probe = f"NOT_AT_IMPORT = {NOT_AT_IMPORT!r}\n" + PROBE
    out = subprocess.run(
        [sys.executable, "-c", probe + extra], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_import_aios3_loads_no_helper_and_builds_no_model_schema() -> None:
    seen = _probe()
    assert [m for m in NOT_AT_IMPORT if m in seen["loaded"]] == []
    if models._DEFER_BUILD:
        assert seen["built"] == []
    else:  # pydantic < 2.12: the models with aliases are built at import (see models.py)
        assert "Config" not in seen["built"]


def test_the_helpers_load_on_first_use() -> None:
    import aios3

    assert aios3.S3Resource.__module__ == "aios3._resource"
    assert aios3.MultipartUpload.__module__ == "aios3._resource"
    assert {"TransferConfig", "S3Resource"} <= set(dir(aios3))
    try:
        aios3.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("aios3.NoSuchThing did not raise AttributeError")


def test_import_leaves_the_garbage_collector_as_it_found_it() -> None:
    """aios3 pauses the collector while it imports (see aios3/__init__.py), and restores it."""
    probe = (
        "import gc, sys\n{before}\nimport aios3\nprint(gc.isenabled(), 'aios3._gc' in sys.modules)"
    )
    for before, enabled in (("", "True"), ("gc.disable()", "False")):
        out = subprocess.run(
            [sys.executable, "-c", probe.format(before=before)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.split()[0] == enabled


def test_import_leaves_nothing_for_the_collector_to_walk_and_nothing_frozen() -> None:
    """What `import aios3` allocated is in the oldest generation, not owed to the first
    young collection after it (which walked all of it, a tenth of the import); nothing
    stays frozen; and objects the process froze itself before stay frozen."""
    probe = (
        "import gc, json\n"
        "base = gc.get_freeze_count()\n"  # CPython 3.12.1 starts with 375 frozen objects
        "keep = [[] for _ in range(10)]\n"
        "{before}\n"
        "import aios3\n"
        "young = len(gc.get_objects(0)) + len(gc.get_objects(1))\n"
        "seen = {{id(o) for o in gc.get_objects()}}\n"
        "print(json.dumps([young, base, gc.get_freeze_count(), gc.isenabled(),"
        " id(keep[0]) in seen]))"
    )
    for before in ("", "gc.freeze()"):
        out = subprocess.run(
            [sys.executable, "-c", probe.format(before=before)],
            capture_output=True,
            text=True,
            check=True,
        )
        young, base, frozen, enabled, tracked = json.loads(out.stdout)
        assert enabled is True
        if not before:
            assert frozen == base and tracked  # nothing of aios3's left frozen
            # the hand-off is skipped when anything is frozen (here: the interpreter's own)
            if base == 0 and sys.version_info < (3, 14):  # 3.14's collector has no gen 1
                assert young < 5000  # not the import's hundreds of thousands of objects
        else:  # the process's own frozen objects are left alone
            assert frozen > base and not tracked


def test_every_public_method_has_hints_that_resolve_at_run_time() -> None:
    """`typing.get_type_hints` (pydantic's validate_call, beartype, inspect.signature with
    eval_str) works on the client's and the resource's public methods: no hint names a
    type imported only for type checkers."""
    import inspect
    import typing

    import aios3

    failures = []
    for cls in (
        aios3.S3Client,
        aios3.S3Resource,
        aios3.Bucket,
        aios3.Object,
        aios3.MultipartUpload,
        aios3.MultipartUploadPart,
        aios3.ManagedUpload,
    ):
        for name, member in inspect.getmembers(cls, callable):
            if name.startswith("_") and name not in ("__aenter__", "__aexit__"):
                continue
            try:
                typing.get_type_hints(member)
            except NameError as exc:
                failures.append(f"{cls.__name__}.{name}: {exc}")
    assert failures == []


def test_the_xml_escape_is_saxutils() -> None:
    """The serializer's `escape` (kept to avoid importing `xml.sax`) is
    `xml.sax.saxutils.escape`."""
    from xml.sax.saxutils import escape as saxutils_escape

    from aios3._serialize import escape

    for text in ("", "plain", "a&b<c>d", "&amp;", "<<&&>>", "'\"", "é\x00\n\t]]>", "&lt;"):
        assert escape(text) == saxutils_escape(text)


_CRT = """
import json, sys, threading
{before}
import aios3
import botocore.compat
deferred = type(sys.modules["_awscrt"]).__name__ == "_Deferred"
import awscrt.checksums
from awscrt import checksums
results = []
threads = [
    threading.Thread(target=lambda: results.append(checksums.crc32c(b"abc"))) for _ in range(8)
]
for t in threads:
    t.start()
for t in threads:
    t.join()
from botocore.crt.auth import CrtS3SigV4AsymAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
request = AWSRequest(method="GET", url="https://b.s3.amazonaws.com/k", headers={{}})
CrtS3SigV4AsymAuth(Credentials("AK", "SK"), "s3", "*").add_auth(request)
print(json.dumps({{
    "deferred_at_import": deferred,
    "has_crt": botocore.compat.HAS_CRT,
    "crc32c": sorted(set(results)),
    "sigv4a": request.headers["Authorization"].startswith("AWS4-ECDSA-P256-SHA256 "),
    "loaded": type(sys.modules["_awscrt"]).__name__,
    "same": all(
        getattr(checksums._awscrt, n) is getattr(sys.modules["_awscrt"], n)
        for n in dir(sys.modules["_awscrt"]) if not n.startswith("_")
    ),
}}))
"""


def _crt_probe(before: str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _CRT.format(before=before)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_awscrt_native_module_loads_on_first_use() -> None:
    """botocore imports awscrt whenever it is installed; its native module (a tenth of
    `import aios3`) is loaded on the first call into awscrt instead, from any thread, and
    botocore sees awscrt as it did (`HAS_CRT`, SigV4a through its CRT signer)."""
    import importlib.util

    if importlib.util.find_spec("_awscrt") is None:
        pytest.skip("awscrt is not installed")
    seen = _crt_probe()
    assert seen["deferred_at_import"] is True
    assert seen["has_crt"] is True
    assert seen["crc32c"] == [0x364B3FB7]  # CRC32C("abc"), from every thread
    assert seen["sigv4a"] is True
    assert seen["loaded"] == "module"  # the real extension is in sys.modules now
    assert seen["same"] is True  # and awscrt's modules read through to it


def test_awscrt_imported_before_aios3_is_left_alone() -> None:
    import importlib.util

    if importlib.util.find_spec("_awscrt") is None:
        pytest.skip("awscrt is not installed")
    seen = _crt_probe(before="import awscrt.auth")
    assert seen["deferred_at_import"] is False
    assert seen["crc32c"] == [0x364B3FB7] and seen["sigv4a"] is True


_BROKEN_CRT = """
import importlib.abc, importlib.machinery, json, sys

class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        raise ImportError("_awscrt.so: cannot open shared object file")

    def exec_module(self, module):
        pass

class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "_awscrt":
            return importlib.machinery.ModuleSpec(name, _Loader())
        return None

sys.meta_path.insert(0, _Finder())
import aios3
from aios3 import _auth, _checksums
from aios3.errors import MissingDependencyError

seen = []
for call in (lambda: _checksums._crt_factory("CRC32C"), _auth._sigv4a_class):
    try:
        call()
    except MissingDependencyError as exc:
        seen.append("awscrt" in str(exc))
print(json.dumps(seen))
"""


def test_an_awscrt_that_cannot_load_is_still_reported_missing() -> None:
    """With the extension's loading deferred, an awscrt whose extension does not load is
    found out where aios3 asks for awscrt: `MissingDependencyError`, as before."""
    out = subprocess.run(
        [sys.executable, "-c", _BROKEN_CRT], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.splitlines()[-1]) == [True, True]
