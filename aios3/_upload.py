"""`s3.multipart_upload(...)`: a multipart upload that completes on a clean exit and
aborts itself (with verification) on any error or cancellation.

The cleanup is the point of this module, so it is built to survive what usually cuts
cleanups short:

- it runs the abort in a task of its own, so a cancellation of the caller does not break
  the abort's HTTP request half-way;
- the caller waits for it through further cancellations (an outer timeout, a TaskGroup
  tearing down, `asyncio.run` cancelling every task at shutdown), up to `cleanup_timeout`,
  and re-raises the cancellation afterwards;
- the abort task itself starts over if something cancels it from outside (the abort is
  idempotent), until the same deadline.

A cancellation while CreateMultipartUpload is in flight lets that request finish (bounded),
then aborts the upload it returned. aios3 never looks for "its" upload by listing the key:
another writer's upload of the same key would be aborted.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Union

from typing_extensions import Unpack

from ._orphans import VerifyPolicy, abort_and_verify, policy_of
from .errors import Aios3Error, ParamValidationError
from .models import (
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    CompletedPart,
    CompleteMultipartUploadRequest,
    CompleteMultipartUploadResponse,
    CreateMultipartUploadRequest,
    UploadPartRequest,
    UploadPartResponse,
    _Checksums,
)

if TYPE_CHECKING:
    from ._client import S3Client

__all__ = ["ManagedPartParams", "ManagedUpload", "UploadSource"]

log = logging.getLogger("aios3")

MiB = 1024 * 1024
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * 1024 * MiB
MAX_PARTS = 10_000

UploadSource = Union[bytes, bytearray, memoryview, AsyncIterable[bytes], Any]  # noqa: UP007
"""What `upload_parts` reads: bytes-like, a binary file object (`read(n)`, plain or
`async`), or an async iterable of bytes."""

_CARRIED = ("RequestPayer", "ExpectedBucketOwner")
"""Create's parameters that every later call carries (parts, complete, abort, ListParts)."""
_SSE_C = ("SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5")
"""Create's SSE-C parameters: every part and the complete need them too."""


class ManagedPartParams(_Checksums, total=False):
    """UploadPart's keywords that `ManagedUpload.upload_part` takes; the others come from
    the create (bucket, key, upload id, payer, owner, SSE-C key, checksum algorithm)."""

    ContentLength: int
    ContentMD5: str


