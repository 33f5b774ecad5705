"""The multipart lifecycle, listings and error mapping against Ceph RGW (``radosgw`` 16 on a
one-host memstore cluster, SigV4 checked), through aios3's public client API.

Skipped unless ``AIOS3_TEST_CEPH=1`` (stage 5 of ``.ci/run``, after ``.ci/install-ceph``).

Ceph 16 has no flexible checksums: a trailing checksum (aws-chunked) is refused and a checksum
header is ignored. Clients for Ceph 16 need ``request_checksum_calculation="when_required"``,
which every test here sets through ``AWS_REQUEST_CHECKSUM_CALCULATION``.

Ceph deviations from AWS asserted here on purpose, so that a change in Ceph is noticed (the
table in ``docs/servers.md`` lists them):

* ``ListParts`` after an abort (or for an unknown upload id) is 404 NoSuchKey, not NoSuchUpload;
* CompleteMultipartUpload answers an empty ``<ETag>``;
* error ``<Message>`` elements are mostly empty;
* CompleteMultipartUpload of an unknown upload is 500 InternalError, not 404 NoSuchUpload;
* ListMultipartUploads with a Delimiter leaves out the uploads under a prefix and gives no
  CommonPrefixes for them;
* parts out of order complete, assembled by part number (no InvalidPartOrder);
* part numbers 0 and 10001 are accepted (part 0 is then never listed);
* a checksum header with a wrong value is accepted and no checksum is echoed;
* a trailing checksum is refused with 400 XAmzContentSHA256Mismatch.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

import aios3
from aios3.errors import (
    Aios3Error,
    ClientError,
    EntityTooSmall,
    InvalidPart,
    NoSuchBucket,
    NoSuchKey,
    NoSuchUpload,
    SignatureDoesNotMatch,
)
from aios3.models import CompleteMultipartUploadResponse, ListPartsResponse, Part
from tests._raw_checksums import CRC32, DATA, WRONG_CRC32, put_with_header, put_with_trailer

MiB = 1024 * 1024
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _ceph_checksum_setting(_isolated_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The setting Ceph 16 needs: checksums only where an operation requires one."""
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    monkeypatch.setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")


def _client(server: Any, *, secret: str | None = None) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name=REGION,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=secret if secret is not None else server.secret_key,
        config=aios3.Config(max_attempts=1),
    )


def _botocore_client(server: Any) -> Any:
    """botocore's own S3 client for the same server, to compare listings with."""
    import botocore.config
    import botocore.session

    return botocore.session.Session().create_client(
        "s3",
        region_name=REGION,
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
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


async def test_lifecycle_create_upload_list_abort(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    key = "dir/lifecycle.bin"
    data = [b"a" * (5 * MiB), b"b" * 1234, b"c" * 10]

    async with _client(ceph) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        assert isinstance(up.upload_id, str) and up.upload_id
        assert (up.bucket, up.key) == (bucket, key)
        assert up.response_metadata.http_status_code == 200
        assert up.response_metadata.request_id
        uid = up.upload_id
        other = await s3.create_multipart_upload(Bucket=bucket, Key="elsewhere/x")

        etags = await _upload(s3, bucket, key, uid, *data)
        assert etags == [_quoted_md5(d) for d in data]

        first = await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid, MaxParts=1)
        assert isinstance(first, ListPartsResponse)
        assert (first.bucket, first.key, first.upload_id) == (bucket, key, uid)
        assert first.max_parts == 1
        assert first.is_truncated is True
        assert first.next_part_number_marker == 1
        assert [(p.part_number, p.size, p.etag) for p in first.parts] == [(1, 5 * MiB, etags[0])]

        pages = [
            page
            async for page in s3.get_paginator("list_parts").paginate(
                Bucket=bucket, Key=key, UploadId=uid, PaginationConfig={"PageSize": 1}
            )
        ]
        assert [len(page.parts) for page in pages] == [1, 1, 1]
        assert [page.is_truncated for page in pages] == [True, True, False]
        assert [page.part_number_marker for page in pages] == [0, 1, 2]
        parts = [p for page in pages for p in page.parts]
        assert all(isinstance(p, Part) for p in parts)
        assert [p.part_number for p in parts] == [1, 2, 3]
        assert [p.size for p in parts] == [len(d) for d in data]
        assert [p.etag for p in parts] == etags
        assert all(p.last_modified is not None and p.last_modified.tzinfo for p in parts)

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
        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="nope/")] == []

        aborted = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert aborted.response_metadata.http_status_code == 204

        # Ceph deviation: ListParts of an aborted upload is NoSuchKey (AWS: NoSuchUpload).
        with pytest.raises(NoSuchKey) as info:
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=uid)
        err = info.value
        assert isinstance(err, ClientError) and isinstance(err, Aios3Error)
        assert (err.code, err.status_code, err.operation_name) == ("NoSuchKey", 404, "ListParts")
        assert err.request_id
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 404

        # As on AWS: a second abort is 404 NoSuchUpload.
        with pytest.raises(NoSuchUpload) as again:
            await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
        assert (again.value.status_code, again.value.operation_name) == (
            404,
            "AbortMultipartUpload",
        )
        assert again.value.request_id

        remaining = [u async for u in s3.iter_multipart_uploads(Bucket=bucket)]
        assert [(u.key, u.upload_id) for u in remaining] == [("elsewhere/x", other.upload_id)]
        await s3.abort_multipart_upload(Bucket=bucket, Key="elsewhere/x", UploadId=other.upload_id)


async def test_lifecycle_create_upload_complete(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    key = "dir/completed.bin"
    data = [b"x" * (5 * MiB), b"tail"]
    async with _client(ceph) as s3:
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
        assert (done.bucket, done.key) == (bucket, key)
        # Ceph deviation: the <ETag> of CompleteMultipartUploadResult is empty; HeadObject has it.
        assert not done.etag
        head = await s3.head_object(Bucket=bucket, Key=key)
        assert head.etag == _multipart_etag(*data)
        assert head.content_length == sum(len(d) for d in data)

        assert [u async for u in s3.iter_multipart_uploads(Bucket=bucket)] == []
        with pytest.raises(NoSuchKey):  # Ceph deviation, as after an abort
            await s3.list_parts(Bucket=bucket, Key=key, UploadId=up.upload_id)
        with pytest.raises(NoSuchUpload):
            await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up.upload_id)
        await s3.delete_object(Bucket=bucket, Key=key)


# --------------------------------------------------------------------------------------------
# 2. Listings: paged by aios3 as by botocore
# --------------------------------------------------------------------------------------------


async def test_list_multipart_uploads_pages_match_botocore(ceph, make_bucket, s3_request) -> None:
    bucket = await make_bucket(ceph)
    keys = ["a/1", "a/2", "a/2", "a/3", "b/1", "b/2", "c", "c"]  # same key twice: two uploads
    async with _client(ceph) as s3:
        made = [await s3.create_multipart_upload(Bucket=bucket, Key=k) for k in keys]
        try:
            ids = sorted((u.key, u.upload_id) for u in made)

            pages = [
                page
                async for page in s3.get_paginator("list_multipart_uploads").paginate(
                    Bucket=bucket, PaginationConfig={"PageSize": 2}
                )
            ]
            ours = [(u.key, u.upload_id) for page in pages for u in page.uploads]
            assert sorted(ours) == ids
            assert len(ours) == len(ids)  # nothing twice
            assert [len(page.uploads) for page in pages] == [2, 2, 2, 2]
            assert [page.is_truncated for page in pages] == [True, True, True, False]
            # Ceph pages by key and upload id, with both next markers, as AWS does.
            assert all(p.next_key_marker and p.next_upload_id_marker for p in pages[:-1])

            prefixed = [
                (u.key, u.upload_id)
                async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="a/", MaxUploads=1)
            ]
            assert sorted(prefixed) == [i for i in ids if i[0].startswith("a/")]

            def botocore_listing(**kwargs: Any) -> list[tuple[str, str]]:
                client = _botocore_client(ceph)
                try:
                    paginator = client.get_paginator("list_multipart_uploads")
                    return [
                        (u["Key"], u["UploadId"])
                        for page in paginator.paginate(Bucket=bucket, **kwargs)
                        for u in page.get("Uploads", [])
                    ]
                finally:
                    client.close()

            # Ceph deviation: with a Delimiter, the uploads under a prefix (a/..., b/...) are
            # left out without a CommonPrefixes element for them (AWS: a/ and b/).
            grouped = await s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
            assert grouped.common_prefixes == []
            assert sorted((u.key, u.upload_id) for u in grouped.uploads) == [
                i for i in ids if i[0] == "c"
            ]
            raw = await s3_request(ceph, "GET", f"/{bucket}?delimiter=%2F&uploads")
            assert raw.status == 200 and b"CommonPrefixes" not in raw.body

            theirs = await asyncio.to_thread(botocore_listing, PaginationConfig={"PageSize": 2})
            assert ours == theirs
            theirs_prefixed = await asyncio.to_thread(
                botocore_listing, Prefix="a/", PaginationConfig={"PageSize": 1}
            )
            assert prefixed == theirs_prefixed
        finally:
            for u in made:
                await s3.abort_multipart_upload(Bucket=bucket, Key=u.key, UploadId=u.upload_id)


