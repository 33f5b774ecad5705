"""The Ceph RGW launcher without Ceph: missing binaries are a clear error, not a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aios3.testing._servers import LocalServerError
from tests._ceph import BINARIES, CephRGW, missing_binaries

ROOT = Path(__file__).resolve().parents[2]


def test_missing_binaries_raise_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_binaries() == list(BINARIES)
    server = CephRGW()
    with pytest.raises(LocalServerError, match=r"\.ci/install-ceph") as info:
        server.start()
    assert "radosgw" in str(info.value)
    assert server.temp_dir is None
    assert repr(server) == "<CephRGW stopped>"
    with pytest.raises(LocalServerError, match="not started"):
        _ = server.endpoint_url
    server.stop()


def _run_ceph_tests(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/ceph"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ceph_tests_are_skipped_unless_asked_for(tmp_path) -> None:
    """The README's ``pytest`` does not need Ceph: without AIOS3_TEST_CEPH=1 the tests skip."""
    env = {k: v for k, v in os.environ.items() if k != "AIOS3_TEST_CEPH"}
    env["PATH"] = str(tmp_path)  # no Ceph binaries
    done = _run_ceph_tests(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AIOS3_TEST_CEPH=1" in done.stdout
    assert " skipped" in done.stdout and " passed" not in done.stdout


def test_asked_for_ceph_without_its_binaries_fails(tmp_path) -> None:
    """With AIOS3_TEST_CEPH=1 (the CI stage) missing Ceph is an error, not a skip."""
    env = dict(os.environ, AIOS3_TEST_CEPH="1", PATH=str(tmp_path))
    done = _run_ceph_tests(env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "LocalServerError" in done.stdout and ".ci/install-ceph" in done.stdout
    assert " skipped" not in done.stdout
