"""CreateBucket, HeadObject, DeleteObject and DeleteBucket against SeaweedFS and moto, checked
against what boto3 reports on the same server for the same object."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig

import aios3
from aios3.errors import ClientError, NoSuchBucket
from tests.conftest import new_bucket_name

MiB = 1024 * 1024


@pytest.fixture(params=["seaweed", "moto_server"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield request.getfixturevalue(request.param)


def _client(server: Any) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


def _boto3(server: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=BotoConfig(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def _multipart_etag(*parts: bytes) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


async def test_check_a_completed_upload_then_clean_up(server: Any) -> None:
    bucket = new_bucket_name()
    key = "dir/checked upload.bin"
    data = (b"a" * (5 * MiB), b"tail")
    async with _client(server) as s3:
        created = await s3.create_bucket(Bucket=bucket)
        assert created.response_metadata.http_status_code == 200
        try:
            up = await s3.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType="text/plain", Metadata={"Color": "blue"}
            )
            parts = []
            for n, body in enumerate(data, 1):
                r = await s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=n, Body=body
                )
                parts.append({"ETag": r.etag or "", "PartNumber": n})
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=up.upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )

            head = await s3.head_object(Bucket=bucket, Key=key)
            assert head.content_length == sum(map(len, data))
            assert head.etag == _multipart_etag(*data)
            assert head.content_type == "text/plain"
            assert head.metadata == {"color": "blue"}
            assert head.last_modified is not None and head.last_modified.tzinfo is not None

            theirs = await asyncio.to_thread(_boto3(server).head_object, Bucket=bucket, Key=key)
            ours = head.to_dict()
            for name in ("ContentLength", "ETag", "ContentType", "Metadata", "LastModified"):
                assert ours.get(name) == theirs.get(name), name

            first = await s3.head_object(Bucket=bucket, Key=key, PartNumber=1)
            their_first = await asyncio.to_thread(
                _boto3(server).head_object, Bucket=bucket, Key=key, PartNumber=1
            )
            assert first.parts_count == their_first.get("PartsCount") == 2
            assert first.content_length == their_first["ContentLength"]

            deleted = await s3.delete_object(Bucket=bucket, Key=key)
            assert deleted.response_metadata.http_status_code == 204
            again = await s3.delete_object(Bucket=bucket, Key=key)  # a missing key: no error
            assert again.response_metadata.http_status_code == 204

            with pytest.raises(ClientError) as caught:
                await s3.head_object(Bucket=bucket, Key=key)
            assert caught.value.code == "404"
            assert caught.value.status_code == 404
            with pytest.raises(Exception) as boto_caught:
                await asyncio.to_thread(_boto3(server).head_object, Bucket=bucket, Key=key)
            assert boto_caught.value.response["Error"]["Code"] == caught.value.code  # type: ignore[attr-defined]
        finally:
            async for u in s3.iter_multipart_uploads(Bucket=bucket):
                await s3.abort_multipart_upload(Bucket=bucket, Key=u.key, UploadId=u.upload_id)
            await s3.delete_object(Bucket=bucket, Key=key)
            gone = await s3.delete_bucket(Bucket=bucket)
        assert gone.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchBucket):
            await s3.delete_bucket(Bucket=bucket)
        with pytest.raises(ClientError) as missing:
            await s3.head_object(Bucket=bucket, Key=key)
        assert missing.value.status_code == 404


async def test_create_bucket_twice_is_reported_as_boto3_reports_it(server: Any) -> None:
    bucket = new_bucket_name()
    async with _client(server) as s3:
        await s3.create_bucket(Bucket=bucket)
        try:
            try:
                await s3.create_bucket(Bucket=bucket)
                ours: str | None = None
            except ClientError as e:
                ours = e.code
            try:
                await asyncio.to_thread(_boto3(server).create_bucket, Bucket=bucket)
                theirs: str | None = None
            except Exception as e:  # botocore's ClientError
                theirs = e.response["Error"]["Code"]  # type: ignore[attr-defined]
            assert ours == theirs
        finally:
            await s3.delete_bucket(Bucket=bucket)


async def test_create_bucket_with_a_location_constraint(moto_server: Any) -> None:
    """moto checks the constraint against the region, as AWS does."""
    bucket = new_bucket_name()
    async with aios3.S3Client(
        endpoint_url=moto_server.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id=moto_server.access_key,
        aws_secret_access_key=moto_server.secret_key,
    ) as s3:
        await s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        r = await asyncio.to_thread(_boto3(moto_server).get_bucket_location, Bucket=bucket)
        assert r["LocationConstraint"] == "eu-west-1"
        await s3.delete_bucket(Bucket=bucket)
