"""Client CPU per call: aios3 vs aiobotocore vs a raw signed aiohttp request (and, for the
listings, the same request parsed by defusedxml and one pydantic call: `floor3p`).

    python -m bench.run                 # the full run (~3-4 minutes on 2 cores)
    python -m bench.run --quick         # a smoke run (< 30 s)
    python -m bench.run --json out.json

A stub S3 server (`bench/stub_server.py`) runs in its own process; only the CPU time of
this (the client) process is measured, with `time.process_time()` around N calls, for each
client, operation and mode (sequential, and 64 concurrent workers). Every cell is repeated
`--rounds` times (rounds interleave all cells; the client order rotates and reverses from
round to round) and the median per-call CPU time is reported, with ratios from the same run.

Every call is checked (status, error code, 1000 parts/uploads), and the stub's request
counters prove that each timed call reached the server, signed, exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import aiohttp

REGION = "us-east-1"
ACCESS_KEY = "AKIDBENCHEXAMPLE"
SECRET_KEY = "bench/secret/key/EXAMPLEKEY"
BUCKET, KEY, UPLOAD_ID, MISSING = "b", "k", "u", "missing"
N_ITEMS = 1000
CONCURRENCY = 64

OPS = ("abort", "abort_404", "list_parts", "list_uploads")
OP_TITLES = {
    "abort": "abort (204)",
    "abort_404": "abort -> 404 NoSuchUpload",
    "list_parts": "list_parts (1000 parts)",
    "list_uploads": "list_multipart_uploads (1000)",
}
# the stub's route counter each op must increment once per call
OP_ROUTES = {
    "abort": "abort",
    "abort_404": "abort_404",
    "list_parts": "list_parts",
    "list_uploads": "list_uploads",
}
CLIENTS = ("raw", "floor3p", "aiobotocore", "aios3", "aios3-resource", "aios3-express")
DIRECTORY_BUCKET = "bench--usw2-az1--x-s3"
MODES = ("seq", "c64")

Op = Callable[[], Awaitable[None]]


class BenchError(AssertionError):
    """A client returned something wrong: its timings would mean nothing."""


def check(cond: bool, what: str) -> None:
    if not cond:
        raise BenchError(what)


# --------------------------------------------------------------------------- the stub


def pin_cpus() -> tuple[int, int] | None:
    """(client CPU, server CPU) when this process may use two CPUs or more, else None."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else None


