"""Sending signed requests: one aiohttp session per client, pooled connections, timeouts.

`Transport` is the one interface the client talks to; `AiohttpTransport` is the
implementation. Retries live in the client (a retry must be re-signed), not here.
The public names are re-exported by `aios3.transport` and `aios3`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import os
import ssl
import urllib.request
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import aiohttp.helpers as _helpers
import aiohttp.payload
from aiohttp.abc import AbstractResolver, AbstractStreamWriter
from aiohttp.client_proto import ResponseHandler as _ResponseHandler
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .errors import (
    Aios3Error,
    ConnectTimeoutError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
    ResponseParseError,
    SSLCertVerificationError,
    WriteTimeoutError,
)

__all__ = ["AiohttpTransport", "RawResponse", "Transport"]

Buffer = bytes | bytearray | memoryview


@dataclass(slots=True)
class RawResponse:
    """An HTTP answer, fully read, as a `Transport` returns it to the client.

    Attributes:
        status: the HTTP status code.
        headers: the response headers (case-insensitive; repeated names kept).
        body: the whole response body, as sent (not decompressed).
    """

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class Transport(Protocol):
    """What `S3Client` needs from a transport: `S3Client(transport=...)` takes any object
    with these two methods (a structural protocol: no base class to inherit).

    The client builds, signs and retries each request; the transport only sends what it
    is given, once, and returns the answer. `aios3.testing.MockTransport` is one to answer
    from a function, `AiohttpTransport` the default.
    """

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        """Send one signed request and read the whole answer.

        Args:
            method: the HTTP method, e.g. `"PUT"`.
            url: the full URL, already percent-encoded (`URL(..., encoded=True)`): send
                its path and query as they are, or the signature no longer matches.
            headers: the signed headers, `Host` included; send them unchanged.
            body: `None`, `bytes`, `bytearray`, `memoryview`, or an async iterable of
                `bytes` chunks (streamed uploads). Read an iterable at most once; an
                exception it raises while read (the caller's, or an
                `aios3.errors.Aios3Error` of aios3's own) must propagate as it is.

        Returns:
            The answer, whatever its status: the client turns error statuses into
            `ClientError`.

        Raises:
            aios3.errors.TransportError: no HTTP answer (`ConnectTimeoutError`,
                `ReadTimeoutError` and its subclass `WriteTimeoutError`,
                `EndpointConnectionError`); the client retries these.
            aios3.errors.ResponseParseError: a malformed HTTP answer.

        The client checks what a transport of yours returns: anything but a
        `RawResponse` with an `int` status from 100 to 599, `str` headers (a
        `CIMultiDictProxy`, or any mapping, copied into one) and a `bytes` body
        (`bytearray` and `memoryview` are copied) raises `ResponseParseError` naming the
        transport. Any other exception a transport raises reaches the caller unchanged
        and is not retried. The client sets no deadline of its own around `send`: time
        limits are the transport's (as `AiohttpTransport`'s timeouts); a caller can
        bound a call with `asyncio.timeout`, which cancels `send`.
        """
        ...

    async def close(self) -> None:
        """Release connections. Called once by `S3Client.close()`."""
        ...


# path -> (mtime_ns, size, context): the newest version of each bundle only (a bundle
# rewritten by certificate tooling replaces its context instead of adding one)
_CA_CONTEXTS: dict[str, tuple[int, int, ssl.SSLContext]] = {}


def ca_bundle_context(path: str) -> ssl.SSLContext:
    """A verifying TLS context on the CA bundle at `path`, loaded once per process (and
    again only if the file changes): every client and connection shares it."""
    try:
        st = os.stat(path)
        cached = _CA_CONTEXTS.get(path)
        if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        context = ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise ParamValidationError(
            f"verify: the CA bundle {path!r} could not be loaded: {exc}"
        ) from None
    _CA_CONTEXTS[path] = (st.st_mtime_ns, st.st_size, context)
    return context


class AiohttpTransport:
    """The default transport, on aiohttp: one `ClientSession`, created on first use inside
    the running loop, with a pool of keep-alive connections.

    `S3Client` builds one from its `Config` when no `transport=` is given. Build one
    yourself to wrap it (e.g. in `aios3.testing.FaultTransport`) or to set a resolver.
    Redirects are never followed, bodies are not decompressed, cookies are neither kept
    nor sent (as botocore), and `HTTP(S)_PROXY` / `NO_PROXY` from the environment are
    honoured.

    A request is sent by aiohttp's own steps (build the `ClientRequest`, take a pooled
    connection or open one, send, read the answer) called directly, without the rest of
    `ClientSession.request` (redirects, cookies, auth, traces, middlewares), which aios3
    does not use: that is a fifth of the CPU time of a small request. A request through a
    proxy or with `Expect: 100-continue`, every request while a test double (aioresponses,
    `unittest.mock`) replaces `ClientSession._request` or `ClientSession.request`, and
    every request on an aiohttp whose steps aios3 does not recognise go through
    `ClientSession.request` instead. The bytes on the wire are the same either way.

    Args:
        connect_timeout: seconds to open a connection, TLS handshake included
            (`ConnectTimeoutError`).
        read_timeout: the longest a request may make no progress, in seconds: no part of
            its body could be sent, because the server stopped reading it
            (`WriteTimeoutError`), or no data came from the server (`ReadTimeoutError`).
        max_pool_connections: connections kept in the pool, and the cap on concurrency.
        verify: verify TLS certificates; `False` turns it off, a string is a CA bundle path.
        resolver: an aiohttp resolver for host names (default: aiohttp's).
        expect_timeout: how long a request sent with `Expect: 100-continue` (the client
            adds it to `UploadPart`) waits for the server's `100 Continue` or final
            answer before it sends its body anyway, in seconds (1 s, as botocore and
            curl). A server that refuses the request in time never gets the body.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 60.0,
        read_timeout: float = 60.0,
        max_pool_connections: int = 10,
        verify: bool | str = True,
        resolver: AbstractResolver | None = None,
        expect_timeout: float = 1.0,
    ) -> None:
        self._expect_timeout = expect_timeout
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )
        self._write_timeout = read_timeout
        self._limit = max_pool_connections
        self._verify = verify
        self._resolver = resolver  # tests map virtual-hosted names to loopback with it
        self._session: aiohttp.ClientSession | None = None
        self._direct = False  # aiohttp's request steps called directly (see _send_direct)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._proxies: dict[tuple[str, str], str | None] = {}
        self._ca_bundle = isinstance(verify, str)

    def _open(self) -> aiohttp.ClientSession:
        # a CA bundle is given per https request (see send): loaded only when one is made
        connector = aiohttp.TCPConnector(
            limit=self._limit, ssl=self._verify is not False, resolver=self._resolver
        )
        _lazy_read_timeouts(connector)
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            auto_decompress=False,
            # bodies are read as sent (as botocore asks); added after signing, so unsigned
            headers={"Accept-Encoding": "identity"},
            # no cookies kept or sent back, as botocore (and as the direct path: one
            # behaviour whichever path a request takes)
            cookie_jar=aiohttp.DummyCookieJar(),
            middlewares=() if _RESEND_SWITCH else _MIDDLEWARES,
        )
        if _RESEND_SWITCH:
            # aiohttp's own resend of an idempotent request off (see _sent_once): then the
            # middleware, two coroutine frames per request, runs only for Expect requests
            session._retry_connection = False
        self._session = session
        self._loop = asyncio.get_running_loop()  # the session's (it is opened by send)
        self._direct = _direct_path_supported()
        return session

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        """Send one request (see `Transport.send`)."""
        # a body that could fill the socket's buffers is sent under a write watchdog
        dog: _WatchedBody | None = None
        if isinstance(body, bytes | bytearray | memoryview):
            if len(body) > _SMALL_BODY:
                view = _bytes_view(body)
                body = dog = _WatchedBody(_slices(view), len(view), self._write_timeout)
        elif body is not None and hasattr(body, "__aiter__"):
            length = headers.get("Content-Length")
            size = int(length) if length is not None and length.isdigit() else None
            body = dog = _WatchedBody(body, size, self._write_timeout)
        session = self._session
        if session is None:
            if self._closed:
                raise EndpointConnectionError("the transport is closed", endpoint_url=None)
            session = self._open()
        expect = middlewares = None  # None: the session's (_sent_once, or none)
        if "Expect" in headers:
            if _EXPECT_SUPPORTED:
                expect = _EXPECT.set(self._expect_timeout)  # read by _sent_once
                middlewares = _MIDDLEWARES
            else:  # an aiohttp we cannot bound the wait of: no 100-continue
                headers = headers.copy()
                del headers["Expect"]
        proxy = self._proxy_for(url)
        ssl = (
            ca_bundle_context(self._verify)  # type: ignore[arg-type]
            if self._ca_bundle and url.scheme == "https"
            else True  # the connector's: verified, or off with verify=False
        )
        # a Content-Type aiohttp would add to a body (or to a PUT or POST)
        skip = None if body is None and method.upper() not in _POST_METHODS else _NO_CONTENT_TYPE
        try:
            if (
                self._direct
                and middlewares is None
                and proxy is None
                and aiohttp.ClientSession._request is _SESSION_REQUEST
                and aiohttp.ClientSession.request is _SESSION_PUBLIC_REQUEST
            ):
                resp = await _send_direct(
                    session, self._loop, self._timeout, method, url, headers, body, skip, ssl
                )
            else:
                # never follow redirects: a redirect to another host would lose the
                # signature (or change the method); S3's 3xx answers surface as
                # ClientError instead
                resp = await session.request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    skip_auto_headers=skip,
                    allow_redirects=False,
                    proxy=proxy,
                    ssl=ssl,
                    middlewares=middlewares,
                )
            async with resp:
                if expect is not None and resp.status >= 300:
                    _not_pooled(resp)
                data = await resp.read()
                return RawResponse(resp.status, resp.headers, data)
        except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
            if dog is not None and dog.error is not None:
                # a timeout the body's iterator raised (its own source's): aiohttp passes
                # a TimeoutError on as it is, it is the caller's, not a timeout of ours
                failure = dog.error
            elif isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise ConnectTimeoutError(
                    f"connect timeout on endpoint URL {_origin(url)}", endpoint_url=_origin(url)
                ) from exc
            else:
                raise ReadTimeoutError(
                    f"read timeout on endpoint URL {_origin(url)}", endpoint_url=_origin(url)
                ) from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            reason = getattr(exc.certificate_error, "verify_message", None) or "not trusted"
            raise SSLCertVerificationError(
                f"TLS certificate verification failed for the endpoint URL {_origin(url)}: "
                f"{reason}. Trust its CA with Config(verify='ca-bundle.pem') or "
                "AWS_CA_BUNDLE, or fix the server's certificate",
                endpoint_url=_origin(url),
            ) from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            if dog is not None and dog.error is not None:
                # the body's iterator failed (aiohttp wraps it): the caller's own error,
                # raised as it is, below, outside this block (no aiohttp error chained)
                failure = dog.error
            elif dog is not None and dog.fired:
                raise WriteTimeoutError(
                    f"write timeout on endpoint URL {_origin(url)}: no part of the request "
                    f"body could be sent for {self._write_timeout}s (read_timeout); the "
                    "server stopped reading it",
                    endpoint_url=_origin(url),
                ) from None
            else:
                cause = _our_error(exc)
                if cause is not None:  # raised by our own body iterator while sending
                    raise cause from None
                what = exc.__cause__ if isinstance(exc, _NotResent) else exc
                raise EndpointConnectionError(
                    f"could not connect to the endpoint URL {_origin(url)}: {type(what).__name__}",
                    endpoint_url=_origin(url),
                ) from exc
        except asyncio.CancelledError:
            # aiohttp cancels the requests waiting for a pooled connection when the
            # session closes: a task nobody cancelled gets a typed error instead
            if not self._closed or _cancel_requested():
                raise
            failure = EndpointConnectionError(
                f"the transport was closed while a request to {_origin(url)} was waiting "
                "for a connection",
                endpoint_url=_origin(url),
            )
        except aiohttp.ClientError as exc:
            # malformed answers (bad status line, headers, lengths): the aiohttp error's
            # request_info holds every request header, secrets included, so it is raised
            # from outside this block, not chained even as __context__
            failure = (
                (dog.error if dog is not None else None)
                or _our_error(exc)
                or ResponseParseError(
                    f"the server at {_origin(url)} sent a malformed HTTP answer "
                    f"({exc.__class__.__name__})"
                )
            )
        finally:
            if dog is not None:
                dog.stop()  # an answer may come before the whole body is sent
            if expect is not None:
                _EXPECT.reset(expect)
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
        """Close the session; later sends raise `EndpointConnectionError`."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
            # one loop turn, so that the sockets' transports finish closing before a loop
            # that ends right after (asyncio.run) is closed (aiohttp's graceful shutdown)
            await asyncio.sleep(0)


class CheckedTransport:
    """A transport of the user's, with its answers checked (see `Transport.send`): a
    wrong return value becomes a `ResponseParseError` naming the transport, not an
    `AttributeError` or `TypeError` from deep inside the client."""

    __slots__ = ("inner",)

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        answer: object = self.inner.send(method, url, headers, body)
        if not inspect.isawaitable(answer):
            raise self._bad(f"send() is not async: it returned {type(answer).__name__}")
        raw = await answer
        if not isinstance(raw, RawResponse):
            raise self._bad(f"send() returned {type(raw).__name__}, not a RawResponse")
        status, raw_headers, data = raw.status, raw.headers, raw.body
        if type(status) is not int or not 100 <= status <= 599:
            raise self._bad(f"status {status!r} is not an int from 100 to 599")
        if not isinstance(raw_headers, CIMultiDictProxy):
            if not isinstance(raw_headers, Mapping):
                raise self._bad(f"headers are {type(raw_headers).__name__}, not a mapping")
            raw_headers = CIMultiDictProxy(CIMultiDict(raw_headers))
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in raw_headers.items()):
            raise self._bad("header names and values are not all str")
        if type(data) is not bytes:
            if not isinstance(data, bytearray | memoryview):
                hint = " (encode it)" if isinstance(data, str) else ""
                raise self._bad(f"body is {type(data).__name__}, not bytes{hint}")
            data = bytes(data)
        if raw_headers is raw.headers and data is raw.body:
            return raw
        return RawResponse(status, raw_headers, data)

    def _bad(self, what: str) -> ResponseParseError:
        return ResponseParseError(
            f"the transport {type(self.inner).__qualname__} gave an unusable answer: {what} "
            "(see aios3.Transport.send)"
        )

    async def close(self) -> None:
        await self.inner.close()


def checked_transport(transport: Transport) -> Transport:
    """`transport`, its answers checked unless it is aios3's own `AiohttpTransport`."""
    for name in ("send", "close"):
        if not callable(getattr(transport, name, None)):
            raise ParamValidationError(
                f"transport must have async send() and close() methods (aios3.Transport), "
                f"got {type(transport).__name__}"
            )
    if type(transport) is AiohttpTransport:
        return transport
    return CheckedTransport(transport)


