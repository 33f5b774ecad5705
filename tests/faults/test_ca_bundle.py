"""A CA bundle (`Config(verify=PATH)` or `AWS_CA_BUNDLE`) is loaded on the first https
request, once per process and file: a client that talks only http never loads it, and a
second client reuses the first one's context."""

from __future__ import annotations

import gc
import ssl
import sys
from pathlib import Path
from typing import Any

import pytest

import aios3
from aios3 import _transport
from aios3.errors import ParamValidationError
from tests.faults._server import Answer, FaultServer, TLSServer, certificates

# Python 3.10's asyncio closes an SSL transport a loop turn late (3.11's new SSL protocol
# does not): on 3.10 only, its ResourceWarning is tolerated, and each test collects its
# garbage before it ends so that nothing it left warns inside a later test
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning" if sys.version_info < (3, 11) else "error"
)

CREDS = {"aws_access_key_id": "AKIDCABUNDLE", "aws_secret_access_key": "ca-bundle-secret"}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CA bundles loaded from now on (the process-wide cache emptied first)."""
    seen: list[str] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        if kwargs.get("cafile"):
            seen.append(str(kwargs["cafile"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(_transport, "_CA_CONTEXTS", {})
    monkeypatch.setattr(ssl, "create_default_context", counting)
    return seen


async def test_the_bundle_is_loaded_once_on_the_first_https_request(
    tmp_path: Path, loads: list[str]
) -> None:
    ca, cert, key = certificates(tmp_path)
    async with TLSServer(cert, key) as tls:
        config = aios3.Config(verify=str(ca))
        for _ in range(2):  # two clients, one after the other
            async with aios3.S3Client(
                endpoint_url=tls.url, region_name="us-east-1", config=config, **CREDS
            ) as s3:
                assert loads == [] or loads == [str(ca)]
                for _ in range(2):
                    r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
                    assert r.response_metadata.http_status_code == 204
    assert loads == [str(ca)]
    gc.collect()


async def test_a_client_that_talks_http_never_loads_it(tmp_path: Path, loads: list[str]) -> None:
    ca, _, _ = certificates(tmp_path)
    async with (
        FaultServer([Answer(204)]) as srv,
        aios3.S3Client(
            endpoint_url=srv.url,
            region_name="us-east-1",
            config=aios3.Config(verify=str(ca)),
            **CREDS,
        ) as s3,
    ):
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        assert r.response_metadata.http_status_code == 204
    assert loads == []


async def test_a_bundle_that_is_not_pem_is_refused_before_the_first_https_request(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "not-a-bundle.pem"
    bad.write_text("not a certificate\n")
    _, cert, key = certificates(tmp_path)
    async with TLSServer(cert, key) as tls:
        async with aios3.S3Client(
            endpoint_url=tls.url,
            region_name="us-east-1",
            config=aios3.Config(verify=str(bad)),
            **CREDS,
        ) as s3:
            with pytest.raises(ParamValidationError, match=r"verify: .*could not be loaded"):
                await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        assert tls.connections == 0  # refused before connecting
    gc.collect()


def test_a_rotated_bundle_replaces_its_context_instead_of_adding_one(
    tmp_path: Path, loads: list[str]
) -> None:
    # a bundle that cert tooling rewrites every hour held one SSLContext (the whole parsed
    # store) per version for the life of the process
    ca, _, _ = certificates(tmp_path)
    pem = ca.read_bytes()
    for n in range(5):
        ca.write_bytes(pem + b"\n" * n)  # a new size, and so a new version of the file
        _transport.ca_bundle_context(str(ca))
    assert len(loads) == 5  # each version loaded once
    assert len(_transport._CA_CONTEXTS) == 1
    before = _transport.ca_bundle_context(str(ca))
    assert _transport.ca_bundle_context(str(ca)) is before and len(loads) == 5