class ManagedUpload:
    """A multipart upload that never outlives a failure: `async with s3.multipart_upload(
    Bucket=..., Key=..., **create_args) as mpu:`.

    Inside the block, `await mpu.upload_part(n, body)` or `await mpu.upload_parts(source,
    part_size=..., concurrency=...)`. A clean exit completes the upload with the parts in
    order (with their checksums when `ChecksumAlgorithm` was given). Any exception, or a
    cancellation at any point (during the create, while parts are in flight, during the
    complete), cancels the part uploads still in flight, aborts the upload with
    verification, and re-raises the original exception or `CancelledError` unchanged.

    Attributes:
        bucket: the bucket.
        key: the object key.
        upload_id: the upload's id once CreateMultipartUpload answered, else `None`.
        result: CompleteMultipartUpload's response after a clean exit.
        aborted: the abort's response after a failed block (a `VerifiedAbortResponse`
            with its rounds, unless `verify=False` was given).
        abort_error: what stopped the cleanup, when it could not verify the abort (the
            error is also logged as a warning on the `aios3` logger; the block's own
            exception is raised either way).
    """

    def __init__(
        self,
        client: S3Client,
        params: Mapping[str, object],
        *,
        verify: bool | VerifyPolicy = True,
        cleanup_timeout: float = 60.0,
        upload_id: str | None = None,
        on_failure: Literal["abort", "keep"] = "abort",
    ) -> None:
        self._create = CreateMultipartUploadRequest(**params)  # ParamValidationError
        if upload_id is not None and (not isinstance(upload_id, str) or not upload_id):
            raise ParamValidationError(f"UploadId: a non-empty string, got {upload_id!r}")
        if on_failure not in ("abort", "keep"):
            raise ParamValidationError(f"on_failure: 'abort' or 'keep', got {on_failure!r}")
        policy = policy_of(verify)
        if (
            isinstance(cleanup_timeout, bool)
            or not isinstance(cleanup_timeout, (int, float))
            or not math.isfinite(cleanup_timeout)
            or cleanup_timeout <= 0
        ):
            raise ParamValidationError(
                f"cleanup_timeout: a finite number of seconds > 0, got {cleanup_timeout!r}"
            )
        self._client = client
        self._policy = policy
        self._cleanup_timeout = float(cleanup_timeout)
        self.bucket: str = self._create.bucket
        self.key: str = self._create.key
        self.upload_id: str | None = None
        self._adopt = upload_id
        self._keep = on_failure == "keep"
        self._complete_extra: dict[str, object] = {}
        """CompleteMultipartUpload's arguments beyond the carried ones (upload_file's
        ChecksumType, full-object checksum, MpuObjectSize)."""
        self.result: CompleteMultipartUploadResponse | None = None
        self.aborted: AbortMultipartUploadResponse | None = None
        self.abort_error: BaseException | None = None
        given = self._create.model_dump(by_alias=True, exclude_none=True)
        self._carried = {k: given[k] for k in _CARRIED if k in given}
        self._sse_c = {k: given[k] for k in _SSE_C if k in given}
        self._algorithm: str | None = self._create.checksum_algorithm
        self._parts: dict[int, dict[str, object]] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self._state: Literal["new", "open", "closing", "done"] = "new"
        self._giving_up = False

    def __repr__(self) -> str:
        return (
            f"ManagedUpload(bucket={self.bucket!r}, key={self.key!r}, "
            f"upload_id={self.upload_id!r}, parts={len(self._parts)}, state={self._state!r})"
        )

    @property
    def parts(self) -> list[dict[str, object]]:
        """The parts uploaded so far, in part-number order, as CompleteMultipartUpload
        takes them (`PartNumber`, `ETag`, and the checksum when one was asked for)."""
        return [self._parts[n] for n in sorted(self._parts)]

    # ------------------------------------------------------------------ enter / exit

    async def __aenter__(self) -> ManagedUpload:
        if self._state != "new":
            raise Aios3Error("a multipart_upload(...) block can be entered only once")
        self._state = "open"
        if self._adopt is not None:  # resuming an upload created earlier: no create
            self.upload_id = self._adopt
            return self
        create = asyncio.ensure_future(self._client.create_multipart_upload(self._create))
        try:
            response = await asyncio.shield(create)
        except asyncio.CancelledError:
            # Cancelled while the create is in flight: let it finish (bounded), then abort
            # the upload it made; never look for it by listing the key.
            self._state = "closing"
            deadline = self._now() + self._cleanup_timeout
            await _wait_through_cancellations({create}, deadline, self._now)
            if create.done() and not create.cancelled() and create.exception() is None:
                self.upload_id = create.result().upload_id
                await self._abort(deadline, None)
            elif not create.done():
                create.cancel()
                self._warn(
                    f"CreateMultipartUpload did not answer within cleanup_timeout="
                    f"{self._cleanup_timeout}s after the cancellation; if it created an "
                    "upload, aios3 cannot know its id"
                )
            self._state = "done"
            raise
        except BaseException:
            self._state = "done"
            raise
        self.upload_id = response.upload_id
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if self._state != "open":
            return False
        self._state = "closing"
        if exc is None:
            try:
                if self._inflight:  # parts started and not awaited: they belong to the upload
                    await asyncio.gather(*self._inflight)
                if not self._parts:
                    raise ParamValidationError(
                        "multipart_upload: the block uploaded no part, so there is nothing "
                        "to complete; the upload was aborted"
                    )
                complete = CompleteMultipartUploadRequest(
                    **{
                        "Bucket": self.bucket,
                        "Key": self.key,
                        "UploadId": self._upload_id(),
                        "MultipartUpload": {"Parts": self.parts},
                        **self._carried,
                        **self._sse_c,
                        **self._complete_extra,
                    }
                )
                self.result = await self._client.complete_multipart_upload(complete)
            except BaseException as failure:
                await self._cleanup(failure)
                raise
            self._state = "done"
            return False
        await self._cleanup(exc)
        return False

    # ------------------------------------------------------------------ parts

    async def upload_part(
        self, part_number: int, body: object, **params: Unpack[ManagedPartParams]
    ) -> UploadPartResponse:
        """Upload part `part_number` (1 to 10,000) of this upload; remember its ETag and
        checksum for the complete. Bucket, key, upload id, `RequestPayer`,
        `ExpectedBucketOwner`, the SSE-C key and `ChecksumAlgorithm` come from the create;
        `params` may add UploadPart's others (e.g. `ContentMD5`)."""
        self._check_open()
        _check_part_number(part_number)
        for name in ("Bucket", "Key", "UploadId", "PartNumber", "Body"):
            if name in params:
                raise ParamValidationError(
                    f"upload_part: {name} is set by the managed upload, not by a keyword"
                )
        args: dict[str, object] = {**self._carried, **self._sse_c}
        if self._algorithm is not None:
            args["ChecksumAlgorithm"] = self._algorithm
        args.update(params)
        args.update(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id(),
            PartNumber=part_number,
            Body=body,
        )
        request = UploadPartRequest(**args)  # ParamValidationError
        task = asyncio.ensure_future(self._client.upload_part(request))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        response = await task  # a cancellation of the caller cancels the part too
        self._parts[part_number] = self._completed(part_number, response, request)
        return response

    async def upload_parts(
        self,
        source: UploadSource,
        *,
        part_size: int = 8 * MiB,
        concurrency: int = 4,
        first_part_number: int | None = None,
    ) -> list[UploadPartResponse]:
        """Read `source` in parts of `part_size` bytes and upload them, `concurrency` at a
        time; at most `concurrency` parts are held in memory.

        `source` is bytes-like (sliced, not copied), a binary file object (`read(n)`;
        plain reads run in a thread, `async def read` is awaited) or an async iterable of
        bytes. Parts are numbered from `first_part_number` (default: one after the highest
        part so far). If a part fails, the others in flight are cancelled and the error is
        raised (and the block's exit aborts the upload).
        """
        self._check_open()
        _check_int("part_size", part_size, MIN_PART_SIZE, MAX_PART_SIZE)
        _check_int("concurrency", concurrency, 1, 1000)
        number = (
            first_part_number if first_part_number is not None else max(self._parts, default=0) + 1
        )
        _check_part_number(number)
        slots = asyncio.Semaphore(concurrency)
        tasks: list[asyncio.Task[UploadPartResponse]] = []

        async def one(n: int, chunk: object) -> UploadPartResponse:
            try:
                return await self.upload_part(n, chunk)
            finally:
                slots.release()

        try:
            chunks = _chunks(source, part_size)
            try:
                while True:
                    await slots.acquire()  # before reading: bounds the parts held in memory
                    failed = next(
                        (t for t in tasks if t.done() and not t.cancelled() and t.exception()), None
                    )
                    if failed is not None:
                        slots.release()
                        break
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        slots.release()
                        break
                    if number > MAX_PARTS:
                        slots.release()
                        raise ParamValidationError(
                            f"upload_parts: the source needs more than {MAX_PARTS} parts of "
                            f"{part_size} bytes; use a larger part_size"
                        )
                    tasks.append(asyncio.ensure_future(one(number, chunk)))
                    number += 1
            finally:
                await chunks.aclose()
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.wait(tasks)
            raise

    # ------------------------------------------------------------------ cleanup

    async def _cleanup(self, failure: BaseException) -> None:
        """Cancel the parts in flight, then abort and verify, within `cleanup_timeout`,
        through further cancellations; re-raise a cancellation absorbed on the way."""
        deadline = self._now() + self._cleanup_timeout
        cancels = 0
        for t in self._inflight:
            t.cancel()
        if self._inflight:
            cancels += await _wait_through_cancellations(set(self._inflight), deadline, self._now)
        if self._keep:
            self._kept(failure)
        else:
            cancels += await self._abort(deadline, failure)
        self._state = "done"
        if cancels and not isinstance(failure, asyncio.CancelledError):
            raise asyncio.CancelledError()  # the task was cancelled during the cleanup

    async def _abort(self, deadline: float, failure: BaseException | None) -> int:
        """Abort with verification in a task of its own; wait for it through
        cancellations until `deadline`. Returns the cancellations absorbed."""
        if self.upload_id is None:
            return 0
        task = asyncio.ensure_future(self._abort_until(deadline))
        cancels = await _wait_through_cancellations({task}, deadline, self._now)
        if not task.done():
            self._giving_up = True
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
            self.abort_error = TimeoutError(
                f"the abort was not verified within cleanup_timeout={self._cleanup_timeout}s"
            )
        elif task.cancelled():
            self.abort_error = asyncio.CancelledError()
        elif task.exception() is not None:
            self.abort_error = task.exception()
        else:
            self.aborted = task.result()
        if self.abort_error is not None:
            message = (
                f"multipart upload {self.upload_id!r} of s3://{self.bucket}/{self.key} may be "
                f"left behind: its abort failed ({type(self.abort_error).__name__}: "
                f"{self.abort_error})"
            )
            self._warn(message)
            if failure is not None and hasattr(failure, "add_note"):
                failure.add_note(f"aios3: {message}")
        return cancels

    async def _abort_until(self, deadline: float) -> AbortMultipartUploadResponse:
        """The abort; started over when something cancels it from outside (asyncio.run's
        shutdown cancels every task), until `deadline`."""
        request = AbortMultipartUploadRequest(
            **{
                "Bucket": self.bucket,
                "Key": self.key,
                "UploadId": self._upload_id(),
                **self._carried,
            }
        )
        while True:
            try:
                if self._policy is None:
                    return await self._client.abort_multipart_upload(request)
                return await abort_and_verify(self._client, request, self._policy)
            except asyncio.CancelledError:
                if self._giving_up or self._now() >= deadline:
                    raise

    def _kept(self, failure: BaseException) -> None:
        """`on_failure="keep"`: the upload stays for a resume; say which one."""
        if self.upload_id is None:
            return
        message = (
            f"multipart upload {self.upload_id!r} of s3://{self.bucket}/{self.key} was kept "
            f"for a resume ({len(self._parts)} parts uploaded): pass UploadId="
            f"{self.upload_id!r} to resume it, or abort it"
        )
        self._warn(message)
        if hasattr(failure, "add_note"):
            failure.add_note(f"aios3: {message}")

    # ------------------------------------------------------------------ helpers

    def _check_open(self) -> None:
        if self._state != "open" or self.upload_id is None:
            raise Aios3Error(
                "this multipart upload is not open: use it inside its "
                "`async with s3.multipart_upload(...)` block"
            )

    def _upload_id(self) -> str:
        assert self.upload_id is not None
        return self.upload_id

    def _completed(
        self, number: int, response: UploadPartResponse, request: UploadPartRequest
    ) -> dict[str, object]:
        part: dict[str, object] = {"PartNumber": number, "ETag": response.etag or ""}
        if self._algorithm is not None:
            field = "checksum_" + self._algorithm.lower()
            # the server's echo of the checksum, else the value the part was sent with
            value = getattr(response, field, None) or getattr(request, field, None)
            if value is not None:
                part[CompletedPart.model_fields[field].alias or field] = value
        return part

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _warn(self, message: str) -> None:
        log.warning("%s", message)


