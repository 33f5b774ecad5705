"""A throwaway single-host Ceph cluster with an S3 gateway (RGW), for ``tests/ceph``.

:class:`CephRGW` starts one monitor, one memstore OSD and ``radosgw`` on 127.0.0.1, all in a
fresh temporary directory, creates an S3 user with known keys (``radosgw-admin user create``)
and waits until the gateway answers. ``stop()`` kills every daemon's process group and deletes
the directory.

This launcher lives in the test suite, not in ``aios3.testing``: it needs Debian's ``radosgw``,
``ceph-mon`` and ``ceph-osd`` packages (about 270 MB, installed as root with apt, see
``.ci/install-ceph``), runs on Linux only and takes 10 to 20 seconds to start. The public kit
promises servers that ``pip install 'aios3[testing]'`` brings; this one cannot be pip-installed.

Ceph 16 (Debian 12) has no SQLite ``dbstore`` backend, hence the monitor and the memstore OSD.
Everything is kept in the temporary directory: configuration, keyring, monitor store, admin
sockets, logs. Nothing is read from or written to ``/etc/ceph``, ``/var/lib/ceph`` or
``/var/log/ceph``. The OSD holds its data in memory (``memstore``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from aios3.testing._servers import (
    LocalServerError,
    _free_ports,
    _http_status,
    _read_tail,
    _running,
)

__all__ = ["BINARIES", "CephRGW", "missing_binaries"]

_HOST = "127.0.0.1"
_POLL_INTERVAL = 0.1
#: the binaries the cluster needs; ``.ci/install-ceph`` installs them
BINARIES = (
    "ceph-mon",
    "ceph-osd",
    "radosgw",
    "radosgw-admin",
    "ceph",
    "ceph-authtool",
    "monmaptool",
)
_INSTALL_HINT = (
    "install Debian's packages with `.ci/install-ceph` "
    "(apt-get install --no-install-recommends radosgw ceph-mon ceph-osd; needs root)"
)
_RGW_NAME = "client.rgw.aios3"
#: starts on new ports when a port was taken by another process in the meantime
_ATTEMPTS = 3


def missing_binaries() -> list[str]:
    """The Ceph binaries not found on ``$PATH``."""
    return [name for name in BINARIES if shutil.which(name) is None]


_CONF = """\
[global]
fsid = {fsid}
mon host = [v2:{host}:{mon_port}]
public addr = {host}
cluster addr = {host}
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# one OSD: one copy of everything, few placement groups, no autoscaler (there is no mgr)
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# the monitor shuts itself down when its disk is nearly full; its store is tiny here
mon data avail warn = 1
mon data avail crit = 0
osd objectstore = memstore
memstore device bytes = {memstore_bytes}
# every path inside the temporary directory
run dir = {tmp}/run
admin socket = {tmp}/run/$cluster-$name.asok
pid file =
log file = {tmp}/log/$cluster-$name.log
mon cluster log file = {tmp}/log/$cluster.log
crash dir = {tmp}/crash
mon data = {tmp}/mon/$cluster-$id
osd data = {tmp}/osd/$cluster-$id
keyring = {tmp}/keyring

