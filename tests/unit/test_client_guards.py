"""Guards around the client's lifecycle: a closed client stays closed, a client stays on
its event loop, its repr shows no password, and a body of the wrong type is a
`ParamValidationError`, not a connection error."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

import pytest

import aios3
from aios3.testing import MockResponse, MockTransport
from tests._capture import CaptureServer, Reply

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
async def test_an_endpoint_url_with_userinfo_is_refused_without_echoing_it(url: str) -> None:
    # userinfo in an endpoint URL would make aiohttp replace the SigV4 signature with Basic
    # auth, so it is refused when the client is built; neither the error nor a repr shows it
    with pytest.raises(aios3.ParamValidationError) as info:
        aios3.S3Client(
            endpoint_url=url,
            region_name="us-east-1",
            transport=MockTransport(lambda r: MockResponse(204)),
            **CREDS,
        )
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(info.value)


# ---------------------------------------------------------------- one event loop per client


def _run(coro: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run` without touching the thread's current event loop: on Python 3.10,
    `asyncio.run` sets it to None and pytest-asyncio's loop then leaks its socket pair."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(coro)
    finally:
        loop.close()


class _Answer204(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_DELETE(self) -> None:
        self.send_response(204)
        self.send_header("x-amz-request-id", "r")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def threaded_server() -> Iterator[str]:
    """A server on its own thread, so that it outlives the event loops of a test."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer204)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_client_used_from_a_second_event_loop_says_so(threaded_server: str) -> None:
    s3 = aios3.S3Client(endpoint_url=threaded_server, region_name="us-east-1", **CREDS)

    async def abort() -> None:
        await asyncio.wait_for(s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), 10)

    async def enter() -> None:
        await asyncio.wait_for(s3.__aenter__(), 10)

    async def close() -> None:
        await asyncio.wait_for(s3.close(), 10)

    first = asyncio.new_event_loop()
    try:
        first.run_until_complete(abort())  # the client belongs to this loop now
        for second_use in (abort, enter, close):
            with pytest.raises(aios3.Aios3Error, match="another event loop"):
                _run(second_use())
        with pytest.raises(aios3.Aios3Error, match="closed"):  # close() above closed it
            first.run_until_complete(abort())
        first.run_until_complete(close())  # its own loop releases the pool
        _run(close())  # and then a close() from elsewhere has nothing to do
    finally:
        first.close()


def test_a_client_used_from_a_loop_in_another_thread_raises_at_once(
    threaded_server: str,
) -> None:
    # the first loop is still running (in another thread): the second call must neither hang
    # nor touch the first loop's connections
    s3 = aios3.S3Client(endpoint_url=threaded_server, region_name="us-east-1", **CREDS)
    first = asyncio.new_event_loop()
    thread = threading.Thread(target=first.run_forever, daemon=True)
    thread.start()
    try:
        call = s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        asyncio.run_coroutine_threadsafe(call, first).result(10)

        async def from_here() -> None:
            await asyncio.wait_for(s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), 5)

        with pytest.raises(aios3.Aios3Error, match="another event loop"):
            _run(from_here())
        asyncio.run_coroutine_threadsafe(s3.close(), first).result(10)
    finally:
        first.call_soon_threadsafe(first.stop)
        thread.join(10)
        first.close()


async def test_a_client_works_on_its_own_loop_across_calls_and_tasks() -> None:
    s3, t = mocked()
    async with s3:
        await asyncio.gather(
            *(s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u") for _ in range(5))
        )
    assert len(t.requests) == 5


# ---------------------------------------------------------------- body chunks of the wrong type


async def _yielding(*chunks: object) -> AsyncIterator[Any]:
    for chunk in chunks:
        yield chunk


@pytest.mark.parametrize("bad", ["text", 7, None], ids=["str", "int", "None"])
async def test_an_async_iterable_body_yielding_no_bytes_is_a_param_error(bad: object) -> None:
    # a str chunk was an EndpointConnectionError ("could not connect")
    async with CaptureServer(lambda c: Reply(200, {"ETag": '"e"'})) as srv:
        s3 = aios3.S3Client(
            endpoint_url=srv.url,
            region_name="us-east-1",
            # the plain Content-Length body: the capture server reads no chunked body
            config=aios3.Config(max_attempts=3, request_checksum_calculation="when_required"),
            **CREDS,
        )
        async with s3:
            with pytest.raises(aios3.ParamValidationError) as caught:
                await asyncio.wait_for(
                    s3.upload_part(
                        Bucket="b",
                        Key="k",
                        UploadId="u",
                        PartNumber=1,
                        Body=_yielding(b"ab", bad),
                        ContentLength=6,
                    ),
                    10,
                )
    assert f"yielded {type(bad).__name__}, not bytes" in str(caught.value)
    assert caught.value.errors[0].startswith("Body:")
    assert srv.requests == []  # the server never got a whole request


async def test_a_str_chunk_is_a_param_error_with_any_transport() -> None:
    s3, t = mocked()
    async with s3:
        with pytest.raises(aios3.ParamValidationError, match=r"yielded str, not bytes \(encode"):
            await s3.upload_part(
                Bucket="b",
                Key="k",
                UploadId="u",
                PartNumber=1,
                Body=_yielding("text"),
                ContentLength=4,
            )
    assert t.requests == []


async def test_bytearray_and_memoryview_chunks_are_sent_as_their_bytes() -> None:
    import array

    ints = memoryview(array.array("i", [1, 2]))
    # the body as it is sent without a trailing checksum (aws-chunked is tested elsewhere)
    s3, t = mocked(config=aios3.Config(request_checksum_calculation="when_required"))
    async with s3:
        await s3.upload_part(
            Bucket="b",
            Key="k",
            UploadId="u",
            PartNumber=1,
            Body=_yielding(b"ab", bytearray(b"cd"), ints),
            ContentLength=4 + ints.nbytes,
        )
    assert t.requests[0].body == b"abcd" + ints.tobytes()
