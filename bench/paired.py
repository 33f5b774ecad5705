"""Paired A/B of two clients of the benchmark, for ratios on a noisy machine.

    python -m bench.paired --a aios3-resource --b aios3 --op abort --mode c64
    python -m bench.paired --a aios3 --b raw --op abort --mode seq --blocks 60

`bench.run` measures each cell as one block of calls, so a machine whose speed drifts
within a run (a shared VM: the same cell moved 2x between rounds on the development
machine) shifts a ratio by more than the effect being looked for. Here both clients live
in one process against one stub server, and short blocks of calls alternate A, B, B, A,
... so both see the same machine state; the ratio is read per pair of neighbouring blocks,
and the report gives the median of those ratios with its quartiles, plus the ratio of the
total CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys

try:
    from bench.run import CLIENTS, FACTORIES, OPS, measure, pin_cpus, run_calls, stub_server
except ImportError:  # run as `python bench/paired.py`
    from run import (  # type: ignore[no-redef]
        CLIENTS,
        FACTORIES,
        OPS,
        measure,
        pin_cpus,
        run_calls,
        stub_server,
    )


async def paired(args: argparse.Namespace, base: str) -> list[tuple[float, float]]:
    a = await FACTORIES[args.a](base)
    b = await FACTORIES[args.b](base)
    conc = 64 if args.mode == "c64" else 1
    try:
        for c in (a, b):
            if args.op not in c.ops:
                raise SystemExit(f"{c.name} has no {args.op!r} operation")
            await run_calls(c.ops[args.op], 256, 64)  # fill the pool, warm the caches
            await run_calls(c.ops[args.op], args.block_calls, conc)
        pairs = []
        for i in range(args.blocks):
            first, second = (a, b) if i % 2 == 0 else (b, a)
            x, _ = await measure(first.ops[args.op], args.block_calls, conc)
            y, _ = await measure(second.ops[args.op], args.block_calls, conc)
            pairs.append((x, y) if first is a else (y, x))
        return pairs
    finally:
        await a.close()
        await b.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.paired")
    ap.add_argument("--a", choices=CLIENTS, default="aios3-resource")
    ap.add_argument("--b", choices=CLIENTS, default="aios3")
    ap.add_argument("--op", choices=OPS, default="abort")
    ap.add_argument("--mode", choices=("seq", "c64"), default="c64")
    ap.add_argument("--blocks", type=int, default=40, help="blocks per client (default 40)")
    ap.add_argument("--block-calls", type=int, default=256, help="calls per block")
    ap.add_argument("--no-pin", action="store_true")
    args = ap.parse_args(argv)
    pin = None if args.no_pin else pin_cpus()
    with stub_server(pin) as base:
        pairs = asyncio.run(paired(args, base))
    ratios = sorted(x / y for x, y in pairs)
    q1, med, q3 = statistics.quantiles(ratios, n=4)
    total = sum(x for x, _ in pairs) / sum(y for _, y in pairs)
    print(
        f"{args.op} {args.mode}: {args.a} / {args.b}, {args.blocks} pairs of "
        f"{args.block_calls} calls\n"
        f"  median of pair ratios {med:.3f} (quartiles {q1:.3f} .. {q3:.3f}); "
        f"ratio of total CPU {total:.3f}\n"
        f"  CPU per call, median: {args.a} {statistics.median(x for x, _ in pairs):.0f} us, "
        f"{args.b} {statistics.median(y for _, y in pairs):.0f} us"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
