"""What the tests of the testing kit share: credentials, a client on a given transport, and
a CreateMultipartUpload answer."""

from __future__ import annotations

from typing import Any

import aios3

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDKIT", "aws_secret_access_key": "kit-secret"}
CREATED = b"<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"


def client(transport: aios3.Transport, **config: Any) -> aios3.S3Client:
    """An `S3Client` that sends through `transport`, with `Config(**config)`."""
    return aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        transport=transport,
        config=aios3.Config(**config),
        **CREDS,
    )


def server_client(
    server: Any, transport: aios3.Transport | None = None, **config: Any
) -> aios3.S3Client:
    """An `S3Client` for a local server fixture (`seaweed`, `moto_server`, `ceph`), through
    `transport` when given; two attempts unless `config` says otherwise."""
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(**{"max_attempts": 2, **config}),
        transport=transport,
    )
