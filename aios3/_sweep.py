"""`s3.sweep_multipart_uploads(...)`: find stale incomplete uploads and abort them.

This module holds what a sweep reports (imported with `aios3`); the sweep itself is in
`aios3._sweeper`, imported on the first sweep.

The listing is streamed: pages come from the paginator one at a time (the next one is
fetched while the uploads of the current one are aborted), and at most `concurrency`
uploads are in flight, so memory does not grow with the number of uploads. The report
holds counts (and the first `MAX_FAILURES_KEPT` failures); every upload's outcome goes to
`on_progress` as it happens.

Verification:

- `"parts"` (or `True`, or a `VerifyPolicy`): `abort_and_verify` per upload, an abort then
  a ListParts, as the S3 documentation advises;
- `"listing"`: one abort per upload; once the listing is done, the prefix is listed again
  and an aborted upload that still shows up gets `abort_and_verify` (stale uploads have no
  part in flight, so this costs one listing instead of a ListParts per upload);
- `False`: one abort per upload.

Age is the server's word: an upload is selected when its `Initiated` is at least
`MARGIN` (one second) before the cutoff, fixed when the sweep starts. Servers round
`Initiated` down (S3 to the millisecond, SeaweedFS to the second), so an upload initiated
just after the sweep started can be listed with an `Initiated` just before it: the margin
keeps it out. An upload listed without `Initiated` is never selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ._orphans import VerifyPolicy
from .errors import Aios3Error
from .models import MultipartUploadSummary

__all__ = [
    "MAX_FAILURES_KEPT",
    "SweepEvent",
    "SweepFailure",
    "SweepReport",
    "SweepVerify",
]

MAX_FAILURES_KEPT = 1000
"""`SweepReport.failed` keeps the first this many failures; `failed_count` counts them all
(and `on_progress` sees every one)."""

SweepVerify = Literal["parts", "listing"]

MARGIN = timedelta(seconds=1)
"""Selected: `Initiated <= cutoff - MARGIN` (servers round `Initiated` down)."""

_DEFAULT_POLICY = VerifyPolicy()


class SweepFailure(BaseModel):
    """An upload the sweep selected but could not abort (or verify).

    Attributes:
        key: the upload's key.
        upload_id: the upload's id.
        initiated: its `Initiated`, as the server listed it.
        error: what stopped it: a `ClientError` (e.g. `AccessDenied`, with its code,
            message, status and request id), a `TransportError` after the retries, or
            `AbortNotVerifiedError` (parts still listed after the verification's rounds).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    key: str
    upload_id: str
    initiated: datetime | None = None
    error: Aios3Error


class SweepReport(BaseModel):
    """What `sweep_multipart_uploads` did.

    Attributes:
        bucket: the bucket swept.
        prefix: the key prefix (`""`: the whole bucket).
        cutoff: the start of the sweep minus `older_than`: uploads listed as initiated at
            least one second before it were selected (servers round `Initiated` down, to
            the second for SeaweedFS).
        dry_run: nothing was aborted; `selected` is what would have been.
        verify: `"parts"`, `"listing"` or `None` (no verification).
        pages: ListMultipartUploads pages read (the re-listing of `"listing"` not counted).
        found: uploads listed (over all pages).
        selected: uploads under the prefix initiated before `cutoff` (by a second at
            least).
        undated: uploads listed without `Initiated`: never selected.
        aborted: selected uploads aborted (and verified gone, with `verify`).
        already_gone: selected uploads that were gone when the sweep got to them (the
            abort, or the counting ListParts, answered `NoSuchUpload`).
        failed: the failures, in the order they happened (the first `MAX_FAILURES_KEPT`).
        failed_count: all failures. `selected == aborted + already_gone + failed_count`
            once a sweep (not a dry run) has finished.
        survivors: with `verify="listing"`, aborted uploads that the re-listing still
            showed; each then got an abort with ListParts verification.
        parts_freed: with `count_parts=True`, the parts ListParts listed before the abort
            of each upload counted in `aborted` (in a dry run: of each selected upload,
            what a sweep would free); otherwise `None`.
        bytes_freed: the same for the parts' sizes, in bytes.
        listing_complete: the listing went through to its last page (`False` in the
            report a `SweepListingError` carries, and in a stopped sweep's).
        stopped: the `stop` event was set: the sweep started no new abort after it, let
            those under way finish, and did not list further (nor, with `"listing"`,
            list again to verify). `selected` counts only the uploads it got to, so
            `selected == aborted + already_gone + failed_count` still holds.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    bucket: str
    prefix: str
    cutoff: datetime
    dry_run: bool
    verify: SweepVerify | None
    pages: int = 0
    found: int = 0
    selected: int = 0
    undated: int = 0
    aborted: int = 0
    already_gone: int = 0
    failed: list[SweepFailure] = []
    failed_count: int = 0
    survivors: int = 0
    parts_freed: int | None = None
    bytes_freed: int | None = None
    listing_complete: bool = True
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class SweepEvent:
    """What `on_progress` gets: one event per page listed and per upload handled.

    Attributes:
        kind: `"page"` (a ListMultipartUploads page was read; `upload` is `None`),
            `"would_abort"` (dry run: the upload is selected), `"aborted"`,
            `"already_gone"` or `"failed"` (`error` says why). With `verify="listing"`,
            `"aborted"` comes after the abort; if the re-listing still shows the upload
            and it cannot be verified gone, a `"failed"` event follows for it.
        upload: the upload, as listed.
        error: the failure, for `"failed"`.
        parts: the parts ListParts listed before the abort (`count_parts=True`).
        size: their total size in bytes (`count_parts=True`).
        found: uploads listed so far.
        selected: uploads selected so far.
        aborted: uploads aborted so far.
        already_gone: uploads found already gone so far.
        failed: failures so far.
    """

    kind: Literal["page", "would_abort", "aborted", "already_gone", "failed"]
    upload: MultipartUploadSummary | None
    error: Aios3Error | None
    parts: int | None
    size: int | None
    found: int
    selected: int
    aborted: int
    already_gone: int
    failed: int
