"""The AWS-semantics test server itself, driven with botocore-signed requests."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from botocore.auth import S3ExpressAuth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from yarl import URL

import aios3
from aios3.testing import MockTransport
from tests._clock import FakeClock
from tests.awsserver import (
    AwsS3Server,
    MappingResolver,
    aws_endpoint_client_kwargs,
)

AK, SK = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GP_HOST = "bkt.s3.us-east-1.amazonaws.com"
DIR = "base--usw2-az1--x-s3"
ZONAL = f"{DIR}.s3express-usw2-az1.us-west-2.amazonaws.com"
OTHER_ACCOUNT = "444455556666"


class Answer:
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def code(self) -> str | None:
        m = re.search(rb"<Code>([^<]*)</Code>", self.body)
        return m.group(1).decode() if m else None

    def values(self, tag: str) -> list[str]:
        return [
            v.decode()
            for v in re.findall(rb"<%s>([^<]*)</%s>" % (tag.encode(), tag.encode()), self.body)
        ]

    def value(self, tag: str) -> str:
        return self.values(tag)[0]


@pytest.fixture
async def srv() -> AsyncIterator[AwsS3Server]:
    async with AwsS3Server(access_key=AK, secret_key=SK) as server:
        server.add_bucket("bkt")
        server.add_bucket(DIR, directory=True)
        yield server


async def call(
    srv: AwsS3Server,
    method: str,
    host: str,
    path: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    creds: Credentials | None = None,
    service: str = "s3",
    region: str = "us-east-1",
    express: bool = False,
    sign: bool = True,
    unsigned_payload: bool = False,
    send_body: bytes | None = None,
) -> Answer:
    """Sign with botocore (Host = `host`) and send to the server on 127.0.0.1.

    `unsigned_payload` signs UNSIGNED-PAYLOAD; `send_body` replaces the body after signing.
    """
    req = AWSRequest(
        method, f"https://{host}{path}", data=body, headers={"Host": host, **(headers or {})}
    )
    if unsigned_payload:
        req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    if sign:
        creds = creds or Credentials(AK, SK)
        if express:
            S3ExpressAuth(creds, service, region, identity_cache=None).add_auth(req)
        else:
            S3SigV4Auth(creds, service, region).add_auth(req)
    url = URL(f"http://127.0.0.1:{srv.port}{path}", encoded=True)
    async with (
        aiohttp.ClientSession() as s,
        s.request(
            method,
            url,
            data=body if send_body is None else send_body,
            headers=dict(req.headers.items()),
        ) as r,
    ):
        return Answer(r.status, r.headers, await r.read())


async def create_session(srv: AwsS3Server, **kw: Any) -> Credentials:
    a = await call(srv, "GET", ZONAL, "/?session", service="s3express", region="us-west-2", **kw)
    assert a.status == 200, a.body
    return Credentials(a.value("AccessKeyId"), a.value("SecretAccessKey"), a.value("SessionToken"))


async def zonal(srv: AwsS3Server, method: str, path: str, creds: Credentials, **kw: Any) -> Answer:
    """A request to the directory bucket's zonal host, signed by botocore's S3ExpressAuth."""
    kw = {"service": "s3express", "region": "us-west-2", **kw}
    return await call(srv, method, ZONAL, path, creds=creds, express=True, **kw)


# ---------------------------------------------------------------------------- SigV4


async def test_signature_checks(srv: AwsS3Server) -> None:
    ok = await call(srv, "GET", GP_HOST, "/?uploads")
    assert ok.status == 200 and ok.headers["x-amz-request-id"] and ok.headers["x-amz-id-2"]
    bad = await call(srv, "GET", GP_HOST, "/?uploads", creds=Credentials(AK, "wrong"))
    assert (bad.status, bad.code) == (403, "SignatureDoesNotMatch")
    assert bad.value("RequestId") == bad.headers["x-amz-request-id"] and bad.value("HostId")
    unknown = await call(srv, "GET", GP_HOST, "/?uploads", creds=Credentials("AKIDNOPE", SK))
    assert (unknown.status, unknown.code) == (403, "InvalidAccessKeyId")
    anon = await call(srv, "GET", GP_HOST, "/?uploads", sign=False)
    assert (anon.status, anon.code) == (403, "AccessDenied")
    wrong_region = await call(srv, "GET", GP_HOST, "/?uploads", region="eu-west-1")
    assert (wrong_region.status, wrong_region.code) == (400, "AuthorizationHeaderMalformed")
    assert wrong_region.value("Region") == "us-east-1"


async def test_payload_hash_and_tampering(srv: AwsS3Server) -> None:
    up = await call(srv, "POST", GP_HOST, "/k?uploads")
    path = f"/k?partNumber=1&uploadId={up.value('UploadId')}"
    bad = await call(srv, "PUT", GP_HOST, path, body=b"data", send_body=b"DATA")
    assert (bad.status, bad.code) == (400, "XAmzContentSHA256Mismatch")
    ok = await call(srv, "PUT", GP_HOST, path, body=b"data", unsigned_payload=True, send_body=b"D")
    assert (
        ok.status == 200 and srv.requests[-1].headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    )
    # a signed request replayed against another host no longer matches
    req = AWSRequest("GET", f"https://{GP_HOST}/?uploads", headers={"Host": GP_HOST})
    S3SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    headers = {**dict(req.headers.items()), "Host": "127.0.0.1"}
    async with (
        aiohttp.ClientSession() as s,
        s.get(f"http://127.0.0.1:{srv.port}/bkt?uploads", headers=headers) as r,
    ):
        assert r.status == 403 and b"SignatureDoesNotMatch" in await r.read()


async def test_unsigned_amz_header_rejected(srv: AwsS3Server) -> None:
    req = AWSRequest("GET", f"https://{GP_HOST}/?uploads", headers={"Host": GP_HOST})
    S3SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    headers = {**dict(req.headers.items()), "x-amz-expected-bucket-owner": "111122223333"}
    async with (
        aiohttp.ClientSession() as s,
        s.get(f"http://127.0.0.1:{srv.port}/?uploads", headers=headers) as r,
    ):
        body = await r.read()
    assert r.status == 403 and b"<HeadersNotSigned>x-amz-expected-bucket-owner<" in body


# ---------------------------------------------------------------------------- routing


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("127.0.0.1:{port}", "/bkt/a/../b"),
        ("bkt.localhost:{port}", "/a/../b"),
        ("bkt.s3.us-east-1.amazonaws.com", "/a/../b"),
        ("bkt.s3.amazonaws.com", "/a/../b"),
        ("s3.us-east-1.amazonaws.com", "/bkt/a/../b"),
    ],
)
async def test_routing_keeps_dot_segments(srv: AwsS3Server, host: str, path: str) -> None:
    host = host.format(port=srv.port)
    a = await call(srv, "POST", host, path + "?uploads")
    assert a.status == 200, a.body
    assert (a.value("Bucket"), a.value("Key")) == ("bkt", "a/../b")
    assert srv.requests[-1].raw_path == path + "?uploads"
    assert srv.requests[-1].host == host


async def test_percent_decoding_once(srv: AwsS3Server) -> None:
    a = await call(srv, "POST", GP_HOST, "/sp%20ace/%2525/%E2%82%AC?uploads")
    assert a.status == 200 and a.value("Key") == "sp ace/%25/€"
    missing = await call(srv, "GET", "nope.s3.us-east-1.amazonaws.com", "/?uploads")
    assert (missing.status, missing.code) == (404, "NoSuchBucket")


# ---------------------------------------------------------------------------- owner, payer


async def test_expected_bucket_owner(srv: AwsS3Server) -> None:
    good = {"x-amz-expected-bucket-owner": "111122223333"}
    assert (await call(srv, "GET", GP_HOST, "/?uploads", headers=good)).status == 200
    bad = await call(srv, "GET", GP_HOST, "/?uploads", headers={"x-amz-expected-bucket-owner": "1"})
    assert (bad.status, bad.code) == (403, "AccessDenied")


async def test_requester_pays(srv: AwsS3Server) -> None:
    srv.add_bucket("paid", owner=OTHER_ACCOUNT, requester_pays=True)
    host, payer = "paid.s3.us-east-1.amazonaws.com", {"x-amz-request-payer": "requester"}
    denied = await call(srv, "GET", host, "/?uploads")
    assert (denied.status, denied.code) == (403, "AccessDenied")
    ok = await call(srv, "GET", host, "/?uploads", headers=payer)
    assert ok.status == 200 and ok.headers["x-amz-request-charged"] == "requester"
    # the bucket owner needs no header and is not charged as a requester
    srv.add_credentials("AKOWNER", "SKOWNER", account_id=OTHER_ACCOUNT)
    own = await call(srv, "GET", host, "/?uploads", creds=Credentials("AKOWNER", "SKOWNER"))
    assert own.status == 200 and "x-amz-request-charged" not in own.headers
    # a normal bucket accepts the header and charges nobody
    normal = await call(srv, "GET", GP_HOST, "/?uploads", headers=payer)
    assert normal.status == 200 and "x-amz-request-charged" not in normal.headers


# ---------------------------------------------------------------------------- S3 Express


async def test_create_session_and_zonal_requests(srv: AwsS3Server) -> None:
    srv.clock = clock = FakeClock()
    creds = await create_session(srv)
    assert srv.create_session_calls[DIR] == 1 and creds.access_key.startswith("ASIA")
    s = srv.sessions[creds.token]
    assert s.expires == int(clock.now) + 300  # whole seconds, as AWS's Expiration
    clock.now = s.expires - 0.001
    assert (await zonal(srv, "GET", "/?uploads", creds)).status == 200
    clock.now = s.expires
    assert (await zonal(srv, "GET", "/?uploads", creds)).code == "ExpiredToken"
    clock.now = s.expires - 300
    up = await zonal(srv, "POST", "/k?uploads", creds)
    assert up.status == 200, up.body
    assert srv.requests[-1].headers["x-amz-s3session-token"] == creds.token
    assert "x-amz-security-token" not in srv.requests[-1].headers
    assert (await zonal(srv, "GET", "/?uploads", creds)).value("StorageClass") == "EXPRESS_ONEZONE"
    # long-term keys without a session token
    plain = await call(srv, "GET", ZONAL, "/?uploads", service="s3express", region="us-west-2")
    assert (plain.status, plain.code) == (403, "AccessDenied")
    srv.allow_plain_sigv4_on_directory = True
    plain = await call(srv, "GET", ZONAL, "/?uploads", service="s3express", region="us-west-2")
    assert plain.status == 200
    # the session's keys with the wrong token, or with STS's header
    forged = Credentials(creds.access_key, creds.secret_key, "not-a-token")
    assert (await zonal(srv, "GET", "/?uploads", forged)).code == "InvalidToken"
    sts = await call(
        srv, "GET", ZONAL, "/?uploads", creds=creds, service="s3express", region="us-west-2"
    )
    assert (sts.status, sts.code) == (400, "InvalidRequest")
    wrong_service = await zonal(srv, "GET", "/?uploads", creds, service="s3")
    assert wrong_service.code == "AuthorizationHeaderMalformed"
    srv.expire_all_sessions()
    expired = await zonal(srv, "GET", "/?uploads", creds)
    assert (expired.status, expired.code) == (400, "ExpiredToken")


async def test_session_scoped_to_bucket_and_mode(srv: AwsS3Server) -> None:
    other = "other--usw2-az1--x-s3"
    srv.add_bucket(other, directory=True)
    creds = await create_session(srv, headers={"x-amz-create-session-mode": "ReadOnly"})
    host = f"{other}.s3express-usw2-az1.us-west-2.amazonaws.com"
    cross = await call(
        srv,
        "GET",
        host,
        "/?uploads",
        creds=creds,
        service="s3express",
        region="us-west-2",
        express=True,
    )
    assert (cross.status, cross.code) == (403, "AccessDenied")
    assert (await zonal(srv, "GET", "/?uploads", creds)).status == 200
    assert (await zonal(srv, "POST", "/k?uploads", creds)).code == "AccessDenied"
    path_style = await call(srv, "GET", "127.0.0.1", f"/{DIR}?uploads", service="s3express")
    assert path_style.code == "InvalidRequest"


async def test_create_session_knobs(srv: AwsS3Server) -> None:
    srv.fail_create_session = 1
    a = await call(srv, "GET", ZONAL, "/?session", service="s3express", region="us-west-2")
    assert (a.status, a.code) == (500, "InternalError")
    srv.create_session_gate = gate = asyncio.Event()
    both = asyncio.gather(create_session(srv), create_session(srv))
    # both wait inside the server at the same time: it serves them concurrently
    await asyncio.wait_for(srv.create_sessions_waiting(2), 10)
    gate.set()
    tokens = await both
    assert tokens[0].token != tokens[1].token
    assert srv.create_session_calls[DIR] == 3
    gp = await call(srv, "GET", GP_HOST, "/?session")
    assert (gp.status, gp.code) == (400, "InvalidRequest")


# ---------------------------------------------------------------- if-match-initiated-time


async def test_abort_if_match_initiated_time(srv: AwsS3Server) -> None:
    creds = await create_session(srv)
    uid = (await zonal(srv, "POST", "/k?uploads", creds)).value("UploadId")
    initiated = srv.buckets[DIR].uploads[uid].initiated
    wrong = {"x-amz-if-match-initiated-time": email.utils.formatdate(initiated - 60, usegmt=True)}
    right = {"x-amz-if-match-initiated-time": email.utils.formatdate(initiated, usegmt=True)}
    mismatch = await zonal(srv, "DELETE", f"/k?uploadId={uid}", creds, headers=wrong)
    assert (mismatch.status, mismatch.code) == (412, "PreconditionFailed")
    assert (await zonal(srv, "DELETE", f"/k?uploadId={uid}", creds, headers=right)).status == 204
    assert uid not in srv.buckets[DIR].uploads
    again = await zonal(srv, "DELETE", f"/k?uploadId={uid}", creds, headers=right)
    assert again.status == 204  # the upload does not exist: 204 with the header
    gone = await zonal(srv, "DELETE", f"/k?uploadId={uid}", creds)
    assert (gone.status, gone.code) == (404, "NoSuchUpload")
    # general purpose buckets ignore the header
    gp = await call(srv, "DELETE", GP_HOST, f"/k?uploadId={uid}", headers=wrong)
    assert (gp.status, gp.code) == (404, "NoSuchUpload")


# ---------------------------------------------------------------------------- multipart


async def test_list_parts_pagination(srv: AwsS3Server) -> None:
    uid = (await call(srv, "POST", GP_HOST, "/k?uploads")).value("UploadId")
    for n in (1, 2, 5, 7, 9):
        await call(srv, "PUT", GP_HOST, f"/k?partNumber={n}&uploadId={uid}", body=b"x" * n)
    seen, marker = [], 0
    while True:
        page = await call(
            srv, "GET", GP_HOST, f"/k?max-parts=2&part-number-marker={marker}&uploadId={uid}"
        )
        seen.append([int(v) for v in page.values("PartNumber")])
        if page.value("IsTruncated") != "true":
            break
        marker = int(page.value("NextPartNumberMarker"))
    assert seen == [[1, 2], [5, 7], [9]]
    assert page.values("Size") == ["9"]
    bad = await call(srv, "PUT", GP_HOST, f"/k?partNumber=10001&uploadId={uid}", body=b"x")
    assert (bad.status, bad.code) == (400, "InvalidArgument")
    bad = await call(srv, "GET", GP_HOST, f"/k?max-parts=x&uploadId={uid}")
    assert (bad.status, bad.code) == (400, "InvalidArgument")
    other_key = await call(srv, "GET", GP_HOST, f"/other?uploadId={uid}")
    assert (other_key.status, other_key.code) == (404, "NoSuchUpload")


async def test_list_uploads_pagination(srv: AwsS3Server) -> None:
    made = []
    for key in ("b", "a", "a", "c/1", "c/2", "d"):
        made.append((key, (await call(srv, "POST", GP_HOST, f"/{key}?uploads")).value("UploadId")))
    expected = sorted(made)
    got, km, im = [], "", ""
    while True:
        page = await call(
            srv,
            "GET",
            GP_HOST,
            f"/?uploads&max-uploads=2&key-marker={quote(km, safe='')}&upload-id-marker={im}",
        )
        got += list(zip(page.values("Key"), page.values("UploadId"), strict=True))
        if page.value("IsTruncated") != "true":
            break
        km, im = page.value("NextKeyMarker"), page.value("NextUploadIdMarker")
    assert got == expected
    # key-marker without upload-id-marker skips every upload of that key
    page = await call(srv, "GET", GP_HOST, "/?uploads&key-marker=a")
    assert page.values("Key") == ["b", "c/1", "c/2", "d"]
    grouped = await call(srv, "GET", GP_HOST, "/?uploads&delimiter=%2F&prefix=")
    assert grouped.values("Key") == ["a", "a", "b", "d"]
    assert grouped.values("Prefix")[-1] == "c/"
    prefixed = await call(srv, "GET", GP_HOST, "/?uploads&prefix=c%2F&max-uploads=1")
    assert prefixed.values("Key") == ["c/1"] and prefixed.value("NextKeyMarker") == "c/1"


async def test_complete_semantics(srv: AwsS3Server) -> None:
    srv.min_part_size = 10
    uid = (await call(srv, "POST", GP_HOST, "/k?uploads")).value("UploadId")
    etags = {}
    for n, size in ((1, 10), (2, 3), (3, 4)):
        a = await call(srv, "PUT", GP_HOST, f"/k?partNumber={n}&uploadId={uid}", body=b"z" * size)
        etags[n] = a.headers["ETag"]

    def doc(*parts: tuple[int, str]) -> bytes:
        inner = "".join(
            f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in parts
        )
        return f"<CompleteMultipartUpload>{inner}</CompleteMultipartUpload>".encode()

    async def complete(body: bytes) -> Answer:
        return await call(srv, "POST", GP_HOST, f"/k?uploadId={uid}", body=body)

    assert (await complete(doc((2, etags[2]), (1, etags[1])))).code == "InvalidPartOrder"
    assert (await complete(doc((1, etags[1]), (4, etags[2])))).code == "InvalidPart"
    assert (await complete(doc((1, etags[2])))).code == "InvalidPart"
    assert (
        await complete(doc((1, etags[1]), (2, etags[2]), (3, etags[3])))
    ).code == "EntityTooSmall"
    assert (await complete(b"<CompleteMultipartUpload/>")).code == "MalformedXML"
    done = await complete(doc((1, etags[1]), (3, etags[3])))
    assert done.status == 200 and done.value("ETag").endswith('-2"')
    assert srv.buckets["bkt"].objects["k"][0] == b"z" * 14
    assert (await complete(doc((1, etags[1])))).code == "NoSuchUpload"


# ---------------------------------------------------------------------------- reaching it


async def test_mapping_resolver_reaches_any_host(srv: AwsS3Server) -> None:
    conn = aiohttp.TCPConnector(resolver=MappingResolver())
    async with (
        aiohttp.ClientSession(connector=conn) as s,
        s.get(f"http://bkt.localhost:{srv.port}/?uploads") as r,
    ):
        assert r.status == 403  # reached, but unsigned
    assert srv.requests[-1].host == f"bkt.localhost:{srv.port}"


async def test_aios3_through_loopback_transport(srv: AwsS3Server) -> None:
    srv.add_bucket("paid", owner=OTHER_ACCOUNT, requester_pays=True)
    kwargs = aws_endpoint_client_kwargs(srv, region_name="us-west-2")
    transport: MockTransport = kwargs["transport"]
    async with aios3.S3Client(**kwargs) as s3:
        up = await s3.create_multipart_upload(Bucket="paid", Key="a/../b", RequestPayer="requester")
        assert up.key == "a/../b"
        assert (
            str(transport.requests[-1].url)
            == "https://paid.s3.us-west-2.amazonaws.com/a/../b?uploads"
        )
        assert srv.requests[-1].host == "paid.s3.us-west-2.amazonaws.com"
        with pytest.raises(aios3.errors.AccessDenied):
            await s3.list_multipart_uploads(Bucket="paid", ExpectedBucketOwner="111122223333")
        listed = await s3.list_multipart_uploads(Bucket="paid", RequestPayer="requester")
        assert [u.key for u in listed.uploads] == ["a/../b"]
        assert listed.request_charged == "requester"
        aborted = await s3.abort_multipart_upload(
            Bucket="paid", Key="a/../b", UploadId=up.upload_id, RequestPayer="requester"
        )
        assert aborted.request_charged == "requester"


async def test_aios3_directory_bucket_through_loopback(srv: AwsS3Server) -> None:
    kwargs = aws_endpoint_client_kwargs(srv, region_name="us-west-2")
    async with aios3.S3Client(**kwargs) as s3:
        up = await s3.create_multipart_upload(Bucket=DIR, Key="k")
        listed = await s3.list_multipart_uploads(Bucket=DIR)
        (summary,) = listed.uploads
        assert summary.initiated is not None
        with pytest.raises(aios3.errors.PreconditionFailed):
            await s3.abort_multipart_upload(
                Bucket=DIR,
                Key="k",
                UploadId=up.upload_id,
                IfMatchInitiatedTime=summary.initiated - dt.timedelta(seconds=1),
            )
        await s3.abort_multipart_upload(
            Bucket=DIR, Key="k", UploadId=up.upload_id, IfMatchInitiatedTime=summary.initiated
        )
    assert srv.create_session_calls[DIR] == 1 and not srv.buckets[DIR].uploads
    assert str(kwargs["transport"].requests[0].url) == f"https://{ZONAL}/?session"
    assert all(r.host == ZONAL for r in srv.requests)
