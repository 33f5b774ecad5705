"""Credentials and request signing.

SigV4 signing subclasses botocore's own `S3SigV4Auth` / `S3ExpressAuth` and specialises
their `add_auth` (`_LeanSigV4`): the canonical request, the string to sign and the
signature are built directly from a light request object (the attributes botocore's signer
reads) instead of an `AWSRequest`, following botocore's rules exactly, with one signer per
signing scope and what does not change per request (signing key, credential scope) computed
once a day. A differential test over a randomised corpus proves the headers byte-identical
to botocore's unmodified signers. SigV4a is botocore's CRT signer as it is.

Credentials come from explicit keys or from botocore's provider chain (env, shared files,
SSO, IMDS, ...), resolved off the event loop once and refreshed when they near expiry.
Secrets never appear in a repr, a log line or an exception: aios3's SigV4 logs nothing, and
botocore's signers log the canonical request at DEBUG, so their records emitted while aios3
signs (SigV4a) are dropped (`hide_signing_logs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from hashlib import sha256
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from botocore import auth as _botocore_auth
from botocore.auth import (
    SIGNED_HEADERS_BLACKLIST,
    S3ExpressAuth,
    S3SigV4Auth,
    _host_from_url,
)
from botocore.exceptions import NoCredentialsError as BotoNoCredentialsError
from multidict import CIMultiDict, istr

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
"""True while aios3 runs a botocore signer's `add_auth` (SigV4a, in `Signer.sign`)."""


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

    __slots__ = ("body", "context", "headers", "method", "params", "url")

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


_BLACKLIST = frozenset(SIGNED_HEADERS_BLACKLIST)
_EMPTY_SHA256: str = _botocore_auth.EMPTY_SHA256_HASH
_UNSIGNED_PAYLOAD: str = _botocore_auth.UNSIGNED_PAYLOAD
_TRAILER_PAYLOAD: str = _botocore_auth.STREAMING_UNSIGNED_PAYLOAD_TRAILER
_SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"  # botocore.auth.SIGV4_TIMESTAMP
_NO_CHECKSUM: dict[str, object] = {}


def _header_name(name: str) -> str:
    """`name` as an istr, which a CIMultiDict finds faster, where the installed multidict's
    istr keeps the name's case (5.0 and later); multidict 4 title-cases it
    (`X-Amz-Content-Sha256`), so there the plain name is used, and sent as botocore
    spells it."""
    fast = istr(name)
    return fast if str(fast) == name else name


# the header names the signer looks up and sets
_AUTHORIZATION = _header_name("Authorization")
_DATE = _header_name("Date")
_X_AMZ_DATE = _header_name("X-Amz-Date")
_SECURITY_TOKEN = _header_name("X-Amz-Security-Token")
_CONTENT_SHA256 = _header_name("X-Amz-Content-SHA256")
_S3SESSION_TOKEN = _header_name("x-amz-s3session-token")
_CONTENT_MD5 = _header_name("Content-MD5")

_clock = time.time
"""The signing clock (seconds since the epoch): the system clock botocore reads too."""
_stamp: tuple[int, str] = (-1, "")


def _timestamp() -> str:
    """`X-Amz-Date` for now (botocore's `SIGV4_TIMESTAMP` format), formatted once a second."""
    global _stamp
    second = int(_clock())
    if _stamp[0] != second:
        _stamp = (second, time.strftime(_SIGV4_TIMESTAMP, time.gmtime(second)))
    return _stamp[1]


def _path_and_query(url: str) -> tuple[str, str]:
    """`urlsplit(url)`'s path and query, without its cost for the URLs aios3 builds
    (`scheme://netloc/path?query`, nothing `urlsplit` would strip or split off)."""
    start = 8 if url.startswith("https://") else 7 if url.startswith("http://") else 0
    slash = url.find("/", start) if start else -1
    mark = url.find("?", start)
    # not printable: a tab or a newline, which urlsplit removes
    if slash < 0 or 0 <= mark < slash or "#" in url or not url.isprintable():
        parts = urlsplit(url)
        return parts.path, parts.query
    if mark < 0:
        return url[slash:], ""
    return url[slash:mark], url[mark + 1 :]


