"""Credentials and request signing.

Signing uses botocore's own `S3SigV4Auth` class. aios3 feeds it a light request object
(the attributes botocore's signer reads) instead of building an `AWSRequest`, keeps one
signer per signing scope, and memoises the SigV4 signing key per day; the signature itself
is computed by botocore's code, and a differential test proves the `Authorization` header is
byte-identical to botocore's.

Credentials come from explicit keys or from botocore's provider chain (env, shared files,
SSO, IMDS, ...), resolved off the event loop once and refreshed when they near expiry.
Secrets never appear in a repr, a log line or an exception.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from typing import TYPE_CHECKING

from botocore.auth import S3SigV4Auth
from multidict import CIMultiDict

from .errors import NoCredentialsError

if TYPE_CHECKING:
    from botocore.credentials import Credentials as BotoCredentials

__all__ = [
    "CredentialCache",
    "FrozenCredentials",
    "Signer",
    "SigningRequest",
    "signing_context",
]


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
        self.headers_to_sign: object = None


def signing_context(*, sign_payload: bool, streaming_input: bool) -> dict[str, object]:
    """The context botocore's signer reads: whether to hash the payload.

    Bytes bodies are hashed as botocore does (over https a blob with Content-MD5 is sent
    UNSIGNED-PAYLOAD, as botocore does); file objects and async iterables are never read
    for signing: they always go as UNSIGNED-PAYLOAD.
    """
    ctx: dict[str, object] = {}
    if not sign_payload:
        ctx["client_config"] = _UNSIGNED_PAYLOAD_CONFIG
    if streaming_input:
        ctx["has_streaming_input"] = True
    return ctx


class _S3Config:
    s3 = {"payload_signing_enabled": False}


_UNSIGNED_PAYLOAD_CONFIG = _S3Config()


class _BotoCredentialsView:
    """What botocore's signer reads from credentials (access_key, secret_key, token)."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, creds: FrozenCredentials) -> None:
        self.access_key = creds.access_key
        self.secret_key = creds.secret_key
        self.token = creds.token

    def __repr__(self) -> str:
        return f"<credentials access_key={self.access_key!r}>"


class _CachingS3SigV4Auth(S3SigV4Auth):  # type: ignore[misc]
    """botocore's `S3SigV4Auth`, with the derived signing key memoised per day."""

    def __init__(self, credentials: _BotoCredentialsView, service_name: str, region: str) -> None:
        super().__init__(credentials, service_name, region)
        self._key_day = ""
        self._key = b""

    def headers_to_sign(self, request: SigningRequest) -> object:
        # botocore computes this twice per signature (canonical request, then the
        # Authorization header) from the same headers: compute it once per request
        hts = request.headers_to_sign
        if hts is None:
            hts = request.headers_to_sign = super().headers_to_sign(request)
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


class Signer:
    """Signs requests for one credential set; one botocore signer per (service, region)."""

    def __init__(self, credentials: FrozenCredentials) -> None:
        self._view = _BotoCredentialsView(credentials)
        self._signers: dict[tuple[str, str], _CachingS3SigV4Auth] = {}

    def __repr__(self) -> str:
        return f"<Signer access_key={self._view.access_key!r}>"

    def sign(self, request: SigningRequest, signing_name: str, region: str) -> None:
        """Add `X-Amz-Date`, `X-Amz-Content-SHA256`, the token and `Authorization`."""
        signer = self._signers.get((signing_name, region))
        if signer is None:
            signer = _CachingS3SigV4Auth(self._view, signing_name, region)
            self._signers[(signing_name, region)] = signer
        signer.add_auth(request)


@dataclass(slots=True)
class CredentialCache:
    """Holds the current credentials; resolves and refreshes them off the event loop.

    `loader` is a blocking callable returning botocore credentials (or None); it runs in a
    worker thread, once, and again only when the credentials near their expiry.
    """

    loader: Callable[[], BotoCredentials | None] | None
    static: FrozenCredentials | None = None
    refresh_margin: float = 300.0
    _boto: BotoCredentials | None = None
    _current: FrozenCredentials | None = None
    _signer: Signer | None = None
    _refresh_at: float = float("inf")
    _lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        ak = self._current.access_key if self._current else None
        return f"<CredentialCache access_key={ak!r}>"

    async def signer(self) -> Signer:
        """A signer for valid credentials; cheap when nothing needs refreshing."""
        s = self._signer
        if s is not None and time.time() < self._refresh_at:
            return s
        return await self._load()

    async def _load(self) -> Signer:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._signer is not None and time.time() < self._refresh_at:
                return self._signer
            if self.static is not None:
                creds = self.static
                self._refresh_at = float("inf")
            else:
                creds = await asyncio.get_running_loop().run_in_executor(None, self._fetch)
            self._current = creds
            self._signer = Signer(creds)
            return self._signer

    def _fetch(self) -> FrozenCredentials:
        if self.loader is not None:  # the provider chain runs once, found or not
            self._boto, self.loader = self.loader(), None
        boto = self._boto
        if boto is None:
            raise NoCredentialsError(
                "Unable to locate credentials: pass aws_access_key_id/aws_secret_access_key, "
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure a profile"
            )
        frozen = boto.get_frozen_credentials()
        if frozen.access_key is None or frozen.secret_key is None:
            raise NoCredentialsError("the credential provider returned incomplete credentials")
        expiry = getattr(boto, "_expiry_time", None)
        if expiry is not None:
            now = time.time()
            remaining = expiry.timestamp() - now
            # refresh `refresh_margin` before expiry, but never busy-loop on short-lived keys
            self._refresh_at = now + max(remaining - self.refresh_margin, remaining / 2, 1.0)
        else:
            self._refresh_at = float("inf")
        return FrozenCredentials(frozen.access_key, frozen.secret_key, frozen.token)
