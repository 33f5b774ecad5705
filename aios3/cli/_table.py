"""aws-cli's `--output table`, ported from `awscli/table.py` and the table formatter of
`awscli/formatter.py` (Apache-2.0): the same sections, column widths, centring and the
switch to a vertical layout when the table is wider than the terminal."""

from __future__ import annotations

import shutil
import unicodedata
from typing import Any

_BLUE = "\x1b[1m\x1b[34m"  # colorama's Style.BRIGHT + Fore.BLUE
_DIM_YELLOW = "\x1b[2m\x1b[33m"
_RESET = "\x1b[0m"


def _len(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Section:
    def __init__(self, title: str = "", indent: int = 0) -> None:
        self.title = title
        self.indent = indent
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._widths: list[int] = []

    def _update(self, row: list[str]) -> None:
        if not self._widths:
            self._widths = [_len(e) for e in row]
        else:
            self._widths = [max(w, _len(e)) for w, e in zip(self._widths, row, strict=False)]

    def add_header(self, headers: list[str]) -> None:
        self._update(headers)
        self.headers = headers

    def add_row(self, row: list[Any]) -> None:
        cells = [str(e) for e in row]
        self.rows.append(cells)
        self._update(cells)

    def widths(self, padding: int = 0, max_width: int | None = None) -> list[int]:
        unscaled = [w + padding for w in self._widths]
        if max_width is None or not unscaled:
            return unscaled
        factor = max_width / float(sum(unscaled))
        scaled = [round(factor * w) for w in unscaled]
        off = sum(scaled) - max_width
        while off:
            order = range(len(scaled)) if off > 0 else reversed(range(len(scaled)))
            for i in order:
                if off > 0:
                    scaled[i] -= 1
                    off -= 1
                else:
                    scaled[i] += 1
                    off += 1
                if off == 0:
                    break
        return scaled

    def total_width(self) -> int:
        total = sum(w + 4 for w in self.widths()) + 2 + 2 * self.indent
        return max(_len(self.title) + 2 + 2 * self.indent, total)


def _center(text: str, length: int, shown: int, left_edge: str = "|") -> str:
    start = length // 2 - shown // 2 - 1
    so_far = len(left_edge) + start + shown
    return left_edge + " " * start + text + " " * (length - 1 - so_far) + "|"


def _left(text: str, length: int, shown: int, left_edge: str) -> str:
    padding = 2 if length - (shown + 2 + len(left_edge) + 1) >= 0 else 0
    so_far = len(left_edge) + padding + shown
    return left_edge + " " * padding + text + " " * (length - so_far - 1) + "|"


class _Builder:
    def __init__(self) -> None:
        self.sections: list[_Section] = []
        self.current: _Section | None = None

    def new_section(self, title: str, indent: int) -> None:
        self.current = _Section(title, indent)
        self.sections.append(self.current)

    def build(self, title: str | None, current: Any, indent: int = 0) -> bool:
        if not current:
            return False
        if title is not None:
            self.new_section(title, indent)
        assert self.current is not None
        if isinstance(current, list):
            if isinstance(current[0], dict):
                self._from_list(current, indent, title or "")
            else:
                for item in current:
                    if not isinstance(item, dict | list):
                        self.current.add_row([item])
                    elif all(not isinstance(e, dict | list) for e in item):
                        self.current.add_row(list(item))
                    else:
                        self.build(None, item)
        if isinstance(current, dict):
            headers, more = _group(current)
            if len(headers) == 1:
                self.current.add_row([headers[0], current[headers[0]]])
            elif headers:
                self.current.add_header(headers)
                self.current.add_row([current[k] for k in headers])
            for key in more:
                self.build(key, current[key], indent + 1)
        return True

    def _from_list(self, items: list[Any], indent: int, title: str) -> None:
        headers_set: set[str] = set()
        more_set: set[str] = set()
        for item in items:
            h, m = _group(item)
            headers_set.update(h)
            more_set.update(m)
        headers, more = sorted(headers_set), sorted(more_set)
        assert self.current is not None
        self.current.add_header(headers)
        first = True
        for element in items:
            if not first and more:
                self.new_section(title, indent)
                self.current.add_header(headers)
            first = False
            self.current.add_row([element.get(h, "") for h in headers])
            for key in more:
                if key in element:
                    self.build(key, element[key], indent + 1)


def _group(current: dict[str, Any]) -> tuple[list[str], list[str]]:
    headers = sorted(k for k, v in current.items() if not isinstance(v, dict | list))
    more = sorted(k for k, v in current.items() if isinstance(v, dict | list))
    return headers, more


def render(title: str, data: Any, *, color: bool, width: int | None = None) -> str:
    """The table of `data` under `title` (the operation's name, as aws-cli titles it)."""
    builder = _Builder()
    if not builder.build(title, data):
        return ""
    sections = builder.sections
    terminal = width or shutil.get_terminal_size((80, 24)).columns
    max_width = max(s.total_width() for s in sections)
    if max_width > terminal:  # aws-cli: single-row sections become key/value columns
        for i, s in enumerate(sections):
            if len(s.rows) == 1 and s.headers:
                vertical = _Section(s.title, s.indent)
                for h, e in zip(s.headers, s.rows[0], strict=False):
                    vertical.add_row([h, e])
                sections[i] = vertical
        max_width = max(s.total_width() for s in sections)
    bar = (_DIM_YELLOW + "|" + _RESET) if color else "|"
    lines: list[str] = ["-" * max_width]
    for s in sections:
        width_here = max_width - s.indent * 2
        body: list[str] = []
        if s.title:
            body.append(_center(s.title, width_here, _len(s.title)))
            if not s.headers and not s.rows:
                body.append("+" + "-" * (width_here - 2) + "+")
        widths = s.widths(padding=4, max_width=width_here)
        line_break = "".join(
            ("+" + "-" * (w - 2) + "+") if i == 0 else ("-" * (w - 1) + "+")
            for i, w in enumerate(widths)
        )
        if s.headers:
            body.append(line_break)
            body.append(
                "".join(
                    _center(h, w, _len(h), "|" if i == 0 else "")
                    for i, (w, h) in enumerate(zip(widths, s.headers, strict=False))
                )
            )
        if s.rows and widths:
            body.append(line_break)
            for row in s.rows:
                cells = []
                for i, (w, e) in enumerate(zip(widths, row, strict=False)):
                    shown = (_BLUE + e + _RESET) if color else e
                    cells.append(_left(shown, w, _len(e), "|" if i == 0 else ""))
                body.append("".join(cells))
            body.append(line_break)
        lines += [bar * s.indent + line + bar * s.indent for line in body]
    return "\n".join(lines) + "\n"
