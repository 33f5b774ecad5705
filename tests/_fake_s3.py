"""A small stateful S3 multipart fake for MockTransport: create, upload part, complete,
abort, ListParts and ListMultipartUploads, with hooks to hold or fail any request.

Unit tests use it where a real server cannot be stopped at an exact point (cancellation at
every step of the event loop); the real-server tests cover the same ground coarser.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aios3.testing import MockRequest, MockResponse

NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def error(status: int, code: str) -> MockResponse:
    return MockResponse(
        status,
        {"x-amz-request-id": "FAKE"},
        f"<Error><Code>{code}</Code><Message>{code}</Message></Error>".encode(),
    )


@dataclass
class Upload:
    key: str
    parts: dict[int, bytes] = field(default_factory=dict)
    checksums: dict[int, str] = field(default_factory=dict)  # the x-amz-checksum-* header
    create_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeS3:
    """`FakeS3().transport()` answers like S3 for one bucket; `hold[kind]` (an Event) makes
    requests of that kind wait; `fail[kind]` answers them with an error."""

    uploads: dict[str, Upload] = field(default_factory=dict)
    objects: dict[str, bytes] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    hold: dict[str, asyncio.Event] = field(default_factory=dict)
    fail: dict[str, MockResponse] = field(default_factory=dict)
    on_request: Callable[[str], Awaitable[None]] | None = None
    counter: int = 0
    arrived: dict[str, asyncio.Event] = field(default_factory=dict)
    put_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    complete_headers: dict[str, str] = field(default_factory=dict)

    async def wait_for(self, kind: str) -> None:
        """Until a request of `kind` has arrived."""
        await self.arrived.setdefault(kind, asyncio.Event()).wait()

    @staticmethod
    def kind(request: MockRequest) -> str:
        q = request.query
        if request.method == "POST" and "uploads" in q:
            return "create"
        if request.method == "PUT" and "partNumber" in q:
            return "part"
        if request.method == "POST" and "uploadId" in q:
            return "complete"
        if request.method == "DELETE" and "uploadId" in q:
            return "abort"
        if request.method == "GET" and "uploadId" in q:
            return "list_parts"
        if request.method == "GET" and "uploads" in q:
            return "list_uploads"
        if request.method == "PUT" and "uploadId" not in q:
            return "put"
        return "other"

    async def handle(self, request: MockRequest) -> MockResponse:
        kind = self.kind(request)
        self.log.append(kind)
        self.arrived.setdefault(kind, asyncio.Event()).set()
        if self.on_request is not None:
            await self.on_request(kind)
        gate = self.hold.get(kind)
        if gate is not None:
            await gate.wait()
        if kind in self.fail:
            return self.fail[kind]
        key = request.url.path.split("/", 2)[2]
        q = request.query
        if kind == "create":
            self.counter += 1
            uid = f"up{self.counter}"
            self.uploads[uid] = Upload(key, create_headers=dict(request.headers))
            return MockResponse(
                200,
                {"x-amz-request-id": "C"},
                (
                    f'<InitiateMultipartUploadResult xmlns="{NS}"><Bucket>b</Bucket>'
                    f"<Key>{key}</Key><UploadId>{uid}</UploadId></InitiateMultipartUploadResult>"
                ).encode(),
            )
        up = self.uploads.get(q.get("uploadId", ""))
        if kind == "part":
            if up is None:
                return error(404, "NoSuchUpload")
            up.parts[int(q["partNumber"])] = request.body
            headers = {"ETag": '"' + hashlib.md5(request.body).hexdigest() + '"'}
            for name, value in request.headers.items():
                if name.lower().startswith("x-amz-checksum-"):
                    headers[name] = value
                    up.checksums[int(q["partNumber"])] = value
            return MockResponse(200, headers)
        if kind == "complete":
            if up is None:
                return error(404, "NoSuchUpload")
            numbers = [int(n) for n in re.findall(rb"<PartNumber>(\d+)</PartNumber>", request.body)]
            if numbers != sorted(numbers) or not numbers:
                return error(400, "InvalidPartOrder")
            if any(n not in up.parts for n in numbers):
                return error(400, "InvalidPart")
            self.objects[up.key] = b"".join(up.parts[n] for n in numbers)
            self.complete_headers = dict(request.headers)
            del self.uploads[q["uploadId"]]
            return MockResponse(
                200,
                {},
                (
                    f'<CompleteMultipartUploadResult xmlns="{NS}"><Bucket>b</Bucket>'
                    f'<Key>{up.key}</Key><ETag>"done-{len(numbers)}"</ETag>'
                    "</CompleteMultipartUploadResult>"
                ).encode(),
            )
        if kind == "abort":
            if up is None:
                return error(404, "NoSuchUpload")
            del self.uploads[q["uploadId"]]
            return MockResponse(204)
        if kind == "list_parts":
            if up is None:
                return error(404, "NoSuchUpload")
            parts = "".join(
                f"<Part><PartNumber>{n}</PartNumber>"
                f"<ETag>&quot;{hashlib.md5(b).hexdigest()}&quot;</ETag><Size>{len(b)}</Size>"
                + (f"<ChecksumCRC32>{up.checksums[n]}</ChecksumCRC32>" if n in up.checksums else "")
                + "</Part>"
                for n, b in sorted(up.parts.items())
            )
            return MockResponse(
                200,
                {},
                f'<ListPartsResult xmlns="{NS}"><IsTruncated>false</IsTruncated>{parts}'
                "</ListPartsResult>".encode(),
            )
        if kind == "put":
            self.objects[key] = request.body
            self.put_headers[key] = dict(request.headers)
            return MockResponse(200, {"ETag": '"' + hashlib.md5(request.body).hexdigest() + '"'})
        return error(400, "NotImplemented")
