"""The multipart lifecycle, error mapping, streaming bodies and connection handling against a
real SeaweedFS (``weed mini`` with SigV4 checking on), through aios3's public client API.

SeaweedFS deviations from AWS asserted here on purpose (see ``../shared/notes/s3-test-servers.md``),
so that a change in SeaweedFS is noticed:

* a second AbortMultipartUpload of an aborted upload answers 204 (AWS: 404 NoSuchUpload);
* ``ListParts`` omits ``NextPartNumberMarker`` on the last page.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import io
import os
import socket
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import aiohttp
import pytest

import aios3
from aios3.errors import (
    Aios3Error,
    ClientError,
    EntityTooSmall,
    InvalidPart,
    InvalidPartOrder,
    NoSuchBucket,
    NoSuchUpload,
    ParamValidationError,
    SignatureDoesNotMatch,
    TransportError,
)
from aios3.models import (
    AbortMultipartUploadResponse,
    CompleteMultipartUploadResponse,
    CreateMultipartUploadResponse,
    ListPartsResponse,
    MultipartUploadSummary,
    Part,
)

MiB = 1024 * 1024


def _client(server, *, secret: str | None = None, **config: object) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=secret if secret is not None else server.secret_key,
        config=aios3.Config(max_attempts=1, **config),  # type: ignore[arg-type]
    )


def _quoted_md5(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def _multipart_etag(*parts: bytes) -> str:
    """S3's ETag of a completed multipart object: md5 of the parts' md5 digests, ``-N``."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


async def _agen(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        await asyncio.sleep(0)
        yield chunk


def _dead_endpoint() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------------------------
# 1. The whole lifecycle
# --------------------------------------------------------------------------------------------


async def test_lifecycle_create_upload_list_abort(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    key = "dir/lifecycle.bin"
    data = [b"a" * (5 * MiB), b"b" * 1234, b"c" * 10]  # exactly 5 MiB, then two small parts

    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        assert isinstance(up, CreateMultipartUploadResponse)
        assert isinstance(up.upload_id, str) and up.upload_id
        assert (up.bucket, up.key) == (bucket, key)
        assert up.response_metadata.http_status_code == 200
        uid = up.upload_id
        # Another upload under another prefix, so that Prefix filtering has something to drop.
        other = await s3.create_multipart_upload(Bucket=bucket, Key="elsewhere/x")

        etags = []
        for number, body in enumerate(data, 1):
            r = await s3.upload_part(
                Bucket=bucket, Key=key, UploadId=uid, PartNumber=number, Body=body
            )
            assert r.etag == _quoted_md5(body)
            etags.append(r.etag)

        # One page by hand: MaxParts=1.
        first = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid, MaxParts=1)
        assert isinstance(first, ListPartsResponse)
        assert (first.bucket, first.key, first.upload_id) == (bucket, key, uid)
        assert first.max_parts == 1
        assert first.is_truncated is True
        assert first.next_part_number_marker == 1
        assert [(p.part_number, p.size, p.etag) for p in first.parts] == [(1, 5 * MiB, etags[0])]

        # The paginator, one part per page.
        pages = [
            page
            async for page in s3.get_paginator("list_parts").paginate(
                Bucket=bucket, Key=key, UploadId=uid, PaginationConfig={"PageSize": 1}
            )
        ]
        assert len(pages) == 3
        assert [len(page.parts) for page in pages] == [1, 1, 1]
        assert [page.is_truncated for page in pages] == [True, True, False]
        assert [page.part_number_marker for page in pages] == [0, 1, 2]
        # SeaweedFS leaves NextPartNumberMarker out of the last page.
        assert [page.next_part_number_marker for page in pages] == [1, 2, None]
        parts = [p for page in pages for p in page.parts]
        assert all(isinstance(p, Part) for p in parts)
        assert [p.part_number for p in parts] == [1, 2, 3]
        assert [p.size for p in parts] == [len(d) for d in data]
        assert [p.etag for p in parts] == etags
        assert all(isinstance(p.last_modified, datetime) for p in parts)
        assert all(p.last_modified.tzinfo is not None for p in parts)  # type: ignore[union-attr]

        # iter_parts gives the same parts across pages.
        iterated = [
            (p.part_number, p.size, p.etag)
            async for p in s3.iter_parts(Bucket=bucket, Key=key, UploadId=uid, MaxParts=1)
        ]
        assert iterated == [(p.part_number, p.size, p.etag) for p in parts]

        # The upload is listed, and Prefix selects it alone.
        listing = await s3.list_multipart_uploads(Bucket=bucket)
        assert {(u.key, u.upload_id) for u in listing.uploads} == {
            (key, uid),
            ("elsewhere/x", other.upload_id),
        }
        listed = [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="dir/")]
        assert [(u.key, u.upload_id) for u in listed] == [(key, uid)]
        assert isinstance(listed[0], MultipartUploadSummary)
        assert isinstance(listed[0].initiated, datetime)
        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="nope/")] == []

        # Abort.
        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert isinstance(aborted, AbortMultipartUploadResponse)
        assert aborted.response_metadata.http_status_code == 204
        assert aborted.response_metadata.request_id
        assert aborted.request_charged is None
        assert aborted.to_dict()["ResponseMetadata"]["HTTPStatusCode"] == 204  # type: ignore[index]

        # ListParts now: NoSuchUpload, also as s3.exceptions.NoSuchUpload.
        with pytest.raises(NoSuchUpload) as info:
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        err = info.value
        assert isinstance(err, ClientError) and isinstance(err, Aios3Error)
        assert err.code == "NoSuchUpload"
        assert err.status_code == 404
        assert err.request_id
        assert err.operation_name == "ListParts"
        assert err.response["Error"]["Code"] == "NoSuchUpload"
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert err.response["ResponseMetadata"]["RequestId"] == err.request_id
        caught = None
        try:
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        except s3.exceptions.NoSuchUpload as exc:
            caught = exc
        assert caught is not None and caught.status_code == 404

        # SeaweedFS deviation: a second abort succeeds with 204 (AWS: 404 NoSuchUpload).
        again = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert again.response_metadata.http_status_code == 204

        remaining = [u async for u in s3.iter_multipart_uploads(Bucket=bucket)]
        assert [(u.key, u.upload_id) for u in remaining] == [("elsewhere/x", other.upload_id)]
        await s3.abort_multipart_upload(Bucket=bucket, Key="elsewhere/x", UploadId=other.upload_id)


