"""`aios3 mpu` without a server: durations, usage errors (252), and the sweep's report,
progress and exit codes over a fake bucket (tests/_sweep_fake.py) in place of the client's
transport."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from aios3.cli import _common, main
from aios3.cli.mpu import format_age, format_size, is_terminal, parse_duration
from aios3.testing import ErrorAnswer, FaultRule, FaultTransport, MockTransport
from tests._kit import client
from tests._sweep_fake import StaleBucket
from tests.unit.test_bucket_lifecycle import FakeBucket, body_of

# Python 3.10 asyncio frees a closed loop socket late, in whichever test collects it
pytestmark = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)

NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("2w", timedelta(weeks=2)),
        ("90s", timedelta(seconds=90)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("0d", timedelta(0)),
        ("P7D", timedelta(days=7)),
        ("PT12H", timedelta(hours=12)),
        ("P1DT6H30M", timedelta(days=1, hours=6, minutes=30)),
        ("P2W", timedelta(weeks=2)),
        ("pt45s", timedelta(seconds=45)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "7", "7x", "d", "-7d", "7 d", "P", "PT", "P1M", "P1Y", "P1DT", "7d junk", "1.5d"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_age_and_size_for_people() -> None:
    assert [format_age(s) for s in (5, 75, 3 * 3600 + 300, 6 * 86400 + 4 * 3600)] == [
        "5s",
        "1m",
        "3h 5m",
        "6d 4h",
    ]
    assert [format_size(n) for n in (0, 1023, 1536, 12 * 2**20)] == [
        "0 B",
        "1023 B",
        "1.5 KiB",
        "12.0 MiB",
    ]


def test_a_terminal_can_be_forced_or_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    assert not is_terminal(io.StringIO())
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert is_terminal(io.StringIO())
    monkeypatch.setenv("TTY_COMPATIBLE", "")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert is_terminal(io.StringIO())
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    assert not is_terminal(io.StringIO())


# ------------------------------------------------------------------ usage errors: 252


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mpu", "sweep", "s3://bucket"], "Missing option '--older-than'"),
        (["mpu", "sweep", "s3://bucket", "--older-than", "7x"], "'7x' is not a duration"),
        (["mpu", "sweep", "s3://bucket", "--older-than", "P1M"], "'P1M' is not a duration"),
        (["mpu", "sweep", "s3://bucket", "--older-than", "7d", "--verify", "no"], "--verify"),
        (["mpu", "sweep", "s3://bucket", "--older-than", "7d", "--concurrency", "0"], "0"),
        (["mpu", "sweep", "--older-than", "7d"], "Missing argument 'S3URI'"),
        (["mpu", "ls", "bucket/prefix"], "expected s3://bucket[/prefix]"),
        (["mpu", "ls", "s3://"], "no bucket"),
        (["mpu", "ls", "s3://bucket", "--older-than", "soon"], "'soon' is not a duration"),
        (["mpu", "abort", "s3://bucket", "--upload-id", "u"], "no key in 's3://bucket'"),
        (["mpu", "abort", "s3://bucket/key"], "Missing option '--upload-id'"),
        (["mpu", "abort", "s3://bucket/k", "--upload-id", "u", "--verify", "listing"], "verify"),
        (["mpu", "lifecycle", "s3://bucket"], "give one of --days N, --show or --remove"),
        (["mpu", "lifecycle", "s3://bucket", "--days", "7", "--remove"], "give one of"),
        (["mpu", "lifecycle", "s3://bucket", "--days", "0"], "--days"),
        (["mpu", "lifecycle", "s3://bucket/p/", "--show"], "--show prints the whole bucket"),
        (["mpu", "nope"], "No such command"),
        (["mpu", "ls", "s3://bucket", "--output", "xml"], "Invalid value for '--output'"),
    ],
)
def test_bad_command_lines_exit_252_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, *NOWHERE)
    assert code == 252, err
    assert message in err
    assert "Traceback" not in err
    assert out == ""


# ------------------------------------------------------------------ sweep over a fake bucket


def _stale_bucket() -> StaleBucket:
    now = datetime.now(timezone.utc)
    fake = StaleBucket()
    for i in range(6):
        fake.add(f"tmp/old-{i}", now - timedelta(days=10), parts=[5, 7])
    fake.add("tmp/new", now - timedelta(hours=1))
    return fake


@pytest.fixture
def stale(monkeypatch: pytest.MonkeyPatch) -> StaleBucket:
    """The CLI's client sends to a fake bucket; one of its uploads refuses the abort."""
    fake = _stale_bucket()
    denied = next(uid for uid, u in fake.uploads.items() if u.key == "tmp/old-3")
    faults = FaultTransport(
        fake.transport(),
        FaultRule(
            ErrorAnswer(403, "AccessDenied", "Access Denied"),
            method="DELETE",
            when=lambda r: r.query.get("uploadId") == denied,
            times=None,
        ),
    )
    monkeypatch.setattr(_common, "client", lambda opts: client(faults))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    return fake


