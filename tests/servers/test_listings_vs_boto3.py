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
import botocore.exceptions
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


# ------------------------------------------------------------- the dicts, key for key


def _without_ids(d: dict[str, Any]) -> dict[str, Any]:
    """A response dict with the values that differ between two requests left out: the ids
    and headers of ResponseMetadata (its keys are kept, they must be the same)."""
    out = dict(d)
    meta = out.pop("ResponseMetadata")
    out["ResponseMetadata keys"] = sorted(meta)
    out["HTTPStatusCode"] = meta["HTTPStatusCode"]
    return out


async def _boto3_dicts(pages: Any) -> list[dict[str, Any]]:
    return await run(lambda: [_without_ids(p) for p in pages])


async def test_page_dicts_equal_boto3s(
    s3: aios3.S3Client, boto: Any, uploads: tuple[str, list[Upload]]
) -> None:
    bucket, _ = uploads
    for filters in [*FILTERS, {"Prefix": "nothing-here/"}]:
        for size in [None, 2]:
            cfg = {"PageSize": size} if size else {}
            mine = [
                _without_ids(page.to_dict())
                async for page in s3.get_paginator("list_multipart_uploads").paginate(
                    Bucket=bucket,
                    PaginationConfig=cfg,
                    **filters,  # type: ignore[arg-type]
                )
            ]
            paginator = boto.get_paginator("list_multipart_uploads")
            theirs = await _boto3_dicts(
                paginator.paginate(Bucket=bucket, PaginationConfig=cfg, **filters)
            )
            assert mine == theirs, f"{filters} PageSize={size}"


async def test_empty_listings_equal_boto3s(
    server: S3Server, s3: aios3.S3Client, boto: Any, make_bucket: MakeBucket
) -> None:
    bucket = await make_bucket(server)
    mine = (await s3.list_multipart_uploads(Bucket=bucket)).to_dict()
    theirs = await run(boto.list_multipart_uploads, Bucket=bucket)
    assert "Uploads" not in mine and "CommonPrefixes" not in mine
    assert _without_ids(mine) == _without_ids(theirs)
    mine = (await s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")).to_dict()
    theirs = await run(boto.list_multipart_uploads, Bucket=bucket, Delimiter="/")
    assert _without_ids(mine) == _without_ids(theirs)

    key = f"empty-{uuid.uuid4().hex[:8]}"
    created = await s3.create_multipart_upload(Bucket=bucket, Key=key)
    their_created = await run(boto.create_multipart_upload, Bucket=bucket, Key=key)
    theirs_c, mine_c = _without_ids(their_created), _without_ids(created.to_dict())
    assert theirs_c.pop("UploadId") and mine_c.pop("UploadId")
    assert mine_c == theirs_c
    params = {"Bucket": bucket, "Key": key, "UploadId": created.upload_id}
    mine = (await s3.list_parts(**params)).to_dict()  # type: ignore[arg-type]
    theirs = await run(boto.list_parts, **params)
    assert "Parts" not in mine
    assert _without_ids(mine) == _without_ids(theirs)

    part = await s3.upload_part(**params, PartNumber=1, Body=b"x")  # type: ignore[arg-type]
    mine = (await s3.list_parts(**params)).to_dict()  # type: ignore[arg-type]
    theirs = await run(boto.list_parts, **params)
    assert _without_ids(mine) == _without_ids(theirs)
    assert _without_ids(part.to_dict())["ResponseMetadata keys"] == sorted(
        theirs["ResponseMetadata"]
    )


async def test_errors_equal_boto3s(
    server: S3Server, s3: aios3.S3Client, make_bucket: MakeBucket
) -> None:
    bucket = await make_bucket(server)
    boto_once = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
        config=botocore.config.Config(
            s3={"addressing_style": "path"}, retries={"mode": "standard", "total_max_attempts": 1}
        ),
    )
    try:
        for method, params in [
            ("list_parts", {"Bucket": bucket, "Key": "k", "UploadId": "no-such-upload"}),
            ("abort_multipart_upload", {"Bucket": bucket, "Key": "k", "UploadId": "nope"}),
            ("list_multipart_uploads", {"Bucket": f"{bucket}-missing"}),
            ("head_object", {"Bucket": bucket, "Key": "missing"}),
        ]:
            with pytest.raises(botocore.exceptions.ClientError) as theirs:
                await run(getattr(boto_once, method), **params)
            with pytest.raises(botocore.exceptions.ClientError) as mine:
                await getattr(s3, method)(**params)
            assert isinstance(mine.value, aios3.ClientError)
            t, m = theirs.value.response, mine.value.response
            assert m["Error"] == t["Error"], method
            assert _without_ids(m) == _without_ids(t), method  # type: ignore[arg-type]
            # the text differs only by the request id that ends boto3's message, if any
            ids = {m["ResponseMetadata"].get("RequestId"), t["ResponseMetadata"].get("RequestId")}
            mine_text = str(mine.value).rsplit(" [HTTP ", 1)[0]
            their_text = str(theirs.value)
            for rid in ids - {None, ""}:
                mine_text, their_text = mine_text.replace(rid, "ID"), their_text.replace(rid, "ID")
            assert mine_text == their_text, method
    finally:
        boto_once.close()
