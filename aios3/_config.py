"""`Config`, and how every unset setting falls back exactly as boto3 does.

Resolution order for each setting: the argument or `Config` field, then the environment,
then the shared config file profile (`~/.aws/config`, `[profile NAME]`, its `s3 =` section
and `services` section), then boto3's default. botocore's own config store does the reading,
so the variable names and precedence are botocore's.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Protocol, TypeVar, cast
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    ValidationError,
    model_validator,
)
from typing_extensions import TypedDict

from ._auth import FrozenCredentials, check_credential_text
from ._retry import RETRY_MODES, RetryMode, RetryStrategy
from .errors import ParamValidationError
from .models import param_error

if TYPE_CHECKING:
    from botocore.credentials import Credentials as BotoCredentials
    from botocore.session import Session as BotoSession

__all__ = [
    "Config",
    "CredentialChain",
    "RetriesConfig",
    "Settings",
    "SetupCache",
    "SetupKey",
    "SharedConfig",
    "check_chain_credentials",
    "check_client_args",
    "check_endpoint_url",
    "check_region",
    "env_credentials",
    "is_unsigned",
    "load_shared_config",
    "resolve_settings",
    "setup_key",
]

_T = TypeVar("_T")

DEFAULT_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 3
LEGACY_MAX_ATTEMPTS = 5  # botocore's legacy mode (its _retry.json)
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_STRATEGY_METHODS = (
    "acquire_initial_retry_token",
    "refresh_retry_token_for_retry",
    "record_success",
)


def _check_strategy(value: object) -> object:
    """A retry strategy is anything with the protocol's three methods (checked by name, so
    the message says which one is missing)."""
    if value is None:
        return None
    missing = [m for m in _STRATEGY_METHODS if not callable(getattr(value, m, None))]
    if missing:
        raise ValueError(
            f"{type(value).__name__} is not a retry strategy: it has no {', '.join(missing)}"
        )
    return value


def _check_signature_version(value: object) -> object:
    """`None`, `"s3v4"` (what aios3 signs with anyway) or `botocore.UNSIGNED` itself."""
    if value is None or value == "s3v4":
        return value
    import botocore

    if value is botocore.UNSIGNED:
        return value
    raise ValueError(
        "must be botocore.UNSIGNED (send unsigned requests), 's3v4' or None (sign with "
        f"SigV4, the default), got {value!r}"
    )


def is_unsigned(config: Config) -> bool:
    """`Config(signature_version=botocore.UNSIGNED)` (checked once, at client setup)."""
    v = config.signature_version
    return v is not None and v != "s3v4"


CHECKSUM_WHEN = ("when_supported", "when_required")


def _checksum_when(value: object) -> object:
    """botocore lower-cases the value before checking it: `"WHEN_REQUIRED"` is accepted."""
    return value.lower() if isinstance(value, str) else value


ChecksumWhen = Annotated[
    Literal["when_supported", "when_required"], BeforeValidator(_checksum_when)
]


class RetriesConfig(TypedDict, total=False):
    """boto3's `Config(retries={...})` shape.

    Attributes:
        mode: `"standard"` (aios3's default), `"legacy"` (botocore's default mode, 5
            attempts unless told otherwise) or `"adaptive"` (standard plus client-side
            rate limiting).
        max_attempts: retries after the first attempt, as in boto3 (`2` means up to 3
            attempts in all).
        total_max_attempts: attempts in all, the first included; wins over `max_attempts`.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    mode: RetryMode
    max_attempts: int
    total_max_attempts: int


