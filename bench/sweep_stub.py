"""An S3 stub holding many incomplete uploads, for the sweeper's scale test and benchmark.

    python -m bench.sweep_stub --uploads 100000 [--new-every 100] [--parts 2] [--port 0]

It prints ``PORT <n>`` once it listens on 127.0.0.1 and serves until SIGTERM/SIGINT (with
``--watch-stdin``, also until its stdin closes). It reuses `bench/stub_server.py`'s raw
HTTP/1.1 protocol; the uploads are generated on the fly, never stored as objects: upload
``n`` (0-based) has the key ``stale/<n, 7 digits>``, an S3-like upload id, and an
`Initiated` of 2024-05-01 plus ``n`` seconds, or 2099-01-01 for every ``new_every``-th one
(too young for any sweep). The state is one byte per upload (aborted or not).

Routes (path-style, any bucket, no auth checking):

- ``GET /<bucket>?uploads``: ListMultipartUploads as S3 pages it: sorted by key, at most
  ``max-uploads`` (default and cap 1000) per page, ``prefix``, ``key-marker`` and
  ``upload-id-marker``, both next markers, aborted uploads left out.
- ``DELETE /<bucket>/<key>?uploadId=<id>``: AbortMultipartUpload: 204, or 404
  ``NoSuchUpload`` for an upload aborted already or unknown.
- ``GET /<bucket>/<key>?uploadId=<id>``: ListParts: ``--parts`` parts of 5 MiB, or 404
  ``NoSuchUpload`` once aborted.
- ``POST /__reset?uploads=N&new_every=K``: a fresh set of uploads.
- ``GET /__stats``: JSON: requests per route, uploads left.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from urllib.parse import parse_qsl, unquote

from bench.stub_server import (
    INITIATOR_ARN,
    OWNER_ID,
    S3_NS,
    S3StubProtocol,
    error_body,
)

KEY_PREFIX = "stale/"
_ID_TAIL = "VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"  # S3-like length
_NO_SUCH_UPLOAD = (
    "The specified upload does not exist. The upload ID may be invalid, "
    "or the upload may have been aborted or completed."
)
_PART_SIZE = 5 * 1024 * 1024
_ID_OWNER = (
    f"<Initiator><ID>{INITIATOR_ARN}</ID><DisplayName>bench</DisplayName></Initiator>"
    f"<Owner><ID>{OWNER_ID}</ID><DisplayName>bench</DisplayName></Owner>"
)


def key_of(n: int) -> str:
    return f"{KEY_PREFIX}{n:07d}"


def upload_id_of(n: int) -> str:
    return f"2~{n:07d}{_ID_TAIL}"


def _index(key: str, upload_id: str | None = None) -> int | None:
    """The upload number of a key (and upload id, when given), or None."""
    digits = key[len(KEY_PREFIX) :]
    if not key.startswith(KEY_PREFIX) or len(digits) != 7 or not digits.isdigit():
        return None
    n = int(digits)
    if upload_id is not None and upload_id != upload_id_of(n):
        return None
    return n


def initiated_of(n: int, new_every: int) -> str:
    if new_every and n % new_every == new_every - 1:
        return "2099-01-01T00:00:00.000Z"
    s = n % 86400
    return f"2024-05-{1 + n // 86400 % 28:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000Z"


class Uploads:
    """The uploads: one byte each, 1 once aborted."""

    def __init__(self, count: int = 0, new_every: int = 0, parts: int = 2) -> None:
        self.reset(count, new_every, parts)

    def reset(self, count: int, new_every: int = 0, parts: int | None = None) -> None:
        self.count = count
        self.new_every = new_every
        if parts is not None:
            self.parts = parts
        self.aborted = bytearray(count)
        self.left = count
        self.routes: dict[str, int] = {}

    def hit(self, route: str) -> None:
        self.routes[route] = self.routes.get(route, 0) + 1

    def listing(self, bucket: str, query: dict[str, str]) -> bytes:
        prefix = query.get("prefix", "")
        limit = max(0, min(int(query.get("max-uploads", "1000")), 1000))
        key_marker = query.get("key-marker", "")
        id_marker = query.get("upload-id-marker")
        start = 0
        if key_marker:
            if key_marker < KEY_PREFIX:
                start = 0
            else:
                m = _index(key_marker)
                if m is None:  # past every key, or between keys: S3 compares strings
                    start = self.count if key_marker > KEY_PREFIX else 0
                else:
                    # one upload per key: key-marker alone, or with its own upload id
                    # (uploads of that key with greater ids: none), continues after it
                    start = m + 1
                    if id_marker is not None and id_marker < upload_id_of(m):
                        start = m
        if not (KEY_PREFIX.startswith(prefix) or prefix.startswith(KEY_PREFIX)):
            start = self.count  # nothing under that prefix
        rows: list[int] = []
        flags = self.aborted
        pos = start
        more = False
        while pos < self.count:
            pos = flags.find(0, pos)
            if pos < 0:
                break
            if prefix and not key_of(pos).startswith(prefix):
                pos += 1
                continue
            if len(rows) == limit:
                more = True
                break
            rows.append(pos)
            pos += 1
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<ListMultipartUploadsResult xmlns="{S3_NS}"><Bucket>{bucket}</Bucket>',
            f"<KeyMarker>{key_marker}</KeyMarker><UploadIdMarker>{id_marker or ''}"
            f"</UploadIdMarker><Prefix>{prefix}</Prefix><MaxUploads>{limit}</MaxUploads>",
            f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>",
        ]
        if more and rows:
            out.append(
                f"<NextKeyMarker>{key_of(rows[-1])}</NextKeyMarker>"
                f"<NextUploadIdMarker>{upload_id_of(rows[-1])}</NextUploadIdMarker>"
            )
        new_every = self.new_every
        for n in rows:
            out.append(
                f"<Upload><Key>{key_of(n)}</Key><UploadId>{upload_id_of(n)}</UploadId>"
                f"{_ID_OWNER}<StorageClass>STANDARD</StorageClass>"
                f"<Initiated>{initiated_of(n, new_every)}</Initiated></Upload>"
            )
        out.append("</ListMultipartUploadsResult>")
        return "".join(out).encode()

    def list_parts(self, bucket: str, key: str, upload_id: str) -> bytes:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<ListPartsResult xmlns="{S3_NS}"><Bucket>{bucket}</Bucket><Key>{key}</Key>',
            f"<UploadId>{upload_id}</UploadId>{_ID_OWNER}<StorageClass>STANDARD</StorageClass>",
            "<PartNumberMarker>0</PartNumberMarker><MaxParts>1000</MaxParts>"
            "<IsTruncated>false</IsTruncated>",
        ]
        for p in range(1, self.parts + 1):
            out.append(
                f"<Part><PartNumber>{p}</PartNumber>"
                "<LastModified>2024-05-01T12:00:00.000Z</LastModified>"
                f"<ETag>&quot;{p:032x}&quot;</ETag><Size>{_PART_SIZE}</Size></Part>"
            )
        out.append("</ListPartsResult>")
        return "".join(out).encode()


class SweepStubProtocol(S3StubProtocol):
    """`S3StubProtocol`'s HTTP handling, with the uploads of `Uploads` behind it."""

    uploads = Uploads()

    def _handle(self, method: str, target: str, signed: bool, close: bool) -> None:
        S3StubProtocol.counter += 1
        rid = f"{S3StubProtocol.counter:016X}"
        up = self.uploads
        path, _, qs = target.partition("?")
        query = dict(parse_qsl(qs, keep_blank_values=True))
        if path == "/__stats":
            body = json.dumps({"routes": up.routes, "left": up.left, "count": up.count})
            self._send(200, body.encode(), close=close, content_type=b"application/json")
            return
        if path == "/__reset" and method == "POST":
            up.reset(
                int(query.get("uploads", "0")),
                int(query.get("new_every", "0")),
                int(query["parts"]) if "parts" in query else None,
            )
            self._send(204, None, close=close)
            return
        if not signed:
            up.hit("unsigned")
        bucket, _, key = path[1:].partition("/")
        bucket, key = unquote(bucket), unquote(key)
        upload_id = query.get("uploadId")
        if not key and "uploads" in query and method == "GET":
            up.hit("list_uploads")
            self._send(200, up.listing(bucket, query), close=close, request_id=rid)
            return
        if key and upload_id is not None and method in ("DELETE", "GET"):
            n = _index(key, upload_id)
            gone = n is None or n >= up.count or up.aborted[n]
            route = "abort" if method == "DELETE" else "list_parts"
            if gone:
                up.hit(route + "_404")
                body = error_body("NoSuchUpload", _NO_SUCH_UPLOAD, rid, UploadId=upload_id)
                self._send(404, body, close=close, request_id=rid)
            elif method == "DELETE":
                assert n is not None
                up.hit(route)
                up.aborted[n] = 1
                up.left -= 1
                self._send(204, None, close=close, request_id=rid)
            else:
                up.hit(route)
                self._send(200, up.list_parts(bucket, key, upload_id), close=close, request_id=rid)
            return
        up.hit("other")
        body = error_body("NotImplemented", f"the stub does not serve {method} {path}", rid)
        self._send(501, body, close=close, request_id=rid)


async def serve(port: int = 0, *, watch_stdin: bool = False) -> None:
    """Serve until a signal arrives (or, with `watch_stdin`, until stdin closes)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SweepStubProtocol, "127.0.0.1", port, backlog=1024)
    stop = loop.create_future()

    def _stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stop)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    watcher = None
    if watch_stdin:
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

        async def _watch_stdin() -> None:
            while await reader.read(4096):
                pass
            _stop()

        watcher = asyncio.ensure_future(_watch_stdin())
    try:
        await stop
    finally:
        if watcher is not None:
            watcher.cancel()
        server.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    ap.add_argument("--uploads", type=int, default=100_000, help="incomplete uploads to hold")
    ap.add_argument("--new-every", type=int, default=0, help="every K-th upload is new")
    ap.add_argument("--parts", type=int, default=2, help="parts each ListParts lists")
    ap.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = ap.parse_args(argv)
    SweepStubProtocol.uploads.reset(args.uploads, args.new_every, args.parts)
    asyncio.run(serve(args.port, watch_stdin=args.watch_stdin))


if __name__ == "__main__":
    main()
