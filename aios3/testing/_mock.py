"""`MockTransport`: a transport that answers from a function, as httpx's `MockTransport`."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._transport import RawResponse

if TYPE_CHECKING:
    from .._transport import Transport

__all__ = ["Handler", "MockRequest", "MockResponse", "MockTransport"]

SECRET_HEADERS = frozenset(
    {
        "x-amz-security-token",
        "x-amz-s3session-token",
        "x-amz-server-side-encryption-customer-key",
        "x-amz-copy-source-server-side-encryption-customer-key",
    }
)
"""Request headers whose values `repr(MockRequest)` hides (lower-case names)."""


@dataclass(frozen=True, slots=True)
class MockRequest:
    """One request as the client sent it: signed, with the body read into bytes.

    Attributes:
        method: the HTTP method, e.g. `"POST"`.
        url: the full URL, percent-encoded as it goes on the wire (`str(request.url)`).
        headers: the signed headers, `Host` and `Authorization` included (case-insensitive).
            They hold what the client sends: the session token (`X-Amz-Security-Token`)
            and an SSE-C key, as S3 would receive them. `repr(request)` shows those as
            `'***'`; `request.headers` itself is the real mapping, so do not log it.
        body: the whole body (`b""` when there is none).
    """

    method: str
    url: URL
    headers: CIMultiDictProxy[str]
    body: bytes

    def __repr__(self) -> str:
        headers = ", ".join(
            f"{k!r}: {'***' if k.lower() in SECRET_HEADERS else repr(v)}"
            for k, v in self.headers.items()
        )
        body = self.body if len(self.body) <= 200 else self.body[:200] + b"..."
        return (
            f"MockRequest(method={self.method!r}, url={str(self.url)!r}, "
            f"headers={{{headers}}}, body={body!r})"
        )

    @property
    def query(self) -> dict[str, str]:
        """The query string as a dict (`{"uploads": ""}` for `?uploads`)."""
        return {k: v for k, v in self.url.query.items()}


@dataclass(frozen=True, slots=True)
class MockResponse:
    """The answer a handler gives: status, headers and body.

    `MockResponse(404, body=b"<Error><Code>NoSuchUpload</Code></Error>")` is an S3 error
    answer; the client parses it into `NoSuchUpload` as it would a real one.
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


Handler = Callable[[MockRequest], "MockResponse | Awaitable[MockResponse]"]
"""A function (plain or `async`) from a `MockRequest` to a `MockResponse`. It may raise a
`aios3.errors.TransportError` to act out a connection that failed."""


async def read_body(body: object) -> bytes:
    """The bytes of a body as the client hands it to a transport (see `Transport.send`)."""
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "__aiter__"):
        chunks = [bytes(chunk) async for chunk in body]
        return b"".join(chunks)
    raise TypeError(f"a transport body is bytes or an async iterable, not {type(body).__name__}")


class MockTransport:
    """A `Transport` whose answers come from `handler`; nothing is sent anywhere.

    ```python
    def handler(request: MockRequest) -> MockResponse:
        return MockResponse(204)

    async with S3Client(region_name="us-east-1", transport=MockTransport(handler),
                        aws_access_key_id="AK", aws_secret_access_key="SK") as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    ```

    The client signs and retries as it would against S3, so a handler sees every attempt.

    Attributes:
        requests: every request received, in order.
        closed: whether `close()` was called (the client calls it when it closes).
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[MockRequest] = []
        self.closed = False

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> RawResponse:
        """Read the body, record the request, and return the handler's answer."""
        data = await read_body(body)
        request = MockRequest(method, url, CIMultiDictProxy(CIMultiDict(headers)), data)
        self.requests.append(request)
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        if not isinstance(answer, MockResponse):
            raise TypeError(f"a MockTransport handler returns a MockResponse, not {answer!r}")
        body = answer.body
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError(
                f"MockResponse.body is bytes, not {type(body).__name__}"
                + (" (encode it)" if isinstance(body, str) else "")
            )
        return RawResponse(
            answer.status, CIMultiDictProxy(CIMultiDict(answer.headers)), bytes(body)
        )

    async def close(self) -> None:
        """Mark the transport closed (there is nothing to release)."""
        self.closed = True


if TYPE_CHECKING:  # mypy checks that MockTransport is a Transport
    _transport: Transport = MockTransport(lambda request: MockResponse())
