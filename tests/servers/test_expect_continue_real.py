"""UploadPart sends `Expect: 100-continue` (as botocore): uploads still work against
SeaweedFS and moto, a part refused by the server raises its typed error, and the client
goes on working after it (the refused connection is not reused half-written)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import aios3
from aios3.errors import ClientError
from tests.conftest import new_bucket_name

MiB = 1024 * 1024


@pytest.fixture(params=["seaweed", "moto_server", "moto_auth"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield request.getfixturevalue(request.param)


def _client(server: Any, secret: str | None = None) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=secret or server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


async def test_uploads_work_with_expect_100_continue(
    server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bucket = new_bucket_name()
    parts = (b"a" * (5 * MiB), b"b" * 1000)
    async with _client(server) as s3:
        await s3.create_bucket(Bucket=bucket)
        try:
            up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
            with caplog.at_level(logging.DEBUG, logger="aios3"):
                etags = [
                    (
                        await s3.upload_part(
                            Bucket=bucket, Key="k", UploadId=up.upload_id, PartNumber=n, Body=b
                        )
                    ).etag
                    for n, b in enumerate(parts, 1)
                ]
            sent = [r.getMessage() for r in caplog.records if "UploadPart PUT" in r.getMessage()]
            assert len(sent) == 2 and all("expect=100-continue" in m for m in sent)
            done = await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="k",
                UploadId=up.upload_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]
                },
            )
            assert done.etag
            head = await s3.head_object(Bucket=bucket, Key="k")
            assert head.content_length == sum(map(len, parts))
        finally:
            await s3.delete_object(Bucket=bucket, Key="k")
            await s3.delete_bucket(Bucket=bucket)


@pytest.mark.parametrize("name", ["seaweed", "moto_auth"])
async def test_a_refused_part_raises_its_error_and_the_client_goes_on(
    request: pytest.FixtureRequest, name: str
) -> None:
    # a wrong secret: both servers check the signature from the headers, before the body
    server = request.getfixturevalue(name)
    bucket = new_bucket_name()
    async with _client(server) as s3:
        await s3.create_bucket(Bucket=bucket)
        try:
            up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
            async with _client(server, secret="wrong-secret") as bad:
                for _ in range(3):  # again and again: over whatever connection is pooled
                    with pytest.raises(ClientError) as e:
                        await bad.upload_part(
                            Bucket=bucket,
                            Key="k",
                            UploadId=up.upload_id,
                            PartNumber=1,
                            Body=b"x" * (6 * MiB),
                        )
                    assert e.value.status_code == 403
                    assert e.value.code == "SignatureDoesNotMatch"
            listed = await s3.list_parts(Bucket=bucket, Key="k", UploadId=up.upload_id)
            assert listed.parts == []  # nothing of the refused part was stored
            await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
        finally:
            await s3.delete_bucket(Bucket=bucket)