[{rgw_name}]
rgw data = {tmp}/rgw
rgw dns name = localhost
# without these radosgw retries its monitor session with error -13 for 300 s
ms mon client mode = crc secure
ms client mode = crc secure
"""


class CephRGW:
    """One Ceph monitor, one memstore OSD and ``radosgw`` on 127.0.0.1, for tests.

    The monitor and the gateway listen on free loopback ports picked for this instance (the
    OSD takes free ports of Ceph's own range, 6800 to 7300). The S3 user ``aios3`` has the keys
    :attr:`access_key` and :attr:`secret_key`; SigV4 signatures are checked. Its DNS name is
    ``localhost``, for virtual-hosted addressing (``{bucket}.localhost``).

    Args:
        access_key: Access key of the S3 user.
        secret_key: Its secret key.
        memstore_bytes: Capacity of the in-memory OSD.
    """

    region = "us-east-1"

    def __init__(
        self,
        access_key: str = "AIOS3CEPHTESTKEY0001",
        secret_key: str = "aios3-ceph-test-secret",
        *,
        memstore_bytes: int = 1 << 30,
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.memstore_bytes = memstore_bytes
        self.ports: dict[str, int] = {}
        self.version: str | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._tmpdir: Path | None = None
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the gateway (after :meth:`start`)."""
        if "rgw" not in self.ports:
            raise LocalServerError("Ceph RGW is not started")
        return f"http://{_HOST}:{self.ports['rgw']}"

    @property
    def temp_dir(self) -> Path | None:
        """The instance's temporary directory (None when not started)."""
        return self._tmpdir

    @property
    def pids(self) -> dict[str, int]:
        """Process ids of the daemons started so far, by name (``mon``, ``osd``, ``rgw``)."""
        return {name: proc.pid for name, proc in self._procs.items()}

    @property
    def running(self) -> bool:
        """Whether all three daemons are alive."""
        return len(self._procs) == 3 and all(p.poll() is None for p in self._procs.values())

    def log_tails(self, chars: int = 2000) -> str:
        """The end of every daemon's log, for error messages."""
        if self._tmpdir is None:
            return "(no logs)"
        parts = []
        for path in sorted((self._tmpdir / "log").glob("*")):
            parts.append(f"--- {path.name}\n{_read_tail(path, chars)}")
        return "\n".join(parts) or "(no logs)"

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Create and start the cluster, create the S3 user, and wait until RGW answers.

        Raises:
            LocalServerError: a binary is missing, a daemon exited early, or the gateway was not
                ready within ``timeout`` seconds (the message ends with the logs' tails).
        """
        with self._lock:
            if self._procs:
                raise LocalServerError("Ceph RGW is already started")
            missing = missing_binaries()
            if missing:
                raise LocalServerError(f"Ceph binaries not found: {missing}; {_INSTALL_HINT}")
            deadline = time.monotonic() + timeout
            for attempt in range(_ATTEMPTS):
                try:
                    self._start(deadline)
                    return
                except LocalServerError:
                    # Another process took the monitor's or the gateway's port between
                    # _free_ports() and the daemon's bind: start again on new ports.
                    taken = self._port_taken()
                    self._cleanup()
                    if not taken or attempt == _ATTEMPTS - 1:
                        raise
                except BaseException:
                    self._cleanup()
                    raise

    def _start(self, deadline: float) -> None:
        self._tmpdir = tmp = Path(tempfile.mkdtemp(prefix="aios3-ceph-"))
        for sub in ("run", "log", "crash", "mon", "osd/ceph-0", "rgw"):
            (tmp / sub).mkdir(parents=True)
        mon_port, rgw_port = _free_ports(2)
        self.ports = {"mon": mon_port, "rgw": rgw_port}
        fsid = str(uuid.uuid4())
        conf = tmp / "ceph.conf"
        conf.write_text(
            _CONF.format(
                fsid=fsid,
                host=_HOST,
                mon_port=mon_port,
                tmp=tmp,
                memstore_bytes=self.memstore_bytes,
                rgw_name=_RGW_NAME,
            ),
            encoding="utf-8",
        )
        c = ["-c", str(conf)]

        # monitor
        keyring = tmp / "keyring"
        self._run(
            [
                "ceph-authtool",
                "--create-keyring",
                str(keyring),
                "--gen-key",
                "-n",
                "mon.",
                "--cap",
                "mon",
                "allow *",
            ],
            deadline,
        )
        monmap = tmp / "monmap"
        self._run(
            [
                "monmaptool",
                "--create",
                "--add",
                "a",
                f"v2:{_HOST}:{mon_port}",
                "--fsid",
                fsid,
                str(monmap),
            ],
            deadline,
        )
        self._run(
            [
                "ceph-mon",
                *c,
                "--mkfs",
                "-i",
                "a",
                "--monmap",
                str(monmap),
                "--keyring",
                str(keyring),
            ],
            deadline,
        )
        self._spawn("mon", ["ceph-mon", *c, "-f", "-i", "a"])

        # OSD (the ceph command waits for the monitor)
        osd_id = self._run(["ceph", *c, "--connect-timeout", "30", "osd", "create"], deadline)
        if osd_id.strip() != "0":
            raise LocalServerError(f"`ceph osd create` gave id {osd_id!r}, expected 0")
        self._run(["ceph-osd", *c, "-i", "0", "--mkfs"], deadline)
        self._spawn("osd", ["ceph-osd", *c, "-f", "-i", "0"])
        self._wait(deadline, "the OSD to be up", lambda: self._osd_up(c, deadline))

        # gateway
        self._spawn(
            "rgw",
            [
                "radosgw",
                *c,
                "-f",
                "-n",
                _RGW_NAME,
                f"--rgw-frontends=beast endpoint={_HOST}:{rgw_port}",
            ],
        )
        self._wait(
            deadline,
            f"GET / on port {rgw_port} to answer 200",
            lambda: _http_status(rgw_port, "/") == 200,
        )
        self._run(
            [
                "radosgw-admin",
                *c,
                "user",
                "create",
                "--uid=aios3",
                "--display-name=aios3",
                f"--access-key={self.access_key}",
                f"--secret={self.secret_key}",
            ],
            deadline,
        )
        self.version = self._run(["radosgw", "--version"], deadline).strip()
        _running.add(self)

    def _port_taken(self) -> bool:
        """Whether a daemon could not bind its port: its exit code or its log says so."""
        # radosgw exits with EADDRINUSE before it logs anything, or aborts after logging it.
        if any(proc.poll() == errno.EADDRINUSE for proc in self._procs.values()):
            return True
        if self._tmpdir is None:
            return False
        return any(
            "address already in use" in _read_tail(path, 20_000).lower()
            for path in (self._tmpdir / "log").glob("*")
        )

    def _osd_up(self, c: list[str], deadline: float) -> bool:
        out = self._run(
            ["ceph", *c, "--connect-timeout", "10", "osd", "stat", "-f", "json"], deadline
        )
        return int(json.loads(out).get("num_up_osds", 0)) >= 1

    def _run(self, args: list[str], deadline: float) -> str:
        """Run a Ceph command to its end; its stdout. Fails with the logs on error."""
        left = max(1.0, deadline - time.monotonic())
        try:
            done = subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=left,
                cwd=self._tmpdir,
                env=self._env(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LocalServerError(
                f"`{' '.join(args[:3])} ...` did not finish in {left:.0f} s\n{self.log_tails()}"
            ) from exc
        if done.returncode != 0:
            raise LocalServerError(
                f"`{' '.join(args)}` exited with {done.returncode}:\n"
                f"{done.stderr.decode(errors='replace')[-2000:]}\n{self.log_tails()}"
            )
        return done.stdout.decode(errors="replace")

    def _spawn(self, name: str, args: list[str]) -> None:
        assert self._tmpdir is not None
        with (self._tmpdir / "log" / f"{name}.out").open("wb") as out:
            self._procs[name] = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self._tmpdir,
                env=self._env(),
                start_new_session=True,  # its own process group, killed as a whole by stop()
            )
        _running.add(self)

    def _wait(self, deadline: float, what: str, ready: Callable[[], bool]) -> None:
        while True:
            for name, proc in self._procs.items():
                code = proc.poll()
                if code is not None:
                    raise LocalServerError(
                        f"ceph {name} exited with code {code} while waiting for {what}:\n"
                        f"{self.log_tails()}"
                    )
            if ready():
                return
            if time.monotonic() >= deadline:
                raise LocalServerError(f"timed out waiting for {what}:\n{self.log_tails()}")
            time.sleep(_POLL_INTERVAL)

    @staticmethod
    def _env() -> dict[str, str]:
        # CEPH_* variables (CEPH_CONF, CEPH_ARGS, ...) of the caller must not change the cluster.
        return {k: v for k, v in os.environ.items() if not k.startswith(("CEPH_", "AWS_"))}

    def _cleanup(self) -> None:
        for proc in self._procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self._procs.values():
            proc.wait()
        self._procs.clear()
        _running.discard(self)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self.ports = {}

    def stop(self) -> None:
        """Kill the daemons' process groups (SIGKILL), wait for them, delete the temp dir.

        Safe to call more than once, and on an instance that never started.
        """
        with self._lock:
            self._cleanup()

    def __enter__(self) -> CephRGW:
        if not self._procs:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.endpoint_url if "rgw" in self.ports else "stopped"
        return f"<CephRGW {state}>"
