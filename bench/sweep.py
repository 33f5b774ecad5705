"""The sweeper's benchmark and scale run, against `bench/sweep_stub.py` in a subprocess.

    python -m bench.sweep                       # benchmark: 20,000 uploads, 5 rounds
    python -m bench.sweep --uploads 5000 --rounds 3
    python -m bench.sweep scale --uploads 100000  # one sweep, RSS growth (JSON on stdout)

**Benchmark.** Each round runs every contender once, in an order that rotates and
reverses from round to round, each on a fresh set of `--uploads` stale uploads (1% of
them too young to be swept), with 64 uploads in flight and 64 pooled connections:

- `plain+check`: the loop a user would write today: page through
  `iter_multipart_uploads`, and for each upload old enough, under a semaphore of 64,
  `abort_multipart_upload` then a `list_parts` check (`NoSuchUpload` or no parts);
- `plain`: the same loop without the check;
- `sweep-parts`, `sweep-listing`, `sweep-none`: `sweep_multipart_uploads(...,
  concurrency=64, verify=True / "listing" / False)`.

Throughput is uploads swept per second of wall time; the client's CPU time is recorded
too. After each run the stub's counters must show every selected upload aborted, the
young ones left, and no unsigned request. The table gives medians over the rounds and the
ratios of medians against the issue's targets.

**Scale.** One `verify="listing"` sweep of `--uploads` uploads (1% too young); the peak
RSS (`ru_maxrss`) is read after the client is warmed up and after the sweep; the growth
is the difference. `tests/servers/test_sweep_scale.py` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 64
NEW_EVERY = 100
BUCKET = "sweep-bench"
ACCESS_KEY = "AKIDBENCHSWEEP"
SECRET_KEY = "bench-sweep-secret"
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
TARGETS = {  # (contender, baseline): the bound on contender's / baseline's rate
    ("sweep-parts", "plain+check"): 1.0,
    ("sweep-listing", "plain+check"): 1.5,
    ("sweep-none", "plain"): 1.0,
}


def pin_cpus() -> tuple[int, int] | None:
    """(client CPU, stub CPU) when this process may use two CPUs or more, else None."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else None


