"""The S3 Express session cache: one CreateSession per bucket under load, reuse, refresh on
time (an injected clock), no caching of failures, and close() cancelling what runs.

Nothing here sleeps: the fake CreateSession waits on an event the test opens, and time is
a `FakeClock` the test advances."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aios3._auth import ExpressSessions, FrozenCredentials, Signer
from tests._clock import FakeClock

BASE = Signer(FrozenCredentials("AKBASE", "long-term-secret"))
B = "b--x-s3"


class Fetcher:
    """A CreateSession: sessions last `lifetime` seconds on `clock`; it answers when `gate`
    is open (it is at first), and records calls and cancellations."""

    def __init__(self, clock: FakeClock, lifetime: float = 300.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls: list[str] = []
        self.bases: list[Signer] = []
        self.fail_next = 0
        self.cancelled = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.started = asyncio.Event()

    async def __call__(self, bucket: str, base: Signer) -> tuple[FrozenCredentials, float]:
        self.calls.append(bucket)
        self.bases.append(base)
        self.started.set()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("CreateSession failed")
        n = len(self.calls)
        creds = FrozenCredentials(f"ASIA{n}", f"session-secret-{n}", f"tok{n}")
        return creds, self.clock() + self.lifetime

    def hold(self) -> None:
        """The next calls wait until `gate.set()`."""
        self.gate.clear()
        self.started.clear()


def make(lifetime: float = 300.0, **kwargs: float) -> tuple[ExpressSessions, Fetcher, FakeClock]:
    clock = FakeClock()
    fetch = Fetcher(clock, lifetime)
    return ExpressSessions(fetch, clock=clock, **kwargs), fetch, clock  # type: ignore[arg-type]


async def test_concurrent_callers_share_one_create_session() -> None:
    sessions, fetch, _ = make()
    fetch.hold()
    callers = [asyncio.ensure_future(sessions.signer(B, BASE)) for _ in range(100)]
    await fetch.started.wait()  # all 100 callers are waiting by now
    assert fetch.calls == [B]
    fetch.gate.set()
    signers = await asyncio.gather(*callers)
    assert fetch.calls == [B]
    assert len({id(s) for s in signers}) == 1
    assert signers[0].access_key == "ASIA1"
    # and it is reused afterwards
    assert await sessions.signer(B, BASE) is signers[0]
    assert fetch.calls == [B]


async def test_sessions_are_per_bucket_and_per_credentials() -> None:
    sessions, fetch, _ = make()
    other = Signer(FrozenCredentials("AKOTHER", "x"))
    a = await sessions.signer("a--x-s3", BASE)
    b = await sessions.signer(B, BASE)
    c = await sessions.signer("a--x-s3", other)
    assert len({a.access_key, b.access_key, c.access_key}) == 3
    assert len(fetch.calls) == 3
    assert await sessions.signer("a--x-s3", other) is c


async def test_failure_is_not_cached_and_reaches_every_waiter() -> None:
    sessions, fetch, _ = make()
    fetch.fail_next = 1
    fetch.hold()
    callers = [asyncio.ensure_future(sessions.signer(B, BASE)) for _ in range(10)]
    await fetch.started.wait()
    fetch.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert len(fetch.calls) == 1
    s = await sessions.signer(B, BASE)
    assert s.access_key == "ASIA2"
    assert len(fetch.calls) == 2


async def test_reused_until_refresh_before_then_refreshed_in_the_background() -> None:
    sessions, fetch, clock = make(lifetime=300)  # refresh_before=60, min_validity=10
    start = clock.now
    first = await sessions.signer(B, BASE)
    clock.now = start + 239.999
    assert await sessions.signer(B, BASE) is first
    assert len(fetch.calls) == 1
    # 60 s before expiry: the old session is served at once, one refresh starts behind it
    clock.now = start + 240
    fetch.hold()
    assert await sessions.signer(B, BASE) is first
    await fetch.started.wait()
    assert len(fetch.calls) == 2
    assert await sessions.signer(B, BASE) is first  # no second refresh while one runs
    assert len(fetch.calls) == 2
    fetch.gate.set()
    (refresh,) = sessions._background
    await refresh
    newer = await sessions.signer(B, BASE)
    assert newer.access_key == "ASIA2"
    assert len(fetch.calls) == 2


async def test_within_min_validity_callers_wait_for_a_new_session() -> None:
    sessions, fetch, clock = make(lifetime=300)
    start = clock.now
    first = await sessions.signer(B, BASE)
    clock.now = start + 289.999  # still usable: served, refreshed in the background
    fetch.hold()
    assert await sessions.signer(B, BASE) is first
    fetch.gate.set()
    await asyncio.gather(*sessions._background)
    second = await sessions.signer(B, BASE)
    assert second.access_key == "ASIA2"
    # 10 s before the new session expires, it is not served any more: callers wait
    clock.now += 290
    fetch.hold()
    waiter = asyncio.ensure_future(sessions.signer(B, BASE))
    await fetch.started.wait()
    assert not waiter.done()
    fetch.gate.set()
    assert (await waiter).access_key == "ASIA3"


@pytest.mark.parametrize(("refresh_before", "min_validity"), [(120.0, 30.0), (0.0, 0.0)])
async def test_refresh_before_and_min_validity_are_honoured(
    refresh_before: float, min_validity: float
) -> None:
    sessions, fetch, clock = make(
        lifetime=300, refresh_before=refresh_before, min_validity=min_validity
    )
    start = clock.now
    first = await sessions.signer(B, BASE)
    clock.now = start + 300 - refresh_before - 0.001
    assert await sessions.signer(B, BASE) is first
    clock.now = start + 300 - min_validity - 0.001
    assert await sessions.signer(B, BASE) is first
    clock.now = start + 300 - min_validity
    await sessions.signer(B, BASE)
    assert len(fetch.calls) >= 2 and (await sessions.signer(B, BASE)) is not first


async def test_expired_session_blocks_for_a_new_one() -> None:
    sessions, fetch, _ = make(lifetime=5)  # less than min_validity: never usable for long
    a = await sessions.signer(B, BASE)
    b = await sessions.signer(B, BASE)
    assert a is not b
    assert len(fetch.calls) == 2


async def test_the_oldest_session_is_evicted_beyond_max_sessions() -> None:
    sessions, fetch, _ = make(max_sessions=2)
    a = await sessions.signer("a--x-s3", BASE)
    b = await sessions.signer(B, BASE)
    await sessions.signer("c--x-s3", BASE)  # evicts a
    assert await sessions.signer(B, BASE) is b
    assert await sessions.signer("a--x-s3", BASE) is not a
    assert len(fetch.calls) == 4


async def test_invalidate() -> None:
    sessions, fetch, _ = make()
    a = await sessions.signer(B, BASE)
    sessions.invalidate(B, BASE, used=Signer(FrozenCredentials("ASIAOLD", "x")))
    assert await sessions.signer(B, BASE) is a  # a late answer to an older session
    sessions.invalidate(B, BASE, used=a)
    b = await sessions.signer(B, BASE)
    assert a is not b
    sessions.invalidate(B, BASE)
    assert await sessions.signer(B, BASE) is not b
    assert len(fetch.calls) == 3
    assert "session-secret" not in repr(sessions) + repr(a)


async def test_close_cancels_a_background_refresh() -> None:
    sessions, fetch, clock = make(lifetime=300)
    first = await sessions.signer(B, BASE)
    clock.advance(250)
    fetch.hold()
    assert await sessions.signer(B, BASE) is first
    await fetch.started.wait()
    (refresh,) = sessions._background
    await sessions.close()
    # cancelled and awaited by the time close() returns
    assert fetch.cancelled == 1
    assert refresh.cancelled()
    assert not sessions._background and not sessions._inflight


async def test_close_cancels_a_create_session_callers_wait_for() -> None:
    sessions, fetch, _ = make()
    fetch.hold()
    waiter = asyncio.ensure_future(sessions.signer(B, BASE))
    await fetch.started.wait()
    (inflight,) = sessions._inflight.values()
    await sessions.close()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiter, 5)  # a bound, not a synchronisation: it does not wait
    assert inflight.cancelled() and fetch.cancelled == 1


async def test_cancelled_waiter_does_not_cancel_the_fetch() -> None:
    sessions, fetch, _ = make()
    fetch.hold()
    waiter = asyncio.ensure_future(sessions.signer(B, BASE))
    await fetch.started.wait()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    fetch.gate.set()
    s = await sessions.signer(B, BASE)
    assert s.access_key == "ASIA1"
    assert len(fetch.calls) == 1 and fetch.cancelled == 0


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What reaches the event loop's exception handler ("exception never retrieved",
    errors in done callbacks)."""
    errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    old = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    yield errors
    loop.set_exception_handler(old)


