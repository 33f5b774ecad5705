"""GetBucketLifecycleConfiguration / PutBucketLifecycleConfiguration / DeleteBucketLifecycle
on the wire (compared with botocore's serialiser and parser on the same parameters and
XML), their errors, and the `ensure_abort_incomplete_uploads_rule` and
`remove_abort_incomplete_uploads_rule` helpers against a stateful fake bucket."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import pickle
import re
from collections.abc import Callable
from typing import Any

import botocore.config
import botocore.exceptions
import botocore.session
import pytest
from botocore.parsers import create_parser

import aios3
from aios3._lifecycle import DEFAULT_RULE_ID, default_rule_id, drop_abort_rule
from aios3._serialize import lifecycle_body, serialize
from aios3.errors import (
    ClientError,
    LifecycleRuleConflictError,
    NoSuchLifecycleConfiguration,
    ParamValidationError,
    ResponseParseError,
)
from aios3.models import (
    AbortRuleRemovalResult,
    BucketLifecycleConfiguration,
    DeleteBucketLifecycleRequest,
    DeleteBucketLifecycleResponse,
    GetBucketLifecycleConfigurationResponse,
    LifecycleRule,
    PutBucketLifecycleConfigurationRequest,
)
from aios3.testing import MockRequest, MockResponse, MockTransport, Stubber

UTC = dt.timezone.utc
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
ENDPOINT = "http://s3.local"
CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDLC", "aws_secret_access_key": "lc-secret"}

# every member botocore's LifecycleConfiguration has, in botocore's member order
RICH_RULES: list[dict[str, Any]] = [
    {
        "ID": "abort & <tmp>",
        "Filter": {"Prefix": "tmp/"},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    },
    {
        "Expiration": {"Date": dt.datetime(2030, 1, 1, tzinfo=UTC)},
        "ID": "everything",
        "Filter": {
            "And": {
                "Prefix": "p/",
                "Tags": [{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "ü"}],
                "ObjectSizeGreaterThan": 10,
                "ObjectSizeLessThan": 1000,
            }
        },
        "Status": "Disabled",
        "Transitions": [
            {"Days": 30, "StorageClass": "STANDARD_IA"},
            {"Date": dt.datetime(2031, 1, 1, tzinfo=UTC), "StorageClass": "GLACIER"},
        ],
        "NoncurrentVersionTransitions": [
            {"NoncurrentDays": 5, "StorageClass": "GLACIER_IR", "NewerNoncurrentVersions": 2}
        ],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 9, "NewerNoncurrentVersions": 3},
    },
    {"Expiration": {"Days": 1}, "Filter": {"Tag": {"Key": "t", "Value": "u"}}, "Status": "Enabled"},
    {"Expiration": {"Days": 2}, "Filter": {"ObjectSizeGreaterThan": 0}, "Status": "Enabled"},
    {"Expiration": {"Days": 3}, "Filter": {"ObjectSizeLessThan": 5}, "Status": "Enabled"},
    {"Expiration": {"ExpiredObjectDeleteMarker": True}, "Prefix": "", "Status": "Enabled"},
    {"ID": "all", "Filter": {}, "Status": "Enabled"},
    {"ID": "empty prefix", "Filter": {"Prefix": ""}, "Status": "Enabled"},
    {
        "Expiration": {"Date": dt.datetime(2032, 2, 3, 4, 5, 6, 789, tzinfo=UTC)},
        "Prefix": "legacy/",
        "Status": "Enabled",
    },
    {"Expiration": {"Date": dt.datetime(2033, 1, 1)}, "Prefix": "naive", "Status": "Enabled"},
]


def _botocore_client(endpoint: str = ENDPOINT, **config: Any) -> Any:
    return botocore.session.get_session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=botocore.config.Config(s3={"addressing_style": "path"}, **config),
    )


class _Stop(Exception):
    pass


def botocore_request(
    operation: str, params: dict[str, Any], endpoint: str = ENDPOINT, **config: Any
) -> Any:
    """botocore's request for `params`, as it would go out (signed, not sent)."""
    client = _botocore_client(endpoint, **config)
    captured: dict[str, Any] = {}

    def grab(request: Any, **_: object) -> None:
        captured["request"] = request
        raise _Stop

    client.meta.events.register("before-send.s3", grab)
    try:
        with pytest.raises(_Stop):
            getattr(client, botocore.xform_name(operation))(**params)
    finally:
        client.close()
    return captured["request"]


