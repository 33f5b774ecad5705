"""abort_multipart_upload(..., verify=True) against real SeaweedFS and moto servers.

Neither server accepts a part for an aborted upload (SeaweedFS: NoSuchUpload, moto: 500),
so "parts that survive an abort" are acted out by a lying hop: a transport that answers
the first abort with 204 without passing it on, so the real upload keeps its parts and
the verification has to find them and abort again.
"""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import aios3
from aios3.errors import AbortNotVerifiedError
from aios3.testing import FaultRule, FaultTransport, Reset
from tests._kit import server_client

pytestmark = pytest.mark.servers

SERVERS = ["seaweed", "moto_server"]


class LosesAborts:
    """A hop that answers the first `drop` AbortMultipartUploads itself (204) and drops them."""

    def __init__(self, inner: aios3.Transport, drop: int = 1) -> None:
        self.inner = inner
        self.drop = drop
        self.dropped = 0
        self.sent: list[tuple[str, str]] = []

    async def send(
        self, method: str, url: URL, headers: CIMultiDict[str], body: object
    ) -> aios3.RawResponse:
        self.sent.append((method, url.query_string))
        if method == "DELETE" and "uploadId" in url.query and self.dropped < self.drop:
            self.dropped += 1
            return aios3.RawResponse(204, CIMultiDictProxy(CIMultiDict()), b"")
        return await self.inner.send(method, url, headers, body)

    async def close(self) -> None:
        await self.inner.close()


_client = server_client


async def _new_upload(s3: aios3.S3Client, bucket: str, key: str, parts: int) -> str:
    uid = (await s3.create_multipart_upload(Bucket=bucket, Key=key)).upload_id
    for n in range(1, parts + 1):
        await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=b"p" * 100)
    return uid


async def _left(s3: aios3.S3Client, bucket: str) -> list[tuple[str, str]]:
    listing = await s3.list_multipart_uploads(Bucket=bucket)
    return [(u.key, u.upload_id) for u in listing.uploads]


@pytest.mark.parametrize("server_name", SERVERS)
async def test_abort_and_verify_one_round(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        uid = await _new_upload(s3, bucket, "v/one", parts=2)
        keep = await _new_upload(s3, bucket, "v/other", parts=1)
        r = await s3.abort_multipart_upload(Bucket=bucket, Key="v/one", UploadId=uid, verify=True)
        assert [(x.number, x.abort, x.listing) for x in r.rounds] == [
            (1, "aborted", "no_such_upload")
        ]
        assert r.response_metadata.http_status_code == 204
        assert await _left(s3, bucket) == [("v/other", keep)]  # only ours went
        await s3.abort_multipart_upload(Bucket=bucket, Key="v/other", UploadId=keep)


@pytest.mark.parametrize("server_name", SERVERS)
async def test_parts_left_by_a_lost_abort_are_found_and_aborted(
    request, server_name, make_bucket
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        uid = await _new_upload(s3, bucket, "v/lost", parts=3)
    hop = LosesAborts(aios3.AiohttpTransport())
    policy = aios3.VerifyPolicy(base_delay=0.01)
    async with _client(server, hop) as s3:
        r = await s3.abort_multipart_upload(
            Bucket=bucket, Key="v/lost", UploadId=uid, verify=policy
        )
        assert [(x.abort, x.listing, x.parts_remaining) for x in r.rounds] == [
            ("aborted", "parts", 3),
            ("aborted", "no_such_upload", 0),
        ]
        assert [m for m, _ in hop.sent] == ["DELETE", "GET", "DELETE", "GET"]
        assert await _left(s3, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_unknown_upload_is_verified_gone(request, server_name, make_bucket) -> None:
    """SeaweedFS answers 204 to an abort of an unknown upload of its own id form, moto
    404: with verify both end in the same verified result."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        uid = await _new_upload(s3, bucket, "v/twice", parts=1)
        await s3.abort_multipart_upload(Bucket=bucket, Key="v/twice", UploadId=uid)
        r = await s3.abort_multipart_upload(Bucket=bucket, Key="v/twice", UploadId=uid, verify=True)
        assert len(r.rounds) == 1 and r.rounds[0].listing == "no_such_upload"
        assert r.rounds[0].abort in ("aborted", "already_gone")


@pytest.mark.parametrize("server_name", SERVERS)
async def test_bound_reached_when_every_abort_is_lost(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        uid = await _new_upload(s3, bucket, "v/stuck", parts=2)
    lies = FaultTransport(
        aios3.AiohttpTransport(),
        # every abort is reset before it is sent: retried, then a transport error ...
        FaultRule(Reset(), method="DELETE", times=None),
    )
    async with _client(server, lies) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError):
            await s3.abort_multipart_upload(Bucket=bucket, Key="v/stuck", UploadId=uid, verify=True)
        assert len([r for r in lies.requests if r.method == "DELETE"]) == 2  # max_attempts
        # ... so the upload is still there, with its parts: nothing was claimed
        assert await _left(s3, bucket) == [("v/stuck", uid)]
    # a hop that drops every abort: the bound is reached and reported
    hop = LosesAborts(aios3.AiohttpTransport(), drop=10**6)  # drops them all
    async with _client(server, hop) as s3:
        with pytest.raises(AbortNotVerifiedError) as info:
            await s3.abort_multipart_upload(
                Bucket=bucket,
                Key="v/stuck",
                UploadId=uid,
                verify=aios3.VerifyPolicy(max_rounds=2, base_delay=0.01),
            )
        assert [x.parts_remaining for x in info.value.rounds] == [2, 2]
        assert hop.dropped == 2
    async with _client(server) as s3:
        r = await s3.abort_multipart_upload(Bucket=bucket, Key="v/stuck", UploadId=uid, verify=True)
        assert r.rounds[-1].gone
        assert await _left(s3, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_resource_style_abort_verify(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        s3r = aios3.S3Resource(client=s3)
        mpu = await s3r.Object(bucket, "v/res").initiate_multipart_upload()
        await mpu.Part(1).upload(Body=b"x" * 10)
        r = await mpu.abort(verify=True)
        assert r.rounds[-1].gone
        assert await _left(s3, bucket) == []
