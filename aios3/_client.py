"""`S3Client`: the async client. One call = validate → serialize → resolve → sign → send → parse."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Mapping,
)
from dataclasses import replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Literal, TypeVar

from multidict import CIMultiDict
from typing_extensions import Self, Unpack, overload
from yarl import URL

from . import __version__, models
from . import _operations as _ops
from ._auth import (
    CredentialCache,
    ExpressSessions,
    FrozenCredentials,
    Signer,
    SigningRequest,
    signing_context,
)
from ._checksums import DEFAULT_ALGORITHM as DEFAULT_CHECKSUM_ALGORITHM
from ._checksums import Hasher, TrailerChecksum, b64digest, hasher_factory
from ._config import (
    Config,
    CredentialChain,
    Settings,
    SetupCache,
    SetupKey,
    check_ca_bundle,
    check_chain_credentials,
    check_client_args,
    check_region,
    env_credentials,
    is_unsigned,
    load_shared_config,
    resolve_settings,
    setup_key,
)
from ._endpoints import (
    EndpointParams,
    EndpointResolver,
    ResolvedEndpoint,
    load_rule_set,
    shared_resolver,
)
from ._orphans import VerifyPolicy
from ._paginate import ListMultipartUploadsPaginator, ListPartsPaginator, PaginationConfig
from ._parse import metadata, parse_error
from ._retry import LegacyRetryStrategy, RetryStrategy, RetryToken, classify, strategy_for
from ._serialize import WireRequest, serialize

# imported here, not in the methods, so that typing.get_type_hints() (pydantic's
# validate_call, beartype, inspect.signature(eval_str=True)) reads these methods' hints
from ._sweep import SweepEvent, SweepReport
from ._transfer import ProgressCallback, TransferConfig, UploadExtraArgs
from ._transport import AiohttpTransport, RawResponse, Transport, checked_transport
from ._upload import ManagedUpload
from .errors import (
    Aios3Error,
    ClientError,
    EndpointResolutionError,
    ErrorClasses,
    ParamValidationError,
    ResponseParseError,
    TransportError,
)
from .models import (
    AbortMultipartUploadParams,
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    CompleteMultipartUploadParams,
    CompleteMultipartUploadRequest,
    CompleteMultipartUploadResponse,
    CreateMultipartUploadParams,
    CreateMultipartUploadRequest,
    CreateMultipartUploadResponse,
    CreateSessionParams,
    CreateSessionRequest,
    CreateSessionResponse,
    ListMultipartUploadsParams,
    ListMultipartUploadsRequest,
    ListMultipartUploadsResponse,
    ListPartsParams,
    ListPartsRequest,
    ListPartsResponse,
    MultipartUploadSummary,
    Part,
    RequestModel,
    ResponseModel,
    UploadPartParams,
    UploadPartRequest,
    UploadPartResponse,
    VerifiedAbortResponse,
)

__all__ = ["ListMultipartUploadsPaginator", "ListPartsPaginator", "PaginationConfig", "S3Client"]

log = logging.getLogger("aios3")

Req = TypeVar("Req", bound=RequestModel)
T = TypeVar("T")
Resp = TypeVar("Resp", bound=ResponseModel)

_USER_AGENT = f"aios3/{__version__}"
_SESSION_EXPIRED_CODES = frozenset({"ExpiredToken", "InvalidToken"})
# botocore's S3RegionRedirectorv2: the answers that say "the bucket is in another region"
_REDIRECT_STATUSES = frozenset({301, 302, 307})
_REDIRECT_CODES = frozenset(
    {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}
)
_MAX_BUCKET_REGIONS = 4096
_SETUPS: SetupCache[tuple[Settings, FrozenCredentials | CredentialChain, EndpointResolver]] = (
    SetupCache()
)
"""Client setups per `SetupKey`, shared by the clients of the process (see `_ready`)."""


class S3Client:
    """The async S3 client.

    ```python
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        up = await s3.create_multipart_upload(Bucket="b", Key="k")
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId=up.upload_id)
    ```

    Every argument left as `None` falls back as in boto3 (env, shared config files,
    defaults). Nothing is read or opened until the first call or `async with`.
    Operation methods take boto3's keyword names (snake_case works too), or the request
    model as the only positional argument.

    `transport` takes any [`Transport`][aios3.transport.Transport]; the default is an
    `AiohttpTransport` built from `config`. Tests pass an `aios3.testing.MockTransport`.
    """

    exceptions = ErrorClasses()
    """The error classes, as boto3's `client.exceptions` (`s3.exceptions.NoSuchUpload`)."""

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: Config | None = None,
        transport: Transport | None = None,
    ) -> None:
        check_client_args(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
        )
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise ParamValidationError(
                "aws_access_key_id and aws_secret_access_key must be given together"
            )
        if config is not None and not isinstance(config, Config):
            raise ParamValidationError(f"config must be an aios3.Config, got {type(config)}")
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._profile_name = profile_name
        self._config = config or Config()
        # Config(signature_version=UNSIGNED): decided here, once; keys given are not used
        self._unsigned = is_unsigned(self._config)
        self._static = (
            FrozenCredentials(aws_access_key_id, aws_secret_access_key, aws_session_token)
            if aws_access_key_id is not None and aws_secret_access_key is not None
            else None
        )
        # a user's transport gets its answers checked: garbage raises ResponseParseError
        self._transport = None if transport is None else checked_transport(transport)
        self._settings: Settings | None = None
        self._resolver: EndpointResolver | None = None
        # region redirects: the region learned per bucket, and a resolver per region
        self._bucket_regions: dict[str, EndpointResolver] = {}
        self._region_resolvers: dict[str, EndpointResolver] = {}
        self._creds: CredentialCache | None = None
        self._sessions: ExpressSessions | None = None
        self._retry: RetryStrategy | None = None
        self._before_send: Callable[[], Awaitable[object]] | None = None
        self._default_checksum = True  # request_checksum_calculation == "when_supported"
        self._setup_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop it belongs to
        self._closed = False

    def __repr__(self) -> str:
        s = self._settings
        # an endpoint URL with userinfo never gets here: it is refused when the client is
        # built or set up (aiohttp would swap the signature for Basic auth)
        where = f" region={s.region!r} endpoint_url={s.endpoint_url!r}" if s else ""
        return f"<aios3.S3Client{where}>"

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        if self._closed:
            raise Aios3Error("this S3Client is closed: create a new one")
        await self._ready()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool. The client cannot be used afterwards.

        Raises:
            Aios3Error: called from another event loop than the client's (see `_ready`)
                while the client is open: it refuses calls from then on, but its pool is
                released only by `close()` on its own loop.
        """
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            if self._closed:
                return  # closed on its own loop already: nothing here is ours to touch
            self._closed = True
            raise self._foreign_loop()
        self._closed = True
        if self._sessions is not None:
            await self._sessions.close()
        if self._transport is not None:
            await self._transport.close()

    async def _ready(self) -> EndpointResolver:
        """The endpoint resolver, once the client is set up (the first time, set it up).

        A client belongs to the event loop it is first used on: its connection pool, locks
        and tasks are that loop's, so a call from another loop raises at once (instead
        of aiohttp's "Event loop is closed", or a hang while the first loop runs on)."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise self._foreign_loop()
        if self._resolver is not None:
            return self._resolver
        if self._closed:
            raise Aios3Error("this S3Client is closed")
        key = self._setup_key()
        # a client set up before with the same key (arguments, Config, AWS_* environment,
        # shared files unchanged) shares its setup: nothing to read, no thread hop. The
        # key costs two os.stat calls on the loop; a CA bundle path is checked again (a
        # stat and a one-byte read), so a bundle removed since is reported as it was.
        hit = _SETUPS.get(key)
        if hit is not None:
            if isinstance(hit[0].verify, str):
                check_ca_bundle(
                    hit[0].verify,
                    "verify"
                    if isinstance(self._config.verify, str)
                    else "verify (AWS_CA_BUNDLE / the profile's ca_bundle)",
                )
            self._install(*hit)
            return hit[2]
        if self._setup_lock is None:
            self._setup_lock = asyncio.Lock()
        async with self._setup_lock:
            if self._resolver is None:
                # the blocking part runs in a thread and only returns values; they are
                # installed here, on the loop, all together, so a caller cancelled while
                # the thread runs leaves the client untouched (the next call sets it up)
                setup = await loop.run_in_executor(None, self._setup_blocking)
                if self._closed:
                    raise Aios3Error("this S3Client is closed")
                # kept only if the shared files' mtimes can be trusted, and if nothing
                # changed while the thread read them (a file replaced between the stat
                # and the read would otherwise be kept under the old file's identity)
                if self._setup_key() == key:
                    _SETUPS.put(key, setup)
                self._install(*setup)
        assert self._resolver is not None
        return self._resolver

    def _setup_key(self) -> SetupKey:
        return setup_key(
            region_name=self._region_name,
            endpoint_url=self._endpoint_url,
            profile_name=self._profile_name,
            config=self._config,
        )

    def _install(
        self,
        settings: Settings,
        source: FrozenCredentials | CredentialChain,
        resolver: EndpointResolver,
    ) -> None:
        """Make the client ready with a setup (on the loop, all at once)."""
        cfg = self._config
        if self._unsigned:  # no credential is looked up, as botocore with UNSIGNED
            creds = CredentialCache.unsigned()
        elif self._static is not None:
            creds = CredentialCache(loader=None, static=self._static)
        elif isinstance(source, FrozenCredentials):  # AWS_ACCESS_KEY_ID / ..._SECRET_...
            creds = CredentialCache(loader=None, static=check_chain_credentials(source))
        elif source.loaded is not None:  # another client's chain found them: shared
            creds = CredentialCache(loader=None, shared=source.loaded)
        else:
            creds = CredentialCache(loader=source.load)
        if self._transport is None:
            self._transport = AiohttpTransport(
                connect_timeout=cfg.connect_timeout,
                read_timeout=cfg.read_timeout,
                max_pool_connections=cfg.max_pool_connections,
                verify=settings.verify,
            )
        self._settings = settings
        self._default_checksum = settings.request_checksum_calculation == "when_supported"
        self._creds = creds
        self._retry = retry = cfg.retry_strategy or strategy_for(
            settings.retry_mode, settings.max_attempts
        )
        # the adaptive mode's rate limiter (any strategy may have the hook)
        self._before_send = getattr(retry, "before_send", None)
        self._sessions = ExpressSessions(self._fetch_session)
        self._resolver = resolver

    def _foreign_loop(self) -> Aios3Error:
        return Aios3Error(
            "this S3Client belongs to another event loop, the one it was first used on: "
            "use one client per event loop (per asyncio.run() call, per thread)"
        )

    def _setup_blocking(
        self,
    ) -> tuple[Settings, FrozenCredentials | CredentialChain, EndpointResolver]:
        """Read the shared config files and resolve the settings, the credential source and
        the endpoint resolver (blocking; in a worker thread). No botocore `Session` is
        built here: the credential chain builds one if it runs (`CredentialChain`)."""
        shared = load_shared_config(self._profile_name)
        s = resolve_settings(
            shared,
            region_name=self._region_name,
            endpoint_url=self._endpoint_url,
            config=self._config,
        )
        source = env_credentials(self._profile_name) or CredentialChain(self._profile_name)
        params = EndpointParams(
            region=s.region,
            endpoint_url=s.endpoint_url,
            use_fips=s.use_fips,
            use_dualstack=s.use_dualstack,
            accelerate=s.accelerate,
            force_path_style=s.force_path_style,
            use_arn_region=s.use_arn_region,
            disable_multiregion_access_points=s.disable_mrap,
            disable_s3_express_session_auth=s.disable_s3_express_session_auth,
            use_global_endpoint=s.use_global_endpoint,
            explicit_path_style=s.addressing_style == "path",
            data_path=s.data_path,
        )
        load_rule_set(s.data_path)  # parse the rule set JSON here, not on the event loop
        return s, source, shared_resolver(params)

    @property
    def region_name(self) -> str | None:
        """The resolved region (None before the client is ready)."""
        return self._settings.region if self._settings else self._region_name

    @property
    def endpoint_url(self) -> str | None:
        """The custom endpoint URL in use, if any (None before the client is ready)."""
        return self._settings.endpoint_url if self._settings else self._endpoint_url

    async def resolve_endpoint(self, bucket: str | None) -> ResolvedEndpoint:
        """Where a request for `bucket` would go, and how it would be signed."""
        resolver = await self._ready()
        return resolver.resolve(bucket)

    # ------------------------------------------------------------------ the call

    def _call(self, request: RequestModel) -> Coroutine[None, None, ResponseModel]:
        """Send a request model; the operation is looked up by its type."""
        wire = serialize(request)
        return self._send(wire, _ops.for_request(type(request)))

    def _invoke(
        self, op: _ops.Operation[Req, Resp], request: Req | None, params: Mapping[str, object]
    ) -> Coroutine[None, None, Resp]:
        # a plain function returning _send's coroutine: one frame fewer per call
        if request is None:
            wire = serialize(op.request(**params))  # raises ParamValidationError
        else:
            wire = serialize(_ops.validated(op, request, params))
        return self._send(wire, op)

    async def _send(self, wire: WireRequest, op: _ops.Operation[Any, Resp]) -> Resp:
        """Prepare once; then per attempt sign, send and classify; ask the retry strategy."""
        resolver = self._resolver
        if resolver is None or self._closed or self._loop is not asyncio.get_running_loop():
            if self._closed:
                raise Aios3Error("this S3Client is closed")
            resolver = await self._ready()  # sets up, or raises for another loop
        bucket_regions = self._bucket_regions
        if bucket_regions:  # a bucket learned to live in another region goes straight there
            resolver = bucket_regions.get(wire.bucket, resolver)  # type: ignore[arg-type]
        prep = _Prepared(resolver, wire)
        if wire.checksum is not None or (
            wire.checksum_optional and (self._default_checksum or wire.checksum_required)
        ):
            await prep.add_checksum(wire)
        retry = self._retry
        transport = self._transport
        creds = self._creds
        assert retry is not None and transport is not None and creds is not None
        token = retry.acquire_initial_retry_token(
            replayable=prep.replayable, retry_safe=op.retry_safe
        )
        parser = op.parser
        cap = self._config.max_response_bytes
        debug = log.isEnabledFor(logging.DEBUG)  # once per call: free when DEBUG is off
        started = 0.0
        renewed = redirected = False
        before_send = self._before_send
        error: Aios3Error
        while True:
            if before_send is not None:
                await before_send()
            signer = creds.fresh_signer() if prep.scheme == "sigv4" else None
            if signer is None:
                signer = await self._signer_for(prep.scheme, wire.bucket)
            headers = _sign(prep, signer)
            body = prep.body if prep.file_body is None else _attempt_body(prep, token.retry_count)
            if prep.trailer is not None:
                body = prep.trailer.wrap(body)
            if debug:
                started = time.perf_counter()
            try:
                raw = await transport.send(wire.method, prep.url, headers, body)
            except TransportError as exc:
                if self._closed:  # closed while this call was in flight: no retry
                    raise Aios3Error("this S3Client was closed during the call") from exc
                error = exc
                if debug:
                    _log_attempt(wire, prep, headers, type(exc).__name__, None, token, started)
            else:
                if debug:
                    _log_attempt(wire, prep, headers, str(raw.status), raw, token, started)
                if cap is not None and len(raw.body) > cap:
                    raise _too_large(raw.status, len(raw.body), cap, wire.operation_name)
                if raw.status < 300:
                    try:
                        result = parser(
                            raw.status,
                            raw.headers,
                            raw.body,
                            metadata(raw.status, raw.headers, token.retry_count),
                        )
                    except ClientError as exc:  # an error in a 200 answer's body
                        error = exc
                    else:
                        retry.record_success(token)
                        return result
                else:
                    error = parse_error(
                        raw.status, raw.headers, raw.body, wire.operation_name, token.retry_count
                    )
                    if prep.scheme == "sigv4-s3express" and error.code in _SESSION_EXPIRED_CODES:
                        await self._forget_session(wire.bucket, signer)
                        if prep.replayable and not renewed:
                            # renew once per call, outside the strategy: no backoff and
                            # no quota, but it counts as an attempt
                            renewed = True
                            token = replace(token, retry_count=token.retry_count + 1)
                            continue
                    if (
                        not redirected
                        and (
                            raw.status in _REDIRECT_STATUSES
                            or error.code in _REDIRECT_CODES
                            or (raw.status == 400 and wire.operation_name == "HeadObject")
                        )
                        and prep.replayable
                        and self._redirect(wire, prep, error, raw)
                    ):
                        # once per call, outside the strategy (no backoff, no quota), as
                        # botocore: it counts as an attempt, even past max_attempts
                        redirected = True
                        token = replace(token, retry_count=token.retry_count + 1)
                        continue
            classified = classify(error)
            next_token = await retry.refresh_retry_token_for_retry(token, error=classified)
            if next_token is None:
                if (
                    isinstance(error, ClientError)
                    and token.retry_count + 1 >= retry.max_attempts
                    and (
                        # botocore's legacy mode marks only an error it would have retried;
                        # standard and adaptive mark any error of the last allowed attempt
                        not isinstance(retry, LegacyRetryStrategy) or retry.retryable(classified)
                    )
                ):
                    error._max_attempts_reached()
                try:
                    raise error
                finally:
                    # the traceback holds this frame: without these, the error and the
                    # frame would keep each other (and the caller's frames, with their
                    # locals) alive until a garbage collection, for every failed call
                    error = classified = None  # type: ignore[assignment]
            token = next_token
            log.debug(
                "retrying %s after %s (attempt %d, backoff %.2fs)",
                wire.operation_name,
                getattr(error, "code", None) or type(error).__name__,
                token.retry_count + 1,
                token.retry_delay,
            )

    def _redirect(
        self, wire: WireRequest, prep: _Prepared, error: ClientError, raw: RawResponse
    ) -> bool:
        """botocore's region redirect: when S3 says the bucket lives in another region,
        learn the region (the `x-amz-bucket-region` header, else the error's `<Region>`),
        remember it for the bucket, and point `prep` at that region's endpoint, signed for
        it. Never the `Location` header: the host comes from the endpoint rules, so a
        custom `endpoint_url` stays the host and only the signing region changes."""
        bucket = wire.bucket
        if bucket is None or bucket.startswith("arn:") or prep.signing_name == "s3express":
            return False  # access-point ARNs (as botocore) and directory buckets: no
        code = error.code
        name = wire.operation_name
        if not (
            raw.status in _REDIRECT_STATUSES
            or code == "PermanentRedirect"
            or (code == "AuthorizationHeaderMalformed" and "Region" in error.extra)
            or (code == "IllegalLocationConstraintException" and name != "CreateBucket")
            or (code in ("301", "400") and name == "HeadObject")
        ):
            return False
        region = raw.headers.get("x-amz-bucket-region") or error.extra.get("Region")
        settings = self._settings
        assert settings is not None and self._resolver is not None
        if not region or region == prep.region:
            return False
        try:
            check_region(region, "x-amz-bucket-region")
        except ParamValidationError:
            log.debug("not redirecting %s: the server named no valid region", name)
            return False
        resolver = self._region_resolvers.get(region)
        if resolver is None:
            resolver = EndpointResolver(replace(self._resolver.params, region=region))
            self._region_resolvers[region] = resolver
        try:
            prep.retarget(resolver, wire)
        except EndpointResolutionError:
            return False
        if len(self._bucket_regions) >= _MAX_BUCKET_REGIONS:
            self._bucket_regions.clear()
        self._bucket_regions[bucket] = resolver
        log.debug(
            "the bucket %s is in region %s, not %s: redirecting (configure that region to "
            "avoid the extra request)",
            bucket,
            region,
            settings.region,
        )
        return True

    async def _forget_session(self, bucket: str | None, signer: Signer) -> None:
        """The server dropped an S3 Express session early: forget it, so that the next
        signer for the bucket fetches a new one."""
        assert self._sessions is not None and self._creds is not None and bucket is not None
        self._sessions.invalidate(bucket, await self._creds.signer(), signer)

    async def _signer_for(self, scheme: str, bucket: str | None) -> Signer:
        creds = self._creds
        assert creds is not None
        if scheme == "sigv4":
            return await creds.signer()
        if scheme == "sigv4-s3express":
            assert self._sessions is not None and bucket is not None
            return await self._sessions.signer(bucket, await creds.signer())
        return await creds.sigv4a_signer()

    async def _fetch_session(self, bucket: str, base: Signer) -> tuple[FrozenCredentials, float]:
        """CreateSession for the session cache: signed with the long-term credentials."""
        r = await self.create_session(Bucket=bucket)
        c = r.credentials
        return (
            FrozenCredentials(
                c.access_key_id,
                c.secret_access_key.get_secret_value(),
                c.session_token.get_secret_value(),
            ),
            c.expiration.timestamp(),
        )

    # ------------------------------------------------------------------ operations

    @overload
    async def abort_multipart_upload(
        self, request: AbortMultipartUploadRequest, /, *, verify: Literal[False] = False
    ) -> AbortMultipartUploadResponse: ...
    @overload
    async def abort_multipart_upload(
        self, request: AbortMultipartUploadRequest, /, *, verify: Literal[True] | VerifyPolicy
    ) -> VerifiedAbortResponse: ...
    @overload
    async def abort_multipart_upload(
        self,
        /,
        *,
        verify: Literal[False] = False,
        **params: Unpack[AbortMultipartUploadParams],
    ) -> AbortMultipartUploadResponse: ...
    @overload
    async def abort_multipart_upload(
        self,
        /,
        *,
        verify: Literal[True] | VerifyPolicy,
        **params: Unpack[AbortMultipartUploadParams],
    ) -> VerifiedAbortResponse: ...
    async def abort_multipart_upload(
        self,
        request: AbortMultipartUploadRequest | None = None,
        /,
        *,
        verify: bool | VerifyPolicy = False,
        **params: object,
    ) -> AbortMultipartUploadResponse:
        """Abort a multipart upload, freeing the storage of its parts.

        Parts still being uploaded may survive an abort. With `verify=True` (or a
        `VerifyPolicy` for other bounds) aios3 does what the S3 docs advise: after the
        abort it calls ListParts, and while parts are still listed it aborts again, with
        backoff, until ListParts answers `NoSuchUpload` (or Ceph's `NoSuchKey`) or lists
        no parts. It then returns a `VerifiedAbortResponse` whose `rounds` say what each
        round found. Every call carries the same `RequestPayer` and `ExpectedBucketOwner`.
        A `NoSuchUpload` from an abort counts as already gone: the verification decides,
        not the abort's status (some servers answer 204 for an unknown upload).

        Raises:
            NoSuchUpload: the upload does not exist (AWS; some servers answer 204).
                Not raised with `verify`.
            PreconditionFailed: `IfMatchInitiatedTime` did not match (directory buckets).
            AccessDenied: e.g. `ExpectedBucketOwner` is not the bucket's owner.
            AbortNotVerifiedError: with `verify`, parts were still listed when the
                policy's bound (rounds or deadline) was reached; it carries the rounds.
        """
        if verify is False:
            return await self._invoke(_ops.ABORT_MULTIPART_UPLOAD, request, params)
        from ._orphans import abort_and_verify, policy_of

        policy = policy_of(verify)  # ParamValidationError for anything but bool/policy
        request = _ops.validated(_ops.ABORT_MULTIPART_UPLOAD, request, params)
        if policy is None:
            return await self._invoke(_ops.ABORT_MULTIPART_UPLOAD, request, {})
        return await abort_and_verify(self, request, policy)

    @overload
    async def create_multipart_upload(
        self, request: CreateMultipartUploadRequest, /
    ) -> CreateMultipartUploadResponse: ...
    @overload
    async def create_multipart_upload(
        self, /, **params: Unpack[CreateMultipartUploadParams]
    ) -> CreateMultipartUploadResponse: ...
    async def create_multipart_upload(
        self,
        request: CreateMultipartUploadRequest | None = None,
        /,
        **params: object,
    ) -> CreateMultipartUploadResponse:
        """Start a multipart upload; the response carries its `upload_id`."""
        return await self._invoke(_ops.CREATE_MULTIPART_UPLOAD, request, params)

    @overload
    async def upload_part(self, request: UploadPartRequest, /) -> UploadPartResponse: ...
    @overload
    async def upload_part(self, /, **params: Unpack[UploadPartParams]) -> UploadPartResponse: ...
    async def upload_part(
        self,
        request: UploadPartRequest | None = None,
        /,
        **params: object,
    ) -> UploadPartResponse:
        """Upload one part. Keep the returned `etag` for `complete_multipart_upload`."""
        return await self._invoke(_ops.UPLOAD_PART, request, params)

    @overload
    async def complete_multipart_upload(
        self, request: CompleteMultipartUploadRequest, /
    ) -> CompleteMultipartUploadResponse: ...
    @overload
    async def complete_multipart_upload(
        self, /, **params: Unpack[CompleteMultipartUploadParams]
    ) -> CompleteMultipartUploadResponse: ...
    async def complete_multipart_upload(
        self,
        request: CompleteMultipartUploadRequest | None = None,
        /,
        **params: object,
    ) -> CompleteMultipartUploadResponse:
        """Assemble the parts into the object.

        A failure that S3 reports inside a 200 answer is raised as a `ClientError` too.
        """
        return await self._invoke(_ops.COMPLETE_MULTIPART_UPLOAD, request, params)

    @overload
    async def list_parts(self, request: ListPartsRequest, /) -> ListPartsResponse: ...
    @overload
    async def list_parts(self, /, **params: Unpack[ListPartsParams]) -> ListPartsResponse: ...
    async def list_parts(
        self,
        request: ListPartsRequest | None = None,
        /,
        **params: object,
    ) -> ListPartsResponse:
        """One page of the parts of an upload (see `get_paginator` and `iter_parts`)."""
        return await self._invoke(_ops.LIST_PARTS, request, params)

    @overload
    async def list_multipart_uploads(
        self, request: ListMultipartUploadsRequest, /
    ) -> ListMultipartUploadsResponse: ...
    @overload
    async def list_multipart_uploads(
        self, /, **params: Unpack[ListMultipartUploadsParams]
    ) -> ListMultipartUploadsResponse: ...
    async def list_multipart_uploads(
        self,
        request: ListMultipartUploadsRequest | None = None,
        /,
        **params: object,
    ) -> ListMultipartUploadsResponse:
        """One page of the uploads in progress in a bucket."""
        return await self._invoke(_ops.LIST_MULTIPART_UPLOADS, request, params)

    @overload
    async def create_session(self, request: CreateSessionRequest, /) -> CreateSessionResponse: ...
    @overload
    async def create_session(
        self, /, **params: Unpack[CreateSessionParams]
    ) -> CreateSessionResponse: ...
    async def create_session(
        self,
        request: CreateSessionRequest | None = None,
        /,
        **params: object,
    ) -> CreateSessionResponse:
        """Open an S3 Express One Zone session on a directory bucket.

        aios3 does this by itself before the first request to a directory bucket and caches
        the session until shortly before it expires; the credentials in the response are
        `SecretStr` (`.get_secret_value()`), never printed.
        """
        return await self._invoke(_ops.CREATE_SESSION, request, params)

    @overload
    async def create_bucket(
        self, request: models.CreateBucketRequest, /
    ) -> models.CreateBucketResponse: ...
    @overload
    async def create_bucket(
        self, /, **params: Unpack[models.CreateBucketParams]
    ) -> models.CreateBucketResponse: ...
    async def create_bucket(
        self,
        request: models.CreateBucketRequest | None = None,
        /,
        **params: object,
    ) -> models.CreateBucketResponse:
        """Create a bucket.

        Outside us-east-1, pass the region as boto3 wants it:
        `CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}`.

        Raises:
            ClientError: code `BucketAlreadyOwnedByYou` when you own it already (us-east-1
                answers 200 instead), `BucketAlreadyExists` when someone else does.
        """
        return await self._invoke(_ops.CREATE_BUCKET, request, params)

    @overload
    async def delete_bucket(
        self, request: models.DeleteBucketRequest, /
    ) -> models.DeleteBucketResponse: ...
    @overload
    async def delete_bucket(
        self, /, **params: Unpack[models.DeleteBucketParams]
    ) -> models.DeleteBucketResponse: ...
    async def delete_bucket(
        self,
        request: models.DeleteBucketRequest | None = None,
        /,
        **params: object,
    ) -> models.DeleteBucketResponse:
        """Delete an empty bucket.

        Raises:
            NoSuchBucket: the bucket does not exist.
            ClientError: code `BucketNotEmpty` when objects are left in it.
        """
        return await self._invoke(_ops.DELETE_BUCKET, request, params)

    @overload
    async def head_object(
        self, request: models.HeadObjectRequest, /
    ) -> models.HeadObjectResponse: ...
    @overload
    async def head_object(
        self, /, **params: Unpack[models.HeadObjectParams]
    ) -> models.HeadObjectResponse: ...
    async def head_object(
        self,
        request: models.HeadObjectRequest | None = None,
        /,
        **params: object,
    ) -> models.HeadObjectResponse:
        """An object's metadata (size, ETag, type, user metadata, checksums), without its body.

        Checks a completed upload: `content_length`, `etag` (`"...-N"` for N parts),
        `parts_count` with `PartNumber=1`, checksums with `ChecksumMode="ENABLED"`.

        Raises:
            ClientError: with `code == "404"` when the key (or version) does not exist, and
                `"403"` when you may not read it: a HEAD answer has no body to name the
                error, so the code is the HTTP status, as in boto3.
        """
        return await self._invoke(_ops.HEAD_OBJECT, request, params)

    @overload
    async def delete_object(
        self, request: models.DeleteObjectRequest, /
    ) -> models.DeleteObjectResponse: ...
    @overload
    async def delete_object(
        self, /, **params: Unpack[models.DeleteObjectParams]
    ) -> models.DeleteObjectResponse: ...
    async def delete_object(
        self,
        request: models.DeleteObjectRequest | None = None,
        /,
        **params: object,
    ) -> models.DeleteObjectResponse:
        """Delete an object (or, with `VersionId`, one version of it).

        S3 answers 204 whether or not the key existed, so a missing key is not an error
        (as in boto3); in a versioned bucket the answer carries `delete_marker`.
        """
        return await self._invoke(_ops.DELETE_OBJECT, request, params)

    @overload
    async def get_bucket_lifecycle_configuration(
        self, request: models.GetBucketLifecycleConfigurationRequest, /
    ) -> models.GetBucketLifecycleConfigurationResponse: ...
    @overload
    async def get_bucket_lifecycle_configuration(
        self, /, **params: Unpack[models.GetBucketLifecycleConfigurationParams]
    ) -> models.GetBucketLifecycleConfigurationResponse: ...
    async def get_bucket_lifecycle_configuration(
        self,
        request: models.GetBucketLifecycleConfigurationRequest | None = None,
        /,
        **params: object,
    ) -> models.GetBucketLifecycleConfigurationResponse:
        """The bucket's lifecycle rules (`rules`), as the server sent them.

        Raises:
            NoSuchLifecycleConfiguration: the bucket has no lifecycle configuration.
            NoSuchBucket: the bucket does not exist.
        """
        return await self._invoke(_ops.GET_BUCKET_LIFECYCLE_CONFIGURATION, request, params)

    @overload
    async def put_bucket_lifecycle_configuration(
        self, request: models.PutBucketLifecycleConfigurationRequest, /
    ) -> models.PutBucketLifecycleConfigurationResponse: ...
    @overload
    async def put_bucket_lifecycle_configuration(
        self, /, **params: Unpack[models.PutBucketLifecycleConfigurationParams]
    ) -> models.PutBucketLifecycleConfigurationResponse: ...
    async def put_bucket_lifecycle_configuration(
        self,
        request: models.PutBucketLifecycleConfigurationRequest | None = None,
        /,
        **params: object,
    ) -> models.PutBucketLifecycleConfigurationResponse:
        """Replace the bucket's whole lifecycle configuration with `LifecycleConfiguration`.

        Rules left out are deleted, and so is a `TransitionDefaultMinimumObjectSize` not
        given again. To add or change one abort rule and keep the others, use
        `ensure_abort_incomplete_uploads_rule`. The body carries a CRC32 checksum (or
        `ChecksumAlgorithm`'s) whatever `request_checksum_calculation` says: S3 requires one.

        Raises:
            ParamValidationError: a bad configuration (no rules or more than 1,000, two
                rules with one ID, a filter with two conditions...), before anything is sent.
            ClientError: the server refused the configuration (`MalformedXML`,
                `InvalidArgument`; some stores answer `NotImplemented` for actions they
                lack, see the "Never orphan an upload" page).
        """
        return await self._invoke(_ops.PUT_BUCKET_LIFECYCLE_CONFIGURATION, request, params)

    @overload
    async def delete_bucket_lifecycle(
        self, request: models.DeleteBucketLifecycleRequest, /
    ) -> models.DeleteBucketLifecycleResponse: ...
    @overload
    async def delete_bucket_lifecycle(
        self, /, **params: Unpack[models.DeleteBucketLifecycleParams]
    ) -> models.DeleteBucketLifecycleResponse: ...
    async def delete_bucket_lifecycle(
        self,
        request: models.DeleteBucketLifecycleRequest | None = None,
        /,
        **params: object,
    ) -> models.DeleteBucketLifecycleResponse:
        """Delete the bucket's whole lifecycle configuration: every rule, and its
        `TransitionDefaultMinimumObjectSize`.

        S3 answers 204 whether or not the bucket had a configuration. To take out only
        aios3's abort rule and keep the others, use `remove_abort_incomplete_uploads_rule`.

        Raises:
            NoSuchBucket: the bucket does not exist.
            ClientError: e.g. `AccessDenied` (the permission is
                `s3:PutLifecycleConfiguration`), also when S3 reports it in a 2xx answer's
                body (boto3 ignores that body).
        """
        return await self._invoke(_ops.DELETE_BUCKET_LIFECYCLE, request, params)

    @overload
    async def put_object(self, request: models.PutObjectRequest, /) -> models.PutObjectResponse: ...
    @overload
    async def put_object(
        self, /, **params: Unpack[models.PutObjectParams]
    ) -> models.PutObjectResponse: ...
    async def put_object(
        self,
        request: models.PutObjectRequest | None = None,
        /,
        **params: object,
    ) -> models.PutObjectResponse:
        """Store an object in one request (up to 5 GiB; for larger bodies, or to stream a
        file in parts, use `upload_file` / `upload_fileobj`).

        `Body` is bytes-like, a binary file object (its size from the file, or
        `ContentLength`) or an async iterable of bytes (with `ContentLength`); a CRC32
        checksum is sent by default, as botocore does (see the Checksums page). Bytes
        bodies are retried as they are; a seekable file is rewound for a retry; an async
        iterable can be sent only once, so it is not retried.

        Raises:
            PreconditionFailed: `IfMatch` / `IfNoneMatch` did not hold.
            ParamValidationError: bad parameters, before anything is sent.
        """
        return await self._invoke(_ops.PUT_OBJECT, request, params)

    # ------------------------------------------------------------------ never orphan

    async def ensure_abort_incomplete_uploads_rule(
        self,
        *,
        Bucket: str,
        days: int = 7,
        prefix: str | None = None,
        rule_id: str | None = None,
        ExpectedBucketOwner: str | None = None,
    ) -> models.AbortRuleResult:
        """Make sure a lifecycle rule aborts the incomplete multipart uploads under `prefix`
        (the whole bucket when `None`) `days` days after they were started, keeping every
        other rule of the bucket as it is.

        ```python
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="b", days=7)
        print(r.action, r.rule.id)  # "added", "updated" or "unchanged"
        ```

        A put replaces the whole configuration, so this reads it (none yet is an empty
        one), changes or adds one rule, and writes it all back, with the bucket's
        `TransitionDefaultMinimumObjectSize`. When the rule is there already, nothing is
        written. The rule changed is, in this order: the rule with ID `rule_id`; else an
        enabled rule for exactly this prefix that has an `AbortIncompleteMultipartUpload`
        action (its days are set, its ID and other actions kept); else a new rule with ID
        `rule_id` (by default `"aios3-abort-incomplete-uploads"`, with the prefix after a
        `-` when there is one) is added.

        S3 has no conditional put for lifecycle configurations: a writer that changes the
        configuration between this read and this write loses its change. The window is the
        time of one PutBucketLifecycleConfiguration request (nothing else is awaited in
        between); do not run it beside other tools that edit the same bucket's rules.

        Raises:
            ParamValidationError: `days` below 1, a bad `rule_id` (over 255 characters),
                before anything is sent.
            LifecycleRuleConflictError: the rule with ID `rule_id` has other actions
                under another filter, or is disabled with other actions: changing it
                would change them too. Nothing is written.
            ClientError: from the get or the put (e.g. `NotImplemented` where a store
                lacks lifecycle configuration, `AccessDenied`).
        """
        from ._lifecycle import ensure_abort_rule

        return await ensure_abort_rule(
            self,
            bucket=Bucket,
            days=days,
            prefix=prefix,
            rule_id=rule_id,
            expected_bucket_owner=ExpectedBucketOwner,
        )

    async def remove_abort_incomplete_uploads_rule(
        self,
        *,
        Bucket: str,
        prefix: str | None = None,
        rule_id: str | None = None,
        ExpectedBucketOwner: str | None = None,
    ) -> models.AbortRuleRemovalResult:
        """Take out the lifecycle rule `ensure_abort_incomplete_uploads_rule` set, keeping
        every other rule of the bucket as it is.

        ```python
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="b")
        print(r.action)  # "removed", "action_removed", "configuration_deleted", ...
        ```

        The rule is the one with ID `rule_id` (by default the helper's:
        `"aios3-abort-incomplete-uploads"`, with `-<prefix>` after it for a prefix); a rule
        for the same prefix with another ID is not touched. This reads the configuration,
        then:

        * the rule has other actions (an expiration, transitions): only its
          `AbortIncompleteMultipartUpload` action is taken out (`"action_removed"`);
        * else the rule is taken out (`"removed"`), and the other rules are written back
          with the bucket's `TransitionDefaultMinimumObjectSize`;
        * when it was the only rule, the configuration is deleted with
          `delete_bucket_lifecycle` (`"configuration_deleted"`): S3 refuses a
          configuration without rules;
        * no rule has the ID (or there is no configuration): `"absent"`, and a rule with
          the ID but no abort action: `"no_abort_action"`; nothing is written.

        As for `ensure_abort_incomplete_uploads_rule`, a writer that changes the
        configuration between this read and this write (or delete) loses its change; the
        window is one request.

        Raises:
            ParamValidationError: a bad `rule_id` (over 255 characters), `prefix`, `Bucket`
                or `ExpectedBucketOwner`, before anything is sent.
            ClientError: from the get, the put or the delete (e.g. `AccessDenied`).
        """
        from ._lifecycle import remove_abort_rule

        return await remove_abort_rule(
            self,
            bucket=Bucket,
            prefix=prefix,
            rule_id=rule_id,
            expected_bucket_owner=ExpectedBucketOwner,
        )

    def multipart_upload(
        self,
        *,
        verify: bool | VerifyPolicy = True,
        cleanup_timeout: float = 60.0,
        **params: Unpack[CreateMultipartUploadParams],
    ) -> ManagedUpload:
        """A multipart upload that completes on a clean exit and aborts itself on failure.

        ```python
        async with s3.multipart_upload(Bucket="b", Key="big.bin") as mpu:
            await mpu.upload_parts(open("big.bin", "rb"), part_size=8 * 2**20)
        print(mpu.result.etag)
        ```

        `params` are CreateMultipartUpload's; `RequestPayer`, `ExpectedBucketOwner`, the
        SSE-C key and `ChecksumAlgorithm` reach every later call that needs them. On any
        exception or cancellation inside the block (or during the create or the complete)
        the parts in flight are cancelled, the upload is aborted with `verify` (see
        `abort_multipart_upload`), shielded from further cancellations for at most
        `cleanup_timeout` seconds, and the original exception is re-raised unchanged.
        See the "Never orphan an upload" page of the documentation.

        Raises:
            ParamValidationError: bad parameters, before anything is sent.
        """
        return ManagedUpload(self, params, verify=verify, cleanup_timeout=cleanup_timeout)

    async def upload_file(
        self,
        Filename: str | os.PathLike[str],
        Bucket: str,
        Key: str,
        ExtraArgs: UploadExtraArgs | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
        *,
        UploadId: str | None = None,
    ) -> models.UploadResponse:
        """Upload a file, as boto3's `upload_file`: one PutObject below
        `Config.multipart_threshold` (8 MiB), else a multipart upload of
        `Config.multipart_chunksize` parts (8 MiB, raised so that there are at most
        10,000), `Config.max_concurrency` (10) at a time, each read from the file by
        position and streamed, never the whole file in memory.

        ```python
        await s3.upload_file("big.bin", "bucket", "big.bin", ExtraArgs={"ContentType": "x/y"})
        ```

        `ExtraArgs` are boto3's (`aios3.UploadExtraArgs`); each reaches every call that
        needs it, the abort included. Every part carries a CRC32 checksum by default (or
        `ChecksumAlgorithm`'s); `ChecksumType="FULL_OBJECT"` with CRC32, CRC32C or
        CRC64NVME also sends the whole file's checksum, combined from the parts', to the
        complete. `Callback(n)` is called on the event loop with the bytes read for
        sending since its last call (negative when a retry rewinds a part).

        On any error or cancellation the upload is aborted with verification and the
        original exception is raised unchanged (not wrapped as boto3's
        `S3UploadFailedError`). With `Config=TransferConfig(on_failure="keep")` it is
        kept instead; pass its id as `UploadId` to resume it: ListParts says which parts
        are there, those whose size and checksum (or ETag) match the file are skipped.

        Returns:
            PutObject's response, or CompleteMultipartUpload's.

        Raises:
            ParamValidationError: bad arguments (an `ExtraArgs` key boto3 does not take),
                before anything is sent.
            OSError: the file cannot be opened or read.
            ClientError: what S3 answered, typed (`NoSuchBucket`, `AccessDenied`, ...).
        """
        from ._transfer import upload as _upload

        return await _upload(
            self, Filename, Bucket, Key, ExtraArgs, Callback, Config, UploadId, filename=True
        )

    async def upload_fileobj(
        self,
        Fileobj: object,
        Bucket: str,
        Key: str,
        ExtraArgs: UploadExtraArgs | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
        *,
        UploadId: str | None = None,
    ) -> models.UploadResponse:
        """Upload a binary file object, as boto3's `upload_fileobj`; also (aios3's
        addition) an async file object (`async def read(n)`) or an async iterable of bytes.

        A seekable file is read from its current position to its end, by position, as
        `upload_file` reads a file (and left at its end). A body that can only be read
        once (a pipe, a socket, an async source) is read in order, one part in memory
        per part in flight (`max_concurrency` x `multipart_chunksize`); its size is not
        known ahead, so the part size is not raised: it can have at most 10,000 parts.
        Resuming (`UploadId`) needs a seekable file. Everything else is as
        `upload_file`.
        """
        from ._transfer import upload as _upload

        return await _upload(
            self, Fileobj, Bucket, Key, ExtraArgs, Callback, Config, UploadId, filename=False
        )

    async def sweep_multipart_uploads(
        self,
        *,
        Bucket: str,
        older_than: timedelta,
        Prefix: str | None = None,
        dry_run: bool = False,
        concurrency: int = 10,
        verify: bool | Literal["parts", "listing"] | VerifyPolicy = True,
        on_progress: Callable[[SweepEvent], object] | None = None,
        RequestPayer: Literal["requester"] | None = None,
        ExpectedBucketOwner: str | None = None,
        page_size: int | None = None,
        count_parts: bool = False,
        now: datetime | None = None,
        stop: asyncio.Event | None = None,
    ) -> SweepReport:
        """Abort every incomplete multipart upload under `Prefix` initiated more than
        `older_than` ago.

        ```python
        report = await s3.sweep_multipart_uploads(
            Bucket="b", Prefix="tmp/", older_than=timedelta(days=7)
        )
        print(report.aborted, report.already_gone, report.failed_count)
        ```

        The uploads are listed page by page (the paginator of `list_multipart_uploads`,
        `page_size` uploads a page) and aborted as they are found, `concurrency` at a
        time, while the next page is fetched: memory does not grow with the number of
        uploads. The cutoff (`now - older_than`) is fixed when the sweep starts, so an
        upload initiated after that is never aborted; age is the server's `Initiated`
        (uploads listed without one are never selected). Safe to run twice, and next to
        other sweeps: an upload already gone counts as `already_gone`.

        Args:
            Bucket: the bucket.
            older_than: select uploads initiated before `now - older_than`.
            Prefix: select uploads whose key starts with it (sent to the server, and
                checked again on each listed key).
            dry_run: abort nothing; `on_progress` gets a `"would_abort"` event for each
                selected upload and the report counts them in `selected`.
            concurrency: uploads handled at a time (1 to 1000); raise
                `Config(max_pool_connections=...)` with it.
            verify: `True` or `"parts"`: each abort is verified by ListParts, aborting
                again while parts remain (as `abort_multipart_upload(..., verify=True)`;
                a `VerifyPolicy` sets the bounds); `"listing"`: once every upload is
                aborted, the prefix is listed again and an aborted upload still listed
                gets the ListParts verification (enough for stale uploads, which have no
                part in flight, at the cost of one listing instead of a ListParts per
                upload); `False`: one abort per upload.
            on_progress: called with a `SweepEvent` for every page and every upload
                (a coroutine function is awaited). An exception it raises stops the sweep
                and is raised.
            RequestPayer: sent with every call (listing, aborts, ListParts).
            ExpectedBucketOwner: sent with every call.
            page_size: `MaxUploads` per listing page, 1 to 1000 (default: the server's, 1000 on S3).
            count_parts: before each abort, list the upload's parts (all pages) to
                report `parts_freed` and `bytes_freed`; one more request per upload. In a
                dry run this tells what a sweep would free.
            now: the time the age is measured from (default: the current UTC time); a
                timezone-aware `datetime`.
            stop: an `asyncio.Event`; once it is set the sweep starts no new abort, lets
                those under way finish and returns the report so far (`stopped=True`);
                what `aios3 mpu sweep` does on Ctrl-C.

        Returns:
            a `SweepReport`: found, selected, aborted, already gone, failed (with their
            typed errors) and, with `count_parts`, the parts and bytes freed.

        Raises:
            ParamValidationError: bad parameters, before anything is sent.
            SweepListingError: the listing failed (after the aborts under way finished);
                it carries the partial report and the listing's error. A failed abort is
                not raised: it is in `report.failed`.
        """
        from ._sweeper import sweep

        return await sweep(
            self,
            bucket=Bucket,
            prefix=Prefix,
            older_than=older_than,
            dry_run=dry_run,
            concurrency=concurrency,
            verify=verify,
            on_progress=on_progress,
            request_payer=RequestPayer,
            expected_bucket_owner=ExpectedBucketOwner,
            page_size=page_size,
            count_parts=count_parts,
            now=now,
            stop=stop,
        )

    # ------------------------------------------------------------------ pagination

    @overload
    def get_paginator(self, operation_name: Literal["list_parts"]) -> ListPartsPaginator: ...
    @overload
    def get_paginator(
        self, operation_name: Literal["list_multipart_uploads"]
    ) -> ListMultipartUploadsPaginator: ...
    def get_paginator(
        self, operation_name: Literal["list_parts", "list_multipart_uploads"]
    ) -> ListPartsPaginator | ListMultipartUploadsPaginator:
        """A paginator, as boto3's.

        `async for page in s3.get_paginator("list_parts").paginate(Bucket=..., ...)`.
        """
        op = _ops.BY_METHOD_NAME.get(operation_name)
        if op is None or op.paginator is None:
            raise ParamValidationError(
                f"no paginator for {operation_name!r}: use one of {sorted(_ops.PAGINATED)}"
            )
        return op.paginator(self)

    def can_paginate(self, operation_name: str) -> bool:
        """Whether `get_paginator(operation_name)` exists."""
        return operation_name in _ops.PAGINATED

    async def iter_parts(self, **params: Unpack[ListPartsParams]) -> AsyncIterator[Part]:
        """Every part of an upload, across pages."""
        async for page in ListPartsPaginator(self).paginate(**params):
            for part in page.parts:
                yield part

    async def iter_multipart_uploads(
        self, **params: Unpack[ListMultipartUploadsParams]
    ) -> AsyncIterator[MultipartUploadSummary]:
        """Every upload in progress in a bucket (matching `Prefix`), across pages."""
        async for page in ListMultipartUploadsPaginator(self).paginate(**params):
            for upload in page.uploads:
                yield upload


