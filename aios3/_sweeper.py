"""The sweep of `s3.sweep_multipart_uploads(...)` (see `aios3._sweep` for what it does
and reports): imported on the first sweep, not with `aios3`."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from . import _sweep
from ._orphans import VerifyPolicy, abort_and_verify, verified_rounds
from ._sweep import _DEFAULT_POLICY, MARGIN, SweepEvent, SweepFailure, SweepReport, SweepVerify
from .errors import Aios3Error, NoSuchKey, NoSuchUpload, ParamValidationError, SweepListingError
from .models import (
    AbortMultipartUploadRequest,
    ListMultipartUploadsResponse,
    MultipartUploadSummary,
)

if TYPE_CHECKING:
    from ._client import S3Client
    from ._paginate import PageIterator, PaginationConfig

__all__ = ["sweep"]

Job = Callable[[MultipartUploadSummary], Coroutine[None, None, None]]


def _verify_mode(verify: object) -> tuple[SweepVerify | None, VerifyPolicy]:
    if verify is True or verify == "parts":
        return "parts", _DEFAULT_POLICY
    if isinstance(verify, VerifyPolicy):
        return "parts", verify
    if verify == "listing":
        return "listing", _DEFAULT_POLICY
    if verify is False:
        return None, _DEFAULT_POLICY
    raise ParamValidationError(
        f'verify: True, "parts", "listing", False or an aios3.VerifyPolicy, got {verify!r}'[:200]
    )


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParamValidationError(f"{name}: an int from {low} to {high}, got {value!r}"[:200])
    return value


def _cutoff(older_than: object, now: object) -> datetime:
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise ParamValidationError(
            f"older_than: a datetime.timedelta >= 0, got {older_than!r}"[:200],
        )
    if now is None:
        now = datetime.now(timezone.utc)
    elif not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ParamValidationError(f"now: a timezone-aware datetime, got {now!r}"[:200])
    try:
        return now - older_than
    except OverflowError:  # older than the calendar goes back: nothing can be selected
        return datetime.min.replace(tzinfo=timezone.utc) + MARGIN


def _initiated(upload: MultipartUploadSummary) -> datetime | None:
    t = upload.initiated
    if t is not None and t.tzinfo is None:  # a server that sends no zone: UTC, as S3's
        t = t.replace(tzinfo=timezone.utc)
    return t


class _Tally:
    """The running counts (a report is built from them at the end)."""

    __slots__ = (
        "aborted",
        "already_gone",
        "bytes",
        "failed",
        "failed_count",
        "found",
        "pages",
        "parts",
        "selected",
        "survivors",
        "undated",
    )

    def __init__(self) -> None:
        self.pages = self.found = self.selected = self.undated = 0
        self.aborted = self.already_gone = self.failed_count = self.survivors = 0
        self.parts = self.bytes = 0
        self.failed: list[SweepFailure] = []


async def sweep(
    client: S3Client,
    *,
    bucket: str,
    prefix: str | None,
    older_than: timedelta,
    dry_run: bool,
    concurrency: int,
    verify: object,
    on_progress: Callable[[SweepEvent], object] | None,
    request_payer: str | None,
    expected_bucket_owner: str | None,
    page_size: int | None,
    count_parts: bool,
    now: datetime | None,
    stop: asyncio.Event | None = None,
) -> SweepReport:
    """The sweep; `S3Client.sweep_multipart_uploads` documents it."""
    mode, policy = _verify_mode(verify)
    cutoff = _cutoff(older_than, now)
    _check_int("concurrency", concurrency, 1, 1000)
    for name, flag in (("dry_run", dry_run), ("count_parts", count_parts)):
        if not isinstance(flag, bool):
            raise ParamValidationError(f"{name}: True or False, got {flag!r}"[:200])
    if on_progress is not None and not callable(on_progress):
        raise ParamValidationError("on_progress: a callable taking a SweepEvent")
    if stop is not None and not isinstance(stop, asyncio.Event):
        raise ParamValidationError(f"stop: an asyncio.Event, got {type(stop).__name__}")
    if prefix is not None and not isinstance(prefix, str):
        raise ParamValidationError(f"Prefix: a string, got {type(prefix).__name__}")
    carried = {
        k: v
        for k, v in (
            ("RequestPayer", request_payer),
            ("ExpectedBucketOwner", expected_bucket_owner),
        )
        if v is not None
    }
    listing_params: dict[str, object] = {"Bucket": bucket, **carried}
    if prefix:
        listing_params["Prefix"] = prefix
    config: PaginationConfig | None = None
    if page_size is not None:
        config = {"PageSize": _check_int("page_size", page_size, 1, 1000)}
    paginator = client.get_paginator("list_multipart_uploads")
    # builds and validates the request: bad parameters raise here, before anything is sent
    pages = paginator.paginate(PaginationConfig=config, **listing_params)  # type: ignore[arg-type]
    return await _Sweep(
        client,
        bucket=bucket,
        prefix=prefix or "",
        cutoff=cutoff,
        dry_run=dry_run,
        concurrency=concurrency,
        mode=mode,
        policy=policy,
        on_progress=on_progress,
        carried=carried,
        count_parts=count_parts,
        stop=stop if stop is not None else asyncio.Event(),
        relist=lambda: paginator.paginate(
            PaginationConfig=config,
            **listing_params,  # type: ignore[arg-type]
        ),
    ).run(pages)


class _Sweep:
    def __init__(
        self,
        client: S3Client,
        *,
        bucket: str,
        prefix: str,
        cutoff: datetime,
        dry_run: bool,
        concurrency: int,
        mode: SweepVerify | None,
        policy: VerifyPolicy,
        on_progress: Callable[[SweepEvent], object] | None,
        carried: dict[str, str],
        count_parts: bool,
        stop: asyncio.Event,
        relist: Callable[[], PageIterator[ListMultipartUploadsResponse]],
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.cutoff = cutoff
        self.dry_run = dry_run
        self.mode = mode
        self.policy = policy
        self.on_progress = on_progress
        self.carried = carried
        self.count_parts = count_parts
        self.relist = relist
        self.stop = stop
        self.cut_short = False  # the listing was left unfinished because of `stop`
        self.tally = _Tally()
        self.concurrency = concurrency
        # the uploads waiting for a worker, fed a page at a time: the next page goes in
        # when fewer than `concurrency` are left (see wait_for_room), so at most a page
        # and `concurrency` uploads wait, and the listing stops when the workers are
        # behind. (Fed one upload at a time through a bounded queue, the listing task was
        # woken once per upload: a tenth of the sweep's CPU with verify="parts".)
        self.work: asyncio.Queue[tuple[Job, MultipartUploadSummary]] = asyncio.Queue()
        self.room = asyncio.Event()
        self.workers: list[asyncio.Task[None]] = []
        self.fatal: list[BaseException] = []
        # with verify="listing": hash((key, upload_id)) of each upload aborted (8 bytes of
        # table and one int each, instead of the strings); a collision can only make the
        # re-listing verify one more upload that was selected anyway
        self.aborted_ids: set[int] = set()

    # ------------------------------------------------------------------ report and events

    def report(self, *, listing_complete: bool = True) -> SweepReport:
        t = self.tally
        stopped = self.stop.is_set()
        counted = self.count_parts
        return SweepReport(
            bucket=self.bucket,
            prefix=self.prefix,
            cutoff=self.cutoff,
            dry_run=self.dry_run,
            verify=self.mode,
            pages=t.pages,
            found=t.found,
            selected=t.selected,
            undated=t.undated,
            aborted=t.aborted,
            already_gone=t.already_gone,
            failed=list(t.failed),
            failed_count=t.failed_count,
            survivors=t.survivors,
            parts_freed=t.parts if counted else None,
            bytes_freed=t.bytes if counted else None,
            listing_complete=listing_complete and not self.cut_short,
            stopped=stopped,
        )

    async def emit(
        self,
        kind: Literal["page", "would_abort", "aborted", "already_gone", "failed"],
        upload: MultipartUploadSummary | None,
        error: Aios3Error | None = None,
        parts: int | None = None,
        size: int | None = None,
    ) -> None:
        callback = self.on_progress
        if callback is None:
            return
        t = self.tally
        result = callback(
            SweepEvent(
                kind,
                upload,
                error,
                parts,
                size,
                t.found,
                t.selected,
                t.aborted,
                t.already_gone,
                t.failed_count,
            )
        )
        if inspect.isawaitable(result):
            await result

    def fail(self, upload: MultipartUploadSummary, error: Aios3Error) -> None:
        t = self.tally
        t.failed_count += 1
        if len(t.failed) < _sweep.MAX_FAILURES_KEPT:
            t.failed.append(
                SweepFailure(
                    key=upload.key,
                    upload_id=upload.upload_id,
                    initiated=upload.initiated,
                    error=error,
                )
            )

    # ------------------------------------------------------------------ one upload

    def abort_request(self, upload: MultipartUploadSummary) -> AbortMultipartUploadRequest:
        # the constructor: a bad key from the server is a ParamValidationError (a failure)
        params = {"Bucket": self.bucket, "Key": upload.key, "UploadId": upload.upload_id}
        return AbortMultipartUploadRequest(**params, **self.carried)

    async def count(self, upload: MultipartUploadSummary) -> tuple[int, int] | None:
        """The parts and bytes of an upload over all ListParts pages; None: it is gone."""
        parts = size = 0
        pages = self.client.get_paginator("list_parts").paginate(
            Bucket=self.bucket,
            Key=upload.key,
            UploadId=upload.upload_id,
            **self.carried,  # type: ignore[arg-type]
        )
        try:
            async for page in pages:
                parts += len(page.parts)
                size += sum(p.size or 0 for p in page.parts)
        except (NoSuchUpload, NoSuchKey):
            return None
        return parts, size

    async def one(self, upload: MultipartUploadSummary) -> None:
        t = self.tally
        parts = size = None
        outcome: Literal["would_abort", "aborted", "already_gone"] = "aborted"
        try:
            if self.count_parts:
                counted = await self.count(upload)
                if counted is None:
                    outcome = "already_gone"
                else:
                    parts, size = counted
                    if self.dry_run:
                        outcome = "would_abort"
            if outcome == "aborted":
                request = self.abort_request(upload)
                if self.mode == "parts":
                    rounds, _, _ = await verified_rounds(self.client, request, self.policy)
                    if rounds[0].abort == "already_gone":
                        outcome = "already_gone"
                else:
                    try:
                        await self.client.abort_multipart_upload(request)
                    except NoSuchUpload:
                        outcome = "already_gone"
                    else:
                        if self.mode == "listing":
                            self.aborted_ids.add(hash((upload.key, upload.upload_id)))
        except Aios3Error as exc:
            self.fail(upload, exc)
            await self.emit("failed", upload, exc, parts, size)
            return
        if outcome == "already_gone":
            t.already_gone += 1
            await self.emit("already_gone", upload)
            return
        if outcome == "aborted":
            t.aborted += 1
        if parts is not None and size is not None:
            t.parts += parts
            t.bytes += size
        await self.emit(outcome, upload, None, parts, size)

    async def reverify(self, upload: MultipartUploadSummary) -> None:
        """An aborted upload that the re-listing still shows: abort and verify it."""
        try:
            await abort_and_verify(self.client, self.abort_request(upload), self.policy)
        except Aios3Error as exc:
            self.tally.aborted -= 1
            self.fail(upload, exc)
            await self.emit("failed", upload, exc)

    # ------------------------------------------------------------------ the pipeline

    async def worker(self) -> None:
        """Handles uploads one after the other: a worker that finishes one takes the next
        at once (no task to create, no hand-off through the event loop)."""
        work = self.work
        fatal = self.fatal
        stop = self.stop
        low = self.concurrency
        room = self.room
        while True:
            job, upload = await work.get()
            if work.qsize() < low:
                room.set()
            try:
                # after a fatal error or a stop the rest is dropped, so put never blocks
                if stop.is_set():
                    if job == self.one:  # never started: not counted as selected
                        self.tally.selected -= 1
                elif not fatal:
                    await job(upload)
            except Exception as exc:  # an on_progress error, or a bug: stops the sweep
                fatal.append(exc)
                room.set()
            finally:
                work.task_done()

    def spawn(self, job: Job, upload: MultipartUploadSummary) -> None:
        """Queue an upload for the workers (no wait: see `wait_for_room`)."""
        if self.fatal:
            raise self.fatal[0]
        if not self.workers:
            self.workers = [asyncio.ensure_future(self.worker()) for _ in range(self.concurrency)]
        self.work.put_nowait((job, upload))

    async def wait_for_room(self) -> None:
        """After a page: until fewer than `concurrency` uploads wait for a worker, or one
        failed for good (then raised here)."""
        work = self.work
        room = self.room
        while work.qsize() >= self.concurrency and not self.fatal:
            room.clear()
            await room.wait()
        if self.fatal:
            raise self.fatal[0]

    async def drain(self) -> None:
        """Until every upload handed to the workers is handled."""
        await self.work.join()
        if self.fatal:
            raise self.fatal[0]

    async def run(self, pages: PageIterator[ListMultipartUploadsResponse]) -> SweepReport:
        queue: asyncio.Queue[ListMultipartUploadsResponse | BaseException | None] = asyncio.Queue(
            maxsize=1
        )

        async def lister() -> None:
            # fetches the next page while the uploads of the current one are handled
            try:
                async for page in pages:
                    await queue.put(page)
            except Exception as exc:  # an Aios3Error ends the listing; anything else is raised
                await queue.put(exc)
            else:
                await queue.put(None)

        fetch = asyncio.ensure_future(lister())
        try:
            listing_error = await self.consume(queue)
            await self.drain()
            if listing_error is not None:
                raise SweepListingError(
                    f"the listing of s3://{self.bucket}/{self.prefix} failed after "
                    f"{self.tally.pages} page(s): {listing_error}; the report holds what "
                    "was done until then",
                    report=self.report(listing_complete=False),
                    error=listing_error,
                ) from listing_error
            if self.aborted_ids and not self.stop.is_set():
                await self.verify_by_listing()
            return self.report()
        finally:
            rest = [fetch, *self.workers]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

    async def consume(
        self, queue: asyncio.Queue[ListMultipartUploadsResponse | BaseException | None]
    ) -> Aios3Error | None:
        t = self.tally
        limit = self.cutoff - MARGIN
        prefix = self.prefix
        inline = self.dry_run and not self.count_parts
        stop = self.stop
        while True:
            if stop.is_set():
                self.cut_short = True
                return None
            page = await queue.get()
            if page is None:
                return None
            if isinstance(page, Aios3Error):
                return page
            if isinstance(page, BaseException):
                raise page
            uploads = page.uploads
            t.pages += 1
            t.found += len(uploads)
            await self.emit("page", None)
            for upload in uploads:
                if stop.is_set():
                    self.cut_short = True
                    return None
                initiated = _initiated(upload)
                if initiated is None:
                    t.undated += 1
                    continue
                if initiated > limit or (prefix and not upload.key.startswith(prefix)):
                    continue
                t.selected += 1
                if inline:
                    await self.emit("would_abort", upload)
                else:
                    self.spawn(self.one, upload)
            del page, uploads
            await self.wait_for_room()

    async def verify_by_listing(self) -> None:
        """List the prefix again: an aborted upload still listed gets abort-and-verify."""
        ids = self.aborted_ids
        pages = self.relist().__aiter__()
        while True:
            try:
                page = await pages.__anext__()
            except StopAsyncIteration:
                break
            except Aios3Error as exc:
                await self.drain()
                raise SweepListingError(
                    f"the re-listing of s3://{self.bucket}/{self.prefix} that verifies the "
                    f"aborts failed: {exc}; the aborts in the report are not verified",
                    report=self.report(),
                    error=exc,
                ) from exc
            for upload in page.uploads:
                if hash((upload.key, upload.upload_id)) in ids and _is_selected(
                    upload, self.cutoff, self.prefix
                ):
                    self.tally.survivors += 1
                    self.spawn(self.reverify, upload)
            await self.wait_for_room()
        await self.drain()


def _is_selected(upload: MultipartUploadSummary, cutoff: datetime, prefix: str) -> bool:
    initiated = _initiated(upload)
    return (
        initiated is not None
        and initiated <= cutoff - MARGIN
        and (not prefix or upload.key.startswith(prefix))
    )
