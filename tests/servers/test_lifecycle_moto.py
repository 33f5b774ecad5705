"""The multipart lifecycle and error mapping against moto, through aios3's public client API.

``moto_server`` (in process, no signature checks) for the lifecycle and the error codes,
``moto_auth`` (subprocess, signatures checked) for credentials.

moto deviations asserted here on purpose (see ``../shared/notes/s3-test-servers.md``):

* CompleteMultipartUpload with parts out of order answers EntityTooSmall (AWS: InvalidPartOrder);
* with auth on, a query value holding ``/`` (e.g. ``prefix=dir/``) fails moto's signature check
  for every client, botocore's signer included.
"""

from __future__ import annotations

import hashlib

import pytest

import aios3
from aios3.errors import (
    Aios3Error,
    ClientError,
    EntityTooSmall,
    InvalidPart,
    NoSuchBucket,
    NoSuchUpload,
    SignatureDoesNotMatch,
)
from aios3.models import (
    AbortMultipartUploadResponse,
    CompleteMultipartUploadResponse,
    ListPartsResponse,
    MultipartUploadSummary,
    Part,
)

MiB = 1024 * 1024


def _client(server, *, secret: str | None = None) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=secret if secret is not None else server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


def _quoted_md5(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def _multipart_etag(*parts: bytes) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


async def _upload(s3: aios3.S3Client, bucket: str, key: str, upload_id: str, *data: bytes):
    """Upload ``data`` as parts 1..n; return their ETags."""
    etags = []
    for number, body in enumerate(data, 1):
        r = await s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        etags.append(r.etag)
    return etags


# --------------------------------------------------------------------------------------------
# 1. The whole lifecycle
# --------------------------------------------------------------------------------------------


async def test_lifecycle_create_upload_list_abort(moto_server, make_bucket) -> None:
    bucket = await make_bucket(moto_server)
    key = "dir/lifecycle.bin"
    data = [b"a" * (5 * MiB), b"b" * 1234, b"c" * 10]

    async with _client(moto_server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        assert isinstance(up.upload_id, str) and up.upload_id
        assert (up.bucket, up.key) == (bucket, key)
        uid = up.upload_id
        other = await s3.create_multipart_upload(Bucket=bucket, Key="elsewhere/x")

        etags = await _upload(s3, bucket, key, uid, *data)
        assert etags == [_quoted_md5(d) for d in data]

        first = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid, MaxParts=1)
        assert isinstance(first, ListPartsResponse)  # moto's root is <ListPartsResponse>
        assert (first.bucket, first.key, first.upload_id) == (bucket, key, uid)
        assert first.is_truncated is True
        assert first.next_part_number_marker == 1
        assert [(p.part_number, p.size, p.etag) for p in first.parts] == [(1, 5 * MiB, etags[0])]

        pages = [
            page
            async for page in s3.get_paginator("list_parts").paginate(
                Bucket=bucket, Key=key, UploadId=uid, PaginationConfig={"PageSize": 1}
            )
        ]
        assert len(pages) == 3
        assert [len(page.parts) for page in pages] == [1, 1, 1]
        assert [page.is_truncated for page in pages] == [True, True, False]
        parts = [p for page in pages for p in page.parts]
        assert all(isinstance(p, Part) for p in parts)
        assert [p.part_number for p in parts] == [1, 2, 3]
        assert [p.size for p in parts] == [len(d) for d in data]
        assert [p.etag for p in parts] == etags

        iterated = [
            (p.part_number, p.etag)
            async for p in s3.iter_parts(Bucket=bucket, Key=key, UploadId=uid, MaxParts=1)
        ]
        assert iterated == [(1, etags[0]), (2, etags[1]), (3, etags[2])]

        listing = await s3.list_multipart_uploads(Bucket=bucket)
        assert {(u.key, u.upload_id) for u in listing.uploads} == {
            (key, uid),
            ("elsewhere/x", other.upload_id),
        }
        listed = [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="dir/")]
        assert [(u.key, u.upload_id) for u in listed] == [(key, uid)]
        assert isinstance(listed[0], MultipartUploadSummary)
        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="nope/")] == []

        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert isinstance(aborted, AbortMultipartUploadResponse)
        assert aborted.response_metadata.http_status_code == 204

        with pytest.raises(NoSuchUpload) as info:
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        err = info.value
        assert isinstance(err, ClientError) and isinstance(err, Aios3Error)
        assert (err.code, err.status_code, err.operation_name) == ("NoSuchUpload", 404, "ListParts")
        assert err.request_id
        assert err.response["Error"]["Code"] == "NoSuchUpload"
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        caught = None
        try:
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        except s3.exceptions.NoSuchUpload as exc:
            caught = exc
        assert caught is not None and caught.status_code == 404 and caught.request_id

        # moto, like AWS: a second abort is 404 NoSuchUpload.
        with pytest.raises(NoSuchUpload) as again:
            await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert again.value.status_code == 404
        assert again.value.operation_name == "AbortMultipartUpload"
        assert again.value.request_id

        remaining = [u async for u in s3.iter_multipart_uploads(Bucket=bucket)]
        assert [(u.key, u.upload_id) for u in remaining] == [("elsewhere/x", other.upload_id)]
        await s3.abort_multipart_upload(Bucket=bucket, Key="elsewhere/x", UploadId=other.upload_id)


async def test_lifecycle_create_upload_complete(moto_server, make_bucket) -> None:
    bucket = await make_bucket(moto_server)
    key = "dir/completed.bin"
    data = [b"x" * (5 * MiB), b"tail"]
    async with _client(moto_server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        etags = await _upload(s3, bucket, key, up.upload_id, *data)
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

        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket)] == []
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=up.upload_id)
        with pytest.raises(NoSuchUpload):
            await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up.upload_id)