class Config(BaseModel):
    """Client settings. `None` means: fall back to env / profile / boto3's default.

    Attributes:
        addressing_style: `"auto"`, `"virtual"` or `"path"`, as botocore's
            `s3.addressing_style` (profile `s3 = addressing_style = ...`). With a custom
            `endpoint_url`, `"auto"` means path-style, as in botocore.
        use_fips_endpoint: FIPS endpoints (`AWS_USE_FIPS_ENDPOINT`).
        use_dualstack_endpoint: dual-stack (IPv6) endpoints (`AWS_USE_DUALSTACK_ENDPOINT`).
        use_accelerate_endpoint: S3 Transfer Acceleration.
        use_arn_region: let an access-point ARN's region win over the client's
            (`AWS_S3_USE_ARN_REGION`; default True).
        disable_multiregion_access_points: refuse multi-region access point ARNs.
        disable_s3_express_session_auth: sign directory-bucket requests with plain SigV4
            instead of S3 Express sessions (`AWS_S3_DISABLE_EXPRESS_SESSION_AUTH`).
        connect_timeout: seconds to open a connection (TCP connect and TLS handshake).
        read_timeout: the longest a connection may make no progress, in seconds: no part
            of the request body could be sent (`WriteTimeoutError`), or no data came from
            the server (`ReadTimeoutError`). Not a limit on a whole call.
        max_attempts: total attempts per call, first try included (`AWS_MAX_ATTEMPTS`;
            default 3, or 5 in legacy mode).
        retries: boto3's shape, `{"mode": "standard", "max_attempts": N}` (`max_attempts`
            there counts retries, as in boto3; `total_max_attempts` counts attempts).
            The mode (`"standard"`, `"legacy"` or `"adaptive"`) falls back to
            `AWS_RETRY_MODE` / the profile's `retry_mode`, then to `"standard"`.
        retry_strategy: a `aios3.retries.RetryStrategy` object used as is, instead of
            the strategy built from `max_attempts` / `retries`.
        max_pool_connections: connections kept in the pool, and the cap on concurrency.
        verify: verify TLS certificates (`False` turns it off; a string is a CA bundle path;
            `True` uses `AWS_CA_BUNDLE` / the profile's `ca_bundle` when set).
        max_response_bytes: the largest answer body aios3 will parse (default 16 MiB,
            `DEFAULT_MAX_RESPONSE_BYTES`; `None` for no cap). A larger body raises
            `ResponseParseError` without being parsed, and is not retried. S3's own
            answers stay far below it (a page of 1000 uploads is about 1 MiB).
        request_checksum_calculation: `"when_supported"` (the default, as in botocore):
            UploadPart sends a CRC32 checksum when no other is given; `"when_required"`:
            only when `ChecksumAlgorithm` asks for one (or the operation requires one).
            Falls back to `AWS_REQUEST_CHECKSUM_CALCULATION` / the profile's
            `request_checksum_calculation`. See [Checksums](../checksums.md).
        response_checksum_validation: `"when_supported"` (default) or `"when_required"`
            (`AWS_RESPONSE_CHECKSUM_VALIDATION` / the profile's
            `response_checksum_validation`). Resolved and checked as botocore does; none of
            aios3's operations has a response checksum to validate (botocore validates
            GetObject's), so it changes nothing yet.
        signature_version: `botocore.UNSIGNED` sends every request unsigned (anonymous),
            as botocore's `Config(signature_version=UNSIGNED)` and aws-cli's
            `--no-sign-request`: no credentials are looked up at all, and requests carry
            no `Authorization`, `X-Amz-Date` nor `X-Amz-Content-SHA256` header. Directory
            buckets and multi-region access points accept no anonymous request: a request
            for one raises `ParamValidationError` before anything is sent. `None` or
            `"s3v4"` (the default): SigV4, as always. See
            [Unsigned requests](../configuration.md#unsigned-requests).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True
    )

    if not TYPE_CHECKING:  # keep pydantic's typed __init__ signature for type checkers

        def __init__(self, /, **data: object) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise param_error("Config", exc) from None

    addressing_style: Literal["auto", "virtual", "path"] | None = None
    use_fips_endpoint: bool | None = None
    use_dualstack_endpoint: bool | None = None
    use_accelerate_endpoint: bool | None = None
    use_arn_region: bool | None = None
    disable_multiregion_access_points: bool | None = None
    disable_s3_express_session_auth: bool | None = None
    connect_timeout: float = Field(60.0, gt=0, allow_inf_nan=False)
    read_timeout: float = Field(60.0, gt=0, allow_inf_nan=False)
    max_attempts: int | None = Field(None, ge=1)
    retries: RetriesConfig | None = None
    retry_strategy: Annotated[RetryStrategy | None, PlainValidator(_check_strategy)] = None
    max_pool_connections: int = Field(10, ge=1)
    verify: bool | str = True
    max_response_bytes: StrictInt | None = Field(DEFAULT_MAX_RESPONSE_BYTES, ge=1)
    request_checksum_calculation: ChecksumWhen | None = None
    response_checksum_validation: ChecksumWhen | None = None
    signature_version: Annotated[object, PlainValidator(_check_signature_version)] = None

    def __hash__(self) -> int:  # frozen, so hashable: the retries dict hashes by its items
        return hash(
            tuple(
                tuple(sorted(v.items())) if isinstance(v, dict) else v
                for v in self.__dict__.values()
            )
        )

    @model_validator(mode="before")
    @classmethod
    def _check_verify(cls, data: object) -> object:
        verify = data.get("verify") if isinstance(data, dict) else None
        if isinstance(verify, str):  # a stat, not a read: the bundle is loaded at setup
            if not verify:
                raise ParamValidationError("verify: a CA bundle path must not be empty")
            if not os.path.exists(verify):
                raise ParamValidationError(f"verify: no such file: {verify!r}")
        return data

    @model_validator(mode="before")
    @classmethod
    def _check_retries(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        retries = data.get("retries")
        if isinstance(retries, dict):
            for key in ("max_attempts", "total_max_attempts"):
                n = retries.get(key)
                least = 0 if key == "max_attempts" else 1
                if isinstance(n, int) and not isinstance(n, bool) and n < least:
                    raise ParamValidationError(f"retries: {key} must be at least {least}, got {n}")
        if data.get("retry_strategy") is not None and (
            data.get("max_attempts") is not None or data.get("retries") is not None
        ):
            raise ParamValidationError(
                "retry_strategy: pass either a retry strategy, or max_attempts / retries, "
                "not both (the strategy has its own max_attempts)"
            )
        return data


# botocore's validate_region_name: a host label, not all digits (fullmatch: botocore's
# `$` would let a trailing newline through)
_REGION = re.compile(r"(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)")
# whitespace, control and non-ASCII characters: everything but the printable ASCII
# characters. Written as a complement: the same set as [\x00-\x20\x7f-\U0010ffff],
# whose range up to U+10FFFF took `re` about 5 ms to compile at every `import aios3`
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]")


def check_region(region: object, what: str = "region_name") -> None:
    """Refuse a region that is not a host label, as boto3 does (it goes into the host name
    and the signing scope: `../evil` or `us-east-1/x` must not)."""
    if not isinstance(region, str):
        raise ParamValidationError(f"{what}: must be a str, got {type(region).__name__}")
    if not _REGION.fullmatch(region):
        raise ParamValidationError(
            f"{what}: {region!r} is not a valid region name: it must be 1 to 63 ASCII "
            "letters, digits and hyphens, not start or end with a hyphen, and not be all "
            "digits (as boto3 requires)"
        )


def check_endpoint_url(url: object, what: str = "endpoint_url") -> None:
    """Refuse an endpoint URL aiohttp would choke on later (or that carries a password)."""
    if not isinstance(url, str):
        raise ParamValidationError(f"{what}: must be a str, got {type(url).__name__}")
    if _URL_UNSAFE.search(url):
        raise ParamValidationError(
            f"{what}: must not contain whitespace, control or non-ASCII characters "
            "(use the IDNA / percent-encoded form)"
        )
    authority = url.split("//", 1)[1] if "//" in url else url
    if "@" in authority.split("/", 1)[0]:
        # never quoted: the part before "@" may be a password
        raise ParamValidationError(
            f"{what}: must not carry a user name or password (user:password@): S3 "
            "requests are signed with your AWS credentials instead"
        )
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise ParamValidationError(f"{what}: must start with http:// or https://, got {url!r}")
        if not parts.hostname:
            raise ParamValidationError(f"{what}: has no host: {url!r}")
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        if isinstance(exc, ParamValidationError):
            raise
        raise ParamValidationError(f"{what}: is not a valid URL ({exc}): {url!r}") from None


def check_client_args(
    *,
    region_name: object,
    endpoint_url: object,
    aws_access_key_id: object,
    aws_secret_access_key: object,
    aws_session_token: object,
    profile_name: object = None,
) -> None:
    """`S3Client`'s arguments, checked at construction (what comes from the environment
    or the profile is checked by `resolve_settings` and the credential cache)."""
    if region_name is not None and region_name != "":
        check_region(region_name)
    if endpoint_url is not None:
        check_endpoint_url(endpoint_url)
    if aws_access_key_id is not None:
        check_credential_text(aws_access_key_id, "aws_access_key_id")
    if aws_secret_access_key is not None and not isinstance(aws_secret_access_key, str):
        raise ParamValidationError(
            f"aws_secret_access_key: must be a str, got {type(aws_secret_access_key).__name__}"
        )
    if aws_session_token is not None:
        check_credential_text(aws_session_token, "aws_session_token")
    if profile_name is not None and not isinstance(profile_name, str):
        raise ParamValidationError(
            f"profile_name: must be a str, got {type(profile_name).__name__}"
        )


def check_ca_bundle(path: str, what: str) -> None:
    """Check at setup that the CA bundle is a readable file, so a missing or unreadable one
    is a `ParamValidationError` there, not an `OSError` from the first request. Its
    certificates are loaded on the first https request (once per process and file, see
    `_transport.ca_bundle_context`): a client that only talks http never pays for it."""
    if os.path.isdir(path):
        raise ParamValidationError(
            f"{what}: {path!r} is a directory; give the path of a CA bundle file (PEM)"
        )
    if not os.path.isfile(path):
        if os.path.exists(path):  # a FIFO, a socket, a device: opening a FIFO would block
            raise ParamValidationError(
                f"{what}: {path!r} is not a regular file; give the path of a CA bundle file (PEM)"
            )
        raise ParamValidationError(f"{what}: no such file: {path!r}")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise ParamValidationError(
            f"{what}: the CA bundle {path!r} could not be loaded: {exc}"
        ) from None


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, resolved."""

    region: str
    endpoint_url: str | None
    addressing_style: Literal["auto", "virtual", "path"]
    use_fips: bool
    use_dualstack: bool
    accelerate: bool
    use_arn_region: bool
    disable_mrap: bool
    disable_s3_express_session_auth: bool
    use_global_endpoint: bool
    max_attempts: int
    retry_mode: RetryMode
    force_path_style: bool
    verify: bool | str
    request_checksum_calculation: Literal["when_supported", "when_required"] = "when_supported"
    response_checksum_validation: Literal["when_supported", "when_required"] = "when_supported"
    data_path: str | None = None
    """botocore's `data_path` (`AWS_DATA_PATH` / the profile's `data_path`): more folders
    where the endpoint rule set is looked for first, as botocore's loader does."""


