"""Bad input found by a hostile run (issue 7): each case raises `ParamValidationError`
naming what is wrong, and nothing reaches the server."""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest

import aios3
from aios3.errors import ParamValidationError
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests.unit.bad_input_cases import CORPUS, BadInput, Kit

CREDS: dict[str, Any] = {"aws_access_key_id": "AKID", "aws_secret_access_key": "SK"}


def _never(request: MockRequest) -> MockResponse:
    raise AssertionError(f"nothing should be sent, got {request!r}")


def client(t: MockTransport, **kwargs: Any) -> aios3.S3Client:
    kwargs.setdefault("region_name", "us-east-1")
    kwargs.setdefault("endpoint_url", "http://127.0.0.1:9000")
    return aios3.S3Client(**CREDS, **kwargs, transport=t)


@pytest.mark.parametrize(
    ("multipart_upload", "named"),
    [
        ({"Part": [{"PartNumber": 1, "ETag": '"e"'}]}, "Part"),
        ({"Parts": [{"PartNumber": 1, "Etag": '"e"'}]}, "Etag"),
        ({"Parts": [{"PartNumber": 1, "ETag": '"e"', "Size": 5}]}, "Size"),
    ],
)
async def test_unknown_keys_inside_multipart_upload_are_refused(
    multipart_upload: dict[str, Any], named: str
) -> None:
    # they were dropped: {"Part": [...]} sent an empty <CompleteMultipartUpload/>
    t = MockTransport(_never)
    async with client(t) as s3:
        with pytest.raises(ParamValidationError, match=named) as info:
            await s3.complete_multipart_upload(
                Bucket="b", Key="k", UploadId="u", MultipartUpload=multipart_upload
            )
    assert any(named in p for p in info.value.errors)
    assert t.requests == []


BAD_REGIONS = ["../evil", "us-east-1/x", "ûs-east-1", "us-east-1\r\nX-Evil: 1", "-us", "a" * 64]


@pytest.mark.parametrize("region", BAD_REGIONS)
@pytest.mark.parametrize("endpoint_url", ["http://127.0.0.1:9000", None])
def test_a_bad_region_name_is_refused_at_construction(
    region: str, endpoint_url: str | None
) -> None:
    # with a custom endpoint these went into the signing scope; boto3 refuses them
    # (botocore's validate_region_name) whatever the endpoint
    t = MockTransport(_never)
    with pytest.raises(ParamValidationError, match="region_name") as info:
        client(t, region_name=region, endpoint_url=endpoint_url)
    assert "\n" not in info.value.errors[0]
    assert t.requests == []


@pytest.mark.parametrize("source", ["AWS_REGION", "AWS_DEFAULT_REGION"])
async def test_a_bad_region_from_the_environment_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.setenv(source, "../evil")
    t = MockTransport(_never)
    s3 = aios3.S3Client(endpoint_url="http://127.0.0.1:9000", **CREDS, transport=t)
    with pytest.raises(ParamValidationError, match="region"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()
    assert t.requests == []


def test_good_region_names_are_accepted() -> None:
    for region in ["us-east-1", "eu-central-2", "local", "garage", "us-gov-west-1", "x"]:
        client(MockTransport(_never), region_name=region)


@pytest.mark.parametrize(
    ("endpoint_url", "words"),
    [
        (8080, "endpoint_url: must be a str"),
        (b"http://h", "endpoint_url: must be a str"),
        ("http://user:pw@127.0.0.1:9000", "endpoint_url: must not carry a user name"),
        ("http://user@127.0.0.1:9000", "endpoint_url: must not carry a user name"),
        ("ftp://user:pw@127.0.0.1", "endpoint_url: must not carry a user name"),
        ("user:pw@127.0.0.1:9000", "endpoint_url: must not carry a user name"),
        ("http://127.0.0.1:9000/a@b", None),
        ("127.0.0.1:9000", "endpoint_url: must start with http:// or https://"),
        ("ftp://127.0.0.1", "endpoint_url: must start with http:// or https://"),
        ("http://", "endpoint_url: has no host"),
        ("http://h\r\nX-Evil: 1", "endpoint_url: must not contain"),
        ("http://h ost", "endpoint_url: must not contain"),
        ("http://h:99999", "endpoint_url: is not a valid URL"),
    ],
)
def test_a_bad_endpoint_url_is_refused_at_construction(
    endpoint_url: Any, words: str | None
) -> None:
    t = MockTransport(_never)
    if words is None:  # an "@" in the path is no user name
        client(t, endpoint_url=endpoint_url)
        return
    with pytest.raises(ParamValidationError, match=words) as info:
        client(t, endpoint_url=endpoint_url)
    assert "pw" not in str(info.value)  # a password in the URL is never shown


async def test_a_bad_endpoint_url_from_the_environment_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://user:hunter2@127.0.0.1:9000")
    t = MockTransport(_never)
    s3 = aios3.S3Client(region_name="us-east-1", **CREDS, transport=t)
    with pytest.raises(ParamValidationError, match="user name") as info:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()
    assert "hunter2" not in str(info.value)
    assert t.requests == []


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        (
            {"aws_access_key_id": "AK\r\nX-Evil: 1", "aws_secret_access_key": "SK"},
            "aws_access_key_id",
        ),
        ({"aws_access_key_id": "AKé", "aws_secret_access_key": "SK"}, "aws_access_key_id"),
        ({"aws_access_key_id": 12, "aws_secret_access_key": "SK"}, "aws_access_key_id"),
        ({"aws_access_key_id": "AK", "aws_secret_access_key": b"SK"}, "aws_secret_access_key"),
        ({**CREDS, "aws_session_token": "secret-tok\r\nX-Evil: 1"}, "aws_session_token"),
        ({**CREDS, "aws_session_token": "secret-tok\x00"}, "aws_session_token"),
    ],
)
def test_bad_credentials_are_refused_at_construction(kwargs: dict[str, Any], named: str) -> None:
    # a CR/LF reached aiohttp, which raised a bare ValueError while writing the headers
    with pytest.raises(ParamValidationError, match=named) as info:
        aios3.S3Client(region_name="us-east-1", transport=MockTransport(_never), **kwargs)
    assert "X-Evil" not in str(info.value) and "secret-tok" not in str(info.value)


