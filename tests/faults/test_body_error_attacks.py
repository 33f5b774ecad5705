"""The caller's streamed body failing while `AiohttpTransport` sends it: whatever it raises
(a timeout of its own source, an aiohttp error of its own download, an aios3 error, on the
first chunk or later, with `Expect: 100-continue` or not, after the server has answered)
reaches the caller as it is, with nothing of aiohttp's chained, and no connection is left
acquired; cancellation around it leaks nothing either. Each test runs on both paths
(tests/faults/conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
from aios3.errors import Aios3Error
from tests.faults._raw import RawServer, read_request, reads_bodies
from tests.faults.test_direct_path_attacks import _acquired, _settle, loop_errors

pytestmark = pytest.mark.faults

BOUND = 20.0  # seconds: no test here may take longer, whatever the code under test does
SECRET = "AWS4-HMAC-SHA256 Credential=AKIDATTACK/SECRET-SIGNATURE"
CHUNK = b"c" * (64 << 10)


def _headers(url: str, *, body: bool = True, expect: bool = False) -> CIMultiDict[str]:
    headers = CIMultiDict({"Host": URL(url).raw_authority, "Authorization": SECRET})
    if body:
        headers["Content-Length"] = str(4 * len(CHUNK))
    if expect:
        headers["Expect"] = "100-continue"
    return headers


def _failing(failure: BaseException, after: int) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(after):
            yield CHUNK
        raise failure

    return chunks()


def _nothing_of_aiohttp(error: BaseException) -> None:
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return
        # the caller's own aiohttp error (proxying a download) is theirs; aios3 adds none
        assert seen is error or not type(seen).__module__.startswith("aiohttp"), repr(seen)
        assert SECRET not in repr(seen) and SECRET not in str(seen)
        seen = seen.__cause__ or seen.__context__


FAILURES: dict[str, Callable[[], BaseException]] = {
    "ValueError": lambda: ValueError("the caller's chunk source broke"),
    "OSError": lambda: OSError(5, "the caller's disk failed"),
    "ConnectionResetError": lambda: ConnectionResetError(104, "the caller's source reset"),
    "TimeoutError": lambda: TimeoutError("the caller's source timed out"),
    "aiohttp-timeout": lambda: aiohttp.SocketTimeoutError("the caller's download timed out"),
    "aiohttp-connect-timeout": lambda: aiohttp.ConnectionTimeoutError("the caller's connect"),
    "aiohttp-payload": lambda: aiohttp.ClientPayloadError("the caller's download broke"),
    "aios3-error": lambda: Aios3Error("raised by aios3 inside the caller's body"),
}


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect"])
@pytest.mark.parametrize("after", [0, 2], ids=["first-chunk", "later"])
@pytest.mark.parametrize("kind", list(FAILURES))
async def test_what_the_body_raises_reaches_the_caller_unchanged(
    kind: str, after: int, expect: bool
) -> None:
    failure = FAILURES[kind]()
    with loop_errors() as errors:
        async with RawServer(reads_bodies) as srv:
            transport = aios3.AiohttpTransport(connect_timeout=5, read_timeout=5)
            try:
                url = URL(srv.url + "/b/k", encoded=True)
                with pytest.raises(BaseException) as caught:
                    await asyncio.wait_for(
                        transport.send(
                            "PUT", url, _headers(srv.url, expect=expect), _failing(failure, after)
                        ),
                        BOUND,
                    )
                assert caught.value is failure, repr(caught.value)
                _nothing_of_aiohttp(caught.value)
                assert _acquired(transport) == 0
                raw = await asyncio.wait_for(
                    transport.send("DELETE", url, _headers(srv.url, body=False), None), BOUND
                )
                assert raw.status == 204
            finally:
                await transport.close()
        await _settle()
    assert errors == []


class _NoIterator:
    """An async iterable whose `__aiter__` raises (called by the transport's body writer)."""

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure

    def __aiter__(self) -> AsyncIterator[bytes]:
        raise self.failure


async def test_an_error_of_the_bodys_aiter_reaches_the_caller_unchanged() -> None:
    failure = ValueError("no iterator for you")
    with loop_errors() as errors:
        async with RawServer(reads_bodies) as srv:
            transport = aios3.AiohttpTransport(connect_timeout=5, read_timeout=5)
            try:
                url = URL(srv.url + "/b/k", encoded=True)
                with pytest.raises(ValueError) as caught:
                    await asyncio.wait_for(
                        transport.send("PUT", url, _headers(srv.url), _NoIterator(failure)),
                        BOUND,
                    )
                assert caught.value is failure
                _nothing_of_aiohttp(caught.value)
                assert _acquired(transport) == 0
            finally:
                await transport.close()
        await _settle()
    assert errors == []


class _CallersOwn(BaseException):
    """A BaseException of the caller's (not an Exception): a signal to stop, say."""


@pytest.mark.parametrize("kind", ["callers-base-exception", "GeneratorExit"])
async def test_a_base_exception_of_the_body_reaches_the_caller_unchanged(kind: str) -> None:
    # aiohttp's body writer handles an Exception only: anything else failed its task
    # ("Task exception was never retrieved") and the caller got a retryable
    # EndpointConnectionError (the connection closed under the answer's wait)
    failure = _CallersOwn("stop") if kind == "callers-base-exception" else GeneratorExit()
    with loop_errors() as errors:
        async with RawServer(reads_bodies) as srv:
            transport = aios3.AiohttpTransport(connect_timeout=5, read_timeout=5)
            try:
                url = URL(srv.url + "/b/k", encoded=True)
                with pytest.raises(BaseException) as caught:
                    await asyncio.wait_for(
                        transport.send("PUT", url, _headers(srv.url), _failing(failure, 1)),
                        BOUND,
                    )
                assert caught.value is failure, repr(caught.value)
                _nothing_of_aiohttp(caught.value)
                assert _acquired(transport) == 0
                raw = await asyncio.wait_for(
                    transport.send("DELETE", url, _headers(srv.url, body=False), None), BOUND
                )
                assert raw.status == 204
            finally:
                await transport.close()
        await _settle()
    assert errors == []


async def _answers_early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A PUT is refused (400) as soon as its head is read, its body then read and dropped;
    any other request is answered 204."""
    while True:
        head = await read_request(reader)
        if head.startswith(b"PUT "):
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            while await reader.read(1 << 16):
                pass
            return
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()


async def test_a_body_failing_after_the_server_answered_leaks_nothing() -> None:
    answered = asyncio.Event()
    failure = ValueError("broke after the answer came")

    async def chunks() -> AsyncIterator[bytes]:
        yield CHUNK
        await asyncio.sleep(0.2)  # the 400 has come by now
        answered.set()
        raise failure

    with loop_errors() as errors:
        async with RawServer(_answers_early) as srv:
            transport = aios3.AiohttpTransport(connect_timeout=5, read_timeout=5)
            try:
                url = URL(srv.url + "/b/k", encoded=True)
                try:
                    raw = await asyncio.wait_for(
                        transport.send("PUT", url, _headers(srv.url), chunks()), BOUND
                    )
                except ValueError as exc:  # the body's error, or the server's answer
                    assert exc is failure
                    _nothing_of_aiohttp(exc)
                else:
                    assert raw.status == 400
                await asyncio.wait_for(answered.wait(), BOUND)
                await _settle()
                assert _acquired(transport) == 0
                raw = await asyncio.wait_for(
                    transport.send("DELETE", url, _headers(srv.url, body=False), None), BOUND
                )
                assert raw.status == 204
            finally:
                await transport.close()
        await _settle()
    assert errors == []


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect"])
async def test_cancelled_at_every_turn_around_a_failing_body_leaks_nothing(expect: bool) -> None:
    # cancelled after 0, 1, 2, ... loop turns (then milliseconds), while the body's iterator
    # produces, fails, or after: the cancellation or the body's error, never a connection
    # left acquired
    outcomes: set[str] = set()
    with loop_errors() as errors:
        async with RawServer(reads_bodies) as srv:
            transport = aios3.AiohttpTransport(connect_timeout=5, read_timeout=5)
            try:
                url = URL(srv.url + "/b/k", encoded=True)
                # loop turns, then milliseconds (a 100 Continue takes a few turns more)
                for turns in [*range(30), *(-ms for ms in range(1, 30, 2))]:
                    failure = ValueError(turns)

                    async def chunks(failure: ValueError = failure) -> AsyncIterator[bytes]:
                        yield CHUNK
                        await asyncio.sleep(0)
                        yield CHUNK
                        raise failure

                    headers = _headers(srv.url, expect=expect)
                    task = asyncio.ensure_future(transport.send("PUT", url, headers, chunks()))
                    for _ in range(turns):
                        await asyncio.sleep(0)
                    if turns < 0:
                        await asyncio.sleep(-turns / 1000)
                    task.cancel()
                    try:
                        await asyncio.wait_for(task, BOUND)
                    except asyncio.CancelledError:
                        outcomes.add("cancelled")
                    except ValueError as exc:
                        assert exc is failure
                        _nothing_of_aiohttp(exc)
                        outcomes.add("failed")
                    assert _acquired(transport) == 0, turns
                raw = await asyncio.wait_for(
                    transport.send("DELETE", url, _headers(srv.url, body=False), None), BOUND
                )
                assert raw.status == 204
            finally:
                await transport.close()
        await _settle()
    assert errors == []
    assert outcomes == {"cancelled", "failed"}
