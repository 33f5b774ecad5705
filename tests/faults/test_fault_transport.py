"""aios3.testing.FaultTransport: resets, stalls, SlowDown, truncated and malformed bodies."""

from __future__ import annotations

import asyncio

import pytest

import aios3
from aios3.testing import (
    ErrorAnswer,
    FaultRule,
    FaultTransport,
    Malformed,
    MockResponse,
    MockTransport,
    Reset,
    Stall,
    Truncate,
)
from tests._kit import CREATED, client


async def _no_sleep(delay: float) -> None:
    return None


# ---------------------------------------------------------------- FaultTransport


def ok_inner() -> MockTransport:
    return MockTransport(lambda r: MockResponse(200, body=CREATED))


async def test_fault_reset_before_and_after_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)
    inner = ok_inner()
    rule = FaultRule(Reset(), method="POST", times=2)
    async with client(FaultTransport(inner, rule), max_attempts=3) as s3:
        r = await s3.create_multipart_upload(Bucket="b", Key="k")
    assert r.upload_id == "u1" and r.response_metadata.retry_attempts == 2
    assert rule.hits == 2 and len(inner.requests) == 1  # the resets never reached it
    inner = ok_inner()
    faulty = FaultTransport(inner, FaultRule(Reset(after_send=True)))
    async with client(faulty, max_attempts=1) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError, match="reset"):
            await s3.create_multipart_upload(Bucket="b", Key="k")
    assert len(inner.requests) == 1  # the server did the work; the client never heard
    assert inner.closed


async def test_fault_stall_times_out_with_the_injected_sleep() -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    inner = ok_inner()
    faulty = FaultTransport(inner, FaultRule(Stall(30.0)), sleep=fake_sleep)
    async with client(faulty, max_attempts=1) as s3:
        with pytest.raises(aios3.errors.ReadTimeoutError):
            await s3.create_multipart_upload(Bucket="b", Key="k")
        faulty.add(FaultRule(Stall(2.0, then="answer")))
        r = await s3.create_multipart_upload(Bucket="b", Key="k")
    assert slept == [30.0, 2.0] and r.upload_id == "u1"


async def test_fault_stall_forever_waits_until_cancelled() -> None:
    faulty = FaultTransport(ok_inner(), FaultRule(Stall(None)))
    async with client(faulty, max_attempts=1) as s3:
        call = asyncio.ensure_future(s3.create_multipart_upload(Bucket="b", Key="k"))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not call.done()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call


async def test_fault_slowdown_then_success_and_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)
    faulty = FaultTransport(ok_inner(), FaultRule(ErrorAnswer(), query="uploads", skip=1))
    async with client(faulty, max_attempts=2) as s3:
        first = await s3.create_multipart_upload(Bucket="b", Key="k")  # skipped
        second = await s3.create_multipart_upload(Bucket="b", Key="k")  # SlowDown, then ok
    assert first.response_metadata.retry_attempts == 0
    assert second.response_metadata.retry_attempts == 1
    faulty = FaultTransport(ok_inner(), FaultRule(ErrorAnswer(), times=None))
    async with client(faulty, max_attempts=2) as s3:
        with pytest.raises(aios3.ClientError) as info:
            await s3.create_multipart_upload(Bucket="b", Key="k")
    assert (info.value.code, info.value.status_code) == ("SlowDown", 503)


async def test_fault_truncated_and_malformed_bodies() -> None:
    for fault in (Truncate(20), Malformed()):
        faulty = FaultTransport(ok_inner(), FaultRule(fault, path_contains="/b/k"))
        async with client(faulty, max_attempts=1) as s3:
            with pytest.raises(aios3.errors.ResponseParseError):
                await s3.create_multipart_upload(Bucket="b", Key="k")
            r = await s3.create_multipart_upload(Bucket="b", Key="k")  # times=1: passes now
        assert r.upload_id == "u1"
    faulty = FaultTransport(ok_inner(), FaultRule(Truncate(5, detected=True)))
    async with client(faulty, max_attempts=1) as s3:
        with pytest.raises(aios3.errors.EndpointConnectionError, match="ended early"):
            await s3.create_multipart_upload(Bucket="b", Key="k")


async def test_fault_rules_match_on_every_condition() -> None:
    rule = FaultRule(ErrorAnswer(500, "InternalError"), method="DELETE", when=lambda r: True)
    faulty = FaultTransport(ok_inner(), rule)
    async with client(faulty, max_attempts=1) as s3:
        await s3.create_multipart_upload(Bucket="b", Key="k")
        assert rule.hits == 0
        with pytest.raises(aios3.ClientError, match="InternalError"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert rule.hits == 1 and len(faulty.requests) == 2


async def test_fault_error_answer_escapes_its_text_into_valid_xml() -> None:
    answer = ErrorAnswer(400, "InvalidArgument", "Part number must be < 10000 & > 0")
    faulty = FaultTransport(ok_inner(), FaultRule(answer))
    async with client(faulty, max_attempts=1) as s3:
        with pytest.raises(aios3.ClientError) as info:
            await s3.create_multipart_upload(Bucket="b", Key="k")
    assert info.value.code == "InvalidArgument"
    assert info.value.message == "Part number must be < 10000 & > 0"
