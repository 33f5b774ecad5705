"""The boto3-keyword TypedDicts cannot drift from the request models, nor the models from
botocore's service model.

For every operation: the client's `*Params` TypedDict and each resource TypedDict that
feeds the operation have exactly the model's aliases as keys (minus what the resource
supplies itself), the same required keys, and value types the model accepts (a TypedDict
may be stricter: a `Literal` where the model takes `str`). Every alias is a member of
botocore's input shape, and every botocore member is supported or listed in
`NOT_SUPPORTED` with the reason.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin

import botocore.session
import pytest
from pydantic import AwareDatetime, BaseModel
from pydantic_core import PydanticUndefined
from typing_extensions import NotRequired, Required, TypedDict, Unpack, get_overloads, is_typeddict

from aios3 import VerifyPolicy, _resource, models
from aios3._client import S3Client
from aios3._operations import BY_NAME, OPERATIONS, PAGINATED, Operation, for_request
from aios3._serialize import serialize
from aios3.models import RequestModel, VerifiedAbortResponse
from tests.unit._botocore_drift import check

# ------------------------------------------------------------------ what is checked

CLIENT: dict[type[RequestModel], type] = {op.request: op.params for op in OPERATIONS}

# (resource TypedDict, the operation it feeds, the keys the resource supplies itself,
#  the keys the resource deliberately leaves out because they are a paginator's)
RESOURCE: list[tuple[type, type[RequestModel], frozenset[str], frozenset[str]]] = [
    (
        _resource._InitiateParams,
        models.CreateMultipartUploadRequest,
        frozenset({"Bucket", "Key"}),
        frozenset(),
    ),
    (
        _resource._AbortParams,
        models.AbortMultipartUploadRequest,
        frozenset({"Bucket", "Key", "UploadId"}),
        frozenset(),
    ),
    (
        _resource._CompleteParams,
        models.CompleteMultipartUploadRequest,
        frozenset({"Bucket", "Key", "UploadId"}),
        frozenset(),
    ),
    (
        _resource._UploadParams,
        models.UploadPartRequest,
        frozenset({"Bucket", "Key", "UploadId", "PartNumber"}),
        frozenset(),
    ),
    (
        _resource.MultipartUploadsFilter,
        models.ListMultipartUploadsRequest,
        frozenset({"Bucket"}),
        frozenset({"MaxUploads"}),  # .page_size() / .limit() set it, as in boto3
    ),
    (
        _resource._PayerOwnerSSE,
        models.ListPartsRequest,
        frozenset({"Bucket", "Key", "UploadId"}),
        frozenset({"MaxParts", "PartNumberMarker"}),  # the paginator's
    ),
]

# botocore members aios3 does not model yet, per operation, with the reason. A new member
# in a newer botocore makes `test_every_botocore_member_is_supported_or_listed` fail until
# it is added to a model or here.
NOT_SUPPORTED: dict[str, dict[str, str]] = {
    "CreateBucket": {"BucketNamespace": "account-regional namespaces are newer than aios3"},
    "PutObject": {
        "WriteOffsetBytes": "appends to objects in directory buckets: not supported yet",
    },
}

# What aios3 models that the lowest botocore it supports (1.43.5, .ci/constraints-lowest.txt)
# does not know yet: member names, and `Enum=value` for enum values. The checks that aios3
# has nothing botocore lacks let these through only while the installed botocore lacks them
# (the floors stage of CI); with a botocore that has them, they are checked as the rest.
NEWER_THAN_THE_LOWEST_BOTOCORE: frozenset[str] = frozenset(
    {
        "ObjectLockEventHold",
        "ObjectLockEventHoldDurationDays",
        "ObjectLockEventHoldDurationYears",
        "StorageClass=AWS_BACKUP_WARM",
        "StorageClass=AWS_BACKUP_LOW_COST_WARM",
        "ServerSideEncryption=aws:backup",
        "VersionId",  # on the multipart responses (AbortMultipartUpload, ...): botocore 1.44
    }
)


# ------------------------------------------------------------------ the checker


def _strip(tp: Any) -> Any:
    """`Annotated[X, ...]`, `Required[X]`, `NotRequired[X]` → X; pydantic's `AwareDatetime`
    → `datetime` (a type checker cannot tell aware from naive datetimes; the model refuses
    naive ones at run time)."""
    while get_origin(tp) in (typing.Annotated, Required, NotRequired):
        tp = get_args(tp)[0]
    return datetime if tp is AwareDatetime else tp


def _hints(td: type) -> tuple[dict[str, Any], set[str]]:
    """A TypedDict's keys with their types, and its required keys, read from the class
    bodies: `__required_keys__` is unreliable at run time under postponed annotations."""
    hints: dict[str, Any] = {}
    required: set[str] = set()
    for base in getattr(td, "__orig_bases__", ()):
        if is_typeddict(base):
            base_hints, base_required = _hints(base)
            hints.update(base_hints)
            required |= base_required
    for key, tp in typing.get_type_hints(td, include_extras=True).items():
        if key in hints:
            continue
        origin = get_origin(tp)
        if origin is Required or (td.__total__ and origin is not NotRequired):  # type: ignore[attr-defined]
            required.add(key)
        hints[key] = get_args(tp)[0] if origin in (Required, NotRequired) else tp
    return hints, required


def _members(tp: Any) -> list[Any]:
    """A union's members (without None), each stripped of `Annotated`."""
    tp = _strip(tp)
    if get_origin(tp) in (Union, types.UnionType):
        out: list[Any] = []
        for a in get_args(tp):
            out.extend(_members(a))
        return out
    return [] if tp is type(None) else [tp]


