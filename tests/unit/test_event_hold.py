"""Object Lock event holds: `ObjectLockEventHold`, `ObjectLockEventHoldDurationDays` and
`ObjectLockEventHoldDurationYears` go out on CreateMultipartUpload as botocore sends them,
and HeadObject reads them back as botocore parses them."""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest
from aioresponses import aioresponses
from botocore.parsers import create_parser
from multidict import CIMultiDict, CIMultiDictProxy

import aios3
from aios3._parse import metadata
from aios3._parse_bucket_object import head_object
from aios3._serialize import serialize
from aios3.errors import ParamValidationError, ResponseParseError
from aios3.models import CreateMultipartUploadRequest
from tests.unit.test_wire import NS, aws, only_call
from tests.unit.test_wire_objects import _botocore_request

EVENT_HOLD = {
    "ObjectLockEventHold": "ON",
    "ObjectLockEventHoldDurationDays": 30,
}
# botocore has event holds from a release newer than the lowest aios3 supports (1.43.5): the
# comparisons with botocore's own wire form need one that has them
_BOTOCORE_HAS_THEM = "ObjectLockEventHold" in (
    botocore.session.get_session()
    .get_service_model("s3")
    .operation_model("CreateMultipartUpload")
    .input_shape.members
)
needs_botocore_with_event_holds = pytest.mark.skipif(
    not _BOTOCORE_HAS_THEM, reason="this botocore predates Object Lock event holds"
)

HEADERS = {
    "x-amz-object-lock-event-hold": "ON",
    "x-amz-object-lock-event-hold-duration-days": "30",
}


async def test_create_multipart_upload_sends_the_event_hold_headers() -> None:
    with aioresponses() as m:
        m.post(
            re.compile(r"^https://bkt\..*"),
            status=200,
            body=f"<InitiateMultipartUploadResult {NS}><UploadId>U</UploadId>"
            "</InitiateMultipartUploadResult>",
        )
        async with aws() as s3:
            await s3.create_multipart_upload(Bucket="bkt", Key="k", **EVENT_HOLD)
        headers = only_call(m)[2]
    assert {k: v for k, v in headers.items() if "event-hold" in k} == HEADERS


def test_the_years_header_too_and_none_when_absent() -> None:
    wire = serialize(
        CreateMultipartUploadRequest(
            Bucket="b", Key="k", ObjectLockEventHold="OFF", ObjectLockEventHoldDurationYears=2
        )
    )
    assert wire.headers["x-amz-object-lock-event-hold"] == "OFF"
    assert wire.headers["x-amz-object-lock-event-hold-duration-years"] == "2"
    assert "x-amz-object-lock-event-hold-duration-days" not in wire.headers
    plain = serialize(CreateMultipartUploadRequest(Bucket="b", Key="k"))
    assert not [h for h in plain.headers if "event-hold" in h]


@needs_botocore_with_event_holds
@pytest.mark.parametrize(
    "params",
    [
        EVENT_HOLD,
        {"ObjectLockEventHold": "OFF", "ObjectLockEventHoldDurationYears": 1},
        {"ObjectLockEventHoldDurationDays": 0},
    ],
)
def test_the_event_hold_headers_are_botocores(params: dict[str, Any]) -> None:
    theirs = _botocore_request("CreateMultipartUpload", {"Bucket": "bkt", "Key": "k", **params})
    their_headers = {
        k.lower(): v.decode() if isinstance(v, bytes) else v
        for k, v in theirs.headers.items()
        if "event-hold" in k.lower()
    }
    ours = serialize(CreateMultipartUploadRequest(Bucket="bkt", Key="k", **params))
    assert {k: v for k, v in ours.headers.items() if "event-hold" in k} == their_headers
    assert their_headers  # the comparison compared something


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ObjectLockEventHold": "on"}, "ObjectLockEventHold"),
        ({"ObjectLockEventHoldDurationDays": "30"}, "ObjectLockEventHoldDurationDays"),
        ({"ObjectLockEventHoldDurationYears": True}, "ObjectLockEventHoldDurationYears"),
    ],
)
async def test_bad_event_hold_values_are_refused_before_sending(
    params: dict[str, Any], field: str
) -> None:
    with aioresponses() as m:
        async with aws() as s3:
            with pytest.raises(ParamValidationError, match=field):
                await s3.create_multipart_upload(Bucket="bkt", Key="k", **params)
        assert not m.requests


async def test_the_resource_passes_the_event_hold() -> None:
    with aioresponses() as m:
        m.post(
            re.compile(r"^https://bkt\..*"),
            status=200,
            body=f"<InitiateMultipartUploadResult {NS}><UploadId>U</UploadId>"
            "</InitiateMultipartUploadResult>",
        )
        async with aios3.S3Resource(
            region_name="eu-west-1", aws_access_key_id="AKID", aws_secret_access_key="s"
        ) as s3r:
            await s3r.Object("bkt", "k").initiate_multipart_upload(
                ObjectLockEventHold="ON", ObjectLockEventHoldDurationDays=30
            )
        headers = only_call(m)[2]
    assert {k: v for k, v in headers.items() if "event-hold" in k} == HEADERS


async def test_head_object_reads_the_event_hold() -> None:
    with aioresponses() as m:
        m.head(
            re.compile(r"^https://bkt\..*"),
            status=200,
            headers={**HEADERS, "x-amz-object-lock-event-hold-duration-years": "1"},
        )
        async with aws() as s3:
            r = await s3.head_object(Bucket="bkt", Key="k")
    assert r.object_lock_event_hold == "ON"
    assert r.object_lock_event_hold_duration_days == 30
    assert r.object_lock_event_hold_duration_years == 1
    d = r.to_dict()
    assert d["ObjectLockEventHold"] == "ON"
    assert d["ObjectLockEventHoldDurationDays"] == 30
    assert d["ObjectLockEventHoldDurationYears"] == 1


def _ours_and_botocores(headers: dict[str, str]) -> tuple[dict[str, object], dict[str, object]]:
    proxy = CIMultiDictProxy(CIMultiDict(headers))
    ours = head_object(200, proxy, b"", metadata(200, proxy, 0)).to_dict()
    model = botocore.session.get_session().get_service_model("s3")
    theirs = create_parser("rest-xml").parse(
        {"status_code": 200, "headers": headers, "body": b""},
        model.operation_model("HeadObject").output_shape,
    )
    return ours, theirs


@needs_botocore_with_event_holds
def test_head_object_parses_them_as_botocore_does() -> None:
    ours, theirs = _ours_and_botocores(
        {**HEADERS, "x-amz-object-lock-event-hold-duration-years": "3"}
    )
    keys = {k for k in theirs if k.startswith("ObjectLockEventHold")}
    assert keys == {
        "ObjectLockEventHold",
        "ObjectLockEventHoldDurationDays",
        "ObjectLockEventHoldDurationYears",
    }
    assert {k: ours[k] for k in keys} == {k: theirs[k] for k in keys}


def test_an_unreadable_duration_is_a_typed_error() -> None:
    proxy = CIMultiDictProxy(CIMultiDict({"x-amz-object-lock-event-hold-duration-days": "soon"}))
    with pytest.raises(ResponseParseError, match="x-amz-object-lock-event-hold-duration-days"):
        head_object(200, proxy, b"", metadata(200, proxy, 0))
