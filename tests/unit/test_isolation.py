"""The suite is isolated from the developer's environment (``tests/_isolation.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import aios3
from tests._isolation import is_foreign

ROOT = Path(__file__).resolve().parents[2]

#: a hostile shell: each of these changed the outcome of tests before the isolation plugin
HOSTILE = {
    "AWS_USE_DUALSTACK_ENDPOINT": "true",
    "AWS_USE_FIPS_ENDPOINT": "true",
    "AWS_REGION": "eu-west-3",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_PROFILE": "nope",
    "AWS_MAX_ATTEMPTS": "9",
    "AWS_ACCESS_KEY_ID": "AKFROMTHESHELL",
    "AWS_SECRET_ACCESS_KEY": "from-the-shell",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
}

#: a test that sends a request to an in-process fake and pins the URL and headers
PROBE = "tests/unit/test_wire.py::test_abort_pins_every_header_and_parses_request_charged"


def test_no_aws_or_proxy_variable_reaches_a_test() -> None:
    leaked = sorted(n for n in os.environ if is_foreign(n))
    assert leaked == ["AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_SHARED_CREDENTIALS_FILE"]
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        assert Path(os.environ[name]).read_text() == ""


async def test_default_client_sees_botocores_defaults_only() -> None:
    async with aios3.S3Client() as s3:
        ep = await s3.resolve_endpoint("bkt")
    assert s3.region_name == "us-east-1"
    assert ep.url == "https://bkt.s3.amazonaws.com"


def test_a_variable_set_by_one_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-south-1")  # what tests/unit/test_config.py does
    assert os.environ["AWS_REGION"] == "ap-south-1"


def test_is_gone_in_the_next() -> None:
    assert "AWS_REGION" not in os.environ


def _run_probe(*extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **HOSTILE}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_hostile_shell_changes_nothing() -> None:
    isolated = _run_probe()
    assert isolated.returncode == 0, isolated.stdout + isolated.stderr
    # the control: without the plugin the same shell breaks the same test
    exposed = _run_probe("-p", "no:tests._isolation")
    assert exposed.returncode == 1, exposed.stdout + exposed.stderr