async def test_lifecycle_create_upload_complete(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    key = "dir/completed.bin"
    data = [b"x" * (5 * MiB), b"tail"]

    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        etags = [
            (
                await s3.upload_part(
                    Bucket=bucket,
                    Key=key,
                    UploadId=up.upload_id,
                    PartNumber=n,
                    Body=body,
                )
            ).etag
            for n, body in enumerate(data, 1)
        ]
        done = await s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=up.upload_id,
            MultipartUpload={
                "Parts": [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, 1)]
            },
        )
        assert isinstance(done, CompleteMultipartUploadResponse)
        assert done.response_metadata.http_status_code == 200
        assert done.etag is not None and done.etag.endswith('-2"')
        assert done.etag == _multipart_etag(*data)
        assert (done.bucket, done.key) == (bucket, key)
        assert done.to_dict()["Key"] == key

        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket)] == []
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=up.upload_id)


# --------------------------------------------------------------------------------------------
# 2. A wrong secret
# --------------------------------------------------------------------------------------------


async def test_abort_with_wrong_secret_is_signature_does_not_match(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    wrong = "WrongSecret-" + "q7Zp" * 6
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
    async with _client(seaweed, secret=wrong) as bad:
        with pytest.raises(SignatureDoesNotMatch) as info:
            await bad.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
    err = info.value
    assert err.code == "SignatureDoesNotMatch"
    assert err.status_code == 403
    assert err.request_id
    assert err.response["Error"]["Code"] == "SignatureDoesNotMatch"
    for text in (str(err), repr(err), repr(err.response), repr(err.args)):
        assert wrong not in text
        assert seaweed.secret_key not in text
    # The upload survived the refused abort.
    async with _client(seaweed) as s3:
        listed = [u.upload_id async for u in s3.iter_multipart_uploads(Bucket=bucket)]
        assert listed == [up.upload_id]
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)


