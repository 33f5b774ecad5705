"""The `aios3` command line as a subprocess against real local servers (SeaweedFS, moto),
side by side with `aws s3api` (awscli, the reference): the same commands on the same server
give the same JSON, once per-call values (upload ids, keys) are set aside and timestamps
are read as instants (aws-cli version 1 prints the server's text, `...Z`; aios3 prints
version 2's default, `...+00:00`)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeBucket, S3Server

ROOT = Path(__file__).resolve().parents[2]
_VENV_AWS = Path(sys.executable).with_name("aws")
AWS = str(_VENV_AWS) if _VENV_AWS.exists() else shutil.which("aws")
_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _env(server: S3Server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=server.access_key,
        AWS_SECRET_ACCESS_KEY=server.secret_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
    )
    return env


async def _run(
    cmd: list[str], server: S3Server, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [*cmd, "--endpoint-url", server.endpoint_url],
        capture_output=True,
        text=True,
        env=_env(server) if env is None else env,
        timeout=60,
        check=False,
    )


async def aios3(
    server: S3Server, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return await _run([sys.executable, "-m", "aios3", "s3api", *args], server, env)


async def aws(
    server: S3Server, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    if AWS is None:
        pytest.skip("the aws command (awscli, the dev extra) is not installed")
    return await _run([AWS, "s3api", *args], server, env)


def _instants(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_instants(v) for v in value]
    if isinstance(value, str) and _DATE.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _json(r: subprocess.CompletedProcess[str]) -> Any:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return _instants(json.loads(r.stdout)) if r.stdout else None


def _without(doc: Any, key: str) -> Any:
    if isinstance(doc, dict):
        return {k: _without(v, key) for k, v in doc.items() if k != key}
    if isinstance(doc, list):
        return [_without(v, key) for v in doc]
    return doc


def _swap(doc: Any, pairs: dict[str, str]) -> Any:
    text = json.dumps(doc, default=str)
    for old, new in pairs.items():
        text = text.replace(old, new)
    return json.loads(text)


@pytest.mark.parametrize("server_name", ["seaweed", "moto_server"])
async def test_multipart_commands_print_what_aws_prints(
    request: pytest.FixtureRequest, server_name: str, make_bucket: MakeBucket, tmp_path: Path
) -> None:
    server: S3Server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    part = tmp_path / "part.bin"
    part.write_bytes(b"x" * (5 * 1024 * 1024))

    # create-multipart-upload (with metadata in aws-cli's shorthand)
    mine = _json(await aios3(server, "create-multipart-upload", "--bucket", bucket, "--key", "a"))
    theirs = _json(await aws(server, "create-multipart-upload", "--bucket", bucket, "--key", "b"))
    assert set(mine) == set(theirs) >= {"Bucket", "Key", "UploadId"}
    assert (mine["Bucket"], mine["Key"]) == (bucket, "a")
    ids = {"a": mine["UploadId"], "b": theirs["UploadId"]}
    same = {ids["b"]: ids["a"], '"Key": "b"': '"Key": "a"'}

    # upload-part --body FILE: the same bytes, the same ETag and checksum
    args = ["--bucket", bucket, "--part-number", "1", "--body", str(part)]
    mine = _json(await aios3(server, "upload-part", "--key", "a", "--upload-id", ids["a"], *args))
    theirs = _json(await aws(server, "upload-part", "--key", "b", "--upload-id", ids["b"], *args))
    assert mine == theirs
    assert mine["ETag"]

    # list-parts
    args = ["list-parts", "--bucket", bucket]
    mine = _json(await aios3(server, *args, "--key", "a", "--upload-id", ids["a"]))
    theirs = _json(await aws(server, *args, "--key", "b", "--upload-id", ids["b"]))
    # (each upload's part has its own LastModified)
    assert _without(mine, "LastModified") == _without(_swap(theirs, same), "LastModified")
    assert [p["PartNumber"] for p in mine["Parts"]] == [1]

    # list-multipart-uploads: the same listing, paged the same way
    for extra in ([], ["--max-items", "1"], ["--page-size", "1"], ["--no-paginate"]):
        mine = _json(await aios3(server, "list-multipart-uploads", "--bucket", bucket, *extra))
        theirs = _json(await aws(server, "list-multipart-uploads", "--bucket", bucket, *extra))
        assert mine == theirs, extra
    assert {u["UploadId"] for u in mine["Uploads"]} == set(ids.values())

    # --query and --output text: the same lines
    args = ["list-multipart-uploads", "--bucket", bucket, "--output", "text"]
    mine_text = await aios3(server, *args, "--query", "Uploads[].[Key, UploadId]")
    theirs_text = await aws(server, *args, "--query", "Uploads[].[Key, UploadId]")
    assert mine_text.returncode == theirs_text.returncode == 0
    assert mine_text.stdout == theirs_text.stdout

    # complete-multipart-upload --multipart-upload file://...
    etag = _json(await aios3(server, *["list-parts", "--bucket", bucket, "--key", "a"],
                             "--upload-id", ids["a"], "--query", "Parts[0].ETag"))  # fmt: skip
    doc = tmp_path / "parts.json"
    doc.write_text(json.dumps({"Parts": [{"ETag": etag, "PartNumber": 1}]}))
    args = ["complete-multipart-upload", "--bucket", bucket, "--multipart-upload", f"file://{doc}"]
    mine = _json(await aios3(server, *args, "--key", "a", "--upload-id", ids["a"]))
    theirs = _json(await aws(server, *args, "--key", "b", "--upload-id", ids["b"]))
    assert set(mine) == set(theirs)
    assert mine["ETag"] == theirs["ETag"]

    # abort: nothing printed on success; NoSuchUpload as aws-cli words it, exit 254
    created = _json(
        await aios3(server, "create-multipart-upload", "--bucket", bucket, "--key", "c")
    )
    args = ["abort-multipart-upload", "--bucket", bucket, "--key", "c"]
    ok = await aios3(server, *args, "--upload-id", created["UploadId"])
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    # (an upload id never made: SeaweedFS answers 204 again for one already aborted)
    mine_err = await aios3(server, *args, "--upload-id", "no-such-upload")
    theirs_err = await aws(server, *args, "--upload-id", "no-such-upload")
    assert mine_err.returncode == 254
    assert mine_err.stdout == theirs_err.stdout == ""
    assert mine_err.stderr.startswith(
        "\nAn error occurred (NoSuchUpload) when calling the AbortMultipartUpload operation: "
    )
    assert mine_err.stderr == theirs_err.stderr


async def test_cli_input_json_and_yaml_output(
    seaweed: S3Server, make_bucket: MakeBucket, tmp_path: Path
) -> None:
    bucket = await make_bucket(seaweed)
    doc = tmp_path / "in.json"
    doc.write_text(json.dumps({"Bucket": bucket, "Key": "k", "Metadata": {"a": "b"}}))
    r = await aios3(seaweed, "create-multipart-upload", "--cli-input-json", f"file://{doc}")
    created = _json(r)
    assert created["Key"] == "k"
    r = await aios3(seaweed, "list-multipart-uploads", "--bucket", bucket, "--output", "yaml")
    assert r.returncode == 0, r.stderr
    assert f"- UploadId: {created['UploadId']}\n  Key: k\n" in r.stdout
    r = await aios3(
        seaweed,
        "abort-multipart-upload",
        "--cli-input-yaml",
        f"Bucket: {bucket}\nKey: k\nUploadId: {created['UploadId']}\n",
    )
    assert (r.returncode, r.stdout) == (0, ""), r.stderr


async def test_bad_credentials_are_a_service_error(seaweed: S3Server) -> None:
    env_server = type(
        "S",
        (),
        {
            "endpoint_url": seaweed.endpoint_url,
            "access_key": "AKIDWRONG",
            "secret_key": "wrong-secret-1234",
        },
    )()
    r = await aios3(env_server, "list-multipart-uploads", "--bucket", "nope-bucket")  # type: ignore[arg-type]
    assert r.returncode == 254, r.stderr
    assert "when calling the ListMultipartUploads operation" in r.stderr
    assert "wrong-secret-1234" not in r.stderr


async def test_no_sign_request_prints_what_aws_prints(
    moto_server: S3Server, make_bucket: MakeBucket, tmp_path: Path
) -> None:
    """moto serves unsigned requests: the same commands, `--no-sign-request` and no
    credentials anywhere, give the same JSON as `aws s3api --no-sign-request`."""
    bucket = await make_bucket(moto_server)
    env = {
        k: v
        for k, v in _env(moto_server).items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    part = tmp_path / "part.bin"
    part.write_bytes(b"u" * 1024)

    async def both(*args: str) -> tuple[Any, Any]:
        mine = await aios3(moto_server, *args, "--no-sign-request", env=env)
        theirs = await aws(moto_server, *args, "--no-sign-request", env=env)
        return _json(mine), _json(theirs)

    # without the flag and without credentials, both refuse before sending (exit 253)
    r = await aios3(moto_server, "list-multipart-uploads", "--bucket", bucket, env=env)
    assert r.returncode == 253, r.stderr
    assert "Unable to locate credentials" in r.stderr

    mine, theirs = await both("create-multipart-upload", "--bucket", bucket, "--key", "anon")
    assert set(mine) == set(theirs) >= {"Bucket", "Key", "UploadId"}
    ids = [mine["UploadId"], theirs["UploadId"]]
    args = ["--bucket", bucket, "--key", "anon", "--part-number", "1", "--body", str(part)]
    mine = _json(await aios3(moto_server, "upload-part", *args, "--upload-id", ids[0],
                             "--no-sign-request", env=env))  # fmt: skip
    theirs = _json(await aws(moto_server, "upload-part", *args, "--upload-id", ids[1],
                             "--no-sign-request", env=env))  # fmt: skip
    assert mine == theirs and mine["ETag"]
    mine, theirs = await both("list-multipart-uploads", "--bucket", bucket)
    assert mine == theirs
    assert {u["UploadId"] for u in mine["Uploads"]} == set(ids)
    for upload_id in ids:
        r = await aios3(moto_server, "abort-multipart-upload", "--bucket", bucket, "--key",
                        "anon", "--upload-id", upload_id, "--no-sign-request", env=env)  # fmt: skip
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


async def test_the_profiles_output_setting_prints_what_aws_prints(
    moto_server: S3Server, make_bucket: MakeBucket, tmp_path: Path
) -> None:
    bucket = await make_bucket(moto_server)
    created = _json(
        await aios3(moto_server, "create-multipart-upload", "--bucket", bucket, "--key", "k")
    )
    assert created["UploadId"]
    config = tmp_path / "config"
    config.write_text("[default]\noutput = text\n[profile tab]\noutput = table\n")
    env = {**_env(moto_server), "AWS_CONFIG_FILE": str(config)}
    # (an explicit profile turns the environment's keys off, in botocore: unsigned then)
    args = ["list-multipart-uploads", "--bucket", bucket, "--no-sign-request"]
    args += ["--query", "Uploads[].[Key, UploadId]"]
    for extra, extra_env in [
        ([], {}),  # the default profile's text
        (["--profile", "tab"], {}),  # table
        (["--profile", "tab"], {"AWS_DEFAULT_OUTPUT": "json"}),  # the environment wins
        (["--profile", "tab", "--output", "text"], {}),  # --output wins
    ]:
        mine = await aios3(moto_server, *args, *extra, env={**env, **extra_env})
        theirs = await aws(moto_server, *args, *extra, env={**env, **extra_env})
        assert mine.returncode == theirs.returncode == 0, (extra, mine.stderr, theirs.stderr)
        assert mine.stdout == theirs.stdout, extra
        assert created["UploadId"] in mine.stdout