def botocore_parse(operation: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    model = botocore.session.get_session().get_service_model("s3").operation_model(operation)
    parsed = create_parser("rest-xml").parse(
        {"status_code": status, "headers": headers, "body": body}, model.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


Handler = Callable[[MockRequest], MockResponse]


def client(
    handler: Handler, endpoint: str = ENDPOINT, **config: Any
) -> tuple[aios3.S3Client, MockTransport]:
    transport = MockTransport(handler)
    s3 = aios3.S3Client(
        endpoint_url=endpoint,
        region_name="us-east-1",
        transport=transport,
        config=aios3.Config(addressing_style="path", max_attempts=1, **config),
        **CREDS,
    )
    return s3, transport


_COMPARED = re.compile(r"^(x-amz-(?!date$)|content-md5$|content-type$)")


def _compared(headers: Any) -> dict[str, str]:
    out = {}
    for k, v in headers.items():
        if _COMPARED.match(k.lower()):
            out[k.lower()] = v.decode() if isinstance(v, bytes) else v
    return out


# ------------------------------------------------------------------ the request: botocore's


@pytest.mark.parametrize(
    ("params", "config"),
    [
        ({"LifecycleConfiguration": {"Rules": RICH_RULES}}, {}),
        (
            {
                "LifecycleConfiguration": {"Rules": RICH_RULES[:1]},
                "ExpectedBucketOwner": "123456789012",
                "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
            },
            {},
        ),
        # a checksum is required: CRC32 goes even with "when_required", as in botocore
        ({"LifecycleConfiguration": {"Rules": RICH_RULES[:2]}}, {"when_required": True}),
        ({"LifecycleConfiguration": {"Rules": RICH_RULES}, "ChecksumAlgorithm": "SHA256"}, {}),
        ({"LifecycleConfiguration": {"Rules": RICH_RULES[:1]}, "ChecksumAlgorithm": "SHA1"}, {}),
        # over https: a header still (not a streamed payload), the payload SHA-256 signed
        ({"LifecycleConfiguration": {"Rules": RICH_RULES[:2]}}, {"https": True}),
    ],
    ids=["every-member", "owner-and-size", "when_required", "sha256", "sha1", "https"],
)
async def test_put_sends_botocores_request(params: dict[str, Any], config: dict[str, Any]) -> None:
    params = {"Bucket": "bkt", **params}
    when = "when_required" if config.get("when_required") else "when_supported"
    endpoint = "https://s3.local" if config.get("https") else ENDPOINT
    theirs = botocore_request(
        "PutBucketLifecycleConfiguration", params, endpoint, request_checksum_calculation=when
    )
    s3, transport = client(lambda r: MockResponse(200), endpoint, request_checksum_calculation=when)
    async with s3:
        await s3.put_bucket_lifecycle_configuration(**params)
    (ours,) = transport.requests
    assert ours.method == theirs.method == "PUT"
    assert str(ours.url) == theirs.url == f"{endpoint}/bkt?lifecycle"
    assert ours.body == theirs.body
    assert _compared(ours.headers) == _compared(theirs.headers)
    assert "x-amz-checksum-" + (params.get("ChecksumAlgorithm") or "CRC32").lower() in {
        k.lower() for k in ours.headers
    }
    assert "Content-MD5" not in ours.headers  # as botocore: the flexible checksum stands for it


def test_the_body_is_botocores_byte_for_byte() -> None:
    theirs = botocore_request(
        "PutBucketLifecycleConfiguration",
        {"Bucket": "bkt", "LifecycleConfiguration": {"Rules": RICH_RULES}},
    ).body
    ours = lifecycle_body(BucketLifecycleConfiguration(Rules=RICH_RULES))
    assert ours == theirs
    assert b"<ID>abort &amp; &lt;tmp&gt;</ID>" in ours
    assert b"<Filter /><Status>" in ours and b"<Prefix />" in ours
    assert b"<Date>2032-02-03T04:05:06.000789Z</Date>" in ours  # microseconds, as botocore
    assert b"<Date>2033-01-01T00:00:00Z</Date>" in ours  # naive is UTC, as botocore


async def test_get_sends_botocores_request() -> None:
    params = {"Bucket": "bkt", "ExpectedBucketOwner": "123456789012"}
    theirs = botocore_request("GetBucketLifecycleConfiguration", params)
    s3, transport = client(lambda r: MockResponse(200, body=b"<LifecycleConfiguration/>"))
    async with s3:
        await s3.get_bucket_lifecycle_configuration(**params)
    (ours,) = transport.requests
    assert (ours.method, str(ours.url)) == ("GET", f"{ENDPOINT}/bkt?lifecycle")
    assert theirs.url == f"{ENDPOINT}/bkt?lifecycle"
    assert _compared(ours.headers) == _compared(theirs.headers)
    assert ours.body == b""


async def test_delete_sends_botocores_request() -> None:
    params = {"Bucket": "bkt", "ExpectedBucketOwner": "123456789012"}
    theirs = botocore_request("DeleteBucketLifecycle", params)
    s3, transport = client(lambda r: MockResponse(204, {"x-amz-request-id": "RID"}))
    async with s3:
        r = await s3.delete_bucket_lifecycle(**params)
        by_model = await s3.delete_bucket_lifecycle(DeleteBucketLifecycleRequest(**params))
    assert isinstance(r, DeleteBucketLifecycleResponse)
    assert r.to_dict() == by_model.to_dict()
    assert r.response_metadata.http_status_code == 204
    assert r.response_metadata.request_id == "RID"
    assert set(r.to_dict()) == {"ResponseMetadata"}
    ours = transport.requests[0]
    assert (ours.method, str(ours.url)) == ("DELETE", f"{ENDPOINT}/bkt?lifecycle")
    assert (theirs.method, theirs.url) == ("DELETE", f"{ENDPOINT}/bkt?lifecycle")
    assert _compared(ours.headers) == _compared(theirs.headers)
    assert ours.headers["x-amz-expected-bucket-owner"] == "123456789012"
    assert ours.body == b"" and not theirs.body


@pytest.mark.parametrize(
    ("status", "body", "raised"),
    [
        (
            404,
            b"<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist"
            b"</Message><BucketName>bkt</BucketName></Error>",
            aios3.errors.NoSuchBucket,
        ),
        (403, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>", aios3.AccessDenied),
        # botocore reads no body for this operation; aios3 raises an <Error> even in a 2xx
        (200, b"<Error><Code>InternalError</Code><Message>oops</Message></Error>", ClientError),
    ],
    ids=["no-such-bucket", "access-denied", "error-in-200"],
)
async def test_delete_errors_are_typed(status: int, body: bytes, raised: type[Exception]) -> None:
    s3, transport = client(lambda r: MockResponse(status, {"x-amz-request-id": "R"}, body))
    async with s3:
        with pytest.raises(raised) as info:
            await s3.delete_bucket_lifecycle(Bucket="bkt")
    e = info.value
    assert isinstance(e, ClientError)
    assert (e.status_code, e.request_id, e.operation_name) == (
        status,
        "R",
        "DeleteBucketLifecycle",
    )
    assert len(transport.requests) == 1


async def test_delete_refuses_bad_parameters_before_sending() -> None:
    s3, transport = client(lambda r: MockResponse(204))
    async with s3:
        for params, words in [
            ({"Bucket": "not a bucket"}, "Bucket"),
            ({"Bucket": "bkt", "ExpectedBucketOwner": "me"}, "ExpectedBucketOwner"),
            ({}, "Bucket"),
            ({"Bucket": "bkt", "Rules": []}, "Rules"),
        ]:
            with pytest.raises(ParamValidationError, match=words):
                await s3.delete_bucket_lifecycle(**params)  # type: ignore[arg-type]
    assert transport.requests == []


DIRECTORY_BUCKET = "lc--use1-az4--x-s3"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("get_bucket_lifecycle_configuration", {}),
        (
            "put_bucket_lifecycle_configuration",
            {"LifecycleConfiguration": {"Rules": RICH_RULES[:1]}},
        ),
        ("delete_bucket_lifecycle", {}),
        ("delete_bucket", {}),
        ("create_bucket", {}),
    ],
)
async def test_a_directory_bucket_goes_to_the_control_endpoint_as_in_botocore(
    method: str, params: dict[str, Any]
) -> None:
    """botocore's `UseS3ExpressControlEndpoint`: the regional s3express-control endpoint,
    path style, signed with the long-term credentials; no CreateSession."""
    params = {"Bucket": DIRECTORY_BUCKET, **params}
    client = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="AKIDLC", aws_secret_access_key="x"
    )
    captured: dict[str, Any] = {}

    def grab(request: Any, **_: object) -> None:
        captured["request"] = request
        raise _Stop

    client.meta.events.register("before-send.s3", grab)
    with pytest.raises(_Stop):
        getattr(client, method)(**params)
    client.close()
    theirs = captured["request"]
    body = b"<LifecycleConfiguration/>" if method.startswith("get") else b""
    transport = MockTransport(lambda r: MockResponse(200, body=body))
    async with aios3.S3Client(
        region_name="us-east-1", transport=transport, config=aios3.Config(max_attempts=1), **CREDS
    ) as s3:
        await getattr(s3, method)(**params)
    (ours,) = transport.requests  # no CreateSession first
    assert (ours.method, str(ours.url)) == (theirs.method, theirs.url)
    assert theirs.url.startswith(
        f"https://s3express-control.us-east-1.amazonaws.com/{DIRECTORY_BUCKET}"
    )
    scope = re.compile(r"Credential=AKIDLC/\d{8}/(us-east-1/s3express/aws4_request)")
    auth = theirs.headers["Authorization"].decode()
    assert scope.search(ours.headers["Authorization"])[1] == scope.search(auth)[1]  # type: ignore[index]
    assert "x-amz-s3session-token" not in {k.lower() for k in ours.headers}