@contextlib.contextmanager
def stub(uploads: int, pin: tuple[int, int] | None = None) -> Iterator[str]:
    """Start `bench/sweep_stub.py` in a subprocess; yield its base URL."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.sweep_stub",
            "--port",
            "0",
            "--uploads",
            str(uploads),
            "--new-every",
            str(NEW_EVERY),
            "--watch-stdin",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        if pin is not None:
            os.sched_setaffinity(proc.pid, {pin[1]})
            os.sched_setaffinity(0, {pin[0]})
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the sweep stub did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def stub_call(base: str, method: str, path: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.request(method, base + path) as r:
        return json.loads(await r.read()) if r.status == 200 else {}


def client(base: str) -> Any:
    import aios3

    return aios3.S3Client(
        region_name="us-east-1",
        endpoint_url=base,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=aios3.Config(max_pool_connections=CONCURRENCY),
    )


def selected_of(uploads: int) -> int:
    return uploads - uploads // NEW_EVERY


# --------------------------------------------------------------------------- contenders


async def plain_loop(s3: Any, check: bool) -> int:
    """What a user writes today: page, and abort (+ check) under a semaphore of 64."""
    from aios3.errors import NoSuchUpload

    cutoff = NOW - timedelta(days=7)
    slots = asyncio.Semaphore(CONCURRENCY)
    left_parts = 0

    async def one(key: str, upload_id: str) -> None:
        nonlocal left_parts
        async with slots:
            await s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)
            if check:
                try:
                    r = await s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id)
                except NoSuchUpload:
                    return
                left_parts += len(r.parts)

    tasks = []
    async for u in s3.iter_multipart_uploads(Bucket=BUCKET):
        if u.initiated is not None and u.initiated < cutoff:
            tasks.append(asyncio.ensure_future(one(u.key, u.upload_id)))
    await asyncio.gather(*tasks)
    assert left_parts == 0
    return len(tasks)


def sweeper(verify: Any) -> Callable[[Any], Awaitable[int]]:
    async def run(s3: Any) -> int:
        report = await s3.sweep_multipart_uploads(
            Bucket=BUCKET,
            older_than=timedelta(days=7),
            now=NOW,
            concurrency=CONCURRENCY,
            verify=verify,
        )
        assert report.failed_count == 0 and report.already_gone == 0, report
        return int(report.aborted)

    return run


CONTENDERS: dict[str, Callable[[Any], Awaitable[int]]] = {
    "plain+check": lambda s3: plain_loop(s3, check=True),
    "plain": lambda s3: plain_loop(s3, check=False),
    "sweep-parts": sweeper(True),
    "sweep-listing": sweeper("listing"),
    "sweep-none": sweeper(False),
}


async def one_run(s3: Any, base: str, name: str, uploads: int) -> dict[str, float]:
    await stub_call(base, "POST", f"/__reset?uploads={uploads}&new_every={NEW_EVERY}")
    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    swept = await CONTENDERS[name](s3)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    stats = await stub_call(base, "GET", "/__stats")
    want = selected_of(uploads)
    assert swept == want, (name, swept, want)
    assert stats["left"] == uploads - want, (name, stats)
    assert stats["routes"].get("abort") == want and "unsigned" not in stats["routes"], stats
    return {
        "wall": wall,
        "cpu": cpu,
        "rate": want / wall,
        "requests": sum(stats["routes"].values()),
    }


async def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    names = list(CONTENDERS)
    runs: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    with stub(args.uploads, None if args.no_pin else pin_cpus()) as base:
        async with client(base) as s3:
            for name in names:  # warm-up: every path once, on a small set
                await one_run(s3, base, name, 2000)
            for r in range(args.rounds):
                order = names[r % len(names) :] + names[: r % len(names)]
                if r % 2:
                    order.reverse()
                for name in order:
                    runs[name].append(await one_run(s3, base, name, args.uploads))
                    print(
                        f"round {r + 1} {name:14s} {runs[name][-1]['rate']:8.0f} uploads/s "
                        f"cpu {runs[name][-1]['cpu']:.2f}s",
                        file=sys.stderr,
                    )
    med = {
        n: {k: statistics.median(x[k] for x in runs[n]) for k in ("rate", "cpu", "wall")}
        for n in names
    }
    spread = {n: (min(x["rate"] for x in runs[n]), max(x["rate"] for x in runs[n])) for n in names}
    ratios = {
        f"{a} / {b}": {"ratio": med[a]["rate"] / med[b]["rate"], "target": t}
        for (a, b), t in TARGETS.items()
    }
    return {
        "uploads": args.uploads,
        "rounds": args.rounds,
        "median": med,
        "spread": spread,
        "ratios": ratios,
        "runs": runs,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"{result['uploads']} uploads per run, {result['rounds']} rounds (medians)")
    print("| contender | uploads/s | min - max | client CPU s | requests/upload |")
    print("|---|---:|---:|---:|---:|")
    for name, m in result["median"].items():
        lo, hi = result["spread"][name]
        reqs = statistics.median(x["requests"] for x in result["runs"][name])
        print(
            f"| {name} | {m['rate']:,.0f} | {lo:,.0f} - {hi:,.0f} | {m['cpu']:.2f} | "
            f"{reqs / selected_of(result['uploads']):.2f} |"
        )
    print()
    print("| ratio (uploads/s) | measured | target |")
    print("|---|---:|---:|")
    for name, r in result["ratios"].items():
        print(f"| {name} | {r['ratio']:.2f} | >= {r['target']} |")


# --------------------------------------------------------------------------- scale


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def scale(args: argparse.Namespace) -> dict[str, Any]:
    with stub(args.uploads) as base:
        async with client(base) as s3:
            # warm-up: imports, the client's setup, the pool, every code path once
            await stub_call(base, "POST", f"/__reset?uploads=3000&new_every={NEW_EVERY}")
            await sweeper(args.verify)(s3)
            await stub_call(base, "POST", f"/__reset?uploads={args.uploads}&new_every={NEW_EVERY}")
            gc.collect()
            before = _maxrss_mb()
            t0 = time.perf_counter()
            report = await s3.sweep_multipart_uploads(
                Bucket=BUCKET,
                older_than=timedelta(days=7),
                now=NOW,
                concurrency=CONCURRENCY,
                verify=args.verify,
            )
            elapsed = time.perf_counter() - t0
            after = _maxrss_mb()
            stats = await stub_call(base, "GET", "/__stats")
    return {
        "uploads": args.uploads,
        "verify": args.verify,
        "seconds": elapsed,
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_growth_mb": after - before,
        "report": report.model_dump(mode="json", exclude={"failed"}),
        "stub": stats,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="?", choices=["bench", "scale"], default="bench")
    ap.add_argument("--uploads", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--verify", default="listing", help="scale: the sweep's verify")
    ap.add_argument("--no-pin", action="store_true", help="benchmark: do not pin CPUs")
    ap.add_argument("--json", type=Path, help="benchmark: write the result here")
    args = ap.parse_args(argv)
    if args.verify in ("True", "False"):
        args.verify = args.verify == "True"
    if args.what == "scale":
        args.uploads = args.uploads or 100_000
        print(json.dumps(asyncio.run(scale(args))))
        return 0
    args.uploads = args.uploads or 20_000
    result = asyncio.run(benchmark(args))
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
