"""The retry strategy: backoff, quota, classification, attempts, bodies that cannot be
sent again; and what a user of the client sees of it (requests that reach the server,
`RetryAttempts`, the error raised). Time is a fake clock: nothing here really sleeps."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

import aios3
from aios3.errors import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseParseError,
    TransportError,
)
from aios3.retries import (
    ClassifiedError,
    RetryQuota,
    RetryStrategy,
    RetryToken,
    StandardRetryStrategy,
    classify,
)
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDRETRY", "aws_secret_access_key": "s"}


class FakeTime:
    """A clock that only moves when the strategy sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay


def strategy(
    max_attempts: int = 3, *, jitter: float = 0.5, quota: RetryQuota | None = None
) -> tuple[StandardRetryStrategy, FakeTime]:
    t = FakeTime()
    s = StandardRetryStrategy(
        max_attempts, quota=quota, sleep=t.sleep, clock=t.clock, random=lambda: jitter
    )
    return s, t


def err(code: str, status: int) -> ClientError:
    return ClientError(code=code, message="m", status_code=status)


TRANSIENT = classify(err("InternalError", 500))
THROTTLED = classify(err("SlowDown", 503))
TIMEOUT = classify(ReadTimeoutError("slow"))


async def retries(s: RetryStrategy, error: ClassifiedError, **kw: bool) -> list[RetryToken]:
    """Refresh a fresh token with the same error until the strategy says no."""
    token = s.acquire_initial_retry_token(**kw)
    tokens = []
    while (nxt := await s.refresh_retry_token_for_retry(token, error=error)) is not None:
        tokens.append(nxt)
        token = nxt
    return tokens


# ---------------------------------------------------------------- backoff


async def test_backoff_doubles_with_full_jitter_and_is_capped_at_20s() -> None:
    s, t = strategy(10, jitter=0.5)
    tokens = await retries(s, TRANSIENT)
    # base * 2 ** (n - 1) for retry n, times the jitter, never over 20 s times the jitter
    assert t.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0]
    assert [tk.retry_count for tk in tokens] == list(range(1, 10))
    assert [tk.retry_delay for tk in tokens] == t.sleeps
    assert tokens[-1].waited == pytest.approx(sum(t.sleeps))


@pytest.mark.parametrize("jitter", [0.0, 0.25, 0.999999])
def test_backoff_is_the_jitter_times_the_bound(jitter: float) -> None:
    s, _ = strategy(jitter=jitter)
    assert [s.backoff(n) for n in (1, 2, 5, 6, 30)] == [
        pytest.approx(jitter * b) for b in (1, 2, 16, 20, 20)
    ]


async def test_default_jitter_stays_within_the_bounds() -> None:
    t = FakeTime()
    s = StandardRetryStrategy(6, sleep=t.sleep, clock=t.clock)
    await retries(s, TRANSIENT)
    assert len(t.sleeps) == 5
    assert all(0 <= d < b for d, b in zip(t.sleeps, (1, 2, 4, 8, 16), strict=True))


# ---------------------------------------------------------------- max attempts


@pytest.mark.parametrize("max_attempts", [1, 2, 3, 7])
async def test_max_attempts_counts_the_first_try(max_attempts: int) -> None:
    s, t = strategy(max_attempts)
    assert len(await retries(s, TRANSIENT)) == max_attempts - 1
    assert len(t.sleeps) == max_attempts - 1


def test_max_attempts_below_one_is_refused() -> None:
    with pytest.raises(aios3.ParamValidationError, match="max_attempts"):
        StandardRetryStrategy(0)


# ---------------------------------------------------------------- what is retried

