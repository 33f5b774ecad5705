"""A fake S3 bucket of incomplete uploads that lists them as S3 does, for MockTransport:
ListMultipartUploads (sorted by key then upload id, `prefix`, `max-uploads`, `key-marker`
and `upload-id-marker`, both next markers), AbortMultipartUpload and ListParts.

`ignore_prefix` acts out a server that lists everything whatever the prefix;
`lost_aborts` upload ids whose aborts answer 204 without removing the upload (a hop that
drops them); `on_abort` runs before each abort is answered (to create uploads mid-sweep or
wait).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from aios3.testing import MockRequest, MockResponse, MockTransport

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
T0 = datetime(2030, 1, 10, tzinfo=timezone.utc)


def error(status: int, code: str, request_id: str = "FAKE") -> MockResponse:
    return MockResponse(
        status,
        {"x-amz-request-id": request_id},
        f"<Error><Code>{code}</Code><Message>{code} here</Message>"
        f"<RequestId>{request_id}</RequestId></Error>".encode(),
    )


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class FakeUpload:
    key: str
    upload_id: str
    initiated: datetime | None
    part_sizes: list[int] = field(default_factory=list)


@dataclass
class StaleBucket:
    uploads: dict[str, FakeUpload] = field(default_factory=dict)  # by upload id
    ignore_prefix: bool = False
    lost_aborts: dict[str, int] = field(default_factory=dict)  # upload id -> aborts to drop
    on_abort: Callable[[str], Awaitable[None] | None] | None = None
    log: list[tuple[str, str]] = field(default_factory=list)  # (kind, upload id or marker)
    in_flight: int = 0
    max_in_flight: int = 0
    counter: int = 0

    def add(
        self,
        key: str,
        initiated: datetime | None,
        parts: list[int] | None = None,
        upload_id: str | None = None,
    ) -> str:
        self.counter += 1
        uid = upload_id or f"u{self.counter:05d}"
        self.uploads[uid] = FakeUpload(key, uid, initiated, list(parts or []))
        return uid

    def left(self) -> list[str]:
        return sorted(u.key for u in self.uploads.values())

    def transport(self) -> MockTransport:
        return MockTransport(self.handle)

    def kinds(self, kind: str) -> list[str]:
        return [v for k, v in self.log if k == kind]

    async def handle(self, request: MockRequest) -> MockResponse:
        q = request.query
        if request.method == "GET" and "uploads" in q:
            self.log.append(("list_uploads", q.get("key-marker", "")))
            return self.listing(q)
        uid = q.get("uploadId", "")
        if request.method == "DELETE" and uid:
            self.log.append(("abort", uid))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                if self.on_abort is not None:
                    waited = self.on_abort(uid)
                    if waited is not None:
                        await waited
                else:
                    await asyncio.sleep(0)
            finally:
                self.in_flight -= 1
            if uid not in self.uploads:
                return error(404, "NoSuchUpload")
            if self.lost_aborts.get(uid, 0) > 0:
                self.lost_aborts[uid] -= 1
                return MockResponse(204)
            del self.uploads[uid]
            return MockResponse(204, {"x-amz-request-id": "ABORTED"})
        if request.method == "GET" and uid:
            self.log.append(("list_parts", uid))
            up = self.uploads.get(uid)
            if up is None:
                return error(404, "NoSuchUpload")
            return self.parts(up, q)
        return error(400, "NotImplemented")

    def listing(self, q: object) -> MockResponse:
        get = q.get  # type: ignore[attr-defined]
        prefix = "" if self.ignore_prefix else get("prefix", "")
        limit = int(get("max-uploads", "1000"))
        key_marker = get("key-marker")
        id_marker = get("upload-id-marker")
        rows = sorted(
            (u for u in self.uploads.values() if u.key.startswith(prefix)),
            key=lambda u: (u.key, u.upload_id),
        )
        if key_marker is not None:
            rows = [
                u
                for u in rows
                if u.key > key_marker
                or (id_marker is not None and u.key == key_marker and u.upload_id > id_marker)
            ]
        page, more = rows[:limit], len(rows) > limit
        body = [f'<ListMultipartUploadsResult xmlns="{NS}"><Bucket>b</Bucket>']
        body.append(f"<Prefix>{escape(prefix)}</Prefix><MaxUploads>{limit}</MaxUploads>")
        body.append(f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>")
        if more:
            body.append(
                f"<NextKeyMarker>{escape(page[-1].key)}</NextKeyMarker>"
                f"<NextUploadIdMarker>{page[-1].upload_id}</NextUploadIdMarker>"
            )
        for u in page:
            when = f"<Initiated>{iso(u.initiated)}</Initiated>" if u.initiated else ""
            body.append(
                f"<Upload><Key>{escape(u.key)}</Key><UploadId>{u.upload_id}</UploadId>"
                f"<StorageClass>STANDARD</StorageClass>{when}</Upload>"
            )
        body.append("</ListMultipartUploadsResult>")
        return MockResponse(200, {"x-amz-request-id": "LIST"}, "".join(body).encode())

    def parts(self, up: FakeUpload, q: object) -> MockResponse:
        get = q.get  # type: ignore[attr-defined]
        limit = int(get("max-parts", "1000"))
        marker = int(get("part-number-marker", "0"))
        numbered = [(n, s) for n, s in enumerate(up.part_sizes, 1) if n > marker]
        page, more = numbered[:limit], len(numbered) > limit
        body = [f'<ListPartsResult xmlns="{NS}"><Bucket>b</Bucket><Key>{escape(up.key)}</Key>']
        body.append(f"<UploadId>{up.upload_id}</UploadId>")
        body.append(f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>")
        if more:
            body.append(f"<NextPartNumberMarker>{page[-1][0]}</NextPartNumberMarker>")
        for n, size in page:
            body.append(
                f"<Part><PartNumber>{n}</PartNumber><ETag>&quot;e{n}&quot;</ETag>"
                f"<Size>{size}</Size></Part>"
            )
        body.append("</ListPartsResult>")
        return MockResponse(200, {}, "".join(body).encode())
