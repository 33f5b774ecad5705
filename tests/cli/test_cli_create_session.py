"""`aios3 s3api create-session` side by side with `aws s3api create-session`, against a fake
that answers with the wire answer of AWS's API reference (CreateSession, "Response
Syntax"): no local server implements CreateSession (moto 5 answers `GET /bucket?session`
with a ListObjects listing; SeaweedFS has no directory buckets).

Both print the session's credentials, the secret key and the token included: the user
asked for them on their terminal, and aws-cli prints them."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._capture import Captured, CaptureServer, Reply

ROOT = Path(__file__).resolve().parents[2]
_VENV_AWS = Path(sys.executable).with_name("aws")
AWS = str(_VENV_AWS) if _VENV_AWS.exists() else shutil.which("aws")

BUCKET = "my-bucket--usw2-az1--x-s3"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEHcaCXVzLXdlc3QtMiJHMEUCIQ-EXAMPLE-session-token=="
# AWS's documented answer: the SSE headers, then CreateSessionResult/Credentials
ANSWER = Reply(
    200,
    {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-west-2:111122223333:key/k1",
        "x-amz-server-side-encryption-bucket-key-enabled": "true",
        "Content-Type": "application/xml",
    },
    (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        "<Credentials>"
        "<AccessKeyId>ASIAEXAMPLESESSION01</AccessKeyId>"
        "<Expiration>2026-12-02T10:05:00Z</Expiration>"
        f"<SecretAccessKey>{SECRET}</SecretAccessKey>"
        f"<SessionToken>{TOKEN}</SessionToken>"
        "</Credentials>"
        "</CreateSessionResult>"
    ).encode(),
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDLONGTERM",
        AWS_SECRET_ACCESS_KEY="long-term-secret",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=str(ROOT),
    )
    return env


async def _run(cmd: list[str], url: str, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [*cmd, "s3api", "create-session", "--bucket", BUCKET, *args]
    return await asyncio.to_thread(
        subprocess.run,
        [*argv, "--endpoint-url", url, "--region", "us-west-2"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )


def _answer(c: Captured) -> Reply:
    return ANSWER if c.target.endswith("?session") else Reply(400)


@pytest.mark.parametrize("output", ["json", "text", "table"])
async def test_create_session_prints_what_aws_prints(output: str) -> None:
    if AWS is None:
        pytest.skip("the aws command (awscli, the dev extra) is not installed")
    async with CaptureServer(_answer) as srv:
        mine = await _run([sys.executable, "-m", "aios3"], srv.url, "--output", output)
        theirs = await _run([AWS], srv.url, "--output", output)
    assert mine.returncode == theirs.returncode == 0, (mine.stderr, theirs.stderr)
    assert "Traceback" not in mine.stderr
    # aws-cli version 1 prints the server's timestamp text; version 2 (and aios3) ISO 8601
    ours = "2026-12-02T10:05:00+00:00"
    v1 = "2026-12-02T10:05:00Z" + (" " * 5 if output == "table" else "")  # (table padding)
    assert mine.stdout.replace(ours, v1) == theirs.stdout
    assert SECRET in mine.stdout and TOKEN in mine.stdout  # shown, as aws-cli shows them
    # the same request: GET /bucket?session, SigV4 for s3express with the long-term keys
    mine_req, theirs_req = srv.requests
    assert mine_req.request_line == theirs_req.request_line
    assert mine_req.request_line.startswith(f"GET /{BUCKET}?session HTTP/1.1")
    for req in (mine_req, theirs_req):
        assert "/us-west-2/s3express/aws4_request" in req.headers["authorization"]
        assert req.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDLONGTERM/")


async def test_session_mode_and_sse_go_on_the_wire_as_aws_sends_them() -> None:
    if AWS is None:
        pytest.skip("the aws command (awscli, the dev extra) is not installed")
    args = ["--session-mode", "ReadOnly", "--server-side-encryption", "aws:kms"]
    args += ["--ssekms-key-id", "arn:aws:kms:us-west-2:111122223333:key/k1"]
    args += ["--bucket-key-enabled"]
    async with CaptureServer(_answer) as srv:
        mine = await _run([sys.executable, "-m", "aios3"], srv.url, *args)
        theirs = await _run([AWS], srv.url, *args)
    assert mine.returncode == theirs.returncode == 0, (mine.stderr, theirs.stderr)
    mine_req, theirs_req = srv.requests

    def amz(c: Captured) -> dict[str, str]:
        skip = ("x-amz-date", "x-amz-content-sha256")
        return {k: v for k, v in c.headers.items() if k.startswith("x-amz-") and k not in skip}

    assert amz(mine_req) == amz(theirs_req)
    assert amz(mine_req)["x-amz-create-session-mode"] == "ReadOnly"


async def test_no_sign_request_refuses_create_session_unsent() -> None:
    async with CaptureServer(_answer) as srv:
        mine = await _run([sys.executable, "-m", "aios3"], srv.url, "--no-sign-request")
    assert mine.returncode == 252, mine.stderr
    assert "Bucket: directory buckets (S3 Express One Zone) accept no unsigned request" in (
        mine.stderr
    )
    assert srv.requests == []
