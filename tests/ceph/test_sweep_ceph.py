"""s3.sweep_multipart_uploads(...) against Ceph RGW: prefix, pagination, age, dry run with
the parts counted, partial failure and a second run.

Skipped unless ``AIOS3_TEST_CEPH=1``. Ceph pages uploads by key and upload id as S3 does,
answers ``NoSuchKey`` to a ListParts of an aborted upload (the verification counts it as
gone), and gives ``Initiated`` to the millisecond.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import aios3
from aios3.errors import AccessDenied
from aios3.testing import ErrorAnswer, FaultRule, FaultTransport
from tests._kit import server_client

pytestmark = pytest.mark.ceph


@pytest.fixture(autouse=True)
def _ceph_checksum_setting(_isolated_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    monkeypatch.setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")


_client = server_client


async def _create(s3: aios3.S3Client, bucket: str, keys: list[str], parts: int = 0) -> list[str]:
    ids = []
    for key in keys:
        uid = (await s3.create_multipart_upload(Bucket=bucket, Key=key)).upload_id
        for n in range(1, parts + 1):
            await s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=b"c" * 10)
        ids.append(uid)
    return ids


async def _left(s3: aios3.S3Client, bucket: str) -> list[str]:
    return sorted([u.key async for u in s3.iter_multipart_uploads(Bucket=bucket)])


@pytest.mark.parametrize("verify", [True, "listing"])
async def test_sweep_on_ceph(ceph: Any, make_bucket: Any, verify: Any) -> None:
    bucket = await make_bucket(ceph)
    async with _client(ceph) as s3:
        old = await _create(s3, bucket, [f"tmp/o{i}" for i in range(5)] + ["tmp/o1"], parts=1)
        await _create(s3, bucket, ["keep/x"])
        await asyncio.sleep(1.1)
        cutoff = datetime.now(timezone.utc)
        await _create(s3, bucket, ["tmp/young"])
        dry = await s3.sweep_multipart_uploads(
            Bucket=bucket, Prefix="tmp/", older_than=timedelta(0), now=cutoff, dry_run=True,
            count_parts=True,
        )  # fmt: skip
        assert (dry.found, dry.selected, dry.parts_freed, dry.bytes_freed) == (7, 6, 6, 60)
        report = await s3.sweep_multipart_uploads(
            Bucket=bucket,
            Prefix="tmp/",
            older_than=timedelta(0),
            now=cutoff,
            page_size=2,
            verify=verify,
        )
        assert (report.selected, report.aborted, report.failed_count) == (6, 6, 0)
        assert report.pages >= 4
        assert await _left(s3, bucket) == ["keep/x", "tmp/young"]
        again = await s3.sweep_multipart_uploads(
            Bucket=bucket, Prefix="tmp/", older_than=timedelta(0), now=cutoff, verify=verify
        )
        assert (again.found, again.selected) == (1, 0)
        del old


async def test_partial_failure_on_ceph(ceph: Any, make_bucket: Any) -> None:
    bucket = await make_bucket(ceph)
    async with _client(ceph) as s3:
        ids = await _create(s3, bucket, [f"f/{i}" for i in range(4)], parts=1)
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    faults = FaultTransport(
        aios3.AiohttpTransport(),
        FaultRule(
            ErrorAnswer(403, "AccessDenied"),
            method="DELETE",
            when=lambda r: r.query.get("uploadId") == ids[2],
            times=None,
        ),
    )
    async with _client(ceph, faults) as s3:
        report = await s3.sweep_multipart_uploads(Bucket=bucket, older_than=timedelta(0), now=later)
        assert (report.aborted, report.failed_count) == (3, 1)
        assert isinstance(report.failed[0].error, AccessDenied)
        assert await _left(s3, bucket) == ["f/2"]
    async with _client(ceph) as s3:
        again = await s3.sweep_multipart_uploads(Bucket=bucket, older_than=timedelta(0), now=later)
        assert (again.aborted, again.failed_count) == (1, 0)
        assert await _left(s3, bucket) == []
