"""A raw HTTP/1.1 server for the transport's fault tests: each connection is served by a
handler of the test's own, which reads requests with `read_request` and writes what it
likes (`answering` is the usual keep-alive loop)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Respond = Callable[[bytes], Awaitable[bytes]]

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class RawServer:
    """Each connection is served by the next handler of `handlers` (the last repeats);
    counts the connections and keeps every connection's writer to abort it at exit."""

    def __init__(self, *handlers: Handler) -> None:
        self.handlers = handlers
        self.connections = 0
        self.url = ""
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for w in list(self._writers):
            w.transport.abort()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = self.handlers[min(self.connections, len(self.handlers) - 1)]
        self.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.transport.abort()


async def read_request(reader: asyncio.StreamReader, *, with_body: bool = False) -> bytes:
    """One request's head (with its body after it, if `with_body`), as received."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return head + body if with_body else head


def answering(respond: Respond, *, with_body: bool = False) -> Handler:
    """Keep-alive: every request read (see `read_request`) is answered with the bytes
    `respond` gives for it, until the client closes."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                request = await read_request(reader, with_body=with_body)
            except asyncio.IncompleteReadError:
                return
            writer.write(await respond(request))
            await writer.drain()

    return handler


async def _ok(request: bytes) -> bytes:
    return OK


serve_ok = answering(_ok)  # 200 "ok" to every request


async def reads_bodies(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A PUT's body is read (after `100 Continue` when asked) until the client gives up on
    the connection; any other request is answered 204. For bodies that fail while sent."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")  # the head only: the body may wait
        if b"100-continue" in head.lower():
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        if head.startswith(b"PUT "):
            while await reader.read(1 << 16):
                pass
            return
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