_SMALL_BODY = 1 << 14  # sent as it is: far below the 64 KiB at which a write must wait
_CHUNK = 1 << 18  # larger bodies are written in chunks of 256 KiB, each timed


class _NotResent(aiohttp.ClientConnectionError):
    """A dropped connection, re-raised under a class aiohttp does not resend on."""


# the Expect: 100-continue wait of the request being sent, set by AiohttpTransport.send for
# its own task (the middleware runs in it): aiohttp waits for the 100 without a bound
_EXPECT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "aios3_expect_timeout", default=None
)
# aiohttp keeps the wait for the 100 in ClientRequest._continue (3.12 to 3.14 at least)
_EXPECT_SUPPORTED = hasattr(aiohttp.ClientRequest, "_continue")
# aiohttp's switch for its resend of idempotent requests on a reused connection (a private
# session attribute, in 3.12 to 3.14 at least); without it every request runs _sent_once
_RESEND_SWITCH = "_retry_connection" in getattr(aiohttp.ClientSession, "ATTRS", ())
# aiohttp adds Content-Type: application/octet-stream to a body, or to any PUT, POST or
# PATCH, unless skipped (S3 would store it as the object's type)
_POST_METHODS = frozenset(aiohttp.ClientRequest.POST_METHODS)
_NO_CONTENT_TYPE = ("Content-Type",)
_ACCEPT_ENCODING = "Accept-Encoding"


