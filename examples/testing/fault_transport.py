"""Test how code that uses aios3 copes with failures: FaultTransport breaks requests by rule."""

import asyncio

import aios3
from aios3.testing import ErrorAnswer, FaultRule, FaultTransport, MockResponse, MockTransport, Reset

CREATED = b"<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>"


async def test_retries_ride_out_a_reset_and_a_slowdown() -> None:
    server = MockTransport(lambda request: MockResponse(200, body=CREATED))
    reset = FaultRule(Reset(), times=1)  # the first request: connection reset
    slow = FaultRule(ErrorAnswer(503, "SlowDown"), times=1)  # the next: throttled
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=FaultTransport(server, reset, slow),
        config=aios3.Config(max_attempts=3),
    ) as s3:
        response = await s3.create_multipart_upload(Bucket="b", Key="k")
    assert response.response_metadata.retry_attempts == 2
    assert (reset.hits, slow.hits, len(server.requests)) == (1, 1, 1)


if __name__ == "__main__":
    asyncio.run(test_retries_ride_out_a_reset_and_a_slowdown())
