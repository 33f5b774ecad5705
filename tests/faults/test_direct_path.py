"""`AiohttpTransport`'s direct path (aiohttp's request steps, without `ClientSession._request`)
sends what the session would, byte for byte, and gives way to the session where it must."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
import aios3._transport as transport_module
from tests.faults._raw import RawServer, answering

pytestmark = pytest.mark.faults


SET_COOKIE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nSet-Cookie: session=abc; Path=/\r\n\r\nok"


class RecordingServer(RawServer):
    """Records each request's bytes as received (request line, headers in their order and
    case, body), and answers with a `Set-Cookie`, to see it is not sent back."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        super().__init__(answering(self._record, with_body=True))

    async def _record(self, request: bytes) -> bytes:
        self.requests.append(request)
        # a HEAD answer has the headers of the GET's, and no body
        return SET_COOKIE[:-2] if request.startswith(b"HEAD ") else SET_COOKIE


SENDS: list[tuple[str, str, bytes | None, dict[str, str]]] = [
    ("DELETE", "/b/k?uploadId=u", None, {}),
    ("GET", "/b/k?uploadId=u&max-parts=10", None, {}),
    ("HEAD", "/b/k", None, {}),
    ("PUT", "/b/k?partNumber=1&uploadId=u", b"part", {"Content-MD5": "x"}),
    ("PUT", "/b/k?partNumber=2&uploadId=u", bytes(range(256)) * 400, {}),  # watched
    ("POST", "/b/k?uploads", None, {"Content-Type": "text/plain"}),
    ("POST", "/b/k?uploadId=u", b"<CompleteMultipartUpload/>", {}),
]


async def _send_all(url: str) -> tuple[list[int], bool]:
    """Send SENDS on a new transport; the statuses, and whether the direct path was taken."""
    transport = aios3.AiohttpTransport()
    used: list[bool] = []
    real = transport_module._send_direct

    async def spy(*args: object) -> aiohttp.ClientResponse:
        used.append(True)
        return await real(*args)  # type: ignore[arg-type]

    statuses = []
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(transport_module, "_send_direct", spy)
            for method, target, body, extra in SENDS:
                headers = CIMultiDict(
                    {"Host": url.split("//")[1], "X-Amz-Date": "20261202T000000Z", **extra}
                )
                if body is not None:
                    headers["Content-Length"] = str(len(body))
                raw = await transport.send(method, URL(url + target, encoded=True), headers, body)
                statuses.append(raw.status)
    finally:
        await transport.close()
    return statuses, bool(used) and len(used) == len(SENDS)


@pytest.fixture
async def server() -> AsyncIterator[RecordingServer]:
    async with RecordingServer() as srv:
        yield srv


async def test_the_direct_path_sends_the_sessions_bytes(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch, aiohttp_path: str
) -> None:
    if aiohttp_path == "session":
        pytest.skip("compares the two paths itself")
    # a host name, not an IP address: aiohttp's cookie jar keeps no cookie of an IP address
    url = server.url.replace("127.0.0.1", "localhost")
    statuses, direct = await _send_all(url)
    assert direct and statuses == [200] * len(SENDS)
    by_direct, server.requests = server.requests, []

    monkeypatch.setattr(transport_module, "_DIRECT_SUPPORTED", False)
    statuses, direct = await _send_all(url)
    assert not direct and statuses == [200] * len(SENDS)
    assert server.requests == by_direct  # request line, header order and case, body
    first = by_direct[0].split(b"\r\n")
    assert first[0] == b"DELETE /b/k?uploadId=u HTTP/1.1"
    assert first[2] == b"Accept-Encoding: identity"  # the session's default, first
    # no cookie is kept or sent back on either path (as botocore), nor a Content-Type added
    for raw in by_direct:
        assert b"\r\ncookie:" not in raw.lower()
    assert b"content-type" not in by_direct[0].lower()
    assert b"Content-Type: text/plain" in by_direct[5]


async def test_a_replaced_session_request_takes_every_request(server: RecordingServer) -> None:
    # aioresponses (or unittest.mock) replaces ClientSession._request: the transport then
    # sends through the session, so that the double sees every request
    from aioresponses import aioresponses

    url = server.url + "/b/k?uploadId=u"
    transport = aios3.AiohttpTransport()
    try:
        with aioresponses() as mocked:
            mocked.delete(url, status=204, headers={"x-amz-request-id": "mocked"})
            raw = await transport.send(
                "DELETE", URL(url, encoded=True), CIMultiDict({"Host": "h"}), None
            )
        assert raw.status == 204 and raw.headers["x-amz-request-id"] == "mocked"
        assert len(mocked.requests) == 1
        assert server.requests == []  # nothing reached the real server
        # the double gone, the same transport sends directly again
        raw = await transport.send("DELETE", URL(url, encoded=True), CIMultiDict(), None)
        assert raw.status == 200 and len(server.requests) == 1
    finally:
        await transport.close()


def test_an_aiohttp_without_the_steps_takes_the_session_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a step aios3 calls that lost an argument it passes: decided once, no direct path
    class Changed(aiohttp.ClientRequest):
        def __init__(self, method: str, url: URL, *, headers: object = None) -> None:
            raise AssertionError("never built")

    original = aiohttp.ClientRequest
    monkeypatch.setattr(transport_module, "_DIRECT_SUPPORTED", None)
    monkeypatch.setattr(aiohttp, "ClientRequest", Changed)
    assert transport_module._direct_path_supported() is False
    monkeypatch.setattr(aiohttp, "ClientRequest", original)
    monkeypatch.setattr(transport_module, "_DIRECT_SUPPORTED", None)
    assert transport_module._direct_path_supported() is True