CLASSES: list[tuple[Exception, str | None]] = [
    (err("SlowDown", 503), "throttling"),
    (err("Throttling", 400), "throttling"),
    (err("ThrottlingException", 400), "throttling"),
    (err("RequestLimitExceeded", 400), "throttling"),
    (err("InternalError", 500), "transient"),
    (err("ServiceUnavailable", 503), "transient"),
    (err("RequestTimeout", 400), "transient"),
    (err("PriorRequestNotComplete", 400), "transient"),
    (err("BadGateway", 502), "transient"),
    (err("GatewayTimeout", 504), "transient"),
    (err("500", 500), "transient"),
    (err("InternalError", 200), "transient"),  # an error in a 200 answer's body
    (err("SlowDown", 200), "throttling"),
    (ConnectTimeoutError("c"), "timeout"),
    (ReadTimeoutError("r"), "timeout"),
    (EndpointConnectionError("reset"), "connection"),
    (TransportError("other"), "connection"),
    (err("NotImplemented", 501), None),
    (err("NoSuchUpload", 404), None),
    (err("AccessDenied", 403), None),
    (err("ExpiredToken", 400), None),
    (err("TemporaryRedirect", 307), None),
    # any error in a 200 answer's body: botocore's _handle_200_error makes it a 500
    (err("InvalidPart", 200), "transient"),
    (err("NoSuchUpload", 200), "transient"),
    (ResponseParseError("bad xml", status_code=200), None),
    (aios3.ParamValidationError("bad"), None),
]


@pytest.mark.parametrize(("error", "kind"), CLASSES, ids=lambda v: repr(v)[:40])
async def test_classification(error: aios3.Aios3Error, kind: str | None) -> None:
    c = classify(error)
    assert (c.error, c.kind) == (error, kind)
    s, _ = strategy(2)
    retried = await s.refresh_retry_token_for_retry(s.acquire_initial_retry_token(), error=c)
    assert (retried is not None) == (kind is not None)


async def test_a_body_that_cannot_be_sent_again_is_never_retried() -> None:
    s, t = strategy(5)
    for error in (TRANSIENT, THROTTLED, TIMEOUT, classify(EndpointConnectionError("x"))):
        assert await retries(s, error, replayable=False) == []
    assert t.sleeps == []
    assert s.quota.available == 500


async def test_an_operation_not_safe_to_retry_is_retried_only_when_throttled() -> None:
    s, _ = strategy(3)
    assert await retries(s, TRANSIENT, retry_safe=False) == []
    assert await retries(s, TIMEOUT, retry_safe=False) == []
    assert len(await retries(s, THROTTLED, retry_safe=False)) == 2


# ---------------------------------------------------------------- the quota


async def test_quota_drains_5_per_retry_and_10_per_timeout_then_stops_retries() -> None:
    s, t = strategy(2)
    for _ in range(100):  # 100 calls, each retried once: 500 / 5
        assert len(await retries(s, TRANSIENT)) == 1
    assert s.quota.available == 0
    assert await retries(s, THROTTLED) == []
    assert len(t.sleeps) == 100  # no backoff for a retry that is refused

    s, _ = strategy(2)
    for _ in range(50):
        assert len(await retries(s, TIMEOUT)) == 1
    assert s.quota.available == 0
    assert await retries(s, TIMEOUT) == []


async def test_quota_refills_on_success_and_never_overflows() -> None:
    s, _ = strategy(3, quota=RetryQuota(100))
    tokens = await retries(s, TIMEOUT)  # two retries after timeouts: 20 taken
    assert s.quota.available == 80
    s.record_success(tokens[-1])  # gives back what the last retry took
    assert s.quota.available == 90
    s.record_success(s.acquire_initial_retry_token())  # a first-try success gives back 1
    assert s.quota.available == 91
    for _ in range(20):
        s.record_success(s.acquire_initial_retry_token())
    assert s.quota.available == 100
    s.record_success(tokens[-1])
    assert s.quota.available == 100
    assert s.quota.acquire("throttling") == 5
    s.record_success(tokens[-1])  # 10 back, but the bucket holds 100 at most
    assert s.quota.available == 100