# aiohttp's ClientSession._request and .request as aiohttp defines them: a test double that
# replaces either (aioresponses, unittest.mock) sends every request through the session
_SESSION_REQUEST = aiohttp.ClientSession.__dict__.get("_request")
_SESSION_PUBLIC_REQUEST = aiohttp.ClientSession.__dict__.get("request")
_TIMER = _helpers.TimerNoop()  # the session's timer without a total timeout: stateless
_DIRECT_SUPPORTED: bool | None = None  # decided on the first transport opened


def _direct_path_supported() -> bool:
    """Whether this aiohttp has the request steps `_send_direct` calls, with the keyword
    arguments it passes (aiohttp 3.12 to 3.14 at least); checked once per process."""
    global _DIRECT_SUPPORTED
    if _DIRECT_SUPPORTED is None:
        needs = (
            (aiohttp.ClientRequest.__init__, ("headers", "skip_auto_headers", "data", "loop")),
            (aiohttp.ClientRequest.__init__, ("response_class", "timer", "session", "ssl")),
            (aiohttp.BaseConnector.connect, ("req", "traces", "timeout")),
            (aiohttp.ClientRequest.send, ("conn",)),
            (aiohttp.ClientResponse.start, ("connection",)),
            (
                _ResponseHandler.set_response_params,
                ("timer", "skip_payload", "read_until_eof", "auto_decompress", "read_timeout"),
            ),
        )
        try:
            ok = all(
                inspect.isfunction(fn) and fn.__module__ == "aiohttp.client"
                for fn in (_SESSION_REQUEST, _SESSION_PUBLIC_REQUEST)
            ) and all(set(names) <= set(inspect.signature(fn).parameters) for fn, names in needs)
        except (TypeError, ValueError):  # pragma: no cover - a signature that cannot be read
            ok = False
        _DIRECT_SUPPORTED = ok
    return _DIRECT_SUPPORTED


