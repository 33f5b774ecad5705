"""A call, failed or not, leaves no reference cycle behind: what it made is freed when the
caller drops it, not at the next garbage collection. (An error kept in a local of the
frame that raised it, which its traceback holds, made a cycle per failed call that kept
the caller's frames and their locals alive: a sweep of 10,000 uploads with
verify="parts" left about 300,000 objects for the collector.)"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import aios3
from aios3.errors import NoSuchKey, NoSuchUpload
from aios3.retries import StandardRetryStrategy
from aios3.testing import MockRequest, MockResponse, MockTransport

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
NO_SUCH_UPLOAD = (
    b"<Error><Code>NoSuchUpload</Code><Message>gone</Message><UploadId>u</UploadId>"
    b"<RequestId>R</RequestId><HostId>H</HostId></Error>"
)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _client(handler: object, attempts: int = 1) -> aios3.S3Client:
    return aios3.S3Client(
        region_name="us-east-1",
        endpoint_url="http://s3.test",
        aws_access_key_id="AKIDCYCLES",
        aws_secret_access_key="cycles-secret",
        config=aios3.Config(retry_strategy=StandardRetryStrategy(attempts, random=lambda: 0.0)),
        transport=MockTransport(handler),  # type: ignore[arg-type]
    )


async def test_failed_calls_leave_no_cycle(collector_off: None) -> None:
    async def answer(request: MockRequest) -> MockResponse:
        if request.method == "DELETE":
            return MockResponse(204, {"x-amz-request-id": "R"})
        return MockResponse(404, {"x-amz-request-id": "R"}, NO_SUCH_UPLOAD)

    async with _client(answer) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")  # warm up
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket="b", Key="k", UploadId="u")
        gc.collect()
        for _ in range(50):
            with pytest.raises(NoSuchUpload):
                await s3.list_parts(Bucket="b", Key="k", UploadId="u")
            r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
            assert r.rounds[-1].listing == "no_such_upload"
        assert gc.collect() == 0


async def test_a_retried_then_failed_call_leaves_no_cycle(collector_off: None) -> None:
    async def answer(request: MockRequest) -> MockResponse:
        return MockResponse(503, {"x-amz-request-id": "R"}, b"<Error><Code>SlowDown</Code></Error>")

    async def gone(request: MockRequest) -> MockResponse:
        return MockResponse(
            404, {"x-amz-request-id": "R"}, b"<Error><Code>NoSuchKey</Code></Error>"
        )

    async with _client(answer, attempts=3) as s3, _client(gone) as s3b:
        for client, error in ((s3, aios3.ClientError), (s3b, NoSuchKey)):
            with pytest.raises(error):
                await client.list_parts(Bucket="b", Key="k", UploadId="u")
            gc.collect()
            for _ in range(10):
                with pytest.raises(error):
                    await client.list_parts(Bucket="b", Key="k", UploadId="u")
            assert gc.collect() == 0


async def test_a_verified_abort_of_an_upload_already_gone_leaves_no_cycle(
    collector_off: None,
) -> None:
    async def answer(request: MockRequest) -> MockResponse:
        return MockResponse(404, {"x-amz-request-id": "R"}, NO_SUCH_UPLOAD)

    async with _client(answer) as s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
        gc.collect()
        for _ in range(20):
            r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
            assert r.rounds[0].abort == "already_gone"
            assert r.response_metadata.request_id == "R"
        assert gc.collect() == 0
