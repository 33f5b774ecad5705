"""Profile one client and operation of the benchmark with cProfile.

    python -m bench.profile_client --client aios3 --op abort
    python -m bench.profile_client --client aios3 --op list_parts --calls 50 --out lp.prof

Starts the same stub server as `bench.run`, warms the client up, then profiles `--calls`
calls (sequential unless `--concurrency` is given) and prints the top functions by own
time and by cumulative time, in µs per call. cProfile's own overhead inflates small,
call-heavy functions: use it to find where time goes, and `bench.run` for the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys

try:
    from bench.run import CLIENTS, FACTORIES, OPS, pin_cpus, run_calls, stub_server
except ImportError:  # run as `python bench/profile_client.py`
    from run import (  # type: ignore[no-redef]
        CLIENTS,
        FACTORIES,
        OPS,
        pin_cpus,
        run_calls,
        stub_server,
    )


async def profile(args: argparse.Namespace, base: str) -> pstats.Stats:
    client = await FACTORIES[args.client](base)
    try:
        if args.op not in client.ops:
            raise SystemExit(f"{args.client} has no {args.op!r} operation")
        op = client.ops[args.op]
        if client.deep_check is not None:
            await client.deep_check()
        await run_calls(op, max(8, args.calls // 10), args.concurrency)
        prof = cProfile.Profile()
        prof.enable()
        await run_calls(op, args.calls, args.concurrency)
        prof.disable()
    finally:
        await client.close()
    return pstats.Stats(prof)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile_client")
    ap.add_argument("--client", choices=CLIENTS, default="aios3")
    ap.add_argument("--op", choices=OPS, default="abort")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", metavar="PATH", help="also dump the raw profile to PATH")
    args = ap.parse_args(argv)
    with stub_server(pin_cpus()) as base:
        stats = asyncio.run(profile(args, base))
    if args.out:
        stats.dump_stats(args.out)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{args.client} {args.op}: {total / args.calls * 1e6:.1f} µs per call under cProfile")
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats.stream = buf  # type: ignore[attr-defined]
        stats.sort_stats(key).print_stats(args.top)
        print(f"\n=== by {key} (seconds over {args.calls} calls) ===")
        print(buf.getvalue().split("\n\n", 1)[-1].rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
