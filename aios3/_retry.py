"""Retries: a strategy object shaped like botocore's standard mode and smithy-python's
`RetryStrategy`.

The client asks the strategy three things, and nothing else:

- `acquire_initial_retry_token(replayable=..., retry_safe=...)` before the first attempt;
- `refresh_retry_token_for_retry(token, error=classified)` after a failed attempt: it waits
  the backoff and returns the token for the next attempt, or returns `None` for "no more
  retries" (the client then raises the error);
- `record_success(token)` once the call succeeded.

A strategy may also have `async before_send()`: the client awaits it before every attempt,
first included (the adaptive mode's client-side rate limiter waits for a send token there).

What failed is told by `classify(error)`: a `ClassifiedError` whose `kind` is
`"throttling"`, `"transient"`, `"timeout"`, `"connection"` or `None` (not retryable).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from .errors import (
    Aios3Error,
    ClientError,
    ConnectTimeoutError,
    ParamValidationError,
    ReadTimeoutError,
    SSLCertVerificationError,
    TransportError,
)

__all__ = [
    "ADAPTIVE_THROTTLING_CODES",
    "LEGACY_RETRYABLE_CODES",
    "LEGACY_RETRYABLE_STATUS_CODES",
    "RETRY_MODES",
    "THROTTLING_CODES",
    "TRANSIENT_CODES",
    "TRANSIENT_STATUS_CODES",
    "AdaptiveRetryStrategy",
    "ClassifiedError",
    "ClientRateLimiter",
    "ErrorKind",
    "LegacyRetryStrategy",
    "RetryMode",
    "RetryQuota",
    "RetryStrategy",
    "RetryToken",
    "StandardRetryStrategy",
    "classify",
    "strategy_for",
]

log = logging.getLogger("aios3")

ErrorKind = Literal["throttling", "transient", "timeout", "connection"]
"""Why a failed attempt may be retried (`None` in `ClassifiedError.kind`: it may not)."""

THROTTLING_CODES: frozenset[str] = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "SlowDown",
        "RequestLimitExceeded",
    }
)
"""Error codes that mean "slow down": retried, and the only ones retried for an
operation that is not safe to retry."""

TRANSIENT_CODES: frozenset[str] = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "InternalError",
        "ServiceUnavailable",
    }
)
"""Error codes of transient server-side failures, retried whatever the HTTP status."""

TRANSIENT_STATUS_CODES: frozenset[int] = frozenset({500, 502, 503, 504})
"""HTTP statuses retried whatever the error code (as botocore's standard mode)."""

RetryMode = Literal["standard", "legacy", "adaptive"]
"""The retry modes of boto3's `Config(retries={"mode": ...})` / `AWS_RETRY_MODE`."""

RETRY_MODES: tuple[RetryMode, ...] = ("standard", "legacy", "adaptive")

LEGACY_RETRYABLE_STATUS_CODES: frozenset[int] = frozenset({429, 500, 502, 503, 504, 509})
"""HTTP statuses the legacy mode retries whatever the error code (botocore's `_retry.json`)."""

LEGACY_RETRYABLE_CODES: frozenset[str] = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestTimeout",  # S3's own policy
        "BadDigest",  # S3's own policy
    }
)
"""Error codes the legacy mode retries when the HTTP status is 400 (botocore's `_retry.json`,
its default policies and S3's)."""

ADAPTIVE_THROTTLING_CODES: frozenset[str] = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
"""Error codes that lower the adaptive mode's send rate (botocore's throttling detector)."""


@dataclass(frozen=True, slots=True)
class ClassifiedError:
    """A failed attempt's error, and why it may be retried.

    Attributes:
        error: what the attempt raised or was answered: a `ClientError` (an S3 error,
            including an error in the body of a 200 answer) or a `TransportError`.
        kind: `"throttling"`, `"transient"` (5xx or a transient code), `"timeout"`
            (connect, read or write timeout), `"connection"` (any other transport failure
            but a TLS certificate that failed verification), or `None` when the error is
            final.
    """

    error: Aios3Error
    kind: ErrorKind | None