async def _wait_through_cancellations(
    tasks: set[asyncio.Task[Any]], deadline: float, now: Callable[[], float]
) -> int:
    """Wait until `tasks` are done or `deadline` passes; a cancellation of the waiting task
    does not stop the wait. Returns how many cancellations were absorbed."""
    cancels = 0
    while not all(t.done() for t in tasks):
        remaining = deadline - now()
        if remaining <= 0:
            break
        try:
            await asyncio.wait(tasks, timeout=remaining)
        except asyncio.CancelledError:
            cancels += 1
    return cancels


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParamValidationError(f"{name}: an int from {low} to {high}, got {value!r}")


def _check_part_number(n: object) -> None:
    _check_int("PartNumber", n, 1, MAX_PARTS)


async def _read(read: Callable[[int], object], size: int) -> object:
    """`read(size)` of a file object: awaited when async, in a thread when plain."""
    if inspect.iscoroutinefunction(read):
        return await read(size)
    data = await asyncio.to_thread(read, size)
    return await data if inspect.isawaitable(data) else data


async def _chunks(source: object, size: int) -> AsyncGenerator[object, None]:
    """`source` in chunks of `size` bytes (the last one shorter; none when empty)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), size):
            yield view[start : start + size]
        return
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            data = (
                read(size)
                if inspect.iscoroutinefunction(read)
                else await asyncio.to_thread(read, size)
            )
            if inspect.isawaitable(data):
                data = await data
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise ParamValidationError(
                    f"upload_parts: source.read() returned {type(data).__name__}, not bytes: "
                    "open the file in binary mode ('rb')"
                )
            if not data:
                return
            while len(data) < size:  # a short read is not the end: fill the part
                more = (
                    read(size - len(data))
                    if inspect.iscoroutinefunction(read)
                    else await asyncio.to_thread(read, size - len(data))
                )
                if inspect.isawaitable(more):
                    more = await more
                if not more:
                    break
                data = bytes(data) + bytes(more)
            yield data
            if len(data) < size:
                return
    if isinstance(source, AsyncIterable):
        buffer = bytearray()
        async for piece in source:
            if not isinstance(piece, (bytes, bytearray, memoryview)):
                raise ParamValidationError(
                    f"upload_parts: the source yielded {type(piece).__name__}, not bytes"
                )
            buffer += piece
            while len(buffer) >= size:
                yield bytes(buffer[:size])
                del buffer[:size]
        if buffer:
            yield bytes(buffer)
        return
    raise ParamValidationError(
        f"upload_parts: source must be bytes, a binary file object or an async iterable "
        f"of bytes, not {type(source).__name__}"
    )