async def test_bad_credentials_from_the_environment_are_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SK")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "secret-token\nX-Evil: 1")
    t = MockTransport(_never)
    s3 = aios3.S3Client(region_name="us-east-1", transport=t)
    with pytest.raises(ParamValidationError, match="session token") as info:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()
    assert "secret-token" not in str(info.value)
    assert t.requests == []


@pytest.mark.parametrize("field", ["connect_timeout", "read_timeout"])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0, -1])
def test_a_timeout_must_be_a_finite_positive_number(field: str, value: float) -> None:
    # inf raised OverflowError from aiohttp at the first call
    with pytest.raises(ParamValidationError, match=field):
        aios3.Config(**{field: value})


def test_a_missing_ca_bundle_is_refused_at_construction(tmp_path: Any) -> None:
    # it raised FileNotFoundError at the first call
    with pytest.raises(ParamValidationError, match=r"verify: .*no such file"):
        aios3.Config(verify=str(tmp_path / "missing.pem"))
    with pytest.raises(ParamValidationError, match="verify"):
        aios3.Config(verify="")


async def test_a_ca_bundle_that_cannot_be_loaded_is_refused_before_sending(tmp_path: Any) -> None:
    bad = tmp_path / "not-a-bundle.pem"
    bad.write_text("not a certificate\n")
    s3 = aios3.S3Client(
        region_name="us-east-1",
        endpoint_url="https://127.0.0.1:1",
        config=aios3.Config(verify=str(bad)),
        **CREDS,
    )
    with pytest.raises(ParamValidationError, match=r"verify: .*could not be loaded"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()


async def test_a_missing_aws_ca_bundle_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    s3 = aios3.S3Client(region_name="us-east-1", endpoint_url="https://127.0.0.1:1", **CREDS)
    with pytest.raises(ParamValidationError, match="AWS_CA_BUNDLE"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()


async def test_a_ca_bundle_directory_is_refused_before_sending(tmp_path: Any) -> None:
    s3 = aios3.S3Client(
        region_name="us-east-1",
        endpoint_url="https://127.0.0.1:1",
        config=aios3.Config(verify=str(tmp_path)),
        **CREDS,
    )
    with pytest.raises(ParamValidationError, match="is a directory"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
async def test_a_ca_bundle_fifo_is_named_as_not_a_file_before_sending(tmp_path: Any) -> None:
    # it was refused as "no such file" although the path exists
    fifo = tmp_path / "ca.pem"
    os.mkfifo(fifo)
    s3 = aios3.S3Client(
        region_name="us-east-1",
        endpoint_url="https://127.0.0.1:1",
        config=aios3.Config(verify=str(fifo)),
        **CREDS,
    )
    with pytest.raises(ParamValidationError, match="is not a regular file"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    await s3.close()


# ---------------------------------------------------------------- the corpus


def _corpus_params() -> list[Any]:
    return [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [],
        )
        for c in CORPUS
    ]


def test_the_corpus_is_large_and_its_rows_distinct() -> None:
    assert len(CORPUS) >= 150
    ids = [c.id for c in CORPUS]
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]


@pytest.mark.parametrize("case", _corpus_params())
async def test_bad_input_is_refused_before_sending(case: BadInput) -> None:
    t = MockTransport(lambda r: MockResponse(204))
    s3 = client(t)
    kit = Kit(s3, aios3.S3Resource(client=s3))
    try:
        with pytest.raises(Exception) as info:
            result = case.run(kit)
            if inspect.isawaitable(result):
                await result
            elif hasattr(result, "__aiter__"):
                async for _ in result:  # type: ignore[attr-defined]
                    pass
    finally:
        await s3.close()
    error = info.value
    assert type(error) is case.error, f"{type(error).__name__}: {error}"
    assert case.names in str(error), str(error)
    assert t.requests == []