_FILE_CHUNK = 1 << 20


class _Prepared:
    """What every attempt of one call shares: computed once, before the first attempt."""

    __slots__ = (
        "body",
        "file_body",
        "headers",
        "length",
        "method",
        "region",
        "replayable",
        "scheme",
        "sign_body",
        "signing_name",
        "start",
        "streaming_input",
        "trailer",
        "unsigned_payload",
        "url",
        "url_str",
    )

    def __init__(self, resolver: EndpointResolver, wire: WireRequest) -> None:
        ep = self._target(resolver, wire)
        self.method = wire.method
        body = wire.body
        kind = wire.body_kind
        self.sign_body = body if kind == "bytes" else None
        self.unsigned_payload = kind == "stream"
        self.streaming_input = wire.streaming_input
        self.start: int | None = None
        self.trailer: TrailerChecksum | None = None
        self.file_body: object = None
        self.length = 0
        if kind == "stream":
            self.length = length = int(wire.headers["Content-Length"])
            if hasattr(body, "__aiter__"):
                body = _exactly(body, length)
            else:
                # a file object: aiohttp would close the caller's file; read it ourselves
                self.file_body = body
                if hasattr(body, "seek") and hasattr(body, "tell"):
                    try:
                        self.start = body.tell()
                    except (OSError, ValueError):
                        self.start = None
        self.body = body
        self.replayable = wire.replayable or self.start is not None
        headers = wire.headers
        headers["Host"] = ep.host  # botocore's signer would parse it from the URL
        headers["User-Agent"] = _USER_AGENT
        for k, v in ep.headers:
            headers[k] = v
        if wire.operation_name == "UploadPart" and (self.length or self.sign_body):
            # as botocore: the server may refuse the part before its body is sent (not
            # signed, as botocore; AiohttpTransport bounds the wait for the 100)
            headers["Expect"] = "100-continue"
        self.headers = headers

    def _target(self, resolver: EndpointResolver, wire: WireRequest) -> ResolvedEndpoint:
        """Where the request goes and how it is signed (the body is not touched)."""
        ep = resolver.resolve(
            wire.bucket, session_auth=wire.session_auth, control=wire.control_endpoint
        )
        self.scheme = scheme = ep.auth_scheme
        self.signing_name = ep.signing_name
        self.region = ep.signing_region
        if scheme == "sigv4a":
            self.region = ",".join(ep.signing_region_set) or "*"
        path = wire.key_path or ("" if ep.has_path else "/")
        self.url_str = url_str = ep.url + path + ("?" + wire.query if wire.query else "")
        self.url = URL(url_str, encoded=True)
        return ep

    def retarget(self, resolver: EndpointResolver, wire: WireRequest) -> None:
        """Point the request at another endpoint (a region redirect); the body, already
        prepared, stays as it is."""
        ep = self._target(resolver, wire)
        headers = self.headers
        headers["Host"] = ep.host
        for k, v in ep.headers:
            headers[k] = v

    async def add_checksum(self, wire: WireRequest) -> None:
        """The request checksum, as botocore's `resolve_request_checksum_algorithm` and
        `apply_request_checksum`: the algorithm asked for, else CRC32 (and
        `x-amz-sdk-checksum-algorithm: CRC32`).

        Over https (a streaming-input operation) it goes in an `aws-chunked` trailer, as
        botocore sends it. Over http it goes in a header, as botocore: computed from a
        bytes body, or from a seekable file read once ahead in 1 MiB pieces off the event
        loop and rewound; an async iterable (or a file that cannot be rewound) can be read
        only once, so it gets the trailer over http too, computed while it streams."""
        algorithm = wire.checksum
        headers = self.headers
        if algorithm is None:
            algorithm = DEFAULT_CHECKSUM_ALGORITHM
            headers["x-amz-sdk-checksum-algorithm"] = algorithm
        factory = hasher_factory(algorithm)
        name = "x-amz-checksum-" + algorithm.lower()
        body = self.body
        is_bytes = isinstance(body, bytes | bytearray | memoryview)
        if not (wire.streaming_input and self.url_str.startswith("https:")):
            if is_bytes:
                hasher = factory()
                hasher.update(body)  # type: ignore[arg-type]
                headers[name] = b64digest(hasher)
                return
            if self.file_body is not None and self.start is not None:
                headers[name] = await asyncio.get_running_loop().run_in_executor(
                    None, _file_checksum, self.file_body, self.start, self.length, factory
                )
                return
        # no Content-Length: aiohttp sends the body with Transfer-Encoding: chunked, as
        # botocore does (aiohttp refuses that header set by hand)
        if "Content-Encoding" in headers:
            headers["Content-Encoding"] += ",aws-chunked"
        else:
            headers["Content-Encoding"] = "aws-chunked"
        headers["X-Amz-Trailer"] = name
        length = headers.pop("Content-Length", None)
        if is_bytes:
            length = str(len(body))  # type: ignore[arg-type]
        if length is not None:
            headers["X-Amz-Decoded-Content-Length"] = length
        self.trailer = TrailerChecksum(factory, name)
        self.sign_body = None
        self.unsigned_payload = True