async def test_quota_too_small_for_a_timeout_still_pays_a_retry() -> None:
    q = RetryQuota(7)
    s, _ = strategy(5, quota=q)
    assert await retries(s, TIMEOUT) == []
    assert q.available == 7
    assert len(await retries(s, TRANSIENT)) == 1
    assert q.available == 2


def test_the_standard_strategy_is_a_retry_strategy() -> None:
    s, _ = strategy()
    # as Config checks it: the protocol's methods, by name (mypy checks the signatures in
    # tests/typing_usage.py; an isinstance() on the runtime protocol is not used, since
    # mutmut's renamed methods would fail it)
    assert aios3.Config(retry_strategy=s).retry_strategy is s
    assert s.acquire_initial_retry_token() == RetryToken()
    assert "max_attempts=3" in repr(s) and "500/500" in repr(s)


# ---------------------------------------------------------------- through the client


class Script(MockTransport):
    """A MockTransport answering from a script: what reached the "server" is in `sent`."""

    def __init__(self, *answers: tuple[int, bytes] | Exception) -> None:
        self.answers = list(answers)
        super().__init__(self._answer)

    def _answer(self, request: MockRequest) -> MockResponse:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return MockResponse(status, {"x-amz-request-id": "r"}, payload)

    @property
    def sent(self) -> list[tuple[str, str, bytes]]:
        return [(r.method, str(r.url), r.body) for r in self.requests]


def client(t: Script, config: aios3.Config, **kw: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        transport=t,
        config=config,
        **{**CREDS, **kw},
    )


SLOWDOWN = (503, b"<Error><Code>SlowDown</Code><Message>m</Message></Error>")


async def test_client_uses_the_injected_strategy() -> None:
    s, t = strategy(4, jitter=0.5)
    script = Script(SLOWDOWN, (500, b""), ReadTimeoutError("r"), (204, b""))
    async with client(script, aios3.Config(retry_strategy=s)) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(script.sent) == 4
    assert r.response_metadata.retry_attempts == 3
    assert t.sleeps == [0.5, 1.0, 2.0]
    assert s.quota.available == 500 - 5 - 5 - 10 + 10


async def test_client_raises_the_last_error_with_its_retry_count() -> None:
    s, t = strategy(3)
    script = Script(SLOWDOWN)
    async with client(script, aios3.Config(retry_strategy=s)) as s3:
        with pytest.raises(ClientError) as info:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert info.value.code == "SlowDown"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(script.sent) == 3 and len(t.sleeps) == 2


async def test_an_exhausted_quota_is_shared_by_clients_and_stops_their_retries() -> None:
    s, t = strategy(5, quota=RetryQuota(10))
    script = Script(SLOWDOWN)
    cfg = aios3.Config(retry_strategy=s)
    async with client(script, cfg) as a, client(script, cfg) as b:
        with pytest.raises(ClientError):
            await a.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        assert len(script.sent) == 3  # two retries paid, then the bucket is empty
        with pytest.raises(ClientError) as info:
            await b.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(script.sent) == 4
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(t.sleeps) == 2


async def test_client_retries_a_file_body_rewound_but_not_a_stream() -> None:
    s, _ = strategy(3)
    script = Script((500, b""), (200, b""))
    f = io.BytesIO(b"--0123")
    f.seek(2)
    async with client(script, aios3.Config(retry_strategy=s)) as s3:
        await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=f)
        assert [body for _, _, body in script.sent] == [b"0123", b"0123"]

        async def gen() -> Any:
            yield b"abc"

        script.answers = [(500, b"")]
        with pytest.raises(ClientError):
            await s3.upload_part(
                Bucket="b", Key="k", UploadId="u", PartNumber=2, Body=gen(), ContentLength=3
            )
    assert len(script.sent) == 3


# ---------------------------------------------------------------- configuration


def boto_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, **env: str) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for k in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)


