"""`aios3 mpu` against real local servers (SeaweedFS, moto): in-process (`aios3.cli.main`
in a thread, as the command runs its own event loop) and as a subprocess
(`python -m aios3`), under a pseudo-terminal for the progress bar, and interrupted by
SIGINT mid-sweep."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from aios3.cli import main
from aios3.errors import NoSuchLifecycleConfiguration
from tests._kit import server_client
from tests.conftest import MakeBucket, S3Server

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ["seaweed", "moto_server"]


def _env(server: S3Server, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("FORCE_COLOR", "TTY_COMPATIBLE")
    }
    env.update(
        AWS_ACCESS_KEY_ID=server.access_key,
        AWS_SECRET_ACCESS_KEY=server.secret_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def _argv(server: S3Server, *args: str) -> list[str]:
    return [sys.executable, "-m", "aios3", "mpu", *args, "--endpoint-url", server.endpoint_url]


async def mpu(server: S3Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        _argv(server, *args),
        capture_output=True,
        text=True,
        input=stdin,
        env=_env(server),
        timeout=120,
        check=False,
    )


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`await in_process(server, *args)` -> (exit code, stdout, stderr) of `aios3 mpu`."""

    async def run(server: S3Server, *args: str) -> tuple[int, str, str]:
        for k, v in _env(server).items():
            if k.startswith("AWS_"):
                monkeypatch.setenv(k, v)
        monkeypatch.delenv("FORCE_COLOR", raising=False)
        monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
        code = await asyncio.to_thread(main, ["mpu", *args, "--endpoint-url", server.endpoint_url])
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def _uploads(server: S3Server, bucket: str, keys: list[str], part: bytes = b"") -> list[str]:
    async with server_client(server) as s3:
        created = await asyncio.gather(
            *(s3.create_multipart_upload(Bucket=bucket, Key=k) for k in keys)
        )
        if part:
            await asyncio.gather(
                *(
                    s3.upload_part(
                        Bucket=bucket, Key=k, UploadId=c.upload_id, PartNumber=1, Body=part
                    )
                    for k, c in zip(keys, created, strict=True)
                )
            )
    return [c.upload_id for c in created]


async def _left(server: S3Server, bucket: str) -> list[str]:
    async with server_client(server) as s3:
        return sorted([u.key async for u in s3.iter_multipart_uploads(Bucket=bucket)])


