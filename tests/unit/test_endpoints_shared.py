"""The rule set is read with its repeated values shared (`_endpoints._shared_json`) and its
gzip file decompressed into one buffer (`_endpoints._gunzip`): the same data as botocore's
loader gives, the same resolutions from botocore's `EndpointProvider`, a fraction of the
memory it keeps."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import EndpointResolutionError as BotocoreResolutionError
from botocore.loaders import create_loader

from aios3 import _endpoints

CASES = Path(__file__).resolve().parent.parent / "data" / "s3-endpoint-tests-1.json"


def _botocore_data() -> tuple[dict[str, Any], dict[str, Any]]:
    loader = create_loader()
    version = loader.determine_latest_version("s3", "endpoint-rule-set-1")
    ruleset = loader.load_data(f"s3/{version}/endpoint-rule-set-1")
    return ruleset, loader.load_data("partitions")


def _objects(value: object, seen: dict[int, object]) -> None:
    if id(value) in seen:
        return
    seen[id(value)] = value
    if isinstance(value, dict):
        for k, v in value.items():
            _objects(k, seen)
            _objects(v, seen)
    elif isinstance(value, list):
        for v in value:
            _objects(v, seen)


def test_shared_json_equals_json_loads_on_tricky_values() -> None:
    text = json.dumps(
        [
            {"a": True, "b": 1, "c": 1.0, "d": None, "e": [], "f": {}},
            {"a": 1, "b": True, "c": 1, "d": None, "e": [[]], "f": {"x": []}},
            {"a": True, "b": 1, "c": 1.0, "d": None, "e": [], "f": {}},  # equal to the first
            {"k": "v", "k2": ["v", ["v", [True, 1, 1.0, 0, False, "1", "true"]]]},
            {"dup": 2},  # given a duplicate key below (the last one wins)
            {"é": "ü\u2028", "": ""},
        ]
    ).replace('"dup": 2', '"dup": 1, "dup": 2')
    for doc in (text, '{"root": ' + text + "}", "{}", '{"a": [1, [2, [3, [4]]]]}'):
        assert json.loads(doc) == _endpoints._shared_json(doc)
        # the types survive (True is not 1, 1.0 is not 1), not just ==
        assert json.dumps(json.loads(doc)) == json.dumps(_endpoints._shared_json(doc))


def test_equal_values_are_one_object_and_parents_stay_distinct_where_they_differ() -> None:
    doc = _endpoints._shared_json(
        '{"x": [{"fn": "isSet", "argv": [{"ref": "Region"}]},'
        ' {"fn": "isSet", "argv": [{"ref": "Region"}]},'
        ' {"fn": "isSet", "argv": [{"ref": "Bucket"}]}]}'
    )
    first, second, third = doc["x"]  # type: ignore[misc]
    assert first is second
    assert third is not first and third["fn"] is first["fn"]


def test_the_rule_set_is_botocores_and_far_smaller() -> None:
    ruleset, partitions = _endpoints.read_rule_set()
    want_ruleset, want_partitions = _botocore_data()
    assert ruleset == want_ruleset
    assert partitions == want_partitions
    shared: dict[int, object] = {}
    plain: dict[int, object] = {}
    _objects(ruleset, shared)
    _objects(json.loads(json.dumps(want_ruleset)), plain)
    assert len(shared) * 4 < len(plain), (len(shared), len(plain))


def test_the_provider_keeps_a_fraction_of_the_memory() -> None:
    def kept(ruleset: dict[str, Any], partitions: dict[str, Any]) -> int:
        tracemalloc.start()
        try:
            provider = EndpointProvider(ruleset_data=ruleset, partition_data=partitions)
            del ruleset, partitions
            size = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert provider is not None
        return size

    # once before measuring: what the first read imports and caches (botocore's loader,
    # the JSON decoder) is not the rule set's size, and depends on the tests run before
    _endpoints.read_rule_set()
    tracemalloc.start()
    try:
        shared = _endpoints.read_rule_set()
        shared_size = tracemalloc.get_traced_memory()[0]
        del shared
        before = tracemalloc.get_traced_memory()[0]
        ruleset, partitions = _botocore_data()
        plain_size = tracemalloc.get_traced_memory()[0] - before
        del ruleset, partitions
    finally:
        tracemalloc.stop()
    # botocore's loader (OrderedDicts) keeps far more; a plain json.loads about 800 kB
    assert shared_size < 300_000 < plain_size, (shared_size, plain_size)
    assert kept(*_endpoints.read_rule_set()) < 200_000


def _provider_cases() -> list[dict[str, Any]]:
    return json.loads(CASES.read_text())["testCases"]  # type: ignore[no-any-return]


def test_botocores_provider_resolves_every_published_case_alike() -> None:
    """Every case of the published test file (all parameters, not only those aios3 passes)
    through botocore's provider built from botocore's loader and from aios3's shared data,
    twice: the same endpoints and errors, and the shared data unchanged afterwards."""
    ruleset, partitions = _endpoints.read_rule_set()
    snapshot = json.dumps(ruleset)
    shared = EndpointProvider(ruleset_data=ruleset, partition_data=partitions)
    reference = EndpointProvider(*_botocore_data())

    def outcome(provider: EndpointProvider, params: dict[str, Any]) -> object:
        try:
            return provider.resolve_endpoint(**params)
        except BotocoreResolutionError as exc:
            return ("error", str(exc))

    cases = _provider_cases()
    assert len(cases) > 300
    for _ in range(2):
        for case in cases:
            params = case.get("params", {})
            assert outcome(shared, dict(params)) == outcome(reference, dict(params)), case
    assert json.dumps(ruleset) == snapshot


def _data_path(tmp_path: Path, body: bytes) -> Path:
    _, partitions = _botocore_data()
    version = create_loader().determine_latest_version("s3", "endpoint-rule-set-1")
    folder = tmp_path / "data" / "s3" / version
    folder.mkdir(parents=True)
    (folder / "endpoint-rule-set-1.json.gz").write_bytes(body)
    (tmp_path / "data" / "partitions.json").write_text(json.dumps(partitions))
    return tmp_path / "data"


@pytest.mark.parametrize("members", [1, 2])
def test_a_data_path_gzip_file_is_read_as_gzip_reads_it(tmp_path: Path, members: int) -> None:
    """A rule set in the user's data path (botocore's `AWS_DATA_PATH`): one gzip member is
    decompressed directly; a file of several members (which `_gunzip` does not vouch for)
    is read by `gzip`, as botocore does."""
    ruleset, _ = _botocore_data()
    text = json.dumps(ruleset).encode()
    cut = len(text) // 2
    parts = [text] if members == 1 else [text[:cut], text[cut:]]
    body = b"".join(gzip.compress(p) for p in parts)
    path = _data_path(tmp_path, body)
    assert (_endpoints._gunzip(str(next(path.rglob("*.json.gz")))) is None) == (members > 1)
    got, _ = _endpoints.read_rule_set(str(path))
    assert got == ruleset


def test_a_broken_gzip_file_fails_as_gzip_fails(tmp_path: Path) -> None:
    ruleset, _ = _botocore_data()
    body = bytearray(gzip.compress(json.dumps(ruleset).encode()))
    body[-8] ^= 0xFF  # the CRC
    path = _data_path(tmp_path, bytes(body))
    assert _endpoints._gunzip(str(next(path.rglob("*.json.gz")))) is None
    with pytest.raises(gzip.BadGzipFile):
        _endpoints.read_rule_set(str(path))