_LOOSER = {  # a TypedDict's abstract container and the model's concrete one
    collections.abc.Mapping: {dict, collections.abc.Mapping},
    collections.abc.Sequence: {list, collections.abc.Sequence},
    dict: {dict, collections.abc.Mapping},
    list: {list, collections.abc.Sequence},
}


def _accepts(model_tp: Any, td_tp: Any) -> bool:
    """Whether every value `td_tp` allows is a value the model's `model_tp` accepts."""
    return all(any(_one(m, t) for m in _members(model_tp)) for t in _members(td_tp))


def _one(m: Any, t: Any) -> bool:
    if m == t or m is Any:
        return True
    if get_origin(t) is Literal:
        values = get_args(t)
        if get_origin(m) is Literal:
            return set(values) <= set(get_args(m))
        return isinstance(m, type) and all(isinstance(v, m) for v in values)
    if is_typeddict(t) and isinstance(m, type) and issubclass(m, BaseModel):
        return not _typeddict_problems(t, m, frozenset(), frozenset(), nested=True)
    to, mo = get_origin(t), get_origin(m)
    if to is not None and mo is not None and mo in _LOOSER.get(to, {to}):
        targs, margs = get_args(t), get_args(m)
        return len(targs) == len(margs) and all(
            _accepts(ma, ta) for ma, ta in zip(margs, targs, strict=True)
        )
    return False


def _typeddict_problems(
    td: type,
    model: type[BaseModel],
    supplied: frozenset[str],
    left_out: frozenset[str],
    *,
    nested: bool = False,
) -> list[str]:
    """Every way `td` disagrees with `model`, one line each (empty: they agree)."""
    hints, required = _hints(td)
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    expected = set(fields) - supplied - left_out
    problems = [f"{td.__name__} lacks {k}" for k in sorted(expected - set(hints))]
    problems += [f"{td.__name__} has {k}, not a parameter" for k in sorted(set(hints) - expected)]
    for key in sorted(expected & set(hints)):
        info = fields[key]
        model_required = info.default is PydanticUndefined and info.default_factory is None
        if model_required != (key in required):
            problems.append(
                f"{td.__name__}.{key}: required={key in required}, model says {model_required}"
            )
        if not _accepts(info.annotation, hints[key]):
            problems.append(f"{td.__name__}.{key}: {hints[key]} is not accepted by the model")
    return problems


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("model", list(CLIENT), ids=lambda m: m.operation_name)
def test_client_params_equal_the_model(model: type[RequestModel]) -> None:
    assert _typeddict_problems(CLIENT[model], model, frozenset(), frozenset()) == []


@pytest.mark.parametrize(
    ("td", "model", "supplied", "left_out"), RESOURCE, ids=[r[0].__name__ for r in RESOURCE]
)
def test_resource_params_equal_the_model(
    td: type, model: type[RequestModel], supplied: frozenset[str], left_out: frozenset[str]
) -> None:
    assert _typeddict_problems(td, model, supplied, left_out) == []


