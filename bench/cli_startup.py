"""Wall time of whole `aios3 s3api ...` processes next to the same `aws s3api ...`
(awscli 1.x), command by command, against a local SeaweedFS (issues 9 and 10).

    python -m bench.cli_startup [--runs 7] [--commands abort-multipart-upload,list-parts]
    python -m bench.cli_startup --runs 15 --json bench/results-cli.json

For each command the two processes run in turn (A B A B ...) after one warm-up each;
the medians and the median of the per-pair ratios are printed (and written with `--json`,
which `bench/figure.py` reads). The commands:

- `abort-multipart-upload`: an upload id that does not exist, so both take the same
  request and error path (`NoSuchUpload`, exit 254) every time: the issue's figure;
- `abort-multipart-upload-real`: a real upload, created (untimed, with boto3) for each
  process just before it runs: the success path (exit 0);
- `create-multipart-upload`, `list-parts` (a 3-part upload), `list-multipart-uploads`
  (about 20 uploads in the bucket): success paths, JSON output.

Both commands of a pair must succeed, or both fail, or the run stops (on an S3 error
aws-cli 1.x exits 255 and aios3 254, aws-cli v2's code). `aws` is looked
up next to this Python, then on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from aios3.testing._servers import SeaweedFS

BUCKET = "bench-cli"
COMMANDS = (
    "abort-multipart-upload",
    "abort-multipart-upload-real",
    "create-multipart-upload",
    "list-parts",
    "list-multipart-uploads",
)


def _time(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False, text=True)
    return time.perf_counter() - start, done.returncode, done.stderr.strip()[-500:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--commands", default="abort-multipart-upload")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()
    commands = [c for c in args.commands.split(",") if c]
    if args.commands == "all":
        commands = list(COMMANDS)
    unknown = set(commands) - set(COMMANDS)
    if unknown:
        parser.error(f"unknown commands {sorted(unknown)}; known: {', '.join(COMMANDS)}")
    venv_aws = Path(sys.executable).with_name("aws")
    aws = str(venv_aws) if venv_aws.exists() else shutil.which("aws")
    if aws is None:
        sys.exit("the aws command (awscli, the dev extra) is not installed")
    import boto3

    server = SeaweedFS()
    server.start()
    results: dict[str, dict[str, object]] = {}
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=server.access_key,
            AWS_SECRET_ACCESS_KEY=server.secret_key,
            AWS_DEFAULT_REGION="us-east-1",
        )
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=server.access_key,
            aws_secret_access_key=server.secret_key,
        )
        s3.create_bucket(Bucket=BUCKET)
        parts_key = "bench/parts"
        parts_id = s3.create_multipart_upload(Bucket=BUCKET, Key=parts_key)["UploadId"]
        for n in (1, 2, 3):
            s3.upload_part(
                Bucket=BUCKET, Key=parts_key, UploadId=parts_id, PartNumber=n, Body=b"x" * 1024
            )
        for i in range(16):
            s3.create_multipart_upload(Bucket=BUCKET, Key=f"bench/listed-{i:02d}")

        def fresh_upload() -> list[str]:
            key = "bench/to-abort"
            upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
            return ["--bucket", BUCKET, "--key", key, "--upload-id", upload]

        fixed: dict[str, Callable[[], list[str]]] = {
            "abort-multipart-upload": lambda: [
                "--bucket", BUCKET, "--key", "k", "--upload-id", "no-such-upload"
            ],
            "abort-multipart-upload-real": fresh_upload,
            "create-multipart-upload": lambda: ["--bucket", BUCKET, "--key", "bench/created"],
            "list-parts": lambda: [
                "--bucket", BUCKET, "--key", parts_key, "--upload-id", parts_id
            ],
            "list-multipart-uploads": lambda: ["--bucket", BUCKET, "--prefix", "bench/listed-"],
        }  # fmt: skip
        for command in commands:
            name = command.removesuffix("-real")

            def argv(prog: list[str], command: str = command, name: str = name) -> list[str]:
                tail = ["s3api", name, *fixed[command](), "--endpoint-url", server.endpoint_url]
                return [*prog, *tail]

            mine = [sys.executable, "-m", "aios3"]
            a: list[float] = []
            b: list[float] = []
            _time(argv(mine), env), _time(argv([aws]), env)  # warm-up
            for _ in range(args.runs):
                ta, ca, ea = _time(argv(mine), env)
                tb, cb, eb = _time(argv([aws]), env)
                if (ca == 0) != (cb == 0):  # aws-cli v1 exits 255 on a ClientError, aios3 254
                    sys.exit(f"{command}: aios3 exited {ca} ({ea!r}), aws exited {cb} ({eb!r})")
                a.append(ta)
                b.append(tb)
            ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
            results[command] = {
                "aios3_s": a,
                "aws_s": b,
                "aios3_median_s": statistics.median(a),
                "aws_median_s": statistics.median(b),
                "ratio": ratio,
            }
            print(
                f"{command:30} aios3 {statistics.median(a):.3f} s  aws {statistics.median(b):.3f}"
                f" s  aios3/aws (median of pairs) {ratio:.2f}",
                flush=True,
            )
    finally:
        server.stop()
    if args.json:
        from bench.run import _git_state, _version

        out = {
            "command": "python -m bench.cli_startup " + " ".join(sys.argv[1:]),
            "runs": args.runs,
            "python": sys.version.split()[0],
            "aios3_commit": _git_state(),
            "versions": {p: _version(p) for p in ("awscli", "botocore", "aiohttp", "pydantic")},
            "commands": results,
            "ratios": {c: r["ratio"] for c, r in results.items()},
        }
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