def test_sweep_with_a_failure_prints_it_and_exits_1(
    capsys: pytest.CaptureFixture[str], stale: StaleBucket
) -> None:
    code, out, err = run(capsys, "mpu", "sweep", "s3://b/tmp/", "--older-than", "7d", "--yes")
    assert code == 1, err
    lines = out.splitlines()
    assert sum(line.startswith("abort: s3://b/tmp/old-") for line in lines) == 5
    assert any(
        line.startswith("failed: s3://b/tmp/old-3 (")
        and line.endswith("): AccessDenied: Access Denied")
        for line in lines
    )
    assert "  aborted       5" in out and "  failed        1" in out
    assert "  bytes freed   60 B (60 bytes, 10 parts)" in out
    assert stale.left() == ["tmp/new", "tmp/old-3"]


def test_sweep_json_report_for_scripts(
    capsys: pytest.CaptureFixture[str], stale: StaleBucket
) -> None:
    code, out, err = run(
        capsys, "mpu", "sweep", "s3://b", "--older-than", "P7D", "--yes", "--output", "json"
    )
    assert code == 1, err
    doc = json.loads(out)  # nothing else on stdout
    assert {k: doc[k] for k in ("Bucket", "Prefix", "Selected", "Aborted", "FailedCount")} == {
        "Bucket": "b",
        "Prefix": "",
        "Selected": 6,
        "Aborted": 5,
        "FailedCount": 1,
    }
    assert doc["Failed"][0]["Key"] == "tmp/old-3"
    assert doc["Failed"][0]["Error"] == {
        "Code": "AccessDenied",
        "Message": "Access Denied",
        "HTTPStatusCode": 403,
        "RequestId": "FAULT",
    }
    assert (doc["BytesFreed"], doc["PartsFreed"], doc["Verify"]) == (60, 10, "parts")
    assert (doc["Stopped"], doc["ListingComplete"], doc["DryRun"]) == (False, True, False)
    # --query applies to the report
    code, out, _ = run(
        capsys, "mpu", "sweep", "s3://b", "--older-than", "7d", "--yes", "--query", "Selected"
    )
    assert (code, out) == (1, "1\n")  # the second run finds the one left