async def _send_direct(
    session: aiohttp.ClientSession,
    loop: asyncio.AbstractEventLoop | None,
    timeout: aiohttp.ClientTimeout,
    method: str,
    url: URL,
    headers: CIMultiDict[str],
    body: object,
    skip: tuple[str, ...] | None,
    ssl: ssl.SSLContext | bool,
) -> aiohttp.ClientResponse:
    """What `session.request(...)` does for aios3's requests, without the rest of it.

    `ClientSession._request` is built for every kind of caller: cookies, redirects, auth,
    proxies, traces, middlewares, a total timeout, its own resend of idempotent requests.
    aios3 uses none of them on this path (a request with a proxy or with `Expect` goes
    through the session), and the steps it does use are these: build the `ClientRequest`,
    take a pooled connection (or open one, under the connect timeout), arm the parser
    with the read timeout, send, and read the status line and headers. They are the
    session's own steps, in its order, with its error handling (`_connect_and_send_request`
    in aiohttp's `client.py`); skipping the rest took a fifth off the CPU time of a small
    request. The wire bytes are the session's: its default `Accept-Encoding: identity`
    first (or the caller's own `Accept-Encoding` there instead), then the signed headers,
    then aiohttp's `Accept` and `User-Agent`.
    """
    pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]
    if _ACCEPT_ENCODING in headers:
        # the caller's own replaces the session's default where the default stands (first),
        # as the session's merge does; sending both would give the server two values
        pairs = list(headers.items())
        for i, (name, _) in enumerate(pairs):
            if name.lower() == "accept-encoding":
                pairs.insert(0, pairs.pop(i))
                break
    else:
        pairs = ((_ACCEPT_ENCODING, "identity"), *headers.items())
    req = aiohttp.ClientRequest(
        method,
        url,
        headers=pairs,
        skip_auto_headers=skip,
        data=body,
        loop=loop,
        response_class=aiohttp.ClientResponse,
        timer=_TIMER,
        session=session,
        ssl=ssl,
    )
    connector = session.connector
    assert connector is not None
    try:
        try:
            conn = await connector.connect(req, traces=[], timeout=timeout)
        except asyncio.TimeoutError as exc:
            raise aiohttp.ConnectionTimeoutError(f"Connection timeout to host {url}") from exc
        protocol = conn.protocol
        assert protocol is not None
        protocol.set_response_params(
            timer=_TIMER,
            # the method as sent (upper-cased by ClientRequest), as the session does: a
            # "head" given in lower case must not wait for a body
            skip_payload=req.method in _helpers.EMPTY_BODY_METHODS,
            read_until_eof=True,
            auto_decompress=False,
            read_timeout=timeout.sock_read,
        )
        try:
            resp = await req.send(conn)
            try:
                await resp.start(conn)
            except BaseException:
                resp.close()
                raise
        except BaseException:
            conn.close()
            raise
    except aiohttp.ClientError:
        raise
    except OSError as exc:  # as the session: a bare OSError becomes ClientOSError
        if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
            raise
        raise aiohttp.ClientOSError(*exc.args) from exc
    return resp


