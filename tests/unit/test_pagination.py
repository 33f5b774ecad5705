"""Paginators: botocore's paging, tokens and MaxItems; an error, never a silent early stop.

A scripted fake with S3's listing semantics answers aios3 (through MockTransport) and
botocore's own `Paginator` (as a plain method) alike, so the two can be compared on the
same listings: the items, the pages and the resume tokens must be equal.
"""

from __future__ import annotations

import base64
import json
import pickle
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.exceptions
import botocore.paginate
import botocore.session
import pytest

import aios3
from aios3._paginate import encode_token
from aios3.errors import PaginationError, ParamValidationError
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
_MODEL = botocore.session.get_session().get_service_model("s3")
_CONFIG = json.loads(
    json.dumps(
        botocore.session.get_session().get_paginator_model("s3")._paginator_config  # type: ignore[attr-defined]
    )
)


def client(handler: Callable[[MockRequest], MockResponse]) -> tuple[aios3.S3Client, MockTransport]:
    t = MockTransport(handler)
    s3 = aios3.S3Client(
        endpoint_url="http://127.0.0.1:1", region_name="us-east-1", transport=t, **CREDS
    )
    return s3, t


def query(request: MockRequest) -> dict[str, str]:
    return {
        k: v[0]
        for k, v in parse_qs(urlsplit(str(request.url)).query, keep_blank_values=True).items()
    }


# ------------------------------------------------------------------ an S3-like fake


class FakeParts:
    """ListParts with S3's semantics over the given part numbers."""

    def __init__(self, numbers: list[int]) -> None:
        self.numbers = sorted(numbers)

    def page(self, max_parts: int | None, marker: int | None) -> dict[str, Any]:
        after = [n for n in self.numbers if n > (marker or 0)]
        size = max_parts if max_parts is not None else 1000
        shown, rest = after[:size], after[size:]
        d: dict[str, Any] = {
            "IsTruncated": bool(rest),
            "Parts": [{"PartNumber": n, "ETag": f'"e{n}"', "Size": n} for n in shown],
        }
        if rest:
            d["NextPartNumberMarker"] = shown[-1]
        return d

    def boto_method(self, **kw: Any) -> dict[str, Any]:
        return self.page(kw.get("MaxParts"), kw.get("PartNumberMarker"))

    def handler(self, request: MockRequest) -> MockResponse:
        q = query(request)
        mp = int(q["max-parts"]) if "max-parts" in q else None
        mk = int(q["part-number-marker"]) if "part-number-marker" in q else None
        d = self.page(mp, mk)
        parts = "".join(
            f"<Part><PartNumber>{p['PartNumber']}</PartNumber><ETag>{p['ETag']}</ETag>"
            f"<Size>{p['Size']}</Size></Part>"
            for p in d["Parts"]
        )
        nxt = (
            f"<NextPartNumberMarker>{d['NextPartNumberMarker']}</NextPartNumberMarker>"
            if "NextPartNumberMarker" in d
            else ""
        )
        body = (
            f"<ListPartsResult><IsTruncated>{str(d['IsTruncated']).lower()}</IsTruncated>"
            f"{nxt}{parts}</ListPartsResult>"
        )
        return MockResponse(200, body=body.encode())


class FakeUploads:
    """ListMultipartUploads with S3's semantics: ordered by key, then upload id."""

    def __init__(self, uploads: list[tuple[str, str]], *, omit_next_key: bool = False) -> None:
        self.uploads = sorted(uploads)
        self.omit_next_key = omit_next_key

    def page(self, max_uploads: int | None, km: str | None, um: str | None) -> dict[str, Any]:
        if km is None:
            after = self.uploads
        elif um is None:
            after = [u for u in self.uploads if u[0] > km]
        else:
            after = [u for u in self.uploads if u[0] > km or (u[0] == km and u[1] > um)]
        size = max_uploads if max_uploads is not None else 1000
        shown, rest = after[:size], after[size:]
        d: dict[str, Any] = {
            "IsTruncated": bool(rest),
            "Uploads": [{"Key": k, "UploadId": u} for k, u in shown],
        }
        if rest:
            d["NextKeyMarker"], d["NextUploadIdMarker"] = shown[-1]
        return d

    def boto_method(self, **kw: Any) -> dict[str, Any]:
        return self.page(kw.get("MaxUploads"), kw.get("KeyMarker"), kw.get("UploadIdMarker"))

    def handler(self, request: MockRequest) -> MockResponse:
        q = query(request)
        mu = int(q["max-uploads"]) if "max-uploads" in q else None
        d = self.page(mu, q.get("key-marker"), q.get("upload-id-marker"))
        ups = "".join(
            f"<Upload><Key>{u['Key']}</Key><UploadId>{u['UploadId']}</UploadId></Upload>"
            for u in d["Uploads"]
        )
        nxt = ""
        if "NextKeyMarker" in d:
            if not self.omit_next_key:
                nxt += f"<NextKeyMarker>{d['NextKeyMarker']}</NextKeyMarker>"
            nxt += f"<NextUploadIdMarker>{d['NextUploadIdMarker']}</NextUploadIdMarker>"
        body = (
            "<ListMultipartUploadsResult>"
            f"<IsTruncated>{str(d['IsTruncated']).lower()}</IsTruncated>{nxt}{ups}"
            "</ListMultipartUploadsResult>"
        )
        return MockResponse(200, body=body.encode())


