"""An in-memory S3 server with AWS's documented semantics for what local servers ignore.

SeaweedFS, moto and Ceph RGW ignore `x-amz-expected-bucket-owner`, `x-amz-request-payer` and
`x-amz-if-match-initiated-time`, and none implements CreateSession / S3 Express. `AwsS3Server`
does, with the multipart operations in memory, and verifies the SigV4 signature of every
request, so aios3's real endpoint resolution, signing and session code can run end to end:

```python
async with AwsS3Server(access_key="AK", secret_key="SK") as srv:
    srv.add_bucket("base--usw2-az1--x-s3", directory=True)
    async with S3Client(**aws_endpoint_client_kwargs(srv, region_name="us-west-2")) as s3:
        await s3.create_multipart_upload(Bucket="base--usw2-az1--x-s3", Key="k")
```

`loopback_handler(srv)`, in a `MockTransport`, sends what aios3 built for
`https://<aws host>/<key>` to this server over plain http, unchanged (the signed `Host`
header included), so the server sees the AWS host.

Behaviour, as the S3 API reference and user guide document it (choices marked *):
* SigV4 is recomputed with botocore over AWS's canonical form: path and query decoded once and
  URI-encoded once (S3 does not normalise `a/../b`); a client that signs another encoding fails.
  All `x-amz-*` headers and `host` must be signed (403 AccessDenied, `HeadersNotSigned`).
  `x-amz-content-sha256` is required and checked against the body; aws-chunked bodies are
  decoded, their chunk signatures not checked*. 15 min clock skew. The credential scope's
  service must be `s3` (general purpose) or `s3express` (directory), its region the host's.
* Zonal requests (directory buckets, except CreateSession) need `x-amz-s3session-token` of a
  live session of that bucket, signed with that session's keys: missing → 403 AccessDenied,
  expired → 400 ExpiredToken, never issued → 400 InvalidToken*, another bucket's → 403
  AccessDenied*, `x-amz-security-token` → 400 InvalidRequest*; plain SigV4 with long-term keys
  only if `allow_plain_sigv4_on_directory` (the user guide says data operations use sessions).
  Path-style requests to a directory bucket → 400 InvalidRequest*. ReadOnly sessions cannot
  write. `?session` on a general purpose bucket → 400 InvalidRequest*.
* `x-amz-expected-bucket-owner` ≠ owner → 403 AccessDenied. Requester pays: a requester from
  another account must send `x-amz-request-payer: requester` (else 403 AccessDenied) and is
  answered `x-amz-request-charged: requester`; the owner needs no header and is not charged.
* `x-amz-if-match-initiated-time` (AbortMultipartUpload): directory buckets only (ignored on
  general purpose buckets*): 412 PreconditionFailed on mismatch, 204 on match or no upload.
* A non-AWS host that is not `<domain>` or `*.<domain>` names the bucket itself (CNAME).
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import hashlib
import hmac
import io
import ipaddress
import itertools
import re
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes
from xml.etree.ElementTree import Element, ParseError

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from yarl import URL

from aios3.errors import EndpointConnectionError
from aios3.testing import MockRequest, MockResponse, MockTransport

__all__ = [
    "AwsS3Server",
    "MappingResolver",
    "RecordedRequest",
    "aws_endpoint_client_kwargs",
    "loopback_handler",
]

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
MIN_PART_SIZE = 5 * 1024 * 1024
# bucket.s3.region.amazonaws.com, bucket.s3-accelerate..., base--az--x-s3.s3express-az.region...
_AWS_HOST = re.compile(
    r"(?:(?P<bucket>.+)\.)?(?:s3|s3-[a-z0-9-]+|s3express-[a-z0-9-]+)(?:\.dualstack)?"
    r"(?:\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+))?\.amazonaws\.com(?:\.cn)?"
)
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<ak>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),"
    r"\s*Signature=(?P<sig>[0-9a-f]{64})"
)
_XML_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")


_ERRORS: dict[str, tuple[int, str]] = {
    "AccessDenied": (403, "Access Denied"),
    "AuthorizationHeaderMalformed": (400, "The authorization header is malformed"),
    "BadDigest": (400, "The Content-MD5 you specified did not match what we received."),
    "EntityTooSmall": (400, "Your proposed upload is smaller than the minimum allowed size."),
    "ExpiredToken": (400, "The provided token has expired."),
    "InternalError": (500, "We encountered an internal error. Please try again."),
    "InvalidAccessKeyId": (
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    ),
    "InvalidArgument": (400, "Invalid Argument"),
    "InvalidDigest": (400, "The Content-MD5 you specified is not valid."),
    "InvalidPart": (400, "One or more of the specified parts could not be found."),
    "InvalidPartOrder": (400, "The list of parts was not in ascending order."),
    "InvalidRequest": (400, "Invalid Request"),
    "InvalidToken": (400, "The provided token is malformed or otherwise invalid."),
    "MalformedXML": (400, "The XML you provided was not well-formed or did not validate."),
    "MethodNotAllowed": (405, "The specified method is not allowed against this resource."),
    "NoSuchBucket": (404, "The specified bucket does not exist"),
    "NoSuchKey": (404, "The specified key does not exist."),
    "NoSuchUpload": (404, "The specified upload does not exist."),
    "NotImplemented": (501, "A header you provided implies functionality that is not implemented"),
    "PreconditionFailed": (412, "At least one of the pre-conditions you specified did not hold"),
    "RequestTimeTooSkewed": (403, "The difference between the request time and now is too large."),
    "SignatureDoesNotMatch": (403, "The request signature we calculated does not match."),
    "XAmzContentSHA256Mismatch": (400, "The provided 'x-amz-content-sha256' does not match."),
}


class S3Error(Exception):
    """An S3 error answer: `S3Error(code, message=default, **extra <Error> children)`."""

    def __init__(self, code: str, message: str | None = None, **extra: str) -> None:
        super().__init__(code)
        self.status, default = _ERRORS[code]
        self.code, self.message, self.extra = code, message or default, extra


def _esc(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_CTRL.sub(lambda m: f"&#x{ord(m.group()):X};", text)


def _xml(root: str, *children: str) -> bytes:
    body = "".join(children)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{body}</{root}>'.encode()


def _e(tag: str, value: object) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{_esc(str(value))}</{tag}>"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _tag(e: Element) -> str:
    return e.tag.rpartition("}")[2]


@dataclass
class RecordedRequest:
    method: str
    host: str
    raw_path: str
    """Path and query exactly as received."""
    headers: dict[str, str]
    """Lower-cased names (the last value of a repeated header)."""
    body: bytes
    """The payload (an aws-chunked body is stored decoded)."""

    @property
    def query(self) -> dict[str, str]:
        return _parse_query(self.raw_path.partition("?")[2])


@dataclass
class Part:
    number: int
    etag: str
    data: bytes
    last_modified: float


@dataclass
class Upload:
    key: str
    upload_id: str
    initiated: int
    """Seconds since the epoch (S3 reports initiation times with second precision)."""
    parts: dict[int, Part] = field(default_factory=dict)


@dataclass
class Bucket:
    name: str
    owner: str
    requester_pays: bool = False
    directory: bool = False
    region: str | None = None
    uploads: dict[str, Upload] = field(default_factory=dict)
    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # key -> (data, etag)


@dataclass
class Session:
    token: str
    access_key: str
    secret_key: str
    bucket: str
    expires: float
    mode: str
    account: str


@dataclass
class _Account:
    secret_key: str
    account_id: str
    token: str | None = None


class _Verifier(S3SigV4Auth):  # type: ignore[misc]
    """botocore's S3 signer, signing exactly the headers the client listed as signed."""

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return request.headers