def _file_checksum(fileobj: object, start: int, length: int, factory: Callable[[], Hasher]) -> str:
    """The checksum of `length` bytes of a file from `start`, read in 1 MiB pieces, the file
    rewound to `start` afterwards (botocore's `BaseChecksum._handle_fileobj`)."""
    hasher = factory()
    read = fileobj.read  # type: ignore[attr-defined]
    left = length
    try:
        while left > 0:
            chunk = read(min(_FILE_CHUNK, left))
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise ParamValidationError(
                    f"Body.read() returned {type(chunk).__name__}, not bytes: open the file "
                    "in binary mode ('rb')"
                )
            if not chunk:
                raise ParamValidationError(
                    f"Body ended after {length - left} bytes but ContentLength is {length}",
                    [f"ContentLength: {length} is more than the bytes Body has"],
                )
            hasher.update(chunk)
            left -= len(chunk)
        fileobj.seek(start)  # type: ignore[attr-defined]
    except ParamValidationError:
        raise
    except (OSError, ValueError) as exc:
        raise ParamValidationError(
            f"Body could not be read to compute its checksum: {exc}"
        ) from None
    return b64digest(hasher)


# request headers whose values the DEBUG request log shows; every other value is "***"
# (Authorization, tokens, SSE-C and KMS keys, metadata, grants: anything that could be secret)
_SHOWN_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "content-length",
        "content-md5",
        "content-type",
        "content-encoding",
        "expect",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-decoded-content-length",
        "x-amz-trailer",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-checksum-algorithm",
        "x-amz-checksum-type",
        "x-amz-server-side-encryption",
        "x-amz-server-side-encryption-customer-algorithm",
        "x-amz-server-side-encryption-customer-key-md5",
        "x-amz-storage-class",
        "x-amz-request-payer",
        "x-amz-create-session-mode",
    }
)


