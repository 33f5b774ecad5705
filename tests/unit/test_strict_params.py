"""Numbers, flags and timestamps are checked as botocore's validator checks them, before
anything is sent.

The members are read from botocore's service model (every `integer`, `long`, `boolean` and
`timestamp` member of every operation's input, nested ones included), not listed by hand:

* integer / long: an `int`. A `str` ("1"), a `float` (1.5, and 1.0 too) are refused, as
  boto3 refuses them. `True` / `False` are refused too: boto3 lets them through (a `bool`
  is an `int` to `isinstance`) and sends `partNumber=True`, which S3 can only refuse.
* boolean: a `bool`; 1 and "true" are refused, as boto3 refuses them.
* timestamp: what botocore's `parse_to_aware_datetime` reads (a datetime, naive ones as UTC;
  an ISO 8601 or HTTP-date string; epoch seconds as an int, float or string of digits); a
  `date`, a `bool` and unreadable text are refused. aios3 keeps refusing a naive datetime
  for `IfMatchInitiatedTime` (see docs/directory-buckets.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.config
import botocore.session
import pytest

import aios3
from aios3._operations import OPERATIONS, Operation
from aios3._serialize import serialize
from aios3.errors import ParamValidationError
from aios3.testing import MockResponse, MockTransport
from tests.unit.test_model_completeness import NOT_MODELLED

UTC = dt.timezone.utc
Path = tuple[str, ...]  # member names; "[]" steps into a list's items

_S3 = botocore.session.get_session().get_service_model("s3")


def _leaves(op: str, shape: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """The scalar members of an input shape, with their paths (what aios3 does not model
    is left out: tests/unit/test_model_completeness.py lists it)."""
    for name, member in shape.members.items():
        here = (*path, name)
        label = ".".join((op, "input", *(p for p in here if p != "[]")))
        if label in NOT_MODELLED:
            continue
        if member.type_name == "structure":
            yield from _leaves(op, member, here)
        elif member.type_name == "list" and member.member.type_name == "structure":
            yield from _leaves(op, member.member, (*here, "[]"))
        else:
            yield here, member


def _cases(*types: str) -> list[tuple[Operation[Any, Any], Path, Any]]:
    return [
        (op, path, member)
        for op in OPERATIONS
        for path, member in _leaves(op.name, _S3.operation_model(op.name).input_shape)
        if member.type_name in types
    ]


def _id(case: tuple[Operation[Any, Any], Path, Any]) -> str:
    return f"{case[0].name}.{'.'.join(p for p in case[1] if p != '[]')}"


INTEGERS = _cases("integer", "long")
BOOLEANS = _cases("boolean")
TIMESTAMPS = _cases("timestamp")


def test_the_members_are_found() -> None:
    """The walk finds what it must (so an empty list cannot pass the tests below)."""
    assert {_id(c) for c in INTEGERS} >= {
        "UploadPart.PartNumber",
        "UploadPart.ContentLength",
        "CompleteMultipartUpload.MultipartUpload.Parts.PartNumber",
        "CompleteMultipartUpload.MpuObjectSize",
        "ListParts.MaxParts",
        "ListParts.PartNumberMarker",
        "ListMultipartUploads.MaxUploads",
        "HeadObject.PartNumber",
        "DeleteObject.IfMatchSize",
    }
    assert {_id(c) for c in INTEGERS} >= {
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Expiration.Days",
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Filter.And."
        "ObjectSizeLessThan",
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Transitions.Days",
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules."
        "AbortIncompleteMultipartUpload.DaysAfterInitiation",
    }
    assert {_id(c) for c in BOOLEANS} >= {
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Expiration."
        "ExpiredObjectDeleteMarker",
        "CreateMultipartUpload.BucketKeyEnabled",
        "CreateBucket.ObjectLockEnabledForBucket",
        "DeleteObject.BypassGovernanceRetention",
    }
    assert {_id(c) for c in TIMESTAMPS} >= {
        "AbortMultipartUpload.IfMatchInitiatedTime",
        "CreateMultipartUpload.Expires",
        "HeadObject.ResponseExpires",
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Expiration.Date",
        "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Transitions.Date",
    }


def _required(op: Operation[Any, Any]) -> dict[str, Any]:
    """The smallest valid parameters of `op`."""
    params: dict[str, Any] = {}
    for name in _S3.operation_model(op.name).input_shape.required_members:
        params[name] = {"Bucket": "bkt", "PartNumber": 1}.get(name, "x")
    return params


def _with(op: Operation[Any, Any], path: Path, value: object) -> dict[str, Any]:
    """`op`'s smallest parameters with `value` at `path` (a nested path builds the rest)."""
    params = _required(op)
    if len(path) == 1:
        params[path[0]] = value
        return params
    if path[0] == "LifecycleConfiguration":  # Rules[].X, Rules[].X.Y, Rules[].X[].Y...
        assert path[1:3] == ("Rules", "[]"), path
        leaf: Any = value
        for step in reversed(path[4:]):
            leaf = [leaf] if step == "[]" else {step: leaf}
        given = {"Status": "Enabled", path[3]: leaf}
        order = _S3.shape_for("LifecycleRule").members  # botocore writes in the dict's order
        rule = {name: given[name] for name in order if name in given}
        params[path[0]] = {"Rules": [rule]}
        return params
    # CompleteMultipartUpload's MultipartUpload.Parts[].PartNumber
    assert path[1:3] == ("Parts", "[]"), path
    item = {"ETag": '"e"', "PartNumber": 1, path[3]: value}
    params[path[0]] = {"Parts": [item]}
    return params


