"""What SeaweedFS and moto do with flexible checksums (the table in ``docs/servers.md``).

Raw requests (``tests/_raw_checksums.py``), so aios3's own checksum code is not involved.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

import aios3
from tests._raw_checksums import CRC32, DATA, WRONG_CRC32, put_with_header, put_with_trailer


async def test_seaweedfs_checks_and_echoes_checksums(seaweed, make_bucket, s3_request) -> None:
    bucket = await make_bucket(seaweed)
    status, headers, _ = await put_with_header(seaweed, f"/{bucket}/h", CRC32)
    assert (status, headers.get("x-amz-checksum-crc32")) == (200, CRC32)
    status, _, body = await put_with_header(seaweed, f"/{bucket}/h-bad", WRONG_CRC32)
    assert status == 400 and b"<Code>BadDigest</Code>" in body

    status, headers, _ = await put_with_trailer(seaweed, f"/{bucket}/t", CRC32)
    assert (status, headers.get("x-amz-checksum-crc32")) == (200, CRC32)
    assert (await s3_request(seaweed, "GET", f"/{bucket}/t")).body == DATA
    status, _, body = await put_with_trailer(seaweed, f"/{bucket}/t-bad", WRONG_CRC32)
    assert status == 400 and b"<Code>InvalidDigest</Code>" in body
    assert (await s3_request(seaweed, "GET", f"/{bucket}/t-bad")).status == 404


async def test_moto_accepts_checksums_unchecked(moto_auth, make_bucket, s3_request) -> None:
    bucket = await make_bucket(moto_auth)
    for name, crc32 in (("good", CRC32), ("bad", WRONG_CRC32)):
        status, headers, _ = await put_with_header(moto_auth, f"/{bucket}/h-{name}", crc32)
        assert (status, headers.get("x-amz-checksum-crc32")) == (200, None)
        status, headers, _ = await put_with_trailer(moto_auth, f"/{bucket}/t-{name}", crc32)
        assert (status, headers.get("x-amz-checksum-crc32")) == (200, None)
        assert (await s3_request(moto_auth, "GET", f"/{bucket}/t-{name}")).body == DATA


# ------------------------------------------------------ aios3's own request checksums

MiB = 1024 * 1024


def _client(server: Any, **config: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(max_attempts=1, **config),
    )


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize("server_name", ["seaweed", "moto_auth"])
async def test_default_checksums_upload_every_body_kind(
    server_name: str, request: pytest.FixtureRequest, make_bucket: Any, s3_request: Any
) -> None:
    """The default (`when_supported`, CRC32 on UploadPart) against the real server: a
    bytes part (header), a file part (header, the file read ahead), an async-iterable part
    (aws-chunked trailer over http) and an explicit SHA256 one; the object is whole."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    parts = [bytes([65 + i]) * (5 * MiB + i) for i in range(3)] + [b"tail"]
    async with _client(server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        common = {"Bucket": bucket, "Key": "k", "UploadId": up.upload_id}
        r1 = await s3.upload_part(**common, PartNumber=1, Body=parts[0])
        r2 = await s3.upload_part(**common, PartNumber=2, Body=io.BytesIO(parts[1]))
        r3 = await s3.upload_part(
            **common,
            PartNumber=3,
            Body=_chunks(parts[2], 100_000),
            ContentLength=len(parts[2]),
        )
        r4 = await s3.upload_part(**common, PartNumber=4, Body=parts[3], ChecksumAlgorithm="SHA256")
        done = [r1, r2, r3, r4]
        if server_name == "seaweed":  # it checks and echoes them
            for r, data in zip(done[:3], parts, strict=False):
                assert r.checksum_crc32 == _b64(zlib.crc32(data).to_bytes(4, "big"))
            assert r4.checksum_sha256 == _b64(hashlib.sha256(parts[3]).digest())
        await s3.complete_multipart_upload(
            **common,
            MultipartUpload={
                "Parts": [{"ETag": r.etag, "PartNumber": i} for i, r in enumerate(done, 1)]
            },
        )
    assert (await s3_request(server, "GET", f"/{bucket}/k")).body == b"".join(parts)


async def test_seaweedfs_refuses_a_wrong_checksum_given_by_the_caller(
    seaweed: Any, make_bucket: Any
) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        with pytest.raises(aios3.ClientError) as caught:
            await s3.upload_part(
                Bucket=bucket,
                Key="k",
                UploadId=up.upload_id,
                PartNumber=1,
                Body=b"data",
                ChecksumCRC32=WRONG_CRC32,  # sent as given: nothing is computed
            )
        assert caught.value.code == "BadDigest"
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
