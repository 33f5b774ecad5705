"""Multi-region access points: SigV4a through botocore's CRT signer (the aios3[crt] extra)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import aios3
from aios3.testing import MockResponse, MockTransport

MRAP = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"
CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDMRAP", "aws_secret_access_key": "mrap-secret"}


async def test_mrap_abort_is_signed_with_sigv4a() -> None:
    pytest.importorskip("awscrt")
    t = MockTransport(lambda r: MockResponse(204))
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        ep = await s3.resolve_endpoint(MRAP)
        await s3.abort_multipart_upload(Bucket=MRAP, Key="k", UploadId="u")
    assert ep.auth_scheme == "sigv4a"
    r = t.requests[0]
    method, url, headers = r.method, r.url, r.headers
    assert (method, str(url)) == (
        "DELETE",
        "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k?uploadId=u",
    )
    auth = headers["Authorization"]
    assert auth.startswith("AWS4-ECDSA-P256-SHA256 Credential=AKIDMRAP/")
    assert "/s3/aws4_request" in auth
    assert headers["X-Amz-Region-Set"] == "*"
    assert "mrap-secret" not in str(dict(headers))


async def test_without_awscrt_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    t = MockTransport(lambda r: MockResponse(204))
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        monkeypatch.setitem(sys.modules, "awscrt", None)  # as if aios3[crt] were not installed
        with pytest.raises(aios3.errors.MissingDependencyError, match=r"aios3\[crt\]"):
            await s3.abort_multipart_upload(Bucket=MRAP, Key="k", UploadId="u")
    assert t.requests == []


async def test_mrap_disabled_is_an_endpoint_error() -> None:
    async with aios3.S3Client(
        region_name="us-east-1",
        config=aios3.Config(disable_multiregion_access_points=True),
        **CREDS,
    ) as s3:
        with pytest.raises(aios3.EndpointResolutionError, match="disabled"):
            await s3.abort_multipart_upload(Bucket=MRAP, Key="k", UploadId="u")