def _canonical_query(query: str) -> str:
    """botocore's `SigV4Auth._canonical_query_string_url`: the pairs as they are in the URL
    (already encoded), sorted by key then value; a key without `=` gets one."""
    if not query:
        return ""
    if "&" not in query:
        return query if "=" in query else query + "="
    pairs = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        pairs.append((key, value))
    return "&".join([f"{key}={value}" for key, value in sorted(pairs)])


_HeaderPlan = tuple[tuple[tuple[str, int], ...], str]
_plans: dict[tuple[str, ...], _HeaderPlan | None] = {}
_MAX_PLANS = 1024


def _header_plan(names: tuple[str, ...]) -> _HeaderPlan | None:
    """botocore's `headers_to_sign`, `canonical_headers` and `signed_headers` for headers
    with these names (distinct, in their order), computed once per set of names: the steps
    of the canonical headers (a prefix, then the index of the value that follows it) and
    the signed headers. Every header but `SIGNED_HEADERS_BLACKLIST`, lower-cased and sorted.
    None without a `host` header (botocore takes it from the URL) or with a repeated name:
    the slower path."""
    plan = _plans.get(names, False)
    if plan is not False:
        return plan  # type: ignore[return-value]
    lower = [name.lower() for name in names]
    kept = sorted(
        (i for i, name in enumerate(lower) if name not in _BLACKLIST), key=lower.__getitem__
    )
    found: _HeaderPlan | None = None
    # a repeated name (multidict before 7 lists it once per value when iterated): the
    # slower path, which joins the values
    if len(set(lower)) == len(lower) and any(lower[i] == "host" for i in kept):
        steps = tuple((f"\n{lower[i]}:" if n else f"{lower[i]}:", i) for n, i in enumerate(kept))
        # botocore strips the names it lists as signed (not those in the canonical headers)
        found = steps, ";".join(sorted(lower[i].strip() for i in kept))
    if len(_plans) >= _MAX_PLANS:
        _plans.clear()
    _plans[names] = found
    return found


def _canonical_headers_slow(headers: CIMultiDict[str], url: str) -> tuple[str, str]:
    """The canonical and the signed headers when a name is repeated (its values joined with
    commas, in their order) or there is no `host` header (botocore's `_host_from_url`)."""
    to_sign: dict[str, str] = {}
    for name, value in headers.items():
        lname = name.lower()
        if lname not in _BLACKLIST:
            value = " ".join(value.split())
            if lname in to_sign:
                to_sign[lname] += "," + value
            else:
                to_sign[lname] = value
    if "host" not in to_sign:
        to_sign["host"] = _host_from_url(url)
    names = sorted(to_sign)
    signed = ";".join(sorted(name.strip() for name in names))
    return "\n".join([f"{name}:{to_sign[name]}" for name in names]), signed


_DayKeys = tuple[str, "hashlib._Hash", "hashlib._Hash", str, str]
_PAD_INNER = bytes(x ^ 0x36 for x in range(256))
_PAD_OUTER = bytes(x ^ 0x5C for x in range(256))