def _parse_query(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in query.split("&") if query else ():
        k, _, v = item.partition("=")
        out.setdefault(unquote(k), unquote(v))
    return out


def _int_param(q: dict[str, str], name: str, default: int, cap: int = 1000) -> int:
    raw = q.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise S3Error("InvalidArgument", f"Provided {name} not an integer or within range")
    return min(int(raw), cap)


class AwsS3Server:
    """`async with AwsS3Server(access_key=..., secret_key=...) as srv:` on 127.0.0.1:`srv.port`.

    Knobs: `session_lifetime` (s), `fail_create_session` (next N CreateSession → 500),
    `create_session_gate` (an `asyncio.Event`: CreateSession answers once it is set; see
    `create_sessions_waiting`), `allow_plain_sigv4_on_directory`, `min_part_size`,
    `max_clock_skew` (s, None disables), `clock` (seconds since the epoch, `time.time` by
    default: session expiry, clock skew and upload/part times). Records: `requests`,
    `create_session_calls`.
    """

    def __init__(
        self,
        *,
        access_key: str = "AKIDEXAMPLE",
        secret_key: str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        account_id: str = "111122223333",
        domain: str = "localhost",
    ) -> None:
        self.access_key, self.secret_key, self.account_id = access_key, secret_key, account_id
        self.domain = domain
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self.create_session_calls: Counter[str] = Counter()
        self.buckets: dict[str, Bucket] = {}
        self.sessions: dict[str, Session] = {}
        self.session_lifetime = 300
        self.fail_create_session = 0
        self.create_session_gate: asyncio.Event | None = None
        self.clock: Callable[[], float] = time.time
        self._waiting = 0
        self._waiting_changed: asyncio.Condition | None = None
        self.allow_plain_sigv4_on_directory = False
        self.min_part_size = MIN_PART_SIZE
        self.max_clock_skew: float | None = 900.0
        self._accounts: dict[str, _Account] = {access_key: _Account(secret_key, account_id)}
        self._runner: web.AppRunner | None = None
        self._seq = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_bucket(
        self,
        name: str,
        *,
        owner: str | None = None,
        requester_pays: bool = False,
        directory: bool = False,
        region: str | None = None,
    ) -> Bucket:
        """`owner` defaults to `account_id`; directory buckets are named `base--zone-id--x-s3`;
        `region` (optional) is the only signing region the bucket accepts."""
        if directory and (not name.endswith("--x-s3") or requester_pays):
            raise ValueError("directory buckets are named base--zone-id--x-s3, no requester pays")
        b = Bucket(name, owner or self.account_id, requester_pays, directory, region)
        self.buckets[name] = b
        return b

    def add_credentials(
        self, access_key: str, secret_key: str, *, account_id: str, session_token: str | None = None
    ) -> None:
        """More accepted long-term keys (another account: a requester on a requester-pays
        bucket). With `session_token`, requests must carry it as `x-amz-security-token`."""
        self._accounts[access_key] = _Account(secret_key, account_id, session_token)

    def expire_all_sessions(self) -> None:
        for s in self.sessions.values():
            s.expires = 0.0

    async def __aenter__(self) -> AwsS3Server:
        app = web.Application(client_max_size=1 << 31)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    def _condition(self) -> asyncio.Condition:
        if self._waiting_changed is None:
            self._waiting_changed = asyncio.Condition()
        return self._waiting_changed

    async def _hold(self, gate: asyncio.Event) -> None:
        cond = self._condition()
        async with cond:
            self._waiting += 1
            cond.notify_all()
        try:
            await gate.wait()
        finally:
            self._waiting -= 1

    async def create_sessions_waiting(self, n: int) -> None:
        """Return once `n` CreateSession calls wait at `create_session_gate` together."""
        cond = self._condition()
        async with cond:
            await cond.wait_for(lambda: self._waiting >= n)

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ request handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rec = RecordedRequest(
            request.method,
            request.headers.get("Host", ""),
            request.raw_path,
            {k.lower(): v for k, v in request.headers.items()},
            await request.read(),
        )
        self.requests.append(rec)
        out: dict[str, str] = {}
        rid = secrets.token_hex(8).upper()
        try:
            resp = await self._dispatch(request, rec, out)
        except S3Error as err:
            resp = _error_response(err, rec.method, rid)
        except Exception as exc:  # a bug in this server: answer 500 as S3 would, with the cause
            bug = S3Error("InternalError", f"{type(exc).__name__}: {exc}")
            resp = _error_response(bug, rec.method, rid)
        if resp.status < 300:
            resp.headers.update(out)
        resp.headers["x-amz-request-id"] = rid
        resp.headers["x-amz-id-2"] = base64.b64encode(secrets.token_bytes(48)).decode()
        return resp

    def _route(self, rec: RecordedRequest) -> tuple[str | None, str | None, str | None, bool]:
        """(bucket, key, region named by the host, path-style?)."""
        path = rec.raw_path.partition("?")[0]
        h = rec.host.lower()
        h = h if h.startswith("[") else h.partition(":")[0]
        bucket = region = None
        try:
            ipaddress.ip_address(h.strip("[]"))
        except ValueError:
            m = _AWS_HOST.fullmatch(h)
            if m:
                bucket, region = m["bucket"], m["region"]
            elif h.endswith("." + self.domain):
                bucket = h[: -len(self.domain) - 1]
            elif h != self.domain and not h.endswith((".amazonaws.com", ".amazonaws.com.cn")):
                bucket = h  # a CNAME: the whole host names the bucket
        if bucket is not None:
            return bucket, (unquote(path[1:]) if path[1:] else None), region, False
        name, _, key = path[1:].partition("/")
        return (unquote(name) or None), (unquote(key) if key else None), region, True

    async def _dispatch(
        self, request: web.Request, rec: RecordedRequest, out: dict[str, str]
    ) -> web.Response:
        bucket_name, key, host_region, path_style = self._route(rec)
        q, m, hdrs = rec.query, rec.method, rec.headers
        bucket = self.buckets.get(bucket_name) if bucket_name else None
        if bucket_name and bucket is None:
            raise S3Error("NoSuchBucket", BucketName=bucket_name)
        if bucket is not None and bucket.directory and path_style:
            raise S3Error("InvalidRequest", "Path-style requests are not supported here")
        create_session = m == "GET" and key is None and "session" in q
        create_session = create_session and bucket is not None and bucket.directory
        session, account = self._authenticate(request, rec, bucket, create_session, host_region)
        _check_payload(rec)
        if bucket is None:
            raise S3Error("NotImplemented", "Only bucket-level and object-level requests")
        expected = hdrs.get("x-amz-expected-bucket-owner")
        if expected is not None and expected != bucket.owner:
            raise S3Error("AccessDenied")
        if bucket.requester_pays and account != bucket.owner:
            if hdrs.get("x-amz-request-payer", "").lower() != "requester":
                raise S3Error("AccessDenied")
            out["x-amz-request-charged"] = "requester"
        if session is not None and session.mode == "ReadOnly" and m not in ("GET", "HEAD"):
            raise S3Error("AccessDenied")
        if create_session:
            return await self._create_session(bucket, rec, account)
        if key is None:
            if m == "GET" and "uploads" in q:
                return self._list_uploads(bucket, q)
            if m == "GET" and "session" in q:
                raise S3Error("InvalidRequest", "CreateSession needs a directory bucket")
            raise S3Error("NotImplemented")
        if m == "POST" and "uploads" in q:
            return self._create_upload(bucket, key)
        if "uploadId" in q:
            upload = bucket.uploads.get(q["uploadId"])
            if upload is not None and upload.key != key:
                upload = None
            if m == "PUT" and "partNumber" in q:
                return self._upload_part(_need(upload), q["partNumber"], rec.body)
            if m == "GET":
                return self._list_parts(bucket, _need(upload), q)
            if m == "POST":
                return self._complete(bucket, _need(upload), rec)
            if m == "DELETE":
                return self._abort(bucket, upload, hdrs)
            raise S3Error("MethodNotAllowed")
        return self._object(bucket, key, rec)

    # ------------------------------------------------------------------ authentication

    def _authenticate(
        self,
        request: web.Request,
        rec: RecordedRequest,
        bucket: Bucket | None,
        create_session: bool,
        host_region: str | None,
    ) -> tuple[Session | None, str]:
        """Check the Authorization header; return the session used (if any) and the account."""
        hdrs = rec.headers
        auth = hdrs.get("authorization")
        if not auth:
            raise S3Error("AccessDenied")
        a = _AUTH.fullmatch(auth.strip())
        if a is None:
            raise S3Error("AuthorizationHeaderMalformed")
        ak, signed = a["ak"], a["signed"].split(";")
        directory = bucket is not None and bucket.directory
        session: Session | None = None
        if directory and not create_session:
            assert bucket is not None
            token = hdrs.get("x-amz-s3session-token")
            if "x-amz-security-token" in hdrs:
                raise S3Error("InvalidRequest", "x-amz-security-token is not supported here")
            if token is None:
                if not (self.allow_plain_sigv4_on_directory and ak in self._accounts):
                    raise S3Error("AccessDenied")
            elif (session := self.sessions.get(token)) is None:
                raise S3Error("InvalidToken")
            elif self.clock() >= session.expires:
                raise S3Error("ExpiredToken")
            elif session.bucket != bucket.name:
                raise S3Error("AccessDenied")
            elif ak != session.access_key:
                raise S3Error("InvalidAccessKeyId", AWSAccessKeyId=ak)
        if session is not None:
            secret, account = session.secret_key, session.account
        else:
            acct = self._accounts.get(ak)
            if acct is None:
                raise S3Error("InvalidAccessKeyId", AWSAccessKeyId=ak)
            if hdrs.get("x-amz-security-token") != acct.token:
                raise S3Error("InvalidToken")
            secret, account = acct.secret_key, acct.account_id
        want = "s3express" if directory else "s3"
        if a["service"] != want:
            msg = f"incorrect service '{a['service']}'. This endpoint belongs to '{want}'."
            raise S3Error("AuthorizationHeaderMalformed", msg)
        want = (bucket.region if bucket else None) or host_region or a["region"]
        if a["region"] != want:
            msg = f"the region '{a['region']}' is wrong; expecting '{want}'"
            raise S3Error("AuthorizationHeaderMalformed", msg, Region=want)
        amz_date = hdrs.get("x-amz-date", "")
        try:
            when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise S3Error("AccessDenied", "a valid x-amz-date header is required") from None
        if a["date"] != amz_date[:8]:
            raise S3Error("AuthorizationHeaderMalformed", "Date is not the same as X-Amz-Date.")
        skew = self.max_clock_skew
        if skew is not None and abs(when.timestamp() - self.clock()) > skew:
            raise S3Error("RequestTimeTooSkewed")
        unsigned = sorted(h for h in hdrs if h.startswith("x-amz-") and h not in signed)
        if unsigned or "host" not in signed:
            msg = "There were headers present in the request which were not signed"
            raise S3Error("AccessDenied", msg, HeadersNotSigned=", ".join(unsigned or ["host"]))
        _verify(request, rec, a, signed, secret, amz_date)
        return session, account

    # ------------------------------------------------------------------ operations

    async def _create_session(
        self, bucket: Bucket, rec: RecordedRequest, account: str
    ) -> web.Response:
        self.create_session_calls[bucket.name] += 1
        mode = rec.headers.get("x-amz-create-session-mode", "ReadWrite")
        if mode not in ("ReadWrite", "ReadOnly"):
            raise S3Error("InvalidArgument", "Invalid session mode")
        if self.create_session_gate is not None:
            await self._hold(self.create_session_gate)
        if self.fail_create_session > 0:
            self.fail_create_session -= 1
            raise S3Error("InternalError")
        expires = int(self.clock()) + self.session_lifetime
        s = Session(
            token=secrets.token_urlsafe(48),
            access_key="ASIA" + secrets.token_hex(8).upper(),
            secret_key=secrets.token_urlsafe(30),
            bucket=bucket.name,
            expires=float(expires),
            mode=mode,
            account=account,
        )
        self.sessions[s.token] = s
        exp = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        creds = (
            f"<Credentials>{_e('SessionToken', s.token)}{_e('SecretAccessKey', s.secret_key)}"
            f"{_e('AccessKeyId', s.access_key)}{_e('Expiration', exp)}</Credentials>"
        )
        sse = {"x-amz-server-side-encryption": "AES256"}
        return _ok(_xml("CreateSessionResult", creds), sse)

    def _create_upload(self, bucket: Bucket, key: str) -> web.Response:
        self._seq += 1  # ids sort in creation order, so the upload-id-marker stays consistent
        uid = f"{self._seq:08d}{secrets.token_hex(12)}"
        bucket.uploads[uid] = Upload(key, uid, int(self.clock()))
        return _ok(
            _xml(
                "InitiateMultipartUploadResult",
                _e("Bucket", bucket.name),
                _e("Key", key),
                _e("UploadId", uid),
            )
        )

    def _upload_part(self, upload: Upload, number: str, body: bytes) -> web.Response:
        if not number.isdigit() or not 1 <= int(number) <= 10000:
            msg = "Part number must be an integer between 1 and 10000, inclusive"
            raise S3Error("InvalidArgument", msg, ArgumentName="partNumber", ArgumentValue=number)
        etag = f'"{hashlib.md5(body).hexdigest()}"'
        upload.parts[int(number)] = Part(int(number), etag, body, self.clock())
        return web.Response(headers={"ETag": etag})

    def _list_parts(self, bucket: Bucket, upload: Upload, q: dict[str, str]) -> web.Response:
        max_parts = _int_param(q, "max-parts", 1000)
        marker = _int_param(q, "part-number-marker", 0, cap=10000)
        after = [p for n, p in sorted(upload.parts.items()) if n > marker]
        page = after[:max_parts]
        parts = "".join(
            f"<Part>{_e('PartNumber', p.number)}{_e('LastModified', _iso(p.last_modified))}"
            f"{_e('ETag', p.etag)}{_e('Size', len(p.data))}</Part>"
            for p in page
        )
        return _ok(
            _xml(
                "ListPartsResult",
                _e("Bucket", bucket.name),
                _e("Key", upload.key),
                _e("UploadId", upload.upload_id),
                _e("PartNumberMarker", marker),
                _e("NextPartNumberMarker", page[-1].number if page else 0),
                _e("MaxParts", max_parts),
                _e("IsTruncated", len(after) > max_parts),
                parts,
                _people(bucket),
            )
        )

    def _list_uploads(self, bucket: Bucket, q: dict[str, str]) -> web.Response:
        max_uploads = _int_param(q, "max-uploads", 1000)
        prefix, delim = q.get("prefix", ""), q.get("delimiter", "")
        key_marker, id_marker = q.get("key-marker", ""), q.get("upload-id-marker", "")
        url = q.get("encoding-type") == "url"

        def enc(s: str) -> str:
            return quote(s, safe="/") if url else s

        entries: list[tuple[str, Upload | None]] = []  # (key or common prefix, upload)
        for u in sorted(bucket.uploads.values(), key=lambda u: (u.key, u.upload_id)):
            after = (u.key, u.upload_id) > (key_marker, id_marker or "\uffff")
            if not u.key.startswith(prefix) or (key_marker and not after):
                continue
            cut = u.key.find(delim, len(prefix)) if delim else -1
            if cut < 0:
                entries.append((u.key, u))
            elif (cp := u.key[: cut + len(delim)]) > key_marker and entries[-1:] != [(cp, None)]:
                entries.append((cp, None))
        page = entries[:max_uploads]
        out = [_e("Bucket", bucket.name), _e("KeyMarker", enc(key_marker))]
        out.append(_e("UploadIdMarker", id_marker))
        if page:
            last_key, last = page[-1]
            out.append(_e("NextKeyMarker", enc(last_key)))
            out.append(_e("NextUploadIdMarker", last.upload_id if last else ""))
        if delim:
            out.append(_e("Delimiter", enc(delim)))
        out += [_e("Prefix", enc(prefix)), _e("MaxUploads", max_uploads)]
        out.append(_e("IsTruncated", len(entries) > max_uploads))
        for k, up in page:
            if up is not None:
                out.append(
                    f"<Upload>{_e('Key', enc(k))}{_e('UploadId', up.upload_id)}{_people(bucket)}"
                    f"{_e('Initiated', _iso(up.initiated))}</Upload>"
                )
        out += [
            f"<CommonPrefixes>{_e('Prefix', enc(k))}</CommonPrefixes>" for k, u in page if not u
        ]
        if url:
            out.append(_e("EncodingType", "url"))
        return _ok(_xml("ListMultipartUploadsResult", *out))

    def _complete(self, bucket: Bucket, upload: Upload, rec: RecordedRequest) -> web.Response:
        try:
            root = fromstring(rec.body)
        except (ParseError, DefusedXmlException):
            raise S3Error("MalformedXML") from None
        listed: list[tuple[int, str]] = []
        for p in root:
            fields = {_tag(c): (c.text or "").strip() for c in p}
            if _tag(p) != "Part" or not fields.get("PartNumber", "").isdigit():
                raise S3Error("MalformedXML")
            listed.append((int(fields["PartNumber"]), fields.get("ETag", "").strip('"')))
        if _tag(root) != "CompleteMultipartUpload" or not listed:
            raise S3Error("MalformedXML")
        numbers = [n for n, _ in listed]
        if any(b <= a for a, b in itertools.pairwise(numbers)):
            raise S3Error("InvalidPartOrder")
        for n, etag in listed:
            part = upload.parts.get(n)
            if part is None or part.etag.strip('"') != etag:
                raise S3Error("InvalidPart", PartNumber=str(n), ETag=etag)
        chosen = [upload.parts[n] for n in numbers]
        for p in chosen[:-1]:
            if len(p.data) < self.min_part_size:
                size, least = str(len(p.data)), str(self.min_part_size)
                raise S3Error("EntityTooSmall", ProposedSize=size, MinSizeAllowed=least)
        md5s = b"".join(bytes.fromhex(p.etag.strip('"')) for p in chosen)
        etag = f'"{hashlib.md5(md5s).hexdigest()}-{len(chosen)}"'
        bucket.objects[upload.key] = (b"".join(p.data for p in chosen), etag)
        del bucket.uploads[upload.upload_id]
        return _ok(
            _xml(
                "CompleteMultipartUploadResult",
                _e("Location", f"https://{rec.host}{rec.raw_path.partition('?')[0]}"),
                _e("Bucket", bucket.name),
                _e("Key", upload.key),
                _e("ETag", etag),
            )
        )

    def _abort(self, bucket: Bucket, upload: Upload | None, hdrs: dict[str, str]) -> web.Response:
        # S3 API reference, AbortMultipartUpload: only directory buckets honour
        # x-amz-if-match-initiated-time: 412 on mismatch; 204 on match or if the upload is gone.
        raw = hdrs.get("x-amz-if-match-initiated-time")
        if raw is not None and bucket.directory:
            try:
                when = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                raise S3Error("InvalidArgument", ArgumentValue=raw) from None
            if upload is None:
                return web.Response(status=204)
            when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
            if int(when.timestamp()) != upload.initiated:
                raise S3Error("PreconditionFailed", Condition="x-amz-if-match-initiated-time")
        del bucket.uploads[_need(upload).upload_id]
        return web.Response(status=204)

    def _object(self, bucket: Bucket, key: str, rec: RecordedRequest) -> web.Response:
        if rec.method == "PUT":
            etag = f'"{hashlib.md5(rec.body).hexdigest()}"'
            bucket.objects[key] = (rec.body, etag)
            return web.Response(headers={"ETag": etag})
        if rec.method == "DELETE":
            bucket.objects.pop(key, None)
            return web.Response(status=204)
        if rec.method not in ("GET", "HEAD"):
            raise S3Error("MethodNotAllowed")
        if key not in bucket.objects:
            raise S3Error("NoSuchKey", Key=key)
        data, etag = bucket.objects[key]
        return web.Response(body=data if rec.method == "GET" else None, headers={"ETag": etag})


def _ok(body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=body, content_type="application/xml", headers=headers)


def _error_response(err: S3Error, method: str, request_id: str) -> web.Response:
    extra = "".join(_e(k, v) for k, v in err.extra.items())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{_e("Code", err.code)}'
        f"{_e('Message', err.message)}{extra}{_e('RequestId', request_id)}"
        f"{_e('HostId', 'aios3-awsserver')}</Error>"
    ).encode()
    body = b"" if method == "HEAD" else body
    return web.Response(status=err.status, body=body, content_type="application/xml")