# ------------------------------------------------------------------ the answer: botocore's

CEPH_STYLE = (  # what Ceph RGW 16 answers for rules it was given another way
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b"<LifecycleConfiguration " + NS.encode() + b">"
    b"<Rule><ID>abort-all</ID><Prefix></Prefix><Status>Enabled</Status>"
    b"<AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation>"
    b"</AbortIncompleteMultipartUpload></Rule>"
    b"<Rule><ID>and</ID><Filter><Prefix>p/</Prefix><And><Tag><Key>k</Key><Value>v</Value></Tag>"
    b"</And></Filter><Status>Enabled</Status><Expiration><Days>10</Days></Expiration></Rule>"
    b"</LifecycleConfiguration>"
)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (
            {"x-amz-transition-default-minimum-object-size": "all_storage_classes_128K"},
            botocore_request(
                "PutBucketLifecycleConfiguration",
                {"Bucket": "b", "LifecycleConfiguration": {"Rules": RICH_RULES}},
            ).body,
        ),
        ({}, CEPH_STYLE),
        (
            {},
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule></LifecycleConfiguration>",
        ),
        ({}, b"<LifecycleConfiguration " + NS.encode() + b"/>"),
        ({}, b""),  # SeaweedFS, after a put of no rules
        (
            {},
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Unknown>x</Unknown>"
            b"<Filter><Prefix/></Filter></Rule></LifecycleConfiguration>",
        ),
    ],
    ids=["every-member", "ceph-style", "bare", "no-rules", "empty-body", "unknown-and-empty"],
)
async def test_get_parses_as_botocore(headers: dict[str, str], body: bytes) -> None:
    theirs = botocore_parse("GetBucketLifecycleConfiguration", 200, headers, body)
    s3, _ = client(lambda r: MockResponse(200, headers, body))
    async with s3:
        r = await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
    assert isinstance(r, GetBucketLifecycleConfigurationResponse)
    ours = r.to_dict()
    ours.pop("ResponseMetadata")
    assert ours == theirs
    assert all(isinstance(rule, LifecycleRule) for rule in r.rules)


async def test_rules_read_go_back_as_botocore_would_write_them() -> None:
    """A rule the server sent, even one aios3 would refuse as input (Ceph's filter with a
    Prefix beside an And), is written back with the same content: the body is botocore's
    for the rules botocore reads from the same answer (in botocore's member order)."""
    s3, _ = client(lambda r: MockResponse(200, body=CEPH_STYLE))
    async with s3:
        rules = (await s3.get_bucket_lifecycle_configuration(Bucket="bkt")).rules
    assert rules[1].filter is not None and rules[1].filter.prefix == "p/"
    assert rules[1].filter.and_ is not None
    with pytest.raises(ParamValidationError):  # as input, it is refused
        LifecycleRule(**rules[1].model_dump(by_alias=True, exclude_none=True))
    request = PutBucketLifecycleConfigurationRequest(
        Bucket="bkt",
        LifecycleConfiguration=BucketLifecycleConfiguration.model_construct(rules=rules),
    )
    read = botocore_parse("GetBucketLifecycleConfiguration", 200, {}, CEPH_STYLE)
    theirs = botocore_request(
        "PutBucketLifecycleConfiguration", {"Bucket": "bkt", "LifecycleConfiguration": read}
    )
    assert serialize(request).body == theirs.body


