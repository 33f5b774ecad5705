"""s3.sweep_multipart_uploads(...): list every incomplete upload page by page, select by
prefix and age, abort with bounded concurrency and verification, report.

A fake bucket (tests/_sweep_fake.py) pages like S3, so every request on the wire, every
count of the report and every event is asserted exactly.
"""

from __future__ import annotations

import asyncio
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import aios3
from aios3 import SweepEvent, SweepListingError, SweepReport
from aios3.errors import AbortNotVerifiedError, AccessDenied, ClientError, PaginationError
from aios3.testing import ErrorAnswer, FaultRule, FaultTransport, MockRequest, MockResponse
from tests._kit import client
from tests._sweep_fake import T0, StaleBucket, error

pytestmark = pytest.mark.unit

NOW = T0 + timedelta(days=30)
OLD = NOW - timedelta(days=10)
NEW = NOW - timedelta(hours=1)
WEEK = timedelta(days=7)


def _bucket() -> StaleBucket:
    """10 stale uploads under tmp/, 3 new ones under tmp/, 4 stale under keep/, 2 undated."""
    fake = StaleBucket()
    for i in range(10):
        fake.add(f"tmp/old-{i:02d}", OLD - timedelta(minutes=i))
    for i in range(3):
        fake.add(f"tmp/new-{i}", NEW)
    for i in range(4):
        fake.add(f"keep/old-{i}", OLD)
    for i in range(2):
        fake.add(f"tmp/undated-{i}", None)
    return fake


def _sweep(s3: aios3.S3Client, **kw: Any) -> Any:
    args: dict[str, Any] = {"Bucket": "b", "Prefix": "tmp/", "older_than": WEEK, "now": NOW}
    args.update(kw)
    return s3.sweep_multipart_uploads(**args)


def _remaining_after_sweep() -> list[str]:
    kept = [f"tmp/new-{i}" for i in range(3)] + [f"keep/old-{i}" for i in range(4)]
    return [*kept, "tmp/undated-0", "tmp/undated-1"]


@pytest.mark.parametrize(
    ("verify", "mode", "list_parts", "listings"),
    [
        (True, "parts", 10, 4),
        ("parts", "parts", 10, 4),
        ("listing", "listing", 0, 4 + 2),  # the re-listing: 5 left, 2 pages
        (False, None, 0, 4),
    ],
)
async def test_sweeps_stale_uploads_under_the_prefix(
    verify: Any, mode: str | None, list_parts: int, listings: int
) -> None:
    fake = _bucket()
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, verify=verify, page_size=4)
    assert isinstance(report, SweepReport)
    assert (report.found, report.selected, report.undated) == (15, 10, 2)
    assert (report.aborted, report.already_gone, report.failed_count) == (10, 0, 0)
    assert report.failed == [] and report.survivors == 0
    assert report.pages == 4 and report.listing_complete and report.verify == mode
    assert report.cutoff == NOW - WEEK and report.prefix == "tmp/" and not report.dry_run
    assert report.parts_freed is None and report.bytes_freed is None
    assert sorted(fake.left()) == sorted(_remaining_after_sweep())
    assert len(fake.kinds("abort")) == 10  # only the selected ones
    assert len(fake.kinds("list_parts")) == list_parts
    assert len(fake.kinds("list_uploads")) == listings  # "listing": the re-listing too


async def test_a_second_run_finds_nothing_to_do() -> None:
    fake = _bucket()
    async with client(fake.transport()) as s3:
        await _sweep(s3)
        fake.log.clear()
        again = await _sweep(s3)
    assert (again.found, again.selected, again.aborted, again.already_gone) == (5, 0, 0, 0)
    assert fake.kinds("abort") == []


async def test_dry_run_lists_what_it_would_abort_and_aborts_nothing() -> None:
    fake = _bucket()
    events: list[SweepEvent] = []
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, dry_run=True, on_progress=events.append, page_size=5)
    assert report.dry_run and (report.selected, report.aborted) == (10, 0)
    assert [m for m, _ in fake.log] == ["list_uploads"] * 3
    would = [e.upload.key for e in events if e.kind == "would_abort" and e.upload]
    assert would == sorted(f"tmp/old-{i:02d}" for i in range(10))
    assert len(fake.uploads) == 19