def boto_pages(
    operation: str, method: Callable[..., dict[str, Any]], **kwargs: Any
) -> botocore.paginate.PageIterator:
    paginator = botocore.paginate.Paginator(
        method, _CONFIG[operation], _MODEL.operation_model(operation)
    )
    return paginator.paginate(**kwargs)


UPLOADS = [(k, f"{k}-{i}") for k in ("a/1", "a/2", "b", "c/d/e") for i in range(3)]


# ------------------------------------------------------------------ same as botocore


@pytest.mark.parametrize("page_size", [None, 1, 2, 3, 5])
@pytest.mark.parametrize("max_items", [None, 1, 2, 4, 5, 7, 12, 13])
async def test_uploads_pages_items_and_tokens_match_botocore(
    page_size: int | None, max_items: int | None
) -> None:
    fake = FakeUploads(UPLOADS)
    cfg: dict[str, Any] = {}
    if page_size:
        cfg["PageSize"] = page_size
    if max_items:
        cfg["MaxItems"] = max_items
    s3, _ = client(fake.handler)
    mine: list[list[str]] = []
    theirs: list[list[str]] = []
    token: str | None = None
    their_token: str | None = None
    async with s3:
        for _ in range(20):  # resume until the listing is complete
            run = {**cfg, **({"StartingToken": token} if token else {})}
            pages = s3.get_paginator("list_multipart_uploads").paginate(
                Bucket="bk", PaginationConfig=run
            )
            mine += [[u.upload_id for u in p.uploads] async for p in pages]
            token = pages.resume_token
            brun = {**cfg, **({"StartingToken": their_token} if their_token else {})}
            bpages = boto_pages("ListMultipartUploads", fake.boto_method, PaginationConfig=brun)
            theirs += [[u["UploadId"] for u in p.get("Uploads", [])] for p in bpages]
            their_token = bpages.resume_token
            assert token == their_token  # the same bytes: one token works for both
            if token is None:
                break
    assert mine == theirs
    assert [u for page in mine for u in page] == [u for _, u in UPLOADS]


@pytest.mark.parametrize("page_size", [None, 1, 2, 4])
@pytest.mark.parametrize("max_items", [None, 1, 3, 5, 6])
async def test_parts_pages_items_and_tokens_match_botocore(
    page_size: int | None, max_items: int | None
) -> None:
    fake = FakeParts([1, 2, 3, 7, 9, 10])
    cfg: dict[str, Any] = {}
    if page_size:
        cfg["PageSize"] = page_size
    if max_items:
        cfg["MaxItems"] = max_items
    s3, _ = client(fake.handler)
    mine: list[int] = []
    theirs: list[int] = []
    token: str | None = None
    async with s3:
        for _ in range(20):
            run = {**cfg, **({"StartingToken": token} if token else {})}
            pages = s3.get_paginator("list_parts").paginate(
                Bucket="bk", Key="k", UploadId="u", PaginationConfig=run
            )
            mine += [p.part_number async for page in pages for p in page.parts]
            bpages = boto_pages("ListParts", fake.boto_method, PaginationConfig=run)
            theirs += [p["PartNumber"] for page in bpages for p in page.get("Parts", [])]
            assert pages.resume_token == bpages.resume_token
            token = pages.resume_token
            if token is None:
                break
    assert mine == theirs == [1, 2, 3, 7, 9, 10]


