"""Sending signed requests: one aiohttp session per client, pooled connections, timeouts.

`Transport` is the one interface the client talks to; `AiohttpTransport` is the
implementation. Retries live in the client (a retry must be re-signed), not here.
"""

from __future__ import annotations

import asyncio
import io
import ssl
import urllib.request
from dataclasses import dataclass
from typing import Protocol

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .errors import (
    Aios3Error,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseParseError,
)

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
        self._proxies: dict[tuple[str, str], str | None] = {}

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
            # bodies are read as sent (as botocore asks); added after signing, so unsigned
            headers={"Accept-Encoding": "identity"},
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
            # never follow redirects: a redirect to another host would lose the signature
            # (or change the method); S3's 3xx answers surface as ClientError instead
            async with session.request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                proxy=self._proxy_for(url),
            ) as resp:
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
        except aiohttp.ClientError as exc:
            # malformed answers (bad status line, headers, lengths): the aiohttp error's
            # request_info holds every request header, secrets included, so it is raised
            # from outside this block, not chained even as __context__
            failure = _our_error(exc) or ResponseParseError(
                f"the server at {_origin(url)} sent a malformed HTTP answer "
                f"({exc.__class__.__name__})"
            )
        raise failure

    def _proxy_for(self, url: URL) -> str | None:
        """HTTP(S)_PROXY / NO_PROXY from the environment, as botocore honours them; looked up
        once per scheme and host (aiohttp's trust_env would do it, and read .netrc, per call).
        """
        key = (url.scheme, url.raw_host or "")
        if key not in self._proxies:
            proxy = urllib.request.getproxies_environment().get(url.scheme)
            if proxy and urllib.request.proxy_bypass_environment(key[1]):  # type: ignore[attr-defined]
                proxy = None
            self._proxies[key] = proxy or None
        return self._proxies[key]

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
