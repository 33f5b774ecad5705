"""aios3's `to_dict()` and `ClientError.response` equal boto3's dicts, key for key.

The same canned answers (status, headers, body) go to a real boto3 client, whose HTTP
layer is replaced by a `before-send` hook (botocore parses, runs its S3 handlers and fills
`ResponseMetadata` as for a real answer), and to an aios3 client on a `MockTransport`.
Both use botocore's standard retry mode: two attempts for the corpus (nothing in it is
retried), one for errors at the last attempt (both mark them `MaxAttemptsReached`), three
for sequences of answers that retry.

Where aios3 differs on purpose, a `test_known_difference_*` test says how.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.awsrequest
import botocore.config
import botocore.exceptions
import pytest

import aios3
from aios3.retries import LegacyRetryStrategy, StandardRetryStrategy
from aios3.testing import MockRequest, MockResponse, MockTransport

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
IDS = {"x-amz-request-id": "RID1", "x-amz-id-2": "HID/2="}
DIRECTORY = "dir--usw2-az1--x-s3"


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    params: dict[str, Any]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _b(text: str) -> bytes:
    return text.encode()


BKU = {"Bucket": "bkt", "Key": "k", "UploadId": "u1"}

PART = (
    "<Part><PartNumber>{n}</PartNumber><LastModified>2026-01-02T03:04:05.000Z</LastModified>"
    '<ETag>"e{n}"</ETag><Size>5242880</Size><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>'
)
UPLOAD = (
    "<Upload><Key>{k}</Key><UploadId>u-{k}</UploadId>"
    "<Initiator><ID>arn:aws:iam::1:user/x</ID><DisplayName>x</DisplayName></Initiator>"
    "<Owner><ID>o1</ID></Owner><StorageClass>STANDARD</StorageClass>"
    "<Initiated>2026-01-02T03:04:05.000Z</Initiated><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
    "</Upload>"
)

SUCCESS: list[Case] = [
    # ListParts
    Case(
        "list_parts-full",
        "list_parts",
        BKU,
        200,
        {**IDS, "x-amz-abort-date": "Fri, 02 Jan 2026 00:00:00 GMT", "x-amz-abort-rule-id": "r"},
        _b(
            f"<ListPartsResult {NS}><Bucket>bkt</Bucket><Key>k</Key><UploadId>u1</UploadId>"
            "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>"
            "<MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
            + PART.format(n=1)
            + PART.format(n=2)
            + "<Initiator><ID>i</ID><DisplayName>n</DisplayName></Initiator>"
            "<Owner><ID>o</ID><DisplayName>n</DisplayName></Owner>"
            "<StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
            "<ChecksumType>COMPOSITE</ChecksumType></ListPartsResult>"
        ),
    ),
    Case(
        "list_parts-empty",
        "list_parts",
        BKU,
        200,
        IDS,
        _b(
            f"<ListPartsResult {NS}><Bucket>bkt</Bucket><Key>k</Key><UploadId>u1</UploadId>"
            "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>0</NextPartNumberMarker>"
            "<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated></ListPartsResult>"
        ),
    ),
    Case("list_parts-bare", "list_parts", BKU, 200, {}, _b(f"<ListPartsResult {NS}/>")),
    Case(
        "list_parts-moto-root",
        "list_parts",
        BKU,
        200,
        {"x-amzn-requestid": "MOTO"},
        _b(f"<ListPartsResponse><Bucket>bkt</Bucket>{PART.format(n=3)}</ListPartsResponse>"),
    ),
    # ListMultipartUploads
    Case(
        "list_multipart_uploads-full",
        "list_multipart_uploads",
        {"Bucket": "bkt", "Delimiter": "/"},
        200,
        IDS,
        _b(
            f"<ListMultipartUploadsResult {NS}><Bucket>bkt</Bucket><KeyMarker></KeyMarker>"
            "<UploadIdMarker></UploadIdMarker><NextKeyMarker>b</NextKeyMarker>"
            "<NextUploadIdMarker>u-b</NextUploadIdMarker><Prefix/><Delimiter>/</Delimiter>"
            "<MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>"
            + UPLOAD.format(k="a")
            + UPLOAD.format(k="b")
            + "<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>"
            "<CommonPrefixes><Prefix>e/</Prefix></CommonPrefixes>"
            "</ListMultipartUploadsResult>"
        ),
    ),
    Case(
        "list_multipart_uploads-empty",
        "list_multipart_uploads",
        {"Bucket": "bkt"},
        200,
        IDS,
        _b(
            f"<ListMultipartUploadsResult {NS}><Bucket>bkt</Bucket><KeyMarker></KeyMarker>"
            "<UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads>"
            "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
        ),
    ),
    Case(
        "list_multipart_uploads-prefixes-only",
        "list_multipart_uploads",
        {"Bucket": "bkt", "Delimiter": "/"},
        200,
        {"x-amz-request-id": "R"},
        _b(
            f"<ListMultipartUploadsResult {NS}><Bucket>bkt</Bucket><Delimiter>/</Delimiter>"
            "<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"
            "<EncodingType>url</EncodingType></ListMultipartUploadsResult>"
        ),
    ),
    Case(
        "list_multipart_uploads-bare",
        "list_multipart_uploads",
        {"Bucket": "bkt"},
        200,
        {"x-amz-id-2": "H"},
        _b("<ListMultipartUploadsResult/>"),
    ),
    # CreateMultipartUpload
    Case(
        "create_multipart_upload",
        "create_multipart_upload",
        {"Bucket": "bkt", "Key": "k"},
        200,
        {
            **IDS,
            "x-amz-abort-date": "Fri, 02 Jan 2026 00:00:00 GMT",
            "x-amz-abort-rule-id": "rule",
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "kms-key",
            "x-amz-server-side-encryption-bucket-key-enabled": "true",
            "x-amz-checksum-algorithm": "CRC32",
            "x-amz-checksum-type": "COMPOSITE",
            "x-amz-request-charged": "requester",
        },
        _b(
            f"<InitiateMultipartUploadResult {NS}><Bucket>bkt</Bucket><Key>k</Key>"
            "<UploadId>u1</UploadId></InitiateMultipartUploadResult>"
        ),
    ),
    Case(
        "create_multipart_upload-bare",
        "create_multipart_upload",
        {"Bucket": "bkt", "Key": "k"},
        200,
        {},
        _b(
            "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
        ),
    ),
    # UploadPart
    Case(
        "upload_part",
        "upload_part",
        {**BKU, "PartNumber": 1, "Body": b"x"},
        200,
        {
            **IDS,
            "ETag": '"e1"',
            "x-amz-checksum-crc32": "AAAAAA==",
            "x-amz-server-side-encryption": "AES256",
            "x-amz-server-side-encryption-customer-algorithm": "AES256",
            "x-amz-server-side-encryption-customer-key-MD5": "md5",
        },
    ),
    Case("upload_part-bare", "upload_part", {**BKU, "PartNumber": 1, "Body": b"x"}, 200, {}),
    # CompleteMultipartUpload
    Case(
        "complete_multipart_upload",
        "complete_multipart_upload",
        {**BKU, "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"e1"'}]}},
        200,
        {**IDS, "x-amz-version-id": "v1", "x-amz-expiration": 'expiry-date="x"'},
        _b(
            f"<CompleteMultipartUploadResult {NS}><Location>http://bkt/k</Location>"
            '<Bucket>bkt</Bucket><Key>k</Key><ETag>"e-1"</ETag>'
            "<ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType>"
            "</CompleteMultipartUploadResult>"
        ),
    ),
    # AbortMultipartUpload
    Case("abort", "abort_multipart_upload", BKU, 204, IDS),
    Case(
        "abort-charged", "abort_multipart_upload", BKU, 204, {"x-amz-request-charged": "requester"}
    ),
    # CreateBucket / DeleteBucket
    Case("create_bucket", "create_bucket", {"Bucket": "bkt"}, 200, {**IDS, "Location": "/bkt"}),
    Case("delete_bucket", "delete_bucket", {"Bucket": "bkt"}, 204, {"x-amz-request-id": "R"}),
    # HeadObject
    Case(
        "head_object",
        "head_object",
        {"Bucket": "bkt", "Key": "k"},
        200,
        {
            **IDS,
            "Last-Modified": "Fri, 02 Jan 2026 00:00:00 GMT",
            "Content-Length": "11",
            "ETag": '"e"',
            "Content-Type": "text/plain",
            "Accept-Ranges": "bytes",
            "Expires": "Fri, 02 Jan 2026 00:00:00 GMT",
            "x-amz-meta-Color": "blue",
            "x-amz-mp-parts-count": "2",
            "x-amz-storage-class": "STANDARD_IA",
            "x-amz-version-id": "v1",
            "x-amz-delete-marker": "false",
            "x-amz-object-lock-retain-until-date": "2026-01-02T00:00:00.000Z",
            "x-amz-object-lock-mode": "GOVERNANCE",
        },
    ),
    # CreateSession
    Case(
        "create_session",
        "create_session",
        {"Bucket": DIRECTORY},
        200,
        {**IDS, "x-amz-server-side-encryption": "AES256"},
        _b(
            f"<CreateSessionResult {NS}><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
            "<SecretAccessKey>session-secret</SecretAccessKey>"
            "<SessionToken>session-token</SessionToken>"
            "<Expiration>2026-01-02T03:04:05Z</Expiration></Credentials></CreateSessionResult>"
        ),
    ),
    # DeleteObject
    Case(
        "delete_object",
        "delete_object",
        {"Bucket": "bkt", "Key": "k"},
        204,
        {**IDS, "x-amz-delete-marker": "true", "x-amz-version-id": "v2"},
    ),
    Case("delete_object-bare", "delete_object", {"Bucket": "bkt", "Key": "k"}, 204, {}),
    # DeleteBucketLifecycle
    Case("delete_bucket_lifecycle", "delete_bucket_lifecycle", {"Bucket": "bkt"}, 204, IDS),
    Case(
        "delete_bucket_lifecycle-owner",
        "delete_bucket_lifecycle",
        {"Bucket": "bkt", "ExpectedBucketOwner": "123456789012"},
        204,
        {"x-amzn-requestid": "N"},
    ),
]

# the headers that name the request (botocore's rules: x-amzn-requestid first, and HostId
# only beside x-amz-request-id), on an answer with nothing else
ID_HEADERS: list[dict[str, str]] = [
    {},
    {"x-amz-request-id": "R"},
    {"x-amz-id-2": "H"},
    {"x-amz-request-id": "R", "x-amz-id-2": "H"},
    {"x-amzn-requestid": "N"},
    {"x-amzn-requestid": "N", "x-amz-id-2": "H"},
    {"x-amzn-requestid": "N", "x-amz-request-id": "R", "x-amz-id-2": "H"},
]
SUCCESS += [
    Case(f"abort-ids-{i}", "abort_multipart_upload", BKU, 204, h) for i, h in enumerate(ID_HEADERS)
]

ERRORS: list[Case] = [
    Case(
        "error-no-such-upload",
        "list_parts",
        BKU,
        404,
        IDS,
        _b(
            "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist."
            "</Message><UploadId>u1</UploadId><RequestId>RID1</RequestId>"
            "<HostId>HID/2=</HostId></Error>"
        ),
    ),
    Case(
        "error-signature",
        "create_multipart_upload",
        {"Bucket": "bkt", "Key": "k"},
        403,
        {"x-amz-request-id": "R"},
        _b(
            "<Error><Code>SignatureDoesNotMatch</Code><Message>no match</Message>"
            "<AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>AWS4</StringToSign>"
            "<RequestId>R</RequestId><HostId>H</HostId></Error>"
        ),
    ),
    Case("error-head-404", "head_object", {"Bucket": "bkt", "Key": "k"}, 404, IDS),
    Case("error-head-403-bare", "head_object", {"Bucket": "bkt", "Key": "k"}, 403, {}),
    Case(
        "error-body-ids-only",  # moto: ids in the body, none in the headers
        "abort_multipart_upload",
        BKU,
        404,
        {},
        _b(
            "<Error><Code>NoSuchUpload</Code><Message>m</Message>"
            "<RequestId>BODY</RequestId></Error>"
        ),
    ),
    Case(
        "error-amzn-requestid",
        "abort_multipart_upload",
        BKU,
        404,
        {"x-amzn-requestid": "N", "x-amz-id-2": "H"},
        _b("<Error><Code>NoSuchUpload</Code><Message>m</Message></Error>"),
    ),
    Case(
        "error-400-unknown-code",
        "delete_bucket",
        {"Bucket": "bkt"},
        409,
        IDS,
        _b(
            "<Error><Code>BucketNotEmpty</Code><Message>not empty</Message>"
            "<BucketName>bkt</BucketName></Error>"
        ),
    ),
]
ERRORS += [
    Case(
        "error-delete_bucket_lifecycle-no-bucket",
        "delete_bucket_lifecycle",
        {"Bucket": "bkt"},
        404,
        IDS,
        _b(
            "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist"
            "</Message><BucketName>bkt</BucketName><RequestId>RID1</RequestId>"
            "<HostId>HID/2=</HostId></Error>"
        ),
    ),
    Case(
        "error-delete_bucket_lifecycle-denied",
        "delete_bucket_lifecycle",
        {"Bucket": "bkt"},
        403,
        {"x-amz-request-id": "R"},
        b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    ),
    Case(  # an empty element is None in boto3's dict (the typed message falls back)
        "error-empty-elements",
        "list_parts",
        BKU,
        404,
        IDS,
        b"<Error><Code>NoSuchUpload</Code><Message/><Resource/></Error>",
    ),
    Case(  # no Message: none in the dict, boto3's text says "Unknown"
        "error-no-message",
        "list_parts",
        BKU,
        403,
        IDS,
        b"<Error><Code>AccessDenied</Code></Error>",
    ),
    Case("error-400-garbage", "list_parts", BKU, 400, {"x-amz-request-id": "R"}, b"oops"),
]
CASES = SUCCESS + ERRORS
# retried answers: compared with one attempt allowed (botocore leaves the ids out of a 5xx
# without a body or with an HTML one, and keeps them for any other unreadable body)
LAST_ERRORS = [
    *ERRORS,
    Case("error-503-html", "list_parts", BKU, 503, IDS, b"<html><body>busy</body></html>"),
    Case("error-503-empty", "list_parts", BKU, 503, IDS, b"  "),
    Case("error-502-garbage", "list_parts", BKU, 502, IDS, b"<Error><Code>"),
    Case(
        "error-500-s3",
        "list_parts",
        BKU,
        500,
        IDS,
        b"<Error><Code>InternalError</Code><Message>oops</Message></Error>",
    ),
]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: object) -> Iterator[bytes]:
        yield self.body


class Canned:
    """The answer the boto3 clients get next (`then`: the answers after it, one per
    attempt)."""

    case: Case | None = None
    then: list[Case] = []
    sent = 0


def _boto3(attempts: int, mode: str = "standard") -> Any:
    c = boto3.client(
        "s3",
        region_name="us-west-2",
        aws_access_key_id="AKIDCOMPAT",
        aws_secret_access_key="compat-secret",
        config=botocore.config.Config(retries={"mode": mode, "total_max_attempts": attempts}),
    )

    def before_send(request: Any, **kwargs: Any) -> Any:
        case = Canned.case
        assert case is not None
        Canned.sent += 1
        if Canned.then:
            Canned.case = Canned.then.pop(0)
        return botocore.awsrequest.AWSResponse(
            request.url, case.status, case.headers, _Raw(case.body)
        )

    c.meta.events.register("before-send.s3", before_send)
    return c


@pytest.fixture(scope="module")
def boto() -> Iterator[Any]:
    """boto3 allowing two attempts: no answer of the corpus is retried."""
    c = _boto3(2)
    yield c
    c.close()


@pytest.fixture(scope="module")
def boto_once() -> Iterator[Any]:
    """boto3 allowing one attempt: its errors are marked `MaxAttemptsReached`."""
    c = _boto3(1)
    yield c
    c.close()


def boto3_answer(
    boto: Any, case: Case, *then: Case, sent: int = 1
) -> tuple[dict[str, Any], Exception | None]:
    Canned.case = case
    Canned.then = list(then)
    Canned.sent = 0
    try:
        return getattr(boto, case.method)(**case.params), None
    except botocore.exceptions.ClientError as e:
        return e.response, e
    finally:
        assert Canned.sent == sent


async def _no_sleep(delay: float) -> None:
    pass


async def aios3_answer(
    case: Case, *then: Case, attempts: int = 2, sent: int = 1, legacy: bool = False
) -> tuple[dict[str, Any], Exception | None]:
    answers = [case, *then]

    def handler(request: MockRequest) -> MockResponse:
        a = answers.pop(0) if len(answers) > 1 else answers[0]
        return MockResponse(a.status, a.headers, a.body)

    transport = MockTransport(handler)
    strategy: aios3.RetryStrategy = (
        LegacyRetryStrategy(attempts, sleep=_no_sleep)
        if legacy
        else StandardRetryStrategy(attempts, sleep=_no_sleep)
    )
    async with aios3.S3Client(
        region_name="us-west-2",
        aws_access_key_id="AKIDCOMPAT",
        aws_secret_access_key="compat-secret",
        transport=transport,
        config=aios3.Config(retry_strategy=strategy),
    ) as s3:
        try:
            r = await getattr(s3, case.method)(**case.params)
        except aios3.ClientError as e:
            return dict(e.response), e
        finally:
            assert len(transport.requests) == sent
        if case.method == "create_session":  # boto3's dict holds the secrets as str
            return r.to_dict(reveal_secrets=True), None  # type: ignore[no-any-return]
        return r.to_dict(), None  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_dicts_equal_boto3s(boto: Any, case: Case) -> None:
    theirs, their_error = boto3_answer(boto, case)
    mine, my_error = await aios3_answer(case)
    assert mine == theirs
    if their_error is None:
        assert my_error is None
    else:
        # aios3 has classes for more codes than boto3's model (SignatureDoesNotMatch...)
        their_class = type(their_error).__name__
        assert their_class == "ClientError" or type(my_error).__name__ == their_class
        assert str(my_error).startswith(str(their_error) + " [HTTP ")


@pytest.mark.parametrize("case", LAST_ERRORS, ids=[c.id for c in LAST_ERRORS])
async def test_errors_at_the_last_attempt_equal_boto3s(boto_once: Any, case: Case) -> None:
    # one attempt allowed: botocore's standard mode marks any error of the last one
    theirs, their_error = boto3_answer(boto_once, case)
    mine, my_error = await aios3_answer(case, attempts=1)
    assert theirs["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert mine == theirs
    assert str(my_error).startswith(str(their_error) + " [HTTP ")
    assert "(reached max retries: 0): " in str(my_error)


# ------------------------------------------------------------------- retries running out


def _error(status: int, code: str, method: str = "list_parts") -> Case:
    body = f"<Error><Code>{code}</Code><Message>{code} here</Message></Error>"
    params = BKU if method == "list_parts" else {**BKU, "MultipartUpload": {"Parts": []}}
    return Case(f"{status}-{code}", method, params, status, IDS, body.encode())


S503 = _error(503, "SlowDown")
E500 = _error(500, "InternalError")
E404 = _error(404, "NoSuchUpload")
OK = SUCCESS[0]
SEQUENCES: dict[str, list[Case]] = {
    "503-503-503": [S503, S503, S503],  # the retries run out
    "500-500-500": [E500, E500, E500],
    "503-404": [S503, E404],  # a final error before the last attempt: not marked
    "503-503-404": [S503, S503, E404],  # any error of the last attempt is marked (botocore)
    "503-503-ok": [S503, S503, OK],
}


@pytest.fixture(scope="module")
def boto_thrice() -> Iterator[Any]:
    c = _boto3(3)
    yield c
    c.close()


@pytest.fixture
def no_botocore_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)  # type: ignore[attr-defined]


@pytest.mark.parametrize("answers", SEQUENCES.values(), ids=SEQUENCES.keys())
async def test_retries_equal_boto3s(
    boto_thrice: Any, no_botocore_sleep: None, answers: list[Case]
) -> None:
    theirs, their_error = boto3_answer(boto_thrice, *answers, sent=len(answers))
    mine, my_error = await aios3_answer(*answers, attempts=3, sent=len(answers))
    if answers[-1] is OK:
        # botocore's standard mode also marks a success at the last attempt: aios3 does
        # not (the mark is there to explain an error)
        assert theirs["ResponseMetadata"].pop("MaxAttemptsReached") is True
    assert mine == theirs
    if their_error is not None:
        assert str(my_error).startswith(str(their_error) + " [HTTP ")
        # botocore's own ClientError, from aios3's dict, reads the same
        rebuilt = botocore.exceptions.ClientError(mine, "ListParts")  # type: ignore[arg-type]
        assert str(my_error).startswith(str(rebuilt) + " [HTTP ")


@pytest.fixture(scope="module")
def boto_legacy_thrice() -> Iterator[Any]:
    c = _boto3(3, mode="legacy")
    yield c
    c.close()


LEGACY_SEQUENCES: dict[str, list[Case]] = {
    "503-503-503": [S503, S503, S503],  # retryable and the retries ran out: marked
    "503-503-404": [S503, S503, E404],  # not retryable: legacy mode does not mark it
    "404": [E404],
}


@pytest.mark.parametrize("answers", LEGACY_SEQUENCES.values(), ids=LEGACY_SEQUENCES.keys())
async def test_legacy_mode_marks_as_botocores_legacy_mode(
    boto_legacy_thrice: Any, no_botocore_sleep: None, answers: list[Case]
) -> None:
    theirs, their_error = boto3_answer(boto_legacy_thrice, *answers, sent=len(answers))
    mine, my_error = await aios3_answer(*answers, attempts=3, sent=len(answers), legacy=True)
    assert mine == theirs
    assert str(my_error).startswith(str(their_error) + " [HTTP ")


async def test_retry_exhaustion_reads_as_botocores() -> None:
    _, e = await aios3_answer(S503, attempts=3, sent=3)
    assert isinstance(e, aios3.ClientError)
    assert str(e) == (
        "An error occurred (SlowDown) when calling the ListParts operation (reached max "
        "retries: 2): SlowDown here [HTTP 503, request id RID1]"
    )
    assert e.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert e.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert (e.code, e.message, e.status_code) == ("SlowDown", "SlowDown here", 503)


async def test_a_final_error_before_the_last_attempt_is_not_marked() -> None:
    mine, e = await aios3_answer(E404, attempts=3, sent=1)
    assert "MaxAttemptsReached" not in mine["ResponseMetadata"]
    assert str(e).startswith(
        "An error occurred (NoSuchUpload) when calling the ListParts operation: "
    )


# ------------------------------------------------------------------- known differences


async def test_known_difference_unreadable_expires_header_is_kept(boto: Any) -> None:
    # botocore deletes an Expires header that is not a date from HTTPHeaders (and logs a
    # warning); aios3 keeps the headers as they came. ExpiresString has it in both.
    case = Case("e", "head_object", {"Bucket": "bkt", "Key": "k"}, 200, {"Expires": "never"})
    theirs, _ = boto3_answer(boto, case)
    mine, _ = await aios3_answer(case)
    assert mine["ResponseMetadata"]["HTTPHeaders"].pop("expires") == "never"
    assert "expires" not in theirs["ResponseMetadata"]["HTTPHeaders"]
    assert mine == theirs
    assert mine["ExpiresString"] == "never" and "Expires" not in mine


async def test_known_difference_an_error_in_a_200_keeps_its_status(boto_once: Any) -> None:
    # botocore rewrites the status of a 200 answer carrying an <Error> to 500 (and retries
    # it as a 500); aios3 reports the real status, 200
    case = Case(
        "e200",
        "complete_multipart_upload",
        {**BKU, "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"e1"'}]}},
        200,
        IDS,
        b"<Error><Code>InvalidPart</Code><Message>bad part</Message></Error>",
    )
    theirs, their_error = boto3_answer(boto_once, case)
    mine, my_error = await aios3_answer(case, attempts=1)
    assert theirs["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert mine["ResponseMetadata"]["HTTPStatusCode"] == 200
    mine["ResponseMetadata"]["HTTPStatusCode"] = 500
    assert mine == theirs
    assert str(my_error).startswith(str(their_error) + " [HTTP 200, ")


async def test_known_difference_delete_bucket_lifecycle_reads_an_error_in_a_200(
    boto: Any,
) -> None:
    # DeleteBucketLifecycle has no output shape: botocore reads no body and reports a
    # success. aios3 raises the <Error>: read as a success, it would say the configuration
    # is gone when it is not (remove_abort_incomplete_uploads_rule reports on it)
    case = Case(
        "e200-lc",
        "delete_bucket_lifecycle",
        {"Bucket": "bkt"},
        200,
        IDS,
        b"<Error><Code>InternalError</Code><Message>oops</Message></Error>",
    )
    theirs, their_error = boto3_answer(boto, case)
    assert their_error is None and theirs["ResponseMetadata"]["HTTPStatusCode"] == 200
    mine, my_error = await aios3_answer(case, attempts=1)
    assert isinstance(my_error, aios3.ClientError)
    assert (my_error.code, my_error.status_code) == ("InternalError", 200)
    assert mine["Error"] == {"Code": "InternalError", "Message": "oops"}
    # a 2xx without a body, or with one that is no <Error>, reads as boto3 reads it
    for body in (b"", b"<Other/>", b"not xml", b'<?xml version="1.0" encoding="UTF-8"?>'):
        ok = Case("ok-lc", "delete_bucket_lifecycle", {"Bucket": "bkt"}, 200, IDS, body)
        theirs, _ = boto3_answer(boto, ok)
        mine, my_error = await aios3_answer(ok)
        assert my_error is None and mine == theirs


# ------------------------------------------------------------------ VersionId on multipart
# AWS added `VersionId` (the `x-amz-version-id` header, or `<VersionId>` in a listed
# upload) to the multipart responses in botocore 1.44; aios3 reads it on any botocore.

V = {**IDS, "x-amz-version-id": "v-3"}
VERSIONED = [
    Case("v-abort", "abort_multipart_upload", BKU, 204, V),
    Case(
        "v-create",
        "create_multipart_upload",
        {"Bucket": "bkt", "Key": "k"},
        200,
        V,
        _b(
            f"<InitiateMultipartUploadResult {NS}><Bucket>bkt</Bucket><Key>k</Key>"
            "<UploadId>u1</UploadId></InitiateMultipartUploadResult>"
        ),
    ),
    Case("v-upload_part", "upload_part", {**BKU, "PartNumber": 1, "Body": b"x"}, 200, V),
    Case("v-list_parts", "list_parts", BKU, 200, V, _b(f"<ListPartsResult {NS}/>")),
    Case(
        "v-list_multipart_uploads",
        "list_multipart_uploads",
        {"Bucket": "bkt"},
        200,
        IDS,
        _b(
            f"<ListMultipartUploadsResult {NS}><Bucket>bkt</Bucket>"
            + UPLOAD.format(k="a").replace("</Upload>", "<VersionId>v-3</VersionId></Upload>")
            + "</ListMultipartUploadsResult>"
        ),
    ),
]


@pytest.mark.parametrize("case", VERSIONED, ids=[c.id for c in VERSIONED])
async def test_version_id_on_multipart_responses(boto: Any, case: Case) -> None:
    mine, _ = await aios3_answer(case)
    version = mine["Uploads"][0]["VersionId"] if "Uploads" in mine else mine["VersionId"]
    assert version == "v-3"
    shape = boto.meta.service_model.operation_model("AbortMultipartUpload").output_shape
    if "VersionId" not in shape.members:
        pytest.skip("this botocore predates VersionId on the multipart responses")
    theirs, _ = boto3_answer(boto, case)
    assert mine == theirs