async def test_create_session_is_signed_with_the_long_term_signer() -> None:
    sessions, fetch, clock = make()
    await sessions.signer(B, BASE)
    clock.advance(250)
    await sessions.signer(B, BASE)  # a background refresh
    await asyncio.gather(*sessions._background)
    assert fetch.bases == [BASE, BASE]


async def test_a_failed_background_refresh_is_logged_and_retried(
    caplog: pytest.LogCaptureFixture, loop_errors: list[dict[str, Any]]
) -> None:
    sessions, fetch, clock = make()
    first = await sessions.signer(B, BASE)
    clock.advance(250)
    fetch.fail_next = 1
    with caplog.at_level(logging.WARNING, logger="aios3"):
        assert await sessions.signer(B, BASE) is first
        await asyncio.gather(*sessions._background, return_exceptions=True)
    assert [r.getMessage() for r in caplog.records] == [
        "background refresh of an S3 Express session failed: RuntimeError('CreateSession failed')"
    ]
    assert await sessions.signer(B, BASE) is first  # the old session still serves
    await asyncio.gather(*sessions._background)
    assert (await sessions.signer(B, BASE)).access_key == "ASIA3"
    assert loop_errors == []


async def test_a_failure_nobody_waits_for_is_not_reported_as_unretrieved(
    loop_errors: list[dict[str, Any]],
) -> None:
    sessions, fetch, _ = make()
    fetch.fail_next = 1
    fetch.hold()
    waiter = asyncio.ensure_future(sessions.signer(B, BASE))
    await fetch.started.wait()
    (inflight,) = sessions._inflight.values()
    waiter.cancel()  # the only waiter leaves
    with pytest.raises(asyncio.CancelledError):
        await waiter
    fetch.gate.set()
    await asyncio.wait([inflight])  # done, its exception not retrieved by the test
    assert inflight.done() and not inflight.cancelled()
    del inflight, waiter
    gc.collect()
    assert loop_errors == []


async def test_close_reports_nothing_to_the_loop(
    caplog: pytest.LogCaptureFixture, loop_errors: list[dict[str, Any]]
) -> None:
    sessions, fetch, clock = make()
    await sessions.signer(B, BASE)
    clock.advance(250)
    fetch.hold()
    await sessions.signer(B, BASE)
    await fetch.started.wait()
    with caplog.at_level(logging.WARNING, logger="aios3"):
        await sessions.close()
    gc.collect()
    assert loop_errors == [] and caplog.records == []
