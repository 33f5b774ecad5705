"""`Config(signature_version=botocore.UNSIGNED)`: anonymous requests, as botocore sends them.

No credential is looked up; the request goes out without `Authorization`, `X-Amz-Date`,
`X-Amz-Content-SHA256` (but for an aws-chunked trailer) or a token, header for header what
botocore sends with the same `Config`; directory buckets and multi-region access points are
refused before anything is sent.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import botocore
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config as BotoConfig

import aios3
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._capture import Captured, CaptureServer, Reply

UNSIGNED = aios3.Config(signature_version=botocore.UNSIGNED, max_attempts=1)
SIGNATURE_HEADERS = ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")
CREATED = b"<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
PARTS = b"<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>"
DIRECTORY_BUCKET = "my-bucket--usw2-az1--x-s3"
MRAP = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"


def _answer(c: Captured) -> Reply:
    if c.target.endswith("?uploads"):
        return Reply(200, body=CREATED)
    if c.method == "GET":
        return Reply(200, body=PARTS)
    return Reply(200, {"ETag": '"e"'})


async def _calls(s3: aios3.S3Client) -> None:
    up = await s3.create_multipart_upload(Bucket="b", Key="k")
    await s3.upload_part(Bucket="b", Key="k", UploadId=up.upload_id, PartNumber=1, Body=b"hello")
    await s3.upload_part(
        Bucket="b", Key="k", UploadId="u1", PartNumber=2, Body=io.BytesIO(b"abc"), ContentLength=3
    )
    await s3.list_parts(Bucket="b", Key="k", UploadId="u1")
    await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u1")


async def test_no_credentials_anywhere_and_the_requests_go_out_unsigned() -> None:
    # the test environment has no credentials (empty shared files, no AWS_* variables):
    # a signing client would raise NoCredentialsError; an unsigned one sends
    async with CaptureServer(_answer) as srv:
        async with aios3.S3Client(endpoint_url=srv.url, config=UNSIGNED) as s3:
            await _calls(s3)
        async with aios3.S3Client(endpoint_url=srv.url) as signing:
            with pytest.raises(aios3.NoCredentialsError):
                await signing.list_parts(Bucket="b", Key="k", UploadId="u1")
    assert [c.method for c in srv.requests] == ["POST", "PUT", "PUT", "GET", "DELETE"]
    for c in srv.requests:
        assert not set(c.headers) & set(SIGNATURE_HEADERS), c.headers
        assert c.headers["host"] == f"127.0.0.1:{srv.port}"
    assert srv.requests[1].body == b"hello"
    assert srv.requests[2].body == b"abc"


async def test_no_credential_provider_runs_and_given_keys_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def chain(*args: object, **kwargs: object) -> object:
        raise AssertionError("the credential chain ran for an unsigned client")

    monkeypatch.setattr(botocore.session.Session, "get_credentials", chain)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    seen: list[MockRequest] = []
    t = MockTransport(lambda r: seen.append(r) or MockResponse(200, body=PARTS))
    for keys in ({}, {"aws_access_key_id": "AKIDGIVEN", "aws_secret_access_key": "given"}):
        async with aios3.S3Client(
            endpoint_url="http://127.0.0.1:1", config=UNSIGNED, transport=t, **keys
        ) as s3:
            await s3.list_parts(Bucket="b", Key="k", UploadId="u1")
    # botocore too drops keys given with UNSIGNED (Session.create_client: credentials=None)
    assert len(seen) == 2
    for r in seen:
        assert "Authorization" not in r.headers
        assert "AKID" not in str(r.headers)


def _botocore_headers(endpoint_url: str, call: str, params: dict[str, Any]) -> dict[str, str]:
    """The headers botocore sends for the call with `Config(signature_version=UNSIGNED)`."""
    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        config=BotoConfig(signature_version=botocore.UNSIGNED, retries={"max_attempts": 0}),
    )
    seen: dict[str, str] = {}

    def capture(request: Any, **kwargs: Any) -> AWSResponse:
        seen.update(
            {
                k.lower(): v.decode() if isinstance(v, bytes) else v
                for k, v in request.headers.items()
            }
        )
        raise _Sent

    client.meta.events.register("before-send.s3", capture)
    with pytest.raises(_Sent):
        getattr(client, call)(**params)
    client.close()
    return seen


class _Sent(Exception):
    pass


# botocore's own bookkeeping headers, and the framing headers aiohttp sets from the body
# (botocore's request carries them before the HTTP library sees it; aios3's does not)
_NOT_COMPARED = {
    "user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "transfer-encoding",
    "content-length",
}


@pytest.mark.parametrize("endpoint_url", ["http://127.0.0.1:1", "https://127.0.0.1:1"])
@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("create_multipart_upload", {"Bucket": "b", "Key": "k"}),
        (
            "upload_part",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1, "Body": b"hello"},
        ),
        ("list_parts", {"Bucket": "b", "Key": "k", "UploadId": "u"}),
        ("abort_multipart_upload", {"Bucket": "b", "Key": "k", "UploadId": "u"}),
    ],
)
async def test_the_headers_are_botocores(
    endpoint_url: str, call: str, params: dict[str, Any]
) -> None:
    theirs = _botocore_headers(endpoint_url, call, params)
    answer = MockResponse(200, {"ETag": '"e"'}, CREATED if call.startswith("create") else PARTS)
    t = MockTransport(lambda r: answer)
    async with aios3.S3Client(endpoint_url=endpoint_url, config=UNSIGNED, transport=t) as s3:
        await getattr(s3, call)(**params)
    (req,) = t.requests
    mine = {k.lower(): v for k, v in req.headers.items() if k.lower() != "host"}
    assert set(mine) - _NOT_COMPARED == set(theirs) - _NOT_COMPARED
    for name in set(mine) & set(theirs) - _NOT_COMPARED:
        assert mine[name] == theirs[name], name
    if call == "upload_part" and endpoint_url.startswith("https"):
        # the one header an unsigned request gets: S3 requires it with an aws-chunked trailer
        assert mine["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert mine["content-encoding"] == "aws-chunked"
    else:
        assert not set(mine) & set(SIGNATURE_HEADERS)


@pytest.mark.parametrize(
    ("call", "params", "config"),
    [
        ("create_session", {"Bucket": DIRECTORY_BUCKET}, {}),
        ("list_parts", {"Bucket": DIRECTORY_BUCKET, "Key": "k", "UploadId": "u"}, {}),
        (
            "list_parts",
            {"Bucket": DIRECTORY_BUCKET, "Key": "k", "UploadId": "u"},
            {"disable_s3_express_session_auth": True},
        ),
        ("create_bucket", {"Bucket": DIRECTORY_BUCKET}, {}),
        ("list_parts", {"Bucket": MRAP, "Key": "k", "UploadId": "u"}, {}),
    ],
)
async def test_directory_buckets_and_multi_region_access_points_are_refused_unsent(
    call: str, params: dict[str, Any], config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = MockTransport(lambda r: MockResponse(200))
    cfg = aios3.Config(signature_version=botocore.UNSIGNED, **config)
    async with aios3.S3Client(region_name="us-west-2", config=cfg, transport=t) as s3:
        monkeypatch.setitem(sys.modules, "awscrt", None)  # no SigV4a signer needed to refuse
        with pytest.raises(aios3.ParamValidationError) as err:
            await getattr(s3, call)(**params)
        with pytest.raises(aios3.ParamValidationError):  # nothing cached: the same again
            await getattr(s3, call)(**params)
    assert t.requests == []
    message = str(err.value)
    assert message.startswith("Bucket: ")
    assert "Config(signature_version=UNSIGNED)" in message
    kind = "multi-region access points" if params["Bucket"] == MRAP else "directory buckets"
    assert kind in message


@pytest.mark.parametrize("value", ["v4a", "s3", "v4", "UNSIGNED", "", 0, True, object()])
def test_signature_version_other_than_unsigned_or_s3v4_is_refused(value: object) -> None:
    with pytest.raises(
        aios3.ParamValidationError, match=r"signature_version: .*botocore\.UNSIGNED"
    ):
        aios3.Config(signature_version=value)


@pytest.mark.parametrize("value", [None, "s3v4"])
async def test_s3v4_and_none_sign_as_always(value: str | None) -> None:
    t = MockTransport(lambda r: MockResponse(200, body=PARTS))
    cfg = aios3.Config(signature_version=value)
    async with aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        config=cfg,
        transport=t,
        aws_access_key_id="AKIDSIGNED",
        aws_secret_access_key="signed-secret",
    ) as s3:
        await s3.list_parts(Bucket="b", Key="k", UploadId="u")
    assert (
        t.requests[0].headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSIGNED/")
    )


def test_the_unsigned_config_is_a_value() -> None:
    a = aios3.Config(signature_version=botocore.UNSIGNED)
    b = aios3.Config(signature_version=botocore.UNSIGNED)
    assert a == b and hash(a) == hash(b)
    assert a != aios3.Config()
    assert a.signature_version is botocore.UNSIGNED
    assert a.model_copy(update={"max_attempts": 2}).signature_version is botocore.UNSIGNED
