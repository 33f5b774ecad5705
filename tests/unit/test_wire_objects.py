"""What CreateBucket, DeleteBucket, HeadObject and DeleteObject put on the wire, what they
read back, and that the request matches what botocore serialises for the same parameters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
import pytest
from aioresponses import aioresponses
from yarl import URL

import aios3
from aios3._serialize import serialize
from aios3.errors import ClientError, NoSuchBucket, ParamValidationError
from aios3.models import (
    CreateBucketRequest,
    DeleteObjectRequest,
    DeleteObjectResponse,
    HeadObjectRequest,
    RequestModel,
)
from tests.unit.test_wire import NS, aws, only_call

UTC = dt.timezone.utc


async def test_create_bucket_sends_the_location_constraint_as_xml() -> None:
    with aioresponses() as m:
        m.put(
            re.compile(r"^https://bkt\.s3\.eu-west-1\.amazonaws\.com/.*"),
            status=200,
            headers={"Location": "http://bkt.s3.amazonaws.com/", "x-amz-bucket-arn": "arn:b"},
        )
        async with aws() as s3:
            r = await s3.create_bucket(
                Bucket="bkt",
                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
                ObjectOwnership="BucketOwnerEnforced",
                GrantReadACP='id="r"',
            )
        method, url, headers, data = only_call(m)
    assert method == "PUT"
    assert url == "https://bkt.s3.eu-west-1.amazonaws.com/"
    assert (
        bytes(data)
        == (
            f"<CreateBucketConfiguration {NS}><LocationConstraint>eu-west-1</LocationConstraint>"
            "</CreateBucketConfiguration>"
        ).encode()
    )
    assert headers["x-amz-object-ownership"] == "BucketOwnerEnforced"
    assert headers["x-amz-grant-read-acp"] == 'id="r"'
    assert r.location == "http://bkt.s3.amazonaws.com/"
    assert r.bucket_arn == "arn:b"
    assert r.to_dict()["Location"] == "http://bkt.s3.amazonaws.com/"


async def test_create_bucket_without_configuration_has_no_body() -> None:
    with aioresponses() as m:
        m.put(re.compile(r"^https://bkt\..*"), status=200)
        async with aws() as s3:
            await s3.create_bucket(Bucket="bkt")
        assert only_call(m)[3] is None


def test_create_bucket_configuration_refuses_unknown_keys() -> None:
    with pytest.raises(ParamValidationError, match="Location"):
        CreateBucketRequest(
            Bucket="b",
            CreateBucketConfiguration={"Location": {"Type": "AvailabilityZone"}},  # type: ignore[arg-type]
        )


async def test_delete_bucket_and_its_missing_bucket_error() -> None:
    with aioresponses() as m:
        m.delete(
            re.compile(r"^https://bkt\..*"),
            status=404,
            body="<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>",
        )
        async with aws() as s3:
            with pytest.raises(NoSuchBucket) as caught:
                await s3.delete_bucket(Bucket="bkt", ExpectedBucketOwner="123456789012")
        method, url, headers, _ = only_call(m)
    assert (method, url) == ("DELETE", "https://bkt.s3.eu-west-1.amazonaws.com/")
    assert headers["x-amz-expected-bucket-owner"] == "123456789012"
    assert caught.value.operation_name == "DeleteBucket"


async def test_head_object_reads_every_header_a_completed_upload_needs() -> None:
    with aioresponses() as m:
        m.head(
            re.compile(r"^https://bkt\..*"),
            status=200,
            headers={
                "Content-Length": "5242885",
                "ETag": '"d41d8cd98f00b204e9800998ecf8427e-2"',
                "Last-Modified": "Wed, 28 Oct 2026 01:02:03 GMT",
                "Content-Type": "text/plain",
                "x-amz-meta-Color": "blue",
                "x-amz-mp-parts-count": "2",
                "x-amz-checksum-crc32": "AAAAAA==",
                "x-amz-checksum-type": "COMPOSITE",
                "x-amz-version-id": "v1",
                "x-amz-server-side-encryption": "AES256",
                "x-amz-storage-class": "STANDARD_IA",
                "Expires": "not a date",
                "accept-ranges": "bytes",
            },
        )
        async with aws() as s3:
            r = await s3.head_object(
                Bucket="bkt",
                Key="dir/a b.bin",
                PartNumber=1,
                ChecksumMode="ENABLED",
                VersionId="v1",
                IfModifiedSince=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                ResponseExpires=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            )
        method, url, headers, data = only_call(m)
    assert method == "HEAD"
    assert URL(url).path == "/dir/a b.bin"
    # aioresponses 0.7.2 (the floor) re-encodes the recorded query's `%`, newer ones do not;
    # the exact bytes aios3 puts on the wire are pinned below, on its serialised request
    assert {k: unquote(v) for k, v in parse_qsl(urlsplit(str(url)).query)} == {
        "response-expires": "Fri, 02 Jan 2026 03:04:05 GMT",  # rfc822, as botocore sends it
        "versionId": "v1",
        "partNumber": "1",
    }
    wire = serialize(
        HeadObjectRequest(
            Bucket="bkt",
            Key="k",
            ResponseExpires=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
    )
    assert wire.query == "response-expires=Fri%2C%2002%20Jan%202026%2003%3A04%3A05%20GMT"
    assert headers["x-amz-checksum-mode"] == "ENABLED"
    assert headers["If-Modified-Since"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert data is None
    assert r.content_length == 5242885
    assert r.etag == '"d41d8cd98f00b204e9800998ecf8427e-2"'
    assert r.last_modified == dt.datetime(2026, 10, 28, 1, 2, 3, tzinfo=UTC)
    assert r.content_type == "text/plain"
    assert r.metadata == {"Color": "blue"}  # the name as sent, as boto3 keeps it
    assert r.parts_count == 2
    assert r.checksum_crc32 == "AAAAAA=="
    assert r.checksum_type == "COMPOSITE"
    assert r.version_id == "v1"
    assert r.server_side_encryption == "AES256"
    assert r.storage_class == "STANDARD_IA"
    assert r.expires is None  # free text, as many stores send it: no error
    assert r.expires_string == "not a date"  # boto3's ExpiresString keeps it
    assert r.accept_ranges == "bytes"
    d = r.to_dict()
    assert d["ContentLength"] == 5242885
    assert d["Metadata"] == {"Color": "blue"}
    assert d["PartsCount"] == 2


async def test_head_object_missing_key_is_client_error_404_as_in_boto3() -> None:
    with aioresponses() as m:
        m.head(re.compile(r"^https://bkt\..*"), status=404)
        async with aws() as s3:
            with pytest.raises(ClientError) as caught:
                await s3.head_object(Bucket="bkt", Key="nope")
    err = caught.value
    assert type(err) is ClientError
    assert err.code == "404"
    assert err.message == "Not Found"
    assert err.status_code == 404
    assert err.operation_name == "HeadObject"
    assert err.response["Error"]["Code"] == "404"


async def test_delete_object_sends_its_headers_and_reads_delete_marker() -> None:
    with aioresponses() as m:
        m.delete(
            re.compile(r"^https://bkt\..*"),
            status=204,
            headers={"x-amz-delete-marker": "true", "x-amz-version-id": "dm1"},
        )
        async with aws() as s3:
            r = await s3.delete_object(
                Bucket="bkt",
                Key="k",
                VersionId="v 1",
                MFA="serial 123456",
                BypassGovernanceRetention=True,
                IfMatch='"e"',
                IfMatchSize=5,
                IfMatchLastModifiedTime=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            )
        method, url, headers, _ = only_call(m)
    assert (method, URL(url).path, dict(URL(url).query)) == ("DELETE", "/k", {"versionId": "v 1"})
    assert headers["x-amz-mfa"] == "serial 123456"
    assert headers["x-amz-bypass-governance-retention"] == "true"
    assert headers["If-Match"] == '"e"'
    assert headers["x-amz-if-match-size"] == "5"
    assert headers["x-amz-if-match-last-modified-time"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert r.delete_marker is True
    assert r.version_id == "dm1"
    assert r.to_dict()["DeleteMarker"] is True


# ------------------------------------------------------------------ the same as botocore


def _botocore_request(operation: str, params: dict[str, Any]) -> Any:
    """botocore's prepared request for `params` (path style, not sent)."""
    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://s3.local",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=botocore.config.Config(s3={"addressing_style": "path"}),
    )
    captured: dict[str, Any] = {}

    def grab(request: Any, **_: object) -> None:
        captured["request"] = request
        raise _Stop

    client.meta.events.register("before-send.s3", grab)
    with pytest.raises(_Stop):
        getattr(client, botocore.xform_name(operation))(**params)
    return captured["request"]