class _DeadlineResponseHandler(_ResponseHandler):
    """aiohttp's connection protocol, with its read timeout kept as a deadline.

    aiohttp arms the read timeout (`sock_read`) when a request has been sent and again at
    every chunk of the answer: each time it cancels a timer and schedules a new one, two
    to four timer operations per request, about a twentieth of a small request's CPU.
    Here those calls only move a deadline; one timer per connection looks at it when it
    comes, and schedules itself again at the deadline if the deadline moved on, or stops
    if there is none. A connection with no request in flight keeps that timer until it is
    due (at most `read_timeout`), then has none; a closed connection none at all. What
    times out, and when, is aiohttp's: no data for `read_timeout` seconds raises its
    `SocketTimeoutError` through `_on_read_timeout`.
    """

    _deadline: float | None = None

    def _reschedule_timeout(self) -> None:
        timeout = self._read_timeout
        if not timeout:
            self._deadline = None
            return
        loop = self._loop
        self._deadline = deadline = loop.time() + timeout
        if self._read_timeout_handle is None:
            self._read_timeout_handle = loop.call_at(deadline, self._read_timeout_due)

    def _drop_timeout(self) -> None:
        self._deadline = None  # the timer, if one is armed, finds no deadline and stops

    def _read_timeout_due(self) -> None:
        self._read_timeout_handle = None
        deadline = self._deadline
        if deadline is None:
            return
        loop = self._loop
        if loop.time() < deadline:  # data came since the timer was set
            self._read_timeout_handle = loop.call_at(deadline, self._read_timeout_due)
            return
        self._deadline = None
        self._on_read_timeout()

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        handle = self._read_timeout_handle
        if handle is not None:  # nothing is left to time out: let the protocol go now
            self._read_timeout_handle = None
            handle.cancel()


