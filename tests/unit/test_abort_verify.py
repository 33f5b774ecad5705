"""abort_multipart_upload(..., verify=...): abort, then ListParts until nothing is left.

A scripted S3 (MockTransport) answers each abort and each ListParts, so every round, every
request on the wire, every wait and every bound is asserted exactly.
"""

from __future__ import annotations

import asyncio
import pickle
from datetime import datetime, timezone

import pytest

import aios3
from aios3.errors import AbortNotVerifiedError, AccessDenied, NoSuchUpload, ParamValidationError
from aios3.models import AbortMultipartUploadRequest, AbortRound, VerifiedAbortResponse
from aios3.testing import MockRequest, MockResponse, MockTransport
from tests._kit import client

pytestmark = pytest.mark.unit

NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _parts(n: int, truncated: bool = False) -> MockResponse:
    parts = "".join(
        f"<Part><PartNumber>{i}</PartNumber><ETag>&quot;e{i}&quot;</ETag><Size>5</Size></Part>"
        for i in range(1, n + 1)
    )
    return MockResponse(
        200,
        {"x-amz-request-id": "LIST"},
        (
            f'<ListPartsResult xmlns="{NS}"><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>'
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{parts}"
            "</ListPartsResult>"
        ).encode(),
    )


def _error(status: int, code: str, request_id: str = "ERR") -> MockResponse:
    return MockResponse(
        status,
        {"x-amz-request-id": request_id},
        f"<Error><Code>{code}</Code><Message>m</Message><RequestId>{request_id}</RequestId></Error>".encode(),
    )


ABORTED = MockResponse(204, {"x-amz-request-id": "ABORT1", "x-amz-request-charged": "requester"})
GONE = _error(404, "NoSuchUpload")


class Script:
    """Answers aborts (DELETE) and ListParts (GET) from two queues; records the waits."""

    def __init__(self, aborts: list[MockResponse], listings: list[MockResponse]) -> None:
        self.aborts = iter(aborts)
        self.listings = iter(listings)
        self.transport = MockTransport(self.handle)
        self.waits: list[float] = []
        self.now = 0.0

    def handle(self, request: MockRequest) -> MockResponse:
        assert request.query.get("uploadId") == "u"
        return next(self.aborts if request.method == "DELETE" else self.listings)

    @property
    def calls(self) -> list[str]:
        return [r.method for r in self.transport.requests]

    def policy(self, **kw: float) -> aios3.VerifyPolicy:
        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)
            self.now += seconds

        return aios3.VerifyPolicy(sleep=sleep, clock=lambda: self.now, **kw)  # type: ignore[arg-type]


async def test_one_round_when_list_parts_says_no_such_upload() -> None:
    s = Script([ABORTED], [GONE])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(
            Bucket="b",
            Key="k",
            UploadId="u",
            RequestPayer="requester",
            ExpectedBucketOwner="111122223333",
            verify=s.policy(),
        )
    assert isinstance(r, VerifiedAbortResponse)
    assert r.rounds == [AbortRound(number=1, abort="aborted", listing="no_such_upload")]
    assert r.rounds[-1].gone
    assert s.calls == ["DELETE", "GET"] and s.waits == []
    # the first abort's answer, as boto3 would give it
    assert r.request_charged == "requester"
    assert r.response_metadata.request_id == "ABORT1"
    assert r.to_dict()["RequestCharged"] == "requester" and "Rounds" not in r.to_dict()
    for req in s.transport.requests:  # every call carries the payer and the owner
        assert req.headers["x-amz-request-payer"] == "requester"
        assert req.headers["x-amz-expected-bucket-owner"] == "111122223333"


async def test_verify_true_uses_the_default_policy_and_the_same_wire() -> None:
    s = Script([ABORTED], [GONE])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
    assert [x.listing for x in r.rounds] == ["no_such_upload"]
    delete, get = s.transport.requests
    assert delete.url.path == get.url.path == "/b/k"
    assert dict(get.query) == {"uploadId": "u"}
    assert "x-amz-request-payer" not in delete.headers