@pytest.mark.filterwarnings(  # Python 3.10's asyncio frees a closed socket late
    "ignore::pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="fails at the floors on Python 3.10: see the issue note",
)
def test_sweep_asks_first_and_a_no_aborts_nothing(
    capsys: pytest.CaptureFixture[str], stale: StaleBucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = run(capsys, "mpu", "sweep", "s3://b", "--older-than", "7d")
    assert code == 0
    assert "Abort 6 incomplete uploads in s3://b/ initiated before " in err
    assert "(older than 7d 0h)? [y/N]" in err and "Nothing aborted." in err
    assert out == "" and len(stale.uploads) == 7 and stale.kinds("abort") == []
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # end of input: no
    assert run(capsys, "mpu", "sweep", "s3://b", "--older-than", "7d")[0] == 0
    assert len(stale.uploads) == 7
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, _ = run(capsys, "mpu", "sweep", "s3://b", "--older-than", "7d")
    assert code == 1 and "  aborted       5" in out
    assert stale.left() == ["tmp/new", "tmp/old-3"]


def test_dry_run_asks_nothing_and_aborts_nothing(
    capsys: pytest.CaptureFixture[str], stale: StaleBucket
) -> None:
    code, out, _ = run(capsys, "mpu", "sweep", "s3://b", "--older-than", "7d", "--dry-run")
    assert code == 0
    assert out.count("(dryrun) abort: s3://b/tmp/old-") == 6
    assert "  would abort  6" in out and "  would free   72 B (72 bytes, 12 parts)" in out
    assert stale.kinds("abort") == []


def test_progress_bar_when_the_terminal_is_forced(
    capsys: pytest.CaptureFixture[str], stale: StaleBucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`TTY_COMPATIBLE=1` (rich's variable) draws the bar where stdout is no terminal."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    code, out, _ = run(capsys, "mpu", "sweep", "s3://b", "--older-than", "7d", "--yes")
    assert code == 1
    assert "━" in out and "\x1b[" in out  # the bar, drawn with escape sequences
    assert "6/6" in out and "aborted 5" in out and "failed 1" in out
    assert "abort: s3://b/" not in out  # no plain lines
    assert "failed\x1b[0m: s3://b/tmp/old-3 (" in out  # printed (red) above the bar
    assert "  aborted       5" in out  # and the report below it


def test_ls_over_a_fake_bucket(capsys: pytest.CaptureFixture[str], stale: StaleBucket) -> None:
    code, out, _ = run(capsys, "mpu", "ls", "s3://b/tmp/", "--with-parts", "--older-than", "1d")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["KEY", "UPLOAD", "ID", "INITIATED", "(UTC)", "AGE", "PARTS", "SIZE"]
    assert len([line for line in lines if line.startswith("tmp/old-")]) == 6
    assert "tmp/new" not in out
    assert lines[-1] == "6 uploads older than 1d 0h in s3://b/tmp/: 12 parts, 72 B (oldest 10d 0h)"
    code, out, _ = run(capsys, "mpu", "ls", "s3://b", "--output", "json")
    doc: dict[str, Any] = json.loads(out)
    assert doc["Totals"] == {"Uploads": 7} and len(doc["Uploads"]) == 7
    assert set(doc["Uploads"][0]) >= {"Key", "UploadId", "Initiated", "AgeSeconds"}
    assert "Parts" not in doc["Uploads"][0]


def test_rich_is_imported_by_the_sweep_only() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "aios3", "mpu", "ls", "--help"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(root)},
        check=True,
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in r.stderr.splitlines()}
    assert "click" in modules and "rich" not in modules


# ------------------------------------------------------------------ lifecycle --remove


def _lifecycle_bucket(
    monkeypatch: pytest.MonkeyPatch, rules: list[dict[str, Any]]
) -> tuple[FakeBucket, MockTransport]:
    """The CLI's client sends to one fake bucket's lifecycle configuration."""
    bucket = FakeBucket(body_of(rules) if rules else None)
    transport = MockTransport(bucket)
    monkeypatch.setattr(_common, "client", lambda opts: client(transport))
    return bucket, transport


def _abort_rule(rule_id: str, prefix: str = "", **more: Any) -> dict[str, Any]:
    return {
        "ID": rule_id,
        "Filter": {"Prefix": prefix},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
        **more,
    }


def test_remove_of_the_only_rule_deletes_the_configuration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = _abort_rule("aios3-abort-incomplete-uploads-tmp/", "tmp/")
    bucket, transport = _lifecycle_bucket(monkeypatch, [rule])
    code, out, err = run(capsys, "mpu", "lifecycle", "s3://b/tmp/", "--remove")
    assert (code, err) == (0, "")
    assert out == (
        "removed rule 'aios3-abort-incomplete-uploads-tmp/' (no other rules: deleted the "
        "bucket's lifecycle configuration)\n"
    )
    assert [q.method for q in transport.requests] == ["GET", "DELETE"]
    assert bucket.body is None
    # for scripts: the rule removed, no rules left
    bucket, transport = _lifecycle_bucket(monkeypatch, [rule])
    code, out, err = run(capsys, "mpu", "lifecycle", "s3://b/tmp/", "--remove", "--output", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "Bucket": "b",
        "Action": "configuration deleted",
        "Rule": rule,
        "Rules": [],
    }
    # nothing left to remove
    code, out, _ = run(capsys, "mpu", "lifecycle", "s3://b/tmp/", "--remove")
    assert code == 0
    assert out == (
        "Bucket 'b' has no rule 'aios3-abort-incomplete-uploads-tmp/': nothing written\n"
    )


def test_remove_keeps_the_other_rules(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled"}
    logs["Expiration"] = {"Days": 30}
    bucket, transport = _lifecycle_bucket(
        monkeypatch, [_abort_rule("aios3-abort-incomplete-uploads"), logs]
    )
    code, out, _ = run(capsys, "mpu", "lifecycle", "s3://b", "--remove")
    assert code == 0
    assert out == "removed rule 'aios3-abort-incomplete-uploads' (1 other rule kept)\n"
    assert [q.method for q in transport.requests] == ["GET", "PUT"]
    assert bucket.body == body_of([logs])
    # a rule named with --rule-id that has no abort action: left alone
    code, out, _ = run(capsys, "mpu", "lifecycle", "s3://b", "--remove", "--rule-id", "logs")
    assert code == 0
    assert out == "Rule 'logs' has no AbortIncompleteMultipartUpload action: nothing written\n"


def test_remove_of_a_rule_with_other_actions_takes_only_the_abort_action(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _abort_rule("mine", "logs/", Expiration={"Days": 30})
    bucket, transport = _lifecycle_bucket(monkeypatch, [mine])
    code, out, _ = run(
        capsys, "mpu", "lifecycle", "s3://b", "--remove", "--rule-id", "mine", "--output", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert (doc["Action"], doc["Rule"]) == ("action removed", mine)
    without = {k: v for k, v in mine.items() if k != "AbortIncompleteMultipartUpload"}
    assert doc["Rules"] == [without]
    assert [q.method for q in transport.requests] == ["GET", "PUT"]
    assert bucket.body == body_of([without])
    _lifecycle_bucket(monkeypatch, [mine])
    code, out, _ = run(capsys, "mpu", "lifecycle", "s3://b", "--remove", "--rule-id", "mine")
    assert code == 0
    # the rule stays: it is not counted among the others
    assert out == "removed the abort action of rule 'mine' (0 other rules kept)\n"


def test_remove_refused_by_the_service_exits_254(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket, transport = _lifecycle_bucket(
        monkeypatch, [_abort_rule("aios3-abort-incomplete-uploads")]
    )
    faults = FaultTransport(
        transport,
        FaultRule(ErrorAnswer(403, "AccessDenied", "Access Denied"), method="DELETE"),
    )
    monkeypatch.setattr(_common, "client", lambda opts: client(faults))
    code, out, err = run(capsys, "mpu", "lifecycle", "s3://b", "--remove")
    assert code == 254
    assert "An error occurred (AccessDenied) when calling the DeleteBucketLifecycle" in err
    assert out == "" and "Traceback" not in err
    assert bucket.body is not None  # still there
