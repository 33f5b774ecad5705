"""The S3 Express session cache: one CreateSession per bucket under load, reuse, refresh,
no caching of failures."""

from __future__ import annotations

import asyncio
import time

import pytest

from aios3._auth import ExpressSessions, FrozenCredentials, Signer

BASE = Signer(FrozenCredentials("AKBASE", "long-term-secret"))


class Fetcher:
    def __init__(self, lifetime: float = 300.0, delay: float = 0.05) -> None:
        self.calls: list[str] = []
        self.lifetime = lifetime
        self.delay = delay
        self.fail_next = 0

    async def __call__(self, bucket: str, base: Signer) -> tuple[FrozenCredentials, float]:
        self.calls.append(bucket)
        await asyncio.sleep(self.delay)
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("CreateSession failed")
        n = len(self.calls)
        return FrozenCredentials(f"ASIA{n}", f"session-secret-{n}", f"tok{n}"), (
            time.time() + self.lifetime
        )


async def test_concurrent_callers_share_one_create_session() -> None:
    fetch = Fetcher()
    sessions = ExpressSessions(fetch)
    signers = await asyncio.gather(*(sessions.signer("b--x-s3", BASE) for _ in range(100)))
    assert fetch.calls == ["b--x-s3"]
    assert len({id(s) for s in signers}) == 1
    assert signers[0].access_key == "ASIA1"
    # and it is reused afterwards
    assert await sessions.signer("b--x-s3", BASE) is signers[0]
    assert fetch.calls == ["b--x-s3"]


async def test_sessions_are_per_bucket_and_per_credentials() -> None:
    fetch = Fetcher(delay=0)
    sessions = ExpressSessions(fetch)
    other = Signer(FrozenCredentials("AKOTHER", "x"))
    a = await sessions.signer("a--x-s3", BASE)
    b = await sessions.signer("b--x-s3", BASE)
    c = await sessions.signer("a--x-s3", other)
    assert len({a.access_key, b.access_key, c.access_key}) == 3
    assert len(fetch.calls) == 3


async def test_failure_is_not_cached_and_reaches_every_waiter() -> None:
    fetch = Fetcher()
    fetch.fail_next = 1
    sessions = ExpressSessions(fetch)
    results = await asyncio.gather(
        *(sessions.signer("b--x-s3", BASE) for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert len(fetch.calls) == 1
    s = await sessions.signer("b--x-s3", BASE)
    assert s.access_key == "ASIA2"
    assert len(fetch.calls) == 2


async def test_refreshed_in_background_before_expiry_old_one_keeps_serving() -> None:
    fetch = Fetcher(lifetime=30, delay=0.05)  # refresh window (60 s) already open
    sessions = ExpressSessions(fetch)
    first = await sessions.signer("b--x-s3", BASE)
    # still usable (> 10 s left): served at once, a refresh starts in the background
    again = await sessions.signer("b--x-s3", BASE)
    assert again is first
    await asyncio.sleep(0.1)
    assert len(fetch.calls) == 2
    newer = await sessions.signer("b--x-s3", BASE)
    assert newer.access_key == "ASIA2"


async def test_expired_session_blocks_for_a_new_one() -> None:
    fetch = Fetcher(lifetime=5, delay=0)  # less than min_validity: never usable for long
    sessions = ExpressSessions(fetch)
    a = await sessions.signer("b--x-s3", BASE)
    b = await sessions.signer("b--x-s3", BASE)
    assert a is not b
    assert len(fetch.calls) == 2


async def test_invalidate_and_close() -> None:
    fetch = Fetcher(delay=0)
    sessions = ExpressSessions(fetch)
    a = await sessions.signer("b--x-s3", BASE)
    sessions.invalidate("b--x-s3", BASE)
    b = await sessions.signer("b--x-s3", BASE)
    assert a is not b
    await sessions.close()
    assert "session-secret" not in repr(sessions) + repr(a)


async def test_cancelled_waiter_does_not_cancel_the_fetch() -> None:
    fetch = Fetcher(delay=0.1)
    sessions = ExpressSessions(fetch)
    waiter = asyncio.ensure_future(sessions.signer("b--x-s3", BASE))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    s = await sessions.signer("b--x-s3", BASE)
    assert s.access_key == "ASIA1"
    assert len(fetch.calls) == 1