def test_tokens_are_botocores_format() -> None:
    token = {"KeyMarker": "a/ü", "UploadIdMarker": None, "boto_truncate_amount": 2}
    assert encode_token(token) == botocore.paginate.TokenEncoder().encode(token)
    assert botocore.paginate.TokenDecoder().decode(encode_token(token)) == token


# ------------------------------------------------------------------ missing markers


async def test_missing_next_key_marker_pages_by_upload_id_as_botocore() -> None:
    # SeaweedFS: NextUploadIdMarker only. botocore then sends UploadIdMarker alone, and
    # drops a KeyMarker the caller gave (its _inject_token_into_kwargs); aios3 does the same
    pages = [
        b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
        b"<NextUploadIdMarker>u2</NextUploadIdMarker>"
        b"<Upload><Key>z</Key><UploadId>u1</UploadId></Upload>"
        b"<Upload><Key>a</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>",
        b"<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
        b"<Upload><Key>m</Key><UploadId>u3</UploadId></Upload></ListMultipartUploadsResult>",
    ]
    s3, t = client(lambda r: MockResponse(200, body=pages[len(t.requests) - 1]))
    async with s3:
        ids = [
            u.upload_id
            async for u in s3.iter_multipart_uploads(Bucket="b", KeyMarker="0", MaxUploads=2)
        ]
    assert ids == ["u1", "u2", "u3"]
    assert query(t.requests[0]) == {"uploads": "", "key-marker": "0", "max-uploads": "2"}
    assert query(t.requests[1]) == {"uploads": "", "upload-id-marker": "u2", "max-uploads": "2"}


@pytest.mark.parametrize(
    "body",
    [
        # truncated, uploads, no marker: guessing a KeyMarker from the last upload skips
        # uploads on servers that do not order by key (SeaweedFS), so: an error
        b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
        b"<Upload><Key>k</Key><UploadId>u</UploadId></Upload></ListMultipartUploadsResult>",
        # truncated, empty, markers empty
        b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker/>"
        b"<NextUploadIdMarker></NextUploadIdMarker></ListMultipartUploadsResult>",
    ],
)
async def test_truncated_uploads_without_markers_raise(body: bytes) -> None:
    s3, t = client(lambda r: MockResponse(200, body=body))
    pages = s3.get_paginator("list_multipart_uploads").paginate(Bucket="b")
    got = []
    async with s3:
        with pytest.raises(PaginationError) as info:
            async for page in pages:
                got.append(page)
    assert len(got) == 1 and len(t.requests) == 1  # the page was yielded first
    assert info.value.operation == "ListMultipartUploads"
    assert "incomplete" in str(info.value)
    assert isinstance(info.value, aios3.Aios3Error)
    assert isinstance(info.value, botocore.exceptions.PaginationError)  # migrated code
    assert str(info.value).startswith("Error during pagination: ")
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), str(again), again.operation) == (
        PaginationError,
        str(info.value),
        "ListMultipartUploads",
    )


async def test_parts_without_next_marker_go_on_after_the_last_part() -> None:
    pages = [
        b"<ListPartsResult><IsTruncated>true</IsTruncated>"
        b"<Part><PartNumber>4</PartNumber></Part><Part><PartNumber>6</PartNumber></Part>"
        b"</ListPartsResult>",
        b"<ListPartsResult><IsTruncated>false</IsTruncated>"
        b"<Part><PartNumber>9</PartNumber></Part></ListPartsResult>",
    ]
    s3, t = client(lambda r: MockResponse(200, body=pages[len(t.requests) - 1]))
    async with s3:
        numbers = [p.part_number async for p in s3.iter_parts(Bucket="b", Key="k", UploadId="u")]
    assert numbers == [4, 6, 9]
    assert query(t.requests[1])["part-number-marker"] == "6"


async def test_markers_seen_before_raise_even_when_not_consecutive() -> None:
    # a server cycling between two markers: botocore only sees consecutive repeats
    markers = ["m1", "m2", "m1"]

    def handler(r: MockRequest) -> MockResponse:
        m = markers[min(len(markers), len(t.requests)) - 1]
        return MockResponse(
            200,
            body=(
                "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
                f"<NextKeyMarker>{m}</NextKeyMarker><Upload><Key>{m}</Key>"
                "<UploadId>x</UploadId></Upload></ListMultipartUploadsResult>"
            ).encode(),
        )

    s3, t = client(handler)
    async with s3:
        with pytest.raises(PaginationError, match="already used"):
            [u async for u in s3.iter_multipart_uploads(Bucket="b")]
    assert len(t.requests) == 3


