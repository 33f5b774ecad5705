"""A transport of the user's that breaks its contract: the client raises a typed error
naming the transport, not an AttributeError or TypeError from inside aios3."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import aios3
from aios3.errors import ResponseParseError

CREATED = b"<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"


class Handmade:
    """A user-written transport answering whatever `answer` returns."""

    def __init__(self, answer: Callable[[], Any]) -> None:
        self.answer = answer
        self.closed = False

    async def send(self, method: str, url: URL, headers: CIMultiDict[str], body: object) -> Any:
        return self.answer()

    async def close(self) -> None:
        self.closed = True


def client(transport: Any) -> aios3.S3Client:
    return aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=transport,
    )


def proxy(**headers: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(headers))


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        (lambda: None, "returned NoneType, not a RawResponse"),
        (lambda: (200, {}, CREATED), "returned tuple, not a RawResponse"),
        (lambda: aios3.RawResponse("200", proxy(), CREATED), "status '200' is not an int"),  # type: ignore[arg-type]
        (lambda: aios3.RawResponse(True, proxy(), CREATED), "status True is not an int"),
        (lambda: aios3.RawResponse(200.0, proxy(), CREATED), "status 200.0"),  # type: ignore[arg-type]
        (lambda: aios3.RawResponse(42, proxy(), CREATED), "status 42"),
        (lambda: aios3.RawResponse(200, None, CREATED), "headers are NoneType"),  # type: ignore[arg-type]
        (lambda: aios3.RawResponse(200, {"ETag": 1}, CREATED), "not all str"),  # type: ignore[arg-type]
        (lambda: aios3.RawResponse(200, proxy(), CREATED.decode()), "body is str, not bytes"),  # type: ignore[arg-type]
        (lambda: aios3.RawResponse(200, proxy(), None), "body is NoneType"),  # type: ignore[arg-type]
    ],
)
async def test_garbage_answers_raise_response_parse_error(
    answer: Callable[[], Any], what: str
) -> None:
    async with client(Handmade(answer)) as s3:
        with pytest.raises(ResponseParseError, match="transport Handmade") as info:
            await s3.create_multipart_upload(Bucket="b", Key="k")
    assert what in str(info.value)


async def test_lenient_answers_are_normalised() -> None:
    # a plain dict of headers (looked up case-insensitively) and a bytearray body work
    answer = aios3.RawResponse(
        200,
        {"X-Amz-Request-Id": "r1"},  # type: ignore[arg-type]
        bytearray(CREATED),  # type: ignore[arg-type]
    )
    async with client(Handmade(lambda: answer)) as s3:
        r = await s3.create_multipart_upload(Bucket="b", Key="k")
    assert (r.upload_id, r.response_metadata.request_id) == ("u1", "r1")


async def test_a_sync_send_and_a_non_transport_are_refused() -> None:
    class SyncSend:
        def send(self, *args: object) -> aios3.RawResponse:
            return aios3.RawResponse(200, proxy(), CREATED)

        async def close(self) -> None:
            pass

    async with client(SyncSend()) as s3:
        with pytest.raises(ResponseParseError, match="send\\(\\) is not async"):
            await s3.create_multipart_upload(Bucket="b", Key="k")
    with pytest.raises(aios3.ParamValidationError, match="async send\\(\\) and close\\(\\)"):
        client("http://127.0.0.1:9000")


async def test_other_exceptions_pass_unchanged_and_close_reaches_the_transport() -> None:
    def boom() -> None:
        raise RuntimeError("the user's own bug")

    transport = Handmade(boom)
    async with client(transport) as s3:
        with pytest.raises(RuntimeError, match="the user's own bug"):
            await s3.create_multipart_upload(Bucket="b", Key="k")
    assert transport.closed


async def test_a_hanging_transport_is_bounded_by_the_caller_and_cancelled() -> None:
    cancelled = asyncio.Event()

    class Hangs(Handmade):
        async def send(self, *args: object) -> Any:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

    async with client(Hangs(lambda: None)) as s3:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(s3.create_multipart_upload(Bucket="b", Key="k"), 0.05)
    assert cancelled.is_set()
