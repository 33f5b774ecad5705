"""A `Transport` that records what aios3 hands to aiohttp, for tests that need no server."""

from __future__ import annotations

from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from aios3._transport import RawResponse


class RecordingTransport:
    """Records (method, URL, headers, body) of each request and answers `status`."""

    def __init__(self, status: int = 204, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        self.sent: list[tuple[str, Any, CIMultiDict[str], object]] = []

    async def send(
        self, method: str, url: Any, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        self.sent.append((method, url, headers, body))
        return RawResponse(self.status, CIMultiDictProxy(CIMultiDict()), self.body)

    async def close(self) -> None:
        pass