def _bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _profile_error(profile_name: str | None) -> ParamValidationError:
    name = profile_name or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
    return ParamValidationError(
        f"profile_name: the profile {name!r} is not in the shared config files",
    )


def boto_session(profile_name: str | None) -> BotoSession:
    """A whole botocore session for the profile (blocking: reads the shared files).

    Only the credential chain needs one (`CredentialChain`); settings are read through
    `SharedConfig`, which does not import `botocore.session`."""
    import botocore.session

    session = botocore.session.Session(profile=profile_name)
    _check_readable(session, profile_name)
    return session


def _check_readable(source: ConfigSource, profile_name: str | None) -> None:
    """Read the profile's section now: a profile that is not in the files, or a file that
    cannot be parsed, is a `ParamValidationError`."""
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        source.get_scoped_config()
    except ProfileNotFound:
        raise _profile_error(profile_name) from None
    except BotoCoreError as exc:  # e.g. a shared config file that cannot be parsed
        raise ParamValidationError(f"the shared AWS config could not be read: {exc}") from None


def _expanded(path: str) -> str:
    """A shared file's path as botocore's `raw_config_parse` expands it."""
    return os.path.expanduser(os.path.expandvars(path))


def _holds_nothing(path: str | None) -> bool:
    """Whether botocore's `raw_config_parse` would find no section in the file: no path, no
    regular file there (`ConfigNotFound`), or an empty one."""
    if path is None:
        return True
    path = _expanded(path)
    try:
        return not os.path.isfile(path) or os.path.getsize(path) == 0
    except OSError:  # removed between the two calls: botocore would not find it either
        return True


