"""The botocore internals aios3 relies on are still where aios3 expects them.

aios3 uses botocore's signers, endpoint rule set, partitions, credential chain and config
loaders directly, not through botocore's public client API, so a botocore release may move
one of them without notice (see docs/installation.md, "botocore version policy"). Each check
here fails with a message naming the internal and the aios3 module that uses it, so that a
botocore upgrade that breaks aios3 says what moved instead of failing somewhere deep in a
request.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.unit


def _resolve(dotted: str) -> Any:
    """`botocore.auth.S3SigV4Auth.add_auth` -> the object; raise AssertionError naming it."""
    parts = dotted.split(".")
    obj: Any = importlib.import_module(parts[0])
    for i, attr in enumerate(parts[1:], start=1):
        here, there = ".".join(parts[:i]), ".".join(parts[: i + 1])
        if inspect.ismodule(obj) and hasattr(obj, "__path__"):  # a package: maybe a submodule
            try:
                obj = importlib.import_module(there)
                continue
            except ModuleNotFoundError as exc:
                if exc.name != there:
                    raise AssertionError(f"importing {there} fails: {exc}") from None
            except ImportError as exc:
                raise AssertionError(f"importing {there} fails: {exc}") from None
        if not hasattr(obj, attr):
            raise AssertionError(f"{there} is gone ({here} has no {attr!r})")
        obj = getattr(obj, attr)
    return obj


def _moved(name: str, used_by: str, why: str) -> str:
    import botocore

    return (
        f"botocore internal moved: {name} (used by {used_by}) in botocore "
        f"{botocore.__version__}: {why}. See the botocore version policy in "
        "docs/installation.md."
    )


def _params(func: Callable[..., Any]) -> list[str]:
    return [p for p in inspect.signature(func).parameters if p != "self"]


# (internal, the aios3 module that uses it, the parameters it must accept, in order, or None)
CALLABLES: list[tuple[str, str, list[str] | None]] = [
    # signing: aios3 subclasses botocore's signers, builds the signature in its own add_auth
    # (the differential test compares it with botocore's) and calls these of their methods
    ("botocore.auth.S3SigV4Auth", "aios3/_auth.py", ["credentials", "service_name", "region_name"]),
    ("botocore.auth.S3SigV4Auth.add_auth", "aios3/_auth.py (overridden)", ["request"]),
    ("botocore.auth.S3SigV4Auth._sign", "aios3/_auth.py", ["key", "msg", "hex"]),
    ("botocore.auth.S3SigV4Auth._set_necessary_date_headers", "aios3/_auth.py", ["request"]),
    ("botocore.auth.S3SigV4Auth.payload", "aios3/_auth.py", ["request"]),
    ("botocore.auth.S3SigV4Auth._canonical_query_string_params", "aios3/_auth.py", ["params"]),
    (
        "botocore.auth.S3ExpressAuth",
        "aios3/_auth.py",
        ["credentials", "service_name", "region_name", "identity_cache"],
    ),
    ("botocore.auth._host_from_url", "aios3/_auth.py, aios3/_endpoints.py", ["url"]),
    # endpoints: the S3 rule set and the partitions, evaluated by botocore's provider
    ("botocore.loaders.create_loader", "aios3/_endpoints.py", ["search_path_string"]),
    # (wrapped by botocore's instance_cache: its signature is *args, **kwargs)
    ("botocore.loaders.Loader.determine_latest_version", "aios3/_endpoints.py", None),
    ("botocore.loaders.Loader.load_data", "aios3/_endpoints.py", ["name"]),
    (
        "botocore.endpoint_provider.EndpointProvider",
        "aios3/_endpoints.py",
        ["ruleset_data", "partition_data"],
    ),
    ("botocore.endpoint_provider.EndpointProvider.resolve_endpoint", "aios3/_endpoints.py", None),
    # settings: botocore's config providers and config file loader, without a session
    (
        "botocore.configprovider.create_botocore_default_config_mapping",
        "aios3/_config.py (SharedConfig)",
        ["session"],
    ),
    ("botocore.configprovider.ConfigValueStore", "aios3/_config.py (SharedConfig)", ["mapping"]),
    (
        "botocore.configprovider.ConfigValueStore.get_config_variable",
        "aios3/_config.py (SharedConfig)",
        ["logical_name"],
    ),
    ("botocore.configloader.load_config", "aios3/_config.py (SharedConfig)", ["config_filename"]),
    (
        "botocore.configloader.raw_config_parse",
        "aios3/_config.py (SharedConfig)",
        ["config_filename"],
    ),
    # credentials: botocore's session and credential chain
    ("botocore.session.Session", "aios3/_config.py", ["session_vars", "event_hooks"]),
    ("botocore.session.Session.get_scoped_config", "aios3/_config.py", None),
    ("botocore.session.Session.get_config_variable", "aios3/_config.py", ["logical_name"]),
    ("botocore.session.Session.get_credentials", "aios3/_config.py", None),
    (
        "botocore.configprovider.ConfiguredEndpointProvider",
        "aios3/_config.py",
        ["full_config", "scoped_config", "client_name"],
    ),
    ("botocore.configprovider.ConfiguredEndpointProvider.provide", "aios3/_config.py", None),
    ("botocore.credentials.Credentials.get_frozen_credentials", "aios3/_auth.py", None),
    # timestamp parameters are read as botocore reads them
    ("botocore.utils.parse_to_aware_datetime", "aios3/models.py", ["value"]),
]

CONSTANTS = [
    ("botocore.auth.SIGNED_HEADERS_BLACKLIST", "aios3/_auth.py"),
    ("botocore.auth.EMPTY_SHA256_HASH", "aios3/_auth.py"),
    ("botocore.auth.UNSIGNED_PAYLOAD", "aios3/_auth.py"),
    ("botocore.auth.STREAMING_UNSIGNED_PAYLOAD_TRAILER", "aios3/_auth.py"),
    ("botocore.exceptions.BotoCoreError", "aios3/_auth.py, aios3/_config.py, aios3/_endpoints.py"),
    ("botocore.exceptions.ProfileNotFound", "aios3/_config.py"),
    ("botocore.session.Session.full_config", "aios3/_config.py"),
    ("botocore.exceptions.ConfigNotFound", "aios3/_config.py (SharedConfig)"),
    ("botocore.loaders._JSON_OPEN_METHODS", "aios3/_endpoints.py"),
    ("botocore.loaders.Loader.search_paths", "aios3/_endpoints.py"),
]


@pytest.mark.parametrize(("name", "used_by", "params"), CALLABLES, ids=[c[0] for c in CALLABLES])
def test_callable_is_where_aios3_expects_it(
    name: str, used_by: str, params: list[str] | None
) -> None:
    try:
        obj = _resolve(name)
    except AssertionError as exc:
        pytest.fail(_moved(name, used_by, str(exc)))
    if not callable(obj):
        pytest.fail(_moved(name, used_by, f"no longer callable ({type(obj).__name__})"))
    if params is None:
        return
    have = _params(obj)
    if have[: len(params)] != params:
        pytest.fail(_moved(name, used_by, f"its parameters are now {have}, aios3 passes {params}"))


@pytest.mark.parametrize(("name", "used_by"), CONSTANTS, ids=[c[0] for c in CONSTANTS])
def test_name_is_where_aios3_expects_it(name: str, used_by: str) -> None:
    try:
        _resolve(name)
    except AssertionError as exc:
        pytest.fail(_moved(name, used_by, str(exc)))


def test_signed_headers_blacklist_is_a_collection_of_lowercase_names() -> None:
    from botocore.auth import SIGNED_HEADERS_BLACKLIST

    names = list(SIGNED_HEADERS_BLACKLIST)
    if not names or any(not isinstance(n, str) or n != n.lower() for n in names):
        pytest.fail(
            _moved(
                "botocore.auth.SIGNED_HEADERS_BLACKLIST",
                "aios3/_auth.py",
                f"expected lower-case header names, got {names!r}",
            )
        )


def test_signer_reads_the_request_context_keys_aios3_sets() -> None:
    # aios3 asks for UNSIGNED-PAYLOAD through context["client_config"].s3 and marks streamed
    # bodies with context["has_streaming_input"]; botocore's S3 signer must still read them
    from botocore.auth import S3SigV4Auth

    source = inspect.getsource(S3SigV4Auth)
    for key in ("client_config", "has_streaming_input", "payload_signing_enabled"):
        if key not in source:
            pytest.fail(
                _moved(
                    f"botocore.auth.S3SigV4Auth (request.context / s3 config key {key!r})",
                    "aios3/_auth.py signing_context()",
                    "the signer no longer reads it",
                )
            )


def test_refreshable_credentials_keep_their_expiry_attribute() -> None:
    # aios3 schedules its refresh from RefreshableCredentials._expiry_time
    from datetime import datetime, timedelta, timezone

    from botocore.credentials import RefreshableCredentials

    expiry = datetime.now(timezone.utc) + timedelta(hours=1)
    creds = RefreshableCredentials(
        access_key="AKID",
        secret_key="secret",
        token=None,
        expiry_time=expiry,
        refresh_using=lambda: {},
        method="test",
    )
    if getattr(creds, "_expiry_time", None) != expiry:
        pytest.fail(
            _moved(
                "botocore.credentials.RefreshableCredentials._expiry_time",
                "aios3/_auth.py CredentialCache",
                "the attribute is gone or no longer holds the expiry",
            )
        )


def test_rule_set_has_the_parameters_aios3_passes() -> None:
    from botocore.loaders import create_loader

    loader = create_loader()
    ruleset = loader.load_service_model("s3", "endpoint-rule-set-1")
    partitions = loader.load_data("partitions")
    if "partitions" not in partitions:
        pytest.fail(_moved("botocore data 'partitions'", "aios3/_endpoints.py", "no partitions"))
    known = set(ruleset.get("parameters", {}))
    passed = {
        "Region",
        "UseFIPS",
        "UseDualStack",
        "ForcePathStyle",
        "Accelerate",
        "UseGlobalEndpoint",
        "UseArnRegion",
        "DisableMultiRegionAccessPoints",
        "DisableS3ExpressSessionAuth",
        "Bucket",
        "Endpoint",
    }
    if passed - known:
        pytest.fail(
            _moved(
                "the S3 endpoint rule set (endpoint-rule-set-1)",
                "aios3/_endpoints.py",
                f"it no longer takes the parameters {sorted(passed - known)}",
            )
        )


def test_endpoint_result_has_url_properties_and_headers() -> None:
    from aios3._endpoints import _get_provider

    ep = _get_provider().resolve_endpoint(  # type: ignore[attr-defined]
        Region="us-east-1", Bucket="bucket", UseFIPS=False, UseDualStack=False
    )
    for attr in ("url", "properties", "headers"):
        if not hasattr(ep, attr):
            pytest.fail(
                _moved(
                    f"RuleSetEndpoint.{attr}",
                    "aios3/_endpoints.py",
                    "the resolved endpoint no longer has it",
                )
            )


def test_session_knows_the_config_variables_aios3_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an unknown name makes get_config_variable() return None silently, so check the table
    # (sic: botocore spells it DEFAUT) and read the "s3" section from a real config file
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES
    from botocore.session import Session

    read = {
        "ca_bundle",
        "ignore_configured_endpoint_urls",
        "max_attempts",
        "region",
        "s3_disable_express_session_auth",
        "use_dualstack_endpoint",
        "use_fips_endpoint",
    }
    missing = read - set(BOTOCORE_DEFAUT_SESSION_VARIABLES)
    if missing:
        pytest.fail(
            _moved(
                "botocore.configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES",
                "aios3/_config.py",
                f"the session no longer knows the config variables {sorted(missing)}",
            )
        )
    config = tmp_path / "config"
    config.write_text("[default]\ns3 =\n    addressing_style = path\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    s3 = Session().get_config_variable("s3")
    if not isinstance(s3, dict) or s3.get("addressing_style") != "path":
        pytest.fail(
            _moved(
                "botocore.session.Session.get_config_variable('s3')",
                "aios3/_config.py",
                f"the [s3] section of the config file reads as {s3!r}",
            )
        )


def test_crt_sigv4a_signer_is_where_aios3_expects_it() -> None:
    pytest.importorskip("awscrt")
    name = "botocore.crt.auth.CrtS3SigV4AsymAuth"
    try:
        cls = _resolve(name)
    except AssertionError as exc:
        pytest.fail(_moved(name, "aios3/_auth.py (SigV4a, the crt extra)", str(exc)))
    if not callable(getattr(cls, "add_auth", None)):
        pytest.fail(_moved(f"{name}.add_auth", "aios3/_auth.py", "no add_auth method"))