async def test_an_empty_number_is_left_out() -> None:
    """botocore fails on `<Days/>` (int("")); aios3 leaves the member out, as for the other
    answers it reads."""
    body = (
        b"<LifecycleConfiguration><Rule><Status>Enabled</Status>"
        b"<Expiration><Days/></Expiration></Rule></LifecycleConfiguration>"
    )
    s3, _ = client(lambda r: MockResponse(200, body=body))
    async with s3:
        r = await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
    assert r.to_dict()["Rules"] == [{"Status": "Enabled", "Expiration": {}}]


async def test_put_reads_the_transition_default_minimum_object_size() -> None:
    size = {"x-amz-transition-default-minimum-object-size": "varies_by_storage_class"}
    s3, _ = client(lambda r: MockResponse(200, size))
    async with s3:
        r = await s3.put_bucket_lifecycle_configuration(
            Bucket="bkt", LifecycleConfiguration={"Rules": RICH_RULES[:1]}
        )
    assert r.transition_default_minimum_object_size == "varies_by_storage_class"
    assert r.to_dict()["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body>proxy</body></html>", "not <LifecycleConfiguration>"),
        (b"<LifecycleConfiguration><Rule><ID>x</ID></Rule></LifecycleConfiguration>", "Status"),
        (
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key>"
            b"</Tag></Filter></Rule></LifecycleConfiguration>",
            "<Key> and <Value>",
        ),
        (
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>x</Days>"
            b"</Expiration></Rule></LifecycleConfiguration>",
            "<Days>",
        ),
        (b"<LifecycleConfiguration><Rule>", "unreadable XML"),
    ],
    ids=["html", "no-status", "tag-without-value", "bad-number", "truncated"],
)
async def test_an_answer_that_is_not_a_configuration_is_a_parse_error(
    body: bytes, words: str
) -> None:
    """Read as "no rules", a proxy's page would make the helper drop every rule."""
    s3, _ = client(lambda r: MockResponse(200, body=body))
    async with s3:
        with pytest.raises(ResponseParseError, match=re.escape(words)):
            await s3.get_bucket_lifecycle_configuration(Bucket="bkt")


# ------------------------------------------------------------------ errors

NO_CONFIG = (
    b"<Error><Code>NoSuchLifecycleConfiguration</Code>"
    b"<Message>The lifecycle configuration does not exist</Message>"
    b"<BucketName>bkt</BucketName><RequestId>RID</RequestId></Error>"
)


async def test_no_lifecycle_configuration_is_a_typed_error() -> None:
    s3, _ = client(lambda r: MockResponse(404, {"x-amz-request-id": "RID"}, NO_CONFIG))
    async with s3:
        with pytest.raises(NoSuchLifecycleConfiguration) as info:
            await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
        assert s3.exceptions.NoSuchLifecycleConfiguration is NoSuchLifecycleConfiguration
        assert s3.exceptions.from_code("NoSuchLifecycleConfiguration") is (
            NoSuchLifecycleConfiguration
        )
    e = info.value
    assert isinstance(e, ClientError) and isinstance(e, botocore.exceptions.ClientError)
    assert (e.code, e.status_code, e.request_id) == ("NoSuchLifecycleConfiguration", 404, "RID")
    assert e.message == "The lifecycle configuration does not exist"
    assert e.operation_name == "GetBucketLifecycleConfiguration"
    assert e.response["Error"]["BucketName"] == "bkt"
    assert str(e).startswith(
        "An error occurred (NoSuchLifecycleConfiguration) when calling the "
        "GetBucketLifecycleConfiguration operation"
    )
    assert "The lifecycle configuration does not exist" in str(e)
    assert type(pickle.loads(pickle.dumps(e))) is NoSuchLifecycleConfiguration


@pytest.mark.parametrize(
    ("configuration", "words"),
    [
        ({"Rules": []}, "Rules: List should have at least 1 item"),
        ({"Rules": [{"ID": "a"}]}, "Status"),
        ({"Rules": [{"Status": "On"}]}, "Status"),
        ({"Rules": [{"Status": "Enabled", "Filters": {}}]}, "Filters"),
        (
            {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Filter": {"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}},
                    }
                ]
            },
            "Filter takes Prefix or Tag or",
        ),
        ({"Rules": [{"Status": "Enabled", "Prefix": "a", "Filter": {}}]}, "Prefix or Filter"),
        ({"Rules": [{"ID": "x", "Status": "Enabled"}, {"ID": "x", "Status": "Enabled"}]}, "'x'"),
        ({"Rules": [{"Status": "Enabled", "Expiration": {"Days": 0}}]}, "Days: Input should be"),
        (
            {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Expiration": {"Days": 1, "Date": dt.datetime(2030, 1, 1)},
                    }
                ]
            },
            "Expiration takes",
        ),
        (
            {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0},
                    }
                ]
            },
            "DaysAfterInitiation",
        ),
        ({"Rules": [{"Status": "Enabled", "ID": "i" * 256}]}, "ID"),
        ({"Rules": [{"Status": "Enabled"}] * 1001}, "Rules"),
        ({"Rules": [{"Status": "Enabled", "Filter": {"Tag": {"Key": "k"}}}]}, "Value"),
        (
            {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Filter": {"And": {"Tags": [{"Key": "k", "Value": "v"}]}},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    }
                ]
            },
            "AbortIncompleteMultipartUpload cannot be used with a Tag filter",
        ),
    ],
    ids=[
        "no-rules",
        "no-status",
        "bad-status",
        "typo",
        "two-conditions",
        "prefix-and-filter",
        "same-id",
        "days-0",
        "days-and-date",
        "abort-days-0",
        "long-id",
        "1001-rules",
        "tag-without-value",
        "abort-with-tags",
    ],
)
async def test_bad_configurations_are_refused_before_sending(
    configuration: dict[str, Any], words: str
) -> None:
    s3, transport = client(lambda r: MockResponse(200))
    async with s3:
        with pytest.raises(ParamValidationError) as info:
            await s3.put_bucket_lifecycle_configuration(
                Bucket="bkt",
                LifecycleConfiguration=configuration,  # type: ignore[typeddict-item]
            )
    assert words in str(info.value)
    assert transport.requests == []