def _empty_file_config() -> dict[str, Any]:
    """botocore's `load_config` of an empty file (`build_profile_map({})`); a test checks
    they are equal."""
    return {"profiles": {}, "sso_sessions": {}, "services": {}}


class SharedConfig:
    """What a botocore `Session` reads the settings from, without building one.

    A `Session` costs the import of `botocore.session` (with the client, handler and
    credential modules) and its construction (event handlers, components): tens of
    milliseconds that a client which needs no credential chain never uses. This object
    has the three things botocore's own config providers call on a session
    (`instance_variables()`, `get_scoped_config()`, `full_config`), so the variables are
    resolved by botocore's chain definitions (`create_botocore_default_config_mapping`: the
    same environment variables, profile keys, defaults and conversions, in the same order)
    and the files are read by botocore's `configloader`. `get_scoped_config` and
    `full_config` are botocore's `Session` methods of the same names, line for line; a
    test compares every setting aios3 reads with a real `Session`'s.
    """

    def __init__(self, profile_name: str | None) -> None:
        from botocore.configprovider import (
            ConfigValueStore,
            create_botocore_default_config_mapping,
        )

        # Session(profile=...) keeps the profile as an instance variable
        self._instance_vars: dict[str, object] = (
            {} if profile_name is None else {"profile": profile_name}
        )
        self._config: dict[str, Any] | None = None
        self._store = ConfigValueStore(mapping=create_botocore_default_config_mapping(self))

    def instance_variables(self) -> dict[str, object]:
        return dict(self._instance_vars)

    def get_config_variable(self, logical_name: str) -> Any:
        return self._store.get_config_variable(logical_name)

    @property
    def full_config(self) -> dict[str, Any]:
        """botocore's `Session.full_config`: the config file's profiles, with the profile
        names (and values) of the credentials file merged in."""
        if self._config is None:
            config_file = self.get_config_variable("config_file")
            if _holds_nothing(config_file) and _holds_nothing(
                self.get_config_variable("credentials_file")
            ):
                # what botocore's reader makes of absent or empty files, without importing
                # it (and configparser): the common case of a container, 0.2 MB
                self._config = (
                    _empty_file_config()
                    if config_file is not None and os.path.isfile(_expanded(config_file))
                    else {"profiles": {}}  # botocore's Session, on ConfigNotFound
                )
                return self._config
            from botocore.configloader import load_config, raw_config_parse
            from botocore.exceptions import ConfigNotFound

            try:
                self._config = load_config(self.get_config_variable("config_file"))
            except ConfigNotFound:
                self._config = {"profiles": {}}
            try:
                cred_profiles = raw_config_parse(self.get_config_variable("credentials_file"))
            except ConfigNotFound:
                pass
            else:
                profiles = self._config["profiles"]
                for profile, cred_vars in cred_profiles.items():
                    if profile not in profiles:
                        profiles[profile] = cred_vars
                    else:
                        profiles[profile].update(cred_vars)
        return self._config

    def get_scoped_config(self) -> dict[str, Any]:
        """botocore's `Session.get_scoped_config`: the profile's section (`ProfileNotFound`
        for a profile named but absent, even `default`)."""
        from botocore.exceptions import ProfileNotFound

        profile_name = self.get_config_variable("profile")
        profile_map = self.full_config["profiles"]
        if profile_name is None:
            return profile_map.get("default", {})  # type: ignore[no-any-return]
        if profile_name not in profile_map:
            raise ProfileNotFound(profile=profile_name)
        return profile_map[profile_name]  # type: ignore[no-any-return]


