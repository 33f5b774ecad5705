"""Resource style (boto3's ``boto3.resource("s3")`` shape) against a real SeaweedFS."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest

import aios3
from aios3.errors import NoSuchUpload

MiB = 1024 * 1024


def _resource(server) -> aios3.S3Resource:
    return aios3.S3Resource(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


def _quoted_md5(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


async def test_resource_lifecycle_initiate_upload_list_complete(seaweed, make_bucket) -> None:
    bucket_name = await make_bucket(seaweed)
    key = "res/object.bin"
    big, tail = b"r" * (5 * MiB), b"tail"

    async with _resource(seaweed) as s3r:
        assert isinstance(s3r.meta.client, aios3.S3Client)
        bucket = s3r.Bucket(bucket_name)

        mpu = await s3r.Object(bucket_name, key).initiate_multipart_upload()
        assert isinstance(mpu, aios3.MultipartUpload)
        assert (mpu.bucket_name, mpu.object_key) == (bucket_name, key)
        assert isinstance(mpu.id, str) and mpu.id
        assert (mpu.key, mpu.upload_id) == (key, mpu.id)
        other = await bucket.Object("zzz/other").initiate_multipart_upload()

        # A BytesIO for the 5 MiB part: large raw bytes make aiohttp warn (an aios3 bug, see
        # test_upload_part_large_bytes_body_emits_no_resource_warning).
        part1 = mpu.Part(1)
        assert isinstance(part1, aios3.MultipartUploadPart)
        r1 = await part1.upload(Body=io.BytesIO(big))
        assert r1.etag == part1.e_tag == _quoted_md5(big)
        part2 = mpu.Part(2)
        await part2.upload(Body=tail)
        assert part2.e_tag == _quoted_md5(tail)

        for collection in (mpu.parts.all(), mpu.parts.page_size(1)):
            parts = [p async for p in collection]
            assert all(isinstance(p, aios3.MultipartUploadPart) for p in parts)
            assert [(p.part_number, p.size, p.e_tag) for p in parts] == [
                (1, len(big), part1.e_tag),
                (2, len(tail), part2.e_tag),
            ]
            assert all(p.multipart_upload_id == mpu.id for p in parts)
            assert all(isinstance(p.last_modified, datetime) for p in parts)

        uploads = [u async for u in bucket.multipart_uploads.all()]
        assert sorted((u.key, u.upload_id) for u in uploads) == sorted(
            [(key, mpu.id), ("zzz/other", other.id)]
        )
        for u in uploads:
            assert isinstance(u, aios3.MultipartUpload)
            assert u.bucket_name == bucket_name
            assert (u.object_key, u.id) == (u.key, u.upload_id)
            assert isinstance(u.initiated, datetime) and u.initiated.tzinfo is not None

        filtered = [u async for u in bucket.multipart_uploads.filter(Prefix="res/")]
        assert [(u.key, u.upload_id) for u in filtered] == [(key, mpu.id)]
        assert filtered[0] == mpu  # same identifiers, same resource
        assert isinstance(filtered[0].initiated, datetime)

        obj = await mpu.complete(
            MultipartUpload={
                "Parts": [
                    {"ETag": part1.e_tag, "PartNumber": 1},  # type: ignore[typeddict-item]
                    {"ETag": part2.e_tag, "PartNumber": 2},  # type: ignore[typeddict-item]
                ]
            }
        )
        assert isinstance(obj, aios3.Object)
        assert (obj.bucket_name, obj.key) == (bucket_name, key)

        remaining = [u async for u in bucket.multipart_uploads.all()]
        assert [(u.key, u.upload_id) for u in remaining] == [("zzz/other", other.id)]
        with pytest.raises(NoSuchUpload):
            async for _ in mpu.parts.all():
                pass

        # Abort through a handle built from identifiers alone.
        aborted = await s3r.MultipartUpload(bucket_name, "zzz/other", other.id).abort()
        assert aborted.response_metadata.http_status_code == 204
        assert [u async for u in bucket.multipart_uploads.all()] == []
        with pytest.raises(s3r.meta.client.exceptions.NoSuchUpload):
            await s3r.meta.client.list_parts(Bucket=bucket_name, Key="zzz/other", UploadId=other.id)


async def test_resource_abort_then_client_sees_no_such_upload(seaweed, make_bucket) -> None:
    bucket_name = await make_bucket(seaweed)
    async with _resource(seaweed) as s3r:
        mpu = await s3r.Bucket(bucket_name).Object("k").initiate_multipart_upload()
        await mpu.Part(1).upload(Body=b"abc")
        r = await mpu.abort()
        assert r.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchUpload) as info:
            async for _ in s3r.MultipartUpload(bucket_name, "k", mpu.id).parts.all():
                pass
        assert (info.value.code, info.value.status_code) == ("NoSuchUpload", 404)
        assert [u async for u in s3r.Bucket(bucket_name).multipart_uploads.all()] == []
