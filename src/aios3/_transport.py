"""Sending signed requests: one aiohttp session per client, pooled connections, timeouts.

`Transport` is the one interface the client talks to; `AiohttpTransport` is the
implementation. Retries live in the client (a retry must be re-signed), not here.
"""

from __future__ import annotations

import asyncio
import io
import ssl
from dataclasses import dataclass
from typing import Protocol

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .errors import Aios3Error, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

__all__ = ["AiohttpTransport", "RawResponse", "Transport"]

_LARGE_BODY = 1 << 20  # aiohttp warns about raw bytes bodies above 1 MiB


@dataclass(slots=True)
class RawResponse:
    """An HTTP answer, fully read."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class Transport(Protocol):
    """What the client needs from a transport."""

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse: ...

    async def close(self) -> None: ...


class AiohttpTransport:
    """The aiohttp transport: one `ClientSession`, created on first use inside the loop."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_pool_connections: int,
        verify: bool | str,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )
        self._limit = max_pool_connections
        self._verify = verify
        self._resolver = resolver  # tests map virtual-hosted names to loopback with it
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _ssl(self) -> ssl.SSLContext | bool:
        if self._verify is False:
            return False
        if isinstance(self._verify, str):
            return ssl.create_default_context(cafile=self._verify)
        return True

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limit, ssl=self._ssl(), resolver=self._resolver
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            auto_decompress=False,
            skip_auto_headers=("Content-Type",),
        )
        return self._session

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        if isinstance(body, bytes | bytearray | memoryview) and len(body) > _LARGE_BODY:
            body = io.BytesIO(body)  # aiohttp streams it in chunks instead of one big write
        session = self._session
        if session is None:
            if self._closed:
                raise EndpointConnectionError("the transport is closed", endpoint_url=None)
            session = self._open()
        try:
            async with session.request(method, url, headers=headers, data=body) as resp:
                data = await resp.read()
                return RawResponse(resp.status, resp.headers, data)
        except aiohttp.ConnectionTimeoutError as exc:
            raise ConnectTimeoutError(
                f"connect timeout on endpoint URL {_origin(url)}", endpoint_url=_origin(url)
            ) from exc
        except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
            raise ReadTimeoutError(
                f"read timeout on endpoint URL {_origin(url)}", endpoint_url=_origin(url)
            ) from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            cause = _our_error(exc)
            if cause is not None:  # raised by our own body iterator while sending
                raise cause from None
            raise EndpointConnectionError(
                f"could not connect to the endpoint URL {_origin(url)}: {exc.__class__.__name__}",
                endpoint_url=_origin(url),
            ) from exc

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _origin(url: URL) -> str:
    return f"{url.scheme}://{url.raw_authority}{url.raw_path}"


def _our_error(exc: BaseException) -> Aios3Error | None:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, Aios3Error):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
