"""s3.sweep_multipart_uploads(...) against real SeaweedFS and moto servers: dry run, age,
prefix, pagination, partial failure and a second run.

Age is the server's word: SeaweedFS gives `Initiated` to the second, moto always says
2010-11-10T20:48:33Z whatever the upload, so the age tests that need a real clock run on
SeaweedFS, and on moto the cutoff is placed around that fixed date.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import aios3
from aios3 import SweepEvent
from aios3.errors import AccessDenied
from aios3.testing import ErrorAnswer, FaultRule, FaultTransport
from tests._kit import server_client

pytestmark = pytest.mark.servers

SERVERS = ["seaweed", "moto_server"]
MOTO_INITIATED = datetime(2010, 11, 10, 20, 48, 33, tzinfo=timezone.utc)


_client = server_client


async def _create(s3: aios3.S3Client, bucket: str, keys: list[str], parts: int = 0) -> list[str]:
    ids = []
    for key in keys:
        uid = (await s3.create_multipart_upload(Bucket=bucket, Key=key)).upload_id
        for n in range(1, parts + 1):
            await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=b"p" * 10)
        ids.append(uid)
    return ids


async def _left(s3: aios3.S3Client, bucket: str) -> list[str]:
    return sorted([u.key async for u in s3.iter_multipart_uploads(Bucket=bucket)])


def _later() -> datetime:
    """A `now` after every upload made so far (whatever the server's clock says)."""
    return datetime.now(timezone.utc) + timedelta(minutes=5)


@pytest.mark.parametrize("verify", [True, "listing", False])
@pytest.mark.parametrize("server_name", SERVERS)
async def test_prefix_pagination_and_a_second_run(
    request: pytest.FixtureRequest, server_name: str, verify: Any, make_bucket: Any
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        stale = [f"tmp/s{i:02d}" for i in range(7)] + ["tmp/s03"]  # two uploads of one key
        await _create(s3, bucket, stale, parts=1)
        await _create(s3, bucket, ["keep/a", "keep/b", "tmpx"])
        report = await s3.sweep_multipart_uploads(
            Bucket=bucket,
            Prefix="tmp/",
            older_than=timedelta(0),
            now=_later(),
            page_size=3,  # moto ignores MaxUploads: one page
            verify=verify,
        )
        assert (report.found, report.selected, report.aborted) == (8, 8, 8)
        assert (report.already_gone, report.failed_count) == (0, 0)
        assert report.pages >= (1 if server_name == "moto_server" else 3)
        assert await _left(s3, bucket) == ["keep/a", "keep/b", "tmpx"]
        again = await s3.sweep_multipart_uploads(
            Bucket=bucket, Prefix="tmp/", older_than=timedelta(0), now=_later(), verify=verify
        )
        assert (again.found, again.selected, again.aborted, again.failed_count) == (0, 0, 0, 0)
        assert await _left(s3, bucket) == ["keep/a", "keep/b", "tmpx"]


@pytest.mark.parametrize("server_name", SERVERS)
async def test_dry_run_aborts_nothing(
    request: pytest.FixtureRequest, server_name: str, make_bucket: Any
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        await _create(s3, bucket, ["d/1", "d/2", "d/3"], parts=2)
        events: list[SweepEvent] = []
        report = await s3.sweep_multipart_uploads(
            Bucket=bucket,
            older_than=timedelta(0),
            now=_later(),
            dry_run=True,
            count_parts=True,
            on_progress=events.append,
        )
        assert (report.selected, report.aborted) == (3, 0)
        assert (report.parts_freed, report.bytes_freed) == (6, 60)  # what a sweep would free
        assert sorted(e.upload.key for e in events if e.kind == "would_abort" and e.upload) == [
            "d/1",
            "d/2",
            "d/3",
        ]
        assert await _left(s3, bucket) == ["d/1", "d/2", "d/3"]
        swept = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=_later(), count_parts=True
        )
        assert (swept.aborted, swept.parts_freed, swept.bytes_freed) == (3, 6, 60)
        assert await _left(s3, bucket) == []


async def test_age_on_seaweedfs(seaweed: Any, make_bucket: Any) -> None:
    """SeaweedFS lists `Initiated` to the second. Uploads made within the second before the
    cutoff are listed as initiated before it, and are still left alone."""
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        await _create(s3, bucket, ["age/old-1", "age/old-2"])
        await asyncio.sleep(2.1)
        cutoff = datetime.now(timezone.utc)
        await _create(s3, bucket, ["age/new-1", "age/new-2"])  # in the cutoff's second
        report = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=cutoff
        )
        assert (report.found, report.selected, report.aborted) == (4, 2, 2)
        assert await _left(s3, bucket) == ["age/new-1", "age/new-2"]
        # older_than counts back from now: nothing here is a day old
        report = await s3.sweep_multipart_uploads(Bucket=bucket, older_than=timedelta(days=1))
        assert (report.found, report.selected) == (2, 0)


async def test_uploads_made_during_the_sweep_are_left_alone(seaweed: Any, make_bucket: Any) -> None:
    """The cutoff is fixed when the sweep starts (here with the real clock and
    older_than=0): uploads created while it runs, even listed by its own later pages, are
    never aborted."""
    bucket = await make_bucket(seaweed)
    async with _client(seaweed) as s3:
        old = await _create(s3, bucket, [f"live/old-{i}" for i in range(6)])
        await asyncio.sleep(1.1)
        made: list[str] = []

        async def create_more(event: SweepEvent) -> None:
            if event.kind == "page" and not made:
                made.extend(await _create(s3, bucket, [f"live/new-{i}" for i in range(4)]))

        report = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), page_size=2, on_progress=create_more
        )
        assert report.aborted == 6 and len(made) == 4
        listed = {u.upload_id async for u in s3.iter_multipart_uploads(Bucket=bucket)}
        assert listed == set(made) and not listed & set(old)