async def test_parts_in_flight_are_aborted_again_with_backoff() -> None:
    # round 1: the abort succeeds but 2 parts landed after it; round 2: 1 part; round 3: gone
    s = Script([ABORTED, ABORTED, GONE], [_parts(2), _parts(1), _parts(0)])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(
            Bucket="b", Key="k", UploadId="u", verify=s.policy(base_delay=0.5, max_delay=5)
        )
    assert [(x.abort, x.listing, x.parts_remaining) for x in r.rounds] == [
        ("aborted", "parts", 2),
        ("aborted", "parts", 1),
        ("already_gone", "no_parts", 0),
    ]
    assert s.waits == [0.5, 1.0]
    assert s.calls == ["DELETE", "GET"] * 3
    assert r.response_metadata.request_id == "ABORT1"  # the first abort's


async def test_bound_reached_raises_with_every_round() -> None:
    s = Script([ABORTED] * 3, [_parts(3, truncated=True)] * 3)
    async with client(s.transport) as s3:
        with pytest.raises(AbortNotVerifiedError) as info:
            await s3.abort_multipart_upload(
                Bucket="b", Key="k", UploadId="u", verify=s.policy(max_rounds=3, base_delay=1)
            )
    e = info.value
    assert (e.bucket, e.key, e.upload_id) == ("b", "k", "u")
    assert [x.number for x in e.rounds] == [1, 2, 3]
    assert all(x.parts_remaining == 3 and x.more_parts for x in e.rounds)
    assert "still lists 3+ part(s) after 3 round(s)" in str(e) and "s3://b/k" in str(e)
    assert s.calls == ["DELETE", "GET"] * 3  # no request after the bound
    assert s.waits == [1.0, 2.0]  # no wait after the last round
    again = pickle.loads(pickle.dumps(e))
    assert again.rounds == e.rounds and str(again) == str(e) and again.upload_id == "u"
    assert isinstance(e, aios3.Aios3Error)


async def test_deadline_stops_before_a_round_that_would_end_past_it() -> None:
    s = Script([ABORTED] * 5, [_parts(1)] * 5)
    async with client(s.transport) as s3:
        with pytest.raises(AbortNotVerifiedError) as info:
            await s3.abort_multipart_upload(
                Bucket="b",
                Key="k",
                UploadId="u",
                verify=s.policy(max_rounds=10, deadline=3.0, base_delay=1.0, max_delay=10),
            )
    # waits 1 (t=1), 2 (t=3); the next wait of 4 would end at t=7 > 3
    assert s.waits == [1.0, 2.0] and len(info.value.rounds) == 3


async def test_first_abort_no_such_upload_counts_as_gone_and_listing_decides() -> None:
    s = Script([_error(404, "NoSuchUpload", "GONE1")], [GONE])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=s.policy())
    assert r.rounds == [AbortRound(number=1, abort="already_gone", listing="no_such_upload")]
    assert r.response_metadata.request_id == "GONE1"
    assert r.response_metadata.http_status_code == 404
    assert r.request_charged is None


async def test_without_verify_no_such_upload_is_raised_as_before() -> None:
    s = Script([GONE, GONE], [])
    async with client(s.transport) as s3:
        with pytest.raises(NoSuchUpload):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        with pytest.raises(NoSuchUpload):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=False)
    assert s.calls == ["DELETE", "DELETE"]


async def test_ceph_no_such_key_after_abort_means_gone() -> None:
    s = Script([ABORTED], [_error(404, "NoSuchKey")])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=s.policy())
    assert [x.listing for x in r.rounds] == ["no_such_key"]


async def test_a_server_that_answers_204_to_unknown_uploads_is_verified_by_the_listing() -> None:
    # SeaweedFS answers 204 to an abort of an unknown upload: the listing decides
    s = Script([ABORTED], [_parts(0)])
    async with client(s.transport) as s3:
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=s.policy())
    assert [x.listing for x in r.rounds] == ["no_parts"]


async def test_other_errors_propagate_unchanged() -> None:
    s = Script([ABORTED], [_error(403, "AccessDenied")])
    async with client(s.transport) as s3:
        with pytest.raises(AccessDenied):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=s.policy())
    s = Script([_error(403, "AccessDenied")], [])
    async with client(s.transport) as s3:
        with pytest.raises(AccessDenied):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=s.policy())
    assert s.calls == ["DELETE"]


async def test_if_match_initiated_time_goes_on_every_abort_not_on_list_parts() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    s = Script([ABORTED, ABORTED], [_parts(1), GONE])
    async with client(s.transport) as s3:
        await s3.abort_multipart_upload(
            Bucket="b", Key="k", UploadId="u", IfMatchInitiatedTime=when, verify=s.policy()
        )
    by_method = {
        (r.method, "x-amz-if-match-initiated-time" in r.headers) for r in s.transport.requests
    }
    assert by_method == {("DELETE", True), ("GET", False)}


