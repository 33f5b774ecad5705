"""`s3.upload_file` / `s3.upload_fileobj`: boto3's managed uploads, built on
`ManagedUpload`, so that a failed or cancelled upload never leaves its parts behind.

How a body travels:

- a file path, or a seekable binary file, is read per part by position (`os.pread` on a
  real file, a locked seek-and-read on other seekable objects), never whole: each part's
  checksum is computed in a worker thread, then the part is streamed in 1 MiB reads with
  that checksum in a header (`UNSIGNED-PAYLOAD`, as for any file body). At most
  `max_concurrency` parts are in flight, each holding about one read in memory;
- a non-seekable file, an async file or an async iterable of bytes can only be read once,
  in order: each part is read into memory (at most `max_concurrency` of them at a time),
  and streamed from there the same way.

A body below `multipart_threshold` goes as one PutObject.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import io
import math
import os
import stat
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import TypedDict

from ._checksums import Hasher, hasher_factory
from ._orphans import VerifyPolicy, policy_of
from ._upload import MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, ManagedUpload, _chunks
from .errors import ParamValidationError
from .models import (
    ChecksumAlgorithm,
    CompleteMultipartUploadResponse,
    ObjectCannedACL,
    Part,
)

if TYPE_CHECKING:
    from ._client import S3Client
    from .models import PutObjectResponse, UploadResponse

__all__ = [
    "ALLOWED_UPLOAD_ARGS",
    "ProgressCallback",
    "TransferConfig",
    "UploadExtraArgs",
    "upload",
]

MiB = 1024 * 1024
_READ = 256 * 1024  # the most one read of a part returns: what a part in flight holds

ProgressCallback = Callable[[int], object]
"""boto3's `Callback`: called with the number of bytes read for sending since its last
call (negative when a retry rewinds a part)."""

FULL_OBJECT_CHECKSUM_ARGS = (
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumMD5",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumSHA512",
    "ChecksumXXHASH3",
    "ChecksumXXHASH64",
    "ChecksumXXHASH128",
)
ALLOWED_UPLOAD_ARGS: tuple[str, ...] = (
    "ACL",
    "CacheControl",
    "ChecksumAlgorithm",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "ExpectedBucketOwner",
    "Expires",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "Metadata",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "RequestPayer",
    "ServerSideEncryption",
    "StorageClass",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "SSEKMSKeyId",
    "SSEKMSEncryptionContext",
    "Tagging",
    "WebsiteRedirectLocation",
    "ChecksumType",
    "MpuObjectSize",
    *FULL_OBJECT_CHECKSUM_ARGS,
)
"""The `ExtraArgs` keys `upload_file` / `upload_fileobj` take: s3transfer's
`TransferManager.ALLOWED_UPLOAD_ARGS`, the same list as boto3."""


class UploadExtraArgs(TypedDict, total=False):
    """`ExtraArgs` of `upload_file` / `upload_fileobj`: boto3's `ALLOWED_UPLOAD_ARGS`.

    Each goes where s3transfer sends it: the create (or the PutObject) takes all but the
    whole-body checksum values and `MpuObjectSize`; every part takes `ChecksumAlgorithm`,
    the SSE-C key, `RequestPayer` and `ExpectedBucketOwner`; the complete takes those but
    `ChecksumAlgorithm`, plus `ChecksumType`, `MpuObjectSize` and a whole-body checksum;
    the abort (and its ListParts) takes `RequestPayer` and `ExpectedBucketOwner`.
    """

    ACL: ObjectCannedACL
    CacheControl: str
    ChecksumAlgorithm: ChecksumAlgorithm
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentType: str
    ExpectedBucketOwner: str
    Expires: datetime
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWriteACP: str
    Metadata: Mapping[str, str]
    ObjectLockLegalHoldStatus: Literal["ON", "OFF"]
    ObjectLockMode: Literal["GOVERNANCE", "COMPLIANCE"]
    ObjectLockRetainUntilDate: datetime
    RequestPayer: Literal["requester"]
    ServerSideEncryption: str
    StorageClass: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str | bytes
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    Tagging: str
    WebsiteRedirectLocation: str
    ChecksumType: Literal["COMPOSITE", "FULL_OBJECT"]
    MpuObjectSize: int
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumMD5: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumXXHASH3: str
    ChecksumXXHASH64: str
    ChecksumXXHASH128: str


_PUT_BLOCKLIST = ("ChecksumType", "MpuObjectSize")  # s3transfer's PUT_OBJECT_BLOCKLIST
_CREATE_BLOCKLIST = (*FULL_OBJECT_CHECKSUM_ARGS, "MpuObjectSize")
_SSE_C = ("SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5")
_COMPLETE_ONLY = ("ChecksumType", "MpuObjectSize", *FULL_OBJECT_CHECKSUM_ARGS)
"""What the complete takes beyond what `ManagedUpload` carries (payer, owner, SSE-C)."""


@dataclass(frozen=True, slots=True)
class TransferConfig:
    """How `upload_file` / `upload_fileobj` split and send a body (boto3's names where
    they apply).

    Attributes:
        multipart_threshold: bodies of at least this many bytes go as a multipart upload;
            smaller ones as one PutObject (8 MiB, as boto3).
        multipart_chunksize: the part size, 5 MiB to 5 GiB (8 MiB, as boto3). When the
            body's size is known it is raised, to a whole MiB, so that the body needs at
            most 10,000 parts. When it is not (a non-seekable stream), it stays as given:
            such a body can be at most 10,000 parts long, and a longer one fails (and is
            aborted) at part 10,001.
        max_concurrency: parts in flight at once (10, as boto3). Memory is bounded by
            it: about 1 MiB per part for a file, a whole part per part for a stream.
        on_failure: `"abort"` (the default): any error or cancellation aborts the upload
            with verification, as `s3.multipart_upload` does. `"keep"`: the upload and
            its parts stay, to be resumed with `UploadId=` (its id is logged and added to
            the exception as a note).
        verify: how the abort is verified (`abort_multipart_upload`'s `verify`).
        cleanup_timeout: the bound on the abort, in seconds, through cancellations.
    """

    multipart_threshold: int = 8 * MiB
    multipart_chunksize: int = 8 * MiB
    max_concurrency: int = 10
    on_failure: Literal["abort", "keep"] = "abort"
    verify: bool | VerifyPolicy = True
    cleanup_timeout: float = 60.0

    def __post_init__(self) -> None:
        _check_int("multipart_threshold", self.multipart_threshold, 0, MAX_PART_SIZE)
        _check_int("multipart_chunksize", self.multipart_chunksize, MIN_PART_SIZE, MAX_PART_SIZE)
        _check_int("max_concurrency", self.max_concurrency, 1, 1000)
        if self.on_failure not in ("abort", "keep"):
            raise ParamValidationError(
                f"TransferConfig.on_failure: 'abort' or 'keep', got {self.on_failure!r}"
            )
        policy_of(self.verify)  # ParamValidationError for anything but bool / VerifyPolicy
        t = self.cleanup_timeout
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t < math.inf:
            raise ParamValidationError(
                f"TransferConfig.cleanup_timeout: a finite number of seconds > 0, got {t!r}"
            )


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParamValidationError(
            f"TransferConfig.{name}: an int from {low} to {high}, got {value!r}"
        )


def _config(config: object) -> TransferConfig:
    """aios3's `TransferConfig`; boto3's is taken for its three sizes."""
    if config is None:
        return TransferConfig()
    if isinstance(config, TransferConfig):
        return config
    if type(config).__module__.split(".")[0] in ("boto3", "s3transfer"):
        return TransferConfig(
            multipart_threshold=config.multipart_threshold,  # type: ignore[attr-defined]
            multipart_chunksize=max(config.multipart_chunksize, MIN_PART_SIZE),  # type: ignore[attr-defined]
            max_concurrency=config.max_concurrency,  # type: ignore[attr-defined]
        )
    raise ParamValidationError(f"Config: an aios3.TransferConfig, got {type(config).__name__}")


def part_size_for(size: int | None, chunksize: int) -> int:
    """The part size for a body of `size` bytes: `chunksize`, raised to a whole MiB so that
    the body needs at most 10,000 parts."""
    if size is None or size <= chunksize * MAX_PARTS:
        return chunksize
    needed = -(-size // MAX_PARTS)
    part = -(-needed // MiB) * MiB
    if part > MAX_PART_SIZE:
        raise ParamValidationError(
            f"the body has {size} bytes: more than 10,000 parts of 5 GiB, S3's limit"
        )
    return part


# ---------------------------------------------------------------------- sources

ReadAt = Callable[[int, int], bytes]
"""`read_at(offset, n)`: up to `n` bytes at `offset` (fewer only at the end)."""


class _Region:
    """A part of a body as a seekable binary file object: what `upload_part` streams (in
    1 MiB reads, off the event loop) and rewinds for a retry. Reads report progress."""

    __slots__ = ("_length", "_pos", "_progress", "_read_at", "_start")

    def __init__(
        self, read_at: ReadAt, start: int, length: int, progress: Callable[[int], None] | None
    ) -> None:
        self._read_at = read_at
        self._start = start
        self._length = length
        self._pos = 0
        self._progress = progress

    def read(self, size: int = -1, /) -> bytes:
        left = self._length - self._pos
        if size < 0 or size > left:
            size = left
        size = min(size, _READ)  # a short read: the sender asks again
        if size <= 0:
            return b""
        data = self._read_at(self._start + self._pos, size)
        self._pos += len(data)
        if self._progress is not None and data:
            self._progress(len(data))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        pos = max(0, min(base + offset, self._length))
        if self._progress is not None and pos < self._pos:
            self._progress(pos - self._pos)  # a retry rewinds: as s3transfer, negative
        self._pos = pos
        return pos


def _fd_reader(fd: int) -> ReadAt:
    def read_at(offset: int, n: int) -> bytes:
        return os.pread(fd, n, offset)

    return read_at


def _locked_reader(fileobj: Any) -> ReadAt:
    """Positional reads on a seekable file object without a usable descriptor: one at a
    time, each a seek then a read."""
    lock = threading.Lock()

    def read_at(offset: int, n: int) -> bytes:
        with lock:
            fileobj.seek(offset)
            data = fileobj.read(n)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ParamValidationError(
                f"Fileobj.read() returned {type(data).__name__}, not bytes: open the file in "
                "binary mode ('rb')"
            )
        return bytes(data)

    return read_at


def _memory_reader(data: bytes | bytearray | memoryview) -> ReadAt:
    view = memoryview(data).cast("B")

    def read_at(offset: int, n: int) -> bytes:
        return bytes(view[offset : offset + n])

    return read_at


def _real_file_fd(fileobj: object) -> int | None:
    """The descriptor of a plain binary file opened from the file system (whose bytes are
    the descriptor's), else None (a GzipFile's `fileno()` is the compressed file's)."""
    if isinstance(fileobj, io.BufferedReader) and isinstance(fileobj.raw, io.FileIO):
        pass
    elif not isinstance(fileobj, io.FileIO):
        return None
    try:
        fd = fileobj.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


@dataclass(slots=True)
class _Sized:
    """A body whose size is known and whose bytes can be read by position."""

    read_at: ReadAt
    start: int
    size: int


def _seekable_size(fileobj: Any) -> tuple[int, int] | None:
    """(position, bytes left) of a seekable file object, else None."""
    try:
        if hasattr(fileobj, "seekable") and not fileobj.seekable():
            return None
        pos = fileobj.tell()
        end = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(pos)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    if not isinstance(pos, int) or not isinstance(end, int):
        return None
    return pos, max(0, end - pos)


# ---------------------------------------------------------------------- checksums


def _digest(read_at: ReadAt, start: int, length: int, factory: Callable[[], Hasher]) -> Hasher:
    """The hash of `length` bytes at `start`, read in 1 MiB pieces (in a worker thread)."""
    hasher = factory()
    offset, end = start, start + length
    while offset < end:
        chunk = read_at(offset, min(_READ, end - offset))
        if not chunk:
            raise ParamValidationError(
                f"the body ended at byte {offset}, before its size ({end}): did the file "
                "shrink during the upload?"
            )
        hasher.update(chunk)
        offset += len(chunk)
    return hasher


def _md5(read_at: ReadAt, start: int, length: int) -> str:
    h = _digest(read_at, start, length, lambda: hashlib.md5(usedforsecurity=False))
    return '"' + h.digest().hex() + '"'


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


# reflected polynomials of the CRCs S3 can combine into a full-object checksum
_CRC_POLY: dict[str, tuple[int, int]] = {
    "CRC32": (0xEDB88320, 32),
    "CRC32C": (0x82F63B78, 32),
    "CRC64NVME": (0x9A6C9329AC4BC9B5, 64),
}
_X2N: dict[str, list[int]] = {}


def _multmodp(a: int, b: int, poly: int, width: int) -> int:
    """a * b modulo the polynomial, in the reflected bit order (zlib's `multmodp`)."""
    m = 1 << (width - 1)
    p = 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ poly if b & 1 else b >> 1


def crc_combine(algorithm: str, crc1: int, crc2: int, len2: int) -> int:
    """The CRC of A + B from crc(A), crc(B) and len(B) (zlib's `crc32_combine`, for any of
    CRC32, CRC32C and CRC64NVME)."""
    poly, width = _CRC_POLY[algorithm]
    table = _X2N.get(algorithm)
    if table is None:
        p = 1 << (width - 2)  # x^1
        table = [p]
        for _ in range(1, width):
            p = _multmodp(p, p, poly, width)
            table.append(p)
        _X2N[algorithm] = table
    # x^(8 * len2) mod poly
    xn = 1 << (width - 1)  # x^0
    k, n = 3, len2
    while n:
        if n & 1:
            xn = _multmodp(table[k % width], xn, poly, width)
        n >>= 1
        k += 1
    return _multmodp(xn, crc1, poly, width) ^ crc2


# ---------------------------------------------------------------------- the upload


def _check_extra_args(extra: object) -> dict[str, Any]:
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise ParamValidationError(f"ExtraArgs: a dict, got {type(extra).__name__}")
    for name in extra:
        if name not in ALLOWED_UPLOAD_ARGS:
            raise ParamValidationError(
                f"Invalid extra_args key '{name}', must be one of: "
                + ", ".join(ALLOWED_UPLOAD_ARGS),
                [f"ExtraArgs.{name}: not an upload argument"],
            )
    return dict(extra)


def _progress(callback: object) -> Callable[[int], None] | None:
    """`Callback`, called on the event loop's thread whichever thread read the bytes."""
    if callback is None:
        return None
    if not callable(callback):
        raise ParamValidationError(f"Callback: a callable, got {type(callback).__name__}")
    loop = asyncio.get_running_loop()

    def report(n: int) -> None:
        if threading.get_ident() == loop_thread:
            callback(n)
        else:
            loop.call_soon_threadsafe(callback, n)

    loop_thread = threading.get_ident()
    return report


async def upload(
    client: S3Client,
    source: object,
    bucket: object,
    key: object,
    extra_args: object,
    callback: object,
    config: object,
    upload_id: str | None,
    *,
    filename: bool,
) -> UploadResponse:
    """`upload_file` (`filename=True`: `source` is a path) and `upload_fileobj`."""
    cfg = _config(config)
    extra = _check_extra_args(extra_args)
    progress = _progress(callback)
    for name, value in (("Bucket", bucket), ("Key", key)):
        if not isinstance(value, str) or not value:
            raise ParamValidationError(f"{name}: a non-empty string, got {value!r}")
    assert isinstance(bucket, str) and isinstance(key, str)
    if upload_id is not None and (not isinstance(upload_id, str) or not upload_id):
        raise ParamValidationError(f"UploadId: a non-empty string, got {upload_id!r}")
    await client._ready()
    if not any(k in extra for k in FULL_OBJECT_CHECKSUM_ARGS) and client._default_checksum:
        extra.setdefault("ChecksumAlgorithm", "CRC32")  # s3transfer's default
    for name in FULL_OBJECT_CHECKSUM_ARGS:  # a whole-body checksum given: as s3transfer
        if name in extra:
            extra["ChecksumType"] = "FULL_OBJECT"
            extra["ChecksumAlgorithm"] = name[len("Checksum") :]
    algorithm = extra.get("ChecksumAlgorithm")
    if algorithm is not None:
        hasher_factory(algorithm)  # before anything is sent: MD5, or awscrt missing

    if filename:
        if not isinstance(source, (str, os.PathLike)):
            raise ParamValidationError(
                f"Filename: a str or a path-like object, got {type(source).__name__}"
            )
        fileobj = await _open(source)  # OSError as it is
        try:
            size = os.fstat(fileobj.fileno()).st_size
            body = _Sized(_fd_reader(fileobj.fileno()), 0, size)
            return await _upload_sized(
                client, body, bucket, key, extra, progress, cfg, upload_id, algorithm
            )
        finally:
            fileobj.close()
    if isinstance(source, (str, bytes, bytearray, memoryview)) or source is None:
        raise ParamValidationError(
            f"Fileobj: a binary file object or an async iterable of bytes, got "
            f"{type(source).__name__} (use upload_file for a path, put_object for bytes)"
        )
    read = getattr(source, "read", None)
    if read is not None and not inspect.iscoroutinefunction(read):
        where = await asyncio.to_thread(_seekable_size, source)
        if where is not None:
            start, size = where
            fd = _real_file_fd(source)
            reader = _fd_reader(fd) if fd is not None else _locked_reader(source)
            sized = _Sized(reader, start, size)
            try:
                return await _upload_sized(
                    client, sized, bucket, key, extra, progress, cfg, upload_id, algorithm
                )
            finally:
                if fd is not None:  # leave the file where it would be after reading it
                    source.seek(start + size)  # type: ignore[attr-defined]
    elif read is None and not hasattr(source, "__aiter__"):
        raise ParamValidationError(
            f"Fileobj: a binary file object (read(n)), an async file object or an async "
            f"iterable of bytes, got {type(source).__name__}"
        )
    if upload_id is not None:
        raise ParamValidationError(
            "UploadId: resuming needs a body that can be read again by position: a file "
            "path or a seekable file object"
        )
    return await _upload_stream(client, source, bucket, key, extra, progress, cfg, algorithm)


async def _open(path: str | os.PathLike[str]) -> io.BufferedReader:
    """`open(path, "rb")` in a worker thread; cancelled meanwhile, the file is closed."""
    opening = asyncio.ensure_future(asyncio.to_thread(open, path, "rb"))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_opened)
        raise


def _close_opened(opening: asyncio.Future[io.BufferedReader]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


def _put_args(extra: dict[str, Any]) -> dict[str, Any]:
    args = {k: v for k, v in extra.items() if k not in _PUT_BLOCKLIST}
    if any(k in args for k in FULL_OBJECT_CHECKSUM_ARGS):
        args.pop("ChecksumAlgorithm", None)  # the value given is the checksum
    return args


async def _put(
    client: S3Client,
    read_at: ReadAt,
    start: int,
    size: int,
    bucket: str,
    key: str,
    extra: dict[str, Any],
    progress: Callable[[int], None] | None,
    algorithm: str | None,
) -> PutObjectResponse:
    args = _put_args(extra)
    if algorithm is not None and "Checksum" + algorithm not in args:
        hasher = await asyncio.to_thread(_digest, read_at, start, size, hasher_factory(algorithm))
        args["Checksum" + algorithm] = _b64(hasher.digest())
    body = _Region(read_at, start, size, progress)
    return await client.put_object(Bucket=bucket, Key=key, Body=body, ContentLength=size, **args)


def _create_args(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if k not in _CREATE_BLOCKLIST}


class _Parts:
    """The part pipeline: at most `concurrency` parts in flight; the first failure cancels
    the others and is raised."""

    def __init__(
        self,
        mpu: ManagedUpload,
        algorithm: str | None,
        progress: Callable[[int], None] | None,
        concurrency: int,
        existing: dict[int, Part],
    ) -> None:
        self.mpu = mpu
        self.algorithm = algorithm
        self.factory = hasher_factory(algorithm) if algorithm is not None else None
        self.progress = progress
        self.slots = asyncio.Semaphore(concurrency)
        self.tasks: list[asyncio.Task[None]] = []
        self.existing = existing
        self.digests: dict[int, tuple[bytes, int]] = {}
        self.skipped = 0

    async def one(self, number: int, read_at: ReadAt, start: int, length: int) -> None:
        try:
            params: dict[str, Any] = {"ContentLength": length}
            value = None
            if self.factory is not None:
                hasher = await asyncio.to_thread(_digest, read_at, start, length, self.factory)
                digest = hasher.digest()
                self.digests[number] = (digest, length)
                value = _b64(digest)
                params["Checksum" + str(self.algorithm)] = value
            there = self.existing.get(number)
            if there is not None and await self._same(there, value, read_at, start, length):
                part: dict[str, object] = {"PartNumber": number, "ETag": there.etag or ""}
                if value is not None:
                    part["Checksum" + str(self.algorithm)] = value
                self.mpu._parts[number] = part
                self.skipped += 1
                if self.progress is not None:
                    self.progress(length)
                return
            body = _Region(read_at, start, length, self.progress)
            await self.mpu.upload_part(number, body, **params)
        finally:
            self.slots.release()

    async def _same(
        self, there: Part, value: str | None, read_at: ReadAt, start: int, length: int
    ) -> bool:
        """Whether the part already uploaded holds these bytes: its size, and its checksum
        when ListParts gives one, else its ETag as the MD5 of the bytes."""
        if there.size != length:
            return False
        if value is not None:
            listed = getattr(there, "checksum_" + str(self.algorithm).lower(), None)
            if listed is not None:
                return bool(listed == value)
        etag = there.etag or ""
        return etag == await asyncio.to_thread(_md5, read_at, start, length)

    def failed(self) -> bool:
        return any(t.done() and not t.cancelled() and t.exception() for t in self.tasks)

    async def slot(self) -> bool:
        """Wait for a free slot and take it; False (and no slot) when a part failed."""
        await self.slots.acquire()
        if self.failed():
            self.slots.release()
            return False
        return True

    def launch(self, number: int, read_at: ReadAt, start: int, length: int) -> None:
        """Start part `number` in the slot taken (`slot()`); it gives the slot back."""
        self.tasks.append(asyncio.ensure_future(self.one(number, read_at, start, length)))

    async def finish(self) -> None:
        await asyncio.gather(*self.tasks)

    async def cancel(self) -> None:
        for t in self.tasks:
            t.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks)

    def full_object(self) -> str:
        """The full-object CRC, combined from the parts' CRCs in order."""
        algorithm = str(self.algorithm)
        width = _CRC_POLY[algorithm][1] // 8
        crc = 0
        for i, number in enumerate(sorted(self.digests)):
            digest, length = self.digests[number]
            value = int.from_bytes(digest, "big")
            crc = value if i == 0 else crc_combine(algorithm, crc, value, length)
        return _b64(crc.to_bytes(width, "big"))


async def _multipart(
    client: S3Client,
    bucket: str,
    key: str,
    extra: dict[str, Any],
    progress: Callable[[int], None] | None,
    cfg: TransferConfig,
    upload_id: str | None,
    algorithm: str | None,
    existing: dict[int, Part],
    feed: Callable[[_Parts], Any],
) -> CompleteMultipartUploadResponse:
    create = {"Bucket": bucket, "Key": key, **_create_args(extra)}
    if algorithm is not None:
        create["ChecksumAlgorithm"] = algorithm
    mpu = ManagedUpload(
        client,
        create,
        verify=cfg.verify,
        cleanup_timeout=cfg.cleanup_timeout,
        upload_id=upload_id,
        on_failure=cfg.on_failure,
    )
    async with mpu:
        parts = _Parts(mpu, algorithm, progress, cfg.max_concurrency, existing)
        try:
            await feed(parts)
            await parts.finish()
        except BaseException:
            await parts.cancel()
            raise
        complete = {k: extra[k] for k in _COMPLETE_ONLY if k in extra}
        if (
            complete.get("ChecksumType") == "FULL_OBJECT"
            and algorithm in _CRC_POLY
            and "Checksum" + str(algorithm) not in complete
        ):
            complete["Checksum" + str(algorithm)] = parts.full_object()
        mpu._complete_extra = complete
    assert mpu.result is not None
    return mpu.result


async def _resume_state(
    client: S3Client, bucket: str, key: str, upload_id: str, extra: dict[str, Any]
) -> tuple[dict[int, Part], str | None, str | None]:
    """The parts already uploaded, and the upload's checksum algorithm and type."""
    args: dict[str, Any] = {"Bucket": bucket, "Key": key, "UploadId": upload_id}
    carried = ("RequestPayer", "ExpectedBucketOwner", *_SSE_C)
    for name in carried:
        if name in extra:
            args[name] = extra[name]
    existing: dict[int, Part] = {}
    algorithm = kind = None
    async for page in client.get_paginator("list_parts").paginate(**args):
        algorithm = algorithm or page.checksum_algorithm
        kind = kind or page.checksum_type
        for part in page.parts:
            existing[part.part_number] = part
    return existing, algorithm, kind


async def _upload_sized(
    client: S3Client,
    body: _Sized,
    bucket: str,
    key: str,
    extra: dict[str, Any],
    progress: Callable[[int], None] | None,
    cfg: TransferConfig,
    upload_id: str | None,
    algorithm: str | None,
) -> UploadResponse:
    size = body.size
    if upload_id is None and (size < cfg.multipart_threshold or size == 0):
        return await _put(
            client, body.read_at, body.start, size, bucket, key, extra, progress, algorithm
        )
    part_size = part_size_for(size, cfg.multipart_chunksize)
    count = max(1, -(-size // part_size))
    existing: dict[int, Part] = {}
    if upload_id is not None:
        existing, listed_algorithm, listed_type = await _resume_state(
            client, bucket, key, upload_id, extra
        )
        if listed_algorithm:  # the upload's own: its parts must carry that one
            algorithm = extra["ChecksumAlgorithm"] = listed_algorithm
        if listed_type:
            extra["ChecksumType"] = listed_type

    async def feed(parts: _Parts) -> None:
        for n in range(1, count + 1):
            start = (n - 1) * part_size
            length = min(part_size, size - start)
            if not await parts.slot():
                return
            parts.launch(n, body.read_at, body.start + start, length)

    return await _multipart(
        client, bucket, key, extra, progress, cfg, upload_id, algorithm, existing, feed
    )


async def _upload_stream(
    client: S3Client,
    source: object,
    bucket: str,
    key: str,
    extra: dict[str, Any],
    progress: Callable[[int], None] | None,
    cfg: TransferConfig,
    algorithm: str | None,
) -> UploadResponse:
    part_size = cfg.multipart_chunksize
    chunks: AsyncIterator[Any] = _chunks(source, part_size)
    ahead: list[bytes] = []
    held = 0
    ended = False
    try:
        while held < max(cfg.multipart_threshold, 1):  # read ahead up to the threshold
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                ended = True
                break
            ahead.append(bytes(chunk))
            held += len(chunk)
        if (ended and held < cfg.multipart_threshold) or held == 0:
            data = b"".join(ahead)
            ahead.clear()
            return await _put(
                client, _memory_reader(data), 0, len(data), bucket, key, extra, progress, algorithm
            )

        async def feed(parts: _Parts) -> None:
            number = 0

            async def next_part() -> bytes | None:
                if ahead:
                    return ahead.pop(0)
                if ended:
                    return None
                try:
                    return bytes(await chunks.__anext__())
                except StopAsyncIteration:
                    return None

            while True:
                if not await parts.slot():  # before reading: bounds the parts held
                    return
                try:
                    part = await next_part()
                except BaseException:
                    parts.slots.release()
                    raise
                if part is None:
                    parts.slots.release()
                    return
                number += 1
                if number > MAX_PARTS:
                    parts.slots.release()
                    raise ParamValidationError(
                        f"the body needs more than {MAX_PARTS} parts of {part_size} bytes: "
                        "its size was unknown, so the part size could not be raised; use a "
                        "larger TransferConfig(multipart_chunksize=...)"
                    )
                parts.launch(number, _memory_reader(part), 0, len(part))

        return await _multipart(
            client, bucket, key, extra, progress, cfg, None, algorithm, {}, feed
        )
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
