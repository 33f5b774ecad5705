"""Draw the performance page's figure from the recorded benchmark runs (issue 10).

    python -m bench.figure                       # writes docs/performance.svg
    python -m bench.figure --out other.svg --run bench/results.json ...

Each bar is one figure of the issue's target table: aios3's cost divided by the
reference's (floor2, floor3p, aiobotocore or aws-cli), measured in the same run. Shorter
is better; the tick on each row is the target, and the dashed line is parity (1.0). The
inputs are the JSON files the benchmarks write (`--json`); a figure whose run is missing
is left out (and named on stderr). The SVG is plain text with no script or font file, so
it is committed and diffs like code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"

Json = dict[str, Any]


@dataclass(frozen=True)
class Row:
    label: str
    ratio: float
    target: float
    reference: str


def _run_ratio(run: Json, op: str, mode: str, over: str) -> float:
    cells = {(r["op"], r["mode"], r["client"]): r["median_cpu_us"] for r in run["results"]}
    return float(cells[(op, mode, "aios3")] / cells[(op, mode, over)])


def _startup_ratio(startup: Json, figure: str, over: str) -> float:
    return float(startup["ratios"][figure][f"aios3/{over}"])


def _startup_budget(startup: Json, figure: str, budget: float) -> float:
    return float(startup["medians"]["aios3"][figure]) / budget


def _cli_ratio(cli: Json, command: str) -> float:
    return float(cli["ratios"][command])


Extract = Callable[[dict[str, Json]], float]

TARGETS: list[tuple[str, str, float, str, Extract]] = [
    (
        "fresh process to its first abort",
        "floor2",
        1.3,
        "startup",
        lambda d: _startup_ratio(d["startup"], "process_ms", "floor2"),
    ),
    (
        "second client: construct, open, first abort",
        "a 3 ms budget",
        1.0,
        "startup",
        lambda d: _startup_budget(d["startup"], "second_ms", 3.0),
    ),
    (
        "peak RSS after 1,000 aborts",
        "aiobotocore",
        0.75,
        "startup",
        lambda d: _startup_ratio(d["startup"], "rss_mb", "aiobotocore"),
    ),
    (
        "abort, sequential, CPU per call",
        "floor2",
        0.7,
        "run",
        lambda d: _run_ratio(d["run"], "abort", "seq", "raw"),
    ),
    (
        "abort, 64 in flight, CPU per call",
        "floor2",
        0.7,
        "run",
        lambda d: _run_ratio(d["run"], "abort", "c64", "raw"),
    ),
    (
        "abort, sequential, CPU per call",
        "aiobotocore",
        0.2,
        "run",
        lambda d: _run_ratio(d["run"], "abort", "seq", "aiobotocore"),
    ),
    (
        "list_parts (1000), CPU per call",
        "floor3p",
        1.0,
        "run",
        lambda d: _run_ratio(d["run"], "list_parts", "seq", "floor3p"),
    ),
    (
        "list_multipart_uploads (1000), CPU per call",
        "floor3p",
        1.0,
        "run",
        lambda d: _run_ratio(d["run"], "list_uploads", "seq", "floor3p"),
    ),
    (
        "aios3 s3api abort-multipart-upload, wall time",
        "aws-cli",
        0.6,
        "cli",
        lambda d: _cli_ratio(d["cli"], "abort-multipart-upload"),
    ),
]


def rows(data: dict[str, Json]) -> list[Row]:
    out = []
    for label, reference, target, source, extract in TARGETS:
        if source not in data:
            print(f"figure: no {source} run, left out: {label}", file=sys.stderr)
            continue
        try:
            ratio = extract(data)
        except (KeyError, ZeroDivisionError) as exc:
            print(f"figure: {label}: not in the {source} run ({exc!r})", file=sys.stderr)
            continue
        out.append(Row(label, ratio, target, reference))
    return out


def svg(rows: list[Row], title: str) -> str:
    """A horizontal bar chart, one row per figure, in plain SVG."""
    label_w, bar_w, right_w = 330, 360, 70
    row_h, top, bottom = 34, 52, 46
    width = label_w + bar_w + right_w
    height = top + row_h * len(rows) + bottom
    scale_max = max([1.5, *(max(r.ratio, r.target) * 1.1 for r in rows)])

    def x(v: float) -> float:
        return label_w + bar_w * v / scale_max

    met_color, missed_color = "#2e7d32", "#c62828"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
        '<text x="10" y="40" fill="#555">aios3 / reference, measured in the same run: '
        "shorter is better; the black tick is the target</text>",
    ]
    for i, r in enumerate(rows):
        y = top + i * row_h
        met = r.ratio <= r.target
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(r.label)}</text>'
        )
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 28}" text-anchor="end" fill="#555" '
            f'font-size="11">vs {escape(r.reference)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{x(r.ratio) - label_w:.1f}" height="20" '
            f'fill="{met_color if met else missed_color}" fill-opacity="0.85"/>'
        )
        tx = x(r.target)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{y + 2}" x2="{tx:.1f}" y2="{y + 30}" stroke="#000" '
            f'stroke-width="2.5"/>'
        )
        parts.append(
            f'<text x="{max(x(r.ratio), tx) + 6:.1f}" y="{y + 21}">{r.ratio:.2f}'
            f"{'' if met else ' (target ' + format(r.target, '.2f') + ')'}</text>"
        )
    one = x(1.0)
    end = top + row_h * len(rows)
    parts.append(
        f'<line x1="{one:.1f}" y1="{top - 4}" x2="{one:.1f}" y2="{end + 4}" stroke="#777" '
        f'stroke-dasharray="4 3"/>'
    )
    step = 0.5 if scale_max <= 3 else 1.0
    v = 0.0
    while v <= scale_max + 1e-9:
        parts.append(
            f'<text x="{x(v):.1f}" y="{end + 20}" text-anchor="middle" fill="#555" '
            f'font-size="11">{v:.1f}\u00d7</text>'
        )
        v += step
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=str(HERE / "results-issue10.json"))
    parser.add_argument("--startup", default=str(HERE / "startup-results.json"))
    parser.add_argument("--cli", default=str(HERE / "results-cli.json"))
    parser.add_argument("--out", default=str(DOCS / "performance.svg"))
    args = parser.parse_args(argv)
    data: dict[str, Json] = {}
    for name in ("run", "startup", "cli"):
        path = Path(getattr(args, name))
        if path.exists():
            data[name] = json.loads(path.read_text())
    drawn = rows(data)
    if not drawn:
        sys.exit("figure: nothing to draw (no benchmark JSON found)")
    Path(args.out).write_text(svg(drawn, "aios3 against its floors and peers (issue 10 targets)"))
    print(f"figure: {len(drawn)} rows -> {args.out}")


if __name__ == "__main__":
    main()