async def test_request_model_and_resource_style() -> None:
    s = Script([ABORTED] * 3, [GONE, GONE])
    async with client(s.transport) as s3:
        req = AbortMultipartUploadRequest(bucket="b", key="k", upload_id="u")
        r1 = await s3.abort_multipart_upload(req, verify=s.policy())
        s3r = aios3.S3Resource(client=s3)
        r2 = await s3r.MultipartUpload("b", "k", "u").abort(verify=s.policy())
        r3 = await aios3.MultipartUpload(s3, "b", "k", "u").abort()  # no verify: one call
    assert r1.rounds[0].gone and r2.rounds[0].gone
    assert not isinstance(r3, VerifiedAbortResponse)
    assert s.calls == ["DELETE", "GET", "DELETE", "GET", "DELETE"]


BAD_VERIFY: list[tuple[object, str]] = [
    ("yes", "verify: True, False or an aios3.VerifyPolicy, got str"),
    (1, "verify: True, False or an aios3.VerifyPolicy, got int"),
    ({"max_rounds": 3}, "got dict"),
]


@pytest.mark.parametrize(("verify", "message"), BAD_VERIFY)
async def test_bad_verify_is_refused_before_anything_is_sent(verify: object, message: str) -> None:
    s = Script([], [])
    async with client(s.transport) as s3:
        with pytest.raises(ParamValidationError, match=message):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=verify)  # type: ignore[call-overload]
        with pytest.raises(ParamValidationError, match="Bucket"):
            await s3.abort_multipart_upload(Key="k", UploadId="u", verify=True)  # type: ignore[call-overload]
    assert s.calls == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"max_rounds": 0}, "max_rounds"),
        ({"max_rounds": 101}, "max_rounds"),
        ({"max_rounds": 2.0}, "max_rounds"),
        ({"max_rounds": True}, "max_rounds"),
        ({"deadline": -1}, "deadline"),
        ({"deadline": float("nan")}, "deadline"),
        ({"base_delay": float("inf")}, "base_delay"),
        ({"max_delay": "1"}, "max_delay"),
        ({"sleep": None}, "sleep"),
    ],
)
def test_bad_policy_is_refused(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ParamValidationError, match=field):
        aios3.VerifyPolicy(**kw)  # type: ignore[arg-type]


def test_policy_delays_grow_and_cap() -> None:
    p = aios3.VerifyPolicy(base_delay=0.25, max_delay=1.0)
    assert [p.delay(n) for n in range(1, 6)] == [0.25, 0.5, 1.0, 1.0, 1.0]
    assert aios3.VerifyPolicy(base_delay=1, max_delay=10**9).delay(10**6) == 10**9
    assert "sleep" not in repr(p) and "max_rounds=5" in repr(p)


async def test_cancelled_while_verifying_raises_cancelled_and_the_client_stays_usable() -> None:
    gate = asyncio.Event()
    listing = asyncio.Event()
    seen: list[str] = []

    async def handler(request: MockRequest) -> MockResponse:
        seen.append(request.method)
        if request.method == "GET" and len(seen) == 2:
            listing.set()
            await gate.wait()  # the ListParts of round 1 hangs
        return ABORTED if request.method == "DELETE" else GONE

    transport = MockTransport(handler)
    async with client(transport) as s3:
        task = asyncio.ensure_future(
            s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
        )
        await listing.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
    assert r.rounds[0].gone


async def test_the_stubber_sees_every_call_of_a_verified_abort() -> None:
    from aios3.testing import Stubber

    s = Script([], [])
    async with client(s.transport) as s3:
        with Stubber(s3) as stub:
            expected = {"Bucket": "b", "Key": "k", "UploadId": "u"}
            stub.add_response("abort_multipart_upload", {}, expected)
            stub.add_response("list_parts", {"Parts": [{"PartNumber": 1, "Size": 5}]}, expected)
            stub.add_response("abort_multipart_upload", {}, expected)
            stub.add_client_error("list_parts", "NoSuchUpload", http_status_code=404)
            r = await s3.abort_multipart_upload(**expected, verify=s.policy())  # type: ignore[arg-type]
            stub.assert_no_pending_responses()
    assert [(x.listing, x.parts_remaining) for x in r.rounds] == [
        ("parts", 1),
        ("no_such_upload", 0),
    ]
    assert s.calls == []  # all stubbed
