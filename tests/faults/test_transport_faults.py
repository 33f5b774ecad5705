"""Faults below HTTP, on real sockets: resets, a server that stops reading the body, TLS
certificates. Each test asserts what the caller sees and how many requests reached the
server, and is bounded in time."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
from aios3.retries import StandardRetryStrategy
from tests._capture import CaptureServer, Reply
from tests.faults._raw import RawServer, reads_bodies
from tests.faults._server import FaultServer, ResetBeforeHeaders, TLSServer, certificates

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDFAULT", "aws_secret_access_key": "f-secret"}
BOUND = 20.0  # seconds: no test here may take longer, whatever the code under test does


async def _no_sleep(delay: float) -> None:
    return None


def local(url: str, **config: Any) -> aios3.S3Client:
    config.setdefault("connect_timeout", 5)
    config.setdefault("read_timeout", 5)
    return aios3.S3Client(
        endpoint_url=url, region_name="us-east-1", config=aios3.Config(**config), **CREDS
    )


Call = Callable[[aios3.S3Client], Awaitable[object]]
CALLS: dict[str, tuple[str, Call]] = {
    "GET list_parts": ("GET", lambda s3: s3.list_parts(Bucket="b", Key="k", UploadId="u")),
    "HEAD head_object": ("HEAD", lambda s3: s3.head_object(Bucket="b", Key="k")),
    "DELETE abort": (
        "DELETE",
        lambda s3: s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"),
    ),
    "PUT upload_part": (
        "PUT",
        lambda s3: s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"x"),
    ),
}


@pytest.mark.parametrize("attempts", [1, 3])
@pytest.mark.parametrize("name", list(CALLS))
async def test_exactly_max_attempts_requests_reach_the_wire(name: str, attempts: int) -> None:
    # aiohttp sends an idempotent request a second time on its own after a reset: the
    # server got 2 requests for max_attempts=1 and 6 for 3
    method, call = CALLS[name]
    strategy = StandardRetryStrategy(attempts, sleep=_no_sleep)
    async with (
        FaultServer([ResetBeforeHeaders()]) as srv,
        local(srv.url, retry_strategy=strategy) as s3,
    ):
        with pytest.raises(aios3.errors.EndpointConnectionError) as caught:
            await asyncio.wait_for(call(s3), BOUND)
    assert srv.requests == [method] * attempts
    assert "127.0.0.1" in str(caught.value)
    assert "_NotResent" not in str(caught.value)


async def test_exactly_max_attempts_without_aiohttp_resend_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # an aiohttp without the session's private resend switch: every request then goes
    # through the _sent_once middleware, which keeps aiohttp from sending it again
    import aios3._transport as transport_module

    monkeypatch.setattr(transport_module, "_RESEND_SWITCH", False)
    monkeypatch.setattr(transport_module, "_DIRECT_SUPPORTED", False)  # the session's path
    method, call = CALLS["DELETE abort"]
    strategy = StandardRetryStrategy(1, sleep=_no_sleep)
    async with (
        FaultServer([ResetBeforeHeaders()]) as srv,
        local(srv.url, retry_strategy=strategy) as s3,
    ):
        with pytest.raises(aios3.errors.EndpointConnectionError) as caught:
            await asyncio.wait_for(call(s3), BOUND)
    assert srv.requests == [method]
    assert "_NotResent" not in str(caught.value)


async def test_aiohttp_adds_no_content_type() -> None:
    # aiohttp adds Content-Type: application/octet-stream to a body and to any PUT or POST
    # (S3 would store it as the object's type); a Content-Type the caller gives is sent
    transport = aios3.AiohttpTransport()
    sends = [
        ("PUT", None, {}),
        ("PUT", b"part", {}),
        ("POST", None, {}),
        ("POST", b"<xml/>", {}),
        ("DELETE", None, {}),
        ("GET", None, {}),
        ("PUT", b"typed", {"Content-Type": "text/plain"}),
        ("put", None, {}),  # a lower-case method, as a caller of Transport.send may give
        ("post", None, {}),
    ]
    try:
        async with CaptureServer(lambda c: Reply(200)) as srv:
            for method, body, extra in sends:
                headers = CIMultiDict({"Host": f"127.0.0.1:{srv.port}", **extra})
                raw = await transport.send(method, URL(srv.url + "/b/k"), headers, body)
                assert raw.status == 200
    finally:
        await transport.close()
    seen = [(c.method, {k.lower(): v for k, v in c.headers.items()}) for c in srv.requests]
    assert [m for m, _ in seen] == [m.upper() for m, _, _ in sends]
    for (method, headers), (_, body, extra) in zip(seen, sends, strict=True):
        assert headers.get("content-type") == extra.get("Content-Type"), (method, body)
        assert headers.get("accept-encoding") == "identity"


# ---------------------------------------------------------------- a server that stops reading


class StallingServer:
    """Accepts, reads the first `read_first` bytes of each connection, then reads `then`
    bytes every `every` seconds (`then=0`: never again), and never answers."""

    def __init__(self, read_first: int = 1024, then: int = 0, every: float = 0.1) -> None:
        self.read_first, self.then, self.every = read_first, then, every
        self.connections = 0
        self.received = 0
        self._release = asyncio.Event()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    async def __aenter__(self) -> StallingServer:
        limit = max(self.read_first, self.then, 1 << 16)  # a read may return that much
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, limit=limit)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._release.set()
        for w in self._writers:
            w.close()
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            self.received += len(await reader.read(self.read_first))
            while self.then:
                chunk = await reader.read(self.then)
                if not chunk:
                    return
                self.received += len(chunk)
                await asyncio.sleep(self.every)
            await self._release.wait()
        except ConnectionError:
            pass


async def test_an_upload_the_server_stops_reading_raises_write_timeout() -> None:
    # the repro: 32 MiB to a server that reads 1 KiB; it hung forever
    async with (
        StallingServer() as srv,
        local(srv.url, read_timeout=1, connect_timeout=1, max_attempts=1) as s3,
    ):
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(aios3.errors.WriteTimeoutError) as caught:
            await asyncio.wait_for(
                s3.upload_part(
                    Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"x" * (32 << 20)
                ),
                BOUND,
            )
        took = loop.time() - started
    assert isinstance(caught.value, aios3.errors.ReadTimeoutError)  # a timeout, retryable
    assert "read_timeout" in str(caught.value)
    assert 1.0 <= took < 6.0
    assert srv.connections == 1


async def test_a_stalled_upload_is_retried_as_a_timeout() -> None:
    strategy = StandardRetryStrategy(2, sleep=_no_sleep)
    async with (
        StallingServer() as srv,
        local(srv.url, read_timeout=0.5, retry_strategy=strategy) as s3,
    ):
        with pytest.raises(aios3.errors.WriteTimeoutError):
            await asyncio.wait_for(
                s3.upload_part(
                    Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"x" * (32 << 20)
                ),
                BOUND,
            )
    assert srv.connections == 2


async def test_a_streamed_upload_the_server_stops_reading_raises_write_timeout() -> None:
    size = 32 << 20

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(size >> 20):
            yield b"y" * (1 << 20)

    async with (
        StallingServer() as srv,
        local(srv.url, read_timeout=0.5, max_attempts=1) as s3,
    ):
        with pytest.raises(aios3.errors.WriteTimeoutError):
            await asyncio.wait_for(
                s3.upload_part(
                    Bucket="b",
                    Key="k",
                    UploadId="u",
                    PartNumber=1,
                    Body=chunks(),
                    ContentLength=size,
                ),
                BOUND,
            )


async def test_a_slow_reader_that_keeps_reading_is_no_write_timeout() -> None:
    # progress, not a deadline for the whole body: 24 MiB at about 10 MiB/s takes longer
    # than read_timeout, but the server never stops reading for that long
    async with (
        StallingServer(read_first=1 << 20, then=1 << 20, every=0.1) as srv,
        local(srv.url, read_timeout=1, max_attempts=1) as s3,
    ):
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(aios3.errors.ReadTimeoutError) as caught:
            await asyncio.wait_for(
                s3.upload_part(
                    Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"z" * (24 << 20)
                ),
                BOUND,
            )
        took = loop.time() - started
    # the whole body went out; then the server did not answer: a read timeout
    assert not isinstance(caught.value, aios3.errors.WriteTimeoutError)
    for _ in range(50):  # the last MiB may still sit in socket buffers on a loaded machine
        if srv.received >= 24 << 20:
            break
        await asyncio.sleep(0.1)
    assert srv.received >= 24 << 20
    assert took > 2  # the upload itself took longer than read_timeout


async def test_the_time_a_streamed_body_takes_to_produce_is_not_a_write_timeout() -> None:
    async def slow_chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            await asyncio.sleep(0.5)  # longer than read_timeout, between chunks
            yield b"s" * (64 << 10)

    async with (
        CaptureServer(lambda c: Reply(200, {"ETag": '"e"'})) as srv,
        # "when_required": a plain body (the capture server decodes no aws-chunked one)
        local(
            srv.url, read_timeout=0.3, max_attempts=1, request_checksum_calculation="when_required"
        ) as s3,
    ):
        r = await asyncio.wait_for(
            s3.upload_part(
                Bucket="b",
                Key="k",
                UploadId="u",
                PartNumber=1,
                Body=slow_chunks(),
                ContentLength=3 * (64 << 10),
            ),
            BOUND,
        )
    assert r.etag == '"e"'
    assert srv.requests[0].body == b"s" * (3 * (64 << 10))


@pytest.mark.parametrize("checksums", ["when_supported", "when_required"])
async def test_an_error_of_the_callers_body_iterator_reaches_the_caller_unchanged(
    checksums: str,
) -> None:
    """Raised while the body is sent (aiohttp wraps it in a connection error): the caller
    gets their own exception, not a retryable `EndpointConnectionError`, nothing is sent
    again, no aiohttp error rides on it, and the client goes on."""
    failure = ValueError("the caller's chunk source broke")

    async def chunks() -> AsyncIterator[bytes]:
        yield b"a" * (64 << 10)
        raise failure

    async with (
        RawServer(reads_bodies) as srv,
        local(srv.url, max_attempts=3, request_checksum_calculation=checksums) as s3,
    ):
        with pytest.raises(ValueError) as caught:
            await asyncio.wait_for(
                s3.upload_part(
                    Bucket="b",
                    Key="k",
                    UploadId="u",
                    PartNumber=1,
                    Body=chunks(),
                    ContentLength=128 << 10,
                ),
                BOUND,
            )
        assert caught.value is failure
        seen: BaseException | None = caught.value
        while seen is not None:  # nothing of aiohttp's (its errors hold request_info)
            assert not type(seen).__module__.startswith("aiohttp"), repr(seen)
            seen = seen.__cause__ or seen.__context__
        assert srv.connections == 1  # not retried
        r = await asyncio.wait_for(
            s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), BOUND
        )
        assert r.response_metadata.http_status_code == 204
        assert srv.connections == 2


# ---------------------------------------------------------------- TLS certificates


async def test_an_untrusted_certificate_is_its_own_error_and_is_not_retried(
    tmp_path: Path,
) -> None:
    # it was an EndpointConnectionError, retried: 4 more handshakes, 5.5 s
    _, cert, key = certificates(tmp_path)
    strategy = StandardRetryStrategy(5, sleep=_no_sleep)
    async with TLSServer(cert, key) as srv, local(srv.url, retry_strategy=strategy) as s3:
        with pytest.raises(aios3.errors.SSLCertVerificationError) as caught:
            await asyncio.wait_for(
                s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), BOUND
            )
    assert srv.connections == 1
    assert "TLS certificate verification failed" in str(caught.value)
    assert "verify=" in str(caught.value)
    assert isinstance(caught.value, aios3.errors.EndpointConnectionError)
    assert aios3.retries.classify(caught.value).kind is None


# Python 3.10's asyncio reports an SSL transport that aiohttp closed without waiting for the
# TLS shutdown as "unclosed" when it is collected (fixed in 3.11's SSL protocol)
@pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning" if sys.version_info < (3, 11) else "error"
)
async def test_the_same_server_is_reached_once_its_ca_is_trusted(tmp_path: Path) -> None:
    ca, cert, key = certificates(tmp_path)
    async with TLSServer(cert, key) as srv, local(srv.url, verify=str(ca)) as s3:
        r = await asyncio.wait_for(
            s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), BOUND
        )
    assert r.response_metadata.http_status_code == 204
    if sys.version_info < (3, 11):
        # collect the transport here, so that its warning falls within this test's filter
        # and not on whichever test the garbage collector happens to run in next
        await asyncio.sleep(0)
        gc.collect()
