"""Keys that a URL layer likes to rewrite must reach the server byte for byte.

Each key goes through create → upload a part → list parts → list uploads → abort. moto stores
keys faithfully, so every key must round-trip there: a failure on moto is aios3's (the key was
normalised, double-encoded or cut at ``?``/``#`` on the way). SeaweedFS rewrites or refuses a
few keys itself; those deviations are asserted explicitly, so that a change in SeaweedFS (or in
what aios3 sends) is noticed.
"""

from __future__ import annotations

import pytest

import aios3
from aios3.errors import ClientError, NoSuchUpload

TRICKY_KEYS = [
    "a/../b",
    "a//b",
    "./x",
    "%2F",
    "a b",
    "a+b",
    "a?b",
    "a#b",
    "ü/日本語",
    "trailing/",
    "~tilde",
    "a%20b",
    "semi;colon",
    '"quote"',
    "<lt>&amp",
]

# Keys SeaweedFS 4.48 stores as given.
SEAWEED_FAITHFUL = [k for k in TRICKY_KEYS if k not in ("a/../b", "a//b", "./x")]

# Keys SeaweedFS refuses with 400 InvalidRequest (a `.` or `..` path segment).
SEAWEED_REFUSED = ["a/../b", "a/./b", "./x", "../x", "x/..", ".."]

# Keys SeaweedFS accepts but stores under another name.
SEAWEED_REWRITTEN = [
    ("a//b", "a/b"),
    ("/leading", "leading"),
    ("a\\b", "a/b"),  # a backslash becomes a slash
]


def _client(server) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


async def _round_trip(server, bucket: str, key: str, stored_as: str) -> None:
    """create → upload → list parts → list uploads → abort; the server reports ``stored_as``."""
    async with _client(server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        assert up.key == stored_as
        uid = up.upload_id
        part = await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=1, Body=b"hi")
        assert part.etag == '"49f68a5c8493ec2c0bf489821c21fc3b"'  # md5(b"hi")

        listed = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        assert listed.key == stored_as
        assert listed.upload_id == uid
        assert [(p.part_number, p.size, p.etag) for p in listed.parts] == [(1, 2, part.etag)]

        uploads = await s3.list_multipart_uploads(Bucket=bucket)
        assert [(u.key, u.upload_id) for u in uploads.uploads] == [(stored_as, uid)]
        by_prefix = [
            u.key async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix=stored_as)
        ]
        assert by_prefix == [stored_as]

        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert aborted.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []


@pytest.mark.parametrize("key", TRICKY_KEYS)
async def test_tricky_key_round_trips_on_moto(moto_server, make_bucket, key: str) -> None:
    bucket = await make_bucket(moto_server)
    await _round_trip(moto_server, bucket, key, stored_as=key)


@pytest.mark.parametrize("key", SEAWEED_FAITHFUL)
async def test_tricky_key_round_trips_on_seaweed(seaweed, make_bucket, key: str) -> None:
    bucket = await make_bucket(seaweed)
    await _round_trip(seaweed, bucket, key, stored_as=key)


@pytest.mark.parametrize(("key", "stored_as"), SEAWEED_REWRITTEN)
async def test_seaweed_rewrites_some_keys(seaweed, make_bucket, key: str, stored_as: str) -> None:
    """SeaweedFS deviation: these keys are silently stored under another name."""
    bucket = await make_bucket(seaweed)
    await _round_trip(seaweed, bucket, key, stored_as=stored_as)


@pytest.mark.parametrize("key", SEAWEED_REFUSED)
async def test_seaweed_refuses_dot_segments(seaweed, make_bucket, key: str) -> None:
    """SeaweedFS deviation: keys with `.`/`..` segments get 400 InvalidRequest (AWS stores them).

    That it is refused rather than stored under a collapsed name also shows that aios3 sent
    the segment as is (a collapsed `a/../b` would have been stored as `b`).
    """
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        with pytest.raises(ClientError) as info:
            await s3.create_multipart_upload(Bucket=bucket, Key=key)
        assert type(info.value) is s3.exceptions.InvalidRequest  # boto3's class for the code
        assert (info.value.code, info.value.status_code) == ("InvalidRequest", 400)
        assert info.value.operation_name == "CreateMultipartUpload"
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []
