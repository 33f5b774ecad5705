"""The `aios3` command line without a server: options derived from the request models,
skeletons, output formats, usage errors (exit 252) and the lean core import."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from botocore import xform_name

from aios3._operations import BY_NAME
from aios3.cli import _output as output
from aios3.cli import main
from aios3.cli._params import params_of
from aios3.cli._table import render
from aios3.cli.s3api import OPERATION_NAMES, group

# Python 3.10 asyncio frees a closed loop socket late, in whichever test collects it
pytestmark = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
# nothing listens there: a request that were sent would fail with exit 255, not 252
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ entry points


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import aios3

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith(f"aios3/{aios3.__version__} Python/")


def test_python_dash_m_and_usage_exit_252() -> None:
    env_path = {"PYTHONPATH": str(ROOT)}
    ok = subprocess.run(
        [sys.executable, "-m", "aios3", "--version"],
        capture_output=True,
        text=True,
        env={**_env(), **env_path},
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("aios3/")
    bad = subprocess.run(
        [sys.executable, "-m", "aios3", "s3api", "abort-multipart-upload", "--bucket", "b"],
        capture_output=True,
        text=True,
        env={**_env(), **env_path},
        check=False,
    )
    assert bad.returncode == 252
    assert "the following arguments are required: --key, --upload-id" in bad.stderr
    assert "Traceback" not in bad.stderr


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def test_core_import_does_not_load_the_cli() -> None:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import aios3"],
        capture_output=True,
        text=True,
        env={**_env(), "PYTHONPATH": str(ROOT)},
        check=True,
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in r.stderr.splitlines()}
    assert "aios3" in modules
    assert not modules & {"click", "typer", "rich", "yaml"}
    assert not any(line.strip().endswith("aios3.cli") for line in r.stderr.splitlines())


# ------------------------------------------------------------------ options from the models


def _command(name: str) -> click.Command:
    cmd = group.get_command(None, name)  # type: ignore[arg-type]
    assert cmd is not None
    return cmd


def test_every_request_field_is_an_option_named_as_aws_cli_names_it() -> None:
    assert [c for c in group.list_commands(None)] == sorted(  # type: ignore[arg-type]
        xform_name(n, "-") for n in OPERATION_NAMES
    )
    for name in OPERATION_NAMES:
        op = BY_NAME[name]
        cmd = group.get_command(None, xform_name(name, "-"))  # type: ignore[arg-type]
        flags = {o for p in cmd.params for o in p.opts}
        for field, info in op.request.model_fields.items():
            assert f"--{xform_name(info.alias or field, '-')}" in flags, (name, field)
    abort = {o for p in _command("abort-multipart-upload").params for o in p.opts}
    assert {"--upload-id", "--expected-bucket-owner", "--if-match-initiated-time"} <= abort
    upload = {o for p in _command("upload-part").params for o in p.opts}
    assert {"--sse-customer-key", "--sse-customer-key-md5", "--checksum-crc64-nvme"} <= upload
    create = {
        o for p in _command("create-multipart-upload").params for o in [*p.opts, *p.secondary_opts]
    }
    assert {"--ssekms-key-id", "--bucket-key-enabled", "--no-bucket-key-enabled"} <= create
    assert "--mpu-object-size" in {
        o for p in _command("complete-multipart-upload").params for o in p.opts
    }


def test_a_new_model_field_becomes_an_option() -> None:
    from typing import Annotated

    from aios3._wire import Header
    from aios3.models import AbortMultipartUploadRequest

    class Newer(AbortMultipartUploadRequest):
        shiny_new_thing: Annotated[int | None, Header("x-amz-shiny")] = None

    p = {x.member: x for x in params_of(Newer)}["ShinyNewThing"]
    assert (p.flag, p.kind, p.required) == ("shiny-new-thing", "integer", False)


# ------------------------------------------------------------------ usage errors: 252


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["s3api", "abort-multipart-upload", "--bucket", "b"], "required: --key, --upload-id"),
        (["s3api", "abort-multipart-upload", "--nope", "x"], "No such option"),
        (["s3api", "no-such-command"], "No such command"),
        ([], "Missing command"),
        (
            [
                "s3api",
                "upload-part",
                "--bucket",
                "b",
                "--key",
                "k",
                "--upload-id",
                "u",
                "--part-number",
                "one",
            ],
            "--part-number: invalid literal for int()",
        ),
        (
            [
                "s3api",
                "complete-multipart-upload",
                "--bucket",
                "b",
                "--key",
                "k",
                "--upload-id",
                "u",
                "--multipart-upload",
                "{not json",
            ],
            "--multipart-upload: invalid JSON",
        ),
        (
            [
                "s3api",
                "complete-multipart-upload",
                "--bucket",
                "b",
                "--key",
                "k",
                "--upload-id",
                "u",
                "--multipart-upload",
                "file:///no/such/file.json",
            ],
            "Unable to load paramfile file:///no/such/file.json",
        ),
        (
            [
                "s3api",
                "abort-multipart-upload",
                "--bucket",
                "bad bucket!",
                "--key",
                "k",
                "--upload-id",
                "u",
            ],
            "Parameter validation failed",
        ),
        (
            [
                "s3api",
                "abort-multipart-upload",
                "--bucket",
                "b",
                "--key",
                "k",
                "--upload-id",
                "u",
                "--if-match-initiated-time",
                "yesterday-ish",
            ],
            "IfMatchInitiatedTime",
        ),
        (
            [
                "s3api",
                "list-parts",
                "--bucket",
                "b",
                "--key",
                "k",
                "--upload-id",
                "u",
                "--no-paginate",
                "--max-items",
                "3",
            ],
            "Cannot specify --no-paginate along with pagination arguments: --max-items",
        ),
        (
            ["s3api", "list-multipart-uploads", "--bucket", "b", "--output", "xml"],
            "Invalid value for '--output'",
        ),
        (
            ["s3api", "list-multipart-uploads", "--bucket", "b", "--query", "Uploads[?"],
            "Bad value for --query",
        ),
        (
            ["s3api", "abort-multipart-upload", "--cli-input-json", '{"Bucket": "b", "Nope": 1}'],
            "Unknown parameter in input: 'Nope'",
        ),
    ],
)
def test_bad_command_lines_exit_252_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, *(NOWHERE if argv else []))
    assert code == 252, err
    assert message in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.filterwarnings(  # Python 3.10's asyncio frees a closed socket late
    "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_missing_profile_exits_253(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "s3api",
        "abort-multipart-upload",
        "--bucket",
        "b",
        "--key",
        "k",
        "--upload-id",
        "u",
        "--profile",
        "no-such-profile-anywhere",
        *NOWHERE,
    )
    assert code == 253, err
    assert "no-such-profile-anywhere" in err


def test_connection_failure_exits_255(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    code, _, err = run(
        capsys,
        "s3api",
        "abort-multipart-upload",
        "--bucket",
        "b",
        "--key",
        "k",
        "--upload-id",
        "u",
        "--cli-connect-timeout",
        "2",
        *NOWHERE,
    )
    assert code == 255, err
    assert "Traceback" not in err
    assert "not-a-real-secret" not in err


# ------------------------------------------------------------------ skeletons (golden)


@pytest.mark.parametrize("name", OPERATION_NAMES)
@pytest.mark.parametrize("kind", ["input", "yaml-input", "output"])
def test_generate_cli_skeleton_golden(
    capsys: pytest.CaptureFixture[str], name: str, kind: str
) -> None:
    cmd = xform_name(name, "-")
    code, out, err = run(capsys, "s3api", cmd, "--generate-cli-skeleton", kind)
    assert code == 0, err
    suffix = "yaml" if kind == "yaml-input" else "json"
    golden = GOLDEN / f"skeleton-{cmd}-{kind}.{suffix}"
    assert out == golden.read_text(), f"update {golden.name} if the model changed on purpose"


def test_generate_cli_skeleton_without_a_value_is_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "s3api", "list-parts", "--generate-cli-skeleton")
    assert code == 0
    assert json.loads(out)["UploadId"] == ""


# ------------------------------------------------------------------ output formats (golden)

LISTING = {
    "Uploads": [
        {"UploadId": "u1", "Key": "a/1", "Initiated": "2026-12-01T10:00:00+00:00"},
        {
            "UploadId": "u2",
            "Key": "b",
            "Initiated": "2026-12-02T11:30:00+00:00",
            "Owner": {"ID": "o1", "DisplayName": "me"},
        },
    ],
    "CommonPrefixes": [{"Prefix": "c/"}],
    "RequestCharged": None,
    "Prefix": "",
    "IsTruncated": False,
}


@pytest.mark.parametrize("fmt", ["json", "text", "table", "yaml", "yaml-stream"])
def test_output_format_golden(fmt: str) -> None:
    from aios3.cli._common import GlobalOptions, emit

    out = io.StringIO()
    emit(GlobalOptions(output=fmt, color="off"), "ListMultipartUploads", LISTING, out)
    golden = GOLDEN / f"output-list-multipart-uploads.{fmt}"
    assert out.getvalue() == golden.read_text()


def test_query_and_empty_responses() -> None:
    from aios3.cli._common import GlobalOptions, emit

    out = io.StringIO()
    emit(GlobalOptions(output="json", query="Uploads[].Key"), "X", LISTING, out)
    assert json.loads(out.getvalue()) == ["a/1", "b"]
    for fmt in ("json", "text", "table", "yaml"):
        out = io.StringIO()
        emit(GlobalOptions(output=fmt), "AbortMultipartUpload", {}, out)
        assert out.getvalue() == "", fmt  # abort prints nothing, as aws-cli


def test_table_colour_and_vertical_layout() -> None:
    coloured = render("T", {"A": "x", "B": "y"}, color=True, width=80)
    assert "\x1b[1m\x1b[34mx\x1b[0m" in coloured
    # wider than the terminal: one key per row, as aws-cli's table.py (golden from it)
    wide = render("T", {"A": "x" * 60, "B": "y" * 60}, color=False, width=80)
    assert wide == (GOLDEN / "output-wide.table").read_text()
    assert output.plain({"t": __import__("datetime").datetime(2026, 1, 2)}) == {
        "t": "2026-01-02T00:00:00"
    }


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_json_keys_come_in_botocores_order(name: str) -> None:
    """aws-cli prints botocore's dict: the members read from headers first, then the
    body's, each in the output shape's order (`RestXMLParser._add_modeled_parse`)."""
    import botocore.session

    from aios3.cli.s3api import _response_dict

    shape = botocore.session.get_session().get_service_model("s3").operation_model(name)
    members = shape.output_shape.members
    model = BY_NAME[name].response
    keys = [f.alias or n for n, f in model.model_fields.items() if n != "response_metadata"]
    located = [m for m, s in members.items() if s.serialization.get("location")]
    botocore_order = [m for m in located + [m for m in members if m not in located] if m in keys]

    class Full:  # a response whose to_dict() has every member, in the model's order
        def to_dict(self) -> dict[str, object]:
            return {"ResponseMetadata": {}, **{k: 1 for k in keys}}

    printed = [k for k in _response_dict(Full(), name) if k in botocore_order]
    assert printed == botocore_order
