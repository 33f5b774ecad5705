"""Credential resolution: off the event loop, once, refreshed before expiry, never leaked."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import pytest
from botocore.credentials import ReadOnlyCredentials

from aios3._auth import CredentialCache, FrozenCredentials
from aios3.errors import NoCredentialsError


class FakeRefreshable:
    """Looks like botocore's RefreshableCredentials: keys that expire."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.fetches = 0
        self.threads: list[str] = []

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        self.fetches += 1
        self.threads.append(threading.current_thread().name)
        now = dt.datetime.now(dt.timezone.utc)
        self._expiry_time = now + dt.timedelta(seconds=self.lifetime)
        return ReadOnlyCredentials(f"AK{self.fetches}", f"SECRET{self.fetches}", "TOKEN")


async def test_resolved_once_off_the_loop_for_concurrent_callers() -> None:
    fake = FakeRefreshable(lifetime=3600)
    loads = 0

    def loader() -> Any:
        nonlocal loads
        loads += 1
        return fake

    cache = CredentialCache(loader=loader)
    signers = await asyncio.gather(*(cache.signer() for _ in range(50)))
    assert len({id(s) for s in signers}) == 1
    assert loads == 1 and fake.fetches == 1
    assert fake.threads[0] != threading.main_thread().name


async def test_refreshed_before_expiry() -> None:
    fake = FakeRefreshable(lifetime=60)  # less than the 300 s margin: refresh at half-life
    cache = CredentialCache(loader=lambda: fake)  # type: ignore[arg-type, return-value]
    first = await cache.signer()
    assert await cache.signer() is first
    cache._refresh_at = 0  # time passes
    second = await cache.signer()
    assert second is not first
    assert fake.fetches == 2
    assert "AK2" in repr(second) and "SECRET" not in repr(second)


async def test_static_credentials_never_touch_the_provider_chain() -> None:
    cache = CredentialCache(loader=None, static=FrozenCredentials("AKS", "SKS", "TOK"))
    s = await cache.signer()
    assert "SKS" not in repr(s) and "TOK" not in repr(cache)
    assert "SKS" not in repr(FrozenCredentials("AKS", "SKS", "TOK"))


async def test_missing_credentials_raise_a_typed_error() -> None:
    cache = CredentialCache(loader=lambda: None)
    with pytest.raises(NoCredentialsError, match="Unable to locate credentials"):
        await cache.signer()
