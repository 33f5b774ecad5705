"""pytest fixtures from aios3's plugin (installed with aios3; needs `aios3[testing]` and
pytest-asyncio)."""

import pytest

import aios3


@pytest.mark.asyncio
async def test_upload_is_listed(aios3_client: aios3.S3Client, aios3_bucket: str) -> None:
    upload = await aios3_client.create_multipart_upload(Bucket=aios3_bucket, Key="k")
    listed = await aios3_client.list_multipart_uploads(Bucket=aios3_bucket)
    assert [u.upload_id for u in listed.uploads] == [upload.upload_id]
