"""Benchmark: uploading one large file to the stub server over http, aios3's `upload_file`
next to boto3's (s3transfer, threads) and aioboto3's `upload_fileobj`, all with 8 MiB parts
and 10 at a time.

    python -m bench.upload                       # 1 GiB, 3 rounds
    python -m bench.upload --size-mib 256 --rounds 5 --json bench/upload-results.json
    python -m bench.upload --aioboto3-python PATH/TO/venv/bin/python   # add aioboto3

Each measurement is a fresh process (`--one NAME`), so its peak RSS is its own: client CPU
(user + system, all threads, `resource.getrusage`), wall time and peak RSS
(`ru_maxrss`) of the upload alone are reported by the child; the imports and the client's
setup happen before the clock starts, but count in the peak RSS, as they would in a real
process. Contenders alternate within each round (the order reverses every round) and the
table gives medians. The stub (its own process, not measured) counts the body bytes it
received: each run must deliver exactly the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
PART = 8 * MiB
CONCURRENCY = 10
HERE = Path(__file__).resolve().parent


def _usage() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024  # CPU seconds, peak RSS MiB (Linux: KiB)


def _report(cpu0: float, t0: float) -> None:
    cpu1, rss = _usage()
    print(json.dumps({"cpu_s": cpu1 - cpu0, "wall_s": time.perf_counter() - t0, "rss_mib": rss}))


def run_aios3(endpoint: str, path: str) -> None:
    import asyncio

    import aios3

    async def main() -> None:
        config = aios3.Config(max_pool_connections=CONCURRENCY)
        async with aios3.S3Client(
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDBENCH",
            aws_secret_access_key="bench-secret",
            config=config,
        ) as s3:
            tc = aios3.TransferConfig(multipart_chunksize=PART, max_concurrency=CONCURRENCY)
            cpu0, t0 = _usage()[0], time.perf_counter()
            await s3.upload_file(path, "b", "bench.bin", Config=tc)
            _report(cpu0, t0)

    asyncio.run(main())


def run_boto3(endpoint: str, path: str) -> None:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench-secret",
        config=Config(max_pool_connections=CONCURRENCY),
    )
    client.list_multipart_uploads(Bucket="b")  # warm: endpoint, signer, pool
    tc = TransferConfig(multipart_chunksize=PART, max_concurrency=CONCURRENCY)
    cpu0, t0 = _usage()[0], time.perf_counter()
    client.upload_file(path, "b", "bench.bin", Config=tc)
    _report(cpu0, t0)


def run_aioboto3(endpoint: str, path: str) -> None:
    import asyncio

    import aioboto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    async def main() -> None:
        session = aioboto3.Session()
        async with session.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDBENCH",
            aws_secret_access_key="bench-secret",
            config=Config(max_pool_connections=CONCURRENCY),
        ) as client:
            await client.list_multipart_uploads(Bucket="b")
            tc = TransferConfig(multipart_chunksize=PART, max_concurrency=CONCURRENCY)
            cpu0, t0 = _usage()[0], time.perf_counter()
            with open(path, "rb") as f:  # noqa: ASYNC230 - not timed
                await client.upload_fileobj(f, "b", "bench.bin", Config=tc)
            _report(cpu0, t0)

    asyncio.run(main())


RUNNERS = {"aios3": run_aios3, "boto3": run_boto3, "aioboto3": run_aioboto3}


def _stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats") as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def _measure(name: str, python: str, port: int, path: str, size: int) -> dict[str, float]:
    before = _stats(port)["body_bytes"]
    out = subprocess.run(
        [python, "-m", "bench.upload", "--one", name, "--port", str(port), "--file", path],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    if out.returncode:
        raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    got = _stats(port)["body_bytes"] - before
    if got != size:
        raise SystemExit(f"{name}: the stub received {got} body bytes, not {size}")
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", default="aios3,boto3")
    ap.add_argument("--aioboto3-python", help="a python with aioboto3 installed")
    ap.add_argument("--json")
    ap.add_argument("--one", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        RUNNERS[args.one](f"http://127.0.0.1:{args.port}", args.file)
        return

    clients = args.clients.split(",")
    pythons = {c: sys.executable for c in clients}
    if args.aioboto3_python:
        clients.append("aioboto3")
        pythons["aioboto3"] = args.aioboto3_python
    size = args.size_mib * MiB
    stub = subprocess.Popen(
        [sys.executable, str(HERE / "stub_server.py"), "--watch-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stub.stdout is not None
        port = int(stub.stdout.readline().split()[1])
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(stub.pid, {1})  # the stub on one CPU, the clients on the other
            os.sched_setaffinity(0, {0})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "upload.bin")
            with open(path, "wb") as f:
                block = os.urandom(MiB)
                for _ in range(args.size_mib):
                    f.write(block)
            results: dict[str, list[dict[str, float]]] = {c: [] for c in clients}
            for r in range(args.rounds):
                order = clients if r % 2 == 0 else clients[::-1]
                for c in order:
                    m = _measure(c, pythons[c], port, path, size)
                    results[c].append(m)
                    print(
                        f"round {r + 1} {c:9s} cpu {m['cpu_s'] * 1000 / args.size_mib:6.2f} ms/MiB"
                        f"  wall {m['wall_s']:6.2f} s  rss {m['rss_mib']:6.1f} MiB",
                        flush=True,
                    )
    finally:
        if stub.stdin is not None:
            stub.stdin.close()
        stub.wait(10)

    print(f"\n{args.size_mib} MiB, {args.rounds} rounds, medians:")
    print("| client | CPU ms/MiB (min-max) | wall s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    table: dict[str, dict[str, float]] = {}
    for c in clients:
        cpu = [m["cpu_s"] * 1000 / args.size_mib for m in results[c]]
        wall = [m["wall_s"] for m in results[c]]
        rss = [m["rss_mib"] for m in results[c]]
        table[c] = {
            "cpu_ms_per_mib": statistics.median(cpu),
            "wall_s": statistics.median(wall),
            "rss_mib": statistics.median(rss),
        }
        print(
            f"| {c} | {statistics.median(cpu):.2f} ({min(cpu):.2f}-{max(cpu):.2f}) "
            f"| {statistics.median(wall):.2f} | {statistics.median(rss):.0f} |"
        )
    if "boto3" in table and "aios3" in table:
        a, b = table["aios3"], table["boto3"]
        print(
            f"\naios3 / s3transfer: CPU {a['cpu_ms_per_mib'] / b['cpu_ms_per_mib']:.2f} "
            f"(target <= 0.7), peak RSS {a['rss_mib'] / b['rss_mib']:.2f} (target <= 1.0)"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"size_mib": args.size_mib, "rounds": results, "medians": table}, indent=1)
        )


if __name__ == "__main__":
    main()