async def test_stubber_answers_both_operations() -> None:
    s3, transport = client(lambda r: MockResponse(500))
    async with s3:
        with Stubber(s3) as stub:
            stub.add_response("get_bucket_lifecycle_configuration", {"Rules": RICH_RULES[:1]})
            stub.add_response(
                "put_bucket_lifecycle_configuration",
                {},
                {"Bucket": "bkt", "LifecycleConfiguration": {"Rules": RICH_RULES[:1]}},
            )
            stub.add_client_error(
                "get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", "none", 404
            )
            got = await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
            assert got.rules[0].abort_incomplete_multipart_upload is not None
            assert got.rules[0].abort_incomplete_multipart_upload.days_after_initiation == 7
            await s3.put_bucket_lifecycle_configuration(
                Bucket="bkt", LifecycleConfiguration={"Rules": RICH_RULES[:1]}
            )
            with pytest.raises(NoSuchLifecycleConfiguration):
                await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
            stub.assert_no_pending_responses()
    assert transport.requests == []


# ------------------------------------------------------------------ the helper


class FakeBucket:
    """One bucket's lifecycle configuration, kept as S3 keeps it (the XML body of the last
    put, and its TransitionDefaultMinimumObjectSize)."""

    def __init__(self, body: bytes | None = None, size: str | None = None) -> None:
        self.body = body
        self.size = size
        self.puts: list[MockRequest] = []

    def __call__(self, request: MockRequest) -> MockResponse:
        assert request.query == {"lifecycle": ""}
        if request.method == "DELETE":  # 204, configuration or not
            self.body = self.size = None
            return MockResponse(204)
        if request.method == "PUT":
            self.puts.append(request)
            self.body = request.body
            self.size = request.headers.get(
                "x-amz-transition-default-minimum-object-size", "all_storage_classes_128K"
            )
            return MockResponse(200)
        if self.body is None:
            return MockResponse(404, body=NO_CONFIG)
        headers = (
            {} if self.size is None else {"x-amz-transition-default-minimum-object-size": self.size}
        )
        return MockResponse(200, headers, self.body)


def body_of(rules: list[dict[str, Any]]) -> bytes:
    return lifecycle_body(BucketLifecycleConfiguration(Rules=rules))


def abort_rule_xml(rule_id: str, days: int, prefix: str = "") -> bytes:
    p = f"<Prefix>{prefix}</Prefix>" if prefix else "<Prefix />"
    return (
        f"<Rule><ID>{rule_id}</ID><Filter>{p}</Filter><Status>Enabled</Status>"
        f"<AbortIncompleteMultipartUpload><DaysAfterInitiation>{days}</DaysAfterInitiation>"
        "</AbortIncompleteMultipartUpload></Rule>"
    ).encode()


END = b"</LifecycleConfiguration>"


async def test_added_to_a_bucket_without_configuration_then_unchanged() -> None:
    bucket = FakeBucket()
    s3, transport = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7)
        assert r.action == "added"
        assert r.rule.id == DEFAULT_RULE_ID
        assert r.previous is None
        assert [x.id for x in r.rules] == [DEFAULT_RULE_ID]
        assert (
            bucket.body
            == b"<LifecycleConfiguration "
            + NS.encode()
            + b">"
            + abort_rule_xml(DEFAULT_RULE_ID, 7)
            + END
        )
        assert [q.method for q in transport.requests] == ["GET", "PUT"]
        # no size read (no configuration yet): none is sent, S3 keeps its default
        assert "x-amz-transition-default-minimum-object-size" not in bucket.puts[0].headers

        again = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7)
        assert again.action == "unchanged"
        assert again.rule == r.rule
        assert [q.method for q in transport.requests] == ["GET", "PUT", "GET"]  # nothing written


async def test_every_other_rule_and_the_size_setting_are_kept_exactly() -> None:
    original = body_of(RICH_RULES[1:])  # all but the abort rule
    bucket = FakeBucket(original, "varies_by_storage_class")
    s3, _ = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=3, prefix="up/")
    assert r.action == "added"
    assert r.rule.id == "aios3-abort-incomplete-uploads-up/"
    assert bucket.body == original[: -len(END)] + abort_rule_xml(r.rule.id, 3, "up/") + END
    (put,) = bucket.puts
    assert put.headers["x-amz-transition-default-minimum-object-size"] == "varies_by_storage_class"
    assert r.transition_default_minimum_object_size == "varies_by_storage_class"
    assert len(r.rules) == len(RICH_RULES)