async def attempts_made(config: aios3.Config) -> int:
    script = Script((500, b""))
    async with client(script, config) as s3:
        s3._retry._sleep = FakeTime().sleep  # type: ignore[union-attr]  # no real sleep
        with pytest.raises(ClientError):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    return len(script.sent)


@pytest.mark.parametrize(
    ("config", "env", "attempts"),
    [
        ({}, {}, 3),
        ({"max_attempts": 2}, {}, 2),
        ({"retries": {"max_attempts": 1}}, {}, 2),  # boto3: retries after the first try
        ({"retries": {"max_attempts": 0}}, {}, 1),
        ({"retries": {"total_max_attempts": 4, "max_attempts": 9}}, {}, 4),
        ({"retries": {"mode": "standard"}}, {"AWS_MAX_ATTEMPTS": "5"}, 5),
        ({"retries": {"mode": "legacy", "max_attempts": 3}}, {}, 4),
        ({}, {"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "legacy"}, 1),
        ({}, {"AWS_RETRY_MODE": "legacy"}, 5),  # botocore's legacy default
        ({"retries": {"mode": "legacy"}}, {}, 5),
        ({"retries": {"mode": "legacy", "total_max_attempts": 2}}, {}, 2),
        ({"retries": {"mode": "adaptive"}}, {}, 3),
        ({"retries": {"mode": "standard"}}, {"AWS_RETRY_MODE": "legacy"}, 3),
        ({"max_attempts": 2}, {"AWS_MAX_ATTEMPTS": "5"}, 2),
    ],
)
async def test_attempts_from_config_and_environment(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    config: dict[str, Any],
    env: dict[str, str],
    attempts: int,
) -> None:
    boto_env(monkeypatch, tmp_path, **env)
    assert await attempts_made(aios3.Config(**config)) == attempts


async def test_retry_mode_from_the_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    boto_env(monkeypatch, tmp_path, AWS_PROFILE="p")
    (tmp_path / "config").write_text("[profile p]\nretry_mode = standard\nmax_attempts = 4\n")
    assert await attempts_made(aios3.Config()) == 4
    (tmp_path / "config").write_text("[profile p]\nretry_mode = legacy\n")
    assert await attempts_made(aios3.Config()) == 5
    (tmp_path / "config").write_text("[profile p]\nretry_mode = fast\n")
    with pytest.raises(aios3.ParamValidationError, match="retry_mode"):
        await attempts_made(aios3.Config())


@pytest.mark.parametrize("mode", ["bogus", "Adaptive"])
async def test_unknown_mode_from_env_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, mode: str
) -> None:
    boto_env(monkeypatch, tmp_path, AWS_RETRY_MODE=mode)
    with pytest.raises(aios3.ParamValidationError, match="retry_mode"):
        async with aios3.S3Client(**CREDS):
            pass


BAD_CONFIGS: list[tuple[dict[str, Any], str]] = [
    ({"retries": {"mode": "fast"}}, "retries.mode"),
    ({"retries": {"attempts": 3}}, "retries.attempts"),
    ({"retries": {"max_attempts": -1}}, "max_attempts"),
    ({"retries": {"total_max_attempts": 0}}, "total_max_attempts"),
    ({"retry_strategy": object()}, "retry_strategy"),
    ({"retry_strategy": StandardRetryStrategy(), "max_attempts": 2}, "not both"),
    ({"retry_strategy": StandardRetryStrategy(), "retries": {"mode": "standard"}}, "not both"),
]


def test_config_with_retries_stays_hashable_and_comparable() -> None:
    a = aios3.Config(retries={"mode": "standard", "max_attempts": 2})
    b = aios3.Config(retries={"max_attempts": 2, "mode": "standard"})
    assert a == b and hash(a) == hash(b)
    assert a != aios3.Config(retries={"max_attempts": 3})
    s = StandardRetryStrategy()
    assert {aios3.Config(retry_strategy=s), aios3.Config(retry_strategy=s)} == {
        aios3.Config(retry_strategy=s)
    }


@pytest.mark.parametrize(("config", "match"), BAD_CONFIGS)
def test_bad_retry_config_is_refused(config: dict[str, Any], match: str) -> None:
    with pytest.raises(aios3.ParamValidationError, match=match):
        aios3.Config(**config)


# ---------------------------------------------------------------- S3 Express renewal

ZONAL = "bench--usw2-az1--x-s3"


def session_xml(n: int) -> bytes:
    return (
        f"<CreateSessionResult><Credentials><SessionToken>tok{n}</SessionToken>"
        f"<SecretAccessKey>sk{n}</SecretAccessKey><AccessKeyId>ak{n}</AccessKeyId>"
        f"<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>"
    ).encode()


EXPIRED = (400, b"<Error><Code>ExpiredToken</Code><Message>m</Message></Error>")


@pytest.fixture
def express_client() -> Iterator[tuple[Script, FakeTime, aios3.S3Client]]:
    s, t = strategy(3)
    script = Script()
    yield (
        script,
        t,
        aios3.S3Client(
            region_name="us-west-2",
            transport=script,
            config=aios3.Config(retry_strategy=s),
            **CREDS,
        ),
    )


async def test_expired_session_is_renewed_once_without_backoff(
    express_client: tuple[Script, FakeTime, aios3.S3Client],
) -> None:
    script, t, s3 = express_client
    script.answers = [(200, session_xml(1)), EXPIRED, (200, session_xml(2)), (204, b"")]
    async with s3:
        r = await s3.abort_multipart_upload(Bucket=ZONAL, Key="k", UploadId="u")
    assert [u.split("?")[1] for _, u, _ in script.sent] == ["session", "uploadId=u"] * 2
    assert r.response_metadata.retry_attempts == 1
    assert t.sleeps == []


async def test_a_session_expired_again_is_not_renewed_twice(
    express_client: tuple[Script, FakeTime, aios3.S3Client],
) -> None:
    script, t, s3 = express_client
    script.answers = [(200, session_xml(1)), EXPIRED, (200, session_xml(2)), EXPIRED]
    async with s3:
        with pytest.raises(ClientError) as info:
            await s3.abort_multipart_upload(Bucket=ZONAL, Key="k", UploadId="u")
    assert info.value.code == "ExpiredToken"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(script.sent) == 4 and t.sleeps == []


async def test_the_operation_records_retry_safe_reaches_the_strategy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An operation whose record says it is not safe to send again is retried only when
    throttled: a 500 is raised at once, a SlowDown is retried."""
    from dataclasses import replace

    from aios3 import _operations

    unsafe = replace(_operations.ABORT_MULTIPART_UPLOAD, retry_safe=False)
    monkeypatch.setattr(_operations, "ABORT_MULTIPART_UPLOAD", unsafe)
    s, t = strategy(3)
    script = Script((500, b""))
    async with client(script, aios3.Config(retry_strategy=s)) as s3:
        with pytest.raises(ClientError):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        assert len(script.sent) == 1 and t.sleeps == []
        script.answers = [SLOWDOWN, (204, b"")]
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(script.sent) == 3 and r.response_metadata.retry_attempts == 1
    assert len(t.sleeps) == 1


def test_a_retry_strategy_missing_a_method_is_refused_naming_it() -> None:
    class Half:
        def acquire_initial_retry_token(self, **kw: bool) -> RetryToken:
            raise NotImplementedError

    with pytest.raises(aios3.ParamValidationError, match="record_success"):
        aios3.Config(retry_strategy=Half())  # type: ignore[arg-type]
    with pytest.raises(aios3.ParamValidationError, match="refresh_retry_token_for_retry"):
        aios3.Config(retry_strategy=Half())  # type: ignore[arg-type]