# --------------------------------------------------------------------------------------------
# 3. Error mapping
# --------------------------------------------------------------------------------------------


async def test_complete_with_small_first_part_is_entity_too_small(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="small")
        e1 = (
            await s3.upload_part(
                Bucket=bucket, Key="small", UploadId=up.upload_id, PartNumber=1, Body=b"1" * 10
            )
        ).etag
        e2 = (
            await s3.upload_part(
                Bucket=bucket, Key="small", UploadId=up.upload_id, PartNumber=2, Body=b"2" * 10
            )
        ).etag
        with pytest.raises(EntityTooSmall) as info:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="small",
                UploadId=up.upload_id,
                MultipartUpload={
                    "Parts": [{"ETag": e1, "PartNumber": 1}, {"ETag": e2, "PartNumber": 2}]
                },
            )
        assert info.value.code == "EntityTooSmall"
        assert info.value.status_code == 400
        assert info.value.operation_name == "CompleteMultipartUpload"
        await s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=up.upload_id)


async def test_complete_errors_invalid_part_and_part_order(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    key = "errors"
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        uid = up.upload_id
        e1 = (
            await s3.upload_part(
                Bucket=bucket,
                Key=key,
                UploadId=uid,
                PartNumber=1,
                Body=b"a" * (5 * MiB),
            )
        ).etag
        e2 = (
            await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=2, Body=b"b")
        ).etag

        with pytest.raises(InvalidPart) as info:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=uid,
                MultipartUpload={
                    "Parts": [
                        {"ETag": e1, "PartNumber": 1},
                        {"ETag": '"' + "0" * 32 + '"', "PartNumber": 2},
                    ]
                },
            )
        assert (info.value.code, info.value.status_code) == ("InvalidPart", 400)

        with pytest.raises(InvalidPart):  # a part number that was never uploaded
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=uid,
                MultipartUpload={"Parts": [{"ETag": e1, "PartNumber": 7}]},
            )

        # SeaweedFS checks the order as AWS does (moto says EntityTooSmall instead).
        with pytest.raises(InvalidPartOrder) as order:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=uid,
                MultipartUpload={
                    "Parts": [{"ETag": e2, "PartNumber": 2}, {"ETag": e1, "PartNumber": 1}]
                },
            )
        assert (order.value.code, order.value.status_code) == ("InvalidPartOrder", 400)

        # None of the refused completions consumed the upload.
        listed = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        assert [(p.part_number, p.etag) for p in listed.parts] == [(1, e1), (2, e2)]
        await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)


async def test_missing_bucket_is_no_such_bucket(seaweed, unique_bucket_name) -> None:
    missing = unique_bucket_name  # never created
    async with _client(seaweed) as s3:
        calls = {
            "CreateMultipartUpload": lambda: s3.create_multipart_upload(Bucket=missing, Key="k"),
            "AbortMultipartUpload": lambda: s3.abort_multipart_upload(
                Bucket=missing, Key="k", UploadId="u"
            ),
            "ListParts": lambda: s3.list_parts(Bucket=missing, Key="k", UploadId="u"),
            "ListMultipartUploads": lambda: s3.list_multipart_uploads(Bucket=missing),
        }
        for operation, call in calls.items():
            with pytest.raises(NoSuchBucket) as info:
                await call()
            assert info.value.code == "NoSuchBucket"
            assert info.value.status_code == 404
            assert info.value.operation_name == operation
            assert info.value.response["Error"]["Code"] == "NoSuchBucket"


_BAD_UPLOAD_PART = [
    pytest.param({"PartNumber": 0}, "PartNumber", id="part-number-0"),
    pytest.param({"PartNumber": 10001}, "PartNumber", id="part-number-10001"),
    pytest.param({"UploadId": ""}, "UploadId", id="empty-upload-id"),
]


