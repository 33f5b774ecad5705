"""`local_s3_server()`: a throwaway S3 server on 127.0.0.1, moto's or SeaweedFS."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from ..errors import MissingDependencyError

__all__ = ["ClientKwargs", "LocalS3", "ServerKind", "local_s3_server", "missing_testing_extra"]

ServerKind = Literal["moto", "seaweedfs"]
"""`"moto"`: moto's server in this process (fast; any credentials accepted). It shares moto's
global state with any `mock_aws` of the process, and a `mock_aws` start resets it.
`"seaweedfs"`: SeaweedFS's `weed` in a subprocess (checks SigV4 signatures)."""

INSTALL_HINT = "pip install 'aios3[testing]'"


class ClientKwargs(TypedDict):
    """`S3Client(**server.client_kwargs())`: where the server is and how to sign for it."""

    endpoint_url: str
    region_name: str
    aws_access_key_id: str
    aws_secret_access_key: str


def missing_testing_extra(kind: ServerKind) -> str | None:
    """One line naming what to install to run a `kind` server, or None if all is there."""
    if kind == "moto":
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
            return f"moto's server is not installed: {INSTALL_HINT}"
        return None
    if kind == "seaweedfs":
        from ._servers import LocalServerError, find_weed

        try:
            find_weed()
        except LocalServerError:
            return f"SeaweedFS (the `weed` binary) is not installed: {INSTALL_HINT}"
        return None
    raise ValueError(f"unknown server kind {kind!r}: use 'moto' or 'seaweedfs'")


@dataclass
class LocalS3:
    """A started local S3 server: where it listens and the credentials it accepts.

    Attributes:
        kind: `"moto"` or `"seaweedfs"`.
        endpoint_url: `http://127.0.0.1:PORT`.
        access_key: an access key id the server accepts.
        secret_key: its secret key (left out of the repr).
        region_name: the region to sign for (`us-east-1`).
    """

    kind: ServerKind
    endpoint_url: str
    access_key: str
    secret_key: str = field(repr=False)
    region_name: str = "us-east-1"
    _buckets: list[str] = field(default_factory=list, repr=False)

    def client_kwargs(self) -> ClientKwargs:
        """The `S3Client` arguments for this server: `S3Client(**server.client_kwargs())`."""
        return {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region_name,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
        }

    async def create_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh `aios3-test-<hex>` name by default) and return its name.

        The buckets made here are deleted when the server context exits (best effort).
        """
        from .._client import S3Client

        name = name or f"aios3-test-{uuid.uuid4().hex[:16]}"
        async with S3Client(**self.client_kwargs()) as s3:
            await s3.create_bucket(Bucket=name)
        self._buckets.append(name)
        return name

    async def delete_bucket(self, name: str) -> None:
        """Delete a bucket after aborting the uploads left in it, best effort (moto keeps a
        bucket that still holds objects)."""
        from .._client import S3Client
        from ..errors import Aios3Error

        with contextlib.suppress(Aios3Error, OSError):
            async with S3Client(**self.client_kwargs()) as s3:
                async for upload in s3.iter_multipart_uploads(Bucket=name):
                    await s3.abort_multipart_upload(
                        Bucket=name, Key=upload.key, UploadId=upload.upload_id
                    )
                await s3.delete_bucket(Bucket=name)
        with contextlib.suppress(ValueError):
            self._buckets.remove(name)


@contextlib.asynccontextmanager
async def local_s3_server(kind: ServerKind = "moto") -> AsyncIterator[LocalS3]:
    """Start a local S3 server for the block, and stop it after.

    ```python
    async with local_s3_server("seaweedfs") as server:
        bucket = await server.create_bucket()
        async with S3Client(**server.client_kwargs()) as s3:
            await s3.create_multipart_upload(Bucket=bucket, Key="k")
    ```

    Needs the `testing` extra (`pip install 'aios3[testing]'`): moto's server, and the
    SeaweedFS binary. Starting takes well under a second for moto, about one for SeaweedFS.

    Raises:
        MissingDependencyError: the server is not installed (the message says what to
            install).
    """
    hint = missing_testing_extra(kind)
    if hint is not None:
        raise MissingDependencyError(hint)
    from ._servers import MotoServer, SeaweedFS

    server = MotoServer() if kind == "moto" else SeaweedFS()
    await asyncio.to_thread(server.start)
    try:
        local = LocalS3(kind, server.endpoint_url, server.access_key, server.secret_key)
        try:
            yield local
        finally:
            for name in reversed(local._buckets):
                with contextlib.suppress(Exception):
                    await local.delete_bucket(name)
    finally:
        await asyncio.to_thread(server.stop)
