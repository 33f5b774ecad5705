"""The parsers in detail, called directly: error fields and their header fallbacks, status
codes on parse errors, dates, owners, defaults and response metadata (found by mutation
testing, see docs/testing.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from xml.etree.ElementTree import Element

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aios3._operations import BY_NAME
from aios3._parse import _tag, metadata, parse_error
from aios3.errors import ClientError, NoSuchUpload, ResponseParseError

UTC = dt.timezone.utc
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def hdrs(**h: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in h.items()}))


def parse(op: str, body: bytes, status: int = 200, **h: str) -> object:
    headers = hdrs(**h)
    return BY_NAME[op].parser(status, headers, body, metadata(status, headers, 2))


# ------------------------------------------------------------------------------- errors


def test_error_fields_come_from_the_body_first() -> None:
    body = (
        b"<Error><Code>NoSuchUpload</Code><Message>gone</Message><RequestId>RB</RequestId>"
        b"<HostId>HB</HostId><UploadId>u1</UploadId><Empty/></Error>"
    )
    e = parse_error(404, hdrs(x_amz_request_id="RH", x_amz_id_2="HH"), body, "ListParts")
    assert isinstance(e, NoSuchUpload)
    assert (e.code, e.message, e.request_id, e.host_id) == ("NoSuchUpload", "gone", "RB", "HB")
    assert (e.status_code, e.operation_name, e.extra) == (
        404,
        "ListParts",
        {"UploadId": "u1", "Empty": ""},
    )
    assert e.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_error_ids_fall_back_to_the_headers() -> None:
    e = parse_error(
        403,
        hdrs(X_Amz_Request_Id="RH", X_Amz_Id_2="HH", Server="AmazonS3"),
        b"<Error><Code>AccessDenied</Code></Error>",
        "AbortMultipartUpload",
        retry_attempts=3,
    )
    assert (e.request_id, e.host_id, e.message) == ("RH", "HH", "Forbidden")
    meta = e.response["ResponseMetadata"]
    assert meta["HTTPHeaders"] == {
        "x-amz-request-id": "RH",
        "x-amz-id-2": "HH",
        "server": "AmazonS3",
    }
    assert meta["RetryAttempts"] == 3
    # the other request-id header (x-amzn-requestid), and none at all
    assert parse_error(500, hdrs(x_amzn_requestid="RN"), b"", "X").request_id == "RN"
    bare = parse_error(500, hdrs(), b"", "X")
    assert (bare.request_id, bare.host_id) == ("", "")


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (503, b"", "503", "Service Unavailable"),  # no body: the status names it
        (503, b"   ", "503", "Service Unavailable"),
        (502, b"<html><Code>NotS3</Code></html>", "502", "Bad Gateway"),  # not an <Error>
        (500, b"<Error><Code>", "500", "Internal Server Error"),  # unreadable XML
        (599, b"", "599", ""),  # a status without a reason phrase
        (400, b"<Error><Code/><Message/></Error>", "400", "Bad Request"),  # empty elements
    ],
)
def test_error_without_usable_body(status: int, body: bytes, code: str, message: str) -> None:
    e = parse_error(status, hdrs(), body, "Op")
    assert type(e) is ClientError
    assert (e.code, e.message, e.status_code, e.extra) == (code, message, status, {})


def test_complete_error_inside_200_keeps_operation_and_retries() -> None:
    body = b"<Error><Code>InternalError</Code><Message>try again</Message></Error>"
    with pytest.raises(ClientError) as info:
        parse("CompleteMultipartUpload", body)
    e = info.value
    assert (e.code, e.status_code, e.operation_name) == (
        "InternalError",
        200,
        "CompleteMultipartUpload",
    )
    assert e.response["ResponseMetadata"]["RetryAttempts"] == 2


# ------------------------------------------------------------------- parse errors: status


@pytest.mark.parametrize(
    "op",
    [
        "CreateMultipartUpload",
        "CompleteMultipartUpload",
        "ListParts",
        "ListMultipartUploads",
        "CreateSession",
    ],
)
def test_unreadable_xml_carries_the_status(op: str) -> None:
    with pytest.raises(ResponseParseError, match="unreadable XML body") as info:
        parse(op, b"<not xml", status=202)
    assert info.value.status_code == 202


def test_unreadable_listing_carries_the_status() -> None:
    body = f"<ListPartsResult {NS}><Part><PartNumber>x</PartNumber></Part></ListPartsResult>"
    with pytest.raises(ResponseParseError, match="listing aios3 cannot read") as info:
        parse("ListParts", body.encode(), status=206)
    assert info.value.status_code == 206
    body = (
        f"<ListMultipartUploadsResult {NS}><Upload><Initiated>x</Initiated></Upload>"
        "</ListMultipartUploadsResult>"
    )
    with pytest.raises(ResponseParseError, match="listing aios3 cannot read") as info:
        parse("ListMultipartUploads", body.encode(), status=206)
    assert info.value.status_code == 206


def test_create_without_upload_id() -> None:
    with pytest.raises(
        ResponseParseError, match=r"^CreateMultipartUpload answered without an UploadId$"
    ) as info:
        parse("CreateMultipartUpload", b"<InitiateMultipartUploadResult/>", status=201)
    assert info.value.status_code == 201


def test_create_session_without_complete_credentials() -> None:
    body = (
        b"<CreateSessionResult><Credentials><AccessKeyId>A</AccessKeyId></Credentials>"
        b"</CreateSessionResult>"
    )
    with pytest.raises(
        ResponseParseError,
        match=(
            r"^CreateSession answered without complete credentials \(got \['access_key_id'\]\); "
            r"is this a directory bucket on S3 Express\?$"
        ),
    ) as info:
        parse("CreateSession", body, status=201)
    assert info.value.status_code == 201


# ------------------------------------------------------------------------ values


def test_tag_strips_any_namespace() -> None:
    name = "T" + uuid.uuid4().hex  # not memoised yet
    assert _tag(Element(f"{{urn:x}}{name}")) == name
    assert _tag(Element(name + "b")) == name + "b"


def test_create_session_expiration_and_metadata() -> None:
    body = (
        f"<CreateSessionResult {NS}><Credentials><AccessKeyId>ASIA</AccessKeyId>"
        "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>"
        "<Expiration>2026-01-02T03:04:05Z</Expiration></Credentials></CreateSessionResult>"
    ).encode()
    r = parse("CreateSession", body, x_amz_request_id="R")
    assert r.credentials.expiration == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # type: ignore[attr-defined]
    assert r.response_metadata.request_id == "R"  # type: ignore[attr-defined]
    other = body.replace(b"05Z", b"05+02:00")
    r = parse("CreateSession", other)
    assert r.credentials.expiration == dt.datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "header",
    [
        "Fri, 02 Jan 2026 00:00:00 GMT",
        "Fri, 02 Jan 2026 00:00:00 -0000",  # no zone: UTC, as botocore reads it
        "Fri, 02 Jan 2026 02:00:00 +0200",  # another zone is converted, not replaced
        "2026-01-02T00:00:00Z",  # not an HTTP date: ISO 8601
    ],
)
def test_abort_date_header(header: str) -> None:
    r = parse("ListParts", b"<ListPartsResult/>", x_amz_abort_date=header)
    assert r.abort_date == dt.datetime(2026, 1, 2, tzinfo=UTC)  # type: ignore[attr-defined]
    assert r.abort_date.tzinfo is not None  # type: ignore[attr-defined]


def test_list_parts_owner_initiator_and_defaults() -> None:
    body = (
        f"<ListPartsResult {NS}><Initiator><ID>i-id</ID><DisplayName>i-name</DisplayName>"
        "</Initiator><Owner><ID>o-id</ID><DisplayName/></Owner></ListPartsResult>"
    ).encode()
    r = parse("ListParts", body)
    assert (r.initiator.id, r.initiator.display_name) == ("i-id", "i-name")  # type: ignore[attr-defined]
    assert (r.owner.id, r.owner.display_name) == ("o-id", "")  # type: ignore[attr-defined]
    assert r.is_truncated is False and r.parts == []  # type: ignore[attr-defined]
    u = parse("ListMultipartUploads", f"<ListMultipartUploadsResult {NS}/>".encode())
    assert u.is_truncated is False and u.uploads == [] and u.common_prefixes == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("op", "body"),
    [
        ("AbortMultipartUpload", b""),
        (
            "CreateMultipartUpload",
            b"<InitiateMultipartUploadResult><UploadId>u</UploadId>"
            b"</InitiateMultipartUploadResult>",
        ),
        ("UploadPart", b""),
        ("CompleteMultipartUpload", b"<CompleteMultipartUploadResult/>"),
        ("ListParts", b"<ListPartsResult/>"),
        ("ListMultipartUploads", b"<ListMultipartUploadsResult/>"),
    ],
)
def test_every_parser_keeps_the_response_metadata(op: str, body: bytes) -> None:
    headers = hdrs(x_amz_request_id="REQ")
    meta = metadata(200, headers, 1)
    r = BY_NAME[op].parser(200, headers, body, meta)
    assert r.response_metadata is meta


def test_unreadable_header_value_names_the_header() -> None:
    with pytest.raises(
        ResponseParseError, match=r"^the server sent an unreadable x-amz-abort-date: 'garbage'$"
    ) as info:
        parse("ListParts", b"<ListPartsResult/>", x_amz_abort_date="garbage")
    # known gap, see docs/testing.md: value errors do not carry the status yet
    assert info.value.status_code is None


def test_empty_owner_id_and_common_prefix_are_empty_strings() -> None:
    r = parse("ListParts", b"<ListPartsResult><Owner><ID/></Owner></ListPartsResult>")
    assert r.owner.id == ""  # type: ignore[attr-defined]
    body = (
        b"<ListMultipartUploadsResult><CommonPrefixes><Prefix/></CommonPrefixes>"
        b"</ListMultipartUploadsResult>"
    )
    u = parse("ListMultipartUploads", body)
    assert [p.prefix for p in u.common_prefixes] == [""]  # type: ignore[attr-defined]