@pytest.mark.parametrize(("change", "field"), _BAD_UPLOAD_PART)
async def test_bad_parameters_raise_before_sending(
    seaweed, make_bucket, change: dict[str, object], field: str
) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        params: dict[str, object] = {
            "Bucket": bucket,
            "Key": "k",
            "UploadId": up.upload_id,
            "PartNumber": 1,
            "Body": b"data",
            **change,
        }
        with pytest.raises(ParamValidationError) as info:
            await s3.upload_part(**params)  # type: ignore[arg-type]
        assert not isinstance(info.value, ClientError)
        assert any(line.startswith(field) for line in info.value.errors), info.value.errors
        assert field in str(info.value)
        # Nothing reached the server: no part was stored.
        listed = await s3.list_parts(Bucket=bucket, Key="k", UploadId=up.upload_id)
        assert listed.parts == []
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)

    # Against an endpoint where nothing listens, validation still wins over the transport.
    dead = aios3.S3Client(
        endpoint_url=_dead_endpoint(),
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        config=aios3.Config(max_attempts=1, connect_timeout=2),
    )
    async with dead:
        with pytest.raises(ParamValidationError):
            await dead.upload_part(**params)  # type: ignore[arg-type]
        if field == "UploadId":
            with pytest.raises(ParamValidationError):
                await dead.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="")
            with pytest.raises(ParamValidationError):
                await dead.list_parts(Bucket=bucket, Key="k", UploadId="")
        else:
            number = params["PartNumber"]
            with pytest.raises(ParamValidationError) as complete:
                await dead.complete_multipart_upload(
                    Bucket=bucket,
                    Key="k",
                    UploadId="u",
                    MultipartUpload={"Parts": [{"ETag": '"e"', "PartNumber": number}]},  # type: ignore[typeddict-item]
                )
            assert "PartNumber" in str(complete.value)
        # Control: a valid call does reach the (dead) transport.
        with pytest.raises(TransportError):
            await dead.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="u")


# --------------------------------------------------------------------------------------------
# 5. Streaming bodies
# --------------------------------------------------------------------------------------------


@pytest.fixture
def part_file(tmp_path: Path) -> Iterator[tuple[BinaryIO, bytes]]:
    """A real 5 MiB temp file opened 'rb', and its content."""
    data = os.urandom(5 * MiB)
    path = tmp_path / "part2.bin"
    path.write_bytes(data)
    with path.open("rb") as fh:
        yield fh, data


async def test_upload_part_streaming_bodies(seaweed, make_bucket, part_file) -> None:
    bucket = await make_bucket(seaweed)
    key = "stream/object"
    fh, d2 = part_file
    d1 = os.urandom(5 * MiB)
    d3 = os.urandom(70_001)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        uid = up.upload_id
        r1 = await s3.upload_part(
            Bucket=bucket, Key=key, UploadId=uid, PartNumber=1, Body=io.BytesIO(d1)
        )
        r2 = await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=2, Body=fh)
        r3 = await s3.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=uid,
            PartNumber=3,
            Body=_agen(d3[:1000], d3[1000:65536], d3[65536:]),
            ContentLength=len(d3),
        )
        assert [r1.etag, r2.etag, r3.etag] == [_quoted_md5(d) for d in (d1, d2, d3)]

        listed = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        assert [(p.part_number, p.size, p.etag) for p in listed.parts] == [
            (1, len(d1), _quoted_md5(d1)),
            (2, len(d2), _quoted_md5(d2)),
            (3, len(d3), _quoted_md5(d3)),
        ]

        done = await s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=uid,
            MultipartUpload={
                "Parts": [
                    {"ETag": r.etag, "PartNumber": n}  # type: ignore[typeddict-item]
                    for n, r in enumerate((r1, r2, r3), 1)
                ]
            },
        )
        assert done.etag == _multipart_etag(d1, d2, d3)


