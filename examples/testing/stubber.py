"""Test code that uses aios3 with Stubber: botocore's Stubber, with typed responses."""

import asyncio

import aios3
from aios3.testing import ANY, Stubber


# the code under test: abort every upload in progress under a prefix
async def abort_stale_uploads(s3: aios3.S3Client, bucket: str, prefix: str) -> int:
    aborted = 0
    async for upload in s3.iter_multipart_uploads(Bucket=bucket, Prefix=prefix):
        try:
            await s3.abort_multipart_upload(
                Bucket=bucket, Key=upload.key, UploadId=upload.upload_id
            )
        except aios3.NoSuchUpload:
            continue  # finished or aborted meanwhile
        aborted += 1
    return aborted


# the test
async def test_abort_stale_uploads() -> None:
    s3 = aios3.S3Client(region_name="us-east-1", aws_access_key_id="AK", aws_secret_access_key="SK")
    with Stubber(s3) as stub:
        stub.add_response(
            "list_multipart_uploads",
            {
                "Uploads": [{"Key": "tmp/a", "UploadId": "1"}, {"Key": "tmp/b", "UploadId": "2"}],
                "IsTruncated": False,
            },
            expected_params={"Bucket": "b", "Prefix": "tmp/"},
        )
        stub.add_response(
            "abort_multipart_upload", {}, {"Bucket": "b", "Key": "tmp/a", "UploadId": ANY}
        )
        stub.add_client_error("abort_multipart_upload", "NoSuchUpload", http_status_code=404)
        assert await abort_stale_uploads(s3, "b", "tmp/") == 1
        stub.assert_no_pending_responses()
    await s3.close()


if __name__ == "__main__":
    asyncio.run(test_abort_stale_uploads())
