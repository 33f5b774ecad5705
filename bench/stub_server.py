"""A tiny, fast S3 stub for the benchmark (path-style, no auth checking).

Runs as its own process so its CPU is not billed to the client under test::

    python bench/stub_server.py [--port 0]

It prints ``PORT <n>`` on stdout once it listens on 127.0.0.1 and serves until SIGTERM or
SIGINT (with ``--watch-stdin``, also until its stdin closes: the benchmark holds the other
end, so the stub never outlives it).

It is a raw ``asyncio.Protocol`` HTTP/1.1 server with keep-alive; every answer body is
precomputed, so per-request server work is a few microseconds. Routes:

- ``DELETE /<bucket>/<key>?uploadId=<id>``  AbortMultipartUpload: 204, or 404 ``NoSuchUpload``
  when ``id`` is ``missing``.
- ``GET /<bucket>/<key>?uploadId=<id>``     ListParts: 1000 parts (or 404 ``NoSuchUpload``).
- ``GET /<bucket>?uploads``                 ListMultipartUploads: 1000 uploads.
- ``POST /<bucket>/<key>?uploads``           CreateMultipartUpload: a new upload id.
- ``PUT /<bucket>/<key>?partNumber=&uploadId=`` UploadPart: the body is read and discarded
  as it arrives (never buffered), 200 with an ETag.
- ``POST /<bucket>/<key>?uploadId=<id>``     CompleteMultipartUpload: a result naming the key.
- ``PUT /<bucket>/<key>``                    PutObject: body discarded, 200 with an ETag.
  Upload bodies must come with ``Content-Length`` (no chunked transfer encoding).
- ``GET /__stats``                          JSON counters (requests per route, and how many
  carried no SigV4 ``Authorization`` header), so the benchmark can prove that every
  timed call really reached the server, signed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import signal
import sys
import time
from email.utils import formatdate
from urllib.parse import parse_qsl, unquote

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
N_ITEMS = 1000
OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
INITIATOR_ARN = "arn:aws:iam::111122223333:user/bench"
HOST_ID = "c3R1Yi1ob3N0LWlk/YmVuY2gtc3R1Yi1zZXJ2ZXI="


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def etag_of(n: int) -> str:
    """The (unquoted) ETag the stub reports for part `n`."""
    return hashlib.md5(str(n).encode()).hexdigest()


def upload_id_of(n: int) -> str:
    """The upload id the stub reports for upload `n` (S3-like: long, url-safe)."""
    return "2~" + hashlib.sha256(str(n).encode()).hexdigest()[:48]


def list_parts_body(bucket: str, key: str, upload_id: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<ListPartsResult xmlns="{S3_NS}">',
        f"<Bucket>{_esc(bucket)}</Bucket><Key>{_esc(key)}</Key>",
        f"<UploadId>{_esc(upload_id)}</UploadId>",
        f"<Initiator><ID>{INITIATOR_ARN}</ID><DisplayName>bench</DisplayName></Initiator>",
        f"<Owner><ID>{OWNER_ID}</ID><DisplayName>bench</DisplayName></Owner>",
        "<StorageClass>STANDARD</StorageClass>",
        f"<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>{N_ITEMS}"
        f"</NextPartNumberMarker><MaxParts>{N_ITEMS}</MaxParts><IsTruncated>false</IsTruncated>",
    ]
    for n in range(1, N_ITEMS + 1):
        out.append(
            f"<Part><PartNumber>{n}</PartNumber>"
            f"<LastModified>2024-05-01T12:{(n // 60) % 60:02d}:{n % 60:02d}.000Z</LastModified>"
            f"<ETag>&quot;{etag_of(n)}&quot;</ETag><Size>5242880</Size></Part>"
        )
    out.append("</ListPartsResult>")
    return "".join(out).encode()


def list_uploads_body(bucket: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<ListMultipartUploadsResult xmlns="{S3_NS}">',
        f"<Bucket>{_esc(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>",
        f"<NextKeyMarker>key-{N_ITEMS - 1:04d}</NextKeyMarker>",
        f"<NextUploadIdMarker>{upload_id_of(N_ITEMS - 1)}</NextUploadIdMarker>",
        f"<MaxUploads>{N_ITEMS}</MaxUploads><IsTruncated>false</IsTruncated>",
    ]
    for n in range(N_ITEMS):
        out.append(
            f"<Upload><Key>key-{n:04d}</Key><UploadId>{upload_id_of(n)}</UploadId>"
            f"<Initiator><ID>{INITIATOR_ARN}</ID><DisplayName>bench</DisplayName></Initiator>"
            f"<Owner><ID>{OWNER_ID}</ID><DisplayName>bench</DisplayName></Owner>"
            "<StorageClass>STANDARD</StorageClass>"
            f"<Initiated>2024-05-01T12:{(n // 60) % 60:02d}:{n % 60:02d}.000Z</Initiated></Upload>"
        )
    out.append("</ListMultipartUploadsResult>")
    return "".join(out).encode()


def error_body(code: str, message: str, request_id: str, **extra: str) -> bytes:
    fields = "".join(f"<{k}>{_esc(v)}</{k}>" for k, v in extra.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{_esc(message)}</Message>{fields}"
        f"<RequestId>{request_id}</RequestId><HostId>{HOST_ID}</HostId></Error>"
    ).encode()


_NO_SUCH_UPLOAD_MSG = (
    "The specified upload does not exist. The upload ID may be invalid, "
    "or the upload may have been aborted or completed."
)
_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 405: "Not Allowed"}


class Stats:
    def __init__(self) -> None:
        self.routes: dict[str, int] = {}
        self.unsigned = 0
        self.body_bytes = 0  # upload bodies received (parts and puts)

    def hit(self, route: str) -> None:
        self.routes[route] = self.routes.get(route, 0) + 1


class _Cache:
    """Response bodies, built once per (bucket, key, upload id)."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str, str], bytes] = {}
        self.uploads: dict[str, bytes] = {}

    def list_parts(self, bucket: str, key: str, upload_id: str) -> bytes:
        k = (bucket, key, upload_id)
        body = self.parts.get(k)
        if body is None:
            if len(self.parts) > 64:
                self.parts.clear()
            body = self.parts[k] = list_parts_body(bucket, key, upload_id)
        return body

    def list_uploads(self, bucket: str) -> bytes:
        body = self.uploads.get(bucket)
        if body is None:
            if len(self.uploads) > 64:
                self.uploads.clear()
            body = self.uploads[bucket] = list_uploads_body(bucket)
        return body