class _Stop(Exception):
    pass


_AMZ_ONLY = re.compile(
    r"^(x-amz-(?!date|content-sha256|user-agent|sdk|checksum-crc32$)|if-|range$)"
)


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (
            CreateBucketRequest,
            {
                "Bucket": "bkt",
                "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
                "ACL": "private",
                "ObjectLockEnabledForBucket": True,
                "GrantWriteACP": "id=w",
            },
        ),
        (
            HeadObjectRequest,
            {
                "Bucket": "bkt",
                "Key": "a b/c",
                "PartNumber": 2,
                "VersionId": "v1",
                "ChecksumMode": "ENABLED",
                "IfNoneMatch": '"x"',
                "Range": "bytes=0-9",
                "ResponseContentType": "text/plain",
                "ResponseExpires": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            },
        ),
        (
            DeleteObjectRequest,
            {
                "Bucket": "bkt",
                "Key": "k~1",
                "VersionId": "v/1",
                "RequestPayer": "requester",
                "BypassGovernanceRetention": False,
                "IfMatchSize": 10,
            },
        ),
    ],
    ids=["CreateBucket", "HeadObject", "DeleteObject"],
)
def test_the_request_is_botocores(model: type[RequestModel], params: dict[str, Any]) -> None:
    theirs = _botocore_request(model.operation_name, params)
    ours = serialize(model(**params))
    assert ours.method == theirs.method
    path, _, query = theirs.url.partition("?")
    assert "/" + ours.bucket + ours.key_path == path.removeprefix("http://s3.local")
    assert sorted(ours.query.split("&")) == sorted(query.split("&"))
    their_headers = {
        k.lower(): v.decode() if isinstance(v, bytes) else v
        for k, v in theirs.headers.items()
        if _AMZ_ONLY.match(k.lower())
    }
    assert {k.lower(): v for k, v in ours.headers.items()} == their_headers
    assert (ours.body or b"") == (theirs.body or b"")


