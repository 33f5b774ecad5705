"""`python -m aios3`: the `aios3` command line (needs the `cli` extra)."""

from __future__ import annotations

import sys


def _run() -> int:
    try:
        from aios3.cli import main
    except ImportError as exc:  # click missing: the core install has no command line
        sys.stderr.write(
            f"aios3: the command line needs the cli extra: pip install 'aios3[cli]' ({exc})\n"
        )
        return 255
    return main()


if __name__ == "__main__":
    sys.exit(_run())
