"""s3.multipart_upload(...) against real SeaweedFS and moto: a clean run completes the
object; a cancellation at every request of the run, before it is sent and after its
answer, and at a spread of delays, leaves no incomplete upload behind."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

import aios3
from tests._kit import server_client

pytestmark = pytest.mark.servers

SERVERS = ["seaweed", "moto_server"]
MiB = 1024 * 1024
DATA = hashlib.sha256(b"seed").digest() * (11 * MiB // 32) + b"tail"  # 3 parts


class CancelAt:
    """A hop that cancels `task` when request number `n` (1-based) is about to be sent
    (`phase="before"`) or has been answered (`phase="after"`)."""

    def __init__(self, inner: aios3.Transport, n: int, phase: str) -> None:
        self.inner, self.n, self.phase = inner, n, phase
        self.task: asyncio.Task[Any] | None = None
        self.count = 0

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> aios3.RawResponse:
        self.count += 1
        mine = self.count == self.n and self.task is not None
        if mine and self.phase == "before":
            self.task.cancel()  # type: ignore[union-attr]
            await asyncio.sleep(0)  # the cancellation lands here, before anything is sent
        answer = await self.inner.send(method, url, headers, body)
        if mine and self.phase == "after":
            self.task.cancel()  # type: ignore[union-attr]
        return answer

    async def close(self) -> None:
        await self.inner.close()


_client = server_client


async def _run(s3: aios3.S3Client, bucket: str, key: str) -> aios3.ManagedUpload:
    async with s3.multipart_upload(Bucket=bucket, Key=key, ContentType="application/x-test") as m:
        await m.upload_parts(DATA, part_size=5 * MiB, concurrency=2)
    return m


async def _uploads_left(server: Any, bucket: str) -> list[str]:
    async with _client(server) as s3:
        return [u.upload_id for u in (await s3.list_multipart_uploads(Bucket=bucket)).uploads]


@pytest.mark.parametrize("server_name", SERVERS)
async def test_clean_run_completes_the_object(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        mpu = await _run(s3, bucket, "m/clean")
        assert mpu.result is not None and mpu.result.etag and mpu.result.etag.endswith('-3"')
        head = await s3.head_object(Bucket=bucket, Key="m/clean")
        assert head.content_length == len(DATA)
        assert head.content_type == "application/x-test"
    assert await _uploads_left(server, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_an_error_in_the_block_leaves_nothing(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        with pytest.raises(KeyError):
            async with s3.multipart_upload(Bucket=bucket, Key="m/err") as mpu:
                await mpu.upload_part(1, b"x" * 100)
                raise KeyError("mine")
        assert mpu.aborted is not None
    assert await _uploads_left(server, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_cancelled_at_every_request_leaves_nothing(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    total = 5  # create, 3 parts, complete
    for n in range(1, total + 1):
        for phase in ("before", "after"):
            hop = CancelAt(aios3.AiohttpTransport(), n, phase)
            async with _client(server, hop) as s3:
                task = asyncio.ensure_future(_run(s3, bucket, f"m/cancel-{n}-{phase}"))
                hop.task = task
                try:
                    await task
                except asyncio.CancelledError:
                    pass
                else:  # only the complete's answer can come before the cancel lands
                    assert (n, phase) == (total, "after")
            left = await _uploads_left(server, bucket)
            assert left == [], f"left behind when cancelled {phase} request {n}"


@pytest.mark.parametrize("server_name", SERVERS)
async def test_cancelled_at_a_spread_of_delays_leaves_nothing(
    request, server_name, make_bucket
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        whole = float("inf")
        for i in range(3):  # the fastest run: the delays below fall inside a run
            started = time.perf_counter()
            await _run(s3, bucket, f"m/timed-{i}")
            whole = min(whole, time.perf_counter() - started)
        cancelled = 0
        for i in range(12):
            task = asyncio.ensure_future(_run(s3, bucket, f"m/delay-{i}"))
            await asyncio.sleep(whole * i / 12)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                cancelled += 1
            assert await _uploads_left(server, bucket) == [], f"left behind at delay {i}/12"
    assert cancelled >= 3  # the spread landed inside the run, not all after it


@pytest.mark.parametrize("server_name", SERVERS)
async def test_cancelled_twice_during_the_cleanup_leaves_nothing(
    request, server_name, make_bucket
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    hop = CancelAt(aios3.AiohttpTransport(), 3, "after")  # during the parts
    async with _client(server, hop) as s3:
        task = asyncio.ensure_future(_run(s3, bucket, "m/twice"))
        hop.task = task
        while hop.count < 5:  # noqa: ASYNC110 - the cleanup's abort is request 5 or 6
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await _uploads_left(server, bucket) == []