async def test_the_resource_passes_the_parameters_it_used_to_lack() -> None:
    with aioresponses() as m:
        m.post(
            re.compile(r"^https://bkt\..*"),
            status=200,
            body=f"<InitiateMultipartUploadResult {NS}><UploadId>U</UploadId>"
            "</InitiateMultipartUploadResult>",
        )
        async with aios3.S3Resource(
            region_name="eu-west-1",
            aws_access_key_id="AKIDWIRE",
            aws_secret_access_key="s3cr3t-wire",
        ) as s3r:
            up = await s3r.Object("bkt", "k").initiate_multipart_upload(
                GrantReadACP='id="r"',
                GrantWriteACP='id="w"',
                GrantFullControl='id="f"',
                WebsiteRedirectLocation="/elsewhere",
                ObjectLockMode="GOVERNANCE",
                ObjectLockLegalHoldStatus="ON",
                ObjectLockRetainUntilDate=dt.datetime(2030, 1, 1, tzinfo=UTC),
            )
        headers = only_call(m)[2]
    assert up.id == "U"
    assert headers["x-amz-grant-read-acp"] == 'id="r"'
    assert headers["x-amz-grant-write-acp"] == 'id="w"'
    assert headers["x-amz-grant-full-control"] == 'id="f"'
    assert headers["x-amz-website-redirect-location"] == "/elsewhere"
    assert headers["x-amz-object-lock-mode"] == "GOVERNANCE"
    assert headers["x-amz-object-lock-legal-hold"] == "ON"
    assert headers["x-amz-object-lock-retain-until-date"] == "2030-01-01T00:00:00Z"


async def test_call_finds_the_operation_by_the_request_type() -> None:
    with aioresponses() as m:
        m.delete(re.compile(r"^https://bkt\..*"), status=204, headers={"x-amz-version-id": "v"})
        async with aws() as s3:
            r = await s3._call(DeleteObjectRequest(Bucket="bkt", Key="k"))
        assert only_call(m)[0] == "DELETE"
    assert isinstance(r, DeleteObjectResponse)
    assert r.version_id == "v"


_ERROR_200 = (
    b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
    b"<Message>denied late</Message><RequestId>R7</RequestId></Error>"
)


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        ({"method": "create_bucket", "Bucket": "bkt"}, "CreateBucket"),
        ({"method": "delete_object", "Bucket": "bkt", "Key": "k"}, "DeleteObject"),
        ({"method": "abort_multipart_upload", "Bucket": "bkt", "Key": "k", "UploadId": "u"}, None),
        ({"method": "list_parts", "Bucket": "bkt", "Key": "k", "UploadId": "u"}, None),
        ({"method": "list_multipart_uploads", "Bucket": "bkt"}, None),
        ({"method": "create_multipart_upload", "Bucket": "bkt", "Key": "k"}, None),
    ],
)
async def test_an_error_inside_a_200_is_raised(call: dict[str, Any], operation: str | None) -> None:
    # botocore's _handle_200_error: S3 may answer 200 and put the failure in the body; a
    # listing must not read it as an empty last page, CreateBucket not as success
    from aios3.testing import MockResponse, MockTransport

    params = dict(call)
    method = params.pop("method")
    t = MockTransport(lambda r: MockResponse(200, body=_ERROR_200))
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=t,
    ) as s3:
        with pytest.raises(aios3.AccessDenied) as info:
            await getattr(s3, method)(**params)
    assert (info.value.message, info.value.request_id) == ("denied late", "R7")
    if operation is not None:
        assert info.value.operation_name == operation