async def test_days_are_updated_in_place() -> None:
    rules = [RICH_RULES[1], {**RICH_RULES[0], "ID": "mine"}, RICH_RULES[2]]
    bucket = FakeBucket(body_of(rules))
    s3, _ = client(bucket)
    async with s3:
        # matched by filter (tmp/) and action, whatever its ID: the ID is kept
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=2, prefix="tmp/")
    assert r.action == "updated"
    assert r.rule.id == "mine"
    assert r.previous is not None and r.previous.abort_incomplete_multipart_upload is not None
    assert r.previous.abort_incomplete_multipart_upload.days_after_initiation == 7
    assert bucket.body == body_of(
        [
            rules[0],
            {**rules[1], "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
            rules[2],
        ]
    )


async def test_the_rule_with_the_id_given_is_the_one_changed() -> None:
    rules = [
        {
            "ID": "abort",
            "Filter": {"Prefix": "old/"},
            "Status": "Disabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 30},
        },
        {
            "ID": "logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 30},
        },
    ]
    bucket = FakeBucket(body_of(rules))
    s3, _ = client(bucket)
    async with s3:
        # an abort-only rule: its filter and status are the helper's to set
        r = await s3.ensure_abort_incomplete_uploads_rule(
            Bucket="bkt", days=5, prefix="new/", rule_id="abort"
        )
        assert r.action == "updated"
        assert bucket.body == body_of(
            [
                {
                    "ID": "abort",
                    "Filter": {"Prefix": "new/"},
                    "Status": "Enabled",
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 5},
                },
                rules[1],
            ]
        )
        # a rule with other actions gets the abort action when its filter is the same
        r = await s3.ensure_abort_incomplete_uploads_rule(
            Bucket="bkt", days=1, prefix="logs/", rule_id="logs"
        )
        assert r.action == "updated"
        assert r.rule.expiration is not None and r.rule.expiration.days == 30
        assert r.rule.abort_incomplete_multipart_upload is not None


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (
            {
                "ID": "logs",
                "Filter": {"Prefix": "logs/"},
                "Status": "Enabled",
                "Expiration": {"Days": 30},
            },
            "has another filter",
        ),
        (
            {
                "ID": "logs",
                "Filter": {"Prefix": "tmp/"},
                "Status": "Disabled",
                "Expiration": {"Days": 30},
            },
            "is disabled",
        ),
    ],
    ids=["other-filter", "disabled"],
)
async def test_a_rule_id_naming_a_rule_with_other_actions_is_a_conflict(
    rule: dict[str, Any], words: str
) -> None:
    bucket = FakeBucket(body_of([rule]))
    s3, transport = client(bucket)
    async with s3:
        with pytest.raises(LifecycleRuleConflictError, match=words) as info:
            await s3.ensure_abort_incomplete_uploads_rule(
                Bucket="bkt", days=7, prefix="tmp/", rule_id="logs"
            )
    e = info.value
    assert (e.bucket, e.rule_id, e.rule.id) == ("bkt", "logs", "logs")
    assert [q.method for q in transport.requests] == ["GET"]  # nothing written
    for other in (pickle.loads(pickle.dumps(e)), copy.copy(e)):
        assert (type(other), str(other), other.rule_id, other.rule) == (
            LifecycleRuleConflictError,
            str(e),
            "logs",
            e.rule,
        )


async def test_a_disabled_abort_rule_with_other_actions_is_left_alone() -> None:
    """Enabling it would enable its expiration too: a new rule is added instead."""
    rules = [
        {
            "ID": "old",
            "Filter": {"Prefix": ""},
            "Status": "Disabled",
            "Expiration": {"Days": 1},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]
    bucket = FakeBucket(body_of(rules))
    s3, _ = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt")
    assert r.action == "added"
    assert [(x.id, x.status) for x in r.rules] == [
        ("old", "Disabled"),
        (DEFAULT_RULE_ID, "Enabled"),
    ]


@pytest.mark.parametrize(
    "whole_bucket",
    [
        {"Filter": {}},
        {"Filter": {"Prefix": ""}},
        {"Filter": {"And": {"Prefix": ""}}},
        {"Prefix": ""},  # Ceph RGW reads Filter={} back so
    ],
    ids=["empty-filter", "empty-prefix", "and-prefix", "legacy-prefix"],
)
async def test_every_spelling_of_the_whole_bucket_matches(whole_bucket: dict[str, Any]) -> None:
    rule = {
        "ID": "x",
        **whole_bucket,
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }
    bucket = FakeBucket(body_of([rule]))
    s3, transport = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7)
    assert r.action == "unchanged"
    assert r.rule.id == "x"
    assert len(transport.requests) == 1


async def test_tag_and_size_filters_do_not_match_a_prefix() -> None:
    rules = [
        {
            "ID": "big",
            "Filter": {"And": {"Prefix": "", "ObjectSizeGreaterThan": 1}},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
        {
            "ID": "tagged",
            "Filter": {"Tag": {"Key": "k", "Value": "v"}},
            "Status": "Enabled",
            "Expiration": {"Days": 7},
        },
    ]
    bucket = FakeBucket(body_of(rules))
    s3, _ = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7)
    assert r.action == "added"


async def test_a_configuration_in_the_older_prefix_style_gets_the_same_style() -> None:
    rules = [{"ID": "logs", "Prefix": "logs/", "Status": "Enabled", "Expiration": {"Days": 30}}]
    bucket = FakeBucket(body_of(rules))
    s3, _ = client(bucket)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7, prefix="tmp/")
    assert r.rule.filter is None and r.rule.prefix == "tmp/"
    assert bucket.body == body_of(
        [
            rules[0],
            {
                "ID": r.rule.id,
                "Prefix": "tmp/",
                "Status": "Enabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            },
        ]
    )


async def test_expected_bucket_owner_reaches_both_calls() -> None:
    bucket = FakeBucket()
    s3, transport = client(bucket)
    async with s3:
        await s3.ensure_abort_incomplete_uploads_rule(
            Bucket="bkt", ExpectedBucketOwner="123456789012"
        )
    assert [q.headers["x-amz-expected-bucket-owner"] for q in transport.requests] == [
        "123456789012",
        "123456789012",
    ]


async def test_errors_other_than_no_configuration_propagate_and_nothing_is_written() -> None:
    denied = b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>"
    s3, transport = client(lambda r: MockResponse(403, body=denied))
    async with s3:
        with pytest.raises(aios3.AccessDenied):
            await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt")
    assert [q.method for q in transport.requests] == ["GET"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"days": 0}, "days"),
        ({"days": True}, "days"),
        ({"days": "7"}, "days"),
        ({"prefix": b"tmp/"}, "prefix"),
        ({"rule_id": ""}, "rule_id"),
        ({"rule_id": "r" * 256}, "rule_id"),
        ({"Bucket": "not a bucket"}, "Bucket"),
        ({"ExpectedBucketOwner": "me"}, "ExpectedBucketOwner"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(kwargs: dict[str, Any], words: str) -> None:
    s3, transport = client(FakeBucket())
    async with s3:
        with pytest.raises(ParamValidationError, match=words):
            await s3.ensure_abort_incomplete_uploads_rule(**{"Bucket": "bkt", **kwargs})
    assert transport.requests == []


def test_default_rule_ids() -> None:
    assert default_rule_id("") == "aios3-abort-incomplete-uploads"
    assert default_rule_id("tmp/") == "aios3-abort-incomplete-uploads-tmp/"
    long = default_rule_id("p" * 1000)
    assert len(long) <= 255 and long.startswith("aios3-abort-incomplete-uploads-")
    assert long != default_rule_id("p" * 999)


async def test_the_stubber_acts_out_the_helper() -> None:
    s3, _ = client(lambda r: MockResponse(500))
    async with s3:
        with Stubber(s3) as stub:
            stub.add_client_error(
                "get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", "", 404
            )
            stub.add_response(
                "put_bucket_lifecycle_configuration",
                {},
                {
                    "Bucket": "bkt",
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "ID": DEFAULT_RULE_ID,
                                "Filter": {"Prefix": ""},
                                "Status": "Enabled",
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                            }
                        ]
                    },
                },
            )
            r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt")
            stub.assert_no_pending_responses()
    assert r.action == "added"


