"""Client setup: shared per process while nothing it depends on changed, read again when
anything did; settings and credentials as botocore's `Session` gives them, without one."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

import aios3
from aios3 import _client, _config, _endpoints
from aios3._config import (
    Config,
    SharedConfig,
    env_credentials,
    resolve_settings,
)
from aios3.testing import MockResponse, MockTransport

pytestmark = pytest.mark.unit

OLD = time.time() - 60  # an mtime old enough to be trusted (not "racy")


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Fresh shared files (old mtimes), an empty setup cache, and a count of setups."""
    for name in ("config", "credentials"):
        (tmp_path / name).write_text("")
        os.utime(tmp_path / name, (OLD, OLD))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    _client._SETUPS.clear()
    return tmp_path


@pytest.fixture
def setups(monkeypatch: pytest.MonkeyPatch) -> list[aios3.S3Client]:
    """Every `_setup_blocking` call (the clients that read the files)."""
    calls: list[aios3.S3Client] = []
    original = aios3.S3Client._setup_blocking

    def counted(self: aios3.S3Client) -> Any:
        calls.append(self)
        return original(self)

    monkeypatch.setattr(aios3.S3Client, "_setup_blocking", counted)
    return calls


@pytest.fixture
def chains(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every run of botocore's credential chain (a whole `Session` built for it)."""
    calls: list[str | None] = []
    original = _config.boto_session

    def counted(profile_name: str | None) -> botocore.session.Session:
        calls.append(profile_name)
        return original(profile_name)

    monkeypatch.setattr(_config, "boto_session", counted)
    return calls


def write(path: Path, text: str, mtime: float | None = OLD) -> None:
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def ok(request: object) -> MockResponse:
    return MockResponse(204)


async def abort(**kwargs: Any) -> aios3.S3Client:
    """A client that made one call (and is closed): its settings and credentials are set."""
    transport = MockTransport(ok)
    async with aios3.S3Client(transport=transport, **kwargs) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    return s3


@contextlib.contextmanager
def thread_hops() -> Iterator[list[object]]:
    """The functions the running loop hands to a thread while inside."""
    hops: list[object] = []
    loop = asyncio.get_running_loop()
    original = loop.run_in_executor

    def counted(*args: Any) -> Any:
        hops.append(args[1])
        return original(*args)

    loop.run_in_executor = counted  # type: ignore[method-assign, assignment]
    try:
        yield hops
    finally:
        del loop.run_in_executor


def access_key(s3: aios3.S3Client) -> str:
    assert s3._creds is not None and s3._creds._signer is not None
    return s3._creds._signer.access_key


# ----------------------------------------------------------------------- the cache


async def test_a_second_client_reuses_the_setup_without_a_thread(
    files: Path,
    setups: list[aios3.S3Client],
    chains: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    write(files / "config", "[default]\nregion = eu-west-3\n")
    first = await abort()
    assert len(setups) == 1

    with thread_hops() as hops:
        s3 = await abort()
    assert len(setups) == 1  # nothing read again
    assert hops == []  # no thread: neither for the setup nor for the credentials
    assert chains == []  # env keys: botocore's chain never ran
    assert s3.region_name == "eu-west-3"
    assert access_key(s3) == "AKENV"
    assert s3._settings is first._settings
    assert s3._resolver is first._resolver  # and its endpoints resolved per bucket


async def test_arguments_and_config_are_part_of_the_key(
    files: Path, setups: list[aios3.S3Client]
) -> None:
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    await abort(**creds)
    await abort(region_name="eu-west-1", **creds)
    await abort(config=Config(max_attempts=2), **creds)
    await abort(endpoint_url="http://127.0.0.1:1", **creds)
    assert len(setups) == 4
    s3 = await abort(config=Config(max_attempts=2), **creds)  # equal Config: a hit
    assert len(setups) == 4
    assert s3._settings is not None and s3._settings.max_attempts == 2


async def test_a_changed_environment_variable_is_seen_by_the_next_client(
    files: Path, setups: list[aios3.S3Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AK1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SK1")
    s3 = await abort()
    assert s3.region_name == "us-east-1" and access_key(s3) == "AK1"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    s3 = await abort()
    assert s3.region_name == "ap-south-1"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AK2")
    s3 = await abort()
    assert access_key(s3) == "AK2"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AK1")
    s3 = await abort()  # back to the first environment: its setup again
    assert s3.region_name == "us-east-1" and access_key(s3) == "AK1"
    assert len(setups) == 3


async def test_an_edited_config_file_is_seen_by_the_next_client(
    files: Path, setups: list[aios3.S3Client]
) -> None:
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    write(files / "config", "[default]\nregion = eu-west-1\n")
    assert (await abort(**creds)).region_name == "eu-west-1"
    write(files / "config", "[default]\nregion = eu-west-2\n", mtime=None)  # now
    assert (await abort(**creds)).region_name == "eu-west-2"
    # the credentials file counts too (its profiles are checked: ProfileNotFound)
    with pytest.raises(aios3.ParamValidationError, match="'work'"):
        await abort(profile_name="work", **creds)
    write(files / "credentials", "[work]\nregion = eu-north-1\n", mtime=None)
    assert (await abort(profile_name="work", **creds)).region_name == "eu-north-1"
    # removed, and a new file in its place
    (files / "config").unlink()
    assert (await abort(**creds)).region_name == "us-east-1"
    write(files / "config", "[default]\nregion = ca-central-1\n")
    assert (await abort(**creds)).region_name == "ca-central-1"
    assert len(setups) == 6


async def test_a_file_modified_just_now_is_never_trusted(
    files: Path, setups: list[aios3.S3Client]
) -> None:
    # an edit that keeps the size and lands within the file system's clock tick keeps the
    # mtime: a setup read from a file that recent is not cached at all
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    write(files / "config", "[default]\nregion = eu-west-1\n", mtime=None)
    stat = os.stat(files / "config")
    assert (await abort(**creds)).region_name == "eu-west-1"
    write(files / "config", "[default]\nregion = eu-west-2\n", mtime=None)
    os.utime(files / "config", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(files / "config").st_size == stat.st_size
    assert (await abort(**creds)).region_name == "eu-west-2"
    assert len(setups) == 2


async def test_failures_are_not_cached(files: Path, setups: list[aios3.S3Client]) -> None:
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    for _ in range(2):
        with pytest.raises(aios3.ParamValidationError, match="'nope'"):
            await abort(profile_name="nope", **creds)
    write(files / "config", "[default]\nmax_attempts = many\n")
    for _ in range(2):
        with pytest.raises(aios3.ParamValidationError, match="max_attempts"):
            await abort(**creds)
    assert len(setups) == 4


async def test_a_ca_bundle_removed_since_is_reported_by_the_next_client(
    files: Path, setups: list[aios3.S3Client], tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    config = Config(verify=str(bundle))
    await abort(config=config, **creds)
    bundle.unlink()
    with pytest.raises(aios3.ParamValidationError, match="no such file"):
        await abort(config=config, **creds)
    assert len(setups) == 1  # the cached setup, with its bundle checked again


async def test_a_cancelled_setup_is_not_cached(files: Path, setups: list[aios3.S3Client]) -> None:
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    s3 = aios3.S3Client(transport=MockTransport(ok), **creds)
    task = asyncio.ensure_future(s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"))
    await asyncio.sleep(0)  # the setup thread is started
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(_client._SETUPS) == 0
    await s3.close()


def test_the_setup_key_keeps_secrets_out_of_its_repr(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SECRET-IN-ENV")
    key = _config.setup_key(region_name=None, endpoint_url=None, profile_name=None, config=Config())
    assert "SECRET-IN-ENV" not in repr(key)


# ----------------------------------------------------------------------- credentials


async def test_chain_credentials_are_shared_by_clients_of_the_same_key(
    files: Path, chains: list[str | None]
) -> None:
    write(files / "credentials", "[work]\naws_access_key_id = AKWORK\naws_secret_access_key = S\n")
    first = await abort(profile_name="work")
    assert access_key(first) == "AKWORK" and chains == ["work"]
    with thread_hops() as hops:
        second = await abort(profile_name="work")
    assert chains == ["work"]  # the chain ran once
    assert hops == []  # plain keys from the first client's chain: read on the loop
    assert second._creds is not None and second._creds._boto is first._creds._boto  # type: ignore[union-attr]
    assert access_key(second) == "AKWORK"


def _counting_process(files: Path, expiry: str | None) -> None:
    """A `credential_process` that answers a new key each time it runs (AKPROC1, ...)."""
    script = files / "creds.py"
    extra = f', "Expiration": "{expiry}"' if expiry else ""
    script.write_text(
        "import pathlib, sys\n"
        f"n = pathlib.Path({str(files / 'n')!r})\n"
        "i = int(n.read_text()) + 1 if n.exists() else 1\n"
        "n.write_text(str(i))\n"
        'print(\'{"Version": 1, "AccessKeyId": "AKPROC%d", "SecretAccessKey": "S"'
        f"{extra}"
        "}' % i)\n"
    )
    cmd = f"{sys.executable} {script}"
    write(files / "config", f"[profile proc]\ncredential_process = {cmd}\n")


async def test_keys_from_a_process_without_expiry_are_fetched_again_by_the_next_client(
    files: Path, chains: list[str | None]
) -> None:
    _counting_process(files, None)
    assert access_key(await abort(profile_name="proc")) == "AKPROC1"
    # boto3 runs the process again for a new session: a new client picks up rotated keys
    assert access_key(await abort(profile_name="proc")) == "AKPROC2"
    assert chains == ["proc", "proc"]


async def test_keys_from_a_process_with_an_expiry_are_shared(
    files: Path, chains: list[str | None]
) -> None:
    _counting_process(files, "2999-01-01T00:00:00Z")
    assert access_key(await abort(profile_name="proc")) == "AKPROC1"
    assert access_key(await abort(profile_name="proc")) == "AKPROC1"
    assert chains == ["proc"]


async def test_a_file_replaced_while_the_setup_reads_it_is_not_kept(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    write(files / "config", "[default]\nregion = eu-west-3\n")
    original = _client.S3Client._setup_blocking

    def replaced_then_read(self: aios3.S3Client) -> Any:
        # edited after the key's stat, before the read (same inode and size, old mtime)
        write(files / "config", "[default]\nregion = eu-west-1\n", mtime=OLD + 1)
        return original(self)

    monkeypatch.setattr(_client.S3Client, "_setup_blocking", replaced_then_read)
    assert (await abort()).region_name == "eu-west-1"  # what its read found
    monkeypatch.setattr(_client.S3Client, "_setup_blocking", original)
    # the first file comes back with its identity: its own settings, not the edit's kept
    # under its identity
    write(files / "config", "[default]\nregion = eu-west-3\n")
    assert (await abort()).region_name == "eu-west-3"


async def test_a_chain_that_found_nothing_runs_again_for_the_next_client(
    files: Path, chains: list[str | None]
) -> None:
    for _ in range(2):
        with pytest.raises(aios3.NoCredentialsError):
            await abort(config=Config(max_attempts=1))
    assert chains == [None, None]


async def test_env_keys_lose_to_an_explicit_profile(
    files: Path, chains: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    write(files / "credentials", "[work]\naws_access_key_id = AKWORK\naws_secret_access_key = S\n")
    assert access_key(await abort(profile_name="work")) == "AKWORK"
    monkeypatch.setenv("AWS_PROFILE", "work")  # the environment's profile does not
    assert access_key(await abort()) == "AKENV"
    assert chains == ["work"]


# every combination below is compared with botocore's own chain
ENV_CASES: dict[str, dict[str, str]] = {
    "none": {},
    "keys": {"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "SKENV"},
    "session-token": {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": "SKENV",
        "AWS_SESSION_TOKEN": "TOKSESSION",
    },
    "both-tokens": {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": "SKENV",
        "AWS_SESSION_TOKEN": "TOKSESSION",
        "AWS_SECURITY_TOKEN": "TOKSECURITY",
    },
    "empty-security-token": {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": "SKENV",
        "AWS_SECURITY_TOKEN": "",
        "AWS_SESSION_TOKEN": "TOKSESSION",
    },
    "key-only": {"AWS_ACCESS_KEY_ID": "AKENV"},
    "empty-secret": {"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": ""},
    "empty-key": {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "SKENV"},
    "expiring": {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": "SKENV",
        "AWS_CREDENTIAL_EXPIRATION": "2099-01-01T00:00:00Z",
    },
}
# profiles whose providers would fail loudly if botocore's chain ever reached them
PROFILES = (
    "[profile static]\naws_access_key_id = AKPROFILE\naws_secret_access_key = SKPROFILE\n"
    "[profile process]\ncredential_process = false\n"
    "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = static\n"
    "[profile sso]\nsso_start_url = https://example.invalid/start\nsso_region = us-east-1\n"
    "sso_account_id = 123456789012\nsso_role_name = r\n"
)


@pytest.mark.parametrize("env_case", list(ENV_CASES))
@pytest.mark.parametrize("aws_profile", [None, "static", "process", "role", "sso"])
@pytest.mark.parametrize("profile_name", [None, "static", "process"])
def test_env_credentials_are_botocores(
    files: Path,
    monkeypatch: pytest.MonkeyPatch,
    env_case: str,
    aws_profile: str | None,
    profile_name: str | None,
) -> None:
    write(files / "config", PROFILES)
    for name, value in ENV_CASES[env_case].items():
        monkeypatch.setenv(name, value)
    if aws_profile is not None:
        monkeypatch.setenv("AWS_PROFILE", aws_profile)
    ours = env_credentials(profile_name)
    if ours is None:
        return  # the chain runs: botocore's answer by construction
    theirs = botocore.session.Session(profile=profile_name).get_credentials()
    assert theirs is not None and theirs.method == "env"
    frozen = theirs.get_frozen_credentials()
    assert (ours.access_key, ours.secret_key, ours.token) == tuple(frozen[:3])


def test_env_credentials_leave_partial_and_expiring_keys_to_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    assert env_credentials(None) is None  # botocore: PartialCredentialsError
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    assert env_credentials(None) is not None
    assert env_credentials("static") is None  # an explicit profile: no EnvProvider
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z")
    assert env_credentials(None) is None  # refreshable keys


async def test_env_credentials_are_checked_when_used(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AK\nX")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    with pytest.raises(aios3.ParamValidationError, match="access key id") as info:
        await abort()
    assert "AK\nX" not in str(info.value)
    # a client that does not use them: unsigned, or with its own keys
    import botocore

    await abort(config=Config(signature_version=botocore.UNSIGNED))
    s3 = await abort(aws_access_key_id="AK", aws_secret_access_key="SK")
    assert access_key(s3) == "AK"


# ----------------------------------------------------------------------- settings


CONFIGS = [
    "",
    "[default]\nregion = eu-west-1\nmax_attempts = 7\nretry_mode = legacy\n",
    "[default]\ns3 =\n  addressing_style = virtual\n  use_accelerate_endpoint = true\n"
    "  us_east_1_regional_endpoint = regional\n",
    "[profile work]\nregion = eu-central-1\nuse_fips_endpoint = true\n"
    "use_dualstack_endpoint = true\nrequest_checksum_calculation = WHEN_REQUIRED\n",
    "[profile work]\nservices = local\n[services local]\ns3 =\n"
    "  endpoint_url = http://127.0.0.1:9000\n",
    "[profile work]\nendpoint_url = http://127.0.0.1:9001\n"
    "s3_disable_express_session_auth = true\nignore_configured_endpoint_urls = false\n",
]


@pytest.mark.parametrize("config_text", CONFIGS)
@pytest.mark.parametrize("profile_name", [None, "work"])
@pytest.mark.parametrize(
    "env",
    [{}, {"AWS_PROFILE": "work"}, {"AWS_DEFAULT_REGION": "sa-east-1", "AWS_MAX_ATTEMPTS": "4"}],
)
def test_settings_are_those_of_a_botocore_session(
    files: Path,
    monkeypatch: pytest.MonkeyPatch,
    config_text: str,
    profile_name: str | None,
    env: dict[str, str],
) -> None:
    write(files / "config", config_text + "[profile work]\n" * ("work" not in config_text))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    kwargs: dict[str, Any] = {"region_name": None, "endpoint_url": None, "config": Config()}
    ours = resolve_settings(SharedConfig(profile_name), **kwargs)
    theirs = resolve_settings(botocore.session.Session(profile=profile_name), **kwargs)
    assert ours == theirs


def test_shared_config_reads_the_files_as_a_session_does(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(files / "config", "[default]\nregion = eu-west-1\n[profile a]\nregion = x\n")
    write(files / "credentials", "[a]\naws_access_key_id = AK\n[b]\nregion = y\n")
    for profile in (None, "a", "b"):
        ours, theirs = SharedConfig(profile), botocore.session.Session(profile=profile)
        assert ours.full_config == theirs.full_config
        assert ours.get_scoped_config() == theirs.get_scoped_config()
    with pytest.raises(botocore.exceptions.ProfileNotFound):
        SharedConfig("c").get_scoped_config()
    monkeypatch.setenv("AWS_PROFILE", "default")  # named, so it must exist: it does
    assert SharedConfig(None).get_scoped_config() == {"region": "eu-west-1"}


# ----------------------------------------------------------------------- the rule set


def test_the_rule_set_is_what_botocores_loader_loads() -> None:
    from botocore.loaders import create_loader

    loader = create_loader()
    version = loader.determine_latest_version("s3", "endpoint-rule-set-1")
    ruleset, partitions = _endpoints.read_rule_set()
    assert ruleset == loader.load_data(f"s3/{version}/endpoint-rule-set-1")
    assert partitions == loader.load_data("partitions")


@pytest.fixture
def data_path(tmp_path: Path) -> Iterator[Path]:
    """A botocore data path whose partitions put `aws` under another DNS suffix."""
    _, partitions = _endpoints.read_rule_set()
    text = json.dumps(partitions).replace('"amazonaws.com"', '"example.test"')
    assert "example.test" in text
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "partitions.json").write_text(text)
    yield tmp_path / "data"
    _endpoints._providers.pop(str(tmp_path / "data"), None)


async def test_aws_data_path_is_honoured(
    files: Path, monkeypatch: pytest.MonkeyPatch, data_path: Path
) -> None:
    creds: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
    async with aios3.S3Client(**creds) as s3:
        assert (await s3.resolve_endpoint("bkt")).url == "https://bkt.s3.amazonaws.com"
    monkeypatch.setenv("AWS_DATA_PATH", str(data_path))
    async with aios3.S3Client(**creds) as s3:
        assert (await s3.resolve_endpoint("bkt")).url == "https://bkt.s3.example.test"


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_the_rule_set_leaves_the_collector_as_it_was(
    data_path: Path, enabled: bool
) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        _endpoints.load_rule_set(str(data_path))
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize(
    ("config_text", "credentials_text"),
    [(None, None), ("", None), (None, ""), ("", ""), ("", "[a]\naws_access_key_id = AK\n")],
    ids=["both absent", "empty config", "empty credentials", "both empty", "credentials only"],
)
@pytest.mark.parametrize("profile", [None, "a"])
def test_absent_or_empty_files_read_as_a_session_reads_them(
    files: Path, config_text: str | None, credentials_text: str | None, profile: str | None
) -> None:
    # absent or empty files are not parsed (botocore's reader is not even imported); what
    # comes out is what a botocore Session makes of them
    for name, text in (("config", config_text), ("credentials", credentials_text)):
        path = files / name
        if text is None:
            path.unlink(missing_ok=True)
        else:
            write(path, text)
    ours, theirs = SharedConfig(profile), botocore.session.Session(profile=profile)
    assert ours.full_config == theirs.full_config
    for source in (ours, theirs):
        if profile is None or credentials_text:
            source.get_scoped_config()
        else:
            with pytest.raises(botocore.exceptions.ProfileNotFound):
                source.get_scoped_config()


def test_an_empty_config_file_is_what_botocore_reads_from_one() -> None:
    from botocore.configloader import build_profile_map

    from aios3._config import _empty_file_config

    assert _empty_file_config() == build_profile_map({})


def test_no_shared_file_to_read_imports_no_ini_parser() -> None:
    # a process whose shared files are empty sets a client up without botocore's INI
    # reader, nor configparser (unless something imported it before: coverage.py does)
    code = (
        "import sys\n"
        "before = 'configparser' in sys.modules\n"
        "import asyncio, aios3\n"
        "async def main():\n"
        "    async with aios3.S3Client(region_name='us-east-1', endpoint_url='http://h:1'):\n"
        "        pass\n"
        "asyncio.run(main())\n"
        "print('configparser' in sys.modules and not before,\n"
        "      'botocore.configloader' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False"]