@contextlib.contextmanager
def stub_server(pin: tuple[int, int] | None = None) -> Iterator[str]:
    """Start `stub_server.py` in a subprocess; yield its base URL.

    With `pin`, this process is bound to CPU `pin[0]` and the stub to CPU `pin[1]`, so the
    two never compete for a core nor migrate (this removes most run-to-run noise).
    """
    script = Path(__file__).with_name("stub_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--watch-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if pin is not None:
            os.sched_setaffinity(proc.pid, {pin[1]})
            os.sched_setaffinity(0, {pin[0]})
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the stub server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class StubStats:
    """Reads the stub's request counters (on a session of its own, never timed)."""

    def __init__(self, base: str) -> None:
        self._url = base + "/__stats"
        self._session: aiohttp.ClientSession | None = None

    async def get(self) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(self._url) as resp:
            return await resp.json()  # type: ignore[no-any-return]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


# --------------------------------------------------------------------------- clients


@dataclass
class Client:
    name: str
    ops: dict[str, Op]
    close: Callable[[], Awaitable[None]]
    deep_check: Callable[[], Awaitable[dict[str, Any]]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Send = Callable[[str, str], Awaitable[tuple[int, bytes]]]


def _raw_sender() -> tuple[aiohttp.ClientSession, Send]:
    """The floor's request: AWSRequest + botocore's S3SigV4Auth + a reused aiohttp session."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import ReadOnlyCredentials

    signer = S3SigV4Auth(ReadOnlyCredentials(ACCESS_KEY, SECRET_KEY, None), "s3", REGION)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY))

    async def send(method: str, url: str) -> tuple[int, bytes]:
        req = AWSRequest(method=method, url=url)
        signer.add_auth(req)
        async with session.request(method, req.url, headers=dict(req.headers.items())) as resp:
            return resp.status, await resp.read()

    return session, send


async def make_raw(base: str) -> Client:
    """The floor: AWSRequest + botocore's S3SigV4Auth + a reused aiohttp session."""
    session, send = _raw_sender()
    abort_url = f"{base}/{BUCKET}/{KEY}?uploadId={UPLOAD_ID}"
    missing_url = f"{base}/{BUCKET}/{KEY}?uploadId={MISSING}"
    uploads_url = f"{base}/{BUCKET}?uploads"
    sizes: dict[str, int] = {}

    async def abort() -> None:
        status, _ = await send("DELETE", abort_url)
        check(status == 204, f"raw abort: HTTP {status}")

    async def abort_404() -> None:
        status, _ = await send("DELETE", missing_url)
        check(status == 404, f"raw abort->404: HTTP {status}")

    async def list_parts() -> None:
        status, body = await send("GET", abort_url)
        check(status == 200 and len(body) == sizes["parts"], "raw list_parts: bad body")

    async def list_uploads() -> None:
        status, body = await send("GET", uploads_url)
        check(status == 200 and len(body) == sizes["uploads"], "raw list_uploads: bad body")

    async def deep_check() -> dict[str, Any]:
        status, body = await send("GET", abort_url)
        check(status == 200 and body.count(b"<Part>") == N_ITEMS, "raw: ListParts body")
        sizes["parts"] = len(body)
        status, body = await send("GET", uploads_url)
        check(status == 200 and body.count(b"<Upload>") == N_ITEMS, "raw: uploads body")
        sizes["uploads"] = len(body)
        status, body = await send("DELETE", missing_url)
        check(b"<Code>NoSuchUpload</Code>" in body, "raw: 404 body")
        return {}

    return Client(
        "raw",
        {
            "abort": abort,
            "abort_404": abort_404,
            "list_parts": list_parts,
            "list_uploads": list_uploads,
        },
        session.close,
        deep_check,
    )


def floor3p_parsers() -> dict[str, Callable[[bytes], list[Any]]]:
    """floor3p's parsing, by op: defusedxml's `fromstring`, then the page's items validated
    by one `TypeAdapter(list[<a TypedDict of the item>])` call (built once), written the
    plain way a user would write it. Shared with `bench.parse_ab`."""

    from defusedxml.ElementTree import fromstring
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict  # pydantic wants this one before Python 3.12

    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    n = len(ns)

    class Part(TypedDict):
        PartNumber: int
        LastModified: datetime
        ETag: str
        Size: int

    class Person(TypedDict):
        ID: str
        DisplayName: str

    class Upload(TypedDict):
        Key: str
        UploadId: str
        Initiator: Person
        Owner: Person
        StorageClass: str
        Initiated: datetime

    parts_adapter = TypeAdapter(list[Part])
    uploads_adapter = TypeAdapter(list[Upload])

    def parse_parts(body: bytes) -> list[Any]:
        root = fromstring(body)
        return parts_adapter.validate_python(
            [{c.tag[n:]: c.text for c in part} for part in root.iter(ns + "Part")]
        )

    def parse_uploads(body: bytes) -> list[Any]:
        root = fromstring(body)
        return uploads_adapter.validate_python(
            [
                {c.tag[n:]: {g.tag[n:]: g.text for g in c} if len(c) else c.text for c in upload}
                for upload in root.iter(ns + "Upload")
            ]
        )

    return {"list_parts": parse_parts, "list_uploads": parse_uploads}


async def make_floor3p(base: str) -> Client:
    """The listings' floor: raw's request, then `floor3p_parsers()`. No aborts: they would
    be raw's calls exactly (there is nothing to parse in a 204)."""
    session, send = _raw_sender()
    parse = floor3p_parsers()
    parts_url = f"{base}/{BUCKET}/{KEY}?uploadId={UPLOAD_ID}"
    uploads_url = f"{base}/{BUCKET}?uploads"

    async def list_parts() -> None:
        status, body = await send("GET", parts_url)
        check(status == 200, f"floor3p list_parts: HTTP {status}")
        check(len(parse["list_parts"](body)) == N_ITEMS, "floor3p list_parts: part count")

    async def list_uploads() -> None:
        status, body = await send("GET", uploads_url)
        check(status == 200, f"floor3p list_uploads: HTTP {status}")
        check(len(parse["list_uploads"](body)) == N_ITEMS, "floor3p list_uploads: count")

    async def deep_check() -> dict[str, Any]:
        _, body = await send("GET", parts_url)
        last = parse["list_parts"](body)[-1]
        check(last["PartNumber"] == N_ITEMS and last["Size"] == 5242880, "floor3p: last part")
        check(isinstance(last["LastModified"], datetime), "floor3p: LastModified")
        check(last["ETag"].startswith('"') and len(last["ETag"]) == 34, "floor3p: ETag")
        _, body = await send("GET", uploads_url)
        first = parse["list_uploads"](body)[0]
        check(first["Key"] == "key-0000" and first["Owner"]["DisplayName"] == "bench", "floor3p")
        return {}

    return Client(
        "floor3p",
        {"list_parts": list_parts, "list_uploads": list_uploads},
        session.close,
        deep_check,
    )


async def make_aiobotocore(base: str) -> Client:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session
    from botocore.exceptions import ClientError

    stack = contextlib.AsyncExitStack()
    s3 = await stack.enter_async_context(
        get_session().create_client(
            "s3",
            region_name=REGION,
            endpoint_url=base,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=AioConfig(max_pool_connections=CONCURRENCY),
        )
    )

    async def abort() -> None:
        r = await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(r["ResponseMetadata"]["HTTPStatusCode"] == 204, "aiobotocore abort: status")

    async def abort_404() -> None:
        try:
            await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=MISSING)
        except ClientError as e:
            check(e.response["Error"]["Code"] == "NoSuchUpload", "aiobotocore 404: code")
        else:
            raise BenchError("aiobotocore abort->404 did not raise")

    async def list_parts() -> None:
        r = await s3.list_parts(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(len(r["Parts"]) == N_ITEMS, "aiobotocore list_parts: part count")

    async def list_uploads() -> None:
        r = await s3.list_multipart_uploads(Bucket=BUCKET)
        check(len(r["Uploads"]) == N_ITEMS, "aiobotocore list_uploads: upload count")

    async def deep_check() -> dict[str, Any]:
        parts = await s3.list_parts(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        uploads = await s3.list_multipart_uploads(Bucket=BUCKET)
        return {"list_parts": parts, "list_uploads": uploads}

    return Client(
        "aiobotocore",
        {
            "abort": abort,
            "abort_404": abort_404,
            "list_parts": list_parts,
            "list_uploads": list_uploads,
        },
        stack.aclose,
        deep_check,
    )


def _aios3_kwargs(base: str) -> dict[str, Any]:
    import aios3

    return {
        "region_name": REGION,
        "endpoint_url": base,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "config": aios3.Config(max_pool_connections=CONCURRENCY),
    }


async def make_aios3(base: str) -> Client:
    import aios3

    s3 = await aios3.S3Client(**_aios3_kwargs(base)).__aenter__()
    no_such_upload = aios3.errors.NoSuchUpload

    async def abort() -> None:
        r = await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(r.response_metadata.http_status_code == 204, "aios3 abort: status")

    async def abort_404() -> None:
        try:
            await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=MISSING)
        except no_such_upload as e:
            check(e.code == "NoSuchUpload" and e.status_code == 404, "aios3 404: error fields")
        else:
            raise BenchError("aios3 abort->404 did not raise NoSuchUpload")

    async def list_parts() -> None:
        r = await s3.list_parts(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(len(r.parts) == N_ITEMS, "aios3 list_parts: part count")

    async def list_uploads() -> None:
        r = await s3.list_multipart_uploads(Bucket=BUCKET)
        check(len(r.uploads) == N_ITEMS, "aios3 list_uploads: upload count")

    async def deep_check() -> dict[str, Any]:
        r = await s3.abort_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(len(r.response_metadata.request_id) == 16, "aios3 abort: request id not parsed")
        ep = await s3.resolve_endpoint(BUCKET)
        check(ep.url == f"{base}/{BUCKET}", f"aios3 is not path-style here: {ep.url}")
        parts = await s3.list_parts(Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        last = parts.parts[-1]
        check(last.part_number == N_ITEMS and last.size == 5242880, "aios3: last part")
        check(isinstance(last.last_modified, datetime), "aios3: LastModified not a datetime")
        check(last.etag.startswith('"') and len(last.etag) == 34, "aios3: ETag unquoted")
        uploads = await s3.list_multipart_uploads(Bucket=BUCKET)
        first = uploads.uploads[0]
        check(first.key == "key-0000" and first.upload_id.startswith("2~"), "aios3: upload")
        check(first.initiator is not None and first.owner is not None, "aios3: owner")
        return {"list_parts": parts.to_dict(), "list_uploads": uploads.to_dict()}

    return Client(
        "aios3",
        {
            "abort": abort,
            "abort_404": abort_404,
            "list_parts": list_parts,
            "list_uploads": list_uploads,
        },
        s3.close,
        deep_check,
    )


async def make_aios3_resource(base: str) -> Client:
    import aios3

    s3r = await aios3.S3Resource(**_aios3_kwargs(base)).__aenter__()

    async def abort() -> None:
        r = await s3r.MultipartUpload(BUCKET, KEY, UPLOAD_ID).abort()
        check(r.response_metadata.http_status_code == 204, "aios3 resource abort: status")

    return Client("aios3-resource", {"abort": abort}, s3r.close)


async def make_aios3_express(base: str) -> Client:
    """Abort on a directory bucket: S3 Express session auth with a cached session."""
    import aios3

    s3 = await aios3.S3Client(**_aios3_kwargs(base)).__aenter__()

    async def abort() -> None:
        r = await s3.abort_multipart_upload(Bucket=DIRECTORY_BUCKET, Key=KEY, UploadId=UPLOAD_ID)
        check(r.response_metadata.http_status_code == 204, "aios3 express abort: status")

    async def deep_check() -> dict[str, Any]:
        ep = await s3.resolve_endpoint(DIRECTORY_BUCKET)
        check(ep.auth_scheme == "sigv4-s3express", f"not an S3 Express endpoint: {ep}")
        await abort()  # fetches the session once, before timing
        return {}

    return Client("aios3-express", {"abort": abort}, s3.close, deep_check)


FACTORIES: dict[str, Callable[[str], Awaitable[Client]]] = {
    "raw": make_raw,
    "floor3p": make_floor3p,
    "aiobotocore": make_aiobotocore,
    "aios3": make_aios3,
    "aios3-resource": make_aios3_resource,
    "aios3-express": make_aios3_express,
}


def compare_with_aiobotocore(results: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between aios3's `to_dict()` and aiobotocore's dicts (should be none)."""
    notes = []
    boto, ours = results.get("aiobotocore"), results.get("aios3")
    if not boto or not ours:
        return notes
    for op, items in (("list_parts", "Parts"), ("list_uploads", "Uploads")):
        a, b = boto[op].get(items), ours[op].get(items)
        if a == b:
            continue
        a, b = a or [], b or []
        detail = f"{len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                detail = f"first difference at {items}[{i}]: {x!r} vs {y!r}"
                break
        notes.append(f"{op}: aios3 to_dict()[{items!r}] != aiobotocore's ({detail})")
    return notes


# --------------------------------------------------------------------------- measuring


async def run_calls(op: Op, n: int, concurrency: int) -> None:
    if concurrency <= 1:
        for _ in range(n):
            await op()
        return
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await op()

    await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))


async def measure(op: Op, n: int, concurrency: int) -> tuple[float, float]:
    """(CPU µs per call, wall µs per call) of `n` calls."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    await run_calls(op, n, concurrency)
    c1, w1 = time.process_time(), time.perf_counter()
    return (c1 - c0) / n * 1e6, (w1 - w0) / n * 1e6


@dataclass
class Cell:
    op: str
    mode: str
    client: str
    cpu_us: list[float] = field(default_factory=list)
    wall_us: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.cpu_us)


def _routes_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    b, a = before["routes"], after["routes"]
    delta = {k: a.get(k, 0) - b.get(k, 0) for k in a}
    delta["unsigned"] = after["unsigned"] - before["unsigned"]
    return {k: v for k, v in delta.items() if v}


async def bench(args: argparse.Namespace, base: str) -> dict[str, Any]:
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    stats = StubStats(base)
    clients: dict[str, Client] = {}
    try:
        for name in args.clients:
            clients[name] = await FACTORIES[name](base)

        # warm up: fill each connection pool at full concurrency, load everything lazily
        # loaded (service models, endpoint rule sets, credentials, parsers), check results
        log("warming up ...")
        deep: dict[str, dict[str, Any]] = {}
        for c in clients.values():
            if c.deep_check is not None:
                deep[c.name] = await c.deep_check()
            for op_name, op in c.ops.items():
                if op_name in args.ops:
                    await run_calls(op, 3, 1)
            if "abort" in c.ops:
                await run_calls(c.ops["abort"], 4 * CONCURRENCY, CONCURRENCY)
        notes = compare_with_aiobotocore(deep)
        del deep

        cells: dict[tuple[str, str, str], Cell] = {}
        for op in args.ops:
            for mode in args.modes:
                for name, c in clients.items():
                    if op in c.ops:
                        cells[(op, mode, name)] = Cell(op, mode, name)
        t_start = time.perf_counter()
        for rnd in range(args.rounds):
            # rotate the client order every round and reverse it every other round, so
            # that no client always runs first, last, or right after the same other one
            order = list(clients)
            k = (rnd // 2) % len(order)
            order = order[k:] + order[:k]
            if rnd % 2:
                order.reverse()
            for op in args.ops:
                n = args.calls if op.startswith("abort") else args.list_calls
                for mode in args.modes:
                    conc = 1 if mode == "seq" else CONCURRENCY
                    for name in order:
                        cell = cells.get((op, mode, name))
                        if cell is None:
                            continue
                        before = await stats.get()
                        cpu, wall = await measure(clients[name].ops[op], n, conc)
                        delta = _routes_delta(before, await stats.get())
                        want = {OP_ROUTES[op]: n}
                        check(delta == want, f"{name} {op}: server saw {delta}, expected {want}")
                        cell.cpu_us.append(cpu)
                        cell.wall_us.append(wall)
            log(f"round {rnd + 1}/{args.rounds} done ({time.perf_counter() - t_start:.0f} s)")
    finally:
        for c in clients.values():
            await c.close()
        await stats.close()

    return {
        "cells": cells,
        "notes": notes,
        "seconds": time.perf_counter() - t_start,
    }


# --------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Ratio:
    label: str
    op: str
    num: str
    den: str
    target: float | None = None


RATIOS = (
    Ratio("abort: aios3 / raw", "abort", "aios3", "raw", 0.95),  # issue 6 (issue 2: 1.0)
    Ratio("abort: resource / aios3 client", "abort", "aios3-resource", "aios3", 1.05),  # issue 6
    Ratio("abort: directory bucket (session) / plain", "abort", "aios3-express", "aios3", 1.2),
    Ratio("abort: aios3 / aiobotocore", "abort", "aios3", "aiobotocore"),
    Ratio("abort->404: aios3 / raw", "abort_404", "aios3", "raw"),
    Ratio("abort->404: aios3 / aiobotocore", "abort_404", "aios3", "aiobotocore"),
    Ratio("list_parts: aios3 / aiobotocore", "list_parts", "aios3", "aiobotocore", 1 / 6),
    Ratio("list_uploads: aios3 / aiobotocore", "list_uploads", "aios3", "aiobotocore"),
    Ratio("list_parts: aios3 / floor3p", "list_parts", "aios3", "floor3p", 1.0),  # issue 10
    Ratio("list_uploads: aios3 / floor3p", "list_uploads", "aios3", "floor3p", 1.0),  # issue 10
)


def _fmt_us(us: float | None) -> str:
    if us is None:
        return "-"
    return f"{us:,.0f}" if us >= 100 else f"{us:.1f}"


def report(result: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    cells: dict[tuple[str, str, str], Cell] = result["cells"]

    def med(op: str, mode: str, client: str) -> float | None:
        c = cells.get((op, mode, client))
        return c.median if c and c.cpu_us else None

    clients = [c for c in CLIENTS if c in args.clients]
    lines = ["", f"Client CPU per call, µs (median of {args.rounds} rounds)", ""]
    head = f"| {'operation':<31} | {'mode':<4} | " + " | ".join(f"{c:>14}" for c in clients)
    lines += [head + " |", "|" + "-" * 33 + "|------|" + "|".join("-" * 16 for _ in clients) + "|"]
    for op in args.ops:
        for mode in args.modes:
            row = [f"{_fmt_us(med(op, mode, c)):>14}" for c in clients]
            lines.append(f"| {OP_TITLES[op]:<31} | {mode:<4} | " + " | ".join(row) + " |")

    ratios = []
    lines += ["", f"| {'ratio (same run)':<36} | " + " | ".join(f"{m:>6}" for m in args.modes)]
    lines[-1] += " | target   | verdict |"
    lines.append(
        "|" + "-" * 38 + "|" + "|".join("-" * 8 for _ in args.modes) + "|----------|---------|"
    )

    def paired(op: str, mode: str, num: str, den: str) -> float | None:
        """Median over rounds of the ratio within each round (robust to slow drifts)."""
        a, b = cells.get((op, mode, num)), cells.get((op, mode, den))
        if not a or not b or not a.cpu_us:
            return None
        return statistics.median(x / y for x, y in zip(a.cpu_us, b.cpu_us, strict=True))

    for r in RATIOS:
        vals: dict[str, float | None] = {}
        pairs: dict[str, float | None] = {}
        for mode in args.modes:
            a, b = med(r.op, mode, r.num), med(r.op, mode, r.den)
            vals[mode] = a / b if a is not None and b else None
            pairs[mode] = paired(r.op, mode, r.num, r.den)
        if all(v is None for v in vals.values()):
            continue
        verdict, target = "", ""
        if r.target is not None:
            target = f"<= {r.target:.3g}" if r.target >= 0.5 else f"<= 1/{1 / r.target:.0f}"
            got = [v for v in vals.values() if v is not None]
            verdict = "met" if all(v <= r.target for v in got) else "MISSED"
        cols = " | ".join(f"{v:6.3f}" if v is not None else f"{'-':>6}" for v in vals.values())
        lines.append(f"| {r.label:<36} | {cols} | {target:<8} | {verdict:<7} |")
        ratios.append(
            {
                "label": r.label,
                "target": r.target,
                "verdict": verdict or None,
                "ratio_of_medians": vals,
                "median_of_round_ratios": pairs,
            }
        )
    for note in result["notes"]:
        lines.append(f"note: {note}")
    lines.append(
        f"\n{args.calls} calls per cell for abort, {args.list_calls} for the list operations; "
        f"{args.rounds} rounds; measured in {result['seconds']:.0f} s; "
        + (
            f"client pinned to CPU {args.pinned[0]}, stub to CPU {args.pinned[1]}."
            if args.pinned
            else "not pinned."
        )
    )
    print("\n".join(lines))

    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": {
            "cpus": os.cpu_count(),
            "cpus_usable": args.cpus_usable,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
        },
        "versions": {
            p: _version(p)
            for p in (
                "aios3",
                "aiobotocore",
                "botocore",
                "aiohttp",
                "pydantic",
                "defusedxml",
                "yarl",
            )
        },
        "aios3_git": args.git_state,
        "settings": {
            "calls": args.calls,
            "list_calls": args.list_calls,
            "rounds": args.rounds,
            "concurrency": CONCURRENCY,
            "pinned_cpus": {"client": args.pinned[0], "server": args.pinned[1]}
            if args.pinned
            else None,
        },
        "unit": "client CPU microseconds per call (time.process_time)",
        "results": [
            {
                "op": c.op,
                "mode": c.mode,
                "client": c.client,
                "median_cpu_us": c.median,
                "rounds_cpu_us": c.cpu_us,
                "median_wall_us": statistics.median(c.wall_us),
            }
            for c in cells.values()
            if c.cpu_us
        ],
        "ratios": ratios,
        "notes": result["notes"],
    }


def _git_state() -> str | None:
    """The commit of the checkout under test (+ "-dirty"), if this is a git checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return None
    return (head + ("-dirty" if dirty else "")) or None


def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0] if __doc__ else None
    )
    ap.add_argument(
        "--calls",
        type=int,
        default=None,
        help="calls per cell for abort and abort->404 (default 2000)",
    )
    ap.add_argument(
        "--list-calls",
        type=int,
        default=None,
        help="calls per cell for the 1000-item list operations (default 64)",
    )
    ap.add_argument("--rounds", type=int, default=None, help="rounds per cell (default 5)")
    ap.add_argument("--quick", action="store_true", help="small counts, for a smoke run (< 30 s)")
    ap.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin this process and the stub to two different CPUs",
    )
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    ap.add_argument(
        "--clients",
        default=",".join(CLIENTS),
        help=f"comma-separated subset of {','.join(CLIENTS)}",
    )
    ap.add_argument(
        "--ops", default=",".join(OPS), help=f"comma-separated subset of {','.join(OPS)}"
    )
    ap.add_argument("--modes", default=",".join(MODES), help="seq,c64 or one of them")
    args = ap.parse_args(argv)
    quick = args.quick
    if args.calls is None:
        args.calls = 100 if quick else 2000
    if args.list_calls is None:
        args.list_calls = 4 if quick else 64
    if args.rounds is None:
        args.rounds = 2 if quick else 5
    for name, allowed in (("clients", CLIENTS), ("ops", OPS), ("modes", MODES)):
        chosen = [x.strip() for x in getattr(args, name).split(",") if x.strip()]
        bad = [x for x in chosen if x not in allowed]
        if bad or not chosen:
            ap.error(f"--{name}: unknown {bad} (choose from {', '.join(allowed)})")
        setattr(args, name, [x for x in allowed if x in chosen])
    if args.calls < 1 or args.list_calls < 1 or args.rounds < 1:
        ap.error("--calls, --list-calls and --rounds must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.git_state = _git_state()  # before aios3 is imported: the code under test
    # before pinning (which leaves this process one CPU)
    args.cpus_usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    args.pinned = pin_cpus() if args.pin else None
    with stub_server(args.pinned) as base:
        result = asyncio.run(bench(args, base))
    data = report(result, args)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
