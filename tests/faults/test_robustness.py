"""Regressions from a review: cancellation, file bodies, redirects, malformed answers,
SSE-C keys, checksums, proxies and odd input all end as aios3 behaves by design."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import threading
from typing import Any

import pytest

import aios3
from aios3._auth import CredentialCache, ExpressSessions, FrozenCredentials, Signer
from aios3.retries import StandardRetryStrategy
from aios3.testing import MockResponse, MockTransport
from tests._capture import Captured, CaptureServer, Reply
from tests._clock import FakeClock

SECRET = "robust-SECRET-key"
CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDROBUST", "aws_secret_access_key": SECRET}


def local(url: str, **config: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=url, region_name="us-east-1", config=aios3.Config(**config), **CREDS
    )


async def test_cancelling_the_first_call_leaves_a_working_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the setup thread is held while the first call is cancelled, and has finished (its
    # result thrown away) before the second call starts
    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    setup = aios3.S3Client._setup_blocking

    def held(self: aios3.S3Client) -> Any:
        entered.set()
        try:
            release.wait(10)
            return setup(self)
        finally:
            finished.set()

    monkeypatch.setattr(aios3.S3Client, "_setup_blocking", held)
    async with CaptureServer() as srv:
        s3 = local(srv.url)
        task = asyncio.ensure_future(s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"))
        assert await asyncio.to_thread(entered.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        assert await asyncio.to_thread(finished.wait, 10)
        entered.clear()
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        assert entered.is_set()  # set up again: the cancelled call left nothing half-done
        await s3.close()
    assert r.response_metadata.http_status_code == 204
    assert len(srv.requests) == 1


async def test_file_body_is_rewound_on_retry_and_left_open() -> None:
    sleeps: list[float] = []

    async def no_sleep(delay: float) -> None:
        sleeps.append(delay)

    strategy = StandardRetryStrategy(3, sleep=no_sleep)
    answers = [Reply(503), Reply(200, {"ETag": '"e"'})]
    async with CaptureServer(lambda c: answers.pop(0)) as srv:
        f = io.BytesIO(b"prefix-" + b"0123456789")
        f.seek(7)
        async with local(srv.url, retry_strategy=strategy) as s3:
            r = await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=f)
            assert r.etag == '"e"'
            assert not f.closed
            # the same open file serves a second part
            f.seek(7)
            answers.append(Reply(200, {"ETag": '"f"'}))
            await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=2, Body=f)
    assert [c.body for c in srv.requests] == [b"0123456789"] * 3
    assert not f.closed
    assert len(sleeps) == 1


async def test_any_reader_with_content_length_is_streamed() -> None:
    class Reader:
        def __init__(self) -> None:
            self.data = io.BytesIO(b"x" * 100)

        def read(self, size: int = -1, /) -> bytes:
            return self.data.read(size)

    # "when_required": the plain Content-Length body (a reader that cannot be rewound would
    # get an aws-chunked trailer, which the capture server does not decode)
    async with (
        CaptureServer(lambda c: Reply(200, {"ETag": '"e"'})) as srv,
        local(srv.url, max_attempts=1, request_checksum_calculation="when_required") as s3,
    ):
        await s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=Reader(), ContentLength=100
        )
        with pytest.raises(aios3.ParamValidationError, match="ContentLength"):
            await s3.upload_part(
                Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=Reader(), ContentLength=200
            )
    assert srv.requests[0].body == b"x" * 100


async def test_redirects_are_not_followed() -> None:
    async with CaptureServer() as other:
        body = (
            b"<Error><Code>TemporaryRedirect</Code><Message>Please re-send</Message>"
            b"<Endpoint>elsewhere</Endpoint></Error>"
        )
        async with (
            CaptureServer(lambda c: Reply(307, {"Location": other.url + "/b/k"}, body)) as srv,
            local(srv.url, max_attempts=3) as s3,
        ):
            with pytest.raises(aios3.ClientError) as info:
                await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert (info.value.code, info.value.status_code) == ("TemporaryRedirect", 307)
    assert other.requests == []
    assert len(srv.requests) == 1


async def test_asks_for_identity_encoding() -> None:
    async with CaptureServer() as srv, local(srv.url) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert srv.requests[0].headers["accept-encoding"] == "identity"
    assert "accept-encoding" not in srv.requests[0].headers["authorization"]


async def test_malformed_http_answer_is_typed_and_leaks_nothing() -> None:
    async def bad(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(bad, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with aios3.S3Client(
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_session_token="SESSION-TOKEN-VALUE",
            config=aios3.Config(max_attempts=1),
            **CREDS,
        ) as s3:
            with pytest.raises(
                aios3.errors.ResponseParseError, match="malformed HTTP answer"
            ) as info:
                await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    finally:
        server.close()
        await server.wait_closed()
    e: BaseException | None = info.value
    while e is not None:
        text = repr(e) + str(e) + repr(getattr(e, "request_info", ""))
        assert "SESSION-TOKEN-VALUE" not in text and SECRET not in text
        e = e.__cause__ or e.__context__


async def test_sse_customer_key_is_sent_as_botocore_sends_it() -> None:
    key = "0123456789abcdef0123456789abcdef"
    t = MockTransport(
        lambda r: MockResponse(
            200,
            body=b"<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>",
        )
    )
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        await s3.create_multipart_upload(
            Bucket="b", Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=key
        )
        await s3.create_multipart_upload(
            Bucket="b", Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=key.encode()
        )
    for headers in (r.headers for r in t.requests):
        assert (
            headers["x-amz-server-side-encryption-customer-key"]
            == base64.b64encode(key.encode()).decode()
        )
        assert (
            headers["x-amz-server-side-encryption-customer-key-MD5"]
            == base64.b64encode(hashlib.md5(key.encode()).digest()).decode()
        )


async def test_checksum_algorithm_computes_the_checksum() -> None:
    # AWS is https: the checksum goes in the aws-chunked trailer, as botocore sends it, for
    # bytes and file bodies alike
    t = MockTransport(lambda r: MockResponse(200))
    data = b"hello checksum"
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        await s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=data, ChecksumAlgorithm="SHA256"
        )
        await s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=data, ChecksumAlgorithm="CRC32"
        )
        await s3.upload_part(
            Bucket="b",
            Key="k",
            UploadId="u",
            PartNumber=1,
            Body=io.BytesIO(data),
            ChecksumAlgorithm="SHA1",
        )
    import zlib

    def b64(digest: bytes) -> str:
        return base64.b64encode(digest).decode()

    expected = [
        ("SHA256", b64(hashlib.sha256(data).digest())),
        ("CRC32", b64(zlib.crc32(data).to_bytes(4, "big"))),
        ("SHA1", b64(hashlib.sha1(data).digest())),
    ]
    assert len(t.requests) == 3
    for req, (algorithm, value) in zip(t.requests, expected, strict=True):
        name = "x-amz-checksum-" + algorithm.lower()
        assert req.headers["x-amz-sdk-checksum-algorithm"] == algorithm
        assert req.headers["x-amz-trailer"] == name
        assert req.body == b"e\r\n" + data + b"\r\n0\r\n" + f"{name}:{value}".encode() + b"\r\n\r\n"


async def test_empty_and_bad_numbers_in_listings() -> None:
    bodies = [
        b"<ListMultipartUploadsResult><MaxUploads/><IsTruncated>false</IsTruncated>"
        b"<KeyMarker></KeyMarker></ListMultipartUploadsResult>",
        b"<ListPartsResult><MaxParts>1k</MaxParts></ListPartsResult>",
    ]
    t = MockTransport(lambda r: MockResponse(200, body=bodies.pop(0)))
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        r = await s3.list_multipart_uploads(Bucket="b")
        assert (r.max_uploads, r.key_marker) == (None, "")
        with pytest.raises(aios3.errors.ResponseParseError, match="MaxParts"):
            await s3.list_parts(Bucket="b", Key="k", UploadId="u")


async def test_snake_case_paginator_parameters() -> None:
    pages = [
        b"<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>1"
        b"</NextPartNumberMarker><Part><PartNumber>1</PartNumber></Part></ListPartsResult>",
        b"<ListPartsResult><IsTruncated>false</IsTruncated>"
        b"<Part><PartNumber>2</PartNumber></Part></ListPartsResult>",
    ]

    def reply(c: Captured) -> Reply:
        return Reply(200, {}, pages.pop(0))

    async with CaptureServer(reply) as srv, local(srv.url) as s3:
        numbers = [
            p.part_number
            async for p in s3.iter_parts(bucket="b", key="k", upload_id="u", max_parts=1)  # type: ignore[call-arg]
        ]
    assert numbers == [1, 2]
    assert "part-number-marker=1" in srv.requests[1].target


async def test_late_expired_answer_does_not_drop_the_fresh_session() -> None:
    n = 0

    async def fetch(bucket: str, base: Signer) -> tuple[FrozenCredentials, float]:
        nonlocal n
        n += 1
        return FrozenCredentials(f"S{n}", "s", "t"), dt.datetime.now().timestamp() + 300

    base = Signer(FrozenCredentials("AK", "SK"))
    sessions = ExpressSessions(fetch)
    old = await sessions.signer("b--x-s3", base)
    sessions.invalidate("b--x-s3", base, old)
    fresh = await sessions.signer("b--x-s3", base)
    sessions.invalidate("b--x-s3", base, old)  # a late ExpiredToken for the old session
    assert await sessions.signer("b--x-s3", base) is fresh
    assert n == 2


async def test_cancelled_credential_refresh_does_not_keep_expired_keys() -> None:
    from botocore.credentials import ReadOnlyCredentials

    calls = 0
    clock = FakeClock()
    entered, release = threading.Event(), threading.Event()
    release.set()

    class Slow:
        _expiry_time = dt.datetime.fromtimestamp(clock.now + 3600, dt.timezone.utc)

        def get_frozen_credentials(self) -> Any:
            nonlocal calls
            calls += 1
            entered.set()
            release.wait(10)
            return ReadOnlyCredentials(f"AK{calls}", "SK", None)

    cache = CredentialCache(loader=lambda: Slow(), clock=clock)  # type: ignore[arg-type, return-value]
    first = await cache.signer()
    clock.advance(3600)  # expired
    entered.clear()
    release.clear()
    task = asyncio.ensure_future(cache.signer())
    assert await asyncio.to_thread(entered.wait, 10)  # the refresh runs in its thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cache._signer is first  # nothing installed by the cancelled refresh
    release.set()
    again = await cache.signer()
    assert again is not first and again.access_key == "AK3"
    assert calls == 3


async def test_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with CaptureServer() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with local("http://s3.example.invalid:9000") as s3:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert proxy.requests[0].target == "http://s3.example.invalid:9000/b/k?uploadId=u"


async def test_bad_environment_is_typed(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "c"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "k"))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "three")
    with pytest.raises(aios3.ParamValidationError, match="max_attempts"):
        async with aios3.S3Client(**CREDS):
            pass
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKPARTIAL")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    async with aios3.S3Client(transport=MockTransport(lambda r: MockResponse(204))) as s3:
        with pytest.raises(aios3.NoCredentialsError):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


async def test_header_injection_is_refused_before_sending() -> None:
    t = MockTransport(lambda r: MockResponse(200))
    async with aios3.S3Client(region_name="us-east-1", transport=t, **CREDS) as s3:
        with pytest.raises(aios3.ParamValidationError, match="x-amz-meta-a"):
            await s3.create_multipart_upload(Bucket="b", Key="k", Metadata={"a": "x\r\nX-Evil: 1"})
        with pytest.raises(aios3.ParamValidationError, match="Content-Type"):
            await s3.create_multipart_upload(Bucket="b", Key="k", ContentType="a\nb")
    assert t.requests == []


async def test_typed_memoryview_counts_bytes() -> None:
    t = MockTransport(lambda r: MockResponse(200))
    import array

    view = memoryview(array.array("i", [1, 2, 3]))
    plain = aios3.Config(request_checksum_calculation="when_required")  # no aws-chunked body
    async with aios3.S3Client(region_name="us-east-1", transport=t, config=plain, **CREDS) as s3:
        await s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=view, ContentLength=12
        )
        strided = memoryview(b"abcdef")[::2]
        await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=strided)
    assert t.requests[0].body == view.tobytes()
    assert t.requests[1].body == b"ace"
