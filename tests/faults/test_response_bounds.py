"""What an answer may cost (issue 7): deep nesting and oversized bodies end as
`ResponseParseError`, sent once and never retried."""

from __future__ import annotations

from typing import Any

import pytest

import aios3
from aios3.errors import ParamValidationError, ResponseParseError
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDBOUND", "aws_secret_access_key": "bound-sk"}
MiB = 1 << 20


def client(transport: aios3.Transport, **config: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        transport=transport,
        config=aios3.Config(**config),
        **CREDS,
    )


def _nested(depth: int) -> bytes:
    return b"<a>" * depth + b"x" + b"</a>" * depth


async def test_deeply_nested_part_is_a_parse_error_not_a_recursion_error() -> None:
    # 7 KB: 1000 nested elements inside <Part> raised a bare RecursionError
    body = (
        b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
        b"<Part><PartNumber>1</PartNumber>" + _nested(1000) + b"</Part></ListPartsResult>"
    )
    assert len(body) < 8000
    t = MockTransport(lambda r: MockResponse(200, body=body))
    async with client(t, max_attempts=3) as s3:
        with pytest.raises(ResponseParseError, match="nested") as info:
            await s3.list_parts(Bucket="b", Key="k", UploadId="u")
    assert info.value.status_code == 200
    assert len(t.requests) == 1  # not retried


async def test_deeply_nested_upload_is_a_parse_error() -> None:
    body = (
        b"<ListMultipartUploadsResult><Bucket>b</Bucket><Upload><Key>k</Key>"
        + _nested(5000)
        + b"</Upload></ListMultipartUploadsResult>"
    )
    t = MockTransport(lambda r: MockResponse(200, body=body))
    async with client(t) as s3:
        with pytest.raises(ResponseParseError, match="nested"):
            await s3.list_multipart_uploads(Bucket="b")


def _uploads(count: int) -> bytes:
    one = (
        b"<Upload><Key>some/key/of/a/reasonable/length</Key><UploadId>"
        + b"u" * 64
        + b"</UploadId><Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload>"
    )
    return (
        b"<ListMultipartUploadsResult><Bucket>b</Bucket>"
        + one * count
        + b"<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
    )


async def test_an_answer_over_max_response_bytes_is_refused_unparsed() -> None:
    body = _uploads(120_000)  # about 17 MiB
    assert len(body) > 16 * MiB
    t = MockTransport(lambda r: MockResponse(200, body=body))
    async with client(t, max_attempts=3) as s3:
        with pytest.raises(ResponseParseError, match="max_response_bytes") as info:
            await s3.list_multipart_uploads(Bucket="b")
    assert info.value.status_code == 200
    assert len(t.requests) == 1  # not retried: the same answer would come back


async def test_an_error_answer_over_max_response_bytes_is_refused_too() -> None:
    body = b"<Error><Code>SlowDown</Code><Message>" + b"m" * 2048 + b"</Message></Error>"
    t = MockTransport(lambda r: MockResponse(503, body=body))
    async with client(t, max_response_bytes=1024, max_attempts=3) as s3:
        with pytest.raises(ResponseParseError, match="max_response_bytes"):
            await s3.list_multipart_uploads(Bucket="b")
    assert len(t.requests) == 1


async def test_max_response_bytes_can_be_raised_and_turned_off() -> None:
    body = _uploads(2000)
    seen: list[MockRequest] = []

    def answer(r: MockRequest) -> MockResponse:
        seen.append(r)
        return MockResponse(200, body=body)

    async with client(MockTransport(answer), max_response_bytes=len(body)) as s3:
        assert len((await s3.list_multipart_uploads(Bucket="b")).uploads) == 2000
    async with client(MockTransport(answer), max_response_bytes=None) as s3:
        assert len((await s3.list_multipart_uploads(Bucket="b")).uploads) == 2000
    async with client(MockTransport(answer), max_response_bytes=len(body) - 1) as s3:
        with pytest.raises(ResponseParseError, match="max_response_bytes"):
            await s3.list_multipart_uploads(Bucket="b")


@pytest.mark.parametrize("value", [0, -1, 1.5, "big", True])
def test_max_response_bytes_must_be_a_positive_whole_number(value: object) -> None:
    with pytest.raises(ParamValidationError, match="max_response_bytes"):
        aios3.Config(max_response_bytes=value)  # type: ignore[arg-type]