async def test_a_starting_token_counts_as_used() -> None:
    s3, t = client(
        lambda r: MockResponse(
            200,
            body=b"<ListPartsResult><IsTruncated>true</IsTruncated>"
            b"<NextPartNumberMarker>5</NextPartNumberMarker></ListPartsResult>",
        )
    )
    token = encode_token({"PartNumberMarker": 5})
    async with s3:
        pages = s3.get_paginator("list_parts").paginate(
            Bucket="b", Key="k", UploadId="u", PaginationConfig={"StartingToken": token}
        )
        with pytest.raises(PaginationError):
            [p async for p in pages]
    assert len(t.requests) == 1
    assert query(t.requests[0])["part-number-marker"] == "5"


# ------------------------------------------------------------------ tokens


async def test_max_items_mid_page_resumes_in_that_page() -> None:
    fake = FakeUploads(UPLOADS)
    s3, _t = client(fake.handler)
    async with s3:
        p = s3.get_paginator("list_multipart_uploads")
        first = p.paginate(Bucket="b", PaginationConfig={"PageSize": 5, "MaxItems": 3})
        ids = [u.upload_id async for page in first for u in page.uploads]
        assert ids == [u for _, u in UPLOADS[:3]]
        assert first.resume_token is not None
        decoded = json.loads(base64.b64decode(first.resume_token))
        assert decoded == {"KeyMarker": None, "UploadIdMarker": None, "boto_truncate_amount": 3}
        rest = p.paginate(
            Bucket="b", PaginationConfig={"PageSize": 5, "StartingToken": first.resume_token}
        )
        ids += [u.upload_id async for page in rest for u in page.uploads]
        assert rest.resume_token is None
    assert ids == [u for _, u in UPLOADS]


async def test_old_style_and_bare_tokens_as_botocore_reads_them() -> None:
    fake = FakeParts(list(range(1, 8)))
    s3, _t = client(fake.handler)
    async with s3:
        p = s3.get_paginator("list_parts")
        for token, expected in [("5", [6, 7]), ("3___1", [5, 6, 7]), ("None", list(range(1, 8)))]:
            pages = p.paginate(
                Bucket="b", Key="k", UploadId="u", PaginationConfig={"StartingToken": token}
            )
            got = [x.part_number async for page in pages for x in page.parts]
            assert got == expected, token
            # botocore's reading of the same string (its _parse_starting_token_deprecated)
            bpages = boto_pages(
                "ListParts", fake.boto_method, PaginationConfig={"StartingToken": token}
            )
            marker, _skip = bpages._parse_starting_token()
            assert (marker["PartNumberMarker"] in (None, "None")) is (token == "None")


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"StartingToken": encode_token({"PartNumberMarker": "x"})}, "PartNumberMarker"),
        ({"StartingToken": encode_token({"Marker": "x"})}, "unknown keys"),
        (
            {"StartingToken": encode_token({"PartNumberMarker": 1, "boto_truncate_amount": -1})},
            "boto_truncate_amount",
        ),
        ({"StartingToken": "1___2___3"}, "Bad starting token"),
        ({"StartingToken": "1___x"}, "PartNumberMarker"),  # botocore: one opaque token
        ({"StartingToken": "²"}, "PartNumberMarker"),
        ({"StartingToken": encode_token({"PartNumberMarker": -1})}, "PartNumberMarker"),
        ({"StartingToken": encode_token({"PartNumberMarker": True})}, "PartNumberMarker"),
        ({"StartingToken": ""}, "StartingToken"),
        ({"StartingToken": 5}, "StartingToken"),
        ({"MaxItems": -1}, "MaxItems"),
        ({"PageSize": 0}, "PageSize"),
        ({"PageSize": "2"}, "PageSize"),
        ({"MaxItems": True}, "MaxItems"),
        ({"Pagesize": 2}, "unknown keys"),
    ],
)
async def test_bad_pagination_config_is_refused_before_sending(
    config: dict[str, Any], match: str
) -> None:
    s3, t = client(lambda r: MockResponse(500))
    async with s3:
        with pytest.raises(ParamValidationError, match=match):
            s3.get_paginator("list_parts").paginate(
                Bucket="b",
                Key="k",
                UploadId="u",
                PaginationConfig=config,  # type: ignore[arg-type]
            )
    assert t.requests == []