async def test_the_cutoff_is_fixed_when_the_sweep_starts() -> None:
    """older_than=0 with the real clock: uploads initiated while the sweep runs (here, as
    each abort arrives) are newer than the cutoff and never aborted."""
    fake = StaleBucket()
    for i in range(6):
        fake.add(f"k{i}", datetime.now(timezone.utc) - timedelta(seconds=2))
    made: list[str] = []

    def create_one(uid: str) -> None:
        made.append(fake.add(f"k{len(made)}-late", datetime.now(timezone.utc)))

    fake.on_abort = create_one
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket="b", older_than=timedelta(0), page_size=2, verify="listing"
        )
        assert report.aborted == 6 and len(made) == 6
        assert sorted(fake.uploads) == sorted(made)  # every late one is still there
        assert not set(fake.kinds("abort")) & set(made)
        # a later sweep with a later cutoff takes them
        fake.on_abort = None
        again = await s3.sweep_multipart_uploads(
            Bucket="b", older_than=timedelta(0), now=datetime.now(timezone.utc) + timedelta(1)
        )
        assert again.aborted == 6 and fake.uploads == {}


async def test_selected_when_initiated_a_second_before_the_cutoff() -> None:
    """Servers round Initiated down (SeaweedFS to the second): an upload listed less than a
    second before the cutoff may have been initiated after it, so it is left alone."""
    fake = StaleBucket()
    fake.add("at", NOW - WEEK)
    fake.add("just-before", NOW - WEEK - timedelta(milliseconds=999))
    fake.add("a-second-before", NOW - WEEK - timedelta(seconds=1))
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(Bucket="b", older_than=WEEK, now=NOW)
    assert report.selected == 1 and fake.left() == ["at", "just-before"]


async def test_older_than_the_calendar_selects_nothing() -> None:
    fake = _bucket()
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, older_than=timedelta.max)
    assert (report.found, report.selected) == (15, 0) and fake.kinds("abort") == []


async def test_a_server_that_ignores_prefix_cannot_widen_the_sweep() -> None:
    fake = _bucket()
    fake.ignore_prefix = True
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, verify="listing", page_size=3)
    assert report.found == 19 and report.selected == 10
    assert sorted(fake.left()) == sorted(_remaining_after_sweep())


async def test_the_whole_bucket_without_prefix() -> None:
    fake = _bucket()
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(Bucket="b", older_than=WEEK, now=NOW)
    assert (report.found, report.selected, report.aborted, report.prefix) == (19, 14, 14, "")
    assert fake.kinds("list_uploads")[0] == ""  # one page, no markers


@pytest.mark.parametrize("verify", [True, "listing", False])
async def test_uploads_gone_before_their_abort_are_already_gone(verify: Any) -> None:
    """Another sweeper (or a complete) got there first: the abort answers NoSuchUpload."""
    fake = _bucket()
    stolen = sorted(uid for uid, u in fake.uploads.items() if u.key.startswith("tmp/old-0"))

    def steal(uid: str) -> None:
        for s in stolen:
            fake.uploads.pop(s, None)

    fake.on_abort = steal
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, verify=verify, concurrency=1)
    # the first abort arrives after the theft too (it is one of them)
    assert report.already_gone == len(stolen) and report.aborted == 10 - len(stolen)
    assert report.failed_count == 0


async def test_partial_failure_is_reported_and_the_others_are_aborted() -> None:
    fake = _bucket()
    denied = {uid for uid, u in fake.uploads.items() if u.key in ("tmp/old-03", "tmp/old-07")}
    faults = FaultTransport(
        fake.transport(),
        FaultRule(
            ErrorAnswer(403, "AccessDenied", "Access Denied"),
            method="DELETE",
            when=lambda r: r.query.get("uploadId") in denied,
            times=None,
        ),
    )
    events: list[SweepEvent] = []
    async with client(faults) as s3:
        report = await _sweep(s3, on_progress=events.append, page_size=4)
        assert (report.aborted, report.failed_count, report.selected) == (8, 2, 10)
        assert sorted(f.key for f in report.failed) == ["tmp/old-03", "tmp/old-07"]
        for f in report.failed:
            assert isinstance(f.error, AccessDenied)
            assert f.error.code == "AccessDenied" and f.error.status_code == 403
            assert f.error.request_id == "FAULT" and "Access Denied" in str(f.error)
            assert f.upload_id in denied and f.initiated is not None
        failed_events = [e for e in events if e.kind == "failed"]
        assert [type(e.error) for e in failed_events] == [AccessDenied, AccessDenied]
        # a second run tries only those two again
        again = await _sweep(s3)
    assert (again.selected, again.failed_count, again.aborted) == (2, 2, 0)
    assert sorted(k for k in fake.left() if k.startswith("tmp/old")) == [
        "tmp/old-03",
        "tmp/old-07",
    ]


