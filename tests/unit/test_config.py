"""Every unset setting falls back as boto3 does: arguments, env, shared config profile, default."""

from __future__ import annotations

import shutil
from pathlib import Path

import certifi
import pytest

import aios3

ENV = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_MAX_ATTEMPTS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_S3_USE_ARN_REGION",
    "AWS_S3_DISABLE_EXPRESS_SESSION_AUTH",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


async def settings(**kwargs: object) -> aios3.S3Client:
    s3 = aios3.S3Client(**kwargs)  # type: ignore[arg-type]
    await s3.__aenter__()
    await s3.close()
    return s3


async def test_defaults() -> None:
    s3 = await settings()
    assert s3.region_name == "us-east-1"
    assert s3.endpoint_url is None
    ep = await s3.resolve_endpoint("bkt")
    assert ep.url == "https://bkt.s3.amazonaws.com"


async def test_region_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    assert (await settings()).region_name == "eu-west-3"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert (await settings()).region_name == "ap-south-1"
    assert (await settings(region_name="ca-central-1")).region_name == "ca-central-1"


async def test_profile_from_env_and_argument(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / "config").write_text(
        "[default]\nregion = us-west-1\n"
        "[profile work]\nregion = eu-central-1\nmax_attempts = 7\n"
        "s3 =\n  addressing_style = path\n  use_accelerate_endpoint = false\n"
        "[profile custom]\nendpoint_url = http://127.0.0.1:9999\n"
    )
    (clean_env / "credentials").write_text(
        "[work]\naws_access_key_id = AKWORK\naws_secret_access_key = SKWORK\n"
    )
    assert (await settings()).region_name == "us-west-1"
    monkeypatch.setenv("AWS_PROFILE", "work")
    s3 = await settings()
    assert s3.region_name == "eu-central-1"
    assert s3._settings is not None and s3._settings.max_attempts == 7
    assert (await s3.resolve_endpoint("bkt")).url == "https://s3.eu-central-1.amazonaws.com/bkt"
    signer = await s3._creds.signer()  # type: ignore[union-attr]
    assert "AKWORK" in repr(signer) and "SKWORK" not in repr(signer)
    s3 = await settings(profile_name="custom")
    assert s3.endpoint_url == "http://127.0.0.1:9999"
    with pytest.raises(aios3.ParamValidationError, match="nope"):
        await settings(profile_name="nope")


async def test_endpoint_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    assert (await settings()).endpoint_url == "http://127.0.0.1:1111"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2222")
    s3 = await settings()
    assert s3.endpoint_url == "http://127.0.0.1:2222"
    # custom endpoint + auto addressing = path-style, as botocore
    assert (await s3.resolve_endpoint("bkt")).url == "http://127.0.0.1:2222/bkt"
    assert (await settings(endpoint_url="http://h:1")).endpoint_url == "http://h:1"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert (await settings()).endpoint_url is None


async def test_max_attempts_env_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    s3 = await settings()
    assert s3._settings is not None and s3._settings.max_attempts == 5
    s3 = await settings(config=aios3.Config(max_attempts=2))
    assert s3._settings is not None and s3._settings.max_attempts == 2


async def test_fips_and_dualstack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    s3 = await settings(region_name="us-west-2")
    assert (await s3.resolve_endpoint("bkt")).url == (
        "https://bkt.s3-fips.dualstack.us-west-2.amazonaws.com"
    )
    s3 = await settings(
        region_name="us-west-2",
        config=aios3.Config(use_fips_endpoint=False, use_dualstack_endpoint=False),
    )
    assert (await s3.resolve_endpoint("bkt")).url == "https://bkt.s3.us-west-2.amazonaws.com"


async def test_addressing_styles() -> None:
    s3 = await settings(region_name="eu-west-1", config=aios3.Config(addressing_style="path"))
    assert (await s3.resolve_endpoint("bkt")).url == "https://s3.eu-west-1.amazonaws.com/bkt"
    s3 = await settings(
        endpoint_url="http://minio.local:9000", config=aios3.Config(addressing_style="virtual")
    )
    assert (await s3.resolve_endpoint("bkt")).url == "http://bkt.minio.local:9000"
    s3 = await settings(region_name="eu-west-1")
    # a name that is not DNS-compatible falls back to path-style
    assert (
        await s3.resolve_endpoint("Bad_Name")
    ).url == "https://s3.eu-west-1.amazonaws.com/Bad_Name"