async def test_200_bodies_boto3_accepts_or_refuses_for_bodiless_answers() -> None:
    from aios3.testing import MockResponse, MockTransport

    answers = iter([b"not xml at all", _ERROR_200, b"\n", b"<Other/>"])
    t = MockTransport(lambda r: MockResponse(200, body=next(answers)))
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=t,
    ) as s3:
        with pytest.raises(aios3.errors.ResponseParseError):
            await s3.create_bucket(Bucket="bkt")
        await s3.delete_bucket(Bucket="bkt")  # no output shape: boto3 ignores the body too
        await s3.delete_object(Bucket="bkt", Key="k")  # blank: nothing to report
        await s3.delete_object(Bucket="bkt", Key="k")  # XML that is no <Error>


async def test_repeated_headers_are_joined_as_boto3_joins_them() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    from aios3.testing import MockResponse, MockTransport

    repeated = [
        ("Content-Length", "0"),
        ("x-amz-meta-a", "1"),
        ("X-Amz-Meta-A", "2"),
        ("ETag", '"a"'),
        ("ETag", '"b"'),
        ("x-amz-request-id", "r1"),
        ("x-amz-request-id", "r2"),
    ]
    answers = iter([200, 404])

    class Repeats(MockTransport):
        async def send(self, *args: Any) -> aios3.RawResponse:
            return aios3.RawResponse(next(answers), CIMultiDictProxy(CIMultiDict(repeated)), b"")

    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=Repeats(lambda r: MockResponse()),
    ) as s3:
        r = await s3.head_object(Bucket="bkt", Key="k")
        with pytest.raises(ClientError) as info:
            await s3.head_object(Bucket="bkt", Key="k")
    # what boto3 gives for the same answer (urllib3 joins repeated headers with ", ")
    assert (r.metadata, r.etag) == ({"a": "1, 2"}, '"a", "b"')
    assert r.response_metadata.request_id == "r1, r2"
    assert r.response_metadata.http_headers["x-amz-meta-a"] == "1, 2"
    assert info.value.response["ResponseMetadata"]["RequestId"] == "r1, r2"
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == '"a", "b"'


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ({"a": "é"}, "Non ascii characters found in S3 metadata"),
        ({"é": "a"}, "Non ascii characters found in S3 metadata"),
        ({"a\r\nX-Evil": "1"}, "cannot be part of a header name"),
        ({"a:b": "1"}, "cannot be part of a header name"),
        ({"a": "x\r\nX-Evil: 1"}, "control characters"),
    ],
)
async def test_metadata_boto3_refuses_is_refused_before_sending(
    metadata: dict[str, str], match: str
) -> None:
    # botocore's validate_ascii_metadata, and http.client's header checks (aiohttp raised a
    # bare ValueError from inside for a key with CR/LF); the Stubber refuses it too, as
    # botocore's stubbed client does
    from aios3.testing import MockResponse, MockTransport, Stubber

    t = MockTransport(lambda r: MockResponse(500))
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=t,
    ) as s3:
        with pytest.raises(ParamValidationError, match=match):
            await s3.create_multipart_upload(Bucket="bkt", Key="k", Metadata=metadata)
        with Stubber(s3) as stub:
            stub.add_response("create_multipart_upload", {"UploadId": "u"})
            with pytest.raises(ParamValidationError, match=match):
                await s3.create_multipart_upload(Bucket="bkt", Key="k", Metadata=metadata)
    assert t.requests == []


def test_create_bucket_configuration_members_boto3_has_are_refused_with_a_reason() -> None:
    with pytest.raises(ParamValidationError, match="Location, Tags: not supported by aios3"):
        CreateBucketRequest(
            Bucket="bkt",
            CreateBucketConfiguration={  # type: ignore[typeddict-unknown-key]
                "LocationConstraint": "eu-west-1",
                "Tags": [{"Key": "a", "Value": "b"}],
                "Location": {"Type": "AvailabilityZone", "Name": "x"},
            },
        )
    with pytest.raises(ParamValidationError, match="Extra inputs"):
        CreateBucketRequest(Bucket="bkt", CreateBucketConfiguration={"Nope": "x"})  # type: ignore[typeddict-unknown-key]