async def test_nothing_runs_between_the_read_and_the_write() -> None:
    """The race window: from the get's answer to the put, the helper gives no other task a
    turn of the event loop (the merge is plain Python), so the window in which another
    writer's change could be lost is the put's own round trip."""
    events: list[str] = []
    bucket = FakeBucket(body_of(RICH_RULES[1:3]))

    def handler(request: MockRequest) -> MockResponse:
        if request.method == "GET":
            asyncio.get_running_loop().call_soon(events.append, "a turn of the loop")
        else:
            events.append("put sent")
        return bucket(request)

    s3, _ = client(handler)
    async with s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt")
        await asyncio.sleep(0)
    assert r.action == "added"
    assert events == ["put sent", "a turn of the loop"]


# ------------------------------------------------------------------ removing the rule

EXPIRE_LOGS: dict[str, Any] = {
    "ID": "expire-logs",
    "Filter": {"Prefix": "logs/"},
    "Status": "Enabled",
    "Expiration": {"Days": 30},
}


def aios3_rule(days: int = 7, prefix: str = "", **more: Any) -> dict[str, Any]:
    return {
        "ID": default_rule_id(prefix),
        "Filter": {"Prefix": prefix},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
        **more,
    }


async def test_removed_and_every_other_rule_and_the_size_setting_kept_exactly() -> None:
    others = RICH_RULES[1:]
    bucket = FakeBucket(body_of([others[0], aios3_rule(), *others[1:]]), "varies_by_storage_class")
    s3, transport = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt")
    assert isinstance(r, AbortRuleRemovalResult)
    assert (r.action, r.rule_id, r.rule) == ("removed", DEFAULT_RULE_ID, None)
    assert r.previous is not None and r.previous.id == DEFAULT_RULE_ID
    assert bucket.body == body_of(others)  # byte for byte, in the same order
    assert [q.method for q in transport.requests] == ["GET", "PUT"]
    (put,) = bucket.puts
    assert put.headers["x-amz-transition-default-minimum-object-size"] == "varies_by_storage_class"
    assert r.transition_default_minimum_object_size == "varies_by_storage_class"
    assert len(r.rules) == len(others)


async def test_a_rule_with_other_actions_loses_only_its_abort_action() -> None:
    mine = aios3_rule(prefix="logs/", Expiration={"Days": 30})
    bucket = FakeBucket(body_of([mine]))
    s3, transport = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt", prefix="logs/")
    assert r.action == "action_removed"
    assert r.rule is not None and r.rule.abort_incomplete_multipart_upload is None
    assert r.rule.expiration is not None and r.rule.expiration.days == 30
    assert r.previous is not None and r.previous.abort_incomplete_multipart_upload is not None
    without = {k: v for k, v in mine.items() if k != "AbortIncompleteMultipartUpload"}
    assert bucket.body == body_of([without])
    assert [q.method for q in transport.requests] == ["GET", "PUT"]  # the rule stays: no delete


@pytest.mark.parametrize(
    "other",
    [
        {"Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
        {"NoncurrentVersionTransitions": [{"NoncurrentDays": 5, "StorageClass": "GLACIER"}]},
        {"NoncurrentVersionExpiration": {"NoncurrentDays": 9}},
        {"Expiration": {"ExpiredObjectDeleteMarker": True}},
    ],
    ids=["transitions", "noncurrent-transitions", "noncurrent-expiration", "markers"],
)
async def test_no_other_action_is_ever_dropped(other: dict[str, Any]) -> None:
    """The same list of other actions as `ensure_abort_incomplete_uploads_rule`'s."""
    bucket = FakeBucket(body_of([aios3_rule(**other)]))
    s3, _ = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt")
        assert r.action == "action_removed"
        # and the ensure helper reads it the same way: a rule with other actions
        again = await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=3)
    assert again.action == "updated" and again.rule.id == DEFAULT_RULE_ID
    assert bucket.body == body_of([aios3_rule(3, **other)])


async def test_the_only_rule_deletes_the_configuration() -> None:
    bucket = FakeBucket(body_of([aios3_rule(3, "tmp/")]), "varies_by_storage_class")
    s3, transport = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(
            Bucket="bkt", prefix="tmp/", ExpectedBucketOwner="123456789012"
        )
        assert r.action == "configuration_deleted"
        assert (r.rule_id, r.rule, r.rules) == ("aios3-abort-incomplete-uploads-tmp/", None, [])
        assert r.previous is not None and r.previous.id == r.rule_id
        assert r.transition_default_minimum_object_size == "varies_by_storage_class"
        assert [q.method for q in transport.requests] == ["GET", "DELETE"]  # no empty put
        delete = transport.requests[1]
        assert str(delete.url) == f"{ENDPOINT}/bkt?lifecycle" and delete.body == b""
        assert all(
            q.headers["x-amz-expected-bucket-owner"] == "123456789012" for q in transport.requests
        )
        assert bucket.body is None
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket="bkt")
        # again: nothing there any more, nothing written
        again = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt", prefix="tmp/")
    assert (again.action, again.rules, again.previous) == ("absent", [], None)
    assert [q.method for q in transport.requests] == ["GET", "DELETE", "GET", "GET"]