async def test_upload_part_file_object_sends_from_its_current_position(
    seaweed, make_bucket
) -> None:
    bucket = await make_bucket(seaweed)
    payload = os.urandom(4096)
    body = io.BytesIO(b"HEADER" + payload)
    body.read(6)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="pos")
        r = await s3.upload_part(
            Bucket=bucket, Key="pos", UploadId=up.upload_id, PartNumber=1, Body=body
        )
        assert r.etag == _quoted_md5(payload)
        listed = await s3.list_parts(Bucket=bucket, Key="pos", UploadId=up.upload_id)
        assert [(p.size, p.etag) for p in listed.parts] == [(len(payload), _quoted_md5(payload))]
        await s3.abort_multipart_upload(Bucket=bucket, Key="pos", UploadId=up.upload_id)


async def test_async_iterable_body_without_content_length_is_refused(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        with pytest.raises(ParamValidationError) as info:
            await s3.upload_part(
                Bucket=bucket, Key="k", UploadId=up.upload_id, PartNumber=1, Body=_agen(b"x")
            )
        assert "ContentLength" in str(info.value)
        listed = await s3.list_parts(Bucket=bucket, Key="k", UploadId=up.upload_id)
        assert listed.parts == []
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)


async def test_async_iterable_body_longer_than_content_length_is_an_error(
    seaweed, make_bucket
) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        try:
            with pytest.raises(ParamValidationError, match="more than ContentLength") as info:
                await s3.upload_part(
                    Bucket=bucket,
                    Key="k",
                    UploadId=up.upload_id,
                    PartNumber=1,
                    Body=_agen(b"0123456789"),
                    ContentLength=5,
                )
            assert info.value.errors == ["ContentLength: 5 is less than the bytes Body yields"]
        finally:
            await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)


async def test_upload_part_large_bytes_body_emits_no_resource_warning(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    data = b"z" * (5 * MiB)
    async with _client(seaweed) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="big")
        try:
            with warnings.catch_warnings(record=True) as records:
                warnings.simplefilter("always")
                r = await s3.upload_part(
                    Bucket=bucket, Key="big", UploadId=up.upload_id, PartNumber=1, Body=data
                )
            assert r.etag == _quoted_md5(data)  # the upload itself works
            assert [str(w.message) for w in records if w.category is ResourceWarning] == []
        finally:
            await s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=up.upload_id)


# --------------------------------------------------------------------------------------------
# 7. Concurrency and clean shutdown
# --------------------------------------------------------------------------------------------


async def test_twenty_concurrent_create_abort_on_a_pool_of_four(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    async with _client(seaweed, max_pool_connections=4) as s3:

        async def create_abort(i: int) -> tuple[str, int]:
            key = f"concurrent/{i:02d}"
            up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
            r = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up.upload_id)
            return up.upload_id, r.response_metadata.http_status_code

        results = await asyncio.wait_for(
            asyncio.gather(*(create_abort(i) for i in range(20))), timeout=30
        )
        assert [status for _, status in results] == [204] * 20
        assert len({uid for uid, _ in results}) == 20
        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket)] == []


def _unclosed_warnings(records: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in records
        if issubclass(w.category, ResourceWarning) or "Unclosed" in str(w.message)
    ]


async def test_closing_the_client_leaves_no_unclosed_session(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        async with _client(seaweed) as s3:
            await s3.list_multipart_uploads(Bucket=bucket)
        del s3
        client = _client(seaweed)  # closed explicitly instead of by `async with`
        await client.list_multipart_uploads(Bucket=bucket)
        await client.close()
        del client
        resource = aios3.S3Resource(
            endpoint_url=seaweed.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=seaweed.access_key,
            aws_secret_access_key=seaweed.secret_key,
        )
        async with resource as s3r:
            assert [u async for u in s3r.Bucket(bucket).multipart_uploads.all()] == []
        del resource, s3r
        await asyncio.sleep(0)
        gc.collect()
    assert _unclosed_warnings(records) == []

    # Control: the same check does see an aiohttp session that was never closed.
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        leaked = aiohttp.ClientSession()
        del leaked
        gc.collect()
    assert any("Unclosed client session" in text for text in _unclosed_warnings(records))