async def test_age_on_moto_is_its_fixed_date(moto_server: Any, make_bucket: Any) -> None:
    """moto lists every upload as initiated at 2010-11-10T20:48:33Z: a sweep selects by
    that date, whatever the real age."""
    bucket = await make_bucket(moto_server)
    async with _client(moto_server) as s3:
        await _create(s3, bucket, ["m/1", "m/2"])
        before = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=MOTO_INITIATED
        )
        assert (before.found, before.selected) == (2, 0)
        just_new = await s3.sweep_multipart_uploads(
            Bucket=bucket,
            older_than=timedelta(days=365 * 100),  # "older than 100 years"
        )
        assert just_new.selected == 0
        after = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=MOTO_INITIATED + timedelta(seconds=1)
        )
        assert (after.selected, after.aborted) == (2, 2)


@pytest.mark.parametrize("server_name", SERVERS)
async def test_partial_failure(
    request: pytest.FixtureRequest, server_name: str, make_bucket: Any
) -> None:
    """Aborts of two uploads answer AccessDenied (a fault rule on their ids): they are
    reported with their typed errors, the others are aborted, nothing is raised; a second
    run without the fault finishes the job."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with _client(server) as s3:
        ids = await _create(s3, bucket, [f"f/{i}" for i in range(6)], parts=1)
    denied = {ids[1], ids[4]}
    faults = FaultTransport(
        aios3.AiohttpTransport(),
        FaultRule(
            ErrorAnswer(403, "AccessDenied", "Access Denied"),
            method="DELETE",
            when=lambda r: r.query.get("uploadId") in denied,
            times=None,
        ),
    )
    async with _client(server, faults) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=_later(), page_size=2
        )
        assert (report.selected, report.aborted, report.failed_count) == (6, 4, 2)
        assert {f.upload_id for f in report.failed} == denied
        assert all(isinstance(f.error, AccessDenied) for f in report.failed)
        assert all(f.error.response["Error"]["Code"] == "AccessDenied" for f in report.failed)
        assert await _left(s3, bucket) == ["f/1", "f/4"]
    async with _client(server) as s3:
        again = await s3.sweep_multipart_uploads(
            Bucket=bucket, older_than=timedelta(0), now=_later()
        )
        assert (again.selected, again.aborted, again.failed_count) == (2, 2, 0)
        assert await _left(s3, bucket) == []


@pytest.mark.parametrize("server_name", SERVERS)
async def test_a_missing_bucket_raises_sweep_listing_error(
    request: pytest.FixtureRequest, server_name: str
) -> None:
    server = request.getfixturevalue(server_name)
    async with _client(server) as s3:
        with pytest.raises(aios3.SweepListingError) as info:
            await s3.sweep_multipart_uploads(Bucket="aios3-no-such-bucket", older_than=timedelta(0))
    assert isinstance(info.value.error, aios3.errors.NoSuchBucket)
    assert info.value.report.pages == 0 and not info.value.report.listing_complete
