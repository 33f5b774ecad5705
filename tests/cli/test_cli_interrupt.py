"""Ctrl-C on `aios3 s3api` while a request is in flight: exit 130, no traceback, at once,
as `aws s3api` does (side by side when aws-cli is installed).

The server accepts the connection, reads the request and never answers: the command is
stalled in the middle of a call when SIGINT arrives."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_VENV_AWS = Path(sys.executable).with_name("aws")
AWS = str(_VENV_AWS) if _VENV_AWS.exists() else shutil.which("aws")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class StallServer:
    """Accepts connections, reads what comes, never answers. `received` is set once a
    request's bytes arrived."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self._conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                self.received.set()
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()
        for c in self._conns:
            c.close()


@pytest.fixture
def stall() -> Iterator[StallServer]:
    server = StallServer()
    try:
        yield server
    finally:
        server.close()


def _interrupted(cmd: list[str], server: StallServer) -> tuple[int, str, str, float]:
    """Run `cmd s3api list-parts ...` against the server, SIGINT once its request arrived;
    (exit code, stdout, stderr, seconds from SIGINT to exit)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=str(ROOT),
    )
    args = ["s3api", "list-parts", "--bucket", "b", "--key", "k", "--upload-id", "u"]
    endpoint = ["--endpoint-url", f"http://127.0.0.1:{server.port}", "--region", "us-east-1"]
    proc = subprocess.Popen(
        [*cmd, *args, *endpoint],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.received.wait(60), "the request never reached the server"
        time.sleep(0.2)  # well inside the read wait (60 s): the call is stalled there
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        return proc.returncode, out, err, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_during_a_stalled_call_exits_130_at_once(stall: StallServer) -> None:
    code, out, err, took = _interrupted([sys.executable, "-m", "aios3"], stall)
    assert code == 130, err
    assert "Traceback" not in err
    assert (out, err) == ("\n", "")  # aws-cli's: one newline, on stdout
    assert took < 10


@pytest.mark.skipif(AWS is None, reason="the aws command (awscli, the dev extra)")
def test_aws_cli_does_the_same(stall: StallServer) -> None:
    assert AWS is not None
    code, out, err, _ = _interrupted([AWS], stall)
    assert (code, out, err) == (130, "\n", "")