def redacted_headers(headers: Mapping[str, str]) -> str:
    """Request headers for a log line: names lower-cased; a value only when its header is
    known not to carry a secret (`_SHOWN_HEADERS`, checksums), else `***`."""
    out = []
    for name, value in headers.items():
        lname = name.lower()
        shown = lname in _SHOWN_HEADERS or lname.startswith("x-amz-checksum-")
        out.append(f"{lname}={value if shown else '***'}")
    return ", ".join(out)


def _log_attempt(
    wire: WireRequest,
    prep: _Prepared,
    headers: CIMultiDict[str],
    outcome: str,
    raw: RawResponse | None,
    token: RetryToken,
    started: float,
) -> None:
    """aios3's DEBUG request log: one record per attempt, secrets redacted."""
    request_id = ""
    if raw is not None:
        request_id = (
            raw.headers.get("x-amz-request-id") or raw.headers.get("x-amzn-requestid") or ""
        )
    log.debug(
        "%s %s %s -> %s (attempt %d, %.3fs, request id %s); request headers: %s",
        wire.operation_name,
        wire.method,
        prep.url_str,
        outcome,
        token.retry_count + 1,
        time.perf_counter() - started,
        request_id or "-",
        redacted_headers(headers),
    )


def _too_large(status: int, size: int, cap: int, operation_name: str) -> ResponseParseError:
    """An answer over `Config.max_response_bytes`: refused unparsed, and not retried (the
    same answer would come back)."""
    return ResponseParseError(
        f"the {operation_name} answer (HTTP {status}) has {size} bytes, more than "
        f"Config(max_response_bytes={cap}): not parsed",
        status_code=status,
    )


