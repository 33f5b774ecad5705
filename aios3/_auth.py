"""Credentials and request signing.

Signing uses botocore's own `S3SigV4Auth` class. aios3 feeds it a light request object
(the attributes botocore's signer reads) instead of building an `AWSRequest`, keeps one
signer per signing scope, and memoises the SigV4 signing key per day; the signature itself
is computed by botocore's code, and a differential test proves the `Authorization` header is
byte-identical to botocore's.

Credentials come from explicit keys or from botocore's provider chain (env, shared files,
SSO, IMDS, ...), resolved off the event loop once and refreshed when they near expiry.
Secrets never appear in a repr, a log line or an exception: botocore's signer logs the
canonical request at DEBUG, and its records emitted while aios3 signs are dropped
(`hide_signing_logs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from hashlib import sha256
from typing import TYPE_CHECKING, Literal

from botocore.auth import (
    SIGNED_HEADERS_BLACKLIST,
    S3ExpressAuth,
    S3SigV4Auth,
    _host_from_url,
)
from multidict import CIMultiDict

from .errors import MissingDependencyError, NoCredentialsError, ParamValidationError

if TYPE_CHECKING:
    from botocore.credentials import Credentials as BotoCredentials

log = logging.getLogger("aios3")

__all__ = [
    "CredentialCache",
    "ExpressSessions",
    "FrozenCredentials",
    "Signer",
    "SigningRequest",
    "UnsignedSigner",
    "check_credential_text",
    "hide_signing_logs",
    "signing_context",
]


_SIGNING: ContextVar[bool] = ContextVar("aios3_signing", default=False)
"""True while aios3 runs botocore's signer (set around `add_auth` in `Signer.sign`)."""


class _HideAios3Signing(logging.Filter):
    """Drops the `botocore.auth` records emitted while aios3 signs: at DEBUG botocore logs
    the canonical request (security token, S3 Express session token, SSE-C key) and the
    signature. A boto3 client's records in the same process (another context) are kept."""

    aios3_signing_filter = True

    def filter(self, record: logging.LogRecord) -> bool:
        return not _SIGNING.get()


def hide_signing_logs() -> None:
    """Install the filter on botocore's signer logger, once (idempotent)."""
    logger = logging.getLogger("botocore.auth")
    if not any(getattr(f, "aios3_signing_filter", False) for f in logger.filters):
        logger.addFilter(_HideAios3Signing())


hide_signing_logs()


_NOT_HEADER_SAFE = re.compile(r"[^\x20-\x7e]")


def check_credential_text(value: object, what: str) -> None:
    """The access key id and the session token travel in headers: printable ASCII only.

    The message never quotes the value (a token is a secret; a key id is half a pair).
    """
    if not isinstance(value, str):
        raise ParamValidationError(f"{what}: must be a str, got {type(value).__name__}")
    if _NOT_HEADER_SAFE.search(value):
        raise ParamValidationError(
            f"{what}: must be printable ASCII; it has control or non-ASCII characters "
            "(a stray newline?)"
        )


