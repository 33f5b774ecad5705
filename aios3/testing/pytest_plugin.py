"""aios3's pytest plugin: local S3 servers as fixtures.

Registered through the `pytest11` entry point, so it loads in every pytest run of an
environment where aios3 is installed. It imports nothing heavy when it loads (no moto, no
server); its fixtures are named `aios3_*`:

* `aios3_s3_server` (session): a started [`LocalS3`][aios3.testing.LocalS3]: moto's
  server by default; `--aios3-server=seaweedfs` (or the ini option `aios3_server`) for
  SeaweedFS.
* `aios3_bucket`: a fresh bucket on it, deleted after the test, pass or fail, once its
  uploads in progress are aborted (a bucket that still holds objects stays until the
  server stops).
* `aios3_client`: an `S3Client` for it (async: needs pytest-asyncio).

Without the `testing` extra, a test that uses them fails with one line saying what to
install: `pip install 'aios3[testing]'`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, cast

import pytest

if TYPE_CHECKING:
    from .._client import S3Client
    from ._local import LocalS3, ServerKind

__all__ = ["aios3_bucket", "aios3_client", "aios3_s3_server"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aios3", "aios3 local S3 servers")
    group.addoption(
        "--aios3-server",
        choices=("moto", "seaweedfs"),
        default=None,
        help="the server behind the aios3_s3_server fixture (default: moto)",
    )
    parser.addini("aios3_server", "the server behind aios3_s3_server: moto or seaweedfs", "string")


def _kind(config: pytest.Config) -> ServerKind:
    value = config.getoption("--aios3-server") or config.getini("aios3_server") or "moto"
    if value not in ("moto", "seaweedfs"):
        raise pytest.UsageError(f"aios3_server: {value!r} is not moto or seaweedfs")
    return cast("ServerKind", value)


@pytest.fixture(scope="session")
def aios3_s3_server(pytestconfig: pytest.Config) -> Iterator[LocalS3]:
    """A local S3 server for the whole session (see `aios3.testing.local_s3_server`)."""
    from ._local import local_s3_server, missing_testing_extra

    kind = _kind(pytestconfig)
    hint = missing_testing_extra(kind)
    if hint is not None:
        pytest.fail(f"aios3_s3_server: {hint}", pytrace=False)
    # the server outlives every test's event loop: run its context in a loop of its own
    loop = asyncio.new_event_loop()
    context = local_s3_server(kind)
    try:
        server = loop.run_until_complete(context.__aenter__())
        try:
            yield server
        finally:
            loop.run_until_complete(context.__aexit__(None, None, None))
    finally:
        loop.close()


@pytest.fixture
def aios3_bucket(aios3_s3_server: LocalS3) -> Iterator[str]:
    """The name of a fresh, empty bucket on `aios3_s3_server`, deleted after the test
    (after its uploads in progress are aborted; one that still holds objects stays)."""
    loop = asyncio.new_event_loop()
    try:
        name = loop.run_until_complete(aios3_s3_server.create_bucket())
        try:
            yield name
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(aios3_s3_server.delete_bucket(name))
    finally:
        loop.close()


async def _client(aios3_s3_server: LocalS3) -> AsyncIterator[S3Client]:
    """An `S3Client` for `aios3_s3_server`, closed after the test."""
    from .._client import S3Client

    async with S3Client(**aios3_s3_server.client_kwargs()) as client:
        yield client


def _no_client() -> S3Client:
    """An `S3Client` for `aios3_s3_server` (an async fixture: needs pytest-asyncio).

    It fails at once, without starting a server first."""
    pytest.fail("aios3_client is an async fixture: pip install pytest-asyncio", pytrace=False)


def _client_fixture() -> object:
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - the fixture says what to install
        return pytest.fixture(_no_client, name="aios3_client")
    return pytest_asyncio.fixture(_client, name="aios3_client")


aios3_client = _client_fixture()