def _lazy_read_timeouts(connector: aiohttp.BaseConnector) -> None:
    """Make `connector` build `_DeadlineResponseHandler`s, if this aiohttp builds its
    protocols as 3.12 to 3.14 do (`_factory`, a partial of `ResponseHandler` with the loop)
    and has the timer methods the subclass replaces; else leave aiohttp's own."""
    factory = getattr(connector, "_factory", None)
    if (
        _LAZY_TIMEOUTS
        and isinstance(factory, functools.partial)
        and factory.func is _ResponseHandler
        and not factory.args
        and set(factory.keywords) == {"loop"}
    ):
        setattr(  # noqa: B010 - a private attribute of aiohttp's connector
            connector, "_factory", functools.partial(_DeadlineResponseHandler, **factory.keywords)
        )


# what _DeadlineResponseHandler relies on in aiohttp's ResponseHandler (3.12 to 3.14 at
# least): the timer methods it replaces or calls, and the names the original uses
_RESCHEDULE = getattr(_ResponseHandler, "_reschedule_timeout", None)
_LAZY_TIMEOUTS = (
    all(
        callable(getattr(_ResponseHandler, name, None))
        for name in ("_drop_timeout", "_on_read_timeout", "connection_lost")
    )
    and inspect.isfunction(_RESCHEDULE)
    and {"_read_timeout", "_read_timeout_handle", "_loop", "call_later"}
    <= set(_RESCHEDULE.__code__.co_names)
)


def _not_pooled(resp: aiohttp.ClientResponse) -> None:
    """A request sent with `Expect: 100-continue` and refused: its body may not have been
    sent (or only part of it), so the connection is closed once the answer is read instead
    of going back to the pool (aiohttp 3.14 closes it itself; 3.12 pools it, and the next
    request on it fails)."""
    conn = resp.connection
    protocol = conn.protocol if conn is not None else None
    if protocol is not None:
        protocol.force_close()