@dataclass(frozen=True, slots=True)
class FrozenCredentials:
    """One set of keys. The secret and token are kept out of `repr`."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


class SigningRequest:
    """The attributes of a request that botocore's SigV4 signer reads and writes."""

    __slots__ = ("body", "context", "headers", "headers_to_sign", "method", "params", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: CIMultiDict[str],
        body: object,
        context: dict[str, object],
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.params: dict[str, str] = {}
        self.context = context
        self.headers_to_sign: _HeaderMap | None = None


def signing_context(
    *, sign_payload: bool, streaming_input: bool, trailer: bool = False
) -> dict[str, object]:
    """The context botocore's signer reads: whether to hash the payload.

    Bytes bodies are hashed as botocore does (over https a blob with Content-MD5 is sent
    UNSIGNED-PAYLOAD, as botocore does); file objects and async iterables are never read
    for signing: they always go as UNSIGNED-PAYLOAD. A body with a trailing checksum
    (`aws-chunked`) goes as STREAMING-UNSIGNED-PAYLOAD-TRAILER: botocore's signers read
    that from the checksum context, as set by its `resolve_request_checksum_algorithm`.
    """
    ctx: dict[str, object] = {}
    if trailer:
        ctx["checksum"] = _TRAILER_CHECKSUM
    if not sign_payload:
        ctx["client_config"] = _UNSIGNED_PAYLOAD_CONFIG
    if streaming_input:
        ctx["has_streaming_input"] = True
    return ctx


class _S3Config:
    s3 = {"payload_signing_enabled": False}


_UNSIGNED_PAYLOAD_CONFIG = _S3Config()
_TRAILER_CHECKSUM = {"request_algorithm": {"in": "trailer"}}


class _BotoCredentialsView:
    """What botocore's signer reads from credentials (access_key, secret_key, token)."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, creds: FrozenCredentials) -> None:
        self.access_key = creds.access_key
        self.secret_key = creds.secret_key
        self.token = creds.token

    def __repr__(self) -> str:
        return f"<credentials access_key={self.access_key!r}>"


class _HeaderMap(dict[str, list[str]]):
    """The headers to sign, with the one method botocore's signer calls on them."""

    def get_all(self, name: str) -> list[str]:
        return self[name]


class _Memo:
    """Memoisation for botocore's SigV4 signers: the derived key per day, and the
    headers-to-sign per request. Everything else is botocore's own code."""

    credentials: _BotoCredentialsView
    _region_name: str
    _service_name: str
    _key_day = ""
    _key = b""

    if TYPE_CHECKING:

        def _sign(self, key: bytes, msg: str, hex: bool = False) -> bytes: ...  # botocore's

    def headers_to_sign(self, request: SigningRequest) -> _HeaderMap:
        # botocore's own selection (every header but SIGNED_HEADERS_BLACKLIST, lower-cased,
        # repeats kept), into a plain dict of lists instead of an email.message-based
        # HTTPHeaders; and once per request, where botocore computes it twice.
        hts = request.headers_to_sign
        if hts is None:
            hts = _HeaderMap()
            for name, value in request.headers.items():
                lname = name.lower()
                if lname not in SIGNED_HEADERS_BLACKLIST:
                    hts.setdefault(lname, []).append(value)
            if "host" not in hts:
                hts["host"] = [_host_from_url(request.url)]
            request.headers_to_sign = hts
        return hts

    def signature(self, string_to_sign: str, request: SigningRequest) -> str:
        day = str(request.context["timestamp"])[0:8]
        if day != self._key_day:
            k = self._sign(f"AWS4{self.credentials.secret_key}".encode(), day)
            k = self._sign(k, self._region_name)
            k = self._sign(k, self._service_name)
            self._key = self._sign(k, "aws4_request")
            self._key_day = day
        return hmac.new(self._key, string_to_sign.encode("utf-8"), sha256).hexdigest()


class _CachingS3SigV4Auth(_Memo, S3SigV4Auth):  # type: ignore[misc]
    """botocore's `S3SigV4Auth` with `_Memo`."""


class _CachingS3ExpressAuth(_Memo, S3ExpressAuth):  # type: ignore[misc]
    """botocore's `S3ExpressAuth` (session token in `x-amz-s3session-token`) with `_Memo`."""

    def __init__(self, credentials: _BotoCredentialsView, service_name: str, region: str) -> None:
        super().__init__(credentials, service_name, region, identity_cache=None)


def _sigv4a_class() -> type:
    try:
        from botocore.crt.auth import CrtS3SigV4AsymAuth
    except ImportError:  # pragma: no cover - botocore without its crt module
        CrtS3SigV4AsymAuth = None
    try:
        import awscrt  # noqa: F401
    except ImportError:
        CrtS3SigV4AsymAuth = None
    if CrtS3SigV4AsymAuth is None:
        raise MissingDependencyError(
            "this endpoint (a multi-region access point) needs SigV4a signing, which needs "
            "the awscrt package: pip install 'aios3[crt]'"
        )
    return CrtS3SigV4AsymAuth  # type: ignore[no-any-return]


SigningAlgorithm = Literal["sigv4", "s3express", "sigv4a"]


class Signer:
    """Signs requests for one credential set; one botocore signer per (service, region).

    `algorithm` picks botocore's class: `S3SigV4Auth`, `S3ExpressAuth` (S3 Express session
    credentials) or, with awscrt, `CrtS3SigV4AsymAuth` (SigV4a; `region` is the region set).
    """

    def __init__(
        self, credentials: FrozenCredentials, algorithm: SigningAlgorithm = "sigv4"
    ) -> None:
        self._view = _BotoCredentialsView(credentials)
        self._algorithm = algorithm
        self._cls: type = {
            "sigv4": _CachingS3SigV4Auth,
            "s3express": _CachingS3ExpressAuth,
        }.get(algorithm) or _sigv4a_class()
        self._signers: dict[tuple[str, str], object] = {}

    def __repr__(self) -> str:
        return f"<Signer {self._algorithm} access_key={self._view.access_key!r}>"

    @property
    def access_key(self) -> str:
        """The access key id (not secret)."""
        return self._view.access_key

    def with_credentials(
        self, credentials: FrozenCredentials, algorithm: SigningAlgorithm
    ) -> Signer:
        """A signer for other credentials (e.g. an S3 Express session's)."""
        return Signer(credentials, algorithm)

    def sign(self, request: SigningRequest, signing_name: str, region: str) -> None:
        """Add `X-Amz-Date`, `X-Amz-Content-SHA256`, the token and `Authorization`.

        The CRT (SigV4a) signer replaces `request.headers` with its own mapping.
        """
        signer = self._signers.get((signing_name, region))
        if signer is None:
            signer = self._cls(self._view, signing_name, region)
            self._signers[(signing_name, region)] = signer
        # botocore's signer logs the canonical request and the signature at DEBUG: the
        # filter installed on its logger drops what it logs while this is set
        token = _SIGNING.set(True)
        try:
            signer.add_auth(request)  # type: ignore[attr-defined]
        finally:
            _SIGNING.reset(token)


_STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def unsigned_refused(what: str, why: str, url: str = "") -> ParamValidationError:
    """The error for a request an unsigned client cannot send (nothing was sent)."""
    where = f" to {url}" if url else ""
    return ParamValidationError(
        f"Bucket: {what} accept no unsigned request ({why}), and this client sends its "
        f"requests unsigned (Config(signature_version=UNSIGNED)): nothing was sent{where}; "
        "use a client with credentials"
    )


class UnsignedSigner(Signer):
    """`Config(signature_version=botocore.UNSIGNED)`: the request goes out as it is.

    As botocore sends it: no `Authorization`, `X-Amz-Date`, `X-Amz-Content-SHA256` nor
    token; only a body with a trailing checksum gets
    `X-Amz-Content-SHA256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` (S3 requires it, botocore's
    `_set_extra_headers_for_unsigned_request`). A request for a directory bucket (signing
    name `s3express`) is refused before it is sent: S3 Express accepts no anonymous request.
    """

    def __init__(self) -> None:  # no credentials, no botocore signer
        self._signers = {}

    def __repr__(self) -> str:
        return "<Signer unsigned>"

    @property
    def access_key(self) -> str:
        return ""

    def sign(self, request: SigningRequest, signing_name: str, region: str) -> None:
        if signing_name == "s3express":
            raise unsigned_refused(
                "directory buckets (S3 Express One Zone)",
                "S3 Express authenticates every request",
                request.url.split("?", 1)[0],
            )
        if "checksum" in request.context:  # a trailing checksum: aws-chunked
            request.headers["X-Amz-Content-SHA256"] = _STREAMING_UNSIGNED_TRAILER


@dataclass(slots=True)
class CredentialCache:
    """Holds the current credentials; resolves and refreshes them off the event loop.

    `loader` is a blocking callable returning botocore credentials (or None); it runs in a
    worker thread, once, and again only when the credentials near their expiry.
    `shared` (with no `loader`) are botocore credentials an earlier client's chain already
    returned (`aios3._config.CredentialChain`): the first signer is made from them on the
    event loop when reading them cannot block (plain keys, or refreshable ones outside
    botocore's refresh window), else in a worker thread as a loader's.
    `clock` (seconds since the epoch, `time.time` by default) is injectable for tests.
    """

    loader: Callable[[], BotoCredentials | None] | None
    static: FrozenCredentials | None = None
    shared: BotoCredentials | None = None
    refresh_margin: float = 300.0
    clock: Callable[[], float] = time.time
    _boto: BotoCredentials | None = None
    _current: FrozenCredentials | None = None
    _signer: Signer | None = None
    _sigv4a: Signer | None = None
    _refresh_at: float = float("inf")
    _lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        ak = self._current.access_key if self._current else None
        return f"<CredentialCache access_key={ak!r}>"

    @classmethod
    def unsigned(cls) -> CredentialCache:
        """For `Config(signature_version=UNSIGNED)`: no credential is ever looked up, and
        `signer()` always returns the `UnsignedSigner` (decided once, at client setup)."""
        cache = cls(loader=None)
        cache._signer = UnsignedSigner()
        return cache

    async def signer(self) -> Signer:
        """A signer for valid credentials; cheap when nothing needs refreshing."""
        s = self._signer
        if s is not None and self.clock() < self._refresh_at:
            return s
        return await self._load()

    async def _load(self) -> Signer:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._signer is not None and self.clock() < self._refresh_at:
                return self._signer
            if self.static is not None:
                creds, refresh_at = self.static, float("inf")
            elif (
                self._boto is None
                and self.loader is None
                and self.shared is not None
                and _will_not_refresh(self.shared)
            ):
                creds, refresh_at = self._fetch()  # keys in memory: nothing to wait for
            else:
                # the thread only returns values: installed together here, on the loop, so
                # a caller cancelled meanwhile cannot leave old keys with a new deadline
                creds, refresh_at = await asyncio.get_running_loop().run_in_executor(
                    None, self._fetch
                )
            self._refresh_at = refresh_at
            self._current = creds
            self._signer = Signer(creds)
            self._sigv4a = None
            return self._signer

    async def sigv4a_signer(self) -> Signer:
        """A SigV4a signer (botocore's CRT class) for the same credentials."""
        base = await self.signer()
        if isinstance(base, UnsignedSigner):
            raise unsigned_refused(
                "multi-region access points", "every request to one is signed with SigV4a"
            )
        if self._sigv4a is None or self._sigv4a.access_key != base.access_key:
            assert self._current is not None
            self._sigv4a = Signer(self._current, "sigv4a")
        return self._sigv4a

    def _fetch(self) -> tuple[FrozenCredentials, float]:
        from botocore.exceptions import BotoCoreError

        try:
            return self._fetch_unguarded()
        except BotoCoreError as exc:  # partial keys, SSO/IMDS/process provider failures
            raise NoCredentialsError(f"could not load credentials: {exc}") from None

    def _fetch_unguarded(self) -> tuple[FrozenCredentials, float]:
        if self.loader is not None:  # the provider chain runs once, found or not
            self._boto, self.loader = self.loader(), None
        elif self._boto is None:
            self._boto = self.shared
        boto = self._boto
        if boto is None:
            raise NoCredentialsError(
                "Unable to locate credentials: pass aws_access_key_id/aws_secret_access_key, "
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile"
            )
        frozen = boto.get_frozen_credentials()
        if frozen.access_key is None or frozen.secret_key is None:
            raise NoCredentialsError("the credential provider returned incomplete credentials")
        check_credential_text(frozen.access_key, "the access key id from the credential chain")
        if frozen.token is not None:
            check_credential_text(frozen.token, "the session token from the credential chain")
        expiry = getattr(boto, "_expiry_time", None)
        if expiry is not None:
            now = self.clock()
            remaining = expiry.timestamp() - now
            # refresh `refresh_margin` before expiry, but never busy-loop on short-lived keys
            refresh_at = now + max(remaining - self.refresh_margin, remaining / 2, 1.0)
        else:
            refresh_at = float("inf")
        return FrozenCredentials(frozen.access_key, frozen.secret_key, frozen.token), refresh_at


def _will_not_refresh(boto: BotoCredentials) -> bool:
    """`get_frozen_credentials()` will return the keys in memory: plain credentials, or
    refreshable ones a minute or more outside botocore's advisory refresh window (inside
    it botocore refreshes, which may call a process or the network)."""
    refresh_needed = getattr(boto, "refresh_needed", None)
    if refresh_needed is None:
        return True
    advisory = getattr(boto, "_advisory_refresh_timeout", None)
    if not isinstance(advisory, int | float):
        return False
    return not refresh_needed(advisory + 60)


def _retrieve(task: asyncio.Task[_Session]) -> None:
    if not task.cancelled():
        task.exception()


@dataclass(slots=True)
class _Session:
    signer: Signer
    refresh_at: float
    usable_until: float


class ExpressSessions:
    """S3 Express One Zone sessions, cached per (bucket, long-term access key).

    A session is reused until `refresh_before` seconds before it expires, then refreshed in
    the background while the old one keeps serving; within `min_validity` seconds of expiry
    (or with none cached) callers wait for a fresh one. Concurrent callers share one
    CreateSession call (no stampede), and a failed CreateSession is not cached: every waiter
    gets its error and the next call tries again. `clock` (seconds since the epoch,
    `time.time` by default) is injectable for tests.
    """

    def __init__(
        self,
        fetch: Callable[[str, Signer], Awaitable[tuple[FrozenCredentials, float]]],
        *,
        refresh_before: float = 60.0,
        min_validity: float = 10.0,
        max_sessions: int = 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._refresh_before = refresh_before
        self._min_validity = min_validity
        self._max = max_sessions
        self._cache: dict[tuple[str, str], _Session] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[_Session]] = {}
        self._background: set[asyncio.Task[_Session]] = set()

    def __repr__(self) -> str:
        return f"<ExpressSessions cached={len(self._cache)}>"

    async def signer(self, bucket: str, base: Signer) -> Signer:
        """The session signer for `bucket`; cheap while a cached session is fresh."""
        key = (bucket, base.access_key)
        entry = self._cache.get(key)
        if entry is not None:
            now = self._clock()
            if now < entry.refresh_at:
                return entry.signer
            if now < entry.usable_until:
                if key not in self._inflight:
                    task = self._start(key, bucket, base)
                    self._background.add(task)
                    task.add_done_callback(self._background_done)
                return entry.signer
        task = self._inflight.get(key) or self._start(key, bucket, base)
        return (await asyncio.shield(task)).signer

    def _start(self, key: tuple[str, str], bucket: str, base: Signer) -> asyncio.Task[_Session]:
        task = asyncio.get_running_loop().create_task(self._create(key, bucket, base))
        task.add_done_callback(_retrieve)  # no "exception never retrieved" if all waiters left
        self._inflight[key] = task
        return task

    async def _create(self, key: tuple[str, str], bucket: str, base: Signer) -> _Session:
        try:
            creds, expires = await self._fetch(bucket, base)
        finally:
            self._inflight.pop(key, None)
        session = _Session(
            signer=Signer(creds, "s3express"),
            refresh_at=expires - self._refresh_before,
            usable_until=expires - self._min_validity,
        )
        if len(self._cache) >= self._max:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = session
        return session

    def _background_done(self, task: asyncio.Task[_Session]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("background refresh of an S3 Express session failed: %r", task.exception())

    def invalidate(self, bucket: str, base: Signer, used: Signer | None = None) -> None:
        """Forget the cached session (e.g. after the server said it expired).

        With `used`, only if the cached session is still the one that request was signed
        with: late answers to requests signed with an older session must not throw away the
        fresh one.
        """
        key = (bucket, base.access_key)
        entry = self._cache.get(key)
        if entry is not None and (used is None or entry.signer is used):
            del self._cache[key]

    async def close(self) -> None:
        """Cancel background refreshes."""
        for task in list(self._background) + list(self._inflight.values()):
            task.cancel()
        for task in list(self._background):
            with contextlib.suppress(BaseException):
                await task
