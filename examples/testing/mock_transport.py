"""Test code that uses aios3 with MockTransport: a function answers every request."""

import asyncio

import aios3
from aios3.testing import MockRequest, MockResponse, MockTransport


# the code under test
async def start_upload(s3: aios3.S3Client, bucket: str, key: str) -> str:
    response = await s3.create_multipart_upload(Bucket=bucket, Key=key)
    return response.upload_id


# the test
def handler(request: MockRequest) -> MockResponse:
    assert request.method == "POST" and "uploads" in request.query
    return MockResponse(
        200,
        body=b"<InitiateMultipartUploadResult><UploadId>upload-1</UploadId>"
        b"</InitiateMultipartUploadResult>",
    )


async def test_start_upload() -> None:
    transport = MockTransport(handler)
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=transport,
    ) as s3:
        assert await start_upload(s3, "my-bucket", "report.csv") == "upload-1"
    (request,) = transport.requests
    assert str(request.url) == "https://my-bucket.s3.amazonaws.com/report.csv?uploads"
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256")


if __name__ == "__main__":
    asyncio.run(test_start_upload())