def load_shared_config(profile_name: str | None) -> SharedConfig:
    """The shared config for the profile, read and checked (blocking: reads the files).

    A profile that is not in the files is a `ParamValidationError`, as is a file that
    cannot be parsed."""
    shared = SharedConfig(profile_name)
    _check_readable(shared, profile_name)
    return shared


class ConfigSource(Protocol):
    """A botocore `Session` or a `SharedConfig`: what `resolve_settings` reads."""

    @property
    def full_config(self) -> dict[str, Any]: ...

    def get_scoped_config(self) -> dict[str, Any]: ...

    def get_config_variable(self, logical_name: str) -> Any: ...


def resolve_settings(
    session: ConfigSource,
    *,
    region_name: str | None,
    endpoint_url: str | None,
    config: Config,
) -> Settings:
    """Resolve every setting (blocking: reads env and the shared config files)."""
    from botocore.configprovider import ConfiguredEndpointProvider

    explicit_endpoint = endpoint_url
    region = (
        region_name
        or os.environ.get("AWS_REGION")
        or session.get_config_variable("region")
        or DEFAULT_REGION
    )
    if endpoint_url is None and not _bool(
        session.get_config_variable("ignore_configured_endpoint_urls"), False
    ):
        endpoint_url = ConfiguredEndpointProvider(
            full_config=session.full_config,
            scoped_config=session.get_scoped_config(),
            client_name="s3",
        ).provide()
    if not region_name:  # an explicit one was checked at construction
        check_region(region, "region (AWS_REGION / AWS_DEFAULT_REGION / the profile's region)")
    if endpoint_url is not None and endpoint_url is not explicit_endpoint:
        check_endpoint_url(
            endpoint_url, "endpoint_url (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / the profile)"
        )
    verify: bool | str = config.verify
    if verify is True:
        bundle = session.get_config_variable("ca_bundle")
        if bundle:
            verify = str(bundle)
            check_ca_bundle(verify, "verify (AWS_CA_BUNDLE / the profile's ca_bundle)")
    elif isinstance(verify, str):
        check_ca_bundle(verify, "verify")
    s3cfg: dict[str, object] = dict(session.get_config_variable("s3") or {})
    style = config.addressing_style or s3cfg.get("addressing_style") or "auto"
    if style not in ("auto", "virtual", "path"):
        raise ParamValidationError(
            f"addressing_style: must be 'auto', 'virtual' or 'path', got {style!r}"
        )
    accelerate = _bool(
        config.use_accelerate_endpoint
        if config.use_accelerate_endpoint is not None
        else s3cfg.get("use_accelerate_endpoint"),
        False,
    )
    if accelerate:
        force_path_style = False
    elif endpoint_url is not None and ".s3-accelerate." not in endpoint_url:
        force_path_style = style != "virtual"
    else:
        force_path_style = style == "path"

    def pick(value: bool | None, *fallbacks: object, default: bool = False) -> bool:
        if value is not None:
            return value
        for fb in fallbacks:
            if fb is not None:
                return _bool(fb, default)
        return default

    max_attempts, retry_mode = _retry_settings(session, config)
    return Settings(
        region=str(region),
        endpoint_url=endpoint_url,
        addressing_style=style,
        # as botocore: a custom endpoint URL cannot be combined with FIPS or dual-stack, and
        # both are then ignored; the profile's `s3` section can only turn dual-stack on
        use_fips=endpoint_url is None
        and pick(config.use_fips_endpoint, session.get_config_variable("use_fips_endpoint")),
        use_dualstack=endpoint_url is None
        and pick(
            config.use_dualstack_endpoint,
            True if _bool(s3cfg.get("use_dualstack_endpoint"), False) else None,
            session.get_config_variable("use_dualstack_endpoint"),
        ),
        accelerate=accelerate,
        use_arn_region=pick(config.use_arn_region, s3cfg.get("use_arn_region"), default=True),
        disable_mrap=pick(
            config.disable_multiregion_access_points,
            s3cfg.get("s3_disable_multiregion_access_points"),
        ),
        disable_s3_express_session_auth=pick(
            config.disable_s3_express_session_auth,
            session.get_config_variable("s3_disable_express_session_auth"),
        ),
        use_global_endpoint=(
            region == "us-east-1" and s3cfg.get("us_east_1_regional_endpoint") != "regional"
        ),
        max_attempts=max_attempts,
        retry_mode=retry_mode,
        force_path_style=force_path_style,
        verify=verify,
        request_checksum_calculation=_checksum_setting(
            session, config.request_checksum_calculation, "request_checksum_calculation"
        ),
        response_checksum_validation=_checksum_setting(
            session, config.response_checksum_validation, "response_checksum_validation"
        ),
        data_path=session.get_config_variable("data_path") or None,
    )