async def test_success_request_id_comes_from_x_amzn_requestid(moto_server, make_bucket) -> None:
    """moto sends its request id only as x-amzn-requestid on success; botocore reads it."""
    bucket = await make_bucket(moto_server)
    async with _client(moto_server) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
    for meta in (up.response_metadata, aborted.response_metadata):
        header = meta.http_headers["x-amzn-requestid"]
        assert header
        assert meta.request_id == header


# --------------------------------------------------------------------------------------------
# 2. Credentials (moto with signature checking)
# --------------------------------------------------------------------------------------------


async def test_abort_with_wrong_secret_is_signature_does_not_match(moto_auth, make_bucket) -> None:
    bucket = await make_bucket(moto_auth)
    wrong = "WrongSecret-" + "Hk3v" * 6
    async with _client(moto_auth) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
    async with _client(moto_auth, secret=wrong) as bad:
        with pytest.raises(SignatureDoesNotMatch) as info:
            await bad.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
    err = info.value
    assert isinstance(err, ClientError)
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 403)
    assert err.request_id
    assert err.response["Error"]["Code"] == "SignatureDoesNotMatch"
    for text in (str(err), repr(err), repr(err.response), repr(err.args)):
        assert wrong not in text
        assert moto_auth.secret_key not in text

    # The right secret works on the same server: the refused abort left the upload alone.
    async with _client(moto_auth) as s3:
        etag = (
            await s3.upload_part(
                Bucket=bucket, Key="k", UploadId=up.upload_id, PartNumber=1, Body=b"abc"
            )
        ).etag
        listed = await s3.list_parts(Bucket=bucket, Key="k", UploadId=up.upload_id)
        assert [(p.part_number, p.etag) for p in listed.parts] == [(1, etag)]
        uploads = await s3.list_multipart_uploads(Bucket=bucket)
        assert [(u.key, u.upload_id) for u in uploads.uploads] == [("k", up.upload_id)]
        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
        assert aborted.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket=bucket, Key="k", UploadId=up.upload_id)


async def test_query_values_with_slash_and_unicode_verify_as_botocore_signs_them(
    moto_auth, make_bucket, s3_request
) -> None:
    """A query value with `/` or non-ASCII text gets the same answer for aios3 as for botocore.

    (moto 5.2.1 refused both signers here with SignatureDoesNotMatch; 5.2.5 accepts both.
    Whatever the server version, aios3 must not differ from botocore's signer.)
    """
    bucket = await make_bucket(moto_auth)
    for prefix, encoded in (("dir/", "dir%2F"), ("ü", "%C3%BC"), ("dir", "dir")):
        raw = await s3_request(moto_auth, "GET", f"/{bucket}?prefix={encoded}&uploads")
        async with _client(moto_auth) as s3:
            try:
                ours = await s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
                status = ours.response_metadata.http_status_code
                assert ours.uploads == []
            except SignatureDoesNotMatch as e:
                status = e.status_code
        assert status == raw.status, prefix


# --------------------------------------------------------------------------------------------
# 3. Error mapping
# --------------------------------------------------------------------------------------------


async def test_complete_errors(moto_server, make_bucket) -> None:
    bucket = await make_bucket(moto_server)
    async with _client(moto_server) as s3:
        # Two small parts in order: EntityTooSmall.
        small = await s3.create_multipart_upload(Bucket=bucket, Key="small")
        e1, e2 = await _upload(s3, bucket, "small", small.upload_id, b"1" * 10, b"2" * 10)
        with pytest.raises(EntityTooSmall) as too_small:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="small",
                UploadId=small.upload_id,
                MultipartUpload={
                    "Parts": [{"ETag": e1, "PartNumber": 1}, {"ETag": e2, "PartNumber": 2}]
                },
            )
        assert (too_small.value.code, too_small.value.status_code) == ("EntityTooSmall", 400)
        assert too_small.value.operation_name == "CompleteMultipartUpload"
        await s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=small.upload_id)

        up = await s3.create_multipart_upload(Bucket=bucket, Key="big")
        b1, b2 = await _upload(s3, bucket, "big", up.upload_id, b"a" * (5 * MiB), b"b")

        with pytest.raises(InvalidPart) as invalid:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="big",
                UploadId=up.upload_id,
                MultipartUpload={
                    "Parts": [
                        {"ETag": b1, "PartNumber": 1},
                        {"ETag": '"' + "0" * 32 + '"', "PartNumber": 2},
                    ]
                },
            )
        assert (invalid.value.code, invalid.value.status_code) == ("InvalidPart", 400)

        # moto deviation: parts out of order (a 5 MiB part and a last small one) give
        # EntityTooSmall, where AWS (and SeaweedFS) say InvalidPartOrder.
        with pytest.raises(EntityTooSmall):
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="big",
                UploadId=up.upload_id,
                MultipartUpload={
                    "Parts": [{"ETag": b2, "PartNumber": 2}, {"ETag": b1, "PartNumber": 1}]
                },
            )

        listed = await s3.list_parts(Bucket=bucket, Key="big", UploadId=up.upload_id)
        assert [(p.part_number, p.etag) for p in listed.parts] == [(1, b1), (2, b2)]
        await s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=up.upload_id)


async def test_missing_bucket_is_no_such_bucket(moto_server, unique_bucket_name) -> None:
    missing = unique_bucket_name
    async with _client(moto_server) as s3:
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
            assert (info.value.code, info.value.status_code) == ("NoSuchBucket", 404)
            assert info.value.operation_name == operation
            assert info.value.request_id
