"""Shared fixtures: local S3 servers, bucket names, and a minimal SigV4 request helper.

Servers are session-scoped and bound to 127.0.0.1 on free ports:

* ``seaweed``: :class:`aios3.testing._servers.SeaweedFS` (the kit's launcher) (real SigV4 checking).
* ``moto_server``: in-process moto without signature checking.
* ``moto_auth``: moto in a subprocess with signature checking on. moto's auth switch is a
  process-global setting, so it must not run in the test process, where it would also apply to
  ``moto_server`` and to any ``mock_aws``.

* ``ceph``: :class:`tests._ceph.CephRGW`, Ceph RGW on a one-host memstore cluster (real SigV4
  checking). Its tests (``tests/ceph``, marker ``ceph``) run only with ``AIOS3_TEST_CEPH=1``,
  as stage 5 of ``.ci/run`` does: the packages need root and take 10 to 20 s to start, so the
  README's ``pytest`` does not need them and reports the tests as skipped.

A missing ``weed`` binary makes the ``seaweed`` fixture error (``LocalServerError`` with the
install hint), and so do missing Ceph binaries for ``ceph`` once ``AIOS3_TEST_CEPH=1`` asks
for it; nothing is skipped silently.

The helpers sign with botocore's ``S3SigV4Auth`` and send with aiohttp, so they do not depend
on aios3's own client.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol

import aiohttp
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDictProxy
from yarl import URL

from aios3.testing._servers import LocalServerError, MotoServer, SeaweedFS
from tests import _aioresponses_compat

if TYPE_CHECKING:
    from tests._ceph import CephRGW

_aioresponses_compat.install()

# aios3's pytest plugin (aios3_* fixtures) comes through its `pytest11` entry point when
# aios3 is installed (the wheel stage of .ci/run); from a checkout, load it here.
if not any(ep.value == "aios3.testing.pytest_plugin" for ep in entry_points(group="pytest11")):
    pytest_plugins = ["aios3.testing.pytest_plugin", "pytester", "tests._isolation"]
else:
    pytest_plugins = ["pytester", "tests._isolation"]

REGION = "us-east-1"


class S3Server(Protocol):
    """What the helpers need from a server fixture."""

    @property
    def endpoint_url(self) -> str: ...

    access_key: str
    secret_key: str


class S3Response:
    """A fully read response from :func:`signed_request`."""

    def __init__(self, status: int, headers: CIMultiDictProxy[str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<S3Response {self.status} {self.body[:200]!r}>"


async def signed_request(
    server: S3Server,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> S3Response:
    """Send a SigV4-signed path-style request (payload hash signed) and read the answer.

    ``path`` is the already-encoded path and query, e.g. ``/bucket/key?uploads``.
    ``access_key``/``secret_key`` override the server's credentials (to provoke errors).
    """
    url = server.endpoint_url + path
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    credentials = Credentials(access_key or server.access_key, secret_key or server.secret_key)
    S3SigV4Auth(credentials, "s3", REGION).add_auth(request)
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method,
            URL(url, encoded=True),
            data=body,
            headers=dict(request.headers.items()),
        ) as response,
    ):
        return S3Response(response.status, response.headers, await response.read())


def new_bucket_name() -> str:
    """A fresh DNS-compatible bucket name, ``aios3-test-<16 hex>``."""
    return f"aios3-test-{uuid.uuid4().hex[:16]}"


# --------------------------------------------------------------------------------------------
# Servers (session scope)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedFS]:
    """A started SeaweedFS S3 server with credentials ``access_key``/``secret_key``."""
    server = SeaweedFS()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """An in-process moto server that accepts any credentials (no signature checks)."""
    server = MotoServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_auth() -> Iterator[MotoServer]:
    """A moto server in a subprocess that enforces its ``access_key``/``secret_key``."""
    server = MotoServer(in_process=False)
    server.start()
    try:
        server.enable_auth()
        yield server
    finally:
        server.stop()


#: ``AIOS3_TEST_CEPH=1`` runs the Ceph tests (stage 5 of .ci/run); otherwise they are skipped.
CEPH_ENV = "AIOS3_TEST_CEPH"


def ceph_requested() -> bool:
    return os.environ.get(CEPH_ENV, "") == "1"


@pytest.fixture(scope="session")
def ceph() -> Iterator[CephRGW]:
    """A started Ceph RGW (mon + memstore OSD + radosgw) with ``access_key``/``secret_key``.

    Missing Ceph binaries are an error here, not a skip: the tests asked for Ceph.
    """
    from tests._ceph import CephRGW

    server = CephRGW()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------
# Per-test helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def unique_bucket_name() -> str:
    """A fresh DNS-compatible bucket name like ``aios3-test-1f2e3d4c5b6a7988``."""
    return new_bucket_name()


class SignedRequest(Protocol):
    def __call__(
        self,
        server: S3Server,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> Awaitable[S3Response]: ...


class MakeBucket(Protocol):
    def __call__(self, server: S3Server, name: str | None = None) -> Awaitable[str]: ...


@pytest.fixture
async def make_bucket() -> AsyncIterator[MakeBucket]:
    """``await make_bucket(server[, name])`` creates a bucket (signed PUT) and returns its name.

    At teardown the buckets it made are deleted, best effort (SeaweedFS deletes non-empty
    buckets too; moto only empty ones).
    """
    made: list[tuple[S3Server, str]] = []

    async def _make(server: S3Server, name: str | None = None) -> str:
        name = name or new_bucket_name()
        response = await signed_request(server, "PUT", f"/{name}")
        assert response.status == 200, f"CreateBucket {name} failed: {response}"
        made.append((server, name))
        return name

    yield _make

    for server, name in reversed(made):
        # The server may be gone already (a test's own instance): cleanup is best effort.
        with contextlib.suppress(aiohttp.ClientError, OSError, LocalServerError):
            await signed_request(server, "DELETE", f"/{name}")


@pytest.fixture
def s3_request() -> SignedRequest:
    """The :func:`signed_request` helper, for tests that need a raw signed request."""
    return signed_request


# --------------------------------------------------------------------------------------------
# Groups: each test is marked by the folder it lives in (unit, servers, faults, cli, ceph)
# --------------------------------------------------------------------------------------------

_GROUPS = ("unit", "servers", "faults", "cli", "ceph")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_ceph = pytest.mark.skip(
        reason=f"Ceph RGW tests: set {CEPH_ENV}=1 (after .ci/install-ceph) to run them"
    )
    for item in items:
        for group in _GROUPS:
            if f"/tests/{group}/" in item.path.as_posix():
                item.add_marker(group)
        if item.get_closest_marker("ceph") is not None and not ceph_requested():
            item.add_marker(skip_ceph)