def _checksum_setting(
    session: ConfigSource, value: str | None, key: str
) -> Literal["when_supported", "when_required"]:
    """`Config`, then `AWS_<KEY>` / the profile's `<key>`, then "when_supported"; checked as
    botocore's `_handle_checksum_config` checks it (lower-cased, one of two values)."""
    raw: object = value if value is not None else session.get_config_variable(key)
    if raw is None:
        raw = "when_supported"
    if isinstance(raw, str):
        raw = raw.lower()
    if raw == "when_supported":
        return "when_supported"
    if raw == "when_required":
        return "when_required"
    raise ParamValidationError(
        f"Unsupported configuration value for {key}. Expected one of {CHECKSUM_WHEN} but "
        f"got {raw} (Config, AWS_{key.upper()} or the profile's {key})",
        [f"{key}: must be 'when_supported' or 'when_required', got {raw!r}"],
    )


def _retry_settings(session: ConfigSource, config: Config) -> tuple[int, RetryMode]:
    """Total attempts and retry mode: `Config` first, then env / profile, as botocore.

    The default number of attempts is the mode's: 5 in legacy mode (botocore's), else 3."""
    retries: RetriesConfig = config.retries or {}
    # read without botocore's default ("legacy"): an unset mode is aios3's "standard"
    mode = (
        retries.get("mode")
        or os.environ.get("AWS_RETRY_MODE")
        or session.get_scoped_config().get("retry_mode")
        or "standard"
    )
    if mode not in RETRY_MODES:
        raise ParamValidationError(
            "retry_mode: must be 'standard', 'legacy' or 'adaptive' (AWS_RETRY_MODE / the "
            f"profile's retry_mode), got {mode!r}"
        )
    max_attempts = config.max_attempts
    if max_attempts is None:
        if "total_max_attempts" in retries:
            max_attempts = retries["total_max_attempts"]
        elif "max_attempts" in retries:
            max_attempts = retries["max_attempts"] + 1  # boto3: retries, not attempts
    if max_attempts is None:
        try:
            raw = session.get_config_variable("max_attempts")
            if raw is not None:
                max_attempts = int(raw)
            else:
                max_attempts = LEGACY_MAX_ATTEMPTS if mode == "legacy" else DEFAULT_MAX_ATTEMPTS
        except ValueError:
            raise ParamValidationError(
                "max_attempts: AWS_MAX_ATTEMPTS / the profile's max_attempts must be a whole number"
            ) from None
    if max_attempts < 1:
        raise ParamValidationError(f"max_attempts: must be at least 1, got {max_attempts}")
    return max_attempts, cast(RetryMode, mode)


