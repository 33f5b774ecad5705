"""The fault matrix of `tests/faults/cases.py`, run: for each fault and each operation it
names, the caller sees the row's outcome (a typed aios3 error, or the right result), within
its time bound, after exactly the row's number of requests on the wire, and nothing leaks
(no task left, no unclosed transport: pytest runs with `filterwarnings = error`).

`docs/reliability.md` is rendered from the same rows."""

from __future__ import annotations

import asyncio
import gc
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

import aios3
from aios3.retries import StandardRetryStrategy
from aios3.testing import FaultRule, FaultTransport, MockResponse, MockTransport
from tests.faults._server import (
    Answer,
    Behaviour,
    FaultServer,
    Pipe,
    TLSServer,
    certificates,
)
from tests.faults.cases import (
    CANCELS,
    CASES,
    GOOD,
    SLACK,
    TIMEOUT,
    UPLOAD_SIZE,
    CancelCase,
    FaultCase,
    Op,
)

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDMATRIX", "aws_secret_access_key": "m-secret"}

LIST_PARTS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>b</Bucket><Key>k</Key>'
    b"<UploadId>u</UploadId><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>"
    b'<ETag>"e1"</ETag><Size>5</Size></Part></ListPartsResult>'
)
COMPLETED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult>'
    b'<Bucket>b</Bucket><Key>k</Key><ETag>"done-1"</ETag></CompleteMultipartUploadResult>'
)
GOOD_ANSWERS: dict[Op, Answer] = {
    "abort": Answer(204),
    "upload_part": Answer(200, {"ETag": '"e1"'}),
    "list_parts": Answer(200, {"Content-Type": "application/xml"}, LIST_PARTS),
    "complete": Answer(200, {"Content-Type": "application/xml"}, COMPLETED),
}


def call(s3: aios3.S3Client, op: Op) -> Awaitable[object]:
    if op == "abort":
        return s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    if op == "upload_part":
        return s3.upload_part(
            Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"p" * UPLOAD_SIZE
        )
    if op == "list_parts":
        return s3.list_parts(Bucket="b", Key="k", UploadId="u")
    return s3.complete_multipart_upload(
        Bucket="b",
        Key="k",
        UploadId="u",
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"e1"'}]},
    )


def check_result(op: Op, result: object) -> None:
    """The right result for the operation's good answer."""
    if op == "abort":
        assert isinstance(result, aios3.models.AbortMultipartUploadResponse)
        assert result.response_metadata.http_status_code == 204
    elif op == "upload_part":
        assert isinstance(result, aios3.models.UploadPartResponse)
        assert result.etag == '"e1"'
    elif op == "list_parts":
        assert isinstance(result, aios3.models.ListPartsResponse)
        assert [(p.part_number, p.etag) for p in result.parts] == [(1, '"e1"')]
    else:
        assert isinstance(result, aios3.models.CompleteMultipartUploadResponse)
        assert result.etag == '"done-1"'


def good_mock(op: Op) -> MockTransport:
    answer = GOOD_ANSWERS[op]
    return MockTransport(lambda r: MockResponse(answer.status, answer.headers, answer.body))


async def _no_sleep(delay: float) -> None:
    return None


def make_client(
    url: str, case_attempts: int, transport: aios3.Transport | None = None, **config: Any
) -> aios3.S3Client:
    strategy = StandardRetryStrategy(case_attempts, sleep=_no_sleep)
    return aios3.S3Client(
        endpoint_url=url,
        region_name="us-east-1",
        transport=transport,
        config=aios3.Config(
            connect_timeout=TIMEOUT, read_timeout=TIMEOUT, retry_strategy=strategy, **config
        ),
        **CREDS,
    )


def _script(server: tuple[Behaviour, ...], op: Op) -> list[Behaviour]:
    return [GOOD_ANSWERS[op] if b == GOOD else b for b in server]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@asynccontextmanager