class _LeanSigV4:
    """SigV4 for botocore's S3 signers, built directly: `add_auth` makes the canonical
    request, the string to sign and the signature itself, with what does not change per
    request computed once (the signing key, the credential scope and the `Authorization`
    prefix once a day per signer; the timestamp once a second).

    Every rule is botocore's (`SigV4Auth`, `S3SigV4Auth`, `S3ExpressAuth` in
    botocore.auth), and a differential test over a randomised corpus checks the headers
    byte for byte against botocore's unmodified classes: the headers set before signing
    (`_modify_request_before_signing`), the payload hash (`payload`,
    `_should_sha256_sign_payload`), the canonical URI (S3: the path as sent, neither
    normalised nor encoded again), the canonical query (`_canonical_query_string_url` /
    `_params`), the signed headers (all but `SIGNED_HEADERS_BLACKLIST`, lower-cased,
    whitespace runs collapsed, repeated headers joined with commas, `host` from the URL
    when absent). Rare inputs go through botocore's own methods: a `Date` header
    (`_set_necessary_date_headers`), a file body to hash (`payload`), `request.params`.
    Nothing is logged (botocore's `add_auth` logs the canonical request at DEBUG).

    The credentials are fixed for the signer's life (aios3 makes a signer per credential
    set): the derived key is cached by day.
    """

    credentials: _BotoCredentialsView
    _region_name: str
    _service_name: str
    _session_token_header = False  # S3ExpressAuth: the token goes in x-amz-s3session-token
    _day: _DayKeys = ("", sha256(), sha256(), "", "")  # day, HMAC pads, scope, auth prefix

    if TYPE_CHECKING:  # botocore's

        def _sign(self, key: bytes, msg: str, hex: bool = False) -> bytes: ...
        def _set_necessary_date_headers(self, request: SigningRequest) -> None: ...
        def payload(self, request: SigningRequest) -> str: ...
        def _canonical_query_string_params(self, params: object) -> str: ...

    def _for_day(self, day: str) -> _DayKeys:
        k = self._sign(f"AWS4{self.credentials.secret_key}".encode(), day)
        k = self._sign(k, self._region_name)
        k = self._sign(k, self._service_name)
        key = self._sign(k, "aws4_request").ljust(64, b"\0")
        # HMAC-SHA256 (RFC 2104) with the key's two padded blocks hashed once a day: each
        # signature then costs two hash copies, not a new HMAC
        inner, outer = sha256(key.translate(_PAD_INNER)), sha256(key.translate(_PAD_OUTER))
        scope = f"{day}/{self._region_name}/{self._service_name}/aws4_request"
        auth = f"AWS4-HMAC-SHA256 Credential={self.credentials.access_key}/{scope}, "
        self._day = keys = (day, inner, outer, scope, auth + "SignedHeaders=")
        return keys

    def _payload_hash(self, request: SigningRequest, https: bool) -> str:
        # S3SigV4Auth.payload with its _should_sha256_sign_payload (and SigV4Auth's)
        ctx = request.context
        algorithm = ctx.get("checksum", _NO_CHECKSUM).get("request_algorithm")  # type: ignore[attr-defined]
        if isinstance(algorithm, dict) and algorithm.get("in") == "trailer":
            return _TRAILER_PAYLOAD
        s3_config = getattr(ctx.get("client_config"), "s3", None)
        if s3_config is None:
            s3_config = {}
        sign = s3_config.get("payload_signing_enabled")
        if sign is None:
            checksum_header = _CONTENT_MD5
            if isinstance(algorithm, dict) and algorithm.get("in") == "header":
                checksum_header = algorithm["name"]
            if not https or checksum_header not in request.headers:
                sign = True
            elif ctx.get("has_streaming_input", False):
                sign = False
            else:
                sign = ctx.get("payload_signing_enabled", True)
        if not sign:
            return _UNSIGNED_PAYLOAD
        body = request.body
        if not body:
            return _EMPTY_SHA256
        if hasattr(body, "seek"):  # a file: botocore reads it in chunks and rewinds it
            return str(S3SigV4Auth.payload(self, request))
        return sha256(body).hexdigest()  # type: ignore[arg-type]

    def add_auth(self, request: SigningRequest) -> None:
        creds = self.credentials
        if creds is None:
            raise BotoNoCredentialsError()
        ts = _timestamp()
        request.context["timestamp"] = ts
        headers = request.headers
        url = request.url
        # _modify_request_before_signing: SigV4Auth's, S3SigV4Auth's, S3ExpressAuth's
        if _AUTHORIZATION in headers:
            del headers[_AUTHORIZATION]
        if _DATE in headers:
            self._set_necessary_date_headers(request)
        else:
            if _X_AMZ_DATE in headers:
                del headers[_X_AMZ_DATE]
            headers[_X_AMZ_DATE] = ts
        token = creds.token
        if token:
            if _SECURITY_TOKEN in headers:
                del headers[_SECURITY_TOKEN]
            headers[_SECURITY_TOKEN] = token
        if _CONTENT_SHA256 in headers:
            del headers[_CONTENT_SHA256]
        payload = self._payload_hash(request, url.startswith("https"))
        headers[_CONTENT_SHA256] = payload
        if self._session_token_header:
            if _S3SESSION_TOKEN not in headers:
                headers[_S3SESSION_TOKEN] = token  # type: ignore[assignment]
            if _SECURITY_TOKEN in headers:
                del headers[_SECURITY_TOKEN]

        # the canonical request
        path, query = _path_and_query(url)
        if request.params:
            query = self._canonical_query_string_params(request.params)
        else:
            query = _canonical_query(query)
        names = tuple(headers)  # distinct names: a repeated one goes the slower path
        plan = _header_plan(names) if len(names) == len(headers) else None
        if plan is not None:
            steps, signed = plan
            values = list(headers.values())
            canonical_headers = "".join([pre + " ".join(values[i].split()) for pre, i in steps])
        else:
            canonical_headers, signed = _canonical_headers_slow(headers, url)
        canonical = (
            f"{request.method.upper()}\n{path}\n{query}\n{canonical_headers}\n\n{signed}\n{payload}"
        )

        day, inner, outer, scope, auth = self._day
        if ts[0:8] != day:
            day, inner, outer, scope, auth = self._for_day(ts[0:8])
        digest = sha256(canonical.encode("utf-8")).hexdigest()
        mac = inner.copy()
        mac.update(f"AWS4-HMAC-SHA256\n{ts}\n{scope}\n{digest}".encode())
        signature = outer.copy()
        signature.update(mac.digest())
        headers[_AUTHORIZATION] = f"{auth}{signed}, Signature={signature.hexdigest()}"


