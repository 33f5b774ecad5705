"""The demo's walk-through runs to the end against moto and SeaweedFS and cleans up."""

from __future__ import annotations

from typing import Any

import pytest

import aios3
from aios3.demo import run
from aios3.errors import NoSuchBucket
from tests.conftest import new_bucket_name


@pytest.mark.parametrize("name", ["seaweed", "moto_server"])
async def test_demo_runs_and_deletes_its_bucket(
    name: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    server: Any = request.getfixturevalue(name)
    bucket = new_bucket_name()
    async with aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    ) as s3:
        await run(s3, bucket, create_bucket=True)
        out = capsys.readouterr().out
        assert "CreateBucket" in out
        assert "HeadObject                   2 parts" in out
        assert f"deleted {bucket}" in out
        with pytest.raises(NoSuchBucket):
            await s3.delete_bucket(Bucket=bucket)
