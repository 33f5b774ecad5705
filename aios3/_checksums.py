"""Request checksums ("flexible checksums"), computed as botocore computes them.

botocore's `httpchecksum` module is the reference: the same algorithms, the same default
(CRC32) and the same choice between a header and an `aws-chunked` trailer. CRC32, SHA1,
SHA256 and SHA512 are pure Python (zlib, hashlib); CRC32C, CRC64NVME and the XXHASH family
need awscrt (the `aios3[crt]` extra). MD5 is never computed (botocore does not either): a
caller who wants it passes `ChecksumMD5` itself.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Protocol

from .errors import MissingDependencyError, ParamValidationError

__all__ = [
    "AWS_CHUNK",
    "CRT_ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "Hasher",
    "TrailerChecksum",
    "b64digest",
    "hasher_factory",
]

DEFAULT_ALGORITHM = "CRC32"
CRT_ALGORITHMS = frozenset({"CRC32C", "CRC64NVME", "XXHASH64", "XXHASH3", "XXHASH128"})
AWS_CHUNK = 1 << 20  # botocore's AwsChunkedWrapper reads 1 MiB per chunk
_CRT_XXHASH = "0.31.2"  # the first awscrt with checksums.XXHash (as botocore checks)


class Hasher(Protocol):
    """What every checksum object has (hashlib's shape)."""

    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...
    def digest(self) -> bytes: ...


class _Crc32:
    __slots__ = ("_crc",)

    def __init__(self) -> None:
        self._crc = 0

    def update(self, data: bytes | bytearray | memoryview, /) -> None:
        self._crc = zlib.crc32(data, self._crc)

    def digest(self) -> bytes:
        return self._crc.to_bytes(4, "big")


class _CrtCrc:
    __slots__ = ("_crc", "_fn", "_size")

    def __init__(self, fn: Callable[[bytes | bytearray | memoryview, int], int], size: int) -> None:
        self._fn = fn
        self._size = size
        self._crc = 0

    def update(self, data: bytes | bytearray | memoryview, /) -> None:
        self._crc = self._fn(data, self._crc)

    def digest(self) -> bytes:
        return self._crc.to_bytes(self._size, "big")


class _CrtXXHash:
    __slots__ = ("_h",)

    def __init__(self, h: object) -> None:
        self._h = h

    def update(self, data: bytes | bytearray | memoryview, /) -> None:
        # awscrt's xxhash takes read-only bytes only (not a memoryview or a bytearray)
        self._h.update(data if type(data) is bytes else bytes(data))  # type: ignore[attr-defined]

    def digest(self) -> bytes:
        return bytes(self._h.finalize())  # type: ignore[attr-defined]


def _sha1() -> Hasher:
    return hashlib.sha1(usedforsecurity=False)


_PURE: dict[str, Callable[[], Hasher]] = {
    "CRC32": _Crc32,
    "SHA1": _sha1,
    "SHA256": hashlib.sha256,
    "SHA512": hashlib.sha512,
}
_crt_cache: dict[str, Callable[[], Hasher]] = {}


def _crt_factory(algorithm: str) -> Callable[[], Hasher]:
    try:
        from awscrt import checksums

        from ._native import load

        load()  # awscrt's extension, if its loading was deferred (see aios3._native)
    except ImportError:
        raise MissingDependencyError(
            f"ChecksumAlgorithm={algorithm!r} needs awscrt to compute it: pip install "
            f"'aios3[crt]' (or pass Checksum{algorithm} yourself)"
        ) from None
    if algorithm == "CRC32C":
        crc32c = checksums.crc32c
        return lambda: _CrtCrc(crc32c, 4)
    if algorithm == "CRC64NVME":
        crc64 = getattr(checksums, "crc64nvme", None)
        if crc64 is None:
            raise MissingDependencyError(
                "ChecksumAlgorithm='CRC64NVME' needs awscrt 0.23.4 or newer: pip install "
                "--upgrade 'aios3[crt]'"
            )
        return lambda: _CrtCrc(crc64, 8)
    xxhash = getattr(checksums, "XXHash", None)
    if xxhash is None:
        raise MissingDependencyError(
            f"ChecksumAlgorithm={algorithm!r} needs awscrt {_CRT_XXHASH} or newer: pip "
            "install --upgrade 'aios3[crt]'"
        )
    new = {
        "XXHASH64": xxhash.new_xxhash64,
        "XXHASH3": xxhash.new_xxhash3_64,
        "XXHASH128": xxhash.new_xxhash3_128,
    }[algorithm]
    return lambda: _CrtXXHash(new())


def hasher_factory(algorithm: str) -> Callable[[], Hasher]:
    """A new-hasher callable for an algorithm botocore computes, else a typed error:
    `MissingDependencyError` for the awscrt ones without awscrt, `ParamValidationError`
    for MD5 (botocore: "Unsupported checksum algorithm")."""
    factory = _PURE.get(algorithm) or _crt_cache.get(algorithm)
    if factory is not None:
        return factory
    if algorithm not in CRT_ALGORITHMS:
        raise ParamValidationError(
            f"Unsupported checksum algorithm: {algorithm.lower()} (ChecksumAlgorithm="
            f"{algorithm!r}: aios3, like botocore, does not compute it; pass Checksum"
            f"{algorithm} with the value yourself)",
            [f"ChecksumAlgorithm: {algorithm!r} is not computed; pass Checksum{algorithm}"],
        )
    factory = _crt_cache[algorithm] = _crt_factory(algorithm)
    return factory


def b64digest(hasher: Hasher) -> str:
    """The base64 digest, as S3 wants checksums."""
    return base64.b64encode(hasher.digest()).decode("ascii")


class TrailerChecksum:
    """An `aws-chunked` body with the checksum in its trailer (botocore's
    `AwsChunkedWrapper`): each chunk as `<hex length>\\r\\n<data>\\r\\n`, then
    `0\\r\\n<header>:<base64 checksum>\\r\\n\\r\\n`. The checksum is computed while the
    body streams, so nothing is read twice or held in memory."""

    __slots__ = ("factory", "header")

    def __init__(self, factory: Callable[[], Hasher], header: str) -> None:
        self.factory = factory
        self.header = header

    def wrap(self, body: object) -> AsyncIterator[bytes]:
        """One attempt's encoded body, from bytes or an async iterable of bytes."""
        if isinstance(body, bytes | bytearray | memoryview):
            return self._encode(_slices(memoryview(body).cast("B")))
        return self._encode(body)  # type: ignore[arg-type]

    async def _encode(self, chunks: AsyncIterable[bytes | memoryview]) -> AsyncIterator[bytes]:
        hasher = self.factory()
        async for chunk in chunks:
            if not chunk:  # an empty chunk would end the body early
                continue
            hasher.update(chunk)
            yield b"".join((b"%x\r\n" % len(chunk), chunk, b"\r\n"))
        yield b"0\r\n%s:%s\r\n\r\n" % (self.header.encode("ascii"), b64digest(hasher).encode())


async def _slices(view: memoryview) -> AsyncIterator[memoryview]:
    for i in range(0, len(view), AWS_CHUNK):
        yield view[i : i + AWS_CHUNK]
