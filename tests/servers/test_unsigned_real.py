"""Unsigned requests (`Config(signature_version=botocore.UNSIGNED)`) on real local servers,
side by side with boto3 with the same `Config`.

* moto (no signature checks) serves them: a whole multipart upload goes through unsigned.
* SeaweedFS with auth on refuses them: `AccessDenied` (HTTP 403), as boto3 sees it, and
  nothing is created.

moto with its auth switch on (the ``moto_auth`` fixture) answers an unsigned request with
an HTML 500 (moto 5: it expects an `Authorization` header); that is moto's, and not tested.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import boto3
import botocore
import botocore.config
import botocore.exceptions
import pytest

import aios3
from tests.conftest import MakeBucket, S3Server

PART = b"p" * (5 * 1024 * 1024)


def _unsigned(server: S3Server) -> aios3.S3Client:
    # no keys given, none in the (isolated) environment: nothing to sign with anyway
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        config=aios3.Config(signature_version=botocore.UNSIGNED, max_attempts=1),
    )


def _boto_unsigned(server: S3Server) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        config=botocore.config.Config(
            signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}
        ),
    )


def _signed(server: S3Server) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )


async def test_moto_serves_a_whole_unsigned_multipart_upload(
    moto_server: S3Server, make_bucket: MakeBucket
) -> None:
    bucket = await make_bucket(moto_server)
    async with _unsigned(moto_server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="anon.bin")
        ids = {"Bucket": bucket, "Key": "anon.bin", "UploadId": up.upload_id}
        p1 = await s3.upload_part(**ids, PartNumber=1, Body=PART)
        p2 = await s3.upload_part(**ids, PartNumber=2, Body=io.BytesIO(b"tail"), ContentLength=4)
        listed = await s3.list_parts(**ids)
        assert [(p.part_number, p.size) for p in listed.parts] == [(1, len(PART)), (2, 4)]
        uploads = await s3.list_multipart_uploads(Bucket=bucket)
        assert [u.upload_id for u in uploads.uploads] == [up.upload_id]
        await s3.complete_multipart_upload(
            **ids,
            MultipartUpload={
                "Parts": [{"ETag": p1.etag, "PartNumber": 1}, {"ETag": p2.etag, "PartNumber": 2}]
            },
        )
    async with _signed(moto_server) as signed:
        head = await signed.head_object(Bucket=bucket, Key="anon.bin")
    assert head.content_length == len(PART) + 4

    # boto3 unsigned lists the same thing aios3 unsigned lists
    async with _unsigned(moto_server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="again")
        mine = (await s3.list_multipart_uploads(Bucket=bucket)).to_dict()
    boto = _boto_unsigned(moto_server)
    try:
        theirs = await asyncio.to_thread(boto.list_multipart_uploads, Bucket=bucket)
    finally:
        boto.close()
    for doc in (mine, theirs):
        doc.pop("ResponseMetadata")
    assert mine == theirs
    assert [u["UploadId"] for u in mine["Uploads"]] == [up.upload_id]


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("create_multipart_upload", {"Key": "anon.bin"}),
        ("list_multipart_uploads", {}),
        ("upload_part", {"Key": "k", "UploadId": "u", "PartNumber": 1, "Body": b"x"}),
    ],
)
async def test_seaweedfs_with_auth_refuses_them_with_access_denied(
    seaweed: S3Server, make_bucket: MakeBucket, call: str, params: dict[str, Any]
) -> None:
    bucket = await make_bucket(seaweed)
    async with _unsigned(seaweed) as s3:
        with pytest.raises(aios3.errors.AccessDenied) as err:
            await getattr(s3, call)(Bucket=bucket, **params)
    e = err.value
    assert (e.code, e.status_code) == ("AccessDenied", 403)
    assert e.request_id
    assert e.operation_name == "".join(w.title() for w in call.split("_"))

    boto = _boto_unsigned(seaweed)
    try:
        with pytest.raises(botocore.exceptions.ClientError) as theirs:
            await asyncio.to_thread(getattr(boto, call), Bucket=bucket, **params)
    finally:
        boto.close()
    assert theirs.value.response["Error"]["Code"] == e.code
    assert theirs.value.response["ResponseMetadata"]["HTTPStatusCode"] == e.status_code

    async with _signed(seaweed) as signed:  # nothing was created
        assert (await signed.list_multipart_uploads(Bucket=bucket)).uploads == []
