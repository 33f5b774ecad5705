"""The read timeout kept as a deadline (`_DeadlineResponseHandler`): what times out is
aiohttp's rule (no data for `read_timeout` seconds), with one timer per connection instead
of two to four timer operations per request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
import aios3._transport as transport_module
from tests.faults._raw import Handler, RawServer, read_request, serve_ok

pytestmark = pytest.mark.faults

BOUND = 20.0


@contextlib.asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    async with RawServer(handler) as srv:
        yield srv.url


def trickle(chunks: int, every: float, stall_after: int | None = None) -> Handler:
    """A body of `chunks` 10-byte chunks, one every `every` seconds; with `stall_after`,
    nothing more after that many chunks."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (chunks * 10))
        for i in range(chunks):
            if stall_after is not None and i == stall_after:
                await asyncio.sleep(3600)
            writer.write(b"0123456789")
            await writer.drain()
            await asyncio.sleep(every)

    return handler


async def send(transport: aios3.AiohttpTransport, url: str) -> aios3.RawResponse:
    headers = CIMultiDict({"Host": url.split("//")[1]})
    return await transport.send("GET", URL(url + "/b/k", encoded=True), headers, None)


def protocols(transport: aios3.AiohttpTransport) -> list[object]:
    session = transport._session
    assert session is not None and session.connector is not None
    conns = session.connector._conns  # type: ignore[attr-defined]
    return [proto for queue in conns.values() for proto, _ in queue]


async def test_a_body_that_keeps_coming_is_not_cut_off(aiohttp_path: str) -> None:
    # 12 chunks, one every 0.15 s: 1.8 s in all, never 0.5 s without data
    async with serve(trickle(12, 0.15)) as url:
        transport = aios3.AiohttpTransport(read_timeout=0.5)
        try:
            raw = await asyncio.wait_for(send(transport, url), BOUND)
            assert raw.status == 200 and raw.body == b"0123456789" * 12
        finally:
            await transport.close()


async def test_a_stall_in_the_body_times_out_on_time(aiohttp_path: str) -> None:
    async with serve(trickle(12, 0.1, stall_after=3)) as url:
        transport = aios3.AiohttpTransport(read_timeout=0.5)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(aios3.errors.ReadTimeoutError):
                await asyncio.wait_for(send(transport, url), BOUND)
            # the third chunk at 0.2 s, then 0.5 s of silence: not before, nor much after
            assert 0.65 <= loop.time() - started < 1.6
        finally:
            await transport.close()


async def test_one_timer_per_connection_not_per_request(
    aiohttp_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    scheduled: list[str] = []
    real = loop.call_at  # call_later goes through it

    def counting(
        when: float, callback: Callable[..., object], *args: object, **kwargs: object
    ) -> asyncio.TimerHandle:
        scheduled.append(getattr(callback, "__name__", repr(callback)))
        return real(when, callback, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "call_at", counting)
    async with serve(serve_ok) as url:
        transport = aios3.AiohttpTransport(read_timeout=30)
        try:
            for _ in range(100):
                raw = await asyncio.wait_for(send(transport, url), BOUND)
                assert raw.body == b"ok"
            [proto] = protocols(transport)
            assert type(proto) is transport_module._DeadlineResponseHandler
        finally:
            await transport.close()
    timers = [n for n in scheduled if "read_timeout" in n]  # not the connect timeout's
    # aiohttp's own handler scheduled a new timer at every request and at every chunk
    assert timers == ["_read_timeout_due"], timers


async def test_an_idle_pooled_connection_outlives_its_timer(aiohttp_path: str) -> None:
    async with serve(serve_ok) as url:
        transport = aios3.AiohttpTransport(read_timeout=0.3)
        try:
            assert (await send(transport, url)).body == b"ok"
            [proto] = protocols(transport)
            await asyncio.sleep(0.6)  # past the timer: it finds no deadline and stops
            assert proto._read_timeout_handle is None  # type: ignore[attr-defined]
            assert (await send(transport, url)).body == b"ok"  # the same connection
            assert protocols(transport) == [proto]
        finally:
            await transport.close()
        # closed: no timer is left holding the protocol
        assert proto._read_timeout_handle is None  # type: ignore[attr-defined]


def test_aiohttp_builds_its_protocols_as_expected() -> None:
    # the connector's factory and the handler's timer methods are as aios3 expects (else
    # aiohttp's own handler is kept, and these tests would fail on the type check)
    assert transport_module._LAZY_TIMEOUTS
