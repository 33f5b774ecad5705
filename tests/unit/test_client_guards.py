"""Guards around the client's lifecycle: a closed client stays closed, a client stays on
its event loop, its repr shows no password, and a body of the wrong type is a
`ParamValidationError`, not a connection error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import aios3
from aios3.testing import MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDGUARD", "aws_secret_access_key": "s3cr3t"}


def mocked(**kwargs: Any) -> tuple[aios3.S3Client, MockTransport]:
    t = MockTransport(lambda r: MockResponse(204))
    s3 = aios3.S3Client(
        endpoint_url="http://127.0.0.1:1", region_name="us-east-1", transport=t, **CREDS, **kwargs
    )
    return s3, t


# ---------------------------------------------------------------- a closed client


async def test_async_with_on_a_closed_client_raises_at_enter() -> None:
    s3, t = mocked()
    async with s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    entered = False
    with pytest.raises(aios3.Aios3Error, match="closed"):
        async with s3:
            entered = True
    assert not entered
    assert len(t.requests) == 1


async def test_async_with_on_a_client_closed_before_use_raises_at_enter() -> None:
    s3, t = mocked()
    await s3.close()
    with pytest.raises(aios3.Aios3Error, match="closed"):
        await asyncio.wait_for(s3.__aenter__(), 5)
    assert t.requests == []


# ---------------------------------------------------------------- repr


@pytest.mark.parametrize(
    "url",
    ["http://AKIDUSER:hunter2@127.0.0.1:9000", "http://AKIDUSER:hunter2@127.0.0.1:9000/base"],
)
async def test_repr_hides_the_userinfo_of_the_endpoint_url(url: str) -> None:
    s3 = aios3.S3Client(
        endpoint_url=url,
        region_name="us-east-1",
        transport=MockTransport(lambda r: MockResponse(204)),
        **CREDS,
    )
    async with s3:
        text = repr(s3)
    assert "hunter2" not in text
    assert "AKIDUSER" not in text
    assert "***@127.0.0.1:9000" in text
