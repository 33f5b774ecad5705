"""Differential test: for the same inputs and a frozen clock, aios3 signs exactly as botocore.

botocore's own client builds, serialises and signs each request; aios3 does the same through
its light request object and cached signing key. The URL, the signed headers and the
`Authorization` header must be byte-identical.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import botocore.auth
import botocore.httpchecksum
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config as BotoConfig

import aios3
from aios3.testing import MockResponse, MockTransport

FROZEN = dt.datetime(2026, 3, 4, 5, 6, 7)
SIGNED = ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "XXHASH64", "XXHASH3")
ALGORITHMS += ("XXHASH128",)
CASES: list[tuple[str, dict[str, Any]]] = [
    ("abort_multipart_upload", {"Bucket": "bkt", "Key": "k", "UploadId": "u-1"}),
    (
        "abort_multipart_upload",
        {
            "Bucket": "bkt",
            "Key": "a/../b//c ?#+%2F ü/",
            "UploadId": "id+with/slash=",
            "RequestPayer": "requester",
            "ExpectedBucketOwner": "123456789012",
            "IfMatchInitiatedTime": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        },
    ),
    (
        "create_multipart_upload",
        {
            "Bucket": "bkt",
            "Key": "dir/file.bin",
            "ContentType": "application/octet-stream",
            "Metadata": {"owner": "me", "x": "1"},
            "StorageClass": "STANDARD_IA",
            "Tagging": "a=b&c=d",
            "ExpectedBucketOwner": "123456789012",
        },
    ),
    (
        "upload_part",
        {
            "Bucket": "bkt",
            "Key": "k",
            "UploadId": "u",
            "PartNumber": 7,
            "Body": b"hello world" * 100,
            "ContentMD5": "XrY7u+Ae7tCTyyK7j1rNww==",
        },
    ),
    # request checksums, botocore's default "when_supported": CRC32 in a header over http,
    # an aws-chunked trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER) over https
    ("upload_part", {"Bucket": "bkt", "Key": "k", "UploadId": "u", "PartNumber": 1, "Body": b""}),
    (
        "upload_part",
        {
            "Bucket": "bkt",
            "Key": "k",
            "UploadId": "u",
            "PartNumber": 2,
            "Body": b"x" * (3 * 1024 * 1024 + 5),  # several 1 MiB aws-chunked chunks
        },
    ),
    *[
        (
            "upload_part",
            {
                "Bucket": "bkt",
                "Key": "k",
                "UploadId": "u",
                "PartNumber": 3,
                "Body": b"checksummed",
                "ChecksumAlgorithm": algorithm,
            },
        )
        for algorithm in ALGORITHMS
    ],
    (  # a checksum the caller gives goes as given, and none is computed
        "upload_part",
        {
            "Bucket": "bkt",
            "Key": "k",
            "UploadId": "u",
            "PartNumber": 4,
            "Body": b"abc",
            "ChecksumAlgorithm": "MD5",
            "ChecksumMD5": "kAFQmDzST7DWlj99KOF/cg==",
        },
    ),
    (
        "complete_multipart_upload",
        {
            "Bucket": "bkt",
            "Key": "k",
            "UploadId": "u",
            "MultipartUpload": {
                "Parts": [
                    {"ETag": '"e1"', "PartNumber": 1},
                    {"ETag": '"e&2<>"', "ChecksumCRC32": "AAAAAA==", "PartNumber": 2},
                ]
            },
        },
    ),
    (
        "list_parts",
        {"Bucket": "bkt", "Key": "k", "UploadId": "u", "MaxParts": 50, "PartNumberMarker": 3},
    ),
    (
        "list_multipart_uploads",
        {
            "Bucket": "bkt",
            "Prefix": "a b/ü",
            "Delimiter": "/",
            "KeyMarker": "m",
            "UploadIdMarker": "x",
            "MaxUploads": 10,
        },
    ),
]

CLIENTS: list[tuple[str, dict[str, Any]]] = [
    ("aws-global", {"region_name": "us-east-1"}),
    ("aws-regional", {"region_name": "eu-west-1"}),
    ("custom-path", {"region_name": "us-east-1", "endpoint_url": "http://127.0.0.1:9000"}),
    ("https-custom", {"region_name": "ap-south-1", "endpoint_url": "https://minio.example:9443"}),
]
CREDS = {
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    # botocore swaps in its CRT signers when awscrt is installed (the aios3[crt] extra);
    # compare against its pure-Python S3SigV4Auth, the class aios3 signs with
    with (
        mock.patch.object(botocore.auth, "get_current_datetime", return_value=FROZEN),
        mock.patch.dict(botocore.auth.AUTH_TYPE_MAPS, {"s3v4": botocore.auth.S3SigV4Auth}),
    ):
        yield


def botocore_request(client_kwargs: dict[str, Any], op: str, params: dict[str, Any]) -> Any:
    session = botocore.session.Session()
    client = session.create_client(
        "s3",
        config=BotoConfig(retries={"max_attempts": 0}),
        **client_kwargs,
    )
    captured: list[Any] = []

    def before_send(request: Any, **kwargs: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 500, {}, None)

    client.meta.events.register("before-send.s3", before_send)
    with contextlib.suppress(Exception):
        getattr(client, op)(**params)
    return captured[0]


async def aios3_request(client_kwargs: dict[str, Any], op: str, params: dict[str, Any]) -> Any:
    transport = MockTransport(lambda r: MockResponse(599))
    async with aios3.S3Client(
        config=aios3.Config(max_attempts=1), transport=transport, **client_kwargs
    ) as s3:
        with pytest.raises(aios3.ClientError):
            await getattr(s3, op)(**params)
    r = transport.requests[0]
    return r.method, r.url, r.headers, r.body


def split_url(url: str) -> tuple[str, list[str]]:
    base, _, query = url.partition("?")
    return base, sorted(query.split("&")) if query else []


@pytest.mark.parametrize(("client_name", "client_kwargs"), CLIENTS, ids=[c[0] for c in CLIENTS])
@pytest.mark.parametrize(("op", "params"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLETOKEN"], ids=["keys", "token"])
async def test_authorization_matches_botocore(
    frozen_clock: None,
    client_name: str,
    client_kwargs: dict[str, Any],
    op: str,
    params: dict[str, Any],
    token: str | None,
) -> None:
    algorithm = params.get("ChecksumAlgorithm", "CRC32").lower()
    if algorithm != "md5" and algorithm not in botocore.httpchecksum._CHECKSUM_CLS:
        pytest.skip(f"this botocore (or its awscrt) does not compute {algorithm}")
    kwargs = {**client_kwargs, **CREDS, "aws_session_token": token}
    expected = botocore_request(kwargs, op, params)
    method, url, headers, body = await aios3_request(kwargs, op, params)

    assert method == expected.method
    # same scheme, host, path bytes and query items (botocore orders the query by kwargs)
    assert split_url(str(url)) == split_url(expected.url)
    assert url.raw_path_qs == str(url)[str(url).index("/", 8) :]  # sent as built, not re-encoded
    expected_headers = {
        k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in expected.headers.items()
    }
    sent = {k.lower(): v for k, v in headers.items()}
    want = {k: v for k, v in expected_headers.items() if k in SIGNED}
    got = {k: v for k, v in sent.items() if k in SIGNED}
    assert got == want
    # every header botocore signed is sent by aios3 with the same value
    signed_names = want["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    for name in signed_names:
        if name != "host":
            assert sent[name] == expected_headers[name], name
    if expected.body:
        want_body = expected.body if isinstance(expected.body, bytes) else expected.body.read()
        assert bytes(body) == want_body  # an aws-chunked body too, byte for byte
    # what botocore sends unsigned: aiohttp adds Transfer-Encoding: chunked for a body of
    # unknown length (an aws-chunked one), and sends no Content-Length then
    if "transfer-encoding" in expected_headers:
        assert expected_headers["transfer-encoding"] == "chunked"
        assert "content-length" not in expected_headers
        assert "content-length" not in sent
