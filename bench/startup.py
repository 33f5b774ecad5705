"""Start-up: import, first client, a second client and peak memory, each on fresh processes.

    python -m bench.startup                    # 5 rounds (~30-60 s on 2 cores)
    python -m bench.startup --rounds 3 --second 10
    python -m bench.startup --json bench/startup-results.json

Three contenders, alternated within every round (the order rotates from round to round):

- `aios3`: `import aios3`; `aios3.S3Client(region_name=..., endpoint_url=...,
  config=aios3.Config(max_pool_connections=64))`, `async with`, one
  `abort_multipart_upload`.
- `aiobotocore`: `from aiobotocore.session import get_session`; one `AioSession` per
  process (as an application keeps one), `create_client("s3", ...)` per client.
- `floor2`: `import aiohttp, botocore.auth`, then one signed call by hand: `AWSRequest` +
  `S3SigV4Auth.add_auth` + `aiohttp.ClientSession().request`.

Every contender reads its keys from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, with
`AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` pointing at empty files (nothing else
`AWS_*` is passed), and aborts against `bench/stub_server.py` (204), which runs in its own
process, pinned to another CPU than the contenders (as `bench.run` does; `--no-pin`).

Figures, per contender (medians over rounds; ratios are ratios of those medians):

- **import**: the contender's imports, timed inside a fresh process (`asyncio` is imported
  before the timer by all three).
- **fresh process to first abort**: from the parent's `Popen` to the child's line saying
  its first abort returned (import + construct + open + first call; interpreter start-up
  counts for all three).
- **first client**: construct + open + first abort, in that fresh process.
- **second client**: construct + open + first abort of one more client in the same process
  (the median over `--second` clients, each closed before the next, untimed).
- **peak RSS**: `ru_maxrss` of another fresh process after one client made 1,000 aborts
  (64 concurrent workers, 64 pooled connections).

A child fails loudly (the status of each abort is checked); the parent refuses to report a
round with a failed child.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

REGION = "us-east-1"
ACCESS_KEY = "AKIDBENCHEXAMPLE"
SECRET_KEY = "bench/secret/key/EXAMPLEKEY"
BUCKET, KEY, UPLOAD_ID = "b", "k", "u"
CONTENDERS = ("aios3", "aiobotocore", "floor2")
POOL = 64
FIGURES = (
    ("import_ms", "import", "ms"),
    ("process_ms", "fresh process to first abort", "ms"),
    ("first_ms", "first client: construct + open + abort", "ms"),
    ("second_ms", "second client: construct + open + abort", "ms"),
    ("rss_mb", "peak RSS after 1,000 aborts", "MB"),
)


# --------------------------------------------------------------------------- the children
# Each returns (import seconds, an async factory of "open a client and abort once", which
# returns a close coroutine function). Nothing heavy is imported before the timer.


def _import_aios3() -> tuple[float, Any]:
    t0 = time.perf_counter()
    import aios3

    elapsed = time.perf_counter() - t0

    async def client(base: str) -> Any:
        s3 = aios3.S3Client(
            region_name=REGION, endpoint_url=base, config=aios3.Config(max_pool_connections=POOL)
        )
        await s3.__aenter__()

        async def abort() -> None:
            r = await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
            if r.response_metadata.http_status_code != 204:
                raise SystemExit("aios3: abort did not answer 204")

        return abort, s3.close

    return elapsed, client


def _import_aiobotocore() -> tuple[float, Any]:
    t0 = time.perf_counter()
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    elapsed = time.perf_counter() - t0
    session = None

    async def client(base: str) -> Any:
        nonlocal session
        if session is None:  # one session per process, as an application keeps one
            session = get_session()
        ctx = session.create_client(
            "s3",
            region_name=REGION,
            endpoint_url=base,
            config=AioConfig(max_pool_connections=POOL),
        )
        s3 = await ctx.__aenter__()

        async def abort() -> None:
            r = await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
            if r["ResponseMetadata"]["HTTPStatusCode"] != 204:
                raise SystemExit("aiobotocore: abort did not answer 204")

        async def close() -> None:
            await ctx.__aexit__(None, None, None)

        return abort, close

    return elapsed, client


def _import_floor2() -> tuple[float, Any]:
    t0 = time.perf_counter()
    import aiohttp
    import botocore.auth
    from botocore.awsrequest import AWSRequest  # imported by botocore.auth already

    elapsed = time.perf_counter() - t0

    class Keys:  # what S3SigV4Auth reads (botocore.credentials is not imported)
        def __init__(self) -> None:
            self.access_key = os.environ["AWS_ACCESS_KEY_ID"]
            self.secret_key = os.environ["AWS_SECRET_ACCESS_KEY"]
            self.token = None

    async def client(base: str) -> Any:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POOL))
        signer = botocore.auth.S3SigV4Auth(Keys(), "s3", REGION)
        url = f"{base}/{BUCKET}/{KEY}?uploadId={UPLOAD_ID}"

        async def abort() -> None:
            request = AWSRequest(method="DELETE", url=url)
            signer.add_auth(request)
            async with session.request(
                "DELETE", url, headers=dict(request.headers.items())
            ) as resp:
                await resp.read()
                if resp.status != 204:
                    raise SystemExit("floor2: abort did not answer 204")

        return abort, session.close

    return elapsed, client


IMPORTERS = {
    "aios3": _import_aios3,
    "aiobotocore": _import_aiobotocore,
    "floor2": _import_floor2,
}


async def _open_and_abort(factory: Any, base: str) -> tuple[float, Any, Any]:
    t0 = time.perf_counter()
    abort, close = await factory(base)
    await abort()
    return time.perf_counter() - t0, abort, close


async def _child_first(name: str, base: str, second: int) -> dict[str, Any]:
    import_s, factory = IMPORTERS[name]()
    first_s, _, close = await _open_and_abort(factory, base)
    print("ABORTED", flush=True)  # the parent stops its wall clock here
    await close()
    seconds = []
    for _ in range(second):
        s, _, close = await _open_and_abort(factory, base)
        seconds.append(s)
        await close()
    return {
        "import_ms": import_s * 1e3,
        "first_ms": first_s * 1e3,
        "second_ms": statistics.median(seconds) * 1e3 if seconds else None,
        "second_all_ms": [s * 1e3 for s in seconds],
    }


async def _child_rss(name: str, base: str, calls: int) -> dict[str, Any]:
    import resource

    _, factory = IMPORTERS[name]()
    _, abort, close = await _open_and_abort(factory, base)
    left = calls - 1

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await abort()

    await asyncio.gather(*(worker() for _ in range(POOL)))
    await close()
    return {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_main(args: argparse.Namespace) -> None:
    if args.child_mode == "first":
        result = asyncio.run(_child_first(args.child, args.base, args.second))
    else:
        result = asyncio.run(_child_rss(args.child, args.base, args.calls))
    print("RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- the parent


def child_env(config_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    config, credentials = (os.path.join(config_dir, n) for n in ("config", "credentials"))
    for path in (config, credentials):
        with open(path, "w"):
            pass
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_CONFIG_FILE=config,
        AWS_SHARED_CREDENTIALS_FILE=credentials,
    )
    return env


def run_child(
    name: str, mode: str, base: str, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.startup", "--child", name, "--child-mode", mode]
    cmd += ["--base", base, "--second", str(args.second), "--calls", str(args.calls)]
    cwd = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    result: dict[str, Any] = {}
    for line in proc.stdout:
        if line == "ABORTED\n":
            result["process_ms"] = (time.perf_counter() - t0) * 1e3
        elif line.startswith("RESULT "):
            result.update(json.loads(line[7:]))
    if proc.wait() != 0 or not result:
        raise SystemExit(f"{name} ({mode}) failed with exit status {proc.returncode}")
    return result


def collect(args: argparse.Namespace, base: str, env: dict[str, str]) -> dict[str, Any]:
    samples: dict[str, dict[str, list[float]]] = {
        c: {f: [] for f, _, _ in FIGURES} for c in args.contenders
    }
    order = list(args.contenders)
    for r in range(args.rounds):
        turn = order[r % len(order) :] + order[: r % len(order)]
        for mode in ("first", "rss"):
            for name in turn:
                result = run_child(name, mode, base, env, args)
                for f, _, _ in FIGURES:
                    if result.get(f) is not None:
                        samples[name][f].append(result[f])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return samples


def report(samples: dict[str, dict[str, list[float]]], args: argparse.Namespace) -> dict[str, Any]:
    med = {
        c: {f: statistics.median(v) if v else None for f, v in figs.items()}
        for c, figs in samples.items()
    }

    def ratio(f: str, a: str, b: str) -> float | None:
        x, y = med.get(a, {}).get(f), med.get(b, {}).get(f)
        return x / y if x is not None and y else None

    names = list(args.contenders)
    head = f"| {'figure':<46} | " + " | ".join(f"{n:>11}" for n in names)
    head += " | aios3/floor2 | aios3/aiobotocore |"
    print(head)
    print(
        "|"
        + "-" * 48
        + "|"
        + "|".join("-" * 12 + ":" for _ in names)
        + "|-------------:|------------------:|"
    )
    ratios: dict[str, dict[str, float | None]] = {}

    def fmt(x: float | None, spec: str) -> str:
        return "-" if x is None else format(x, spec)

    for f, title, unit in FIGURES:
        cells = " | ".join(f"{fmt(med[n][f], '.1f'):>11}" for n in names)
        rf, rb = ratio(f, "aios3", "floor2"), ratio(f, "aios3", "aiobotocore")
        ratios[f] = {"aios3/floor2": rf, "aios3/aiobotocore": rb}
        label = f"{title} ({unit})"
        print(f"| {label:<46} | {cells} | {fmt(rf, '.2f'):>12} | {fmt(rb, '.2f'):>17} |")
    pinned = (
        f"Pinned: contenders CPU {args.pinned[0]}, stub CPU {args.pinned[1]}."
        if args.pinned
        else "Not pinned."
    )
    print(
        f"\nmedians of {args.rounds} rounds; second client: median of {args.second} per "
        f"process; RSS after {args.calls} aborts. {pinned}"
    )
    return {"medians": med, "ratios": ratios, "samples": samples}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="fresh processes per contender")
    ap.add_argument("--second", type=int, default=20, help="second clients per process")
    ap.add_argument("--calls", type=int, default=1000, help="aborts before reading the RSS")
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    # internal: a child process
    ap.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    ap.add_argument("--child-mode", choices=("first", "rss"), help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is None:
        args.contenders = [c for c in args.contenders.split(",") if c]
        unknown = set(args.contenders) - set(CONTENDERS)
        if unknown:
            ap.error(f"unknown contenders: {sorted(unknown)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child is not None:
        child_main(args)
        return
    from bench.run import _git_state, _version, pin_cpus, stub_server

    args.pinned = pin_cpus() if args.pin else None
    with tempfile.TemporaryDirectory() as config_dir, stub_server(args.pinned) as base:
        env = child_env(config_dir)
        samples = collect(args, base, env)
    result = report(samples, args)
    if args.json:
        result["meta"] = {
            "python": sys.version.split()[0],
            "aios3_commit": _git_state(),
            "versions": {p: _version(p) for p in ("aiohttp", "botocore", "aiobotocore")},
            "rounds": args.rounds,
            "second_clients": args.second,
            "rss_calls": args.calls,
            "pinned": args.pinned,
        }
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
