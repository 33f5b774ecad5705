"""How the `aios3` process ends: with the command's exit code and all of its output, the
`atexit` handlers run, and without the interpreter's teardown (`aios3.cli._app._end_process`)
unless something still needs it (a thread running)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for the console script (`sys.exit(main())`). Its atexit handler prints, and
# puts in sys.modules an object whose __del__ prints too: the interpreter's teardown
# empties sys.modules (that object was made after the command line's gc.freeze(), and
# nothing else holds it), an early end of the process does not.
SCRIPT = """
import atexit, os, sys, threading, time

class _Teardown:
    def __del__(self):
        os.write(2, b"TEARDOWN\\n")

def _at_exit():
    print("ATEXIT", file=sys.stderr)
    sys.modules["_teardown_mark"] = _Teardown()

atexit.register(_at_exit)
from aios3.cli import main
if {thread}:  # still running when the command ends
    def _late():
        time.sleep(1)
        os.write(2, b"THREAD-DONE\\n")
    threading.Thread(target=_late).start()
sys.argv = ["aios3", *{argv!r}]
sys.exit(main())
"""

SKELETON = ["s3api", "list-parts", "--generate-cli-skeleton", "output"]


def _run(argv: list[str], *, thread: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(argv=argv, thread=thread)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_the_process_ends_without_teardown_after_flushing_and_atexit() -> None:
    r = _run(SKELETON)
    assert r.returncode == 0
    assert "Parts" in json.loads(r.stdout)  # the whole document, flushed
    assert "ATEXIT" in r.stderr
    assert "TEARDOWN" not in r.stderr


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["s3api", "list-parts", "--bucket", "b"], 252),  # usage: required options missing
        (["no-such-group"], 252),
    ],
)
def test_the_exit_code_is_the_commands(argv: list[str], code: int) -> None:
    r = _run(argv)
    assert r.returncode == code
    assert "error" in r.stderr
    assert "ATEXIT" in r.stderr and "TEARDOWN" not in r.stderr


def test_a_running_thread_gets_the_ordinary_exit() -> None:
    """Exit waits for non-daemon threads: with one still running, the interpreter ends
    the process as usual (and tears down)."""
    r = _run(SKELETON, thread=True)
    assert r.returncode == 0
    assert "Parts" in json.loads(r.stdout)
    assert "THREAD-DONE" in r.stderr
    assert "ATEXIT" in r.stderr and "TEARDOWN" in r.stderr


def test_a_call_from_python_returns() -> None:
    """`main(argv)` (a call from Python code, as the tests make) returns its code."""
    from aios3.cli import main

    assert main(["no-such-group"]) == 252
