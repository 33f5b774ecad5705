"""What each operation puts on the wire: method, path, query, headers, body.

aioresponses stands in for AWS's own hosts (virtual-hosted addressing, region hosts); the raw
capture server proves the exact request-line bytes for keys a URL library might normalise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from aioresponses import aioresponses

import aios3
from tests._capture import Captured, CaptureServer, Reply

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDWIRE", "aws_secret_access_key": "s3cr3t-wire"}
HOST = "https://bkt.s3.eu-west-1.amazonaws.com"
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def aws() -> aios3.S3Client:
    return aios3.S3Client(region_name="eu-west-1", config=aios3.Config(max_attempts=1), **CREDS)


def only_call(m: aioresponses) -> tuple[str, str, dict[str, str], Any]:
    assert len(m.requests) == 1
    ((method, url), calls) = next(iter(m.requests.items()))
    assert len(calls) == 1
    return method, str(url), dict(calls[0].kwargs["headers"]), calls[0].kwargs.get("data")


async def test_abort_pins_every_header_and_parses_request_charged() -> None:
    with aioresponses() as m:
        m.delete(
            re.compile(r"^https://bkt\.s3\.eu-west-1\.amazonaws\.com/.*"),
            status=204,
            headers={
                "x-amz-request-charged": "requester",
                "x-amz-request-id": "RID1",
                "x-amz-id-2": "HID1",
            },
        )
        async with aws() as s3:
            r = await s3.abort_multipart_upload(
                Bucket="bkt",
                Key="dir/my key.bin",
                UploadId="upl+id/1=",
                RequestPayer="requester",
                ExpectedBucketOwner="123456789012",
                IfMatchInitiatedTime=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            )
        method, _, headers, data = only_call(m)
    assert method == "DELETE"
    assert headers["x-amz-request-payer"] == "requester"
    assert headers["x-amz-expected-bucket-owner"] == "123456789012"
    assert headers["x-amz-if-match-initiated-time"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert headers["X-Amz-Content-SHA256"] == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    auth = headers["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDWIRE/")
    assert "/eu-west-1/s3/aws4_request" in auth
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {
        "host",
        "x-amz-request-payer",
        "x-amz-expected-bucket-owner",
        "x-amz-if-match-initiated-time",
        "x-amz-date",
        "x-amz-content-sha256",
    } <= set(signed)
    assert data is None
    assert r.request_charged == "requester"
    assert r.response_metadata.request_id == "RID1"
    assert r.response_metadata.host_id == "HID1"
    assert r.response_metadata.http_status_code == 204
    d = r.to_dict()
    assert d["RequestCharged"] == "requester"
    meta = d["ResponseMetadata"]
    assert isinstance(meta, dict)
    assert (meta["RequestId"], meta["HostId"], meta["HTTPStatusCode"], meta["RetryAttempts"]) == (
        "RID1",
        "HID1",
        204,
        0,
    )
    assert meta["HTTPHeaders"]["x-amz-request-charged"] == "requester"


async def test_if_match_initiated_time_converts_other_timezones_to_gmt() -> None:
    tz = dt.timezone(dt.timedelta(hours=5, minutes=30))
    with aioresponses() as m:
        m.delete(re.compile(r"^https://bkt\..*"), status=204)
        async with aws() as s3:
            await s3.abort_multipart_upload(
                Bucket="bkt",
                Key="k",
                UploadId="u",
                IfMatchInitiatedTime=dt.datetime(2026, 1, 2, 8, 34, 5, tzinfo=tz),
            )
        headers = only_call(m)[2]
    assert headers["x-amz-if-match-initiated-time"] == "Fri, 02 Jan 2026 03:04:05 GMT"


async def test_abort_without_optional_headers_sends_none_of_them() -> None:
    with aioresponses() as m:
        m.delete(re.compile(r"^https://bkt\..*"), status=204)
        async with aws() as s3:
            r = await s3.abort_multipart_upload(Bucket="bkt", Key="k", UploadId="u")
        headers = {k.lower() for k in only_call(m)[2]}
    assert not headers & {
        "x-amz-request-payer",
        "x-amz-expected-bucket-owner",
        "x-amz-if-match-initiated-time",
        "x-amz-security-token",
    }
    assert r.request_charged is None
    assert "RequestCharged" not in r.to_dict()


async def test_create_multipart_upload_headers_and_response() -> None:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult {NS}>'
        "<Bucket>bkt</Bucket><Key>a/b c</Key><UploadId>UP-1</UploadId>"
        "</InitiateMultipartUploadResult>"
    )
    with aioresponses() as m:
        m.post(
            re.compile(r"^https://bkt\..*"),
            status=200,
            body=body,
            headers={
                "x-amz-abort-date": "Wed, 28 Oct 2026 00:00:00 GMT",
                "x-amz-abort-rule-id": "rule-1",
                "x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-bucket-key-enabled": "true",
                "x-amz-checksum-algorithm": "CRC32",
            },
        )
        async with aws() as s3:
            r = await s3.create_multipart_upload(
                Bucket="bkt",
                Key="a/b c",
                ContentType="text/plain",
                Metadata={"color": "blue"},
                StorageClass="STANDARD_IA",
                ACL="private",
                Tagging="k=v",
                ChecksumAlgorithm="CRC32",
                BucketKeyEnabled=True,
                ObjectLockRetainUntilDate=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc),
                Expires=dt.datetime(2027, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc),
            )
        method, _url, headers, _ = only_call(m)
    assert method == "POST"
    assert headers["Content-Type"] == "text/plain"
    assert headers["x-amz-meta-color"] == "blue"
    assert headers["x-amz-storage-class"] == "STANDARD_IA"
    assert headers["x-amz-acl"] == "private"
    assert headers["x-amz-tagging"] == "k=v"
    assert headers["x-amz-checksum-algorithm"] == "CRC32"
    assert headers["x-amz-server-side-encryption-bucket-key-enabled"] == "true"
    assert headers["x-amz-object-lock-retain-until-date"] == "2027-01-01T00:00:00Z"
    assert headers["Expires"] == "Wed, 03 Feb 2027 04:05:06 GMT"
    assert r.upload_id == "UP-1"
    assert r.key == "a/b c"
    assert r.abort_date == dt.datetime(2026, 10, 28, tzinfo=dt.timezone.utc)
    assert r.abort_rule_id == "rule-1"
    assert r.bucket_key_enabled is True
    assert r.checksum_algorithm == "CRC32"
    assert r.to_dict()["UploadId"] == "UP-1"


async def test_upload_part_sends_body_and_parses_etag_and_checksums() -> None:
    with aioresponses() as m:
        m.put(
            re.compile(r"^https://bkt\..*"),
            status=200,
            headers={
                "ETag": '"abc"',
                "x-amz-checksum-crc32": "AAAAAA==",
                "x-amz-request-charged": "requester",
            },
        )
        async with aws() as s3:
            r = await s3.upload_part(
                Bucket="bkt",
                Key="k",
                UploadId="u",
                PartNumber=3,
                Body=b"0123456789",
                ContentMD5="eB5eJF1ptWaXm4bijSPyxw==",
                ChecksumCRC32="AAAAAA==",
                RequestPayer="requester",
            )
        method, _url, headers, data = only_call(m)
    assert method == "PUT"
    assert data == b"0123456789"
    assert headers["Content-MD5"] == "eB5eJF1ptWaXm4bijSPyxw=="
    assert headers["x-amz-checksum-crc32"] == "AAAAAA=="
    # https + Content-MD5 on a blob: botocore's rule sends UNSIGNED-PAYLOAD
    assert headers["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert r.etag == '"abc"'
    assert r.checksum_crc32 == "AAAAAA=="
    assert r.request_charged == "requester"


async def test_complete_sends_xml_and_parses_result() -> None:
    result = (
        f"<CompleteMultipartUploadResult {NS}><Location>https://bkt/k</Location>"
        "<Bucket>bkt</Bucket><Key>k</Key><ETag>&#34;e-2&#34;</ETag>"
        "<ChecksumCRC32>AAAAAA==-2</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType>"
        "</CompleteMultipartUploadResult>"
    )
    with aioresponses() as m:
        m.post(
            re.compile(r"^https://bkt\..*"),
            status=200,
            body=result,
            headers={"x-amz-version-id": "v1", "x-amz-expiration": 'expiry-date="x"'},
        )
        async with aws() as s3:
            r = await s3.complete_multipart_upload(
                Bucket="bkt",
                Key="k",
                UploadId="u",
                IfNoneMatch="*",
                MultipartUpload={
                    "Parts": [
                        {"ETag": '"e1"', "PartNumber": 1},
                        {"ETag": '"e<2>"', "PartNumber": 2},
                    ]
                },
            )
        method, _url, headers, data = only_call(m)
    assert method == "POST"
    assert headers["If-None-Match"] == "*"
    assert (
        data
        == (
            f'<CompleteMultipartUpload {NS}><Part><ETag>"e1"</ETag><PartNumber>1</PartNumber>'
            '</Part><Part><ETag>"e&lt;2&gt;"</ETag><PartNumber>2</PartNumber></Part>'
            "</CompleteMultipartUpload>"
        ).encode()
    )
    assert r.etag == '"e-2"'
    assert r.version_id == "v1"
    assert r.checksum_type == "COMPOSITE"
    assert r.location == "https://bkt/k"


async def test_complete_error_inside_200_is_raised() -> None:
    err = (
        "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message>"
        "<RequestId>R9</RequestId><HostId>H9</HostId></Error>"
    )
    with aioresponses() as m:
        m.post(re.compile(r"^https://bkt\..*"), status=200, body=err)
        async with aws() as s3:
            with pytest.raises(aios3.ClientError) as info:
                await s3.complete_multipart_upload(
                    Bucket="bkt",
                    Key="k",
                    UploadId="u",
                    MultipartUpload={"Parts": [{"ETag": "e", "PartNumber": 1}]},
                )
    assert info.value.code == "InternalError"
    assert info.value.status_code == 200
    assert info.value.request_id == "R9"


async def test_service_error_is_typed_with_code_message_status_and_ids() -> None:
    err = (
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchUpload</Code>"
        "<Message>The specified upload does not exist.</Message><UploadId>u</UploadId>"
        "<RequestId>REQ</RequestId><HostId>HOST</HostId></Error>"
    )
    with aioresponses() as m:
        m.delete(re.compile(r"^https://bkt\..*"), status=404, body=err)
        async with aws() as s3:
            with pytest.raises(s3.exceptions.NoSuchUpload) as info:
                await s3.abort_multipart_upload(Bucket="bkt", Key="k", UploadId="u")
    e = info.value
    assert isinstance(e, aios3.errors.NoSuchUpload)
    assert isinstance(e, aios3.ClientError)
    assert (e.code, e.status_code, e.request_id, e.host_id) == ("NoSuchUpload", 404, "REQ", "HOST")
    assert e.message == "The specified upload does not exist."
    assert e.operation_name == "AbortMultipartUpload"
    assert e.response["Error"] == {
        "Code": "NoSuchUpload",
        "Message": "The specified upload does not exist.",
        "UploadId": "u",
    }
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "s3cr3t-wire" not in repr(e) + str(e) + repr(e.response)


async def test_error_without_body_uses_status_as_code() -> None:
    with aioresponses() as m:
        m.delete(re.compile(r"^https://bkt\..*"), status=403, body="")
        async with aws() as s3:
            with pytest.raises(aios3.ClientError) as info:
                await s3.abort_multipart_upload(Bucket="bkt", Key="k", UploadId="u")
    assert type(info.value) is aios3.ClientError
    assert info.value.code == "403"
    assert info.value.message == "Forbidden"


async def test_list_parts_query_and_tolerant_parsing() -> None:
    body = (
        "<ListPartsResponse><Bucket>bkt</Bucket><Key>k</Key><UploadId>u</UploadId>"
        "<PartNumberMarker>1</PartNumberMarker><MaxParts>2</MaxParts>"
        "<IsTruncated>false</IsTruncated>"
        "<Initiator><ID>init-id</ID><DisplayName>me</DisplayName></Initiator>"
        "<Owner><ID>owner-id</ID></Owner><StorageClass>STANDARD</StorageClass>"
        "<Part><PartNumber>2</PartNumber><LastModified>2026-01-02T03:04:05.000Z</LastModified>"
        "<ETag>&#34;e2&#34;</ETag><Size>5242880</Size></Part>"
        "<Part><PartNumber>3</PartNumber><LastModified>2026-01-02T03:04:06Z</LastModified>"
        "<ETag></ETag><Size>1</Size></Part>"
        "</ListPartsResponse>"
    )
    with aioresponses() as m:
        m.get(re.compile(r"^https://bkt\..*"), status=200, body=body)
        async with aws() as s3:
            r = await s3.list_parts(
                Bucket="bkt", Key="k", UploadId="u", MaxParts=2, PartNumberMarker=1
            )
        _m, url, _h, _d = only_call(m)
    assert "max-parts=2" in url and "part-number-marker=1" in url and "uploadId=u" in url
    assert [p.part_number for p in r.parts] == [2, 3]
    assert r.parts[0].etag == '"e2"'
    assert r.parts[1].etag == ""
    assert r.parts[0].size == 5242880
    assert r.parts[0].last_modified == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert r.next_part_number_marker is None
    assert r.is_truncated is False
    assert r.initiator is not None and r.initiator.id == "init-id"
    assert r.owner is not None and r.owner.id == "owner-id"
    assert r.to_dict()["Parts"][0]["ETag"] == '"e2"'


async def test_list_multipart_uploads_query_and_parse() -> None:
    body = (
        f"<ListMultipartUploadsResult {NS}><Bucket>bkt</Bucket><KeyMarker></KeyMarker>"
        "<UploadIdMarker></UploadIdMarker><NextKeyMarker>b</NextKeyMarker>"
        "<NextUploadIdMarker>u2</NextUploadIdMarker><MaxUploads>2</MaxUploads>"
        "<IsTruncated>true</IsTruncated>"
        "<Upload><Key>a</Key><UploadId>u1</UploadId><Initiator><ID>i</ID></Initiator>"
        "<Owner><ID>o</ID><DisplayName>d</DisplayName></Owner><StorageClass>STANDARD</StorageClass>"
        "<Initiated>2026-01-02T03:04:05.000Z</Initiated><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
        "</Upload><Upload><Key>b</Key><UploadId>u2</UploadId>"
        "<Initiated>2026-01-02T03:04:06.000Z</Initiated></Upload>"
        "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"
        "</ListMultipartUploadsResult>"
    )
    with aioresponses() as m:
        m.get(re.compile(r"^https://bkt\..*"), status=200, body=body)
        async with aws() as s3:
            r = await s3.list_multipart_uploads(
                Bucket="bkt", Prefix="a b", Delimiter="/", MaxUploads=2
            )
        _m, url, _h, _d = only_call(m)
    assert url.startswith(HOST + "/?")
    assert "uploads" in url and "max-uploads=2" in url and "delimiter=" in url
    assert [(u.key, u.upload_id) for u in r.uploads] == [("a", "u1"), ("b", "u2")]
    assert r.uploads[0].owner is not None and r.uploads[0].owner.display_name == "d"
    assert r.uploads[0].checksum_algorithm == "CRC32"
    assert r.uploads[0].initiated == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert r.common_prefixes[0].prefix == "dir/"
    assert (r.is_truncated, r.next_key_marker, r.next_upload_id_marker) == (True, "b", "u2")


async def test_malformed_xml_is_a_typed_error() -> None:
    with aioresponses() as m:
        m.get(re.compile(r"^https://bkt\..*"), status=200, body="<ListPartsResult><Part>")
        async with aws() as s3:
            with pytest.raises(aios3.errors.ResponseParseError):
                await s3.list_parts(Bucket="bkt", Key="k", UploadId="u")


async def test_xml_entity_expansion_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><ListPartsResult><Key>&lol2;</Key>'
        "</ListPartsResult>"
    )
    with aioresponses() as m:
        m.get(re.compile(r"^https://bkt\..*"), status=200, body=bomb)
        async with aws() as s3:
            with pytest.raises(aios3.errors.ResponseParseError):
                await s3.list_parts(Bucket="bkt", Key="k", UploadId="u")


TRICKY = [
    ("a/../b", "/bkt/a/../b"),
    ("a/./b", "/bkt/a/./b"),
    ("../../etc/passwd", "/bkt/../../etc/passwd"),
    ("a//b", "/bkt/a//b"),
    ("./x", "/bkt/./x"),
    ("/leading", "/bkt//leading"),
    ("%2F", "/bkt/%252F"),
    ("a b", "/bkt/a%20b"),
    ("a+b", "/bkt/a%2Bb"),
    ("a?b", "/bkt/a%3Fb"),
    ("a#b", "/bkt/a%23b"),
    ("ü/日本", "/bkt/%C3%BC/%E6%97%A5%E6%9C%AC"),
    ("trailing/", "/bkt/trailing/"),
    ("~tilde", "/bkt/~tilde"),
    ("a%20b", "/bkt/a%2520b"),
    ("semi;colon=eq&amp", "/bkt/semi%3Bcolon%3Deq%26amp"),
]


@pytest.mark.parametrize(("key", "path"), TRICKY, ids=[k for k, _ in TRICKY])
async def test_key_reaches_the_wire_byte_for_byte(key: str, path: str) -> None:
    async with (
        CaptureServer() as srv,
        aios3.S3Client(endpoint_url=srv.url, region_name="us-east-1", **CREDS) as s3,
    ):
        await s3.abort_multipart_upload(Bucket="bkt", Key=key, UploadId="u/1+")
    [req] = srv.requests
    assert req.request_line == f"DELETE {path}?uploadId=u%2F1%2B HTTP/1.1"


async def test_virtual_addressing_on_custom_endpoint_puts_bucket_in_host() -> None:
    seen: list[Captured] = []

    def reply(c: Captured) -> Reply:
        seen.append(c)
        return Reply(204)

    async with CaptureServer(reply) as srv:
        url = srv.url.replace("127.0.0.1", "localhost")
        async with aios3.S3Client(
            endpoint_url=url,
            region_name="us-east-1",
            config=aios3.Config(addressing_style="virtual"),
            **CREDS,
        ) as s3:
            ep = await s3.resolve_endpoint("bkt")
    assert ep.url == f"http://bkt.localhost:{srv.port}"
    assert ep.signing_name == "s3" and ep.signing_region == "us-east-1"