async def test_max_items_zero_lists_nothing_and_resumes_at_the_start() -> None:
    fake = FakeParts([1, 2, 3])
    s3, _ = client(fake.handler)
    async with s3:
        p = s3.get_paginator("list_parts")
        pages = p.paginate(Bucket="b", Key="k", UploadId="u", PaginationConfig={"MaxItems": 0})
        assert [x.part_number async for page in pages for x in page.parts] == []
        bpages = boto_pages("ListParts", fake.boto_method, PaginationConfig={"MaxItems": 0})
        assert [x for page in bpages for x in page.get("Parts") or []] == []
        assert pages.resume_token == bpages.resume_token is not None
        rest = p.paginate(
            Bucket="b",
            Key="k",
            UploadId="u",
            PaginationConfig={"StartingToken": pages.resume_token},
        )
        assert [x.part_number async for page in rest for x in page.parts] == [1, 2, 3]


async def test_an_old_style_upload_token_that_is_not_one_is_a_key_marker() -> None:
    fake = FakeUploads(UPLOADS)
    s3, t = client(fake.handler)
    async with s3:
        pages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"StartingToken": "a/1___x___y"}
        )
        [p async for p in pages]
        bpages = boto_pages(
            "ListMultipartUploads",
            fake.boto_method,
            PaginationConfig={"StartingToken": "a/1___x___y"},
        )
        assert bpages._parse_starting_token()[0] == {
            "KeyMarker": "a/1___x___y",
            "UploadIdMarker": None,
        }
    assert query(t.requests[0])["key-marker"] == "a/1___x___y"
    assert "upload-id-marker" not in query(t.requests[0])


async def test_upload_tokens_must_be_strings() -> None:
    s3, _t = client(lambda r: MockResponse(500))
    token = encode_token({"KeyMarker": 1, "UploadIdMarker": None})
    with pytest.raises(ParamValidationError, match="KeyMarker"):
        s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"StartingToken": token}
        )
    await s3.close()


async def test_common_prefixes_are_kept_on_a_page_resumed_at_its_start() -> None:
    body = (
        b"<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
        b"<Upload><Key>k</Key><UploadId>u</UploadId></Upload><Upload><Key>l</Key>"
        b"<UploadId>v</UploadId></Upload><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>"
        b"</ListMultipartUploadsResult>"
    )
    s3, _ = client(lambda r: MockResponse(200, body=body))
    p = s3.get_paginator("list_multipart_uploads")
    async with s3:
        at_start = encode_token({"KeyMarker": "a", "UploadIdMarker": None})
        pages = [
            x async for x in p.paginate(Bucket="b", PaginationConfig={"StartingToken": at_start})
        ]
        assert [c.prefix for c in pages[0].common_prefixes] == ["p/"]
        # within a page cut by MaxItems: its prefixes came with its first part
        inside = encode_token({"KeyMarker": "a", "UploadIdMarker": None, "boto_truncate_amount": 1})
        pages = [
            x async for x in p.paginate(Bucket="b", PaginationConfig={"StartingToken": inside})
        ]
        assert pages[0].common_prefixes == []
        assert [u.upload_id for u in pages[0].uploads] == ["v"]


# ------------------------------------------------------------------ boto3's extras


async def test_build_full_result_and_search_as_boto3() -> None:
    fake = FakeUploads(UPLOADS)
    s3, _ = client(fake.handler)
    async with s3:
        pages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"PageSize": 2, "MaxItems": 5}
        )
        full = await pages.build_full_result()
        bfull = boto_pages(
            "ListMultipartUploads",
            fake.boto_method,
            PaginationConfig={"PageSize": 2, "MaxItems": 5},
        ).build_full_result()
        assert [u["UploadId"] for u in full["Uploads"]] == [u["UploadId"] for u in bfull["Uploads"]]
        assert full["NextToken"] == bfull["NextToken"] == pages.resume_token
        keys = [k async for k in pages.search("Uploads[].Key")]
        assert keys == list(
            boto_pages(
                "ListMultipartUploads",
                fake.boto_method,
                PaginationConfig={"PageSize": 2, "MaxItems": 5},
            ).search("Uploads[].Key")
        )
        assert keys == [k for k, _ in UPLOADS[:5]]
        truncated = [x async for x in pages.search("IsTruncated")]  # not a list: as it is
        assert truncated == [True, True, True]
    assert pages.result_keys == ["Uploads", "CommonPrefixes"]