def _need(upload: Upload | None) -> Upload:
    if upload is None:
        raise S3Error("NoSuchUpload")
    return upload


def _people(bucket: Bucket) -> str:
    who = _e("ID", bucket.owner)
    storage = "EXPRESS_ONEZONE" if bucket.directory else "STANDARD"
    return f"<Initiator>{who}</Initiator><Owner>{who}</Owner>{_e('StorageClass', storage)}"


def _verify(
    request: web.Request,
    rec: RecordedRequest,
    a: re.Match[str],
    signed: list[str],
    secret: str,
    amz_date: str,
) -> None:
    """Recompute the signature with botocore over AWS's canonical form of the request.

    AWS decodes the path and query once and URI-encodes them once (S3 neither double-encodes
    nor normalises the path); botocore's `S3SigV4Auth` then builds the canonical request.
    """
    path, _, query = rec.raw_path.partition("?")
    url = f"http://{rec.host}{quote(unquote_to_bytes(path), safe='/~')}"
    if query:
        pairs = [item.partition("=") for item in query.split("&")]
        url += "?" + "&".join(
            quote(unquote_to_bytes(k), safe="~") + "=" + quote(unquote_to_bytes(v), safe="~")
            for k, _, v in pairs
        )
    areq = AWSRequest(method=rec.method, url=url, data=rec.body)
    for name in signed:
        for value in request.headers.getall(name, []):
            areq.headers[name] = value
    areq.context["timestamp"] = amz_date
    signer = _Verifier(Credentials(a["ak"], secret), a["service"], a["region"])
    canonical = signer.canonical_request(areq)
    sts = signer.string_to_sign(areq, canonical)
    if not hmac.compare_digest(signer.signature(sts, areq), a["sig"]):
        raise S3Error(
            "SignatureDoesNotMatch",
            AWSAccessKeyId=a["ak"],
            StringToSign=sts,
            SignatureProvided=a["sig"],
            CanonicalRequest=canonical,
        )


