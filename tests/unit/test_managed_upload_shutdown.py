"""asyncio.run shutting down (it cancels every task left) does not cut a managed upload's
cleanup short: run in a process of its own, as a user's program would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aios3

pytestmark = pytest.mark.unit

SCRIPT = textwrap.dedent(
    """
    import asyncio
    import aios3
    from aios3.testing import MockTransport
    from tests._fake_s3 import FakeS3
    from tests._kit import client

    fake = FakeS3()
    fake.hold["part"] = asyncio.Event()  # parts hang: the upload is mid-flight at shutdown

    async def upload(s3):
        async with s3.multipart_upload(Bucket="b", Key="k") as mpu:
            await mpu.upload_parts(b"x" * (12 * 2**20), part_size=5 * 2**20)

    async def main():
        s3 = client(MockTransport(fake.handle))
        await s3.__aenter__()
        asyncio.ensure_future(upload(s3))  # left running: asyncio.run cancels it at the end
        await fake.wait_for("part")

    asyncio.run(main())
    print("uploads left:", sorted(fake.uploads), "log:", fake.log)
    """
)


def test_asyncio_run_shutdown_still_aborts() -> None:
    root = Path(aios3.__file__).resolve().parent.parent
    tests_root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(tests_root)])}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.strip()
    assert out.startswith("uploads left: [] "), out
    assert out.endswith("'abort', 'list_parts']"), out