async def scenario(
    case: FaultCase, op: Op, tmp_path: Path
) -> AsyncIterator[tuple[aios3.S3Client, Callable[[], int]]]:
    """The client the row calls through, and how to count what reached the server."""
    extra: dict[str, Any] = {}
    if case.max_response_bytes is not None:
        extra["max_response_bytes"] = case.max_response_bytes
    if case.rules:
        faulty = FaultTransport(good_mock(op), *(FaultRule(f, times=n) for f, n in case.rules))
        async with make_client("http://127.0.0.1:1", case.attempts, faulty, **extra) as s3:
            yield s3, lambda: len(faulty.requests)
        return
    if case.refused:
        async with make_client(f"http://127.0.0.1:{_free_port()}", case.attempts, **extra) as s3:
            yield s3, lambda: 0
        return
    if case.https == "self-signed":  # counts connections at accept, before the handshake
        _, cert, key = certificates(tmp_path)
        async with TLSServer(cert, key) as tls, make_client(tls.url, case.attempts) as s3:
            yield s3, lambda: tls.connections
        return
    async with FaultServer(_script(case.server, op)) as srv:
        url = srv.url.replace("http://", "https://") if case.https is True else srv.url
        async with make_client(url, case.attempts, **extra) as s3:
            if case.counts == "connections":
                yield s3, lambda: srv.connections
            else:
                yield s3, lambda: len(srv.requests)


def _leftover_tasks() -> list[asyncio.Task[Any]]:
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


PAIRS = [pytest.param(case, op, id=f"{case.id}-{op}") for case in CASES for op in case.ops]


@pytest.mark.parametrize(("case", "op"), PAIRS)
async def test_fault(case: FaultCase, op: Op, tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    async with scenario(case, op, tmp_path) as (s3, reached):
        started = loop.time()
        if case.outcome is None:
            result = await asyncio.wait_for(call(s3, op), case.bound + SLACK + 5)
            check_result(op, result)
            assert result.response_metadata.retry_attempts == case.requests - 1  # type: ignore[attr-defined]
        else:
            with pytest.raises(case.outcome) as caught:
                await asyncio.wait_for(call(s3, op), case.bound + SLACK + 5)
            error = caught.value
            if case.code is not None:
                assert isinstance(error, aios3.ClientError)
                assert error.code == case.code
                assert error.operation_name  # the S3 operation, named
            assert "m-secret" not in str(error) and "m-secret" not in repr(error)
        took = loop.time() - started
        assert reached() == case.requests
    assert case.least <= took < case.bound + SLACK, f"took {took:.2f}s"
    await asyncio.sleep(0)
    assert _leftover_tasks() == []
    gc.collect()  # an unclosed transport warns here, inside this test (an error)


# ---------------------------------------------------------------- cancellation


@pytest.mark.filterwarnings(  # Python 3.10's asyncio frees a closed socket late
    "ignore::pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.xfail(
    sys.version_info < (3, 11),
    reason="Python 3.10: a TLS handshake cancelled mid-way leaves its SSL task for a loop turn",
    strict=False,
)
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CANCELS])
async def test_a_cancelled_call_leaves_a_working_client(case: CancelCase, tmp_path: Path) -> None:
    ca, cert, key = certificates(tmp_path)
    async with TLSServer(cert, key) as backend:
        if case.https:  # the first connection stalls; the next is piped to the TLS server
            script: list[Behaviour] = [case.server, Pipe(backend.port)]
        else:
            script = [case.server, GOOD_ANSWERS["abort"]]
        async with FaultServer(script) as srv:
            url = srv.url.replace("http://", "https://") if case.https else srv.url
            # a 30 s backoff: the in-backoff call is cancelled while it waits
            backoff = StandardRetryStrategy(3, base=60, random=lambda: 0.5)
            config = aios3.Config(
                connect_timeout=30, read_timeout=30, retry_strategy=backoff, verify=str(ca)
            )
            async with aios3.S3Client(
                endpoint_url=url, region_name="us-east-1", config=config, **CREDS
            ) as s3:
                task = asyncio.ensure_future(call(s3, case.op))
                for _ in range(300):  # until the fault holds the call
                    await asyncio.sleep(0.01)
                    if srv.connections and (case.https or srv.requests):
                        break
                await asyncio.sleep(0.2)
                assert not task.done()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                r = await asyncio.wait_for(
                    s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u"), 10
                )
                assert r.response_metadata.http_status_code == 204
                assert r.response_metadata.retry_attempts == 0
    if not case.https:
        assert srv.requests[-1] == "DELETE" and len(srv.requests) == 2
    await asyncio.sleep(0)
    assert _leftover_tasks() == []
    gc.collect()
