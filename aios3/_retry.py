"""Retries: a strategy object shaped like botocore's standard mode and smithy-python's
`RetryStrategy`.

The client asks the strategy three things, and nothing else:

- `acquire_initial_retry_token(replayable=..., retry_safe=...)` before the first attempt;
- `refresh_retry_token_for_retry(token, error=classified)` after a failed attempt: it waits
  the backoff and returns the token for the next attempt, or returns `None` for "no more
  retries" (the client then raises the error);
- `record_success(token)` once the call succeeded.

What failed is told by `classify(error)`: a `ClassifiedError` whose `kind` is
`"throttling"`, `"transient"`, `"timeout"`, `"connection"` or `None` (not retryable).
"""

from __future__ import annotations

import asyncio
import logging
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
    "THROTTLING_CODES",
    "TRANSIENT_CODES",
    "TRANSIENT_STATUS_CODES",
    "ClassifiedError",
    "ErrorKind",
    "RetryQuota",
    "RetryStrategy",
    "RetryToken",
    "StandardRetryStrategy",
    "classify",
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
