"""s3.multipart_upload(...): completes on a clean exit, aborts itself on any failure or
cancellation, and re-raises what happened unchanged. Against a stateful fake S3."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import AsyncIterator

import pytest

import aios3
from aios3.errors import AccessDenied, Aios3Error, InvalidPart, ParamValidationError
from aios3.testing import MockTransport
from tests._fake_s3 import FakeS3, error
from tests._kit import client

pytestmark = pytest.mark.unit

MiB = 1024 * 1024
DATA = bytes(range(256)) * (11 * MiB // 256) + b"tail"  # 3 parts of 5 MiB, the last short


def _client(fake: FakeS3, **config: object) -> aios3.S3Client:
    return client(MockTransport(fake.handle), **config)


class Boom(Exception):
    pass


async def test_clean_exit_completes_with_parts_in_order() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        async with s3.multipart_upload(Bucket="b", Key="k", ContentType="text/plain") as mpu:
            assert mpu.upload_id == "up1"
            got = await mpu.upload_parts(DATA, part_size=5 * MiB, concurrency=2)
            assert len(got) == 3
        assert mpu.result is not None and mpu.result.etag == '"done-3"'
        assert mpu.aborted is None
    assert fake.objects["k"] == DATA and fake.uploads == {}
    assert fake.log == ["create", "part", "part", "part", "complete"]
    assert [p["PartNumber"] for p in mpu.parts] == [1, 2, 3]


async def test_parts_uploaded_out_of_order_are_completed_sorted() -> None:
    fake = FakeS3()
    async with _client(fake) as s3, s3.multipart_upload(Bucket="b", Key="k") as mpu:
        await asyncio.gather(
            mpu.upload_part(3, b"c"), mpu.upload_part(1, b"a" * 5), mpu.upload_part(2, b"b")
        )
    assert fake.objects["k"] == b"aaaaabc"


async def test_payer_owner_and_sse_c_reach_every_call() -> None:
    fake = FakeS3()
    key = "k" * 32
    async with _client(fake) as s3:
        with pytest.raises(Boom):
            async with s3.multipart_upload(
                Bucket="b",
                Key="k",
                RequestPayer="requester",
                ExpectedBucketOwner="111122223333",
                SSECustomerAlgorithm="AES256",
                SSECustomerKey=key,
            ) as mpu:
                await mpu.upload_part(1, b"x")
                raise Boom
    transport = s3._transport
    requests = transport.inner.requests  # type: ignore[union-attr]
    assert [FakeS3.kind(r) for r in requests] == ["create", "part", "abort", "list_parts"]
    for r in requests:
        assert r.headers["x-amz-request-payer"] == "requester"
        assert r.headers["x-amz-expected-bucket-owner"] == "111122223333"
    sse = [
        FakeS3.kind(r) for r in requests if "x-amz-server-side-encryption-customer-key" in r.headers
    ]
    assert sse == ["create", "part"]


async def test_an_exception_aborts_verifies_and_is_reraised_unchanged() -> None:
    fake = FakeS3()
    boom = Boom("mine")
    async with _client(fake) as s3:
        with pytest.raises(Boom) as info:
            async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                await mpu.upload_parts(DATA, part_size=5 * MiB)
                raise boom
    assert info.value is boom
    assert fake.uploads == {} and "k" not in fake.objects
    assert fake.log[-2:] == ["abort", "list_parts"]
    assert isinstance(mpu.aborted, aios3.models.VerifiedAbortResponse)
    assert mpu.aborted.rounds[-1].gone and mpu.abort_error is None


async def test_a_failed_part_cancels_the_others_and_aborts() -> None:
    fake = FakeS3()
    started = 0
    release = asyncio.Event()

    async def on_request(kind: str) -> None:
        nonlocal started
        if kind == "part":
            started += 1
            if started == 2:
                raise_now.set()
            else:
                await release.wait()  # the other parts hang until cancelled

    raise_now = asyncio.Event()
    fake.on_request = on_request
    fake.fail["part"] = error(400, "InvalidPart")
    async with _client(fake) as s3:
        with pytest.raises(InvalidPart):
            async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                await mpu.upload_parts(DATA, part_size=5 * MiB, concurrency=3)
    assert fake.uploads == {} and fake.log[-2:] == ["abort", "list_parts"]
    assert not mpu._inflight  # nothing left running


async def test_the_block_with_no_part_is_aborted_and_refused() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        with pytest.raises(ParamValidationError, match="uploaded no part"):
            async with s3.multipart_upload(Bucket="b", Key="k"):
                pass
    assert fake.uploads == {} and fake.log == ["create", "abort", "list_parts"]


async def test_a_failed_complete_aborts() -> None:
    fake = FakeS3()
    fake.fail["complete"] = error(400, "InvalidPart")
    async with _client(fake) as s3:
        with pytest.raises(InvalidPart):
            async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                await mpu.upload_part(1, b"x")
    assert fake.uploads == {} and fake.log[-3:] == ["complete", "abort", "list_parts"]


async def test_a_failed_abort_is_logged_and_the_original_error_wins(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeS3()
    fake.fail["abort"] = error(403, "AccessDenied")
    async with _client(fake) as s3:
        with caplog.at_level(logging.WARNING, logger="aios3"), pytest.raises(Boom) as info:
            async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                await mpu.upload_part(1, b"x")
                raise Boom
    assert isinstance(mpu.abort_error, AccessDenied)
    assert "may be left behind" in caplog.text and "'up1'" in caplog.text
    if sys.version_info >= (3, 11):
        assert any("may be left behind" in n for n in info.value.__notes__)


async def test_cleanup_is_bounded_by_cleanup_timeout(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeS3()
    fake.hold["abort"] = asyncio.Event()  # the abort never answers
    async with _client(fake) as s3:
        with caplog.at_level(logging.WARNING, logger="aios3"), pytest.raises(Boom):
            async with s3.multipart_upload(Bucket="b", Key="k", cleanup_timeout=0.2) as mpu:
                await mpu.upload_part(1, b"x")
                raise Boom
    assert isinstance(mpu.abort_error, TimeoutError)
    assert "cleanup_timeout=0.2" in caplog.text


# ------------------------------------------------------------------ cancellation


async def _scripted(s3: aios3.S3Client, source: object = DATA) -> None:
    async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
        await mpu.upload_parts(source, part_size=5 * MiB, concurrency=2)


async def test_cancelled_at_every_step_leaves_nothing() -> None:
    """Cancel the scripted upload after 0, 1, 2, ... turns of the event loop, until it
    finishes first: every time, no upload is left open and CancelledError is raised."""
    step = 0
    outcomes: set[str] = set()
    while True:
        fake = FakeS3()
        async with _client(fake) as s3:
            task = asyncio.ensure_future(_scripted(s3))
            for _ in range(step):
                await asyncio.sleep(0)
            if task.done():
                await task
                assert "k" in fake.objects
                break
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert fake.uploads == {}, f"left behind when cancelled at step {step}: {fake.log}"
        outcomes.add(fake.log[-1] if fake.log else "nothing sent")
        step += 1
    assert step > 8  # the run has many await points, and each was a cancel point
    assert {"list_parts", "nothing sent"} <= outcomes


async def test_cancelled_during_create_lets_it_finish_then_aborts() -> None:
    fake = FakeS3()
    fake.hold["create"] = asyncio.Event()
    async with _client(fake) as s3:
        task = asyncio.ensure_future(_scripted(s3))
        await fake.wait_for("create")
        task.cancel()
        await asyncio.sleep(0.01)
        assert not task.done()  # waiting for the create to answer
        fake.hold["create"].set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.log == ["create", "abort", "list_parts"] and fake.uploads == {}


async def test_a_create_that_never_answers_is_given_up_after_the_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeS3()
    fake.hold["create"] = asyncio.Event()

    async def run(s3: aios3.S3Client) -> None:
        async with s3.multipart_upload(Bucket="b", Key="k", cleanup_timeout=0.1):
            pass

    async with _client(fake) as s3:
        with caplog.at_level(logging.WARNING, logger="aios3"):
            task = asyncio.ensure_future(run(s3))
            await fake.wait_for("create")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert "did not answer within cleanup_timeout=0.1s" in caplog.text


async def test_a_second_cancellation_does_not_cut_the_cleanup_short() -> None:
    fake = FakeS3()
    gate = asyncio.Event()
    fake.hold["abort"] = gate
    async with _client(fake) as s3:
        task = asyncio.ensure_future(_scripted(s3))
        await fake.wait_for("part")
        task.cancel()  # first: starts the cleanup
        await fake.wait_for("abort")
        task.cancel()  # second, third: e.g. an outer timeout, a TaskGroup tearing down
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.01)
        assert not task.done()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.uploads == {} and fake.log[-1] == "list_parts"


async def test_an_outer_timeout_during_the_block_aborts_and_raises_timeout() -> None:
    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()  # parts hang
    async with _client(fake) as s3:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(_scripted(s3), timeout=0.05)
    assert fake.uploads == {} and fake.log[-2:] == ["abort", "list_parts"]


async def test_a_task_group_tearing_down_aborts() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("asyncio.TaskGroup is Python 3.11+")
    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()
    async with _client(fake) as s3:

        async def sibling() -> None:
            await fake.wait_for("part")
            raise Boom

        with pytest.raises(BaseExceptionGroup) as info:  # noqa: F821 - 3.11+
            async with asyncio.TaskGroup() as tg:  # type: ignore[attr-defined]
                tg.create_task(_scripted(s3))
                tg.create_task(sibling())
        assert info.group_contains(Boom)
    assert fake.uploads == {} and fake.log[-2:] == ["abort", "list_parts"]


# ------------------------------------------------------------------ sources and bounds


async def _pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


class AsyncFile:
    def __init__(self, data: bytes) -> None:
        self.f = io.BytesIO(data)

    async def read(self, n: int) -> bytes:
        return self.f.read(min(n, 1_000_000))  # short reads, as sockets and pipes give


@pytest.mark.parametrize(
    "make",
    [
        lambda: DATA,
        lambda: bytearray(DATA),
        lambda: memoryview(DATA),
        lambda: io.BytesIO(DATA),
        lambda: AsyncFile(DATA),
        lambda: _pieces(DATA, 777_777),
    ],
    ids=["bytes", "bytearray", "memoryview", "file", "async-file", "async-iterable"],
)
async def test_every_source_kind_uploads_the_same_bytes(make: object) -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        await _scripted(s3, make())  # type: ignore[operator]
    assert fake.objects["k"] == DATA
    assert [len(p) for p in fake.objects.values()] == [len(DATA)]


async def test_at_most_concurrency_parts_are_held() -> None:
    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()
    read = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(10):
            read += 1
            yield b"z" * (5 * MiB)

    async with _client(fake) as s3, s3.multipart_upload(Bucket="b", Key="k") as mpu:
        task = asyncio.ensure_future(mpu.upload_parts(source(), part_size=5 * MiB, concurrency=2))
        for _ in range(200):
            await asyncio.sleep(0)
        assert read == 2 and fake.log.count("part") == 2  # 2 in flight, none read ahead
        fake.hold["part"].set()
        await task
    assert len(fake.objects["k"]) == 50 * MiB


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"cleanup_timeout": 0}, "cleanup_timeout"),
        ({"cleanup_timeout": float("inf")}, "cleanup_timeout"),
        ({"verify": "yes"}, "verify"),
        ({"Key": None}, "Key"),
        ({"Bucket": "a/b"}, "Bucket"),
        ({"StorageClass": 3}, "StorageClass"),
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(
    kw: dict[str, object], message: str
) -> None:
    fake = FakeS3()
    args: dict[str, object] = {"Bucket": "b", "Key": "k", **kw}
    async with _client(fake) as s3:
        with pytest.raises(ParamValidationError, match=message):
            s3.multipart_upload(**args)  # type: ignore[arg-type]
    assert fake.log == []


async def test_bad_part_arguments_are_refused_and_the_upload_aborted() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        for bad, message in [
            (lambda m: m.upload_parts(DATA, part_size=5 * MiB - 1), "part_size"),
            (lambda m: m.upload_parts(DATA, part_size=5 * MiB, concurrency=0), "concurrency"),
            (lambda m: m.upload_parts("text"), "source must be bytes"),
            (lambda m: m.upload_parts(io.StringIO("text"), part_size=5 * MiB), "binary mode"),
            (lambda m: m.upload_part(0, b"x"), "PartNumber"),
            (lambda m: m.upload_part(10_001, b"x"), "PartNumber"),
            (lambda m: m.upload_part(1, b"x", Bucket="other"), "Bucket is set by"),
            (lambda m: m.upload_part(1, "text"), "Body"),
        ]:
            fake.log.clear()
            with pytest.raises(ParamValidationError, match=message):
                async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                    await bad(mpu)
            assert fake.log == ["create", "abort", "list_parts"], message
    assert fake.uploads == {}


async def test_a_handle_is_usable_only_inside_its_block() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        managed = s3.multipart_upload(Bucket="b", Key="k")
        with pytest.raises(Aios3Error, match="not open"):
            await managed.upload_part(1, b"x")
        async with managed as mpu:
            await mpu.upload_part(1, b"x")
        with pytest.raises(Aios3Error, match="not open"):
            await mpu.upload_part(2, b"x")
        with pytest.raises(Aios3Error, match="only once"):
            async with managed:
                pass
    assert "up1" in repr(mpu) and "done" in repr(mpu)


async def test_checksum_algorithm_reaches_parts_and_complete() -> None:
    fake = FakeS3()
    s3 = _client(fake)
    async with s3, s3.multipart_upload(Bucket="b", Key="k", ChecksumAlgorithm="SHA256") as mpu:
        await mpu.upload_part(1, b"hello")
    requests = s3._transport.inner.requests  # type: ignore[union-attr]
    part = next(r for r in requests if FakeS3.kind(r) == "part")
    complete = next(r for r in requests if FakeS3.kind(r) == "complete")
    value = part.headers["x-amz-checksum-sha256"]
    assert value == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
    assert f"<ChecksumSHA256>{value}</ChecksumSHA256>".encode() in complete.body
    assert mpu.parts == [
        {"PartNumber": 1, "ETag": '"5d41402abc4b2a76b9719d911017c592"', "ChecksumSHA256": value}
    ]


# ------------------------------------------------------------------ edges of the cleanup


async def test_a_failed_create_is_raised_and_nothing_is_aborted() -> None:
    fake = FakeS3()
    fake.fail["create"] = error(403, "AccessDenied")
    async with _client(fake) as s3:
        managed = s3.multipart_upload(Bucket="b", Key="k")
        with pytest.raises(AccessDenied):
            async with managed:
                pass
        assert await managed.__aexit__(None, None, None) is False  # not open: nothing to do
    assert fake.log == ["create"]


async def test_parts_left_running_at_a_clean_exit_belong_to_the_upload() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
            started = asyncio.ensure_future(mpu.upload_part(1, b"late"))
            await asyncio.sleep(0)
        assert started.done() and fake.objects["k"] == b"late"


async def test_an_error_while_a_part_is_in_flight_cancels_it_then_aborts() -> None:
    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()  # the part never answers
    async with _client(fake) as s3:
        with pytest.raises(Boom):
            async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
                part = asyncio.ensure_future(mpu.upload_part(1, b"x"))
                await fake.wait_for("part")
                raise Boom
        assert part.cancelled()
    assert fake.uploads == {} and fake.log[-2:] == ["abort", "list_parts"]


async def test_verify_false_aborts_once() -> None:
    fake = FakeS3()
    async with _client(fake) as s3:
        with pytest.raises(Boom):
            async with s3.multipart_upload(Bucket="b", Key="k", verify=False) as mpu:
                await mpu.upload_part(1, b"x")
                raise Boom
    assert fake.log[-1] == "abort" and fake.uploads == {}
    assert mpu.aborted is not None and not isinstance(
        mpu.aborted, aios3.models.VerifiedAbortResponse
    )


async def test_a_cancellation_during_the_cleanup_of_an_error_is_raised_after_it() -> None:
    fake = FakeS3()
    gate = asyncio.Event()
    fake.hold["abort"] = gate

    async def run(s3: aios3.S3Client) -> None:
        async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
            await mpu.upload_part(1, b"x")
            raise Boom

    async with _client(fake) as s3:
        task = asyncio.ensure_future(run(s3))
        await fake.wait_for("abort")
        task.cancel()  # e.g. an outer timeout, while the error's cleanup runs
        await asyncio.sleep(0.01)
        assert not task.done()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.uploads == {}
