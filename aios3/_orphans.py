"""Never leave a multipart upload behind: abort and verify.

The S3 documentation of AbortMultipartUpload: parts still being uploaded when the abort
arrives may survive it, so an abort may have to be repeated, and the only proof that an
upload is gone is a ListParts that answers `NoSuchUpload` or lists no parts. This module
does exactly that, with a bound on rounds and time. It uses only the client's public
operations, so the retry strategy, the Stubber and every transport apply to each call.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .errors import AbortNotVerifiedError, NoSuchKey, NoSuchUpload, ParamValidationError
from .models import (
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    AbortRound,
    ListPartsRequest,
    ResponseMetadata,
    VerifiedAbortResponse,
)

if TYPE_CHECKING:
    from ._client import S3Client

__all__ = ["VerifyPolicy", "abort_and_verify"]


@dataclass(frozen=True)
class VerifyPolicy:
    """How hard `abort_multipart_upload(..., verify=...)` tries before it gives up.

    `verify=True` uses the defaults. Each round is one abort and one ListParts (each of
    them retried by the client's retry strategy as any call); between rounds aios3 waits
    `base_delay * 2 ** (round - 1)` seconds, at most `max_delay`, for the parts in flight
    to land so that the next abort frees them.

    Attributes:
        max_rounds: at most this many rounds (1 to 100).
        deadline: no new round starts after this many seconds from the first abort
            (a round under way runs to its end, bounded by the client's timeouts).
        base_delay: the wait after the first round that still lists parts, in seconds.
        max_delay: the longest wait between two rounds, in seconds.
        sleep: the coroutine function that waits (tests inject a fake one).
        clock: a monotonic clock in seconds (tests inject a fake one).
    """

    max_rounds: int = 5
    deadline: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 5.0
    sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_rounds, bool)
            or not isinstance(self.max_rounds, int)
            or not 1 <= self.max_rounds <= 100
        ):
            raise ParamValidationError(
                f"VerifyPolicy.max_rounds: an int from 1 to 100, got {self.max_rounds!r}"
            )
        for name in ("deadline", "base_delay", "max_delay"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not math.isfinite(v)
                or v < 0
            ):
                raise ParamValidationError(
                    f"VerifyPolicy.{name}: a finite number of seconds >= 0, got {v!r}"
                )
        if not callable(self.sleep) or not callable(self.clock):
            raise ParamValidationError("VerifyPolicy: sleep and clock must be callables")

    def delay(self, rounds_done: int) -> float:
        """The wait after round `rounds_done` (1-based) before the next one."""
        return float(min(self.max_delay, self.base_delay * 2 ** min(rounds_done - 1, 30)))


_DEFAULT = VerifyPolicy()


def policy_of(verify: object) -> VerifyPolicy | None:
    """`verify=` as given to `abort_multipart_upload`: None (no verification) or a policy."""
    if verify is False or verify is None:
        return None
    if verify is True:
        return _DEFAULT
    if isinstance(verify, VerifyPolicy):
        return verify
    raise ParamValidationError(
        f"verify: True, False or an aios3.VerifyPolicy, got {type(verify).__name__}"
    )


async def abort_and_verify(
    client: S3Client,
    request: AbortMultipartUploadRequest,
    policy: VerifyPolicy,
) -> VerifiedAbortResponse:
    """Abort, then ListParts, until the upload is verified gone or the bound is reached.

    A `NoSuchUpload` from an abort counts as "already gone" (ListParts decides). Every
    call carries the request's `RequestPayer` and `ExpectedBucketOwner`; every abort its
    `IfMatchInitiatedTime` too. Errors other than `NoSuchUpload`/`NoSuchKey` propagate.
    """
    rounds, aborted, gone = await verified_rounds(client, request, policy)
    if aborted is not None:
        return VerifiedAbortResponse.model_construct(
            request_charged=aborted.request_charged,
            version_id=aborted.version_id,
            response_metadata=aborted.response_metadata,
            rounds=rounds,
        )
    meta = ResponseMetadata() if gone is None else ResponseMetadata.model_validate(gone)
    return VerifiedAbortResponse.model_construct(
        request_charged=None, response_metadata=meta, rounds=rounds
    )


async def verified_rounds(
    client: S3Client,
    request: AbortMultipartUploadRequest,
    policy: VerifyPolicy,
) -> tuple[list[AbortRound], AbortMultipartUploadResponse | None, object | None]:
    """`abort_and_verify`'s loop: the rounds, the first abort that succeeded (None if
    every abort answered `NoSuchUpload`) and the first `NoSuchUpload`'s `ResponseMetadata`
    dict (not the error: its traceback holds this frame, a cycle per upload gone). The sweeper calls
    this directly: it needs the rounds, not a response model per upload."""
    # only what was given: the Stubber's expected_params see exactly these. (Validated
    # again: pydantic's validation is faster than its model_construct)
    listing = ListPartsRequest(
        **{
            name: value
            for name, value in (
                ("Bucket", request.bucket),
                ("Key", request.key),
                ("UploadId", request.upload_id),
                ("RequestPayer", request.request_payer),
                ("ExpectedBucketOwner", request.expected_bucket_owner),
            )
            if value is not None
        }
    )
    rounds: list[AbortRound] = []
    aborted: AbortMultipartUploadResponse | None = None  # the first abort that succeeded
    gone: object | None = None  # the first NoSuchUpload's ResponseMetadata
    started = policy.clock()
    while True:
        number = len(rounds) + 1
        abort: Literal["aborted", "already_gone"]
        try:
            resp = await client.abort_multipart_upload(request)
        except NoSuchUpload as exc:
            abort = "already_gone"
            if gone is None:
                gone = exc.response["ResponseMetadata"]
        else:
            abort = "aborted"
            if aborted is None:
                aborted = resp
        # the listing, inline (one coroutine less per upload in a sweep)
        gone_as: Literal["no_such_upload", "no_such_key", "no_parts"] | None = None
        try:
            listed = await client.list_parts(listing)
        except NoSuchUpload:
            gone_as = "no_such_upload"
        except NoSuchKey:  # Ceph RGW's answer for an aborted upload
            gone_as = "no_such_key"
        else:
            if not listed.parts and not listed.is_truncated:
                gone_as = "no_parts"
        if gone_as is not None:
            rounds.append(AbortRound(number=number, abort=abort, listing=gone_as))
            return rounds, aborted, gone
        rounds.append(
            AbortRound(
                number=number,
                abort=abort,
                listing="parts",
                parts_remaining=len(listed.parts),
                more_parts=listed.is_truncated,
            )
        )
        wait = policy.delay(number)
        if number >= policy.max_rounds or policy.clock() + wait - started > policy.deadline:
            left = rounds[-1]
            raise AbortNotVerifiedError(
                f"upload {request.upload_id!r} of s3://{request.bucket}/{request.key} still "
                f"lists {left.parts_remaining}{'+' if left.more_parts else ''} part(s) after "
                f"{number} round(s) of abort and ListParts (VerifyPolicy: max_rounds="
                f"{policy.max_rounds}, deadline={policy.deadline}s)",
                bucket=request.bucket,
                key=request.key,
                upload_id=request.upload_id,
                rounds=rounds,
            )
        await policy.sleep(wait)
