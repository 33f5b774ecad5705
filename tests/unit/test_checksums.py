"""Request checksums as botocore computes them: settings, what goes on the wire, errors.

The signing and the bytes of the headers / aws-chunked bodies are compared with botocore's in
`test_signing_differential.py`; real servers in `tests/servers/test_checksums_real.py`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import typing
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

import aios3
from aios3 import _checksums
from aios3._parse import upload_part as parse_upload_part
from aios3.models import ResponseMetadata
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._kit import CREDS

UPLOAD = {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1}


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _crc32(data: bytes) -> str:
    return _b64(zlib.crc32(data).to_bytes(4, "big"))


def _client(
    endpoint_url: str = "http://127.0.0.1:1",
    answers: list[MockResponse] | None = None,
    **config: Any,
) -> tuple[aios3.S3Client, MockTransport]:
    queue = list(answers or [])

    def handler(request: MockRequest) -> MockResponse:
        return queue.pop(0) if queue else MockResponse(200, {"ETag": '"e"'})

    t = MockTransport(handler)
    s3 = aios3.S3Client(
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        transport=t,
        config=aios3.Config(**config),
        **CREDS,
    )
    return s3, t


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for p in parts:
        yield p


def _decode_aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """The data and the trailer of an aws-chunked body (strictly: any framing error fails)."""
    data, rest = b"", body
    while True:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            break
        data += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    assert rest.endswith(b"\r\n\r\n")
    trailer = dict(line.split(":", 1) for line in rest[:-4].decode().split("\r\n"))
    return data, trailer


# ---------------------------------------------------------------- the members and the enum


def test_every_checksum_member_of_botocore_is_modelled() -> None:
    """Inputs, outputs and the parts of ListParts / CompleteMultipartUpload."""
    s3 = botocore.session.get_session().get_service_model("s3")
    models = aios3.models
    pairs = [
        ("UploadPart", "input", models.UploadPartRequest),
        ("UploadPart", "output", models.UploadPartResponse),
        ("CompleteMultipartUpload", "input", models.CompleteMultipartUploadRequest),
        ("CompleteMultipartUpload", "output", models.CompleteMultipartUploadResponse),
        ("HeadObject", "output", models.HeadObjectResponse),
        ("ListParts", "output", models.ListPartsResponse),
        ("CreateMultipartUpload", "output", models.CreateMultipartUploadResponse),
    ]
    missing = []
    for op, side, model in pairs:
        shape = getattr(s3.operation_model(op), f"{side}_shape")
        aliases = {f.alias for f in model.model_fields.values()}
        missing += [f"{op}.{m}" for m in shape.members if "Checksum" in m and m not in aliases]
    for shape_name, model in (("Part", models.Part), ("CompletedPart", models.CompletedPart)):
        aliases = {f.alias for f in model.model_fields.values()}
        missing += [
            f"{shape_name}.{m}"
            for m in s3.shape_for(shape_name).members
            if "Checksum" in m and m not in aliases
        ]
    assert missing == []
    # every value botocore knows (an older botocore at the floors knows fewer)
    assert set(s3.shape_for("ChecksumAlgorithm").enum) <= set(
        typing.get_args(models.ChecksumAlgorithm)
    )
    assert set(s3.shape_for("ChecksumType").enum) <= set(typing.get_args(models.ChecksumType))
    assert len(typing.get_args(models.ChecksumAlgorithm)) == 10


def test_the_new_members_are_parsed_from_headers_and_xml() -> None:
    headers = {
        "ETag": '"e"',
        "x-amz-checksum-sha512": "c2hhNTEy",
        "x-amz-checksum-md5": "bWQ1",
        "x-amz-checksum-xxhash64": "eDY0",
        "x-amz-checksum-xxhash3": "eDM=",
        "x-amz-checksum-xxhash128": "eDEyOA==",
    }
    from multidict import CIMultiDict, CIMultiDictProxy

    r = parse_upload_part(
        200, CIMultiDictProxy(CIMultiDict(headers)), b"", ResponseMetadata(HTTPStatusCode=200)
    )
    assert (r.checksum_sha512, r.checksum_md5) == ("c2hhNTEy", "bWQ1")
    assert (r.checksum_xxhash64, r.checksum_xxhash3, r.checksum_xxhash128) == (
        "eDY0",
        "eDM=",
        "eDEyOA==",
    )
    assert r.to_dict()["ChecksumXXHASH128"] == "eDEyOA=="


async def test_list_parts_parts_carry_the_new_checksums() -> None:
    xml = (
        b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
        b'<Part><PartNumber>1</PartNumber><ETag>"e"</ETag><Size>3</Size>'
        b"<ChecksumSHA512>s</ChecksumSHA512><ChecksumMD5>m</ChecksumMD5>"
        b"<ChecksumXXHASH64>a</ChecksumXXHASH64><ChecksumXXHASH3>b</ChecksumXXHASH3>"
        b"<ChecksumXXHASH128>c</ChecksumXXHASH128></Part></ListPartsResult>"
    )
    s3, _ = _client(answers=[MockResponse(200, body=xml)])
    async with s3:
        page = await s3.list_parts(Bucket="b", Key="k", UploadId="u")
    p = page.parts[0]
    assert (p.checksum_sha512, p.checksum_md5) == ("s", "m")
    assert (p.checksum_xxhash64, p.checksum_xxhash3, p.checksum_xxhash128) == ("a", "b", "c")


async def test_complete_sends_the_new_part_checksums() -> None:
    s3, t = _client(answers=[MockResponse(200, body=b"<CompleteMultipartUploadResult/>")])
    async with s3:
        await s3.complete_multipart_upload(
            Bucket="b",
            Key="k",
            UploadId="u",
            MultipartUpload={"Parts": [{"ETag": '"e"', "PartNumber": 1, "ChecksumXXHASH3": "x3"}]},
            ChecksumSHA512="whole",
        )
    req = t.requests[0]
    assert b"<ChecksumXXHASH3>x3</ChecksumXXHASH3>" in req.body
    assert req.headers["x-amz-checksum-sha512"] == "whole"
    assert "x-amz-sdk-checksum-algorithm" not in req.headers  # no httpChecksum trait


# ---------------------------------------------------------------- settings


async def _settings(**kwargs: Any) -> Any:
    s3 = aios3.S3Client(region_name="us-east-1", **CREDS, **kwargs)
    async with s3:
        return s3._settings


async def test_defaults_are_when_supported_as_botocore() -> None:
    s = await _settings()
    assert (s.request_checksum_calculation, s.response_checksum_validation) == (
        "when_supported",
        "when_supported",
    )


async def test_config_then_env_then_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[default]\nrequest_checksum_calculation = when_required\n"
        "response_checksum_validation = WHEN_REQUIRED\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    s = await _settings()
    assert (s.request_checksum_calculation, s.response_checksum_validation) == (
        "when_required",
        "when_required",
    )
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "When_Supported")
    monkeypatch.setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_supported")
    s = await _settings()
    assert (s.request_checksum_calculation, s.response_checksum_validation) == (
        "when_supported",
        "when_supported",
    )
    s = await _settings(
        config=aios3.Config(
            request_checksum_calculation="WHEN_REQUIRED",  # type: ignore[arg-type]
            response_checksum_validation="when_required",
        )
    )
    assert (s.request_checksum_calculation, s.response_checksum_validation) == (
        "when_required",
        "when_required",
    )


def test_an_invalid_config_value_is_refused() -> None:
    with pytest.raises(aios3.ParamValidationError, match="request_checksum_calculation"):
        aios3.Config(request_checksum_calculation="always")  # type: ignore[arg-type]
    with pytest.raises(aios3.ParamValidationError, match="response_checksum_validation"):
        aios3.Config(response_checksum_validation="never")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "var", ["AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"]
)
async def test_an_invalid_env_value_is_refused_at_setup(
    monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, "sometimes")
    s3, t = _client()
    with pytest.raises(aios3.ParamValidationError) as caught:
        async with s3:
            pass
    key = var.removeprefix("AWS_").lower()
    assert str(caught.value).startswith(f"Unsupported configuration value for {key}.")
    assert "sometimes" in str(caught.value)
    assert t.requests == []


# ---------------------------------------------------------------- what is sent


async def test_upload_part_sends_crc32_by_default_over_http() -> None:
    s3, t = _client()
    async with s3:
        await s3.upload_part(**UPLOAD, Body=b"hello")
    h = t.requests[0].headers
    assert h["x-amz-checksum-crc32"] == _crc32(b"hello")
    assert h["x-amz-sdk-checksum-algorithm"] == "CRC32"
    assert t.requests[0].body == b"hello"
    assert "x-amz-checksum-crc32" in h["Authorization"]  # signed
    assert "x-amz-sdk-checksum-algorithm" in h["Authorization"]


async def test_when_required_sends_no_checksum_unless_asked() -> None:
    s3, t = _client(request_checksum_calculation="when_required")
    async with s3:
        await s3.upload_part(**UPLOAD, Body=b"hello")
        await s3.upload_part(**UPLOAD, Body=b"hello", ChecksumAlgorithm="SHA512")
    assert not [k for k in t.requests[0].headers if k.lower().startswith("x-amz-checksum")]
    assert "x-amz-sdk-checksum-algorithm" not in t.requests[0].headers
    h = t.requests[1].headers
    assert h["x-amz-checksum-sha512"] == _b64(hashlib.sha512(b"hello").digest())
    assert h["x-amz-sdk-checksum-algorithm"] == "SHA512"


async def test_a_checksum_given_by_the_caller_is_sent_as_given() -> None:
    s3, t = _client()
    async with s3:
        await s3.upload_part(**UPLOAD, Body=b"x", ChecksumMD5="given")
        await s3.upload_part(**UPLOAD, Body=b"x", ChecksumAlgorithm="SHA1", ChecksumCRC32="c")
    checksums = [
        {k.lower(): v for k, v in r.headers.items() if k.lower().startswith("x-amz-checksum")}
        for r in t.requests
    ]
    assert checksums == [{"x-amz-checksum-md5": "given"}, {"x-amz-checksum-crc32": "c"}]
    assert "x-amz-sdk-checksum-algorithm" not in t.requests[0].headers


async def test_md5_is_not_computed_as_in_botocore() -> None:
    s3, t = _client()
    async with s3:
        with pytest.raises(aios3.ParamValidationError, match="Unsupported checksum algorithm: md5"):
            await s3.upload_part(**UPLOAD, Body=b"x", ChecksumAlgorithm="MD5")
    assert t.requests == []


async def test_crt_algorithms_without_awscrt_name_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_checksums, "_crt_cache", {})
    s3, t = _client()
    async with s3:  # set up first: botocore's session imports awscrt too
        monkeypatch.setitem(sys.modules, "awscrt", None)  # import awscrt raises ImportError
        for algorithm in ("CRC32C", "CRC64NVME", "XXHASH64", "XXHASH3", "XXHASH128"):
            with pytest.raises(aios3.errors.MissingDependencyError, match=r"aios3\[crt\]"):
                await s3.upload_part(**UPLOAD, Body=b"x", ChecksumAlgorithm=algorithm)
        # the default and the pure-Python ones need no awscrt
        await s3.upload_part(**UPLOAD, Body=b"x")
        await s3.upload_part(**UPLOAD, Body=b"x", ChecksumAlgorithm="SHA256")
    assert len(t.requests) == 2


@pytest.mark.parametrize(
    ("algorithm", "size"),
    [("CRC32C", 4), ("CRC64NVME", 8), ("XXHASH64", 8), ("XXHASH3", 8), ("XXHASH128", 16)],
)
async def test_crt_algorithms_match_botocore(algorithm: str, size: int) -> None:
    from botocore.httpchecksum import _CHECKSUM_CLS

    if algorithm.lower() not in _CHECKSUM_CLS:
        pytest.skip(f"this botocore does not compute {algorithm}")
    data = b"abc" * 1000
    theirs = _CHECKSUM_CLS[algorithm.lower()]()
    theirs.update(data)
    s3, t = _client()
    async with s3:
        await s3.upload_part(**UPLOAD, Body=data, ChecksumAlgorithm=algorithm)
    value = t.requests[0].headers[f"x-amz-checksum-{algorithm.lower()}"]
    assert value == theirs.b64digest()
    assert len(base64.b64decode(value)) == size


async def test_https_sends_an_aws_chunked_trailer_as_botocore() -> None:
    s3, t = _client("https://s3.example", answers=[MockResponse(500), MockResponse(200)])
    async with s3:
        await s3.upload_part(**UPLOAD, Body=b"hello world")
    assert len(t.requests) == 2  # the retry re-encodes the body
    for req in t.requests:
        h = req.headers
        assert h["Content-Encoding"] == "aws-chunked"
        assert h["X-Amz-Trailer"] == "x-amz-checksum-crc32"
        assert h["X-Amz-Decoded-Content-Length"] == "11"
        assert h["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert "Content-Length" not in h and "x-amz-checksum-crc32" not in h
        data, trailer = _decode_aws_chunked(req.body)
        assert data == b"hello world"
        assert trailer == {"x-amz-checksum-crc32": _crc32(b"hello world")}


async def test_a_file_body_over_http_gets_a_header_read_ahead_and_rewound() -> None:
    data = b"0123456789" * 300_000  # 3 MB: several reads
    f = io.BytesIO(b"skip" + data)
    f.seek(4)
    s3, t = _client()
    async with s3:
        await s3.upload_part(**UPLOAD, Body=f)
    req = t.requests[0]
    assert req.body == data
    assert req.headers["x-amz-checksum-crc32"] == _crc32(data)
    assert req.headers["Content-Length"] == str(len(data))


async def test_an_async_iterable_over_http_gets_a_trailer() -> None:
    s3, t = _client()
    async with s3:
        await s3.upload_part(
            **UPLOAD, Body=_chunks(b"ab", b"", b"cde"), ContentLength=5, ChecksumAlgorithm="SHA1"
        )
    req = t.requests[0]
    assert req.headers["X-Amz-Decoded-Content-Length"] == "5"
    assert req.headers["x-amz-sdk-checksum-algorithm"] == "SHA1"
    data, trailer = _decode_aws_chunked(req.body)
    assert data == b"abcde"
    assert trailer == {"x-amz-checksum-sha1": _b64(hashlib.sha1(b"abcde").digest())}
    assert req.body.startswith(b"2\r\nab\r\n3\r\ncde\r\n")  # the empty chunk is skipped


async def test_a_trailer_body_is_still_checked_against_content_length() -> None:
    s3, _ = _client("https://s3.example")
    async with s3:
        with pytest.raises(aios3.ParamValidationError, match="ContentLength"):
            await s3.upload_part(**UPLOAD, Body=_chunks(b"abc"), ContentLength=5)


@pytest.mark.parametrize(
    "call",
    [
        "abort_multipart_upload",
        "list_parts",
        "create_multipart_upload",
        "complete_multipart_upload",
    ],
)
async def test_operations_without_the_trait_send_no_checksum(call: str) -> None:
    params: dict[str, Any] = {"Bucket": "b", "Key": "k"}
    if call != "create_multipart_upload":
        params["UploadId"] = "u"
    if call == "complete_multipart_upload":
        params["MultipartUpload"] = {"Parts": [{"ETag": '"e"', "PartNumber": 1}]}
    answers = {
        "abort_multipart_upload": MockResponse(204),
        "list_parts": MockResponse(200, body=b"<ListPartsResult/>"),
        "create_multipart_upload": MockResponse(
            200,
            body=b"<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>",
        ),
        "complete_multipart_upload": MockResponse(200, body=b"<CompleteMultipartUploadResult/>"),
    }
    s3, t = _client(answers=[answers[call]])
    async with s3:
        await getattr(s3, call)(**params)
    names = {k.lower() for k in t.requests[0].headers}
    assert not {
        n for n in names if n.startswith("x-amz-checksum") or n == "x-amz-sdk-checksum-algorithm"
    }
    assert "content-encoding" not in names


def test_the_abort_path_builds_nothing_for_checksums() -> None:
    from aios3._operations import ABORT_MULTIPART_UPLOAD
    from aios3._serialize import serialize

    wire = serialize(ABORT_MULTIPART_UPLOAD.request(Bucket="b", Key="k", UploadId="u"))
    assert (wire.checksum, wire.checksum_optional) == (None, False)