async def test_failures_kept_are_capped_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aios3._sweep.MAX_FAILURES_KEPT", 3)
    fake = _bucket()
    faults = FaultTransport(
        fake.transport(), FaultRule(ErrorAnswer(403, "AccessDenied"), method="DELETE", times=None)
    )
    async with client(faults) as s3:
        report = await _sweep(s3)
    assert report.failed_count == 10 and len(report.failed) == 3 and report.aborted == 0


async def test_a_failed_listing_raises_with_the_partial_report() -> None:
    fake = _bucket()
    faults = FaultTransport(
        fake.transport(),
        FaultRule(ErrorAnswer(500, "InternalError"), query="uploads", skip=2, times=None),
    )
    async with client(faults, max_attempts=2) as s3:
        with pytest.raises(SweepListingError) as info:
            await _sweep(s3, page_size=4)
    e = info.value
    assert isinstance(e.error, ClientError) and e.error.code == "InternalError"
    assert e.__cause__ is e.error and "after 2 page(s)" in str(e)
    r = e.report
    assert not r.listing_complete and r.pages == 2 and r.found == 8
    # the aborts of the pages read were all finished before the error was raised
    assert r.selected == r.aborted == 5  # page 1: new-0..2 and old-00; page 2: old-01..04
    assert len(fake.kinds("abort")) == r.aborted
    copy = pickle.loads(pickle.dumps(e))
    assert isinstance(copy, SweepListingError) and copy.report == r


async def test_a_listing_that_cannot_go_on_raises_pagination_error() -> None:
    fake = _bucket()

    async def handler(request: MockRequest) -> MockResponse:
        answer = await fake.handle(request)
        if "uploads" in request.query:  # truncated, without markers
            body = answer.body.replace(b"<IsTruncated>false", b"<IsTruncated>true")
            body = body.split(b"<NextKeyMarker>")[0] + body[body.find(b"<Upload>") :]
            return MockResponse(200, {}, body)
        return answer

    async with client(aios3.testing.MockTransport(handler)) as s3:
        with pytest.raises(SweepListingError) as info:
            await _sweep(s3, page_size=5)
    assert isinstance(info.value.error, PaginationError)
    assert info.value.report.pages == 1


async def test_listing_verification_aborts_survivors_again() -> None:
    """With verify="listing" an upload whose abort was lost shows up in the re-listing
    and gets abort-and-verify (an abort and a ListParts)."""
    fake = _bucket()
    lost = next(uid for uid, u in fake.uploads.items() if u.key == "tmp/old-04")
    fake.lost_aborts[lost] = 1
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, verify="listing", page_size=4)
    assert (report.aborted, report.survivors, report.failed_count) == (10, 1, 0)
    assert fake.kinds("abort").count(lost) == 2
    assert fake.kinds("list_parts") == [lost]
    assert "tmp/old-04" not in fake.left()


async def test_listing_verification_that_fails_reports_the_upload() -> None:
    fake = _bucket()
    lost = next(uid for uid, u in fake.uploads.items() if u.key == "tmp/old-04")
    fake.lost_aborts[lost] = 1
    faults = FaultTransport(
        fake.transport(),
        FaultRule(
            ErrorAnswer(403, "AccessDenied"),
            method="DELETE",
            when=lambda r: r.query.get("uploadId") == lost,
            skip=1,  # the first abort goes through (and is lost); the second is denied
        ),
    )
    events: list[SweepEvent] = []
    async with client(faults) as s3:
        report = await _sweep(s3, verify="listing", on_progress=events.append)
    assert (report.aborted, report.survivors, report.failed_count) == (9, 1, 1)
    assert report.failed[0].key == "tmp/old-04"
    assert isinstance(report.failed[0].error, AccessDenied)
    kinds = [e.kind for e in events if e.upload is not None and e.upload.upload_id == lost]
    assert kinds == ["aborted", "failed"]


async def test_parts_verification_that_cannot_verify_is_a_failure() -> None:
    fake = _bucket()
    stuck = next(uid for uid, u in fake.uploads.items() if u.key == "tmp/old-01")
    fake.uploads[stuck].part_sizes = [5, 5]
    fake.lost_aborts[stuck] = 10**6

    async def no_wait(seconds: float) -> None:
        return None

    policy = aios3.VerifyPolicy(max_rounds=2, sleep=no_wait)
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, verify=policy)
    assert (report.aborted, report.failed_count, report.verify) == (9, 1, "parts")
    err = report.failed[0].error
    assert isinstance(err, AbortNotVerifiedError)
    assert [r.parts_remaining for r in err.rounds] == [2, 2]