@pytest.mark.parametrize("server_name", SERVERS)
async def test_ls_then_sweep_then_ls(
    request: pytest.FixtureRequest, server_name: str, make_bucket: MakeBucket, in_process: Any
) -> None:
    server: S3Server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    await _uploads(server, bucket, ["tmp/a", "tmp/b"], part=b"x" * 1000)
    await _uploads(server, bucket, ["tmp/c", "keep/d"])
    await asyncio.sleep(2.1)  # older than the sweep's one-second margin (SeaweedFS: seconds)

    # ls, in-process: the table and its totals
    code, out, err = await in_process(server, "ls", f"s3://{bucket}/tmp/", "--with-parts")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["KEY", "UPLOAD"] and lines[0].split()[-2:] == ["PARTS", "SIZE"]
    assert sorted(line.split()[0] for line in lines[1:4]) == ["tmp/a", "tmp/b", "tmp/c"]
    assert lines[-1].startswith(f"3 uploads in s3://{bucket}/tmp/: 2 parts, 2.0 KiB (oldest ")

    # ls --output json, as a subprocess: the documented shape
    r = await mpu(server, "ls", f"s3://{bucket}", "--with-parts", "--output", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["Bucket"], doc["Prefix"]) == (bucket, "")
    assert doc["Totals"] == {"Uploads": 4, "Parts": 2, "Size": 2000}
    by_key = {u["Key"]: u for u in doc["Uploads"]}
    assert (by_key["tmp/a"]["Parts"], by_key["tmp/a"]["Size"]) == (1, 1000)
    assert by_key["keep/d"]["AgeSeconds"] >= 2
    assert by_key["keep/d"]["Initiated"].endswith("+00:00")

    # a dry run aborts nothing; a sweep without --yes asks, and "n" aborts nothing
    r = await mpu(server, "sweep", f"s3://{bucket}/tmp/", "--older-than", "0s", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(f"(dryrun) abort: s3://{bucket}/tmp/") == 3
    r = await mpu(server, "sweep", f"s3://{bucket}/tmp/", "--older-than", "0s", stdin="n\n")
    assert r.returncode == 0, r.stderr
    assert "Abort 3 incomplete uploads in s3://" in r.stderr and "Nothing aborted." in r.stderr
    assert len(await _left(server, bucket)) == 4

    # the sweep, answered "y": plain lines (stdout is a pipe), then the report
    r = await mpu(server, "sweep", f"s3://{bucket}/tmp/", "--older-than", "0s", stdin="y\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(f"abort: s3://{bucket}/tmp/") == 3
    assert "  aborted       3" in r.stdout and "  failed        0" in r.stdout
    assert "  bytes freed   2.0 KiB (2000 bytes, 2 parts)" in r.stdout
    assert "Traceback" not in r.stderr
    assert await _left(server, bucket) == ["keep/d"]

    # in-process, json: nothing left under tmp/, keep/d aborted by a second sweep
    code, out, err = await in_process(
        server, "sweep", f"s3://{bucket}", "--older-than", "1s", "--yes", "--output", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert (report["Selected"], report["Aborted"], report["BytesFreed"]) == (1, 1, 0)
    code, out, _ = await in_process(server, "ls", f"s3://{bucket}")
    assert (code, out) == (0, f"No incomplete multipart uploads in s3://{bucket}/\n")


@pytest.mark.parametrize("server_name", SERVERS)
async def test_abort_verifies_and_prints_the_rounds(
    request: pytest.FixtureRequest, server_name: str, make_bucket: MakeBucket, in_process: Any
) -> None:
    server: S3Server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    [uid] = await _uploads(server, bucket, ["big.bin"], part=b"y" * 100)
    r = await mpu(server, "abort", f"s3://{bucket}/big.bin", "--upload-id", uid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("round 1: abort: aborted; ListParts: ")
    assert "(gone)" in lines[0]
    assert lines[-1] == f"aborted: s3://{bucket}/big.bin ({uid}), verified gone after 1 round"
    assert await _left(server, bucket) == []
    # again: already gone, verified gone (exit 0); json for scripts
    code, out, err = await in_process(
        server, "abort", f"s3://{bucket}/big.bin", "--upload-id", uid, "--output", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["Verified"] is True and doc["UploadId"] == uid
    assert doc["Rounds"][0]["Listing"] in ("no_such_upload", "no_such_key", "no_parts")
    # --verify none on an upload never made: the service error, as aws-cli prints it
    code, out, err = await in_process(
        server, "abort", f"s3://{bucket}/k", "--upload-id", "no-such-upload", "--verify", "none"
    )
    assert code == 254, err
    assert "An error occurred (NoSuchUpload) when calling the AbortMultipartUpload" in err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize("server_name", SERVERS)
async def test_lifecycle_sets_shows_and_removes_only_its_rule(
    request: pytest.FixtureRequest, server_name: str, make_bucket: MakeBucket, in_process: Any
) -> None:
    server: S3Server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        await s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "expire-logs",
                        "Filter": {"Prefix": "logs/"},
                        "Status": "Enabled",
                        "Expiration": {"Days": 30},
                    }
                ]
            },
        )
    r = await mpu(server, "lifecycle", f"s3://{bucket}", "--days", "7")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "added: aios3-abort-incomplete-uploads: Enabled, prefix '': abort incomplete uploads "
        "after 7 days (1 other rule kept)\n"
    )
    r = await mpu(server, "lifecycle", f"s3://{bucket}", "--days", "7")
    assert r.returncode == 0 and r.stdout.startswith("unchanged: ")
    code, out, err = await in_process(server, "lifecycle", f"s3://{bucket}", "--show")
    assert code == 0, err
    assert "expire-logs: Enabled, prefix 'logs/': expiration\n" in out
    assert "aios3-abort-incomplete-uploads: Enabled, prefix '': abort incomplete uploads" in out
    code, out, err = await in_process(
        server, "lifecycle", f"s3://{bucket}", "--show", "--output", "json"
    )
    rules = {r["ID"]: r for r in json.loads(out)["Rules"]}
    assert rules["aios3-abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 7
    }
    assert rules["expire-logs"]["Expiration"] == {"Days": 30}

    # --remove: the other rule stays, exactly
    r = await mpu(server, "lifecycle", f"s3://{bucket}", "--remove")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "removed rule 'aios3-abort-incomplete-uploads' (1 other rule kept)\n"
    async with server_client(server) as s3:
        now = await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert [(x.id, x.expiration.days if x.expiration else None) for x in now.rules] == [
        ("expire-logs", 30)
    ]
    r = await mpu(server, "lifecycle", f"s3://{bucket}", "--remove")
    assert r.returncode == 0
    assert (
        r.stdout
        == f"Bucket '{bucket}' has no rule 'aios3-abort-incomplete-uploads': nothing written\n"
    )

    # a rule named with --rule-id that has no abort action: left alone
    r = await mpu(server, "lifecycle", f"s3://{bucket}", "--remove", "--rule-id", "expire-logs")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "Rule 'expire-logs' has no AbortIncompleteMultipartUpload action: nothing written\n"
    )

    # the only rule: the configuration is deleted (S3 keeps none without rules)
    alone = await make_bucket(server)
    r = await mpu(server, "lifecycle", f"s3://{alone}/tmp/", "--days", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("added: aios3-abort-incomplete-uploads-tmp/: Enabled, prefix 'tmp/'")
    r = await mpu(server, "lifecycle", f"s3://{alone}/tmp/", "--remove")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "removed rule 'aios3-abort-incomplete-uploads-tmp/' (no other rules: deleted the "
        "bucket's lifecycle configuration)\n"
    )
    assert r.stderr == ""
    async with server_client(server) as s3:
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket=alone)
    code, out, err = await in_process(
        server, "lifecycle", f"s3://{alone}/tmp/", "--remove", "--output", "json"
    )
    assert code == 0, err
    assert json.loads(out) == {"Bucket": alone, "Action": "absent", "Rule": None, "Rules": []}
    # and --output json for the deletion
    r = await mpu(server, "lifecycle", f"s3://{alone}", "--days", "2")
    assert r.returncode == 0, r.stderr
    code, out, err = await in_process(
        server, "lifecycle", f"s3://{alone}", "--remove", "--output", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["Action"], doc["Rules"], doc["Rule"]["ID"]) == (
        "configuration deleted",
        [],
        "aios3-abort-incomplete-uploads",
    )


