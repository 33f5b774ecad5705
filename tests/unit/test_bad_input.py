"""Bad input found by a hostile run (issue 7): each case raises `ParamValidationError`
naming what is wrong, and nothing reaches the server."""

from __future__ import annotations

from typing import Any

import pytest

import aios3
from aios3.errors import ParamValidationError
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKID", "aws_secret_access_key": "SK"}


def _never(request: MockRequest) -> MockResponse:
    raise AssertionError(f"nothing should be sent, got {request!r}")


def client(t: MockTransport, **kwargs: Any) -> aios3.S3Client:
    kwargs.setdefault("region_name", "us-east-1")
    kwargs.setdefault("endpoint_url", "http://127.0.0.1:9000")
    return aios3.S3Client(**CREDS, **kwargs, transport=t)


@pytest.mark.parametrize(
    ("multipart_upload", "named"),
    [
        ({"Part": [{"PartNumber": 1, "ETag": '"e"'}]}, "Part"),
        ({"Parts": [{"PartNumber": 1, "Etag": '"e"'}]}, "Etag"),
        ({"Parts": [{"PartNumber": 1, "ETag": '"e"', "Size": 5}]}, "Size"),
    ],
)
async def test_unknown_keys_inside_multipart_upload_are_refused(
    multipart_upload: dict[str, Any], named: str
) -> None:
    # they were dropped: {"Part": [...]} sent an empty <CompleteMultipartUpload/>
    t = MockTransport(_never)
    async with client(t) as s3:
        with pytest.raises(ParamValidationError, match=named) as info:
            await s3.complete_multipart_upload(
                Bucket="b", Key="k", UploadId="u", MultipartUpload=multipart_upload
            )
    assert any(named in p for p in info.value.errors)
    assert t.requests == []