async def test_count_parts_reports_parts_and_bytes_freed() -> None:
    fake = _bucket()
    for i, uid in enumerate(sorted(u for u, x in fake.uploads.items() if "old-0" in x.key)):
        fake.uploads[uid].part_sizes = [100] * i  # 0..9 parts of 100 bytes
    async with client(fake.transport()) as s3:
        dry = await _sweep(s3, count_parts=True, dry_run=True)
        assert (dry.parts_freed, dry.bytes_freed, dry.aborted) == (45, 4500, 0)
        assert fake.kinds("abort") == []
        report = await _sweep(s3, count_parts=True, verify=False)
    assert (report.parts_freed, report.bytes_freed, report.aborted) == (45, 4500, 10)


async def test_count_parts_reads_every_page_of_parts() -> None:
    fake = StaleBucket()
    fake.add("big", OLD, parts=[7] * 2500)
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket="b", older_than=WEEK, now=NOW, count_parts=True
        )
    assert (report.parts_freed, report.bytes_freed) == (2500, 17500)
    assert len(fake.kinds("list_parts")) == 3 + 1  # three pages, then the verification


async def test_count_parts_of_an_upload_already_gone() -> None:
    fake = StaleBucket()
    uid = fake.add("gone", OLD)

    async def handler(request: MockRequest) -> MockResponse:
        if request.method == "GET" and "uploadId" in request.query:
            return error(404, "NoSuchUpload")
        return await fake.handle(request)

    async with client(aios3.testing.MockTransport(handler)) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket="b", older_than=WEEK, now=NOW, count_parts=True
        )
    assert (report.already_gone, report.aborted, report.parts_freed) == (1, 0, 0)
    assert uid in fake.uploads  # nothing was aborted: ListParts said it was gone


async def test_payer_and_owner_reach_every_request() -> None:
    fake = _bucket()
    lost = next(uid for uid, u in fake.uploads.items() if u.key == "tmp/old-04")
    fake.lost_aborts[lost] = 1
    transport = fake.transport()
    async with client(transport) as s3:
        await _sweep(
            s3,
            verify="listing",
            count_parts=True,
            RequestPayer="requester",
            ExpectedBucketOwner="111122223333",
            page_size=4,
        )
    kinds = {(r.method, "uploads" in r.query) for r in transport.requests}
    assert kinds == {("GET", True), ("GET", False), ("DELETE", False)}
    for r in transport.requests:
        assert r.headers["x-amz-request-payer"] == "requester"
        assert r.headers["x-amz-expected-bucket-owner"] == "111122223333"


async def test_concurrency_is_bounded_and_the_listing_streams() -> None:
    """At most `concurrency` aborts in flight; the listing runs at most a page ahead of
    the aborts (it never reads the whole listing first)."""
    fake = StaleBucket()
    for i in range(60):
        fake.add(f"k{i:03d}", OLD)
    progress: list[tuple[int, int]] = []  # (listing requests, aborts answered) per abort

    async def slow(uid: str) -> None:
        await asyncio.sleep(0.001)
        progress.append((len(fake.kinds("list_uploads")), len(progress)))

    fake.on_abort = slow
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket="b", older_than=WEEK, now=NOW, page_size=5, concurrency=3, verify=False
        )
    assert report.aborted == 60 and report.pages == 12
    assert fake.max_in_flight == 3
    for listed, aborted in progress:
        # uploads listed minus uploads aborted: the page being handled, one queued, one
        # being fetched, the uploads waiting for a worker and the aborts in flight
        assert listed * 5 - aborted <= 3 * 5 + 3 + 3
    # and aborts overlap the listing: the last page was requested before the last abort
    assert progress[-1][0] == 12 and min(i for i, (ls, _) in enumerate(progress) if ls == 12) < 59


