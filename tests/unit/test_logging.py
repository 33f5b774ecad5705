"""No secret in any log record, at any level (issue 7), and aios3's own redacted request
log. botocore's signer logs the canonical request and the signature at DEBUG; the records
emitted while aios3 signs are dropped, a boto3 client's in the same process are kept."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import aios3
from aios3.testing import MockRequest, MockResponse, MockTransport

AK = "AKIDLOGTEST"
SECRET = "log-test-SECRET-access-key"
TOKEN = "log-test-SESSION-token"
S3SESSION_SECRET = "log-test-S3SESSION-secret"
S3SESSION_TOKEN = "log-test-S3SESSION-token"
SSEC_KEY = b"K" * 16 + b"log-test-SSE-C!!"  # 32 bytes
SSEC_KEY_B64 = base64.b64encode(SSEC_KEY).decode()
SECRETS = [SECRET, TOKEN, S3SESSION_SECRET, S3SESSION_TOKEN, SSEC_KEY.decode(), SSEC_KEY_B64]
DIRECTORY_BUCKET = "logs--usw2-az1--x-s3"


def _answer(request: MockRequest) -> MockResponse:
    rid = {"x-amz-request-id": "REQ-LOG-1"}
    if "session" in request.query:
        expires = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        return MockResponse(
            200,
            headers=rid,
            body=(
                "<CreateSessionResult><Credentials><AccessKeyId>ASIALOG</AccessKeyId>"
                f"<SecretAccessKey>{S3SESSION_SECRET}</SecretAccessKey>"
                f"<SessionToken>{S3SESSION_TOKEN}</SessionToken>"
                f"<Expiration>{expires}</Expiration></Credentials></CreateSessionResult>"
            ).encode(),
        )
    if request.method == "PUT":
        return MockResponse(200, headers={**rid, "ETag": '"e"'})
    return MockResponse(204, headers=rid)


def _all_text(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.name} {r.getMessage()}" for r in records)


async def test_no_secret_in_any_log_record_with_the_root_logger_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: botocore's signer logs everything
    t = MockTransport(_answer)
    sent: list[str] = []
    async with aios3.S3Client(
        region_name="us-west-2",
        aws_access_key_id=AK,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        transport=t,
    ) as s3:
        # SigV4 with a session token and an SSE-C key
        await s3.upload_part(
            Bucket="bkt",
            Key="k",
            UploadId="u",
            PartNumber=1,
            Body=b"data",
            SSECustomerAlgorithm="AES256",
            SSECustomerKey=SSEC_KEY,
        )
        # S3 Express: CreateSession, then a request signed with the session's token
        await s3.abort_multipart_upload(Bucket=DIRECTORY_BUCKET, Key="k", UploadId="u")
    for request in t.requests:
        sent.append(request.headers["Authorization"].rsplit("Signature=", 1)[1])
    assert any(h.get("x-amz-s3session-token") for h in (r.headers for r in t.requests))
    assert any(h.get("x-amz-security-token") for h in (r.headers for r in t.requests))
    text = _all_text(caplog.records)
    for secret in [*SECRETS, *sent]:
        assert secret not in text
    assert "Signature:" not in text and "CanonicalRequest" not in text
    # aios3's own request log: operation, method, URL, status, attempt, time, request id
    ours = [r for r in caplog.records if r.name == "aios3" and "UploadPart" in r.getMessage()]
    assert len(ours) == 1
    line = ours[0].getMessage()
    for part in ["UploadPart", "PUT", "https://bkt.s3.us-west-2.amazonaws.com/k?", "200"]:
        assert part in line
    assert "attempt 1," in line and "request id REQ-LOG-1" in line
    assert re.search(r", \d+\.\d{3}s,", line)
    assert "x-amz-server-side-encryption-customer-key=***" in line
    assert "x-amz-security-token=***" in line and "authorization=***" in line
    assert ours[0].levelno == logging.DEBUG
    assert [r for r in caplog.records if r.name == "aios3" and "CreateSession" in r.getMessage()]


async def test_botocore_signer_records_outside_aios3_still_appear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SECRET,
        transport=MockTransport(_answer),
    ) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert not [r for r in caplog.records if r.name == "botocore.auth"]

    # the user's own botocore signing in the same process (opensearch-py's AWSV4SignerAuth
    # does this; a boto3 client does it too when awscrt is not installed): still logged
    request = AWSRequest(method="GET", url="https://search.example.com/_cat", data=b"")
    SigV4Auth(Credentials("AKIDBOTO", "boto-secret"), "es", "us-east-1").add_auth(request)
    theirs = [r.getMessage() for r in caplog.records if r.name == "botocore.auth"]
    assert any(m.startswith("CanonicalRequest") for m in theirs)
    assert any(m.startswith("Signature:") for m in theirs)


async def test_aios3_sigv4_emits_no_botocore_signer_record_even_without_the_filter(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # aios3 builds SigV4 (and S3 Express) signatures itself: botocore's add_auth, which
    # logs the canonical request and the signature at DEBUG, is not on the path at all
    monkeypatch.setattr(logging.getLogger("botocore.auth"), "filters", [])
    caplog.set_level(logging.DEBUG)
    async with aios3.S3Client(
        region_name="us-west-2",
        aws_access_key_id=AK,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        transport=MockTransport(_answer),
    ) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        await s3.abort_multipart_upload(Bucket=DIRECTORY_BUCKET, Key="k", UploadId="u")
    assert not [r for r in caplog.records if r.name == "botocore.auth"]


def test_the_filter_drops_what_a_botocore_signer_logs_while_aios3_signs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the paths still signed by botocore's own add_auth (SigV4a: its CRT class) run with
    # the filter on: a botocore signer that logs, put in SigV4a's place, logs nothing
    from multidict import CIMultiDict

    from aios3 import _auth

    monkeypatch.setattr(_auth, "_sigv4a_class", lambda: SigV4Auth)
    caplog.set_level(logging.DEBUG)
    signer = _auth.Signer(_auth.FrozenCredentials(AK, SECRET, TOKEN), "sigv4a")
    headers: CIMultiDict[str] = CIMultiDict({"Host": "b.s3.amazonaws.com"})
    request = _auth.SigningRequest("GET", "https://b.s3.amazonaws.com/k", headers, b"", {})
    signer.sign(request, "s3", "*")
    assert "Signature=" in headers["Authorization"]
    assert not [r for r in caplog.records if r.name == "botocore.auth"]
    # the same botocore class signing outside aios3 still logs
    SigV4Auth(Credentials(AK, SECRET), "s3", "*").add_auth(
        AWSRequest(method="GET", url="https://b.s3.amazonaws.com/k", data=b"")
    )
    assert [r for r in caplog.records if r.name == "botocore.auth"]


def test_the_filter_is_installed_once() -> None:
    from aios3._auth import hide_signing_logs

    hide_signing_logs()
    hide_signing_logs()
    filters = logging.getLogger("botocore.auth").filters
    assert sum(getattr(f, "aios3_signing_filter", False) for f in filters) == 1


async def test_the_request_log_costs_one_level_check_per_call_when_debug_is_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aios3")
    log = logging.getLogger("aios3")
    checks: list[int] = []
    real = log.isEnabledFor

    def counted(level: int) -> bool:
        checks.append(level)
        return real(level)

    monkeypatch.setattr(log, "isEnabledFor", counted)
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SECRET,
        transport=MockTransport(_answer),
    ) as s3:
        checks.clear()
        for _ in range(3):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert checks == [logging.DEBUG] * 3
    assert not [r for r in caplog.records if r.name == "aios3"]
