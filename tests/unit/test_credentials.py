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
from tests._clock import FakeClock


class FakeRefreshable:
    """Looks like botocore's RefreshableCredentials: keys that expire `lifetime` seconds
    after each fetch, on the test's clock."""

    def __init__(self, lifetime: float, clock: FakeClock | None = None) -> None:
        self.lifetime = lifetime
        self.clock = clock or FakeClock()
        self.fetches = 0
        self.threads: list[str] = []

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        self.fetches += 1
        self.threads.append(threading.current_thread().name)
        expiry = self.clock() + self.lifetime
        self._expiry_time = dt.datetime.fromtimestamp(expiry, dt.timezone.utc)
        return ReadOnlyCredentials(f"AK{self.fetches}", f"SECRET{self.fetches}", "TOKEN")


async def test_resolved_once_off_the_loop_for_concurrent_callers() -> None:
    fake = FakeRefreshable(lifetime=3600)
    loads = 0

    def loader() -> Any:
        nonlocal loads
        loads += 1
        return fake

    cache = CredentialCache(loader=loader, clock=fake.clock)
    signers = await asyncio.gather(*(cache.signer() for _ in range(50)))
    assert len({id(s) for s in signers}) == 1
    assert loads == 1 and fake.fetches == 1
    assert fake.threads[0] != threading.main_thread().name


async def test_refreshed_before_expiry() -> None:
    fake = FakeRefreshable(lifetime=60)  # less than the 300 s margin: refresh at half-life
    cache = CredentialCache(loader=lambda: fake, clock=fake.clock)  # type: ignore[arg-type, return-value]
    first = await cache.signer()
    assert await cache.signer() is first
    fake.clock.advance(30)  # time passes
    second = await cache.signer()
    assert second is not first
    assert fake.fetches == 2
    assert "AK2" in repr(second) and "SECRET" not in repr(second)


@pytest.mark.parametrize(
    ("lifetime", "margin", "refresh_after"),
    [
        (3600, 300, 3300),  # long-lived keys: `margin` seconds before they expire
        (700, 300, 400),  # still the margin (400 > half-life 350)
        (600, 300, 300),  # the margin and the half-life meet
        (400, 300, 200),  # shorter than twice the margin: at half-life
        (60, 300, 30),
        (1.5, 300, 1.0),  # never sooner than a second after the fetch: no busy loop
        (0.5, 300, 1.0),
        (-5, 300, 1.0),  # already expired keys: no busy loop either
        (3600, 0, 3600),  # refresh_margin is honoured
        (3600, 1000, 2600),
    ],
)
async def test_refresh_time(lifetime: float, margin: float, refresh_after: float) -> None:
    fake = FakeRefreshable(lifetime)
    start = fake.clock.now
    cache = CredentialCache(loader=lambda: fake, refresh_margin=margin, clock=fake.clock)  # type: ignore[arg-type, return-value]
    first = await cache.signer()
    fake.clock.now = start + refresh_after - 0.001
    assert await cache.signer() is first
    assert fake.fetches == 1
    fake.clock.now = start + refresh_after
    second = await cache.signer()
    assert second is not first and second.access_key == "AK2"
    assert fake.fetches == 2
    # the next deadline counts from the second fetch
    assert await cache.signer() is second
    fake.clock.now = start + 2 * refresh_after - 0.001
    assert await cache.signer() is second
    fake.clock.now = start + 2 * refresh_after
    assert (await cache.signer()).access_key == "AK3"


async def test_concurrent_callers_at_the_deadline_share_one_refresh() -> None:
    fake = FakeRefreshable(lifetime=3600)
    cache = CredentialCache(loader=lambda: fake, clock=fake.clock)  # type: ignore[arg-type, return-value]
    await cache.signer()
    fake.clock.advance(3300)
    signers = await asyncio.gather(*(cache.signer() for _ in range(20)))
    assert {s.access_key for s in signers} == {"AK2"} and len({id(s) for s in signers}) == 1
    assert fake.fetches == 2