async def test_accelerate_and_arn_region(monkeypatch: pytest.MonkeyPatch) -> None:
    s3 = await settings(region_name="us-west-2", config=aios3.Config(use_accelerate_endpoint=True))
    assert (await s3.resolve_endpoint("bkt")).url == "https://bkt.s3-accelerate.amazonaws.com"
    arn = "arn:aws:s3:us-east-1:123456789012:accesspoint/myap"
    s3 = await settings(region_name="us-west-2")
    ep = await s3.resolve_endpoint(arn)
    assert ep.url == "https://myap-123456789012.s3-accesspoint.us-east-1.amazonaws.com"
    assert ep.signing_region == "us-east-1"
    s3 = await settings(region_name="us-west-2", config=aios3.Config(use_arn_region=False))
    with pytest.raises(aios3.EndpointResolutionError, match="region"):
        await s3.resolve_endpoint(arn)
    monkeypatch.setenv("AWS_S3_USE_ARN_REGION", "false")
    s3 = await settings(region_name="us-west-2")
    with pytest.raises(aios3.EndpointResolutionError):
        await s3.resolve_endpoint(arn)


async def test_credentials_from_env_are_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    s3 = aios3.S3Client()
    async with s3:
        a = await s3._creds.signer()  # type: ignore[union-attr]
        b = await s3._creds.signer()  # type: ignore[union-attr]
    assert a is b
    assert "AKENV" in repr(a)


async def test_no_credentials_is_typed() -> None:
    async with aios3.S3Client(config=aios3.Config(max_attempts=1)) as s3:
        with pytest.raises(aios3.NoCredentialsError):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


async def test_directory_bucket_resolves_to_its_zonal_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with aios3.S3Client(
        region_name="us-west-2", aws_access_key_id="a", aws_secret_access_key="b"
    ) as s3:
        ep = await s3.resolve_endpoint("mybucket--usw2-az1--x-s3")
    assert ep.auth_scheme == "sigv4-s3express"
    assert ep.signing_name == "s3express"
    assert ep.url == "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"
    monkeypatch.setenv("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "true")
    s3 = await settings(region_name="us-west-2")
    ep = await s3.resolve_endpoint("mybucket--usw2-az1--x-s3")
    assert (ep.auth_scheme, ep.signing_name) == ("sigv4", "s3express")


async def test_fips_and_dualstack_are_ignored_with_a_custom_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as botocore: SDK_ENDPOINT cannot be combined with FIPS / dual-stack, so they are dropped
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    s3 = await settings(endpoint_url="http://127.0.0.1:9000")
    assert (await s3.resolve_endpoint("bkt")).url == "http://127.0.0.1:9000/bkt"


async def test_missing_profile_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    with pytest.raises(aios3.ParamValidationError, match="ghost"):
        await settings()


async def test_ca_bundle_from_env(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    # a real bundle: a missing or unreadable one is refused at setup (test_bad_input.py)
    shutil.copyfile(certifi.where(), clean_env / "ca.pem")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(clean_env / "ca.pem"))
    s3 = await settings()
    assert s3._settings is not None and s3._settings.verify == str(clean_env / "ca.pem")
    s3 = await settings(config=aios3.Config(verify=False))
    assert s3._settings is not None and s3._settings.verify is False


def test_an_endpoint_url_with_any_character_but_printable_ascii_is_refused() -> None:
    """`check_endpoint_url` refuses whitespace, control and non-ASCII characters: every
    code point but U+0021..U+007E (the pattern is written as that complement, which `re`
    compiles in a fraction of the time the ranges it replaced took at `import aios3`)."""
    from aios3._config import check_endpoint_url

    refused = [
        cp
        for cp in (*range(0x110), 0x2028, 0xA0, 0xD800, 0xDFFF, 0xFEFF, 0xFFFF, 0x10FFFF)
        if _refused(check_endpoint_url, f"http://h{chr(cp)}st:9000")
    ]
    assert refused == [
        *range(0x21),
        *range(0x7F, 0x110),
        *(0x2028, 0xA0, 0xD800, 0xDFFF, 0xFEFF, 0xFFFF, 0x10FFFF),
    ]
    with pytest.raises(aios3.ParamValidationError, match="endpoint_url: must not contain"):
        check_endpoint_url("http://h\u3000st:9000")


def _refused(check: object, url: str) -> bool:
    assert callable(check)
    try:
        check(url)
    except aios3.ParamValidationError as exc:
        return "must not contain whitespace" in str(exc)
    return False
