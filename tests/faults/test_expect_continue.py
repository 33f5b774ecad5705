"""`Expect: 100-continue` on UploadPart, on real sockets: a server that refuses the part
before reading it never gets the body; one that says `100 Continue` gets it; one that
ignores the header gets it after the transport's bounded wait. Bounded in time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

import aios3
from aios3 import AiohttpTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDEXPECT", "aws_secret_access_key": "e"}
BOUND = 20.0
PART = b"p" * (1 << 20)  # 1 MiB: far more than the socket buffers would take unread
DENIED = (
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
    b"<RequestId>R1</RequestId></Error>"
)


class ExpectServer:
    """One HTTP/1.1 server, keep-alive; per request, by `mode`:

    - "refuse": answers 403 AccessDenied as soon as it has the headers, without reading
      the body, then counts any body byte that still comes;
    - "continue": answers `100 Continue`, reads the body, answers 200;
    - "silent": ignores the Expect header: waits for the body, then answers 200.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.connections = 0
        self.heads: list[dict[str, str]] = []
        self.body_bytes: list[int] = []  # per request: body bytes received
        self.waited: list[float] = []  # per request: seconds from headers to first body byte
        self.done = 0  # minus the connections still being handled
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    async def __aenter__(self) -> ExpectServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for _ in range(150):  # let the handlers finish and close (3 s at most)
            if len(self.body_bytes) == len(self.heads) and self.done == 0:
                break
            await asyncio.sleep(0.02)
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.done -= 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode().split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                headers[":request"] = lines[0]
                self.heads.append(headers)
                length = int(headers.get("content-length", "0"))
                start = time.monotonic()
                if self.mode == "refuse" and "expect" in headers:
                    writer.write(
                        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\n"
                        b"x-amz-request-id: R1\r\n"
                        + f"Content-Length: {len(DENIED)}\r\n\r\n".encode()
                        + DENIED
                    )
                    await writer.drain()
                    got = 0
                    try:  # whatever body still comes, until the client closes
                        while chunk := await asyncio.wait_for(reader.read(65536), 2.0):
                            got += len(chunk)
                    except (TimeoutError, asyncio.TimeoutError, ConnectionError):
                        pass
                    self.body_bytes.append(got)
                    return  # the client must not reuse this connection
                if self.mode == "continue" and "expect" in headers:
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    await writer.drain()
                body = b""
                if length:
                    first = await reader.readexactly(1)
                    self.waited.append(time.monotonic() - start)
                    body = first + await reader.readexactly(length - 1)
                self.body_bytes.append(len(body))
                writer.write(
                    b'HTTP/1.1 200 OK\r\nETag: "e"\r\nx-amz-request-id: R2\r\n'
                    b"Content-Length: 0\r\n\r\n"
                )
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self.done += 1


def client(url: str, **transport: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=url,
        region_name="us-east-1",
        transport=AiohttpTransport(connect_timeout=5, read_timeout=5, **transport),
        config=aios3.Config(max_attempts=1),
        **CREDS,
    )


async def upload(s3: aios3.S3Client, body: bytes | Any = PART, **kw: Any) -> Any:
    return await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=body, **kw)


async def test_a_refused_part_is_never_sent_and_the_connection_is_not_reused() -> None:
    async with ExpectServer("refuse") as server, client(server.url) as s3:

        async def scenario() -> None:
            with pytest.raises(aios3.errors.AccessDenied) as e:
                await upload(s3)
            assert e.value.status_code == 403 and e.value.request_id == "R1"
            assert server.heads[0]["expect"] == "100-continue"
            # the next call works, on a new connection: the refused one was closed
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")

        await asyncio.wait_for(scenario(), BOUND)
    assert server.body_bytes[0] == 0  # not one byte of the 1 MiB part
    assert server.connections == 2
    assert "expect" not in server.heads[1]  # only UploadPart asks for a 100


async def test_a_streamed_part_is_not_read_when_refused() -> None:
    read: list[int] = []

    async def chunks() -> Any:
        for _ in range(16):
            read.append(1)
            yield b"s" * 65536

    async with ExpectServer("refuse") as server, client(server.url) as s3:

        async def scenario() -> None:
            with pytest.raises(aios3.errors.AccessDenied):
                await upload(s3, chunks(), ContentLength=16 * 65536)

        await asyncio.wait_for(scenario(), BOUND)
    assert server.body_bytes == [0]
    assert read == []  # the caller's iterator was never asked for a chunk


async def test_the_part_is_sent_after_100_continue_and_the_connection_reused() -> None:
    async with ExpectServer("continue") as server, client(server.url) as s3:

        async def scenario() -> Any:
            r = await upload(s3)
            await upload(s3)
            return r

        r = await asyncio.wait_for(scenario(), BOUND)
    assert r.etag == '"e"'
    assert server.body_bytes == [len(PART)] * 2
    assert server.connections == 1
    # the header is not signed, as botocore: a proxy may drop it without breaking the signature
    signed = server.heads[0]["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert "expect" not in signed.split(";")


async def test_a_server_that_ignores_the_header_gets_the_body_after_the_bounded_wait() -> None:
    async with ExpectServer("silent") as server, client(server.url, expect_timeout=0.3) as s3:
        started = time.monotonic()
        r = await asyncio.wait_for(upload(s3), BOUND)
        took = time.monotonic() - started
    assert r.etag == '"e"'
    assert server.body_bytes == [len(PART)]
    assert 0.25 <= server.waited[0] < 3.0  # it waited for a 100, but not for ever
    assert took < 3.0


async def test_an_empty_part_does_not_ask_for_a_100() -> None:
    async with ExpectServer("refuse") as server, client(server.url) as s3:

        async def scenario() -> None:
            await upload(s3, b"")

        await asyncio.wait_for(scenario(), BOUND)
    assert "expect" not in server.heads[0]


def test_the_default_wait_is_botocores_one_second() -> None:
    assert AiohttpTransport()._expect_timeout == 1.0