async def test_keys_without_expiry_are_never_refreshed() -> None:
    clock = FakeClock()

    class Plain:  # botocore's plain Credentials: no expiry
        fetches = 0

        def get_frozen_credentials(self) -> ReadOnlyCredentials:
            self.fetches += 1
            return ReadOnlyCredentials("AKPLAIN", "SKPLAIN", None)

    plain = Plain()
    cache = CredentialCache(loader=lambda: plain, clock=clock)  # type: ignore[arg-type, return-value]
    first = await cache.signer()
    clock.advance(10 * 365 * 86400)
    assert await cache.signer() is first
    assert plain.fetches == 1


async def test_static_credentials_are_never_refreshed() -> None:
    clock = FakeClock()
    cache = CredentialCache(loader=None, static=FrozenCredentials("AKS", "SKS"), clock=clock)
    first = await cache.signer()
    clock.advance(10 * 365 * 86400)
    assert await cache.signer() is first


async def test_static_credentials_never_touch_the_provider_chain() -> None:
    cache = CredentialCache(loader=None, static=FrozenCredentials("AKS", "SKS", "TOK"))
    s = await cache.signer()
    assert "SKS" not in repr(s) and "TOK" not in repr(cache)
    assert "SKS" not in repr(FrozenCredentials("AKS", "SKS", "TOK"))


async def test_missing_credentials_raise_a_typed_error() -> None:
    cache = CredentialCache(loader=lambda: None)
    with pytest.raises(NoCredentialsError) as info:
        await cache.signer()
    assert str(info.value) == (
        "Unable to locate credentials: pass aws_access_key_id/aws_secret_access_key, "
        "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile"
    )


async def test_a_failing_provider_is_a_typed_error() -> None:
    from botocore.exceptions import PartialCredentialsError

    def loader() -> Any:
        raise PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY")

    cache = CredentialCache(loader=loader)
    with pytest.raises(NoCredentialsError) as info:
        await cache.signer()
    assert str(info.value) == (
        "could not load credentials: Partial credentials found in env, "
        "missing: AWS_SECRET_ACCESS_KEY"
    )
    assert info.value.__cause__ is None


async def test_incomplete_credentials_are_refused() -> None:
    class Partial:
        def get_frozen_credentials(self) -> ReadOnlyCredentials:
            return ReadOnlyCredentials("AKONLY", None, None)  # type: ignore[arg-type]

    cache = CredentialCache(loader=lambda: Partial())  # type: ignore[arg-type, return-value]
    with pytest.raises(
        NoCredentialsError, match=r"^the credential provider returned incomplete credentials$"
    ):
        await cache.signer()


async def test_secret_and_token_are_carried_and_the_repr_shows_the_key_only() -> None:
    fake = FakeRefreshable(lifetime=3600)
    cache = CredentialCache(loader=lambda: fake, clock=fake.clock)  # type: ignore[arg-type, return-value]
    assert repr(cache) == "<CredentialCache access_key=None>"
    await cache.signer()
    assert cache._current == FrozenCredentials("AK1", "SECRET1", "TOKEN")
    assert repr(cache) == "<CredentialCache access_key='AK1'>"


async def test_sigv4a_signer_follows_a_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    # awscrt is optional: any botocore signer class stands in for CrtS3SigV4AsymAuth here
    from aios3 import _auth

    monkeypatch.setattr(_auth, "_sigv4a_class", lambda: _auth._CachingS3SigV4Auth)
    fake = FakeRefreshable(lifetime=3600)
    cache = CredentialCache(loader=lambda: fake, clock=fake.clock)  # type: ignore[arg-type, return-value]
    a = await cache.sigv4a_signer()
    assert repr(a) == "<Signer sigv4a access_key='AK1'>"
    assert await cache.sigv4a_signer() is a
    fake.clock.advance(3300)
    b = await cache.sigv4a_signer()
    assert repr(b) == "<Signer sigv4a access_key='AK2'>"
