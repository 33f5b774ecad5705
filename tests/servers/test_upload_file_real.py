"""upload_file / upload_fileobj / put_object against real SeaweedFS and moto, next to boto3's
upload_file on the same server: the same object (size, ETag form, metadata); Callback
totals; cancellation at a spread of delays leaves no upload behind; a kept upload resumes."""

from __future__ import annotations

import asyncio
import base64
import random
import time
import zlib
from pathlib import Path
from typing import Any

import boto3
import boto3.s3.transfer
import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
from aios3.errors import EndpointConnectionError
from tests._kit import server_client

pytestmark = pytest.mark.servers

SERVERS = ["seaweed", "moto_server"]
MiB = 1024 * 1024
DATA = random.Random(8).randbytes(21 * MiB + 5)  # 3 parts of 8 MiB
EXTRA: aios3.UploadExtraArgs = {"ContentType": "application/x-test", "Metadata": {"m": "v"}}


_client = server_client


def _boto3(server: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )


async def _uploads_left(server: Any, bucket: str) -> list[str]:
    async with _client(server) as s3:
        return [u.upload_id for u in (await s3.list_multipart_uploads(Bucket=bucket)).uploads]


def _file(tmp_path: Path, data: bytes, name: str = "body.bin") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("size", [1000, len(DATA)], ids=["put", "multipart"])
@pytest.mark.parametrize("server_name", SERVERS)
async def test_the_object_equals_boto3s(
    request: Any, server_name: str, make_bucket: Any, tmp_path: Path, size: int
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    path = _file(tmp_path, DATA[:size])
    seen: list[int] = []
    async with _client(server) as s3:
        r = await s3.upload_file(path, bucket, "aios3", ExtraArgs=EXTRA, Callback=seen.append)
        mine = await s3.head_object(Bucket=bucket, Key="aios3")
    b3 = _boto3(server)
    await asyncio.to_thread(b3.upload_file, path, bucket, "boto3", ExtraArgs=dict(EXTRA))
    theirs = await asyncio.to_thread(b3.head_object, Bucket=bucket, Key="boto3")
    assert sum(seen) == size
    assert mine.content_length == theirs["ContentLength"] == size
    assert mine.etag == theirs["ETag"] == r.etag  # same part size: the same ETag
    assert mine.etag is not None and mine.etag.endswith('-3"') is (size > 8 * MiB)
    assert mine.content_type == theirs["ContentType"] == "application/x-test"
    assert mine.metadata == theirs["Metadata"] == {"m": "v"}
    got = await asyncio.to_thread(b3.get_object, Bucket=bucket, Key="aios3")
    assert got["Body"].read() == DATA[:size]
    assert await _uploads_left(server, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_upload_fileobj_of_a_stream_and_put_object(
    request: Any, server_name: str, make_bucket: Any
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)

    async def chunks() -> Any:
        for i in range(0, len(DATA), MiB):
            yield DATA[i : i + MiB]

    async with _client(server) as s3:
        r = await s3.upload_fileobj(chunks(), bucket, "stream", ExtraArgs=EXTRA)
        assert r.etag is not None and r.etag.endswith('-3"')
        put = await s3.put_object(Bucket=bucket, Key="put", Body=b"hello", Metadata={"a": "b"})
        head = await s3.head_object(Bucket=bucket, Key="put")
        assert head.etag == put.etag and head.metadata == {"a": "b"}
        assert (await s3.head_object(Bucket=bucket, Key="stream")).content_length == len(DATA)
    assert await _uploads_left(server, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_full_object_checksum(
    request: Any, server_name: str, make_bucket: Any, tmp_path: Path
) -> None:
    """aios3 combines the parts' CRC32s into the whole file's and sends it to the
    complete; a server that checks it would refuse a wrong one."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    path = _file(tmp_path, DATA)
    async with _client(server) as s3:
        r = await s3.upload_file(path, bucket, "full", ExtraArgs={"ChecksumType": "FULL_OBJECT"})
        head = await s3.head_object(Bucket=bucket, Key="full")
    assert head.content_length == len(DATA) and r.etag
    whole = base64.b64encode(zlib.crc32(DATA).to_bytes(4, "big")).decode()
    if r.checksum_crc32 is not None:  # a server that answers with the checksum
        assert r.checksum_crc32.split("-")[0] == whole


@pytest.mark.parametrize("server_name", SERVERS)
async def test_cancelled_at_a_spread_of_delays_leaves_nothing(
    request: Any, server_name: str, make_bucket: Any, tmp_path: Path
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    path = _file(tmp_path, DATA)
    cfg = aios3.TransferConfig(multipart_chunksize=5 * MiB, max_concurrency=2)
    async with _client(server) as s3:
        whole = float("inf")
        for i in range(3):  # the fastest run: the delays below fall inside a run
            started = time.perf_counter()
            await s3.upload_file(path, bucket, f"timed-{i}", Config=cfg)
            whole = min(whole, time.perf_counter() - started)
        cancelled = 0
        for i in range(10):
            task = asyncio.ensure_future(s3.upload_file(path, bucket, f"d-{i}", Config=cfg))
            await asyncio.sleep(whole * i / 10)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                cancelled += 1
            assert await _uploads_left(server, bucket) == [], f"left behind at delay {i}/10"
    assert cancelled >= 3, f"only {cancelled} of 10 runs were cancelled (run: {whole:.3f}s)"


class FailPart:
    """A hop that fails every attempt of part `n` with a connection error."""

    def __init__(self, inner: aios3.Transport, n: int) -> None:
        self.inner, self.n = inner, str(n)
        self.parts: list[str] = []

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> aios3.RawResponse:
        number = url.query.get("partNumber")
        if number is not None:
            self.parts.append(number)
            if number == self.n:
                raise EndpointConnectionError("dropped by the test")
        return await self.inner.send(method, url, headers, body)

    async def close(self) -> None:
        await self.inner.close()


@pytest.mark.parametrize("server_name", SERVERS)
async def test_a_kept_upload_resumes(
    request: Any, server_name: str, make_bucket: Any, tmp_path: Path
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    path = _file(tmp_path, DATA)
    keep = aios3.TransferConfig(on_failure="keep", max_concurrency=1)
    async with _client(server, FailPart(aios3.AiohttpTransport(), 3)) as s3:
        with pytest.raises(EndpointConnectionError):
            await s3.upload_file(path, bucket, "resumed", ExtraArgs=EXTRA, Config=keep)
    (upload_id,) = await _uploads_left(server, bucket)
    hop = FailPart(aios3.AiohttpTransport(), 0)
    seen: list[int] = []
    async with _client(server, hop) as s3:
        r = await s3.upload_file(
            path, bucket, "resumed", ExtraArgs=EXTRA, Callback=seen.append, UploadId=upload_id
        )
        head = await s3.head_object(Bucket=bucket, Key="resumed")
    assert hop.parts == ["3"]  # parts 1 and 2 were verified, not sent again
    assert r.etag is not None and r.etag.endswith('-3"')
    assert head.content_length == len(DATA) and head.content_type == "application/x-test"
    assert sum(seen) == len(DATA)
    b3 = _boto3(server)
    got = await asyncio.to_thread(b3.get_object, Bucket=bucket, Key="resumed")
    assert got["Body"].read() == DATA
    assert await _uploads_left(server, bucket) == []