async def _refused_before_sending(op: Operation[Any, Any], params: dict[str, Any]) -> str:
    """The `ParamValidationError` text of calling `op` with `params`; nothing was sent."""
    transport = MockTransport(lambda _r: MockResponse(400))
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AKID",
        aws_secret_access_key="secret",
        transport=transport,
    ) as s3:
        with pytest.raises(ParamValidationError) as caught:
            await getattr(s3, op.method_name)(**params)
    assert transport.requests == []
    return str(caught.value)


def _names(path: Path, message: str, problem: str) -> bool:
    """Whether `message` names the parameter at `path` with `problem`: `PartNumber: ...`,
    or for a part each step, `MultipartUpload: ... Parts.0: ... PartNumber: ...`."""
    steps = ".".join("0" if p == "[]" else p for p in path[:-1]).split(".")
    return f"{path[-1]}: {problem}" in message and all(s in message for s in steps)


@pytest.mark.parametrize("case", INTEGERS, ids=_id)
@pytest.mark.parametrize("bad", ["1", 1.5, 1.0, True, False, b"1"], ids=repr)
async def test_an_integer_member_takes_only_an_int(
    case: tuple[Operation[Any, Any], Path, Any], bad: object
) -> None:
    op, path, _ = case
    message = await _refused_before_sending(op, _with(op, path, bad))
    assert _names(path, message, "Input should be a valid integer"), message


@pytest.mark.parametrize("case", INTEGERS, ids=_id)
def test_an_integer_member_takes_an_int(case: tuple[Operation[Any, Any], Path, Any]) -> None:
    op, path, _ = case
    value: Any = op.request(**_with(op, path, 7)).model_dump(by_alias=True)
    for step in path:
        value = value[0] if step == "[]" else value[step]
    assert value == 7


@pytest.mark.parametrize("case", BOOLEANS, ids=_id)
@pytest.mark.parametrize("bad", [1, 0, "true", "True", "false"], ids=repr)
async def test_a_boolean_member_takes_only_a_bool(
    case: tuple[Operation[Any, Any], Path, Any], bad: object
) -> None:
    op, path, _ = case
    message = await _refused_before_sending(op, _with(op, path, bad))
    assert _names(path, message, "Input should be a valid boolean"), message


@pytest.mark.parametrize("case", BOOLEANS, ids=_id)
@pytest.mark.parametrize("good", [True, False])
def test_a_boolean_member_goes_out_as_botocore_sends_it(
    case: tuple[Operation[Any, Any], Path, Any], good: bool
) -> None:
    op, path, member = case
    _same_on_the_wire(op, path, member, good)


@pytest.mark.parametrize("case", TIMESTAMPS, ids=_id)
@pytest.mark.parametrize(
    "bad", [True, dt.date(2026, 1, 2), "nonsense", "", [2026], 1e300], ids=repr
)
async def test_a_timestamp_member_refuses_what_botocore_refuses(
    case: tuple[Operation[Any, Any], Path, Any], bad: object
) -> None:
    op, path, _ = case
    message = await _refused_before_sending(op, _with(op, path, bad))
    assert _names(path, message, "Value error"), message


WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TIMESTAMP_FORMS = [
    WHEN,
    WHEN.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))),
    "2026-01-02T03:04:05Z",
    "2026-01-02T08:34:05+05:30",
    "2026-01-02T03:04:05",  # no zone: UTC, as botocore reads it
    "Fri, 02 Jan 2026 03:04:05 GMT",
    int(WHEN.timestamp()),
    WHEN.timestamp() + 0.25,  # botocore drops the fraction on the wire
    str(int(WHEN.timestamp())),
]


@pytest.mark.parametrize("case", TIMESTAMPS, ids=_id)
@pytest.mark.parametrize("good", TIMESTAMP_FORMS, ids=repr)
def test_a_timestamp_member_takes_botocores_forms_and_sends_what_botocore_sends(
    case: tuple[Operation[Any, Any], Path, Any], good: object
) -> None:
    op, path, member = case
    _same_on_the_wire(op, path, member, good)


class _Stop(Exception):
    pass


@cache
def _botocore_client() -> Any:
    """One botocore client (creating one costs far more than a test), path style, that
    stops each request before sending it and keeps it as `client.captured`."""
    client = botocore.session.get_session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://s3.local",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=botocore.config.Config(s3={"addressing_style": "path"}),
    )

    def grab(request: Any, **_: object) -> None:
        client.captured = request
        raise _Stop

    client.meta.events.register("before-send.s3", grab)
    return client


def _botocore_request(operation: str, params: dict[str, Any]) -> Any:
    client = _botocore_client()
    with pytest.raises(_Stop):
        getattr(client, botocore.xform_name(operation))(**params)
    return client.captured


def _same_on_the_wire(op: Operation[Any, Any], path: Path, member: Any, value: object) -> None:
    params = _with(op, path, value)
    ours = serialize(op.request(**params))
    theirs = _botocore_request(op.name, params)
    if len(path) > 1:  # a member of an XML body (a lifecycle rule's date or flag)
        assert ours.body == theirs.body
        return
    where, name = member.serialization["location"], member.serialization["name"]
    if where == "header":
        mine = {k.lower(): v for k, v in ours.headers.items()}[name.lower()]
        raw = theirs.headers[name]
        assert mine == (raw.decode() if isinstance(raw, bytes) else raw)
    else:
        assert where == "querystring"
        query = theirs.url.partition("?")[2]
        assert f"{name}=" in query
        assert next(p for p in ours.query.split("&") if p.startswith(f"{name}=")) in query.split(
            "&"
        )


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        (dt.datetime(2026, 1, 2, 3, 4, 5), "Fri, 02 Jan 2026 03:04:05 GMT"),  # naive: UTC
        (1767323045, "Fri, 02 Jan 2026 03:04:05 GMT"),
    ],
)
def test_a_naive_datetime_is_utc_as_in_botocore(value: object, sent: str) -> None:
    from aios3.models import DeleteObjectRequest

    wire = serialize(DeleteObjectRequest(Bucket="b", Key="k", IfMatchLastModifiedTime=value))  # type: ignore[arg-type]
    assert wire.headers["x-amz-if-match-last-modified-time"] == sent


async def test_if_match_initiated_time_still_refuses_a_naive_datetime() -> None:
    op = next(o for o in OPERATIONS if o.name == "AbortMultipartUpload")
    params = _with(op, ("IfMatchInitiatedTime",), dt.datetime(2026, 1, 2, 3, 4, 5))
    message = await _refused_before_sending(op, params)
    assert "IfMatchInitiatedTime: Input should have timezone info" in message


def test_epoch_milliseconds_are_not_guessed() -> None:
    """pydantic reads 1767323045000 as milliseconds; botocore as seconds, which is out of
    range, so it refuses it. aios3 does what botocore does."""
    from aios3.models import DeleteObjectRequest

    with pytest.raises(ParamValidationError, match="IfMatchLastModifiedTime"):
        DeleteObjectRequest(Bucket="b", Key="k", IfMatchLastModifiedTime=1767323045000)  # type: ignore[arg-type]
