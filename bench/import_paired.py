"""Paired A/B of start-up in fresh processes: `import aios3` (or any statement) against the
floor (`import aiohttp, botocore.auth`), for ratios on a noisy machine.

    python -m bench.import_paired [--runs 15] [--a 'import aios3']
        [--b 'import aiohttp, botocore.auth']

Each run starts a fresh interpreter for A and one for B, in turn (A B, B A, ...), and
reads the time the statement took inside the process (so interpreter start-up, the same
for both, is left out); the report gives both medians and the median of the per-pair
ratios. Byte-code must be compiled beforehand (`python -m compileall -q aios3`), as an
installed package is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

PROBE = "import time\nt = time.perf_counter()\n{stmt}\nprint(time.perf_counter() - t)\n"


def _time(stmt: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(stmt=stmt)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.import_paired")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--a", default="import aios3")
    ap.add_argument("--b", default="import aiohttp, botocore.auth")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _time(args.a, env), _time(args.b, env)  # warm-up (page cache, byte-code)
    a: list[float] = []
    b: list[float] = []
    for i in range(args.runs):
        if i % 2 == 0:
            a.append(_time(args.a, env))
            b.append(_time(args.b, env))
        else:
            b.append(_time(args.b, env))
            a.append(_time(args.a, env))
    ratios = sorted(x / y for x, y in zip(a, b, strict=True))
    q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    print(f"A {args.a!r:40} median {statistics.median(a) * 1e3:7.1f} ms")
    print(f"B {args.b!r:40} median {statistics.median(b) * 1e3:7.1f} ms")
    print(f"A/B median of pairs {statistics.median(ratios):.2f} (quartiles {q1:.2f}-{q3:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
