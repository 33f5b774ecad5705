"""Wall time of one `aios3 s3api abort-multipart-upload` next to `aws s3api
abort-multipart-upload`, each a whole process, against a local SeaweedFS (issue 9, item 8).

    python -m bench.cli_startup [--runs 7]

The two commands run in turn (A B A B ...) after one warm-up each; the medians and the
median of the per-pair ratios are printed. Both abort an upload id that does not exist
(exit 254 for both), so the same request and error path run each time. `aws` is looked up
next to this Python, then on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from aios3.testing._servers import SeaweedFS


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    venv_aws = Path(sys.executable).with_name("aws")
    aws = str(venv_aws) if venv_aws.exists() else shutil.which("aws")
    if aws is None:
        sys.exit("the aws command (awscli, the dev extra) is not installed")
    server = SeaweedFS()
    server.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=server.access_key,
            AWS_SECRET_ACCESS_KEY=server.secret_key,
            AWS_DEFAULT_REGION="us-east-1",
        )
        tail = ["s3api", "abort-multipart-upload", "--bucket", "bench-cli", "--key", "k"]
        tail += ["--upload-id", "no-such-upload", "--endpoint-url", server.endpoint_url]
        subprocess.run([aws, "s3api", "create-bucket", "--bucket", "bench-cli",
                        "--endpoint-url", server.endpoint_url], env=env,
                       capture_output=True, check=False)  # fmt: skip
        mine = [sys.executable, "-m", "aios3", *tail]
        theirs = [aws, *tail]
        _time(mine, env), _time(theirs, env)  # warm-up
        a, b = [], []
        for _ in range(args.runs):
            a.append(_time(mine, env))
            b.append(_time(theirs, env))
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        print(f"aios3 s3api abort-multipart-upload  median wall {statistics.median(a):.3f} s")
        print(f"aws s3api abort-multipart-upload    median wall {statistics.median(b):.3f} s")
        print(f"aios3/aws (median of pairs)         {ratio:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
