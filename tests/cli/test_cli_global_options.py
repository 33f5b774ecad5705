"""`--no-sign-request` and the `output` setting (aws-cli's precedence: `--output`, then
`AWS_DEFAULT_OUTPUT`, then the profile's `output`, then json), without a server: the
client the command builds sends through a `MockTransport`, and the config files are the
test's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore
import pytest

import aios3
from aios3.cli import main
from aios3.testing import MockRequest, MockResponse, MockTransport

ROOT = Path(__file__).resolve().parents[2]

# Python 3.10 asyncio frees a closed loop socket late, in whichever test collects it
pytestmark = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)

ENDPOINT = ["--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"]
LIST_PARTS = [
    "s3api", "list-parts", "--bucket", "b", "--key", "k", "--upload-id", "u", "--no-paginate"
]  # fmt: skip
PARTS = (
    b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
    b"<IsTruncated>false</IsTruncated></ListPartsResult>"
)


class Sent:
    """The clients the command built (their `Config`) and the requests they sent."""

    def __init__(self) -> None:
        self.configs: list[aios3.Config | None] = []
        self.requests: list[MockRequest] = []


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """`aios3.S3Client` as the command builds it, sending through a `MockTransport`."""
    record = Sent()
    real: Callable[..., aios3.S3Client] = aios3.S3Client

    def handler(request: MockRequest) -> MockResponse:
        record.requests.append(request)
        return MockResponse(200, body=PARTS)

    def build(**kwargs: Any) -> aios3.S3Client:
        record.configs.append(kwargs.get("config"))
        return real(**kwargs, transport=MockTransport(handler))

    monkeypatch.setattr(aios3, "S3Client", build)
    return record


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ --no-sign-request


def test_no_sign_request_sends_unsigned_without_any_credentials(
    capsys: pytest.CaptureFixture[str], sent: Sent
) -> None:
    # no credentials anywhere (the isolated environment): signing fails, unsigned goes out
    code, out, err = run(capsys, *LIST_PARTS, *ENDPOINT)
    assert code == 253, err
    assert "Unable to locate credentials" in err
    assert sent.requests == []

    code, out, err = run(capsys, *LIST_PARTS, *ENDPOINT, "--no-sign-request")
    assert code == 0, err
    assert json.loads(out)["UploadId"] == "u"
    (request,) = sent.requests
    assert "Authorization" not in request.headers
    assert "X-Amz-Date" not in request.headers
    config = sent.configs[-1]
    assert config is not None and config.signature_version is botocore.UNSIGNED


def test_no_sign_request_ignores_credentials_in_the_environment_and_goes_before_the_group(
    capsys: pytest.CaptureFixture[str], sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    code, _, err = run(capsys, "--no-sign-request", *LIST_PARTS, *ENDPOINT)
    assert code == 0, err
    code, _, err = run(capsys, "--no-sign-request", "mpu", "ls", "s3://b", *ENDPOINT)
    assert code == 0, err
    assert len(sent.requests) == 2
    for r in sent.requests:
        assert "Authorization" not in r.headers
        assert "AKIDFROMENV" not in str(r.headers)


def test_no_sign_request_refuses_a_directory_bucket_before_sending(
    capsys: pytest.CaptureFixture[str], sent: Sent
) -> None:
    code, out, err = run(
        capsys,
        "s3api",
        "create-session",
        "--bucket",
        "my-bucket--usw2-az1--x-s3",
        "--region",
        "us-west-2",
        "--no-sign-request",
    )
    assert code == 252, err
    assert "Parameter validation failed:\nBucket: directory buckets" in err
    assert "Traceback" not in err and out == ""
    assert sent.requests == []


# ------------------------------------------------------------------ the output setting

CONFIG = """\
[default]
output = text
[profile tab]
output = table
[profile yml]
output = yaml
[profile none]
region = us-east-1
[profile bad]
output = xml
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text(CONFIG)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    return path


def _format(out: str) -> str:
    """Which of aios3's formats printed `out` (a ListParts answer)."""
    if out.startswith("{"):
        return "json"
    if out.startswith("-") and "|" in out:
        return "table"
    if out.startswith("Bucket: b\n"):
        return "yaml"
    return "text" if "\tu\n" in out else f"unknown: {out!r}"


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({}, [], "text"),  # the default profile's
        ({}, ["--profile", "tab"], "table"),
        ({"AWS_PROFILE": "tab"}, [], "table"),
        ({"AWS_DEFAULT_PROFILE": "yml"}, [], "yaml"),
        ({}, ["--profile", "none"], "json"),  # a profile without output: json
        ({"AWS_DEFAULT_OUTPUT": "yaml"}, ["--profile", "tab"], "yaml"),  # env over profile
        ({"AWS_DEFAULT_OUTPUT": "yaml"}, ["--profile", "tab", "--output", "json"], "json"),
        ({}, ["--profile", "tab", "--output", "text"], "text"),  # --output over everything
        ({"AWS_PROFILE": "tab"}, ["--profile", "yml"], "yaml"),  # --profile over AWS_PROFILE
    ],
)
def test_output_precedence_is_aws_clis(
    capsys: pytest.CaptureFixture[str],
    sent: Sent,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, *LIST_PARTS, *ENDPOINT, "--no-sign-request", *args)
    assert code == 0, err
    assert _format(out) == expected, out