def classify(error: Aios3Error) -> ClassifiedError:
    """Classify one attempt's error as botocore's standard mode does."""
    kind: ErrorKind | None = None
    if isinstance(error, ClientError):
        code = error.code
        if code in THROTTLING_CODES:
            kind = "throttling"
        elif (
            code in TRANSIENT_CODES
            or error.status_code in TRANSIENT_STATUS_CODES
            # an error inside a 200 answer's body: botocore retries it as a 500, whatever
            # its code (S3 may fail a CompleteMultipartUpload after it answered 200)
            or error.status_code < 300
        ):
            kind = "transient"
    elif isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        kind = "timeout"
    elif isinstance(error, TransportError) and not isinstance(error, SSLCertVerificationError):
        kind = "connection"  # an untrusted certificate stays untrusted: not retried
    return ClassifiedError(error, kind)


@dataclass(frozen=True, slots=True)
class RetryToken:
    """One call's retry state, handed back to the strategy after each attempt.

    Attributes:
        retry_count: attempts made so far minus one (`ResponseMetadata.RetryAttempts`).
        retry_delay: the backoff waited before this attempt, in seconds.
        replayable: the request body can be sent again (bytes, or a file that was
            rewound); a call whose body cannot is never retried.
        retry_safe: the operation may be sent twice; when `False` only throttling
            answers (the request was refused, not processed) are retried.
        quota_cost: retry-quota capacity held by the last retry, given back on success.
        waited: seconds spent in backoff so far, by the strategy's clock.
    """

    retry_count: int = 0
    retry_delay: float = 0.0
    replayable: bool = True
    retry_safe: bool = True
    quota_cost: int = 0
    waited: float = 0.0


@runtime_checkable
class RetryStrategy(Protocol):
    """What the client asks before, between and after attempts.

    Implement it to plug your own policy (`aios3.Config(retry_strategy=...)`). One
    strategy object may serve several clients; the client calls it from its event loop.
    """

    max_attempts: int
    """Total attempts per call, first try included."""

    def acquire_initial_retry_token(
        self, *, replayable: bool = True, retry_safe: bool = True
    ) -> RetryToken:
        """The token for a call's first attempt."""
        ...

    async def refresh_retry_token_for_retry(
        self, token: RetryToken, *, error: ClassifiedError
    ) -> RetryToken | None:
        """After a failed attempt: wait the backoff and return the next attempt's token,
        or return `None` when the call must not be retried (the error is raised)."""
        ...

    def record_success(self, token: RetryToken) -> None:
        """The call succeeded with this token."""
        ...


class RetryQuota:
    """A token bucket that stops retries when most calls are failing (botocore's).

    Every retry takes `retry_cost` (5) from the bucket, or `timeout_cost` (10) after a
    timeout; when the bucket cannot pay, the call is not retried and its error is
    raised at once. A call that succeeds after retries gives back what its last retry
    took; a call that succeeds at the first attempt gives back `success_refill` (1). The
    bucket never holds more than `capacity` (500). Not thread-safe: use it from one
    event loop.
    """

    __slots__ = ("_available", "capacity", "retry_cost", "success_refill", "timeout_cost")

    def __init__(
        self,
        capacity: int = 500,
        *,
        retry_cost: int = 5,
        timeout_cost: int = 10,
        success_refill: int = 1,
    ) -> None:
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.timeout_cost = timeout_cost
        self.success_refill = success_refill
        self._available = capacity

    @property
    def available(self) -> int:
        """Capacity left in the bucket."""
        return self._available

    def acquire(self, kind: ErrorKind) -> int:
        """Take the cost of one retry after an error of `kind`; 0 when the bucket is short."""
        cost = self.timeout_cost if kind == "timeout" else self.retry_cost
        if cost > self._available:
            return 0
        self._available -= cost
        return cost

    def release(self, amount: int) -> None:
        """Give `amount` back, up to `capacity`."""
        self._available = min(self.capacity, self._available + amount)

    def __repr__(self) -> str:
        return f"<RetryQuota {self._available}/{self.capacity}>"


