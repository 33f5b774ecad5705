"""aios3 end to end against the AWS-semantics server: S3 Express sessions (fetched once,
refreshed, renewed, not cached on failure, disabled by config), owner checks, requester
pays and IfMatchInitiatedTime, with aios3's real endpoint, signing and session code."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

import aios3
from aios3._auth import ExpressSessions, Signer
from aios3._transport import AiohttpTransport
from aios3.errors import AccessDenied, ClientError, NoSuchUpload, PreconditionFailed
from tests.awsserver import AwsS3Server, MappingResolver, aws_endpoint_client_kwargs

DIR = "data--usw2-az1--x-s3"
ZONAL = f"{DIR}.s3express-usw2-az1.us-west-2.amazonaws.com"
OTHER_ACCOUNT = "444455556666"


@pytest.fixture
async def srv() -> AsyncIterator[AwsS3Server]:
    async with AwsS3Server(access_key="AKIDLONGTERM", secret_key="long-term-SECRET") as server:
        server.add_bucket("gp-bucket", region="us-west-2")
        server.add_bucket(DIR, directory=True)
        server.min_part_size = 5
        yield server


def client(srv: AwsS3Server, **config: Any) -> aios3.S3Client:
    return aios3.S3Client(
        **aws_endpoint_client_kwargs(srv, region_name="us-west-2", config=aios3.Config(**config))
    )


async def test_session_fetched_once_under_100_concurrent_aborts(
    srv: AwsS3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the callers overlap for sure: CreateSession is held until all 100 ask for the session
    entered, all_in = 0, asyncio.Event()
    signer = ExpressSessions.signer

    async def counting(self: ExpressSessions, bucket: str, base: Signer) -> Signer:
        nonlocal entered
        entered += 1
        if entered == 100:
            all_in.set()
        return await signer(self, bucket, base)

    monkeypatch.setattr(ExpressSessions, "signer", counting)
    srv.create_session_gate = gate = asyncio.Event()
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    async with client(srv, max_pool_connections=20) as s3:
        calls = asyncio.gather(
            *(
                s3.abort_multipart_upload(
                    Bucket=DIR, Key=f"k{i}", UploadId=f"missing-{i}", IfMatchInitiatedTime=when
                )
                for i in range(100)
            )
        )
        await asyncio.wait_for(all_in.wait(), 10)  # bounds, not synchronisation
        await asyncio.wait_for(srv.create_sessions_waiting(1), 10)
        gate.set()
        results = await calls
    assert srv.create_session_calls[DIR] == 1
    # S3: 204 when the upload does not exist and IfMatchInitiatedTime is given
    assert {r.response_metadata.http_status_code for r in results} == {204}
    zonal = [r for r in srv.requests if r.host == ZONAL and "session" not in r.query]
    assert len(zonal) == 100
    assert all("x-amz-s3session-token" in r.headers for r in zonal)
    assert all("x-amz-security-token" not in r.headers for r in zonal)
    assert all("/s3express/aws4_request" in r.headers["authorization"] for r in zonal)
    # the data requests are signed with the session keys, not the long-term ones
    assert all("Credential=AKIDLONGTERM/" not in r.headers["authorization"] for r in zonal)
    session_call = next(r for r in srv.requests if "session" in r.query)
    assert "Credential=AKIDLONGTERM/" in session_call.headers["authorization"]


async def test_directory_bucket_lifecycle(srv: AwsS3Server) -> None:
    async with client(srv) as s3:
        up = await s3.create_multipart_upload(Bucket=DIR, Key="dir/obj")
        p1 = await s3.upload_part(
            Bucket=DIR, Key="dir/obj", UploadId=up.upload_id, PartNumber=1, Body=b"hello"
        )
        p2 = await s3.upload_part(
            Bucket=DIR, Key="dir/obj", UploadId=up.upload_id, PartNumber=2, Body=b"world"
        )
        parts = [p async for p in s3.iter_parts(Bucket=DIR, Key="dir/obj", UploadId=up.upload_id)]
        assert [(p.part_number, p.etag) for p in parts] == [(1, p1.etag), (2, p2.etag)]
        done = await s3.complete_multipart_upload(
            Bucket=DIR,
            Key="dir/obj",
            UploadId=up.upload_id,
            MultipartUpload={
                "Parts": [{"ETag": p1.etag, "PartNumber": 1}, {"ETag": p2.etag, "PartNumber": 2}]
            },
        )
        assert done.etag is not None and done.etag.endswith('-2"')
        second = await s3.create_multipart_upload(Bucket=DIR, Key="tmp")
        await s3.abort_multipart_upload(Bucket=DIR, Key="tmp", UploadId=second.upload_id)
        with pytest.raises(NoSuchUpload):
            await s3.list_parts(Bucket=DIR, Key="tmp", UploadId=second.upload_id)
    assert srv.create_session_calls[DIR] == 1


async def test_expired_session_is_renewed_transparently(srv: AwsS3Server) -> None:
    async with client(srv) as s3:
        await s3.list_multipart_uploads(Bucket=DIR)
        srv.expire_all_sessions()  # the server drops it before aios3 expected
        r = await s3.list_multipart_uploads(Bucket=DIR)
        assert r.response_metadata.http_status_code == 200
    assert srv.create_session_calls[DIR] == 2


async def test_session_refreshed_before_expiry(srv: AwsS3Server) -> None:
    srv.session_lifetime = 30  # inside the 60 s refresh window at once
    async with client(srv) as s3:
        await s3.list_multipart_uploads(Bucket=DIR)
        srv.session_lifetime = 300  # the refreshed session lasts
        srv.create_session_gate = gate = asyncio.Event()  # the refresh waits in the server
        await s3.list_multipart_uploads(Bucket=DIR)  # served by the old session meanwhile
        await asyncio.wait_for(srv.create_sessions_waiting(1), 10)
        assert srv.create_session_calls[DIR] == 2
        gate.set()
        assert s3._sessions is not None
        await asyncio.wait_for(asyncio.gather(*s3._sessions._background), 10)
        await s3.list_multipart_uploads(Bucket=DIR)
    assert srv.create_session_calls[DIR] == 2


async def test_failed_create_session_is_not_cached(srv: AwsS3Server) -> None:
    srv.fail_create_session = 1
    async with client(srv, max_attempts=1) as s3:
        with pytest.raises(ClientError) as info:
            await s3.list_multipart_uploads(Bucket=DIR)
        assert info.value.code == "InternalError"
        assert info.value.operation_name == "CreateSession"
        r = await s3.list_multipart_uploads(Bucket=DIR)
        assert r.response_metadata.http_status_code == 200
    assert srv.create_session_calls[DIR] == 2


async def test_create_session_failure_is_retried_within_max_attempts(srv: AwsS3Server) -> None:
    srv.fail_create_session = 1
    async with client(srv, max_attempts=3) as s3:
        r = await s3.list_multipart_uploads(Bucket=DIR)
    assert r.response_metadata.http_status_code == 200
    assert srv.create_session_calls[DIR] == 2


async def test_session_auth_disabled_signs_plain_sigv4_for_s3express(
    srv: AwsS3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with client(srv, disable_s3_express_session_auth=True) as s3:
        with pytest.raises(AccessDenied):  # AWS refuses data calls without a session
            await s3.list_multipart_uploads(Bucket=DIR)
        srv.allow_plain_sigv4_on_directory = True
        r = await s3.list_multipart_uploads(Bucket=DIR)
    assert r.response_metadata.http_status_code == 200
    assert srv.create_session_calls[DIR] == 0
    last = srv.requests[-1]
    assert "x-amz-s3session-token" not in last.headers
    assert "Credential=AKIDLONGTERM/" in last.headers["authorization"]
    assert "/s3express/aws4_request" in last.headers["authorization"]
    monkeypatch.setenv("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "true")
    async with aios3.S3Client(**aws_endpoint_client_kwargs(srv, region_name="us-west-2")) as s3:
        await s3.list_multipart_uploads(Bucket=DIR)
    assert srv.create_session_calls[DIR] == 0


async def test_create_session_public_call_hides_secrets(srv: AwsS3Server) -> None:
    async with client(srv) as s3:
        r = await s3.create_session(Bucket=DIR, SessionMode="ReadWrite")
    c = r.credentials
    secret = c.secret_access_key.get_secret_value()
    token = c.session_token.get_secret_value()
    assert c.access_key_id and secret and token
    assert c.expiration > dt.datetime.now(dt.timezone.utc)
    for text in (repr(r), str(r), repr(c), repr(r.to_dict())):
        assert secret not in text and token not in text
    assert r.server_side_encryption == "AES256"


async def test_if_match_initiated_time(srv: AwsS3Server) -> None:
    async with client(srv) as s3:
        up = await s3.create_multipart_upload(Bucket=DIR, Key="k")
        (summary,) = (await s3.list_multipart_uploads(Bucket=DIR)).uploads
        assert summary.initiated is not None
        with pytest.raises(PreconditionFailed) as info:
            await s3.abort_multipart_upload(
                Bucket=DIR,
                Key="k",
                UploadId=up.upload_id,
                IfMatchInitiatedTime=summary.initiated + dt.timedelta(seconds=5),
            )
        assert info.value.status_code == 412
        # the same instant in another timezone matches
        ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
        r = await s3.abort_multipart_upload(
            Bucket=DIR,
            Key="k",
            UploadId=up.upload_id,
            IfMatchInitiatedTime=summary.initiated.astimezone(ist),
        )
        assert r.response_metadata.http_status_code == 204
        with pytest.raises(aios3.ParamValidationError, match="IfMatchInitiatedTime"):
            await s3.abort_multipart_upload(
                Bucket=DIR, Key="k", UploadId="u", IfMatchInitiatedTime=dt.datetime(2026, 1, 1)
            )


async def test_expected_bucket_owner(srv: AwsS3Server) -> None:
    async with client(srv) as s3:
        up = await s3.create_multipart_upload(
            Bucket="gp-bucket", Key="k", ExpectedBucketOwner="111122223333"
        )
        with pytest.raises(AccessDenied) as info:
            await s3.abort_multipart_upload(
                Bucket="gp-bucket",
                Key="k",
                UploadId=up.upload_id,
                ExpectedBucketOwner="999999999999",
            )
        assert info.value.status_code == 403
        assert info.value.request_id
        await s3.abort_multipart_upload(
            Bucket="gp-bucket", Key="k", UploadId=up.upload_id, ExpectedBucketOwner="111122223333"
        )


async def test_requester_pays(srv: AwsS3Server) -> None:
    srv.add_bucket("paid-bucket", owner=OTHER_ACCOUNT, requester_pays=True, region="us-west-2")
    async with client(srv) as s3:
        with pytest.raises(AccessDenied):
            await s3.create_multipart_upload(Bucket="paid-bucket", Key="k")
        up = await s3.create_multipart_upload(
            Bucket="paid-bucket", Key="k", RequestPayer="requester"
        )
        assert up.request_charged == "requester"
        r = await s3.abort_multipart_upload(
            Bucket="paid-bucket", Key="k", UploadId=up.upload_id, RequestPayer="requester"
        )
    assert r.request_charged == "requester"
    assert r.to_dict()["RequestCharged"] == "requester"


async def test_resource_abort_on_directory_bucket(srv: AwsS3Server) -> None:
    async with aios3.S3Resource(**aws_endpoint_client_kwargs(srv, region_name="us-west-2")) as s3r:
        mpu = await s3r.Object(DIR, "r").initiate_multipart_upload()
        await mpu.Part(1).upload(Body=b"abc")
        assert [p.part_number async for p in mpu.parts.all()] == [1]
        uploads = [u async for u in s3r.Bucket(DIR).multipart_uploads.all()]
        assert [u.key for u in uploads] == ["r"]
        assert uploads[0].initiated is not None
        await s3r.MultipartUpload(DIR, "r", mpu.id).abort()
    assert srv.create_session_calls[DIR] == 1


async def test_virtual_hosted_and_zonal_names_through_the_real_aiohttp_transport(
    srv: AwsS3Server,
) -> None:
    """aios3's own transport (not the loopback one), with a resolver that maps every name to
    127.0.0.1: `bucket.localhost:PORT` hosts, sessions and `a/../b` keys go over real sockets."""
    srv.add_bucket("plain-bucket")
    transport = AiohttpTransport(
        connect_timeout=5,
        read_timeout=5,
        max_pool_connections=4,
        verify=True,
        resolver=MappingResolver(),
    )
    async with aios3.S3Client(
        endpoint_url=f"http://localhost:{srv.port}",
        region_name="us-west-2",
        aws_access_key_id=srv.access_key,
        aws_secret_access_key=srv.secret_key,
        transport=transport,
        config=aios3.Config(addressing_style="virtual", max_attempts=1),
    ) as s3:
        for bucket in (DIR, "plain-bucket"):
            up = await s3.create_multipart_upload(Bucket=bucket, Key="a/../b")
            assert up.key == "a/../b"
            await s3.abort_multipart_upload(Bucket=bucket, Key="a/../b", UploadId=up.upload_id)
    hosts = [(r.host.split(":")[0], r.raw_path.split("?")[0]) for r in srv.requests]
    assert hosts == [
        (f"{DIR}.localhost", "/"),  # CreateSession
        (f"{DIR}.localhost", "/a/../b"),
        (f"{DIR}.localhost", "/a/../b"),
        ("plain-bucket.localhost", "/a/../b"),
        ("plain-bucket.localhost", "/a/../b"),
    ]
    assert srv.create_session_calls[DIR] == 1
