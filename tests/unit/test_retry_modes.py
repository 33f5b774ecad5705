"""The legacy and adaptive retry modes, each compared with botocore's own classes fed the
same answers: which errors are retried, how many requests reach the server, the delays
asked of the (fake) sleep, and the adaptive mode's send rate under a SlowDown storm.
Nothing here really sleeps: time is a fake clock that moves when a strategy sleeps."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import botocore.exceptions as bexc
import pytest
from botocore import retryhandler, translate
from botocore.loaders import create_loader
from botocore.parsers import ResponseParserError
from botocore.retries import adaptive as b_adaptive
from botocore.retries import bucket as b_bucket
from botocore.retries import throttling as b_throttling

import aios3
from aios3.errors import (
    Aios3Error,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseParseError,
    SSLCertVerificationError,
    WriteTimeoutError,
)
from aios3.retries import (
    AdaptiveRetryStrategy,
    ClientRateLimiter,
    LegacyRetryStrategy,
    RetryStrategy,
    StandardRetryStrategy,
    classify,
)
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDMODES", "aws_secret_access_key": "s"}


class FakeTime:
    """A clock that only moves when someone sleeps (and lets other tasks run then)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay
        await asyncio.sleep(0)


def err(code: str, status: int) -> ClientError:
    return ClientError(code=code, message="m", status_code=status)


# ---------------------------------------------------------------- legacy, against botocore


def botocore_legacy_handler() -> retryhandler.RetryHandler:
    """botocore's legacy retry handler for S3, built as botocore's client builds it."""
    data = create_loader().load_data("_retry")
    config = translate.build_retry_config("s3", data["retry"], data["definitions"])
    return retryhandler.create_retry_handler(config, "s3")


class _HTTP:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""


def botocore_retries(handler: Any, error: Aios3Error, attempt: int) -> float | None:
    """botocore's answer for the same failure: the delay before a retry, or None."""
    url = "https://s3.amazonaws.com/b"
    exc: Exception | None = None
    response = None
    if isinstance(error, ClientError):
        # botocore reads a 200 answer that carries an <Error> as a 500 (_handle_200_error)
        status = 500 if error.status_code == 200 else error.status_code
        response = (_HTTP(status), {"Error": {"Code": error.code}, "ResponseMetadata": {}})
    elif isinstance(error, ConnectTimeoutError):
        exc = bexc.ConnectTimeoutError(endpoint_url=url)
    elif isinstance(error, ReadTimeoutError):
        exc = bexc.ReadTimeoutError(endpoint_url=url)
    elif isinstance(error, EndpointConnectionError):
        exc = bexc.EndpointConnectionError(endpoint_url=url)
    else:
        exc = ResponseParserError()
    try:
        delay: float | None = handler(
            attempts=attempt,
            response=response,
            caught_exception=exc,
            request_dict={"context": {}},
        )
    except Exception:  # botocore raises what it does not retry
        return None
    return delay


LEGACY_CASES: list[Aios3Error] = [
    err("SlowDown", 503),
    err("ServiceUnavailable", 503),
    err("InternalError", 500),
    err("BadGateway", 502),
    err("GatewayTimeout", 504),
    err("BandwidthLimitExceeded", 509),
    err("TooManyRequests", 429),
    err("Throttling", 400),
    err("ThrottlingException", 400),
    err("ThrottledException", 400),
    err("RequestThrottledException", 400),
    err("ProvisionedThroughputExceededException", 400),
    err("RequestTimeout", 400),  # S3's own
    err("BadDigest", 400),  # S3's own
    err("InternalError", 200),  # an error in a 200 answer
    err("AccessDenied", 200),  # ... whatever its code
    err("RequestTimeout", 408),
    err("PriorRequestNotComplete", 400),
    err("RequestLimitExceeded", 400),
    err("Throttling", 403),
    err("NotImplemented", 501),
    err("NoSuchUpload", 404),
    err("AccessDenied", 403),
    err("SlowDown", 400),
    ConnectTimeoutError("c"),
    ReadTimeoutError("r"),
    WriteTimeoutError("w"),
    EndpointConnectionError("reset"),
    ResponseParseError("bad xml", status_code=200),
]