class _CachingS3SigV4Auth(_LeanSigV4, S3SigV4Auth):  # type: ignore[misc]
    """botocore's `S3SigV4Auth`, signing through `_LeanSigV4.add_auth`."""


class _CachingS3ExpressAuth(_LeanSigV4, S3ExpressAuth):  # type: ignore[misc]
    """botocore's `S3ExpressAuth` (session token in `x-amz-s3session-token`, no
    `X-Amz-Security-Token`), signing through `_LeanSigV4.add_auth`."""

    _session_token_header = True

    def __init__(self, credentials: _BotoCredentialsView, service_name: str, region: str) -> None:
        super().__init__(credentials, service_name, region, identity_cache=None)


def _sigv4a_class() -> type:
    try:
        from botocore.crt.auth import CrtS3SigV4AsymAuth
    except ImportError:  # pragma: no cover - botocore without its crt module
        CrtS3SigV4AsymAuth = None
    try:
        import awscrt  # noqa: F401

        from ._native import load

        load()  # awscrt's extension, if its loading was deferred (see aios3._native)
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
        self._lean = issubclass(self._cls, _LeanSigV4)
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
        if self._lean:  # aios3's SigV4: nothing logged
            signer.add_auth(request)  # type: ignore[attr-defined]
            return
        # botocore's SigV4a signer logs the canonical request and the signature at DEBUG:
        # the filter installed on its logger drops what it logs while this is set
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

    def fresh_signer(self) -> Signer | None:
        """`signer()`'s answer when it needs no waiting (nothing to load or refresh), else
        None: the client's per-attempt fast path, without a coroutine of its own."""
        s = self._signer
        if s is not None and self.clock() < self._refresh_at:
            return s
        return None

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