async def test_paginate_checks_parameters_before_iterating() -> None:
    s3, t = client(lambda r: MockResponse(500))
    with pytest.raises(ParamValidationError, match="UploadId"):
        s3.get_paginator("list_parts").paginate(Bucket="b", Key="k")  # type: ignore[call-arg]
    await s3.close()
    assert t.requests == []


async def test_stubbed_paginator_sends_botocores_parameters() -> None:
    # a boto3 test migrated to aios3's Stubber: the same expected_params hold, page by page
    from aios3.testing import Stubber

    s3, t = client(lambda r: MockResponse(500))
    with Stubber(s3) as stub:
        stub.add_response(
            "list_multipart_uploads",
            {
                "IsTruncated": True,
                "NextUploadIdMarker": "u2",
                "Uploads": [{"Key": "z", "UploadId": "u1"}, {"Key": "a", "UploadId": "u2"}],
            },
            expected_params={"Bucket": "b", "MaxUploads": 2},
        )
        stub.add_response(
            "list_multipart_uploads",
            {"IsTruncated": False, "Uploads": [{"Key": "m", "UploadId": "u3"}]},
            expected_params={"Bucket": "b", "MaxUploads": 2, "UploadIdMarker": "u2"},
        )
        pages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"PageSize": 2}
        )
        assert [k async for k in pages.search("Uploads[].UploadId")] == ["u1", "u2", "u3"]
        stub.assert_no_pending_responses()
    await s3.close()
    assert t.requests == []


async def test_every_page_carries_the_callers_other_parameters() -> None:
    fake = FakeParts([1, 2, 3])
    s3, t = client(fake.handler)
    key = b"k" * 32
    async with s3:
        pages = s3.get_paginator("list_parts").paginate(
            Bucket="b",
            Key="k",
            UploadId="u",
            SSECustomerAlgorithm="AES256",
            SSECustomerKey=key,
            RequestPayer="requester",
            PaginationConfig={"PageSize": 1},
        )
        assert [p.part_number async for page in pages for p in page.parts] == [1, 2, 3]
    assert len(t.requests) == 3
    names = ("x-amz-server-side-encryption-customer-key", "x-amz-request-payer")
    first = [t.requests[0].headers[n] for n in names]
    assert all([r.headers[n] for n in names] == first for r in t.requests)
    assert first[0] == base64.b64encode(key).decode()


async def test_build_full_result_has_botocores_non_aggregate_keys() -> None:
    """botocore's `build_full_result` adds the first page's `non_aggregate_keys` (ListParts:
    Owner, StorageClass, ...; ListMultipartUploads: Prefix, RequestCharged), None when the
    page had none: the same keys, so `aios3 s3api list-parts` prints what `aws` prints."""
    parts = FakeParts(list(range(1, 6)))
    s3, _ = client(parts.handler)
    async with s3:
        pages = s3.get_paginator("list_parts").paginate(
            Bucket="b", Key="k", UploadId="u", PaginationConfig={"PageSize": 2}
        )
        full = await pages.build_full_result()
    bpages = boto_pages("ListParts", parts.boto_method, PaginationConfig={"PageSize": 2})
    bfull = bpages.build_full_result()
    assert full == bfull
    assert list(full) == list(bfull)
    assert pages.non_aggregate_part == bpages.non_aggregate_part
    assert full["StorageClass"] is None
    uploads = FakeUploads(UPLOADS)
    s3, _ = client(uploads.handler)
    async with s3:
        upages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"MaxItems": 4}
        )
        ufull = await upages.build_full_result()
    bufull = boto_pages(
        "ListMultipartUploads", uploads.boto_method, PaginationConfig={"MaxItems": 4}
    ).build_full_result()
    assert ufull == bufull
    assert list(ufull) == list(bufull) == ["Uploads", "RequestCharged", "Prefix", "NextToken"]