def _sign(prep: _Prepared, signer: Signer) -> CIMultiDict[str]:
    """One attempt's headers: a fresh copy of the prepared ones, signed now."""
    headers: CIMultiDict[str] = CIMultiDict(prep.headers)
    ctx = signing_context(
        sign_payload=not prep.unsigned_payload,
        streaming_input=prep.streaming_input,
        trailer=prep.trailer is not None,
    )
    sreq = SigningRequest(prep.method, prep.url_str, headers, prep.sign_body, ctx)
    signer.sign(sreq, prep.signing_name, prep.region)
    if sreq.headers is not headers:  # the CRT signer returns its own header mapping
        headers = CIMultiDict(sreq.headers.items())
    return headers


def _attempt_body(prep: _Prepared, attempt: int) -> object:
    """One attempt's body from a file object: rewound (on a retry) and read afresh."""
    file_body = prep.file_body
    if attempt and prep.start is not None:
        try:
            file_body.seek(prep.start)  # type: ignore[attr-defined]
        except (OSError, ValueError) as exc:
            raise ParamValidationError(
                f"Body could not be rewound to retry the request: {exc}"
            ) from None
    return _read_file(file_body, prep.length)


async def _read_file(fileobj: object, length: int) -> AsyncIterator[bytes]:
    """Stream `length` bytes of a binary file object, read off the event loop; the file is
    the caller's, so it is never closed. Fewer bytes than declared is an error."""
    read = fileobj.read  # type: ignore[attr-defined]
    loop = asyncio.get_running_loop()
    left = length
    while left > 0:
        chunk = await loop.run_in_executor(None, read, min(_FILE_CHUNK, left))
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise ParamValidationError(
                f"Body.read() returned {type(chunk).__name__}, not bytes: open the file in "
                "binary mode ('rb')"
            )
        if not chunk:
            raise ParamValidationError(
                f"Body ended after {length - left} bytes but ContentLength is {length}",
                [f"ContentLength: {length} is more than the bytes Body has"],
            )
        left -= len(chunk)
        yield bytes(chunk)


