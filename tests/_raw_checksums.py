"""Raw PUTs carrying a flexible checksum, in a header or as an aws-chunked trailer.

Signed with botocore's S3 signer and sent with aiohttp, so that what a server does with
checksums is seen without aios3's own checksum code (``tests/ceph``, ``tests/servers``).
"""

from __future__ import annotations

import asyncio
import base64
import zlib
from typing import Any

import aiohttp
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDictProxy

REGION = "us-east-1"
DATA = b"0123456789"
#: the CRC32 of DATA, base64, as in ``x-amz-checksum-crc32``
CRC32 = base64.b64encode(zlib.crc32(DATA).to_bytes(4, "big")).decode()
WRONG_CRC32 = "AAAAAA=="

_Answer = tuple[int, CIMultiDictProxy[str], bytes]


async def raw_put(
    server: Any, path: str, body: bytes, headers: dict[str, str], *, trailer: bool
) -> _Answer:
    """PUT ``body`` to ``path``; with ``trailer``, signed as STREAMING-UNSIGNED-PAYLOAD-TRAILER."""
    url = server.endpoint_url + path
    request = AWSRequest(method="PUT", url=url, data=body, headers=headers)
    if trailer:  # botocore's marker for a trailing checksum
        request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32"}}
    S3SigV4Auth(Credentials(server.access_key, server.secret_key), "s3", REGION).add_auth(request)
    async with (
        aiohttp.ClientSession() as session,
        session.put(url, data=body, headers=dict(request.headers.items())) as response,
    ):
        answer = response.status, response.headers, await response.read()
    # let the closed connection's transport finish closing before the test's loop ends
    # (Python 3.10 reports it as unclosed otherwise)
    await asyncio.sleep(0)
    return answer


async def put_with_header(server: Any, path: str, crc32: str) -> _Answer:
    """DATA with ``x-amz-checksum-crc32: crc32`` in a header."""
    return await raw_put(server, path, DATA, {"x-amz-checksum-crc32": crc32}, trailer=False)


async def put_with_trailer(server: Any, path: str, crc32: str) -> _Answer:
    """DATA as one aws-chunked chunk with ``x-amz-checksum-crc32: crc32`` as its trailer."""
    body = b"a\r\n" + DATA + b"\r\n0\r\nx-amz-checksum-crc32:" + crc32.encode() + b"\r\n\r\n"
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(DATA)),
        "X-Amz-Trailer": "x-amz-checksum-crc32",
    }
    return await raw_put(server, path, body, headers, trailer=True)
