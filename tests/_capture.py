"""A raw TCP HTTP/1.1 server that records the exact bytes of each request it receives.

Used to prove what reaches the wire (request line, headers, body) byte for byte, with no
HTTP library in between that could normalise a path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Captured:
    request_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def method(self) -> str:
        return self.request_line.split(" ", 2)[0]

    @property
    def target(self) -> str:
        return self.request_line.split(" ", 2)[1]


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Responder = Callable[[Captured], Reply]


class CaptureServer:
    """`async with CaptureServer(responder) as srv:` then `srv.url`, `srv.requests`."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder or (lambda c: Reply(204))
        self.requests: list[Captured] = []
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> CaptureServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for w in list(self._writers):
            w.close()
            with contextlib.suppress(Exception):
                await w.wait_closed()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                cap = Captured(line.decode("latin-1").rstrip("\r\n"), headers, body)
                self.requests.append(cap)
                reply = self.responder(cap)
                head = [f"HTTP/1.1 {reply.status} X"]
                hdrs = {"x-amz-request-id": f"req-{len(self.requests)}", **reply.headers}
                hdrs["Content-Length"] = str(len(reply.body))
                head += [f"{k}: {v}" for k, v in hdrs.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