def env_credentials(profile_name: str | None) -> FrozenCredentials | None:
    """The keys botocore's credential chain would take from the environment, when that is
    certain without running the chain (no thread, no `botocore.session`); else None.

    `botocore.credentials.create_credential_resolver` puts its `EnvProvider` first, and
    takes it out only for a profile given to the session itself (`profile_name` here;
    `AWS_PROFILE` does not), so with no `profile_name` a non-empty `AWS_ACCESS_KEY_ID`
    ends the chain there, whatever the profile holds (`credential_process`, `sso_*`,
    `role_arn`). What is left to the chain: a missing or empty secret (botocore's
    `PartialCredentialsError`) and `AWS_CREDENTIAL_EXPIRATION` (refreshable keys).
    The token is `AWS_SECURITY_TOKEN`, else `AWS_SESSION_TOKEN`, as in `EnvProvider`.
    """
    if profile_name is not None:
        return None
    env = os.environ
    access_key = env.get("AWS_ACCESS_KEY_ID", "")
    secret_key = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or env.get("AWS_CREDENTIAL_EXPIRATION", ""):
        return None
    token = env.get("AWS_SECURITY_TOKEN", "") or env.get("AWS_SESSION_TOKEN", "") or None
    return FrozenCredentials(access_key, secret_key, token)


def check_chain_credentials(creds: FrozenCredentials) -> FrozenCredentials:
    """The checks the credential cache makes on what botocore's chain returns (header-safe
    text), for keys taken from the environment without the chain. Made when a client uses
    them, not when they are read: an unsigned client, or one with explicit keys, never
    looks at them."""
    check_credential_text(creds.access_key, "the access key id from the credential chain")
    if creds.token is not None:
        check_credential_text(creds.token, "the session token from the credential chain")
    return creds


