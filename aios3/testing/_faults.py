"""`FaultTransport`: wrap a transport and break some of its requests, by rule."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._transport import RawResponse, Transport

if TYPE_CHECKING:
    from .._transport import AiohttpTransport
from ..errors import EndpointConnectionError, ReadTimeoutError
from ._mock import MockRequest, read_body

__all__ = [
    "ErrorAnswer",
    "Fault",
    "FaultRule",
    "FaultTransport",
    "Malformed",
    "Reset",
    "Stall",
    "Truncate",
]


@dataclass(frozen=True, slots=True)
class Reset:
    """The connection is reset: `EndpointConnectionError`, as aiohttp's reset surfaces.

    Attributes:
        after_send: reset after the wrapped transport has sent the request and got its
            answer (the server did the work, the client never hears of it), instead of
            before anything is sent.
    """

    after_send: bool = False


@dataclass(frozen=True, slots=True)
class Stall:
    """The server does not answer.

    Attributes:
        seconds: how long the stall lasts; `None` stalls until the call is cancelled.
        then: after the stall, `"timeout"` raises `ReadTimeoutError` (as a read timeout
            would), `"answer"` forwards the request (a slow server).
    """

    seconds: float | None = None
    then: Literal["timeout", "answer"] = "timeout"


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """An S3 error answer instead of the real one; nothing is forwarded.

    The default is S3's throttling answer, `503 SlowDown`.
    """

    status: int = 503
    code: str = "SlowDown"
    message: str = "Please reduce your request rate."

    def body(self) -> bytes:
        """The `<Error>` XML document S3 would send."""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message>"
            "<RequestId>FAULT</RequestId></Error>"
        ).encode()


@dataclass(frozen=True, slots=True)
class Truncate:
    """The answer's body is cut after `keep` bytes.

    Attributes:
        keep: bytes of the real body that arrive.
        detected: raise `EndpointConnectionError`, as aiohttp does when fewer bytes than
            `Content-Length` arrive; otherwise the short body is handed to the client (a
            close-delimited answer, or a proxy that lies about lengths).
    """

    keep: int = 0
    detected: bool = False


@dataclass(frozen=True, slots=True)
class Malformed:
    """The answer's body is replaced by `body` (by default XML that never closes); the
    status and headers of the real answer are kept, or `status` replaces the status."""

    body: bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Part>'
    status: int | None = None


Fault = Reset | Stall | ErrorAnswer | Truncate | Malformed
"""One of the faults a `FaultRule` injects."""


@dataclass(slots=True)
class FaultRule:
    """Which requests get a fault, and how many times.

    A request matches when every given condition holds. The first `skip` matching
    requests pass untouched; the next `times` get the fault (`times=None`: all of them).

    Attributes:
        fault: what happens to a matching request.
        method: the HTTP method, e.g. `"PUT"`.
        query: a query parameter the URL carries, e.g. `"uploadId"` or `"uploads"`.
        path_contains: a substring of the URL's encoded path.
        when: any other condition, given the request.
        times: how many matching requests get the fault (`None`: every one).
        skip: matching requests let through before the first fault.
        hits: how many faults this rule injected so far.
    """

    fault: Fault
    method: str | None = None
    query: str | None = None
    path_contains: str | None = None
    when: Callable[[MockRequest], bool] | None = None
    times: int | None = 1
    skip: int = 0
    hits: int = field(default=0, init=False)
    _seen: int = field(default=0, init=False, repr=False)

    def matches(self, request: MockRequest) -> bool:
        """Whether `request` meets the rule's conditions (ignoring `times` and `skip`)."""
        if self.method is not None and request.method.upper() != self.method.upper():
            return False
        if self.query is not None and self.query not in request.url.query:
            return False
        if self.path_contains is not None and self.path_contains not in request.url.raw_path:
            return False
        return self.when is None or self.when(request)

    def _take(self, request: MockRequest) -> bool:
        if not self.matches(request):
            return False
        self._seen += 1
        if self._seen <= self.skip:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


class FaultTransport:
    """A `Transport` that wraps another and injects faults into the requests rules pick.

    ```python
    inner = MockTransport(handler)           # or AiohttpTransport() to a real server
    faulty = FaultTransport(inner, FaultRule(ErrorAnswer(), method="PUT", times=2))
    ```

    The first rule that takes a request decides its fault; requests no rule takes go to
    the wrapped transport unchanged (their body read into bytes first, so a rule can
    look at it). `close()` closes the wrapped transport.

    Args:
        inner: the transport to wrap.
        *rules: the rules, tried in order (more with `add`).
        sleep: how a `Stall` waits (`asyncio.sleep`); inject a fake clock's sleep so a
            test does not wait in real time.
    """

    def __init__(
        self,
        inner: Transport,
        *rules: FaultRule,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.rules: list[FaultRule] = list(rules)
        self.requests: list[MockRequest] = []
        self._sleep = sleep

    def add(self, rule: FaultRule) -> FaultRule:
        """Add `rule` after the existing rules and return it (to read its `hits`)."""
        self.rules.append(rule)
        return rule

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        """Apply the first rule that takes the request, or forward it."""
        data = await read_body(body)
        request = MockRequest(method, url, CIMultiDictProxy(CIMultiDict(headers)), data)
        self.requests.append(request)
        fault = next((r.fault for r in self.rules if r._take(request)), None)
        origin = f"{url.scheme}://{url.raw_authority}"
        if fault is None:
            return await self.inner.send(method, url, headers, data)
        if isinstance(fault, Reset):
            if fault.after_send:
                await self.inner.send(method, url, headers, data)
            raise EndpointConnectionError(
                f"could not connect to the endpoint URL {origin}: connection reset by peer "
                "(injected)",
                endpoint_url=origin,
            )
        if isinstance(fault, Stall):
            if fault.seconds is None:
                await asyncio.Event().wait()  # until cancelled
            else:
                await self._sleep(fault.seconds)
            if fault.then == "answer":
                return await self.inner.send(method, url, headers, data)
            raise ReadTimeoutError(
                f"read timeout on endpoint URL {origin} (injected)", endpoint_url=origin
            )
        if isinstance(fault, ErrorAnswer):
            answer_headers = CIMultiDict({"Content-Type": "application/xml"})
            return RawResponse(fault.status, CIMultiDictProxy(answer_headers), fault.body())
        raw = await self.inner.send(method, url, headers, data)
        if isinstance(fault, Truncate):
            if fault.detected:
                raise EndpointConnectionError(
                    f"could not connect to the endpoint URL {origin}: ClientPayloadError "
                    "(injected: the body ended early)",
                    endpoint_url=origin,
                )
            return RawResponse(raw.status, raw.headers, raw.body[: fault.keep])
        return RawResponse(fault.status or raw.status, raw.headers, fault.body)

    async def close(self) -> None:
        """Close the wrapped transport."""
        await self.inner.close()


if TYPE_CHECKING:  # mypy checks that FaultTransport is a Transport
    _transport: Transport = FaultTransport(FaultTransport(AiohttpTransport()))