class _Clock:
    """The `Date` header, formatted at most once a second."""

    def __init__(self) -> None:
        self._sec = -1
        self._value = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._sec:
            self._sec = now
            self._value = formatdate(now, usegmt=True).encode()
        return self._value


class S3StubProtocol(asyncio.Protocol):
    """One HTTP/1.1 keep-alive connection."""

    stats = Stats()
    cache = _Cache()
    clock = _Clock()
    counter = 0

    def __init__(self) -> None:
        self._buf = b""
        self._transport: asyncio.Transport | None = None
        self._skip = 0  # bytes of an upload body still to come (discarded)
        self._pending: tuple[str, str, bool, bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        if self._skip:  # inside a large body: count it and drop it
            n = min(self._skip, len(data))
            self._skip -= n
            S3StubProtocol.stats.body_bytes += n
            if self._skip:
                return
            data = data[n:]
            pending, self._pending = self._pending, None
            assert pending is not None
            self._handle(*pending)
            if pending[3] or not data:
                return
        buf = self._buf + data if self._buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            length = 0
            close = False
            signed = False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "authorization":
                    signed = value.strip().startswith("AWS4-HMAC-SHA256 Credential=")
                elif name == "connection":
                    close = value.strip().lower() == "close"
            parts = lines[0].split(" ")
            if len(buf) < end + 4 + length:
                if length > 65536 and len(parts) == 3:  # an upload body: stream it away
                    have = len(buf) - end - 4
                    S3StubProtocol.stats.body_bytes += have
                    self._skip = length - have
                    self._pending = (parts[0], parts[1], signed, close)
                    self._buf = b""
                    return
                break  # wait for the rest of the body
            if parts[0] == "PUT":
                S3StubProtocol.stats.body_bytes += length
            buf = buf[end + 4 + length :]
            if len(parts) != 3:
                self._send(400, error_body("BadRequest", "bad request line", "0"), close=True)
                return
            self._handle(parts[0], parts[1], signed, close)
            if close:
                return
        self._buf = buf

    def _send(
        self,
        status: int,
        body: bytes | None,
        *,
        close: bool = False,
        content_type: bytes = b"application/xml",
        request_id: str = "",
        etag: str | None = None,
    ) -> None:
        t = self._transport
        if t is None:
            return
        head = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown").encode()),
            b"x-amz-request-id: %s\r\n" % request_id.encode(),
            b"x-amz-id-2: %s\r\n" % HOST_ID.encode(),
            b"Date: %s\r\nServer: AmazonS3\r\n" % self.clock.date(),
        ]
        if etag is not None:
            head.append(b'ETag: "%s"\r\nContent-Length: 0\r\n' % etag.encode())
        if body is not None:
            head.append(b"Content-Type: %s\r\nContent-Length: %d\r\n" % (content_type, len(body)))
        if close:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        t.write(b"".join(head))
        if body:
            t.write(body)
        if close:
            t.close()

    def _handle(self, method: str, target: str, signed: bool, close: bool) -> None:
        cls = S3StubProtocol
        cls.counter += 1
        rid = f"{cls.counter:016X}"
        path, _, qs = target.partition("?")
        query = dict(parse_qsl(qs, keep_blank_values=True))
        if path == "/__stats":
            body = json.dumps(
                {
                    "routes": cls.stats.routes,
                    "unsigned": cls.stats.unsigned,
                    "body_bytes": cls.stats.body_bytes,
                }
            )
            self._send(200, body.encode(), close=close, content_type=b"application/json")
            return
        if not signed:
            cls.stats.unsigned += 1
        bucket, _, key = path[1:].partition("/")
        bucket, key = unquote(bucket), unquote(key)
        upload_id = query.get("uploadId")
        if key and method == "POST" and "uploads" in query:
            cls.stats.hit("create")
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<InitiateMultipartUploadResult xmlns="{S3_NS}"><Bucket>{_esc(bucket)}</Bucket>'
                f"<Key>{_esc(key)}</Key><UploadId>{upload_id_of(cls.counter)}</UploadId>"
                "</InitiateMultipartUploadResult>"
            ).encode()
            self._send(200, body, close=close, request_id=rid)
            return
        if key and method == "PUT":
            route = "upload_part" if upload_id is not None else "put_object"
            cls.stats.hit(route)
            number = int(query.get("partNumber", "0"))
            self._send(200, None, close=close, request_id=rid, etag=etag_of(number))
            return
        if key and method == "POST" and upload_id is not None:
            cls.stats.hit("complete")
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<CompleteMultipartUploadResult xmlns="{S3_NS}"><Location>http://stub/'
                f"{_esc(bucket)}/{_esc(key)}</Location><Bucket>{_esc(bucket)}</Bucket>"
                f"<Key>{_esc(key)}</Key><ETag>&quot;{etag_of(0)}-1&quot;</ETag>"
                "</CompleteMultipartUploadResult>"
            ).encode()
            self._send(200, body, close=close, request_id=rid)
            return
        if key and upload_id is not None and method in ("DELETE", "GET"):
            route = "abort" if method == "DELETE" else "list_parts"
            if upload_id == "missing":
                cls.stats.hit(route + "_404")
                body = error_body("NoSuchUpload", _NO_SUCH_UPLOAD_MSG, rid, UploadId=upload_id)
                self._send(404, body, close=close, request_id=rid)
            elif method == "DELETE":
                cls.stats.hit(route)
                self._send(204, None, close=close, request_id=rid)
            else:
                cls.stats.hit(route)
                body = cls.cache.list_parts(bucket, key, upload_id)
                self._send(200, body, close=close, request_id=rid)
            return
        if bucket and not key and "session" in query and method == "GET":
            # CreateSession for a directory bucket; an hour-long session, so no refresh
            # happens inside a measurement
            cls.stats.hit("create_session")
            expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<CreateSessionResult xmlns="{S3_NS}"><Credentials>'
                f"<SessionToken>stub-session-token-{rid}</SessionToken>"
                "<SecretAccessKey>stub-session-secret</SecretAccessKey>"
                f"<AccessKeyId>ASIASTUB{rid}</AccessKeyId>"
                f"<Expiration>{expires}</Expiration>"
                "</Credentials></CreateSessionResult>"
            ).encode()
            self._send(200, body, close=close, request_id=rid)
            return
        if bucket and not key and "uploads" in query and method == "GET":
            cls.stats.hit("list_uploads")
            self._send(200, cls.cache.list_uploads(bucket), close=close, request_id=rid)
            return
        cls.stats.hit("other")
        body = error_body("NotImplemented", f"the stub does not serve {method} {path}", rid)
        self._send(501, body, close=close, request_id=rid)


async def serve(port: int = 0, *, watch_stdin: bool = False) -> None:
    """Serve until a signal arrives (or, with `watch_stdin`, until stdin closes)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(S3StubProtocol, "127.0.0.1", port, backlog=1024)
    stop = loop.create_future()

    def _stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stop)
    # warm the body cache for the default names the benchmark uses
    S3StubProtocol.cache.list_parts("b", "k", "u")
    S3StubProtocol.cache.list_uploads("b")
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
    ap.add_argument(
        "--watch-stdin", action="store_true", help="exit when stdin closes (the parent died)"
    )
    args = ap.parse_args(argv)
    asyncio.run(serve(args.port, watch_stdin=args.watch_stdin))


if __name__ == "__main__":
    main()
