"""upload_file / upload_fileobj against Ceph RGW 16 (skipped unless ``AIOS3_TEST_CEPH=1``):
a small file goes as one PutObject, a larger one as a multipart upload, and a failing
source leaves no incomplete upload. Ceph 16 needs ``when_required`` checksums (no flexible
checksums), set here as in the other Ceph tests."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import aios3
from aios3.testing import FaultTransport
from tests._kit import server_client

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _ceph_checksum_setting(_isolated_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    monkeypatch.setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")


async def test_upload_file_small_and_multipart(ceph, make_bucket, tmp_path: Path) -> None:
    bucket = await make_bucket(ceph)
    small, big = tmp_path / "small.bin", tmp_path / "big.bin"
    small.write_bytes(b"s" * 1000)
    big.write_bytes(b"b" * (11 * MiB))
    config = aios3.TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=5 * MiB)
    async with server_client(ceph, max_attempts=1) as s3:
        await s3.upload_file(small, bucket, "u/small", ExtraArgs={"Metadata": {"a": "1"}})
        await s3.upload_file(big, bucket, "u/big", Config=config)
        head_small = await s3.head_object(Bucket=bucket, Key="u/small")
        head_big = await s3.head_object(Bucket=bucket, Key="u/big")
        assert (head_small.content_length, head_small.metadata) == (1000, {"a": "1"})
        assert head_big.content_length == 11 * MiB
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []


async def test_a_failing_source_leaves_nothing(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)

    async def source() -> AsyncIterator[bytes]:  # past the 8 MiB threshold: a multipart
        yield b"x" * (5 * MiB)
        yield b"x" * (5 * MiB)
        yield b"x" * (5 * MiB)
        raise OSError("the source went away")

    recorder = FaultTransport(aios3.AiohttpTransport())  # no rules: it only records
    async with server_client(ceph, recorder, max_attempts=1) as s3:
        with pytest.raises(OSError, match="went away"):
            await s3.upload_fileobj(source(), bucket, "u/broken")
        with pytest.raises(OSError, match="went away"):
            await s3.upload_fileobj(_Failing(b"y" * (12 * MiB)), bucket, "u/broken-file")
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []
    aborts = [r for r in recorder.requests if r.method == "DELETE" and "uploadId" in r.query]
    assert len(aborts) == 2  # both went multipart, and both were aborted


class _Failing(io.RawIOBase):
    """A binary file that fails after its first 10 MiB (past the multipart threshold)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._data.tell() >= 10 * MiB:
            raise OSError("the source went away")
        return self._data.read(n)
