"""Running the documentation's examples as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aios3


def run_example(path: Path) -> None:
    """Run an example as a user would, `python example.py`, in a process of its own (its
    `asyncio.run` then shares no event-loop state with the test process)."""
    env = {**os.environ, "PYTHONPATH": str(Path(aios3.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
