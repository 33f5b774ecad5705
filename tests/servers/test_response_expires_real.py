"""`HeadObject(ResponseExpires=...)` against SeaweedFS, which answers with the `Expires`
header it was asked for: aios3 sends the HTTP date botocore sends (the shape's
`timestampFormat` is rfc822), so both clients read back the same header. With ISO 8601 in
the query, SeaweedFS echoed `2026-01-02T03:04:05Z`, which is not an HTTP date."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

import aios3
from tests.conftest import new_bucket_name

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def _boto3_expires(server: Any, bucket: str, key: str) -> str:
    s3 = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=BotoConfig(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )
    head = s3.head_object(Bucket=bucket, Key=key, ResponseExpires=WHEN)
    return str(head["ResponseMetadata"]["HTTPHeaders"]["expires"])


async def test_response_expires_comes_back_as_boto3_gets_it(seaweed: Any) -> None:
    bucket, key = new_bucket_name(), "k"
    async with aios3.S3Client(
        endpoint_url=seaweed.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=seaweed.access_key,
        aws_secret_access_key=seaweed.secret_key,
        config=aios3.Config(max_attempts=1),
    ) as s3:
        await s3.create_bucket(Bucket=bucket)
        try:
            up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
            part = await s3.upload_part(
                Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=1, Body=b"x"
            )
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=up.upload_id,
                MultipartUpload={"Parts": [{"ETag": part.etag or "", "PartNumber": 1}]},
            )
            head = await s3.head_object(Bucket=bucket, Key=key, ResponseExpires=WHEN)
            theirs = await asyncio.to_thread(_boto3_expires, seaweed, bucket, key)
            assert head.expires_string == theirs == "Fri, 02 Jan 2026 03:04:05 GMT"
            assert head.expires == WHEN
        finally:
            await s3.delete_object(Bucket=bucket, Key=key)
            await s3.delete_bucket(Bucket=bucket)