# --------------------------------------------------------------------------------------------
# 3. Errors
# --------------------------------------------------------------------------------------------


async def test_wrong_secret_is_signature_does_not_match(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    wrong = "WrongSecret-" + "Hk3v" * 6
    async with _client(ceph) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
    async with _client(ceph, secret=wrong) as bad:
        with pytest.raises(SignatureDoesNotMatch) as info:
            await bad.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
    err = info.value
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 403)
    assert err.request_id
    for text in (str(err), repr(err), repr(err.response), repr(err.args)):
        assert wrong not in text
        assert ceph.secret_key not in text

    async with _client(ceph) as s3:  # the refused abort left the upload alone
        listed = await s3.list_multipart_uploads(Bucket=bucket)
        assert [(u.key, u.upload_id) for u in listed.uploads] == [("k", up.upload_id)]
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)


async def test_unknown_upload_id(ceph, make_bucket, s3_request) -> None:
    bucket = await make_bucket(ceph)
    # Ceph deviation: the error's <Message> is empty.
    raw = await s3_request(ceph, "DELETE", f"/{bucket}/k?uploadId=2~bogus")
    assert raw.status == 404
    assert b"<Code>NoSuchUpload</Code><Message></Message>" in raw.body
    async with _client(ceph) as s3:
        with pytest.raises(NoSuchUpload) as abort:
            await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="2~bogus")
        assert (abort.value.status_code, abort.value.operation_name) == (
            404,
            "AbortMultipartUpload",
        )
        assert "NoSuchUpload" in str(abort.value)
        assert "AbortMultipartUpload" in str(abort.value)
        with pytest.raises(NoSuchUpload):
            await s3.upload_part(
                Bucket=bucket, Key="k", UploadId="2~bogus", PartNumber=1, Body=b"x"
            )
        # Ceph deviation: completing an unknown (or aborted) upload is a 500 InternalError
        # (AWS: 404 NoSuchUpload), which a retrying client tries again in vain.
        with pytest.raises(ClientError) as complete:
            await s3.complete_multipart_upload(
                Bucket=bucket,
                Key="k",
                UploadId="2~bogus",
                MultipartUpload={"Parts": [{"ETag": '"' + "0" * 32 + '"', "PartNumber": 1}]},
            )
        assert (complete.value.code, complete.value.status_code) == ("InternalError", 500)
        assert "already in progress" in complete.value.response["Error"]["Message"]
        with pytest.raises(NoSuchKey):  # Ceph deviation (AWS: NoSuchUpload)
            await s3.list_parts(Bucket=bucket, Key="k", UploadId="2~bogus")


async def test_missing_bucket_is_no_such_bucket(ceph, unique_bucket_name) -> None:
    missing = unique_bucket_name
    async with _client(ceph) as s3:
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


async def test_complete_errors(ceph, make_bucket, s3_request) -> None:
    bucket = await make_bucket(ceph)
    async with _client(ceph) as s3:
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
        assert (too_small.value.status_code, too_small.value.operation_name) == (
            400,
            "CompleteMultipartUpload",
        )
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

        # Ceph deviation: part numbers are not range-checked (AWS: 400 InvalidArgument). aios3
        # refuses them before sending, so the request is a raw one.
        for number in (0, 10001):
            raw = await s3_request(
                ceph, "PUT", f"/{bucket}/big?partNumber={number}&uploadId={up.upload_id}", body=b"z"
            )
            assert raw.status == 200, raw
        listed = await s3.list_parts(Bucket=bucket, Key="big", UploadId=up.upload_id)
        # Part 0 is stored but never listed: ListParts starts after PartNumberMarker 0.
        assert [p.part_number for p in listed.parts] == [1, 2, 10001]

        await s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=up.upload_id)

        # Ceph deviation: parts out of order complete (AWS: 400 InvalidPartOrder).
        up = await s3.create_multipart_upload(Bucket=bucket, Key="big")
        b1, b2 = await _upload(s3, bucket, "big", up.upload_id, b"a" * (5 * MiB), b"b")
        done = await s3.complete_multipart_upload(
            Bucket=bucket,
            Key="big",
            UploadId=up.upload_id,
            MultipartUpload={
                "Parts": [{"ETag": b2, "PartNumber": 2}, {"ETag": b1, "PartNumber": 1}]
            },
        )
        assert done.response_metadata.http_status_code == 200
        head = await s3.head_object(Bucket=bucket, Key="big")
        assert head.content_length == 5 * MiB + 1
        # The object holds the parts by part number, not in the order the request listed them.
        first = await s3_request(ceph, "GET", f"/{bucket}/big", headers={"Range": "bytes=0-0"})
        assert (first.status, first.body) == (206, b"a")
        await s3.delete_object(Bucket=bucket, Key="big")


