"""aiohttp's import-time TLS contexts read the system CA store on their first handshake,
not while aios3 imports (`aios3._tls`); what they verify against does not change."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
import threading
from pathlib import Path

import pytest

from aios3 import _tls
from tests.faults._server import TLSServer, certificates

pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning" if sys.version_info < (3, 11) else "error"
)

ROOT = Path(__file__).resolve().parents[2]

# a fresh process: the default verify paths are the environment's SSL_CERT_FILE
CLIENT = """
import asyncio, json, sys
import aios3
from aiohttp import connector

context = connector._SSL_CONTEXT_VERIFIED
read_at_import = "_wrap_bio" not in vars(context)

async def main():
    async with aios3.S3Client(
        endpoint_url=sys.argv[1], region_name="us-east-1",
        aws_access_key_id="AKIDSTORE", aws_secret_access_key="store-secret",
    ) as s3:
        try:
            r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        except aios3.TransportError as exc:
            return type(exc).__name__
        return r.response_metadata.http_status_code

result = asyncio.run(main())
print(json.dumps({
    "read_at_import": read_at_import,
    "result": result,
    "read_after": "_wrap_bio" not in vars(context),
    "ssl_left_alone": "set_default_verify_paths" not in vars(__import__("ssl").SSLContext),
}))
"""


async def _client(url: str, cert_file: Path, cert_dir: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSL_CERT"))}
    env.update(PYTHONPATH=str(ROOT), SSL_CERT_FILE=str(cert_file), SSL_CERT_DIR=str(cert_dir))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CLIENT,
        url,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return json.loads(out.decode().splitlines()[-1])  # type: ignore[no-any-return]


async def test_the_store_is_read_on_the_first_handshake(tmp_path: Path) -> None:
    ca, cert, key = certificates(tmp_path)
    empty = tmp_path / "no-certs"
    empty.mkdir()
    async with TLSServer(cert, key) as tls:
        seen = await _client(tls.url, ca, empty)
    assert seen == {
        "read_at_import": False,
        "result": 204,  # verified against SSL_CERT_FILE's CA, read at the handshake
        "read_after": True,
        "ssl_left_alone": True,
    }


async def test_a_server_the_store_does_not_trust_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "other").mkdir()
    _, cert, key = certificates(tmp_path / "server")
    other_ca, _, _ = certificates(tmp_path / "other")
    empty = tmp_path / "no-certs"
    empty.mkdir()
    async with TLSServer(cert, key) as tls:
        seen = await _client(tls.url, other_ca, empty)
        assert tls.connections >= 1
    assert seen["result"] == "SSLCertVerificationError"


def test_a_context_made_in_the_window_reads_the_store_on_first_use() -> None:
    with _tls.ca_store_on_first_use():
        context = ssl.create_default_context()
        assert "set_default_verify_paths" in vars(ssl.SSLContext)
    assert "set_default_verify_paths" not in vars(ssl.SSLContext)
    assert type(context) is ssl.SSLContext
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert "_wrap_bio" in vars(context)
    stats = context.cert_store_stats()  # a look at the store reads it first
    assert stats == ssl.create_default_context().cert_store_stats()
    assert not {"_wrap_bio", "_wrap_socket", "get_ca_certs", "cert_store_stats"} & set(
        vars(context)
    )


def test_a_method_replaced_by_someone_else_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def replaced(self: ssl.SSLContext) -> None:
        pass

    monkeypatch.setattr(ssl.SSLContext, "set_default_verify_paths", replaced, raising=False)
    with _tls.ca_store_on_first_use():
        assert vars(ssl.SSLContext)["set_default_verify_paths"] is replaced
    assert vars(ssl.SSLContext)["set_default_verify_paths"] is replaced


def test_the_store_is_read_after_ssl_sslcontext_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # truststore's inject_into_ssl() replaces ssl.SSLContext after aios3 was imported: the
    # first handshake raised TypeError (super() of a class the context is not an instance of)
    with _tls.ca_store_on_first_use():
        context = ssl.create_default_context()
    expected = ssl.create_default_context().cert_store_stats()

    class Injected(ssl.SSLContext):
        pass

    monkeypatch.setattr(ssl, "SSLContext", Injected)
    assert context.cert_store_stats() == expected
    assert "_wrap_bio" not in vars(context)


def test_a_context_another_thread_makes_in_the_window_reads_the_store_at_once() -> None:
    # another thread's context may handshake before the window closes: it is not deferred
    made: list[ssl.SSLContext] = []
    with _tls.ca_store_on_first_use():
        thread = threading.Thread(target=lambda: made.append(ssl.create_default_context()))
        thread.start()
        thread.join()
        (context,) = made
        assert "_wrap_bio" not in vars(context)
        stats = context.cert_store_stats()
    assert stats == ssl.create_default_context().cert_store_stats()