@pytest.mark.parametrize("model", list(CLIENT), ids=lambda m: m.operation_name)
def test_snake_case_names_round_trip(model: type[RequestModel]) -> None:
    """Each field's alias is boto3's name, and each name maps to exactly one field."""
    by_alias = {info.alias: name for name, info in model.model_fields.items()}
    assert len(by_alias) == len(model.model_fields)  # no two fields share an alias
    for alias, name in by_alias.items():
        assert alias == models._pascal(name), f"{name} → {alias}, not {models._pascal(name)}"
    # both spellings build the same request
    required = {
        n: _sample(info.annotation)
        for n, info in model.model_fields.items()
        if info.default is PydanticUndefined
    }
    a = model(**required)
    b = model(**{model.model_fields[n].alias or n: v for n, v in required.items()})
    assert a == b
    assert set(a.model_dump(by_alias=True)) == set(by_alias)


def _sample(tp: Any) -> object:
    base = _members(tp)[0]
    return 1 if base is int else "x" if base is str else b""


@pytest.fixture(scope="module")
def botocore_s3() -> Any:
    return botocore.session.get_session().get_service_model("s3")


@pytest.mark.parametrize("model", list(CLIENT), ids=lambda m: m.operation_name)
def test_every_alias_is_a_botocore_member(model: type[RequestModel], botocore_s3: Any) -> None:
    members = set(botocore_s3.operation_model(model.operation_name).input_shape.members)
    members |= NEWER_THAN_THE_LOWEST_BOTOCORE  # newer than some botocore aios3 supports
    aliases = {info.alias for info in model.model_fields.values()}
    assert sorted(a for a in aliases if a not in members) == []


@pytest.mark.parametrize("model", list(CLIENT), ids=lambda m: m.operation_name)
def test_every_botocore_member_is_supported_or_listed(
    model: type[RequestModel], botocore_s3: Any
) -> None:
    shape = botocore_s3.operation_model(model.operation_name).input_shape
    aliases = {info.alias for info in model.model_fields.values()}
    listed = NOT_SUPPORTED.get(model.operation_name, {})
    check(f"{m}: not supported" for m in shape.members if m not in aliases and m not in listed)
    assert sorted(m for m in listed if m in aliases) == []  # listed, yet supported
    required = {info.alias for info in model.model_fields.values() if info.is_required()}
    assert required == set(shape.required_members)


# ------------------------------------------------------------------ the checker can fail


class _Drifted(TypedDict, total=False):
    Bucket: str  # should be required
    Key: Required[str]
    UploadId: Required[int]  # wrong type
    RequestPayer: Literal["requester", "someone"]  # looser than the model's Literal
    Typo: str  # not a parameter
    # ExpectedBucketOwner and IfMatchInitiatedTime missing


def test_the_checker_reports_each_kind_of_drift() -> None:
    problems = _typeddict_problems(
        _Drifted, models.AbortMultipartUploadRequest, frozenset(), frozenset()
    )
    assert sorted(problems) == sorted(
        [
            "_Drifted lacks ExpectedBucketOwner",
            "_Drifted lacks IfMatchInitiatedTime",
            "_Drifted has Typo, not a parameter",
            "_Drifted.Bucket: required=False, model says True",
            "_Drifted.UploadId: <class 'int'> is not accepted by the model",
            "_Drifted.RequestPayer: typing.Literal['requester', 'someone'] is not accepted "
            "by the model",
        ]
    )


def test_a_stricter_typeddict_is_accepted() -> None:
    class Strict(TypedDict, total=False):
        StorageClass: Literal["STANDARD", "GLACIER"]  # the model takes any str
        Metadata: Mapping[str, str]  # the model has dict[str, str]

    assert _accepts(
        models.CreateMultipartUploadRequest.model_fields["storage_class"].annotation,
        typing.get_type_hints(Strict)["StorageClass"],
    )
    assert _accepts(
        models.CreateMultipartUploadRequest.model_fields["metadata"].annotation,
        typing.get_type_hints(Strict)["Metadata"],
    )


def test_grant_acp_parameters_go_out_under_boto3s_names() -> None:
    """boto3 spells them `GrantReadACP` / `GrantWriteACP`; both travel as their headers."""
    req = models.CreateMultipartUploadRequest(
        Bucket="b", Key="k", GrantReadACP='id="r"', GrantWriteACP='id="w"'
    )
    headers = serialize(req).headers
    assert headers["x-amz-grant-read-acp"] == 'id="r"'
    assert headers["x-amz-grant-write-acp"] == 'id="w"'


# ------------------------------------------------------------------ records and overloads


