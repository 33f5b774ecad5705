"""Paired A/B of the listing parsers alone: aios3's parser vs floor3p's parse, in one process.

    python -m bench.parse_ab                       # both listings, 40 pairs each
    python -m bench.parse_ab --op list_uploads --pairs 60 --block 5
    python -m bench.parse_ab --profile             # cProfile call counts, one parse each

No server and no HTTP: both sides parse the stub's 1000-item bodies (`bench/stub_server.py`).
aios3's side is what its client runs on an answer: the response metadata, then the
operation's parser (XML to the response model, the items validated in one pydantic call).
floor3p's side is `bench.run.floor3p_parsers()`: defusedxml's `fromstring`, then one
`TypeAdapter(list[TypedDict])` call. Blocks of `--block` parses alternate A, B, B, A, ...
and the report gives the median of the ratios of neighbouring blocks (with quartiles), as
`bench.paired` does for whole calls. The figures are CPU time (`time.process_time`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

try:
    from bench.run import N_ITEMS, floor3p_parsers
    from bench.stub_server import list_parts_body, list_uploads_body
except ImportError:  # run as `python bench/parse_ab.py`
    from run import N_ITEMS, floor3p_parsers  # type: ignore[no-redef]
    from stub_server import list_parts_body, list_uploads_body  # type: ignore[no-redef]

OPS = ("list_parts", "list_uploads")


def contenders(op: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(aios3's parse, floor3p's parse) of `op`'s stub body, each checked once."""
    from multidict import CIMultiDict, CIMultiDictProxy

    from aios3._parse import list_multipart_uploads, list_parts, metadata

    body = list_parts_body("b", "k", "u") if op == "list_parts" else list_uploads_body("b")
    headers = CIMultiDictProxy(
        CIMultiDict(
            {
                "x-amz-request-id": "0123456789ABCDEF",
                "x-amz-id-2": "aG9zdA==",
                "Content-Type": "application/xml",
                "Content-Length": str(len(body)),
                "Date": "Wed, 02 Dec 2026 12:00:00 GMT",
                "Server": "AmazonS3",
            }
        )
    )
    parser = list_parts if op == "list_parts" else list_multipart_uploads
    floor = floor3p_parsers()[op]

    def aios3_parse() -> Any:
        return parser(200, headers, body, metadata(200, headers, 0))

    def floor3p_parse() -> Any:
        return floor(body)

    r = aios3_parse()
    items = r.parts if op == "list_parts" else r.uploads
    if len(items) != N_ITEMS or len(floor3p_parse()) != N_ITEMS:
        raise AssertionError(f"{op}: a parser did not read {N_ITEMS} items")
    return aios3_parse, floor3p_parse


def _block(f: Callable[[], Any], n: int) -> float:
    """CPU ms per parse over `n` parses."""
    gc.collect()
    t0 = time.process_time()
    for _ in range(n):
        f()
    return (time.process_time() - t0) / n * 1e3


def paired(op: str, pairs: int, block: int) -> list[tuple[float, float]]:
    a, b = contenders(op)
    for f in (a, b):  # warm up
        _block(f, block)
    out = []
    for i in range(pairs):
        if i % 2 == 0:
            x, y = _block(a, block), _block(b, block)
        else:
            y, x = _block(b, block), _block(a, block)
        out.append((x, y))
    return out


def profile(op: str) -> str:
    """cProfile call counts of one parse each: primitive calls and the top functions."""
    lines = []
    for name, f in zip(("aios3", "floor3p"), contenders(op), strict=True):
        prof = cProfile.Profile()
        prof.runcall(f)
        st = pstats.Stats(prof)
        raw: dict[Any, Any] = st.stats  # type: ignore[attr-defined]
        calls = sum(v[1] for v in raw.values())
        lines.append(f"{op} {name}: {calls} Python-level calls in one parse")
        top = sorted(raw.items(), key=lambda kv: kv[1][1], reverse=True)[:6]
        for (file, line, func), v in top:
            where = f"{file.rsplit('/', 1)[-1]}:{line}" if line else file
            lines.append(f"    {v[1]:>7} {func} ({where})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.parse_ab")
    ap.add_argument("--op", choices=(*OPS, "both"), default="both")
    ap.add_argument("--pairs", type=int, default=40)
    ap.add_argument("--block", type=int, default=3, help="parses per block (default 3)")
    ap.add_argument("--profile", action="store_true", help="print cProfile call counts only")
    args = ap.parse_args(argv)
    for op in OPS if args.op == "both" else (args.op,):
        if args.profile:
            print(profile(op))
            continue
        pairs = paired(op, args.pairs, args.block)
        ratios = sorted(x / y for x, y in pairs)
        q1, med, q3 = statistics.quantiles(ratios, n=4)
        print(
            f"{op}: aios3 / floor3p, {args.pairs} pairs of {args.block} parses\n"
            f"  median of pair ratios {med:.3f} (quartiles {q1:.3f} .. {q3:.3f})\n"
            f"  CPU ms per parse, median: aios3 {statistics.median(x for x, _ in pairs):.2f}, "
            f"floor3p {statistics.median(y for _, y in pairs):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