def test_output_from_the_root_options_wins_over_the_profile(
    capsys: pytest.CaptureFixture[str], sent: Sent, config_file: Path
) -> None:
    code, out, err = run(capsys, "--output", "json", *LIST_PARTS, *ENDPOINT, "--no-sign-request")
    assert code == 0, err
    assert _format(out) == "json"


@pytest.mark.parametrize(
    ("env", "args", "shown"),
    [({}, ["--profile", "bad"], "xml"), ({"AWS_DEFAULT_OUTPUT": "bogus"}, [], "bogus")],
)
def test_an_unknown_output_type_is_aws_clis_error_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str],
    sent: Sent,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    shown: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, *LIST_PARTS, *ENDPOINT, "--no-sign-request", *args)
    # aws-cli's words and exit code (it says so after the call; aios3 before it)
    assert (code, out, err) == (255, "", f"\nUnknown output type: {shown}\n")
    assert sent.requests == []


def test_an_unknown_profile_is_still_the_clients_error_253(
    capsys: pytest.CaptureFixture[str], sent: Sent, config_file: Path
) -> None:
    code, _, err = run(capsys, *LIST_PARTS, *ENDPOINT, "--profile", "no-such-profile")
    assert code == 253, err
    assert "no-such-profile" in err
    assert sent.requests == []


# ------------------------------------------------------------ the profile, as botocore reads it

_CREDENTIALS = """\
[default]
aws_access_key_id = AK
[creds-only]
output = yaml
[tab]
output = text
"""


@pytest.mark.parametrize(
    ("env", "profile"),
    [
        ({}, None),
        ({}, "tab"),  # in both files: the credentials file's values win
        ({}, "creds-only"),  # only in the credentials file
        ({}, "none"),
        ({}, "no-such-profile"),
        ({"AWS_PROFILE": "yml"}, None),
        ({"AWS_DEFAULT_PROFILE": "tab", "AWS_PROFILE": "yml"}, None),
        ({"AWS_PROFILE": ""}, None),
        ({"AWS_PROFILE": "yml"}, "tab"),
        ({"AWS_CONFIG_FILE": "/nonexistent/config"}, None),
        ({"AWS_CONFIG_FILE": "/nonexistent/config"}, "creds-only"),
        ({"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"}, "creds-only"),
    ],
)
def test_the_profile_is_read_as_a_botocore_session_reads_it(
    tmp_path: Path,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    profile: str | None,
) -> None:
    """The command line reads the profile's `output` without a botocore `Session`
    (`_scoped_config`); what it reads is what `Session.get_scoped_config()` returns."""
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    from aios3.cli._common import _scoped_config

    credentials = tmp_path / "credentials"
    credentials.write_text(_CREDENTIALS)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def read(how: object) -> object:
        try:
            return how()  # type: ignore[operator]
        except ProfileNotFound as exc:
            return f"ProfileNotFound: {exc}"

    expected = read(lambda: botocore.session.Session(profile=profile).get_scoped_config())
    assert read(lambda: _scoped_config(profile)) == expected


def test_a_command_loads_no_session_and_no_jmespath_it_does_not_need(
    config_file: Path,
) -> None:
    """Reading the profile's `output` imports no `botocore.session` (a tenth of a short
    command), and jmespath is imported for `--query` only: checked in a process of its
    own, with a command that sends nothing."""
    probe = (
        "import json, sys\n"
        "from aios3.cli import main\n"
        "code = main(['s3api', 'list-parts', '--profile', 'tab', "
        "'--generate-cli-skeleton', 'input'] + sys.argv[1:])\n"
        "print(json.dumps([code, 'botocore.session' in sys.modules, 'jmespath' in sys.modules]))\n"
    )
    for extra, jmespath in (([], False), (["--query", "Bucket"], True)):
        r = subprocess.run(
            [sys.executable, "-c", probe, *extra],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        assert json.loads(r.stdout.splitlines()[-1]) == [0, False, jmespath]
