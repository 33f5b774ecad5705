"""What SeaweedFS and moto do with flexible checksums (the table in ``docs/servers.md``).

Raw requests (``tests/_raw_checksums.py``), so aios3's own checksum code is not involved.
"""

from __future__ import annotations

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