@pytest.mark.parametrize("error", LEGACY_CASES, ids=lambda e: repr(e)[:50])
async def test_legacy_retries_what_botocores_legacy_mode_retries(
    monkeypatch: pytest.MonkeyPatch, error: Aios3Error
) -> None:
    monkeypatch.setattr(retryhandler.random, "random", lambda: 0.375)
    handler = botocore_legacy_handler()
    t = FakeTime()
    s = LegacyRetryStrategy(sleep=t.sleep, clock=t.clock, random=lambda: 0.375)
    token = s.acquire_initial_retry_token()
    ours: list[float] = []
    theirs: list[float] = []
    for attempt in range(1, 8):
        expected = botocore_retries(handler, error, attempt)
        nxt = await s.refresh_retry_token_for_retry(token, error=classify(error))
        assert (nxt is None) == (expected is None), attempt
        if nxt is None:
            break
        ours.append(nxt.retry_delay)
        theirs.append(expected)  # type: ignore[arg-type]
        token = nxt
    assert ours == theirs
    assert t.sleeps == ours
    assert len(ours) in (0, 4)  # 5 attempts in all, or none retried


def test_legacy_does_not_retry_an_untrusted_certificate() -> None:
    # botocore's legacy mode retries its SSLError (a ConnectionError); aios3 never does
    c = classify(SSLCertVerificationError("untrusted"))
    assert not LegacyRetryStrategy.retryable(c)


async def test_legacy_backoff_doubles_without_a_cap_and_without_a_quota() -> None:
    t = FakeTime()
    s = LegacyRetryStrategy(9, sleep=t.sleep, clock=t.clock, random=lambda: 0.5)
    token = s.acquire_initial_retry_token()
    for _ in range(8):
        nxt = await s.refresh_retry_token_for_retry(token, error=classify(err("SlowDown", 503)))
        assert nxt is not None and nxt.quota_cost == 0
        token = nxt
    assert t.sleeps == [0.5, 1, 2, 4, 8, 16, 32, 64]
    assert await s.refresh_retry_token_for_retry(token, error=classify(err("x", 500))) is None
    s.record_success(token)  # nothing to refill
    assert "max_attempts=9" in repr(s)


async def test_legacy_never_retries_a_body_that_cannot_be_sent_again() -> None:
    s = LegacyRetryStrategy(sleep=FakeTime().sleep)
    token = s.acquire_initial_retry_token(replayable=False)
    assert await s.refresh_retry_token_for_retry(token, error=classify(err("x", 500))) is None
    token = s.acquire_initial_retry_token(retry_safe=False)
    assert await s.refresh_retry_token_for_retry(token, error=classify(err("x", 500))) is None
    nxt = await s.refresh_retry_token_for_retry(token, error=classify(err("SlowDown", 503)))
    assert nxt is not None


def test_legacy_refuses_zero_attempts() -> None:
    with pytest.raises(aios3.ParamValidationError, match="max_attempts"):
        LegacyRetryStrategy(0)


# ---------------------------------------------------------------- through the client


class Script(MockTransport):
    """Answers from a script, the last answer repeated; notes the fake time of each request."""

    def __init__(self, t: FakeTime, *answers: tuple[int, bytes] | Exception) -> None:
        self.answers = list(answers)
        self.t = t
        self.times: list[float] = []
        super().__init__(self._answer)

    def _answer(self, request: MockRequest) -> MockResponse:
        self.times.append(self.t.now)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return MockResponse(status, {"x-amz-request-id": "r"}, payload)


SLOWDOWN = (503, b"<Error><Code>SlowDown</Code><Message>m</Message></Error>")
OK = (204, b"")


def client(t: Script, config: aios3.Config) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        transport=t,
        config=config,
        **CREDS,
    )


async def abort(s3: aios3.S3Client) -> Any:
    return await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


@pytest.mark.parametrize(
    ("config", "cls", "attempts"),
    [
        ({}, StandardRetryStrategy, 3),
        ({"retries": {"mode": "standard"}}, StandardRetryStrategy, 3),
        ({"retries": {"mode": "legacy"}}, LegacyRetryStrategy, 5),
        ({"retries": {"mode": "legacy", "max_attempts": 1}}, LegacyRetryStrategy, 2),
        ({"retries": {"mode": "legacy", "total_max_attempts": 3}}, LegacyRetryStrategy, 3),
        ({"retries": {"mode": "adaptive"}}, AdaptiveRetryStrategy, 3),
        ({"retries": {"mode": "adaptive", "total_max_attempts": 4}}, AdaptiveRetryStrategy, 4),
    ],
)
async def test_each_mode_sends_its_number_of_requests_with_its_delays(
    monkeypatch: pytest.MonkeyPatch,
    config: dict[str, Any],
    cls: type[RetryStrategy],
    attempts: int,
) -> None:
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    t = FakeTime()
    script = Script(t, (500, b""))
    async with client(script, aios3.Config(**config)) as s3:
        strategy = s3._retry
        assert type(strategy) is cls
        strategy._sleep = t.sleep  # type: ignore[attr-defined]
        strategy._random = lambda: 0.5  # type: ignore[attr-defined]
        with pytest.raises(ClientError) as e:
            await abort(s3)
    assert len(script.times) == attempts
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    # standard, adaptive and legacy all wait random() * 2 ** (n - 1) before retry n
    assert t.sleeps == [0.5 * 2**n for n in range(attempts - 1)]