EXTRA_KEYWORDS: dict[str, tuple[str, object, object, type]] = {
    # operation: (aios3's own keyword, its type where the record's response is returned,
    # its type in the overloads that return something else, that something else)
    "AbortMultipartUpload": (
        "verify",
        Literal[False],
        Literal[True] | VerifyPolicy,
        VerifiedAbortResponse,
    ),
}
"""aios3's own keyword arguments beside boto3's, and the overloads they add."""


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_the_client_method_agrees_with_the_record(op: Operation[Any, Any]) -> None:
    """The hand-written overloads: one takes the request model, one boto3's keywords; both
    return the record's response model."""
    method = getattr(S3Client, op.method_name)
    hints = [typing.get_type_hints(f, include_extras=True) for f in get_overloads(method)]
    extra = EXTRA_KEYWORDS.get(op.name)
    plain = [h for h in hints if h["return"] is op.response]
    assert len(plain) == 2
    by_model, by_keywords = plain
    if extra is not None:  # e.g. abort's verify=: False (the default) in the plain overloads
        name, when_plain, when_extra, returns = extra
        assert by_model.pop(name) == by_keywords.pop(name) == when_plain
        others = [h for h in hints if h["return"] is not op.response]
        assert len(others) == 2 and all(h["return"] is returns for h in others)
        assert [h.pop(name) for h in others] == [when_extra, when_extra]
        assert [set(h) for h in others] == [{"request", "return"}, {"params", "return"}]
        assert others[1]["params"] == Unpack[op.params]  # type: ignore[valid-type]
    else:
        assert len(hints) == 2
    assert by_model == {"request": op.request, "return": op.response}
    assert by_keywords == {"params": Unpack[op.params], "return": op.response}  # type: ignore[valid-type]
    impl = typing.get_type_hints(method)
    assert impl["return"] is op.response
    assert impl["request"] == op.request | None
    assert method.__doc__
    assert op.request.operation_name == op.name
    assert for_request(op.request) is op and BY_NAME[op.name] is op


def test_get_paginator_overloads_agree_with_the_records() -> None:
    overloads = get_overloads(S3Client.get_paginator)
    seen = {}
    for f in overloads:
        hints = typing.get_type_hints(f)
        (name,) = get_args(hints["operation_name"])
        seen[name] = hints["return"]
    assert seen == {op.method_name: op.paginator for op in OPERATIONS if op.paginator is not None}
    s3 = S3Client(region_name="us-east-1")
    for op in OPERATIONS:
        assert s3.can_paginate(op.method_name) is (op.method_name in PAGINATED)
        if op.paginator is not None:
            assert type(s3.get_paginator(op.method_name)) is op.paginator  # type: ignore[call-overload]


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_the_record_agrees_with_botocore(op: Operation[Any, Any], botocore_s3: Any) -> None:
    """HTTP method and fixed query as in botocore's `requestUri` (`/{Bucket}?uploads`)."""
    http = botocore_s3.operation_model(op.name).http
    assert op.http_method == http["method"]
    query = http["requestUri"].partition("?")[2]
    assert op.fixed_query == (tuple(query.split("&")) if query else ())
    assert op.retry_safe  # every one today; see aios3._operations for why
    static = {
        p.name: p.value for p in botocore_s3.operation_model(op.name).static_context_parameters
    }
    assert op.control_endpoint is bool(static.get("UseS3ExpressControlEndpoint"))


def test_every_keyword_typeddict_is_checked() -> None:
    """A new TypedDict of keyword arguments, in the models or the resource, must be added
    to a record or to RESOURCE, so the drift tests cover it."""
    nested = {models.CompletedPartDict, models.CompletedMultipartUploadDict}
    nested |= {models.CreateBucketConfigurationDict}  # checked inside their operation's
    nested |= {
        models.BucketLifecycleConfigurationDict,
        models.LifecycleRuleDict,
        models.LifecycleRuleFilterDict,
        models.LifecycleRuleAndOperatorDict,
        models.TagDict,
        models.LifecycleExpirationDict,
        models.TransitionDict,
        models.NoncurrentVersionTransitionDict,
        models.NoncurrentVersionExpirationDict,
        models.AbortIncompleteMultipartUploadDict,
    }
    parts = {models._BucketKeyUpload, models._PayerOwner, models._SSECustomer}
    parts |= {models._Checksums}  # building blocks of the *Params above
    in_models = {
        v for v in vars(models).values() if is_typeddict(v) and v.__module__ == models.__name__
    }
    assert in_models - nested - parts == set(CLIENT.values())
    in_resource = {
        v
        for v in vars(_resource).values()
        if is_typeddict(v) and v.__module__ == _resource.__name__
    }
    assert in_resource == {r[0] for r in RESOURCE}
