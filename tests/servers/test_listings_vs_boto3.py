"""aios3's paginated listings equal boto3's, page for page, on SeaweedFS and on moto.

Both clients list the same bucket on the same server: several keys, several uploads per
key, with PageSize 1, 2, 3 and none, with Prefix and with Delimiter; ListParts likewise.
Resume tokens go both ways: a boto3 `NextToken` resumes an aios3 listing and an aios3
`resume_token` resumes a boto3 one.

Server behaviour these tests met (see ``../shared/notes/s3-test-servers.md``):

* SeaweedFS lists uploads by upload id, sends no ``NextKeyMarker`` (only
  ``NextUploadIdMarker``) and ignores ``Delimiter``; paging by ``UploadIdMarker`` alone, as
  botocore does, lists every upload.
* moto ignores ``MaxUploads`` (one page) and ``Delimiter``, and reads ``PartNumberMarker``
  as a list index: with gaps in the part numbers, boto3 and aios3 alike miss parts there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import boto3
import botocore.config
import pytest

import aios3
from aios3.testing._servers import MotoServer, SeaweedFS
from tests.conftest import MakeBucket, S3Server

KEYS = ["a/1", "a/2", "a/b/3", "b/4", "c"]
PER_KEY = 3
PAGE_SIZES: list[int | None] = [None, 1, 2, 3]
FILTERS: list[dict[str, str]] = [
    {},
    {"Prefix": "a/"},
    {"Delimiter": "/"},
    {"Prefix": "a/", "Delimiter": "/"},
]
Upload = tuple[str, str]


@pytest.fixture(params=["seaweed", "moto"])
def server(request: pytest.FixtureRequest) -> S3Server:
    value: SeaweedFS | MotoServer = request.getfixturevalue(
        "seaweed" if request.param == "seaweed" else "moto_server"
    )
    return value


@pytest.fixture
def boto(server: S3Server) -> Iterator[Any]:
    c = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
        config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    yield c
    c.close()


@pytest.fixture
async def s3(server: S3Server) -> AsyncIterator[aios3.S3Client]:
    async with aios3.S3Client(
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=aios3.Config(max_attempts=1),
    ) as client:
        yield client


async def run(fn: Callable[..., Any], **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, **kwargs)


@pytest.fixture
async def uploads(server: S3Server, boto: Any, make_bucket: MakeBucket) -> tuple[str, list[Upload]]:
    bucket = await make_bucket(server)
    made = []
    for key in KEYS:
        for _ in range(PER_KEY):
            r = await run(boto.create_multipart_upload, Bucket=bucket, Key=key)
            made.append((key, r["UploadId"]))
    return bucket, made


def boto_pages(pages: Any) -> list[tuple[list[Upload], list[str]]]:
    return [
        (
            # botocore sets the result keys to None on a page resumed from a token
            [(u["Key"], u["UploadId"]) for u in p.get("Uploads") or []],
            [c["Prefix"] for c in p.get("CommonPrefixes") or []],
        )
        for p in pages
    ]


def part_numbers(pages: Any) -> list[list[int]]:
    return [[p["PartNumber"] for p in page.get("Parts") or []] for page in pages]


async def aios3_pages(pages: Any) -> list[tuple[list[Upload], list[str]]]:
    return [
        ([(u.key, u.upload_id) for u in p.uploads], [c.prefix for c in p.common_prefixes])
        async for p in pages
    ]


async def test_upload_listings_equal_boto3s(
    s3: aios3.S3Client, boto: Any, uploads: tuple[str, list[Upload]]
) -> None:
    bucket, made = uploads
    for filters in FILTERS:
        for size in PAGE_SIZES:
            cfg = {"PageSize": size} if size else {}
            mine = await aios3_pages(
                s3.get_paginator("list_multipart_uploads").paginate(
                    Bucket=bucket,
                    PaginationConfig=cfg,
                    **filters,  # type: ignore[arg-type]
                )
            )
            paginator = boto.get_paginator("list_multipart_uploads")
            theirs = await run(
                boto_pages, pages=paginator.paginate(Bucket=bucket, PaginationConfig=cfg, **filters)
            )
            where = f"{filters} PageSize={size}"
            assert mine == theirs, where
            listed = [u for page, _ in mine for u in page]
            prefixes = [p for _, page in mine for p in page]
            expected = [u for u in made if u[0].startswith(filters.get("Prefix", ""))]
            if not prefixes:  # neither server rolls keys up by Delimiter
                assert sorted(listed) == sorted(expected), where
            assert len(set(listed)) == len(listed), where


async def test_upload_resume_tokens_work_both_ways(
    s3: aios3.S3Client, boto: Any, uploads: tuple[str, list[Upload]]
) -> None:
    bucket, made = uploads
    boto_paginator = boto.get_paginator("list_multipart_uploads")
    mine_paginator = s3.get_paginator("list_multipart_uploads")
    full = [u for page, _ in boto_pages(boto_paginator.paginate(Bucket=bucket)) for u in page]
    assert sorted(full) == sorted(made)
    for size, step in [(None, 4), (2, 3), (3, 3), (2, 4)]:
        cfg: dict[str, Any] = {"MaxItems": step, **({"PageSize": size} if size else {})}
        got: list[Upload] = []
        token: str | None = None
        turn = 0
        while True:  # alternate: aios3, boto3, aios3, ... each resuming the other's token
            run_cfg = {**cfg, **({"StartingToken": token} if token else {})}
            if turn % 2 == 0:
                pages = mine_paginator.paginate(Bucket=bucket, PaginationConfig=run_cfg)
                got += [u for page, _ in await aios3_pages(pages) for u in page]
                token = pages.resume_token
            else:
                bpages = boto_paginator.paginate(Bucket=bucket, PaginationConfig=run_cfg)
                got += [u for page, _ in await run(boto_pages, pages=bpages) for u in page]
                token = bpages.resume_token
            turn += 1
            if token is None:
                break
            assert turn <= len(made), "the listing does not end"
        assert got == full, f"PageSize={size} MaxItems={step}"


@pytest.mark.parametrize("numbers", [[1, 2, 3, 4, 5], [1, 2, 3, 5, 7]])
async def test_part_listings_equal_boto3s(
    server: S3Server,
    s3: aios3.S3Client,
    boto: Any,
    make_bucket: MakeBucket,
    numbers: list[int],
) -> None:
    bucket = await make_bucket(server)
    key = f"parts-{uuid.uuid4().hex[:8]}"
    uid = (await run(boto.create_multipart_upload, Bucket=bucket, Key=key))["UploadId"]
    for n in numbers:
        await run(boto.upload_part, Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=b"x")
    params = {"Bucket": bucket, "Key": key, "UploadId": uid}
    for size in [None, 1, 2, 3]:
        cfg = {"PageSize": size} if size else {}
        mine = [
            [p.part_number for p in page.parts]
            async for page in s3.get_paginator("list_parts").paginate(
                PaginationConfig=cfg,
                **params,  # type: ignore[arg-type]
            )
        ]
        paginator = boto.get_paginator("list_parts")
        theirs = await run(part_numbers, pages=paginator.paginate(PaginationConfig=cfg, **params))
        assert mine == theirs, f"PageSize={size}"
        listed = [n for page in mine for n in page]
        moto_with_gaps = isinstance(server, MotoServer) and size is not None and numbers[-1] > 5
        if moto_with_gaps:  # moto reads PartNumberMarker as an index: parts may be missed
            assert set(listed) <= set(numbers) and listed == sorted(listed), f"PageSize={size}"
        else:
            assert listed == numbers, f"PageSize={size}"
        # resume tokens both ways, one item at a time
        got: list[int] = []
        token: str | None = None
        for turn in range(2 * len(numbers) + 2):
            run_cfg = {**cfg, "MaxItems": 1, **({"StartingToken": token} if token else {})}
            if turn % 2 == 0:
                pages = s3.get_paginator("list_parts").paginate(
                    PaginationConfig=run_cfg,
                    **params,  # type: ignore[arg-type]
                )
                got += [p.part_number async for page in pages for p in page.parts]
                token = pages.resume_token
            else:
                bpages = paginator.paginate(PaginationConfig=run_cfg, **params)
                got += [n for page in await run(part_numbers, pages=bpages) for n in page]
                token = bpages.resume_token
            if token is None:
                break
        assert got == listed, f"PageSize={size}"