async def test_on_progress_events_and_an_async_callback() -> None:
    fake = _bucket()
    seen: list[SweepEvent] = []

    async def on_progress(event: SweepEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    async with client(fake.transport()) as s3:
        report = await _sweep(s3, on_progress=on_progress, page_size=10)
    pages = [e for e in seen if e.kind == "page"]
    assert [e.found for e in pages] == [10, 15] and all(e.upload is None for e in pages)
    aborted = [e for e in seen if e.kind == "aborted"]
    assert len(aborted) == 10 and aborted[-1].aborted == 10 == report.aborted
    assert all(e.error is None and e.parts is None for e in aborted)
    assert all(isinstance(e.upload, aios3.models.MultipartUploadSummary) for e in aborted)


async def test_an_exception_in_on_progress_stops_the_sweep() -> None:
    fake = _bucket()

    def boom(event: SweepEvent) -> None:
        if event.kind == "aborted" and event.aborted == 2:
            raise RuntimeError("callback failed")

    async with client(fake.transport()) as s3:
        with pytest.raises(RuntimeError, match="callback failed"):
            await _sweep(s3, on_progress=boom, concurrency=1, page_size=2)
    assert len(fake.kinds("abort")) < 10
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_cancelling_the_sweep_leaves_no_task_behind() -> None:
    fake = _bucket()
    started = asyncio.Event()

    async def hang(uid: str) -> None:
        started.set()
        await asyncio.Event().wait()

    fake.on_abort = hang
    async with client(fake.transport()) as s3:
        task = asyncio.ensure_future(_sweep(s3, concurrency=4))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.in_flight == 0
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_stop_lets_the_aborts_in_flight_finish_and_starts_no_other() -> None:
    """`stop` (Ctrl-C in `aios3 mpu sweep`): the aborts under way complete (none is
    cancelled), no new one starts, the listing ends, and the report says so."""
    fake = StaleBucket()
    for i in range(40):
        fake.add(f"k{i:03d}", OLD)
    stop = asyncio.Event()
    release = asyncio.Event()
    answered: list[str] = []

    async def gate(uid: str) -> None:
        if len(fake.kinds("abort")) == 3:  # the third abort: ask the sweep to stop
            stop.set()
            asyncio.get_running_loop().call_later(0.01, release.set)
        await release.wait()
        answered.append(uid)

    fake.on_abort = gate
    async with client(fake.transport()) as s3:
        report = await s3.sweep_multipart_uploads(
            Bucket="b",
            older_than=WEEK,
            now=NOW,
            page_size=5,
            concurrency=3,
            verify="listing",
            stop=stop,
        )
    assert report.stopped and not report.listing_complete
    assert len(fake.kinds("abort")) == 3 == len(answered)  # all three finished
    assert report.aborted == 3 == report.selected
    assert report.selected == report.aborted + report.already_gone + report.failed_count
    assert len(fake.uploads) == 37
    # the listing stops (at most the pages already fetched ahead) and, for "listing"
    # verification, no re-listing from the start
    assert fake.kinds("list_uploads")[0] == "" and len(fake.kinds("list_uploads")) <= 3
    assert fake.kinds("list_uploads").count("") == 1
    assert fake.in_flight == 0
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_stop_set_before_the_start_aborts_nothing() -> None:
    fake = _bucket()
    stop = asyncio.Event()
    stop.set()
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, stop=stop)
    assert report.stopped and report.aborted == 0 and report.selected == 0
    assert fake.kinds("abort") == []


async def test_a_sweep_not_stopped_reports_stopped_false() -> None:
    fake = _bucket()
    async with client(fake.transport()) as s3:
        report = await _sweep(s3, stop=asyncio.Event())
    assert not report.stopped and report.listing_complete and report.aborted == 10


async def test_an_upload_listed_in_naive_time_is_read_as_utc() -> None:
    fake = StaleBucket()
    fake.add("naive", OLD)

    async def handler(request: MockRequest) -> MockResponse:
        answer = await fake.handle(request)
        return MockResponse(answer.status, answer.headers, answer.body.replace(b"Z<", b"<"))

    async with client(aios3.testing.MockTransport(handler)) as s3:
        report = await s3.sweep_multipart_uploads(Bucket="b", older_than=WEEK, now=NOW)
    assert report.aborted == 1


@pytest.mark.parametrize(
    ("kw", "named"),
    [
        ({"older_than": 7}, "older_than"),
        ({"older_than": -WEEK}, "older_than"),
        ({"now": datetime(2030, 1, 1)}, "now"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"verify": "yes"}, "verify"),
        ({"dry_run": "no"}, "dry_run"),
        ({"count_parts": 1}, "count_parts"),
        ({"on_progress": 3}, "on_progress"),
        ({"Prefix": 3}, "Prefix"),
        ({"Bucket": "a/b"}, "Bucket"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"stop": True}, "stop"),
        ({"RequestPayer": "me"}, "RequestPayer"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(kw: dict[str, Any], named: str) -> None:
    fake = _bucket()
    transport = fake.transport()
    async with client(transport) as s3:
        with pytest.raises(aios3.ParamValidationError, match=named):
            await _sweep(s3, **kw)
    assert transport.requests == []
