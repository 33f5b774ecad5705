"""Faults below HTTP, on real sockets: resets, a server that stops reading the body, TLS
certificates. Each test asserts what the caller sees and how many requests reached the
server, and is bounded in time."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import aios3
from aios3.retries import StandardRetryStrategy

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


class ResetServer:
    """Reads each request whole, counts it, and resets the connection (RST) without an answer."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    async def __aenter__(self) -> ResetServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            self.requests.append(head.split(b" ", 1)[0].decode())
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST: "connection reset by peer"


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
    async with ResetServer() as srv, local(srv.url, retry_strategy=strategy) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError) as caught:
            await asyncio.wait_for(call(s3), BOUND)
    assert srv.requests == [method] * attempts
    assert "127.0.0.1" in str(caught.value)
    assert "_NotResent" not in str(caught.value)