class CredentialChain:
    """botocore's credential chain for one profile, run at most once per process and setup
    key (`SetupKey`) when it finds credentials: the clients set up with the same key share
    the botocore credentials object it returns (boto3 shares one per session), refreshable
    ones included (botocore's refresh is thread-safe). A chain that found nothing, or
    failed, runs again for the next client."""

    __slots__ = ("_creds", "_lock", "_profile_name")

    def __init__(self, profile_name: str | None) -> None:
        self._profile_name = profile_name
        self._lock = threading.Lock()
        self._creds: BotoCredentials | None = None

    def __repr__(self) -> str:
        return f"<CredentialChain profile={self._profile_name!r} loaded={self._creds is not None}>"

    @property
    def loaded(self) -> BotoCredentials | None:
        """The credentials found by an earlier run (never blocks)."""
        return self._creds

    def load(self) -> BotoCredentials | None:
        """Run the chain (blocking: files, processes, the network), or return its result."""
        with self._lock:
            if self._creds is not None:
                return self._creds
            creds = boto_session(self._profile_name).get_credentials()
            if not _runs_again(creds):
                self._creds = creds
            return creds


def _runs_again(creds: BotoCredentials | None) -> bool:
    """Whether the next client must run the chain again rather than share `creds`: nothing
    found, or keys from a `credential_process` that gave no expiry. botocore never runs
    that process again for these keys, and boto3 runs it again for each new session: a
    new client is how a program picks up keys the process has rotated (keys with an
    expiry are refreshed by botocore, and keys read from the files are read again when a
    file changes)."""
    if creds is None:
        return True
    from botocore.credentials import RefreshableCredentials

    return getattr(creds, "method", None) == "custom-process" and not isinstance(
        creds, RefreshableCredentials
    )


# -------------------------------------------------------------------------------------------
# The process-wide setup cache


_RACY_NS = 2_000_000_000
"""A file modified less than this before it was stat'ed may be modified again with the same
mtime (coarse file-system clocks, 1-2 s on some file systems): no setup read from it is
cached."""
_MAX_SETUPS = 32


def _file_identity(path: str) -> tuple[str, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:  # missing (or unreadable): botocore reads it as absent
        return None
    return (path, st.st_ino, st.st_size, st.st_mtime_ns)


def _shared_file_path(env_var: str, default: str) -> str:
    # as botocore's config chain (an empty value counts as set) and configloader read it
    path = os.environ.get(env_var, default)
    return os.path.expanduser(os.path.expandvars(path))


@dataclass(frozen=True, slots=True)
class SetupKey:
    """Everything a client's setup depends on: its arguments and `Config`, the `AWS_*`
    environment variables, and the identity (path, inode, size, mtime) of the shared
    config and credentials files."""

    args: tuple[object, ...]
    env: tuple[tuple[str, str], ...] = field(repr=False)  # AWS_SECRET_ACCESS_KEY is in it
    files: tuple[object, ...]
    cacheable: bool = field(compare=False, hash=False)
    """False when a file was modified too recently to trust its mtime (`_RACY_NS`)."""


def setup_key(
    *,
    region_name: str | None,
    endpoint_url: str | None,
    profile_name: str | None,
    config: Config,
) -> SetupKey:
    """The key of a client's setup, from the arguments, the environment and two `os.stat`
    calls (cheap enough for the event loop; nothing is read)."""
    now = time.time_ns()
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    files = (
        _file_identity(_shared_file_path("AWS_CONFIG_FILE", "~/.aws/config")),
        _file_identity(_shared_file_path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")),
    )
    cacheable = all(f is None or f[3] < now - _RACY_NS for f in files)
    return SetupKey((region_name, endpoint_url, profile_name, config), env, files, cacheable)


class SetupCache(Generic[_T]):
    """What client setups resolved, per `SetupKey`, for the life of the process (the
    newest `_MAX_SETUPS` keys). Thread-safe: every operation is one dict operation."""

    def __init__(self, max_entries: int = _MAX_SETUPS) -> None:
        self._entries: dict[SetupKey, _T] = {}
        self._max = max_entries

    def get(self, key: SetupKey) -> _T | None:
        return self._entries.get(key)

    def put(self, key: SetupKey, value: _T) -> None:
        if not key.cacheable:
            return
        entries = self._entries
        entries.pop(key, None)
        while len(entries) >= self._max:
            try:
                del entries[next(iter(entries))]
            except (KeyError, StopIteration, RuntimeError):  # another thread got there
                break
        entries[key] = value

    def clear(self) -> None:
        """Forget every setup (the next client of each key reads everything again)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