# --------------------------------------------------------------------------------------------
# 4. Checksums: why Ceph 16 needs request_checksum_calculation="when_required"
# --------------------------------------------------------------------------------------------


async def test_ceph16_has_no_flexible_checksums(ceph, make_bucket, s3_request) -> None:
    bucket = await make_bucket(ceph)

    # A checksum header: accepted whatever its value, and not echoed.
    status, headers, _ = await put_with_header(ceph, f"/{bucket}/header", WRONG_CRC32)
    assert status == 200
    assert "x-amz-checksum-crc32" not in headers
    assert (await s3_request(ceph, "GET", f"/{bucket}/header")).body == DATA

    # A trailing checksum, as botocore sends streamed bodies over https by default: refused.
    status, _, body = await put_with_trailer(ceph, f"/{bucket}/trailer", CRC32)
    assert status == 400
    assert b"<Code>XAmzContentSHA256Mismatch</Code>" in body

    # With the setting, aios3's uploads carry no flexible checksum and go through.
    async with _client(ceph) as s3:
        up = await s3.create_multipart_upload(Bucket=bucket, Key="k")
        r = await s3.upload_part(
            Bucket=bucket, Key="k", UploadId=up.upload_id, PartNumber=1, Body=DATA
        )
        assert r.etag == _quoted_md5(DATA)
        assert r.checksum_crc32 is None
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up.upload_id)
        await s3.delete_object(Bucket=bucket, Key="header")


async def test_abort_and_verify_reads_ceph_no_such_key_as_gone(ceph, make_bucket) -> None:
    """Ceph 16 answers ListParts after an abort with NoSuchKey, not NoSuchUpload: after
    aios3's own abort that means gone, in one round."""
    bucket = await make_bucket(ceph)
    async with _client(ceph) as s3:
        uid = (await s3.create_multipart_upload(Bucket=bucket, Key="v/ceph")).upload_id
        await _upload(s3, bucket, "v/ceph", uid, b"x" * 10)
        r = await s3.abort_multipart_upload(Bucket=bucket, Key="v/ceph", UploadId=uid, verify=True)
        assert [(x.abort, x.listing) for x in r.rounds] == [("aborted", "no_such_key")]
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []


async def test_managed_upload_completes_and_aborts_on_ceph(ceph, make_bucket) -> None:
    """s3.multipart_upload(...) on Ceph: a clean block completes (Ceph's empty ETag on
    Complete is tolerated), a failing block is aborted and verified (Ceph: NoSuchKey)."""
    bucket = await make_bucket(ceph)
    async with _client(ceph) as s3:
        async with s3.multipart_upload(Bucket=bucket, Key="m/ok") as mpu:
            await mpu.upload_parts(b"a" * (5 * MiB) + b"b" * 10, part_size=5 * MiB)
        assert mpu.result is not None
        head = await s3.head_object(Bucket=bucket, Key="m/ok")
        assert head.content_length == 5 * MiB + 10
        with pytest.raises(LookupError):
            async with s3.multipart_upload(Bucket=bucket, Key="m/broken") as mpu:
                await mpu.upload_part(1, b"x" * 10)
                raise LookupError("mine")
        assert mpu.aborted is not None
        assert [r.listing for r in mpu.aborted.rounds] == ["no_such_key"]  # type: ignore[attr-defined]
        assert (await s3.list_multipart_uploads(Bucket=bucket)).uploads == []