async def test_sweep_of_a_bucket_that_does_not_exist_exits_254(seaweed: S3Server) -> None:
    r = await mpu(seaweed, "sweep", "s3://aios3-no-such-bucket-here", "--older-than", "7d", "--yes")
    assert r.returncode == 254, r.stderr
    assert "An error occurred (NoSuchBucket) when calling the ListMultipartUploads" in r.stderr
    assert "Traceback" not in r.stderr


def _pty_run(argv: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; everything it printed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the other side is closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, b"".join(chunks).decode("utf-8", "replace")


async def test_progress_bar_under_a_pseudo_terminal(
    moto_server: S3Server, make_bucket: MakeBucket
) -> None:
    bucket = await make_bucket(moto_server)
    await _uploads(moto_server, bucket, [f"k{i:02d}" for i in range(12)])
    await asyncio.sleep(1.1)
    env = _env(moto_server, TERM="xterm")
    code, out = await asyncio.to_thread(
        _pty_run, _argv(moto_server, "sweep", f"s3://{bucket}", "--older-than", "0s", "--yes"), env
    )
    assert code == 0, out
    assert "━" in out and "\x1b[" in out  # rich's bar, drawn with escape sequences
    assert "12/12" in out and "aborted 12" in out
    assert "abort: s3://" not in out  # not the plain lines
    assert "  aborted       12" in out
    assert await _left(moto_server, bucket) == []


@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="fails at the floors on Python 3.10: see the issue note",
)
async def test_ctrl_c_finishes_the_aborts_in_flight_prints_the_partial_report_exits_130(
    moto_server: S3Server, make_bucket: MakeBucket
) -> None:
    bucket = await make_bucket(moto_server)
    keys = [f"k{i:04d}" for i in range(400)]
    for i in range(0, len(keys), 100):
        await _uploads(moto_server, bucket, keys[i : i + 100])
    await asyncio.sleep(1.1)

    def interrupted() -> tuple[int, str, str, int]:
        proc = subprocess.Popen(
            _argv(
                moto_server,
                "sweep",
                f"s3://{bucket}",
                "--older-than",
                "0s",
                "--yes",
                "--concurrency",
                "2",
                "--page-size",
                "50",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(moto_server),
        )
        assert proc.stdout is not None and proc.stderr is not None
        seen = 0
        rest: list[str] = []
        # read to the end here: `communicate()` after a `break` reads the pipe itself and
        # loses the lines this file object had already buffered (the "one abort line
        # short" once seen in CI)
        killer = threading.Timer(60, proc.kill)  # bounded, whatever the command does
        killer.start()
        for line in proc.stdout:
            if seen < 5:
                if line.startswith("abort: "):
                    seen += 1
                    if seen == 5:
                        proc.send_signal(signal.SIGINT)
            else:
                rest.append(line)
        err = proc.stderr.read()
        proc.wait(timeout=60)
        killer.cancel()
        proc.stdout.close()
        proc.stderr.close()
        return proc.returncode, "".join(rest), err, seen

    code, out, err, seen = await asyncio.to_thread(interrupted)
    assert code == 130, err
    assert "Stopping: no new abort starts; those under way finish" in out
    assert "Interrupted: the aborts under way finished" in out
    assert "Traceback" not in err
    aborted = seen + out.count("abort: ")
    report = {
        line.split()[0]: line.split()[-1]
        for line in out.splitlines()
        if line.startswith(("  aborted", "  selected", "  failed"))
    }
    # none left half done: every selected upload was aborted, and every abort printed
    # before or after the interrupt is counted
    assert int(report["aborted"]) == int(report["selected"]) == aborted
    assert report["failed"] == "0"
    assert aborted < 400
    assert len(await _left(moto_server, bucket)) == 400 - aborted