async def test_ensure_then_remove_leaves_the_bucket_as_it_was() -> None:
    for start in (None, body_of([EXPIRE_LOGS])):
        bucket = FakeBucket(start)
        s3, _ = client(bucket)
        async with s3:
            await s3.ensure_abort_incomplete_uploads_rule(Bucket="bkt", days=7, prefix="up/")
            r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt", prefix="up/")
        assert r.action == ("configuration_deleted" if start is None else "removed")
        assert bucket.body == start


@pytest.mark.parametrize(
    ("rules", "kwargs", "action"),
    [
        ([], {}, "absent"),  # no configuration at all
        ([EXPIRE_LOGS], {}, "absent"),
        # a rule for the prefix with the action, under another ID: not aios3's, not touched
        ([{**aios3_rule(prefix="tmp/"), "ID": "theirs"}], {"prefix": "tmp/"}, "absent"),
        ([aios3_rule()], {"prefix": "tmp/"}, "absent"),  # another prefix, another ID
        ([EXPIRE_LOGS], {"rule_id": "expire-logs"}, "no_abort_action"),
    ],
    ids=["no-configuration", "other-rules", "other-id", "other-prefix", "no-abort-action"],
)
async def test_nothing_is_written_when_there_is_nothing_to_remove(
    rules: list[dict[str, Any]], kwargs: dict[str, Any], action: str
) -> None:
    bucket = FakeBucket(body_of(rules) if rules else None)
    before = bucket.body
    s3, transport = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt", **kwargs)
    assert r.action == action
    assert [q.method for q in transport.requests] == ["GET"]
    assert bucket.body == before
    assert [x.id for x in r.rules] == [x.get("ID") for x in rules]
    if action == "no_abort_action":
        assert r.rule is r.previous and r.rule is not None and r.rule.id == "expire-logs"
    else:
        assert r.rule is None and r.previous is None
    assert r.rule_id == kwargs.get("rule_id") or default_rule_id(kwargs.get("prefix", ""))


async def test_the_rule_id_given_is_the_one_removed() -> None:
    bucket = FakeBucket(body_of([aios3_rule(), {**aios3_rule(prefix="x/"), "ID": "mine"}]))
    s3, _ = client(bucket)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt", rule_id="mine")
    assert r.action == "removed" and r.rule_id == "mine"
    assert bucket.body == body_of([aios3_rule()])


async def test_remove_errors_propagate() -> None:
    denied = b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>"
    bucket = FakeBucket(body_of([aios3_rule()]))

    def handler(request: MockRequest) -> MockResponse:
        if request.method == "DELETE":
            return MockResponse(403, body=denied)
        return bucket(request)

    s3, transport = client(handler)
    async with s3:
        with pytest.raises(aios3.AccessDenied) as info:
            await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt")
    assert info.value.operation_name == "DeleteBucketLifecycle"
    assert [q.method for q in transport.requests] == ["GET", "DELETE"]
    assert bucket.body == body_of([aios3_rule()])  # still there


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"prefix": b"tmp/"}, "prefix"),
        ({"rule_id": ""}, "rule_id"),
        ({"rule_id": "r" * 256}, "rule_id"),
        ({"Bucket": "not a bucket"}, "Bucket"),
        ({"ExpectedBucketOwner": "me"}, "ExpectedBucketOwner"),
    ],
)
async def test_bad_removal_arguments_are_refused_before_sending(
    kwargs: dict[str, Any], words: str
) -> None:
    s3, transport = client(FakeBucket(body_of([aios3_rule()])))
    async with s3:
        with pytest.raises(ParamValidationError, match=words) as info:
            await s3.remove_abort_incomplete_uploads_rule(**{"Bucket": "bkt", **kwargs})
    if words in ("prefix", "rule_id"):
        assert "remove_abort_incomplete_uploads_rule" in str(info.value)
    assert transport.requests == []


def test_drop_abort_rule_keeps_every_other_rule_object() -> None:
    s3_rules = [
        LifecycleRule(**EXPIRE_LOGS),
        LifecycleRule(**aios3_rule()),
        LifecycleRule(**RICH_RULES[2]),
    ]
    action, left, rule, previous = drop_abort_rule(s3_rules, rule_id=DEFAULT_RULE_ID)
    assert (action, rule, previous) == ("removed", None, s3_rules[1])
    assert left[0] is s3_rules[0] and left[1] is s3_rules[2] and len(left) == 2
    assert len(s3_rules) == 3  # the list given is not changed
    action, left, rule, previous = drop_abort_rule(s3_rules[1:2], rule_id=DEFAULT_RULE_ID)
    assert (action, left) == ("removed", [])


async def test_the_stubber_acts_out_the_removal() -> None:
    s3, _ = client(lambda r: MockResponse(500))
    async with s3:
        with Stubber(s3) as stub:
            stub.add_response("get_bucket_lifecycle_configuration", {"Rules": [aios3_rule()]})
            stub.add_response("delete_bucket_lifecycle", {}, {"Bucket": "bkt"})
            r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt")
            stub.add_client_error("delete_bucket_lifecycle", "NoSuchBucket", "gone", 404)
            with pytest.raises(aios3.errors.NoSuchBucket):
                await s3.delete_bucket_lifecycle(Bucket="bkt")
            stub.assert_no_pending_responses()
    assert r.action == "configuration_deleted"


async def test_nothing_runs_between_the_read_and_the_delete() -> None:
    events: list[str] = []
    bucket = FakeBucket(body_of([aios3_rule()]))

    def handler(request: MockRequest) -> MockResponse:
        if request.method == "GET":
            asyncio.get_running_loop().call_soon(events.append, "a turn of the loop")
        else:
            events.append(f"{request.method} sent")
        return bucket(request)

    s3, _ = client(handler)
    async with s3:
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket="bkt")
        await asyncio.sleep(0)
    assert r.action == "configuration_deleted"
    assert events == ["DELETE sent", "a turn of the loop"]