def _stop_waiting(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(True)  # no 100 in time: send the body anyway


async def _sent_once(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """A client middleware that keeps aiohttp from sending a request a second time, and
    bounds the wait for a `100 Continue`.

    After a reset or a drop (`ClientOSError`, `ServerDisconnectedError`), aiohttp sends an
    idempotent request (GET, HEAD, PUT, DELETE) again, once, on its own: the server then
    sees more requests than `max_attempts`, and the client's retry strategy (backoff, quota,
    `RetryAttempts`) knows nothing of it. aiohttp has no public switch for it; its
    resend catches those two classes around this middleware, so they leave it as
    `_NotResent` (a `ClientConnectionError`, whose cause is the original). Errors while
    connecting are not resent by aiohttp and pass unchanged.

    With `Expect: 100-continue`, aiohttp sends the headers and waits for the server's
    `100 Continue` (then sends the body) or final answer (then never sends it, and closes
    the connection), but without a bound. The wait is given one here: after
    `expect_timeout` seconds (counted from here, connecting included), the body is sent
    anyway, as botocore and curl do with servers that ignore the header.
    """
    timer = None
    limit = _EXPECT.get()
    if limit is not None:
        waiter = getattr(request, "_continue", None)
        if isinstance(waiter, asyncio.Future):
            timer = asyncio.get_running_loop().call_later(limit, _stop_waiting, waiter)
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise _NotResent(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if timer is not None:
            timer.cancel()


_MIDDLEWARES = (_sent_once,)


class _BodyFailed(Exception):
    """What aiohttp sees of a `BaseException` of the caller's body iterator (kept in
    `_WatchedBody.error`, and raised from there by `AiohttpTransport.send`)."""


class _WatchedBody(aiohttp.payload.Payload):
    """A request body under a write watchdog: when the server stops reading it, the
    connection is aborted after `limit` seconds.

    aiohttp has no write timeout, and its read timeout starts only once the whole body is
    sent, so a server that stops reading the body held a request forever. This payload
    times each `writer.write(chunk)` (it returns once the chunk is handed to the socket,
    and waits while the socket's buffers are full): a chunk still not written `limit`
    seconds after it was handed over aborts the connection, and `fired` tells
    `AiohttpTransport.send` to raise `WriteTimeoutError`. The time the caller's iterator
    takes to produce a chunk is not counted. One timer per request, not per chunk: each
    chunk only moves a deadline, and the timer, when it comes, looks at it.
    """

    def __init__(self, chunks: AsyncIterable[Buffer], size: int | None, limit: float) -> None:
        super().__init__(chunks)
        self._size = size
        self._limit = limit
        self._deadline: float | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._writer: AbstractStreamWriter | None = None
        self.fired = False
        self.error: BaseException | None = None
        """What the caller's iterator raised, if it did: `send` raises it unchanged."""

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a streamed request body cannot be decoded")

    async def write(self, writer: AbstractStreamWriter) -> None:
        self._consumed = True  # aiohttp must not send it again: a retry is the client's
        loop = asyncio.get_running_loop()
        limit = self._limit
        self._writer = writer
        if limit:
            self._handle = loop.call_at(loop.time() + limit, self._check, loop)
        chunks: AsyncIterator[Buffer] | None = None
        try:
            while True:
                try:
                    if chunks is None:  # the caller's __aiter__ may raise too
                        chunks = aiter(self._value)
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
                    raise  # the request's cancellation; asyncio's own to end the loop
                except BaseException as exc:  # the caller's iterator: its error, not the network's
                    self.error = exc
                    if isinstance(exc, Exception):
                        raise
                    # aiohttp closes the connection and fails the wait for the answer on an
                    # Exception only: anything else (a GeneratorExit, a BaseException of the
                    # caller's) would leave its writer task failed, never retrieved
                    raise _BodyFailed from None
                self._deadline = loop.time() + limit
                await writer.write(chunk)
                self._deadline = None
        finally:
            self.stop()

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        deadline = self._deadline
        now = loop.time()
        if deadline is None or now < deadline:
            # between chunks (the caller's iterator is producing), or still in time
            when = now + self._limit if deadline is None else deadline
            self._handle = loop.call_at(when, self._check, loop)
            return
        self._handle = None
        self.fired = True
        transport = getattr(self._writer, "transport", None)
        if transport is not None:
            transport.abort()  # fails the pending write and the wait for the answer

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def _bytes_view(body: Buffer) -> memoryview:
    """A flat view of `body`'s bytes (`len` counts bytes, whatever the item type)."""
    view = memoryview(body)
    if not view.c_contiguous:
        view = memoryview(view.tobytes())
    return view.cast("B")


async def _slices(view: memoryview) -> AsyncIterator[memoryview]:
    for i in range(0, len(view), _CHUNK):
        yield view[i : i + _CHUNK]


def _origin(url: URL) -> str:
    return f"{url.scheme}://{url.raw_authority}{url.raw_path}"


def _cancel_requested() -> bool:
    """Whether the running task was asked to cancel (always True before Python 3.11, which
    cannot tell: a CancelledError is then passed on as it is)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return cancelling is None or cancelling() > 0


def _our_error(exc: BaseException) -> Aios3Error | None:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, Aios3Error):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