# the first-attempt tokens are immutable and the same for every call: built once
_INITIAL = {
    (replayable, safe): RetryToken(replayable=replayable, retry_safe=safe)
    for replayable in (True, False)
    for safe in (True, False)
}
_FIRST = _INITIAL[True, True]


class StandardRetryStrategy:
    """botocore's standard retry mode.

    - at most `max_attempts` attempts per call, the first included;
    - a call is retried after a throttling code, a transient code, a 500/502/503/504,
      an error inside a 200 answer, a connection error or a timeout (see `classify`);
      anything else is raised at once;
    - a call whose body cannot be sent again (an async iterable, a file that cannot
      seek) is never retried;
    - before retry *n* (1, 2, ...) it waits a full-jitter exponential backoff,
      `random() * min(base * 2 ** (n - 1), max_backoff)` seconds: up to 1 s, 2 s, 4 s...
      and never more than 20 s;
    - retries draw on a `RetryQuota` shared by every call of the client (or of every
      client sharing this strategy).

    Args:
        max_attempts: total attempts per call, first try included (1: no retries).
        max_backoff: the cap on one backoff, in seconds.
        base: the first backoff's upper bound, in seconds.
        quota: the retry quota; `None` (the default) makes a fresh `RetryQuota()`. Pass
            one `RetryQuota` to several strategies to share it.
        sleep: awaited with each backoff delay (`asyncio.sleep`). Tests pass a fake.
        clock: a monotonic clock in seconds (`time.monotonic`), read around each sleep
            to record `RetryToken.waited`. Tests pass the fake sleep's clock.
        random: returns a float in [0, 1) (`random.random`), the backoff's jitter.
    """

    def __init__(
        self,
        max_attempts: int = 3,
        *,
        max_backoff: float = 20.0,
        base: float = 1.0,
        quota: RetryQuota | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if max_attempts < 1:
            raise ParamValidationError(f"max_attempts: must be at least 1, got {max_attempts}")
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self.base = base
        self.quota = quota if quota is not None else RetryQuota()
        self._sleep = sleep
        self._clock = clock
        self._random = random

    def __repr__(self) -> str:
        return f"<StandardRetryStrategy max_attempts={self.max_attempts} quota={self.quota!r}>"

    def acquire_initial_retry_token(
        self, *, replayable: bool = True, retry_safe: bool = True
    ) -> RetryToken:
        """The first attempt's token (no quota is taken for a first attempt)."""
        if replayable and retry_safe:
            return _FIRST
        return _INITIAL[replayable, retry_safe]

    def backoff(self, retry: int) -> float:
        """The delay before retry number `retry` (1 for the first retry)."""
        return self._random() * min(self.base * 2.0 ** (retry - 1), self.max_backoff)

    async def refresh_retry_token_for_retry(
        self, token: RetryToken, *, error: ClassifiedError
    ) -> RetryToken | None:
        """Wait the backoff and return the next token, or `None`: do not retry."""
        kind = error.kind
        if kind is None or not token.replayable:
            return None
        if not token.retry_safe and kind != "throttling":
            return None
        retry = token.retry_count + 1
        if retry >= self.max_attempts:
            return None
        cost = self.quota.acquire(kind)
        if not cost:
            log.debug("not retrying: the retry quota is exhausted (%r)", self.quota)
            return None
        delay = self.backoff(retry)
        start = self._clock()
        await self._sleep(delay)
        return RetryToken(
            retry,
            delay,
            token.replayable,
            token.retry_safe,
            cost,
            token.waited + (self._clock() - start),
        )

    def record_success(self, token: RetryToken) -> None:
        """Refill the quota: what the last retry took, or `success_refill` for a first try."""
        quota = self.quota
        if quota._available < quota.capacity:
            quota.release(token.quota_cost or quota.success_refill)


class LegacyRetryStrategy:
    """botocore's legacy retry mode (boto3's default mode), as its `retryhandler` does it.

    - at most `max_attempts` attempts per call, the first included (5 by default);
    - a call is retried after an HTTP 429, 500, 502, 503, 504 or 509 whatever the error
      code, after a 400 whose code is one of `LEGACY_RETRYABLE_CODES`, after an error in
      the body of a 200 answer (botocore reads it as a 500), and after a connection error
      or a timeout; anything else is raised at once;
    - a call whose body cannot be sent again is never retried, and an operation that is
      not safe to retry is retried only after a throttling error (as in standard mode);
    - before retry *n* (1, 2, ...) it waits `random() * 2 ** (n - 1)` seconds, without a
      cap: up to 1 s, 2 s, 4 s, 8 s;
    - there is no retry quota.

    aios3 leaves out one of botocore's legacy retries: a TLS certificate that failed
    verification (`SSLCertVerificationError`) is not retried, in any mode.

    Args:
        max_attempts: total attempts per call, first try included (1: no retries).
        sleep: awaited with each backoff delay (`asyncio.sleep`). Tests pass a fake.
        clock: a monotonic clock in seconds, read around each sleep (`RetryToken.waited`).
        random: returns a float in [0, 1) (`random.random`), the backoff's base.
    """

    def __init__(
        self,
        max_attempts: int = 5,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if max_attempts < 1:
            raise ParamValidationError(f"max_attempts: must be at least 1, got {max_attempts}")
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._random = random

    def __repr__(self) -> str:
        return f"<LegacyRetryStrategy max_attempts={self.max_attempts}>"

    def acquire_initial_retry_token(
        self, *, replayable: bool = True, retry_safe: bool = True
    ) -> RetryToken:
        """The first attempt's token."""
        if replayable and retry_safe:
            return _FIRST
        return _INITIAL[replayable, retry_safe]

    @staticmethod
    def retryable(error: ClassifiedError) -> bool:
        """Whether botocore's legacy mode retries this error (attempts aside)."""
        exc = error.error
        if isinstance(exc, ClientError):
            # botocore turns a 200 answer carrying an <Error> into a 500 before its checks
            status = 500 if exc.status_code == 200 else exc.status_code
            if status in LEGACY_RETRYABLE_STATUS_CODES:
                return True
            return status == 400 and exc.code in LEGACY_RETRYABLE_CODES
        return error.kind in ("timeout", "connection")

    def backoff(self, retry: int) -> float:
        """The delay before retry number `retry` (1 for the first retry)."""
        return self._random() * 2.0 ** (retry - 1)

    async def refresh_retry_token_for_retry(
        self, token: RetryToken, *, error: ClassifiedError
    ) -> RetryToken | None:
        """Wait the backoff and return the next token, or `None`: do not retry."""
        if not token.replayable or not self.retryable(error):
            return None
        if not token.retry_safe and error.kind != "throttling":
            return None
        retry = token.retry_count + 1
        if retry >= self.max_attempts:
            return None
        delay = self.backoff(retry)
        start = self._clock()
        await self._sleep(delay)
        return RetryToken(
            retry,
            delay,
            token.replayable,
            token.retry_safe,
            0,
            token.waited + (self._clock() - start),
        )

    def record_success(self, token: RetryToken) -> None:
        """Nothing to record: the legacy mode has no quota."""


_TOKEN_EPSILON = 1e-9


class _SendTokenBucket:
    """botocore's `TokenBucket` on asyncio: tokens refill at `max_rate` per second, up to
    `max(max_rate, 1)`; `acquire()` waits (with the injected sleep) until one is there.

    Waiters queue on a lock, one at a time, in order; the arithmetic between two awaits is
    not interrupted, so many tasks of one event loop can share it. Unlike botocore's, a
    waiter is not woken early when the rate goes up: it sleeps what the rate it saw asked.
    """

    _MIN_RATE = 0.5

    def __init__(self, max_rate: float, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._fill_rate = self._MIN_RATE
        self._max_capacity = 1.0
        self._current = 0.0
        self._last: float | None = None
        self._lock: asyncio.Lock | None = None
        self.max_rate = max_rate

    @property
    def max_rate(self) -> float:
        return self._fill_rate

    @max_rate.setter
    def max_rate(self, value: float) -> None:
        self._refill()  # what was earned at the old rate, before the new one applies
        self._fill_rate = max(value, self._MIN_RATE)
        self._max_capacity = value if value >= 1 else 1.0
        self._current = min(self._current, self._max_capacity)

    @property
    def max_capacity(self) -> float:
        return self._max_capacity

    @property
    def available_capacity(self) -> float:
        return self._current

    def _refill(self) -> None:
        now = self._clock()
        if self._last is None:
            self._last = now
            return
        self._current = min(
            self._max_capacity, self._current + (now - self._last) * self._fill_rate
        )
        self._last = now

    def try_acquire(self, amount: float = 1.0) -> float:
        """Take `amount` tokens and return 0, or return the seconds until they are there."""
        self._refill()
        short = amount - self._current
        if short <= _TOKEN_EPSILON:  # a float's rounding is no reason to sleep again
            self._current = max(0.0, self._current - amount)
            return 0.0
        return short / self._fill_rate

    async def acquire(self, sleep: Callable[[float], Awaitable[object]]) -> None:
        lock = self._lock
        if lock is None:
            lock = self._lock = asyncio.Lock()
        # a token is taken at once only when nobody is queued for one (no overtaking)
        if not lock.locked() and not self.try_acquire():
            return
        async with lock:  # one waiter at a time, first come first served
            while wait := self.try_acquire():
                await sleep(wait)


class _RateClocker:
    """botocore's `RateClocker`: the measured send rate, smoothed, in half-second buckets."""

    _SMOOTHING = 0.8
    _BUCKET_SCALE = 2.0  # 1 / 0.5 s

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.measured_rate = 0.0
        self._last_bucket = float(math.floor(clock()))
        self._count = 0

    def record(self) -> float:
        t = self._clock()
        bucket = math.floor(t * self._BUCKET_SCALE) / self._BUCKET_SCALE
        self._count += 1
        if bucket > self._last_bucket:
            current = self._count / (bucket - self._last_bucket)
            self.measured_rate = current * self._SMOOTHING + self.measured_rate * (
                1 - self._SMOOTHING
            )
            self._count = 0
            self._last_bucket = bucket
        return self.measured_rate


class _Cubic:
    """botocore's `CubicCalculator`: the CUBIC curve the send rate follows."""

    _SCALE = 0.4
    _BETA = 0.7

    def __init__(self, start_time: float) -> None:
        self.w_max = 0.0
        self.k = 0.0
        self.last_fail = start_time

    def success_received(self, timestamp: float) -> float:
        return self._SCALE * (timestamp - self.last_fail - self.k) ** 3 + self.w_max

    def error_received(self, current_rate: float, timestamp: float) -> float:
        self.w_max = current_rate
        self.k = (current_rate * (1 - self._BETA) / self._SCALE) ** (1 / 3.0)
        self.last_fail = timestamp
        return current_rate * self._BETA


class ClientRateLimiter:
    """botocore's adaptive mode's client-side rate limiter: a token bucket whose fill rate
    follows CUBIC.

    Off until the first throttling answer (`ADAPTIVE_THROTTLING_CODES`); from then on
    every attempt takes a send token first, and waits for one when there is none. A
    throttling answer lowers the rate to 0.7 times the rate measured (or the current rate,
    if lower); any other answer, success or error, lets it grow back along the CUBIC
    curve, to at most twice the measured send rate. One limiter serves every call of a
    client (or of the clients that share the strategy), from one event loop.

    Args:
        clock: a monotonic clock in seconds (`time.monotonic`).
        sleep: awaited while waiting for a send token (`asyncio.sleep`).
    """

    _MAX_RATE_ADJUST_SCALE = 2.0

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._cubic = _Cubic(clock())
        self._bucket = _SendTokenBucket(1.0, clock)
        self._clocker = _RateClocker(clock)
        self.enabled = False
        """Whether sends are rate-limited (after the first throttling answer)."""

    def __repr__(self) -> str:
        state = f"send rate {self.send_rate:.3g}/s" if self.enabled else "off"
        return f"<ClientRateLimiter {state}>"

    @property
    def send_rate(self) -> float:
        """The send tokens added per second (the most attempts per second, once enabled)."""
        return self._bucket.max_rate

    @property
    def measured_rate(self) -> float:
        """The smoothed rate at which answers came back, per second."""
        return self._clocker.measured_rate

    async def acquire(self) -> None:
        """Before an attempt: take a send token, waiting for one if need be."""
        if self.enabled:
            await self._bucket.acquire(self._sleep)

    def record(self, throttled: bool) -> None:
        """After an attempt: adjust the rate to its answer (`throttled`: a throttling error)."""
        measured = self._clocker.record()
        now = self._clock()
        cubic = self._cubic
        bucket = self._bucket
        if not throttled:
            new_rate = cubic.success_received(now)
        else:
            rate = measured if not self.enabled else min(measured, bucket.max_rate)
            new_rate = cubic.error_received(rate, now)
            log.debug("throttled: new send rate %s/s, measured rate %s/s", new_rate, measured)
            self.enabled = True
        bucket.max_rate = min(new_rate, self._MAX_RATE_ADJUST_SCALE * measured)


def is_throttling(error: Aios3Error) -> bool:
    """Whether an error lowers the adaptive mode's send rate."""
    return isinstance(error, ClientError) and error.code in ADAPTIVE_THROTTLING_CODES


class AdaptiveRetryStrategy(StandardRetryStrategy):
    """botocore's adaptive retry mode: the standard mode (same retries, backoff and quota)
    plus a client-side rate limiter (`ClientRateLimiter`) that slows the client down
    after throttling answers (`SlowDown`, ...), before the service has to.

    Every attempt, the first included, waits for a send token once the limiter is on
    (`before_send`), and every answer adjusts the send rate.

    `max_attempts`, `max_backoff`, `base`, `quota`, `sleep`, `clock` and `random` are
    those of `StandardRetryStrategy`.

    Args:
        rate_limiter: the limiter; `None` makes one on this strategy's `clock` and `sleep`.
            Several strategies (clients) may share one limiter, from one event loop.
    """

    def __init__(
        self,
        max_attempts: int = 3,
        *,
        max_backoff: float = 20.0,
        base: float = 1.0,
        quota: RetryQuota | None = None,
        rate_limiter: ClientRateLimiter | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        super().__init__(
            max_attempts,
            max_backoff=max_backoff,
            base=base,
            quota=quota,
            sleep=sleep,
            clock=clock,
            random=random,
        )
        self.rate_limiter = (
            rate_limiter
            if rate_limiter is not None
            else ClientRateLimiter(clock=clock, sleep=sleep)
        )

    def __repr__(self) -> str:
        return (
            f"<AdaptiveRetryStrategy max_attempts={self.max_attempts} quota={self.quota!r} "
            f"{self.rate_limiter!r}>"
        )

    async def before_send(self) -> None:
        """Before every attempt: wait for a send token when the limiter is on."""
        limiter = self.rate_limiter
        if limiter.enabled:
            await limiter.acquire()

    async def refresh_retry_token_for_retry(
        self, token: RetryToken, *, error: ClassifiedError
    ) -> RetryToken | None:
        """Adjust the send rate to the failed attempt, then as the standard mode."""
        self.rate_limiter.record(is_throttling(error.error))
        return await super().refresh_retry_token_for_retry(token, error=error)

    def record_success(self, token: RetryToken) -> None:
        """Adjust the send rate to a success, and refill the quota as the standard mode."""
        self.rate_limiter.record(False)
        super().record_success(token)


def strategy_for(mode: RetryMode, max_attempts: int) -> RetryStrategy:
    """The strategy of a retry mode, as `Config(retries={"mode": mode})` builds it."""
    if mode == "legacy":
        return LegacyRetryStrategy(max_attempts)
    if mode == "adaptive":
        return AdaptiveRetryStrategy(max_attempts)
    return StandardRetryStrategy(max_attempts)