def _chunk_bytes(chunk: object) -> bytes:
    """A chunk of an async-iterable body that is not `bytes`: a copy of a bytearray or
    memoryview (its bytes, whatever its item type), or `ParamValidationError`."""
    if isinstance(chunk, bytes | bytearray | memoryview):
        return bytes(chunk)
    hint = " (encode it, e.g. chunk.encode())" if isinstance(chunk, str) else ""
    raise ParamValidationError(
        f"Body yielded {type(chunk).__name__}, not bytes{hint}",
        [f"Body: an async iterable must yield bytes, not {type(chunk).__name__}{hint}"],
    )


async def _exactly(chunks: AsyncIterable[bytes], length: int) -> AsyncIterator[bytes]:
    """Pass an async-iterable body through, refusing chunks that are not bytes, and more or
    fewer bytes than declared."""
    sent = 0
    async for chunk in chunks:
        if type(chunk) is not bytes:
            chunk = _chunk_bytes(chunk)
        sent += len(chunk)
        if sent > length:
            raise ParamValidationError(
                f"Body yielded more than ContentLength ({length}) bytes",
                [f"ContentLength: {length} is less than the bytes Body yields"],
            )
        yield chunk
    if sent != length:
        raise ParamValidationError(
            f"Body yielded {sent} bytes but ContentLength is {length}",
            [f"ContentLength: {length} does not match the {sent} bytes Body yielded"],
        )
