"""Client behaviour that needs no real S3: validation before sending, retries, timeouts,
pagination loop-protection, secrets kept out of reprs, and clean shutdown."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from typing import Any

import pytest

import aios3
from aios3.models import AbortMultipartUploadRequest, ListPartsRequest
from aios3.retries import StandardRetryStrategy
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._capture import CaptureServer, Reply

SECRET = "VERY-secret-KEY/0123456789"
CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": SECRET}


def scripted(*answers: tuple[int, bytes] | Exception) -> MockTransport:
    """A MockTransport answering from a script (the last answer repeats)."""
    script = list(answers)

    def handler(request: MockRequest) -> MockResponse:
        answer = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return MockResponse(status, {"x-amz-request-id": "r"}, body)

    return MockTransport(handler)


def client(
    transport: MockTransport, config: aios3.Config | None = None, **settings: Any
) -> aios3.S3Client:
    return aios3.S3Client(
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        transport=transport,
        config=config or aios3.Config(**settings),
        **CREDS,
    )


# ---------------------------------------------------------------- validation before sending

BAD = [
    ({"Bucket": "", "Key": "k", "UploadId": "u"}, "Bucket"),
    ({"Bucket": "b", "Key": "", "UploadId": "u"}, "Key"),
    ({"Bucket": "b", "Key": "k", "UploadId": ""}, "UploadId"),
    ({"Bucket": "b", "Key": "k"}, "UploadId"),
    ({"Bucket": "b", "Key": "k", "UploadId": "u", "RequestPayer": "owner"}, "RequestPayer"),
    (
        {"Bucket": "b", "Key": "k", "UploadId": "u", "ExpectedBucketOwner": "1234"},
        "ExpectedBucketOwner",
    ),
    (
        {"Bucket": "b", "Key": "k", "UploadId": "u", "ExpectedBucketOwner": "12345678901a"},
        "ExpectedBucketOwner",
    ),
    (
        {
            "Bucket": "b",
            "Key": "k",
            "UploadId": "u",
            "IfMatchInitiatedTime": dt.datetime(2026, 1, 1),
        },
        "IfMatchInitiatedTime",
    ),
    ({"Bucket": "b", "Key": "k", "UploadId": "u", "Unknown": 1}, "Unknown"),
    ({"Bucket": "bad/bucket", "Key": "k", "UploadId": "u"}, "Bucket"),
    ({"Bucket": "b", "Key": 5, "UploadId": "u"}, "Key"),
]


@pytest.mark.parametrize(("params", "field"), BAD, ids=[f for _, f in BAD])
async def test_bad_abort_input_is_refused_before_sending(
    params: dict[str, Any], field: str
) -> None:
    t = scripted((204, b""))
    async with client(t) as s3:
        with pytest.raises(aios3.ParamValidationError) as info:
            await s3.abort_multipart_upload(**params)
    assert t.requests == []
    assert any(line.startswith(field) for line in info.value.errors), info.value.errors
    assert "AbortMultipartUpload" in str(info.value)


@pytest.mark.parametrize("n", [0, 10001, -1])
async def test_part_number_out_of_range(n: int) -> None:
    t = scripted((200, b""))
    async with client(t) as s3:
        with pytest.raises(aios3.ParamValidationError, match="PartNumber"):
            await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=n, Body=b"x")
    assert t.requests == []


async def test_str_body_and_length_mismatch_are_refused() -> None:
    t = scripted((200, b""))
    async with client(t) as s3:
        with pytest.raises(aios3.ParamValidationError, match="encode it first"):
            await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body="text")  # type: ignore[typeddict-item]
        with pytest.raises(aios3.ParamValidationError, match="ContentLength"):
            await s3.upload_part(
                Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"abc", ContentLength=4
            )

        async def gen() -> Any:
            yield b"x"

        with pytest.raises(aios3.ParamValidationError, match="ContentLength"):
            await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=gen())
    assert t.requests == []


async def test_secrets_never_appear_in_validation_errors() -> None:
    t = scripted((200, b""))
    async with client(t) as s3:
        with pytest.raises(aios3.ParamValidationError) as info:
            await s3.create_multipart_upload(  # type: ignore[call-overload]
                Bucket="b", Key="k", SSECustomerKey="TOP-SECRET-SSE-KEY", StorageClass=5
            )
    assert "TOP-SECRET-SSE-KEY" not in str(info.value)
    req = aios3.models.CreateMultipartUploadRequest(
        Bucket="b", Key="k", SSECustomerKey="TOP-SECRET-SSE-KEY"
    )
    assert "TOP-SECRET-SSE-KEY" not in repr(req)


async def test_request_model_snake_case_and_both_forms() -> None:
    t = scripted((204, b""))
    async with client(t) as s3:
        await s3.abort_multipart_upload(
            AbortMultipartUploadRequest(Bucket="b", Key="k", UploadId="u")
        )
        await s3.abort_multipart_upload(bucket="b", key="k", upload_id="u2")  # type: ignore[call-overload]
        with pytest.raises(aios3.ParamValidationError, match="not both"):
            await s3.abort_multipart_upload(  # type: ignore[call-overload]
                AbortMultipartUploadRequest(Bucket="b", Key="k", UploadId="u"), Key="x"
            )
        with pytest.raises(
            aios3.ParamValidationError, match="expected a AbortMultipartUploadRequest"
        ):
            await s3.abort_multipart_upload(ListPartsRequest(Bucket="b", Key="k", UploadId="u"))  # type: ignore[arg-type]
    assert [str(r.url) for r in t.requests] == [
        "http://127.0.0.1:1/b/k?uploadId=u",
        "http://127.0.0.1:1/b/k?uploadId=u2",
    ]


def test_mismatched_keys_and_bad_config_fail_at_construction() -> None:
    with pytest.raises(aios3.ParamValidationError):
        aios3.S3Client(aws_access_key_id="a")
    with pytest.raises(aios3.ParamValidationError, match="max_attempts"):
        aios3.Config(max_attempts=0)
    with pytest.raises(aios3.ParamValidationError, match="addressing_style"):
        aios3.Config(addressing_style="sideways")  # type: ignore[arg-type]
    with pytest.raises(aios3.ParamValidationError, match="read_timeout"):
        aios3.Config(read_timeout=-1)


def test_request_models_built_directly_raise_param_validation_error() -> None:
    with pytest.raises(aios3.ParamValidationError) as info:
        ListPartsRequest(Bucket="b", Key="", UploadId="u", MaxParts=-1)
    assert [line.split(":")[0] for line in info.value.errors] == ["Key", "MaxParts"]
    assert "ListParts" in str(info.value)
    with pytest.raises(aios3.ParamValidationError, match="SSECustomerKey") as info2:
        aios3.models.UploadPartRequest(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, SSECustomerKey=123
        )
    assert "123" not in str(info2.value)


# ---------------------------------------------------------------- retries


class Sleeps(list[float]):
    """An injected sleep: records the backoff delays, waits for nothing."""

    async def __call__(self, delay: float) -> None:
        self.append(delay)


def retrying(max_attempts: int) -> tuple[aios3.Config, Sleeps]:
    sleeps = Sleeps()
    strategy = StandardRetryStrategy(max_attempts, sleep=sleeps)
    return aios3.Config(retry_strategy=strategy), sleeps


async def test_retries_5xx_then_succeeds_and_counts_attempts() -> None:
    t = scripted((503, b"<Error><Code>SlowDown</Code></Error>"), (500, b""), (204, b""))
    cfg, sleeps = retrying(3)
    async with client(t, cfg) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert r.response_metadata.retry_attempts == 2
    assert len(t.requests) == 3
    assert len(sleeps) == 2 and 0 <= sleeps[0] < 1 and 0 <= sleeps[1] < 2
    # each attempt is signed afresh
    assert all("Authorization" in r.headers for r in t.requests)


async def test_gives_up_after_max_attempts() -> None:
    t = scripted((503, b"<Error><Code>SlowDown</Code><Message>m</Message></Error>"))
    cfg, sleeps = retrying(2)
    async with client(t, cfg) as s3:
        with pytest.raises(aios3.ClientError) as info:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert info.value.code == "SlowDown"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(t.requests) == 2
    assert len(sleeps) == 1


async def test_4xx_is_not_retried() -> None:
    t = scripted((404, b"<Error><Code>NoSuchUpload</Code></Error>"))
    cfg, sleeps = retrying(5)
    async with client(t, cfg) as s3:
        with pytest.raises(aios3.NoSuchUpload):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(t.requests) == 1
    assert sleeps == []


async def test_connection_errors_retry_then_raise() -> None:
    err = aios3.errors.EndpointConnectionError("boom", endpoint_url="http://x")
    t = scripted(err)
    cfg, sleeps = retrying(3)
    async with client(t, cfg) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(t.requests) == 3
    assert len(sleeps) == 2


async def test_async_iterable_body_is_not_retried() -> None:
    t = scripted((503, b""))

    async def gen() -> Any:
        yield b"abc"

    cfg, sleeps = retrying(3)
    async with client(t, cfg) as s3:
        with pytest.raises(aios3.ClientError):
            await s3.upload_part(
                Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=gen(), ContentLength=3
            )
    assert len(t.requests) == 1
    assert sleeps == []


# ---------------------------------------------------------------- real sockets: errors


async def test_connection_refused_is_endpoint_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with aios3.S3Client(
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        config=aios3.Config(max_attempts=1),
        **CREDS,
    ) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError) as info:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert isinstance(info.value, aios3.TransportError)
    assert SECRET not in str(info.value)


async def test_read_timeout_is_typed() -> None:
    release = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await release.wait()

    server = await asyncio.start_server(slow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with aios3.S3Client(
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            config=aios3.Config(max_attempts=1, read_timeout=0.2),
            **CREDS,
        ) as s3:
            with pytest.raises(aios3.errors.ReadTimeoutError):
                await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    finally:
        release.set()
        for w in writers:
            w.close()
            await w.wait_closed()
        server.close()
        await server.wait_closed()


async def test_connections_are_reused() -> None:
    async with (
        CaptureServer(lambda c: Reply(204)) as srv,
        aios3.S3Client(endpoint_url=srv.url, region_name="us-east-1", **CREDS) as s3,
    ):
        for i in range(5):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId=f"u{i}")
    assert len(srv.requests) == 5
    assert srv.connections == 1


# ---------------------------------------------------------------- pagination


def parts_page(numbers: list[int], truncated: bool, next_marker: int | None) -> bytes:
    parts = "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>e{n}</ETag><Size>1</Size></Part>" for n in numbers
    )
    nxt = f"<NextPartNumberMarker>{next_marker}</NextPartNumberMarker>" if next_marker else ""
    return (
        f"<ListPartsResult><IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
        f"{nxt}{parts}</ListPartsResult>"
    ).encode()


async def test_paginator_follows_markers_until_not_truncated() -> None:
    t = scripted(
        (200, parts_page([1, 2], True, 2)),
        (200, parts_page([3, 4], True, 4)),
        (200, parts_page([5], False, None)),
    )
    async with client(t) as s3:
        pages = [
            p
            async for p in s3.get_paginator("list_parts").paginate(
                Bucket="b", Key="k", UploadId="u", PaginationConfig={"PageSize": 2}
            )
        ]
    assert [[p.part_number for p in page.parts] for page in pages] == [[1, 2], [3, 4], [5]]
    assert [str(r.url) for r in t.requests] == [
        "http://127.0.0.1:1/b/k?max-parts=2&uploadId=u",
        "http://127.0.0.1:1/b/k?max-parts=2&part-number-marker=2&uploadId=u",
        "http://127.0.0.1:1/b/k?max-parts=2&part-number-marker=4&uploadId=u",
    ]


async def test_truncated_without_new_marker_raises_instead_of_looping() -> None:
    # a server that says truncated forever and repeats the same marker
    t = scripted((200, parts_page([1], True, 1)))
    seen: list[int] = []
    async with client(t) as s3:
        with pytest.raises(aios3.errors.PaginationError, match="already used"):
            async for p in s3.iter_parts(Bucket="b", Key="k", UploadId="u"):
                seen.append(p.part_number)
    assert seen == [1, 1]  # both pages were yielded before the error
    assert len(t.requests) == 2
    t2 = scripted((200, parts_page([], True, None)))
    async with client(t2) as s3:
        with pytest.raises(aios3.errors.PaginationError, match="no NextPartNumberMarker"):
            [p async for p in s3.iter_parts(Bucket="b", Key="k", UploadId="u")]
    assert len(t2.requests) == 1


async def test_max_items_stops_early() -> None:
    t = scripted((200, parts_page([1, 2, 3], True, 3)), (200, parts_page([4], False, None)))
    async with client(t) as s3:
        pages = [
            p
            async for p in s3.get_paginator("list_parts").paginate(
                Bucket="b", Key="k", UploadId="u", PaginationConfig={"MaxItems": 2}
            )
        ]
    assert [p.part_number for page in pages for p in page.parts] == [1, 2]
    assert len(t.requests) == 1


def uploads_page(
    keys: list[str], truncated: bool, next_key: str | None, next_id: str | None = None
) -> bytes:
    ups = "".join(f"<Upload><Key>{k}</Key><UploadId>id-{k}</UploadId></Upload>" for k in keys)
    nxt = (
        f"<NextKeyMarker>{next_key}</NextKeyMarker><NextUploadIdMarker>id-{next_key}</NextUploadIdMarker>"
        if next_key
        else ""
    )
    if next_id:
        nxt += f"<NextUploadIdMarker>{next_id}</NextUploadIdMarker>"
    return (
        f"<ListMultipartUploadsResult><IsTruncated>{str(truncated).lower()}</IsTruncated>"
        f"{nxt}{ups}</ListMultipartUploadsResult>"
    ).encode()


async def test_upload_paginator_never_guesses_a_key_marker() -> None:
    # SeaweedFS omits NextKeyMarker: botocore sends only the UploadIdMarker it was given
    t = scripted(
        (200, uploads_page(["a", "b"], True, None, next_id="id-b")),
        (200, uploads_page(["c"], True, None)),  # no marker at all: no way on
    )
    keys: list[str] = []
    async with client(t) as s3:
        with pytest.raises(
            aios3.errors.PaginationError, match="NextKeyMarker or NextUploadIdMarker"
        ):
            async for u in s3.iter_multipart_uploads(Bucket="b"):
                keys.append(u.key)
    assert keys == ["a", "b", "c"]
    second = str(t.requests[1].url)
    assert "upload-id-marker=id-b" in second and "key-marker" not in second
    assert len(t.requests) == 2


def test_get_paginator_rejects_unknown_names() -> None:
    s3 = aios3.S3Client(**CREDS)
    assert s3.can_paginate("list_parts")
    assert not s3.can_paginate("abort_multipart_upload")
    with pytest.raises(aios3.ParamValidationError):
        s3.get_paginator("list_objects")  # type: ignore[call-overload]


# ---------------------------------------------------------------- secrets and lifecycle


async def test_secret_is_not_in_any_repr() -> None:
    t = scripted((204, b""))
    s3 = client(t)
    async with s3:
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        texts = [repr(s3), repr(s3._creds), repr(await s3._creds.signer())]  # type: ignore[union-attr]
    for text in texts:
        assert SECRET not in text
    assert t.closed


async def test_closed_client_refuses_calls() -> None:
    s3 = aios3.S3Client(**CREDS)
    await s3.close()
    with pytest.raises(aios3.Aios3Error, match="closed"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


async def test_client_used_after_close_refuses_and_opens_nothing() -> None:
    async with (
        CaptureServer(lambda c: Reply(204)) as srv,
        aios3.S3Client(endpoint_url=srv.url, region_name="us-east-1", **CREDS) as s3,
    ):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    with pytest.raises(aios3.Aios3Error, match="closed"):
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(srv.requests) == 1


async def test_resource_abort_goes_through_the_client() -> None:
    t = scripted((204, b""))
    async with aios3.S3Resource(
        endpoint_url="http://127.0.0.1:1", region_name="us-east-1", transport=t, **CREDS
    ) as s3r:
        assert isinstance(s3r.meta.client, aios3.S3Client)
        mpu = s3r.MultipartUpload("b", "k", "u")
        assert (mpu.bucket_name, mpu.object_key, mpu.id) == ("b", "k", "u")
        r = await mpu.abort(RequestPayer="requester", ExpectedBucketOwner="123456789012")
    assert r.response_metadata.http_status_code == 204
    method, url, headers = t.requests[0].method, str(t.requests[0].url), t.requests[0].headers
    assert (method, url) == ("DELETE", "http://127.0.0.1:1/b/k?uploadId=u")
    assert headers["x-amz-request-payer"] == "requester"
    assert headers["x-amz-expected-bucket-owner"] == "123456789012"
    assert t.closed


def test_resource_handles_compare_and_print_like_boto3() -> None:
    s3r = aios3.S3Resource(**CREDS)
    mpu = s3r.MultipartUpload("b", "k", "u")
    assert repr(mpu) == "s3.MultipartUpload(bucket_name='b', object_key='k', id='u')"
    assert repr(mpu.Part(2)) == (
        "s3.MultipartUploadPart(bucket_name='b', object_key='k', multipart_upload_id='u', "
        "part_number=2)"
    )
    assert repr(s3r.Bucket("b")) == "s3.Bucket(name='b')"
    assert repr(s3r.Object("b", "k")) == "s3.Object(bucket_name='b', key='k')"
    assert mpu == s3r.Bucket("b").MultipartUpload("k", "u")
    assert len({mpu, s3r.MultipartUpload("b", "k", "u"), s3r.MultipartUpload("b", "k", "v")}) == 2
    assert mpu != s3r.Object("b", "k")
    assert s3r.Object("b", "k").MultipartUpload("u") == mpu


def test_client_errors_pickle_whole() -> None:
    import pickle

    e = aios3.errors.NoSuchUpload(
        code="NoSuchUpload",
        message="gone",
        status_code=404,
        request_id="R",
        host_id="H",
        operation_name="ListParts",
        headers={"x-amz-request-id": "R"},
        retry_attempts=1,
        extra={"UploadId": "u"},
    )
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is aios3.errors.NoSuchUpload
    assert back.response == e.response and str(back) == str(e)
