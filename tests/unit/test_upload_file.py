"""upload_file / upload_fileobj and put_object: what reaches the wire, how a body is split,
checksums, Callback totals, failures that leave nothing, and resuming a kept upload.
Against a stateful fake S3 (tests/_fake_s3.py)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import os
import random
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import boto3.s3.transfer
import pytest

import aios3
from aios3._transfer import ALLOWED_UPLOAD_ARGS, crc_combine, part_size_for
from aios3.errors import AccessDenied, ParamValidationError
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._fake_s3 import FakeS3, error
from tests._kit import client

pytestmark = pytest.mark.unit

MiB = 1024 * 1024
DATA = random.Random(8).randbytes(21 * MiB + 5)  # 3 parts of 8 MiB, the last short
SSE_C_KEY = "k" * 32


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _file(tmp_path: Path, data: bytes = DATA) -> str:
    path = tmp_path / "body.bin"
    path.write_bytes(data)
    return str(path)


class Recorder:
    """The fake S3, with every request kept."""

    def __init__(self, fake: FakeS3 | None = None) -> None:
        self.fake = fake or FakeS3()
        self.requests: list[tuple[str, MockRequest]] = []

    async def handle(self, request: MockRequest) -> MockResponse:
        self.requests.append((FakeS3.kind(request), request))
        return await self.fake.handle(request)

    def of(self, kind: str) -> list[MockRequest]:
        return [r for k, r in self.requests if k == kind]

    def s3(self, **config: object) -> aios3.S3Client:
        return client(MockTransport(self.handle), **config)


# ---------------------------------------------------------------------- put_object


async def test_put_object_sends_its_headers_and_a_crc32() -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        r = await s3.put_object(
            Bucket="b",
            Key="k",
            Body=b"hello",
            ContentType="text/plain",
            Metadata={"a": "1"},
            ACL="private",
            StorageClass="STANDARD_IA",
            IfNoneMatch="*",
            RequestPayer="requester",
        )
    (req,) = rec.of("put")
    h = req.headers
    assert req.method == "PUT" and req.url.path == "/b/k" and req.body == b"hello"
    assert h["Content-Type"] == "text/plain" and h["x-amz-meta-a"] == "1"
    assert h["x-amz-acl"] == "private" and h["x-amz-storage-class"] == "STANDARD_IA"
    assert h["If-None-Match"] == "*" and h["x-amz-request-payer"] == "requester"
    assert h["x-amz-checksum-crc32"] == _crc32(b"hello")  # botocore's default
    assert r.etag == '"' + hashlib.md5(b"hello").hexdigest() + '"'


async def test_put_object_parses_every_header_of_the_answer() -> None:
    headers = {
        "ETag": '"e"',
        "x-amz-version-id": "v1",
        "x-amz-checksum-crc32": "AAAAAA==",
        "x-amz-checksum-type": "FULL_OBJECT",
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "kms-key",
        "x-amz-server-side-encryption-bucket-key-enabled": "true",
        "x-amz-expiration": 'expiry-date="x", rule-id="r"',
        "x-amz-object-size": "5",
        "x-amz-request-charged": "requester",
    }
    async with client(MockTransport(lambda r: MockResponse(200, headers))) as s3:
        r = await s3.put_object(Bucket="b", Key="k", Body=b"hello")
    assert (r.etag, r.version_id, r.checksum_crc32, r.checksum_type) == (
        '"e"',
        "v1",
        "AAAAAA==",
        "FULL_OBJECT",
    )
    assert (r.server_side_encryption, r.bucket_key_enabled, r.size) == ("aws:kms", True, 5)
    assert r.request_charged == "requester" and "sse_kms_key_id=" not in repr(r)
    assert "kms-key" not in repr(r) and "kms-key" not in str(r)  # not via the headers either
    assert r.to_dict()["VersionId"] == "v1"


async def test_put_object_refuses_bad_input_before_sending() -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        with pytest.raises(ParamValidationError, match="ACL"):
            await s3.put_object(Bucket="b", Key="k", Body=b"x", ACL="everyone")  # type: ignore[typeddict-item]
        with pytest.raises(ParamValidationError, match="Body"):
            await s3.put_object(Bucket="b", Key="k", Body="text")  # type: ignore[typeddict-item]
    assert rec.requests == []


# ---------------------------------------------------------------------- upload_file


async def test_a_small_file_is_one_put_object_with_extra_args(tmp_path: Path) -> None:
    rec = Recorder()
    seen: list[int] = []
    path = _file(tmp_path, b"small body")
    async with rec.s3() as s3:
        r = await s3.upload_file(
            path,
            "b",
            "small",
            ExtraArgs={
                "ContentType": "x/y",
                "Metadata": {"m": "v"},
                "ExpectedBucketOwner": "1" * 12,
            },
            Callback=seen.append,
        )
    assert isinstance(r, aios3.models.PutObjectResponse)
    assert [k for k, _ in rec.requests] == ["put"]
    (req,) = rec.of("put")
    assert req.body == b"small body" and rec.fake.objects["small"] == b"small body"
    assert req.headers["Content-Type"] == "x/y" and req.headers["x-amz-meta-m"] == "v"
    assert req.headers["x-amz-expected-bucket-owner"] == "1" * 12
    assert req.headers["x-amz-checksum-crc32"] == _crc32(b"small body")
    assert req.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"  # streamed from the file
    assert sum(seen) == len(b"small body")


async def test_an_empty_file_is_an_empty_put(tmp_path: Path) -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        await s3.upload_file(_file(tmp_path, b""), "b", "empty")
    assert [k for k, _ in rec.requests] == ["put"] and rec.fake.objects["empty"] == b""


async def test_a_large_file_goes_in_parts_each_with_its_crc32(tmp_path: Path) -> None:
    rec = Recorder()
    seen: list[int] = []
    async with rec.s3() as s3:
        r = await s3.upload_file(_file(tmp_path), "b", "big", Callback=seen.append)
    assert isinstance(r, aios3.models.CompleteMultipartUploadResponse)
    assert rec.fake.objects["big"] == DATA and rec.fake.uploads == {}
    parts = sorted(rec.of("part"), key=lambda p: int(p.query["partNumber"]))
    assert [len(p.body) for p in parts] == [8 * MiB, 8 * MiB, 5 * MiB + 5]
    for p in parts:
        assert p.headers["x-amz-checksum-crc32"] == _crc32(p.body)
        assert p.headers["x-amz-sdk-checksum-algorithm"] == "CRC32"
        assert p.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    (create,) = rec.of("create")
    assert create.headers["x-amz-checksum-algorithm"] == "CRC32"  # as s3transfer
    (complete,) = rec.of("complete")
    body = complete.body.decode()
    for p in parts:
        assert f"<ChecksumCRC32>{_crc32(p.body)}</ChecksumCRC32>" in body
    assert sum(seen) == len(DATA) and all(n > 0 for n in seen)


async def test_extra_args_reach_every_call_that_needs_them(tmp_path: Path) -> None:
    rec = Recorder()
    extra: aios3.UploadExtraArgs = {
        "RequestPayer": "requester",
        "ExpectedBucketOwner": "123456789012",
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": SSE_C_KEY,
        "Metadata": {"m": "v"},
        "Tagging": "a=b",
        "StorageClass": "STANDARD",
    }
    async with rec.s3() as s3:
        await s3.upload_file(_file(tmp_path), "b", "k", ExtraArgs=extra)
    for kind in ("create", "part", "complete"):
        for req in rec.of(kind):
            h = req.headers
            assert h["x-amz-request-payer"] == "requester", kind
            assert h["x-amz-expected-bucket-owner"] == "123456789012", kind
            assert h["x-amz-server-side-encryption-customer-algorithm"] == "AES256", kind
            assert "x-amz-server-side-encryption-customer-key-MD5" in h, kind
            assert ("x-amz-meta-m" in h) is (kind == "create")
            assert ("x-amz-tagging" in h) is (kind == "create")


async def test_a_failure_aborts_with_the_payer_and_owner_and_raises_unchanged(
    tmp_path: Path,
) -> None:
    fake = FakeS3()
    fake.fail["part"] = error(403, "AccessDenied")
    rec = Recorder(fake)
    async with rec.s3() as s3:
        with pytest.raises(AccessDenied):
            await s3.upload_file(
                _file(tmp_path),
                "b",
                "k",
                ExtraArgs={"RequestPayer": "requester", "ExpectedBucketOwner": "123456789012"},
            )
    assert fake.uploads == {} and "k" not in fake.objects
    assert rec.of("abort") and rec.of("list_parts")
    for req in rec.of("abort") + rec.of("list_parts"):
        assert req.headers["x-amz-request-payer"] == "requester"
        assert req.headers["x-amz-expected-bucket-owner"] == "123456789012"


async def test_a_bad_extra_args_key_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        with pytest.raises(ParamValidationError, match="Invalid extra_args key 'ContentMD5'"):
            await s3.upload_file(_file(tmp_path), "b", "k", ExtraArgs={"ContentMD5": "x"})  # type: ignore[typeddict-unknown-key]
        with pytest.raises(ParamValidationError, match="Callback"):
            await s3.upload_file(_file(tmp_path), "b", "k", Callback=3)  # type: ignore[arg-type]
        with pytest.raises(ParamValidationError, match="Filename"):
            await s3.upload_file(b"path", "b", "k")  # type: ignore[arg-type]
        with pytest.raises(ParamValidationError, match="Fileobj"):
            await s3.upload_fileobj(b"bytes", "b", "k")
        with pytest.raises(FileNotFoundError):
            await s3.upload_file(str(tmp_path / "missing"), "b", "k")
    assert rec.requests == []


def test_allowed_upload_args_are_s3transfers() -> None:
    from s3transfer.manager import TransferManager

    assert set(ALLOWED_UPLOAD_ARGS) == set(TransferManager.ALLOWED_UPLOAD_ARGS)
    assert set(aios3.UploadExtraArgs.__annotations__) == set(ALLOWED_UPLOAD_ARGS)


# ---------------------------------------------------------------------- TransferConfig


def test_transfer_config_defaults_and_bounds() -> None:
    c = aios3.TransferConfig()
    assert (c.multipart_threshold, c.multipart_chunksize, c.max_concurrency) == (
        8 * MiB,
        8 * MiB,
        10,
    )
    for bad in (
        {"multipart_chunksize": 5 * MiB - 1},
        {"multipart_chunksize": 5 * 1024 * MiB + 1},
        {"max_concurrency": 0},
        {"multipart_threshold": -1},
        {"on_failure": "ignore"},
        {"cleanup_timeout": 0},
        {"max_concurrency": True},
    ):
        with pytest.raises(ParamValidationError, match=next(iter(bad))):
            aios3.TransferConfig(**bad)  # type: ignore[arg-type]


def test_the_part_size_is_raised_to_keep_10000_parts() -> None:
    assert part_size_for(80 * 1024 * MiB, 8 * MiB) == 9 * MiB  # 80 GiB: 8,889 parts of 9 MiB
    assert part_size_for(10_000 * 8 * MiB, 8 * MiB) == 8 * MiB
    assert part_size_for(10_000 * 8 * MiB + 1, 8 * MiB) == 9 * MiB
    size = 5 * 1024**4  # 5 TiB
    part = part_size_for(size, 8 * MiB)
    assert -(-size // part) <= 10_000 and part % MiB == 0
    with pytest.raises(ParamValidationError, match="10,000 parts"):
        part_size_for(10_000 * 5 * 1024 * MiB + 1, 8 * MiB)


async def test_boto3s_transfer_config_is_taken_for_its_sizes(tmp_path: Path) -> None:
    rec = Recorder()
    cfg = boto3.s3.transfer.TransferConfig(multipart_threshold=MiB, multipart_chunksize=6 * MiB)
    async with rec.s3() as s3:
        await s3.upload_file(_file(tmp_path), "b", "k", Config=cfg)  # type: ignore[arg-type]
        with pytest.raises(ParamValidationError, match="TransferConfig"):
            await s3.upload_file(_file(tmp_path), "b", "k", Config={"max_concurrency": 2})  # type: ignore[arg-type]
    assert sorted(len(p.body) for p in rec.of("part")) == [3 * MiB + 5] + [6 * MiB] * 3


async def test_concurrency_is_bounded(tmp_path: Path) -> None:
    fake = FakeS3()
    inflight = peak = 0
    three = asyncio.Event()

    async def hook(kind: str) -> None:
        nonlocal inflight, peak
        if kind == "part":
            inflight += 1
            peak = max(peak, inflight)
            if inflight == 3:
                three.set()
            # hold the part until three are in flight (the last, short round never gets
            # there: a bound keeps it moving), so the peak does not depend on how fast
            # a loaded machine reads the parts
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(three.wait(), 2.0)
            inflight -= 1

    fake.on_request = hook
    data = DATA[: 5 * MiB] * 8
    async with Recorder(fake).s3() as s3:
        cfg = aios3.TransferConfig(multipart_chunksize=5 * MiB, max_concurrency=3)
        await s3.upload_file(_file(tmp_path, data), "b", "k", Config=cfg)
    assert peak == 3 and fake.objects["k"] == data


# ---------------------------------------------------------------------- checksums


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_crc_combine_equals_the_crc_of_the_whole(algorithm: str) -> None:
    from aios3._checksums import hasher_factory

    factory = hasher_factory(algorithm)
    rnd = random.Random(algorithm)
    data = rnd.randbytes(100_000)
    whole = factory()
    whole.update(data)
    cuts = sorted(rnd.sample(range(1, len(data)), 5))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    crc = None
    for piece in pieces:
        h = factory()
        h.update(piece)
        value = int.from_bytes(h.digest(), "big")
        crc = value if crc is None else crc_combine(algorithm, crc, value, len(piece))
    assert crc == int.from_bytes(whole.digest(), "big")


async def test_full_object_checksum_is_combined_and_sent_to_the_complete(
    tmp_path: Path,
) -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        await s3.upload_file(_file(tmp_path), "b", "k", ExtraArgs={"ChecksumType": "FULL_OBJECT"})
    (create,) = rec.of("create")
    assert create.headers["x-amz-checksum-type"] == "FULL_OBJECT"
    (complete,) = rec.of("complete")
    assert complete.headers["x-amz-checksum-type"] == "FULL_OBJECT"
    assert complete.headers["x-amz-checksum-crc32"] == _crc32(DATA)


async def test_a_given_whole_body_checksum_goes_as_s3transfer_sends_it(tmp_path: Path) -> None:
    """s3transfer: ChecksumType=FULL_OBJECT and the algorithm on the create, the value on
    the complete only; on a PutObject, the value as given."""
    rec = Recorder()
    value = _crc32(DATA)
    async with rec.s3() as s3:
        await s3.upload_file(_file(tmp_path), "b", "k", ExtraArgs={"ChecksumCRC32": value})
        await s3.upload_file(
            _file(tmp_path, b"small"), "b", "s", ExtraArgs={"ChecksumCRC32": _crc32(b"small")}
        )
    (create,) = rec.of("create")
    assert create.headers["x-amz-checksum-type"] == "FULL_OBJECT"
    assert create.headers["x-amz-checksum-algorithm"] == "CRC32"
    assert "x-amz-checksum-crc32" not in create.headers
    assert rec.of("complete")[0].headers["x-amz-checksum-crc32"] == value
    (put,) = rec.of("put")
    assert put.headers["x-amz-checksum-crc32"] == _crc32(b"small")
    assert "x-amz-checksum-type" not in put.headers


async def test_when_required_sends_no_checksum(tmp_path: Path) -> None:
    rec = Recorder()
    async with rec.s3(request_checksum_calculation="when_required") as s3:
        await s3.upload_file(_file(tmp_path), "b", "k")
    assert not any(
        n.lower().startswith("x-amz-checksum") for _, r in rec.requests for n in r.headers
    )


async def test_a_retried_part_rewinds_the_callback(tmp_path: Path) -> None:
    fake = FakeS3()
    failed: list[int] = []

    async def handle(request: MockRequest) -> MockResponse:
        if FakeS3.kind(request) == "part" and not failed:
            failed.append(1)
            return error(500, "InternalError")
        return await fake.handle(request)

    seen: list[int] = []
    async with client(MockTransport(handle)) as s3:
        await s3.upload_file(_file(tmp_path), "b", "k", Callback=seen.append)
    assert fake.objects["k"] == DATA
    assert any(n < 0 for n in seen) and sum(seen) == len(DATA)


# ---------------------------------------------------------------------- file objects


async def test_upload_fileobj_reads_a_seekable_file_from_its_position(tmp_path: Path) -> None:
    rec = Recorder()
    async with rec.s3() as s3:
        with open(_file(tmp_path), "rb") as f:  # noqa: ASYNC230
            f.seek(100)
            await s3.upload_fileobj(f, "b", "k")
            assert f.tell() == len(DATA)
        await s3.upload_fileobj(io.BytesIO(DATA), "b", "bytesio")
    assert rec.fake.objects["k"] == DATA[100:]
    assert rec.fake.objects["bytesio"] == DATA


class Pipe(io.RawIOBase):
    """A non-seekable binary stream that answers short reads."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        n = min(len(b), len(self.data), 100_000)
        b[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


async def test_upload_fileobj_streams_what_cannot_be_read_again() -> None:
    rec = Recorder()

    async def chunks(data: bytes) -> AsyncIterator[bytes]:
        for i in range(0, len(data), 777_777):
            yield data[i : i + 777_777]

    class AsyncFile:
        def __init__(self, data: bytes) -> None:
            self.f = io.BytesIO(data)

        async def read(self, n: int = -1) -> bytes:
            return self.f.read(n)

    seen: list[int] = []
    async with rec.s3() as s3:
        await s3.upload_fileobj(Pipe(DATA), "b", "pipe", Callback=seen.append)
        await s3.upload_fileobj(chunks(DATA), "b", "iter")
        await s3.upload_fileobj(AsyncFile(DATA), "b", "async")
        await s3.upload_fileobj(chunks(b"tiny"), "b", "tiny")
        with pytest.raises(ParamValidationError, match="seekable"):
            await s3.upload_fileobj(chunks(DATA), "b", "k", UploadId="u")
    for key in ("pipe", "iter", "async"):
        assert rec.fake.objects[key] == DATA, key
    assert rec.fake.objects["tiny"] == b"tiny"
    assert [k for k, _ in rec.requests].count("put") == 1
    assert sum(seen) == len(DATA)


# ---------------------------------------------------------------------- cancellation


async def test_cancelled_while_parts_are_in_flight_leaves_nothing(tmp_path: Path) -> None:
    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()
    async with Recorder(fake).s3() as s3:
        task = asyncio.ensure_future(s3.upload_file(_file(tmp_path), "b", "k"))
        await fake.wait_for("part")
        task.cancel()
        fake.hold.pop("part").set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.uploads == {} and "k" not in fake.objects
    assert "abort" in fake.log


# ---------------------------------------------------------------------- resume


async def test_a_kept_upload_is_resumed_skipping_the_parts_already_there(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeS3()
    count = 0

    async def handle(request: MockRequest) -> MockResponse:
        nonlocal count
        if FakeS3.kind(request) == "part":
            count += 1
            if request.query["partNumber"] == "3":
                return error(403, "AccessDenied")
        return await fake.handle(request)

    path = _file(tmp_path)
    keep = aios3.TransferConfig(on_failure="keep", max_concurrency=1)
    async with client(MockTransport(handle)) as s3:
        with pytest.raises(AccessDenied) as caught:
            await s3.upload_file(path, "b", "k", Config=keep)
    (upload_id,) = fake.uploads
    assert "abort" not in fake.log and sorted(fake.uploads[upload_id].parts) == [1, 2]
    assert upload_id in caplog.text
    if hasattr(caught.value, "__notes__"):
        assert any(upload_id in n for n in caught.value.__notes__)

    # part 2 was changed behind our back: same size, other bytes, so it is sent again
    fake.uploads[upload_id].parts[2] = bytes(8 * MiB)
    fake.uploads[upload_id].checksums[2] = _crc32(bytes(8 * MiB))
    rec = Recorder(fake)
    seen: list[int] = []
    async with rec.s3() as s3:
        r = await s3.upload_file(path, "b", "k", Callback=seen.append, UploadId=upload_id)
    assert r.etag == '"done-3"'
    assert sorted(p.query["partNumber"] for p in rec.of("part")) == ["2", "3"]
    assert rec.of("list_parts") and not rec.of("create")
    assert fake.objects["k"] == DATA and fake.uploads == {}
    assert sum(seen) == len(DATA)


async def test_resume_without_checksums_compares_etags(tmp_path: Path) -> None:
    fake = FakeS3()
    path = _file(tmp_path)
    async with client(
        MockTransport(fake.handle), request_checksum_calculation="when_required"
    ) as s3:
        up = await s3.create_multipart_upload(Bucket="b", Key="k")
        await s3.upload_part(
            Bucket="b", Key="k", UploadId=up.upload_id, PartNumber=1, Body=DATA[: 8 * MiB]
        )
        await s3.upload_part(
            Bucket="b", Key="k", UploadId=up.upload_id, PartNumber=2, Body=os.urandom(8 * MiB)
        )
        rec = Recorder(fake)
        async with rec.s3(request_checksum_calculation="when_required") as s3b:
            await s3b.upload_file(path, "b", "k", UploadId=up.upload_id)
    assert sorted(p.query["partNumber"] for p in rec.of("part")) == ["2", "3"]
    assert fake.objects["k"] == DATA