async def test_legacy_mode_retries_a_429_and_an_error_in_a_200_that_standard_does_not() -> None:
    for strategy, sent in ((LegacyRetryStrategy, 3), (StandardRetryStrategy, 1)):
        t = FakeTime()
        script = Script(
            t,
            (429, b"<Error><Code>TooManyRequests</Code></Error>"),
            (400, b"<Error><Code>BadDigest</Code></Error>"),
            OK,
        )
        s = strategy(3, sleep=t.sleep, clock=t.clock)
        async with client(script, aios3.Config(retry_strategy=s)) as s3:
            if sent == 1:
                with pytest.raises(ClientError, match="TooManyRequests"):
                    await abort(s3)
            else:
                r = await abort(s3)
                assert r.response_metadata.retry_attempts == 2
        assert len(script.times) == sent


@pytest.mark.parametrize(
    ("where", "mode", "cls", "attempts"),
    [
        ("env", "legacy", LegacyRetryStrategy, 5),
        ("env", "adaptive", AdaptiveRetryStrategy, 3),
        ("profile", "legacy", LegacyRetryStrategy, 5),
        ("profile", "adaptive", AdaptiveRetryStrategy, 3),
        ("profile", "standard", StandardRetryStrategy, 3),
    ],
)
async def test_mode_from_the_environment_and_the_profile(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    where: str,
    mode: str,
    cls: type[RetryStrategy],
    attempts: int,
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    if where == "env":
        monkeypatch.setenv("AWS_RETRY_MODE", mode)
    else:
        monkeypatch.setenv("AWS_PROFILE", "p")
        (tmp_path / "config").write_text(f"[profile p]\nretry_mode = {mode}\n")
    async with client(Script(FakeTime(), OK), aios3.Config()) as s3:
        assert type(s3._retry) is cls
        assert s3._retry.max_attempts == attempts


# ---------------------------------------------------------------- adaptive, against botocore


class _Detector:
    def is_throttling_error(self, **kwargs: Any) -> bool:
        return bool(kwargs["throttled"])


class _BotoClock:
    def __init__(self, t: FakeTime) -> None:
        self.t = t

    def current_time(self) -> float:
        return self.t.now

    def sleep(self, amount: float) -> None:  # pragma: no cover - never blocks here
        raise AssertionError("botocore's bucket would block")


def botocore_limiter(t: FakeTime) -> b_adaptive.ClientRateLimiter:
    clock = _BotoClock(t)
    return b_adaptive.ClientRateLimiter(
        rate_adjustor=b_throttling.CubicCalculator(
            starting_max_rate=0, start_time=clock.current_time()
        ),
        rate_clocker=b_adaptive.RateClocker(clock),
        token_bucket=b_bucket.TokenBucket(max_rate=1, clock=clock),
        throttling_detector=_Detector(),
        clock=clock,
    )


def storm(n: int) -> list[tuple[float, bool]]:
    """(seconds since the last answer, throttled): a ramp, a SlowDown storm, a recovery."""
    events = [(0.05, False)] * 40  # 20 answers per second
    events += [(0.05, i % 3 != 2) for i in range(n)]  # two of three answers are SlowDown
    events += [(0.25, False)] * 60
    return events


async def test_the_rate_limiter_follows_botocores_under_a_slowdown_storm() -> None:
    t = FakeTime()
    ours = ClientRateLimiter(clock=t.clock, sleep=t.sleep)
    theirs = botocore_limiter(t)
    rates = []
    for step, throttled in storm(30):
        t.now += step
        ours.record(throttled)
        theirs.on_receiving_response(throttled=throttled)
        assert ours.enabled == theirs._enabled
        assert ours.send_rate == pytest.approx(theirs._token_bucket.max_rate, rel=1e-12)
        assert ours.measured_rate == pytest.approx(theirs._rate_clocker.measured_rate)
        cubic = theirs._rate_adjustor.get_params_snapshot()
        assert (ours._cubic.w_max, ours._cubic.k, ours._cubic.last_fail) == pytest.approx(
            (cubic.w_max, cubic.k, cubic.last_fail)
        )
        # the tokens, too: take one where botocore's non-blocking acquire can
        wait = ours._bucket.try_acquire()
        try:
            theirs._token_bucket.acquire(block=False)
            assert wait == 0
        except bexc.CapacityNotAvailableError:
            bucket = theirs._token_bucket
            assert wait == pytest.approx((1 - bucket.available_capacity) / bucket.max_rate)
        rates.append(ours.send_rate)
    # the storm pulled the send rate far below the 20/s sent before it, and it grew back
    assert min(rates) < 2.0 < rates[-1]


async def test_a_slowdown_storm_slows_the_client_down() -> None:
    """Sequential calls under a storm: once throttled, every attempt waits for a send
    token, so requests reach the server no faster than the limiter's rate."""
    t = FakeTime()
    waits: list[float] = []  # the limiter's waits for a send token, on the same clock

    async def token_wait(delay: float) -> None:
        waits.append(delay)
        t.now += delay
        await asyncio.sleep(0)

    script = Script(t, *([OK] * 10 + [SLOWDOWN, SLOWDOWN, OK] * 10), OK)
    limiter = ClientRateLimiter(clock=t.clock, sleep=token_wait)
    s = AdaptiveRetryStrategy(
        3, rate_limiter=limiter, sleep=t.sleep, clock=t.clock, random=lambda: 0.5
    )
    async with client(script, aios3.Config(retry_strategy=s)) as s3:
        for _ in range(10):  # 20 calls per second, all fine: the limiter stays off
            t.now += 0.05
            await abort(s3)
        assert not limiter.enabled and t.sleeps == []
        for _ in range(10):  # each call: SlowDown, SlowDown, then OK
            t.now += 0.05
            r = await abort(s3)
            assert r.response_metadata.retry_attempts == 2
    assert limiter.enabled
    assert len(script.times) == 10 + 30  # every attempt reached the server, none lost
    assert t.sleeps == [0.5, 1.0] * 10  # the standard backoff, as without the limiter
    assert len(waits) >= 10 and all(d > 0 for d in waits)
    storm_times = script.times[10:]
    storm_rate = (len(storm_times) - 1) / (storm_times[-1] - storm_times[0])
    assert storm_rate < 20 * 0.7  # below the rate before the storm, cut by CUBIC's beta
    assert limiter.send_rate < 20 * 0.7


async def test_the_send_token_bucket_is_shared_fairly_by_many_tasks() -> None:
    t = FakeTime()
    limiter = ClientRateLimiter(clock=t.clock, sleep=t.sleep)
    limiter.enabled = True
    limiter._bucket.max_rate = 2.0  # two sends per second
    got: list[tuple[int, float]] = []

    async def send(i: int) -> None:
        await limiter.acquire()
        got.append((i, t.now))

    start = t.now
    await asyncio.gather(*(send(i) for i in range(10)))
    assert sorted(i for i, _ in got) == list(range(10))
    assert [i for i, _ in got] == list(range(10))  # first come, first served
    # the bucket starts empty: 10 tokens at 2 per second take 5 seconds, never fewer
    assert t.now - start == pytest.approx(5.0)
    assert limiter._bucket.available_capacity >= 0
    times = [when for _, when in got]
    assert all(b - a == pytest.approx(0.5) for a, b in itertools.pairwise(times))


async def test_a_cancelled_waiter_takes_no_token_and_blocks_no_one() -> None:
    t = FakeTime()
    gate = asyncio.Event()

    async def slow_sleep(delay: float) -> None:
        await gate.wait()
        await t.sleep(delay)

    limiter = ClientRateLimiter(clock=t.clock, sleep=slow_sleep)
    limiter.enabled = True
    waiter = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.set()
    await limiter.acquire()  # the lock was released by the cancelled waiter
    assert limiter._bucket.available_capacity == pytest.approx(0)


async def test_adaptive_strategy_shares_the_standard_retries_and_quota() -> None:
    t = FakeTime()
    s = AdaptiveRetryStrategy(3, sleep=t.sleep, clock=t.clock, random=lambda: 0.5)
    token = s.acquire_initial_retry_token()
    nxt = await s.refresh_retry_token_for_retry(token, error=classify(err("SlowDown", 503)))
    assert nxt is not None and nxt.quota_cost == 5 and s.quota.available == 495
    assert s.rate_limiter.enabled  # a throttling answer turns the limiter on
    s.record_success(nxt)
    assert s.quota.available == 500
    assert "AdaptiveRetryStrategy" in repr(s) and "send rate" in repr(s)
    assert aios3.Config(retry_strategy=s).retry_strategy is s
    # a transport error or a 500 is not throttling: the limiter stays off
    s2 = AdaptiveRetryStrategy(3, sleep=t.sleep, clock=t.clock)
    for e in (ReadTimeoutError("r"), err("InternalError", 500)):
        await s2.refresh_retry_token_for_retry(token, error=classify(e))
    assert not s2.rate_limiter.enabled and "off" in repr(s2.rate_limiter)