def _check_payload(rec: RecordedRequest) -> None:
    """`x-amz-content-sha256` (required) and `Content-MD5` against the body."""
    claimed = rec.headers.get("x-amz-content-sha256")
    actual = hashlib.sha256(rec.body).hexdigest()
    if claimed is None:
        raise S3Error("InvalidRequest", "Missing required header: x-amz-content-sha256")
    if claimed == "UNSIGNED-PAYLOAD" or claimed.startswith("STREAMING-"):
        if "aws-chunked" in rec.headers.get("content-encoding", ""):
            rec.body = _dechunk(rec.body)
    elif not re.fullmatch(r"[0-9a-f]{64}", claimed):
        raise S3Error("InvalidArgument", "x-amz-content-sha256 must be a sha256 or a keyword")
    elif actual != claimed:
        computed = {"ClientComputedContentSHA256": claimed, "S3ComputedContentSHA256": actual}
        raise S3Error("XAmzContentSHA256Mismatch", **computed)
    md5 = rec.headers.get("content-md5")
    if md5 is not None:
        try:
            digest = base64.b64decode(md5, validate=True)
        except ValueError:
            raise S3Error("InvalidDigest") from None
        if digest != hashlib.md5(rec.body).digest():
            raise S3Error("BadDigest")


def _dechunk(body: bytes) -> bytes:
    """Decode an aws-chunked body (chunk signatures and trailers are not checked)."""
    out, pos = bytearray(), 0
    while pos < len(body):
        eol = body.index(b"\r\n", pos)
        size = int(body[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            break
        out += body[pos : pos + size]
        pos += size + 2
    return bytes(out)


# ---------------------------------------------------------------------- reaching the server


class MappingResolver(AbstractResolver):
    """An aiohttp resolver that maps every host name to 127.0.0.1 (the port is kept)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


def loopback_handler(srv: AwsS3Server) -> Callable[[MockRequest], Awaitable[MockResponse]]:
    """A `MockTransport` handler that sends every request to `srv` over plain http, unchanged.

    aios3 builds `https://<aws host>/<key>` and signs `Host: <aws host>`; this sends the same
    method, raw path and query, headers (that `Host` included) and body to
    `http://127.0.0.1:{srv.port}`. The transport's `requests` record the URLs aios3 built.
    """

    async def handler(request: MockRequest) -> MockResponse:
        target = URL(f"http://127.0.0.1:{srv.port}{request.url.raw_path_qs}", encoded=True)
        body: bytes | io.BytesIO = request.body
        if len(request.body) > 1 << 20:
            body = io.BytesIO(request.body)
        try:
            async with (
                aiohttp.ClientSession(
                    auto_decompress=False, skip_auto_headers=("Content-Type",)
                ) as session,
                session.request(request.method, target, headers=request.headers, data=body) as resp,
            ):
                return MockResponse(resp.status, resp.headers, await resp.read())
        except aiohttp.ClientConnectionError as exc:
            raise EndpointConnectionError(
                f"loopback to {target} failed: {exc!r}", endpoint_url=str(request.url)
            ) from exc

    return handler


def aws_endpoint_client_kwargs(
    srv: AwsS3Server, *, region_name: str = "us-east-1", **extra: Any
) -> dict[str, Any]:
    """`S3Client(**aws_endpoint_client_kwargs(srv))`: AWS endpoints (no `endpoint_url`), the
    server's long-term keys, and a fresh `MockTransport` that loops back to `srv`
    (`kwargs["transport"].requests` records what aios3 sent)."""
    kwargs: dict[str, Any] = {
        "region_name": region_name,
        "aws_access_key_id": srv.access_key,
        "aws_secret_access_key": srv.secret_key,
        "transport": MockTransport(loopback_handler(srv)),
    }
    kwargs.update(extra)
    return kwargs
