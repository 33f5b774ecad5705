"""`aios3 mpu`: find and clean incomplete multipart uploads.

- `aios3 mpu ls s3://bucket[/prefix]`: the incomplete uploads, with totals;
- `aios3 mpu sweep s3://bucket[/prefix] --older-than 7d`: abort the stale ones
  (`S3Client.sweep_multipart_uploads`), with a progress bar on a terminal;
- `aios3 mpu abort s3://bucket/key --upload-id ID`: abort one and verify it is gone;
- `aios3 mpu lifecycle s3://bucket[/prefix] --days 7`: the lifecycle rule that lets S3 do
  it (`S3Client.ensure_abort_incomplete_uploads_rule`), `--show`, `--remove`
  (`S3Client.remove_abort_incomplete_uploads_rule`).

The output is for people by default (a table, a report); `--output json` (or `yaml`,
`text`) prints a documented document for scripts (docs/cli.md), and `--query` applies to it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO

import click

from . import _common

INCOMPLETE = 1
"""The command ran but did not do all of its work: a sweep in which some uploads could
not be aborted, an abort that could not be verified (aws-cli's code for `aws s3` commands
in which some transfers failed)."""

_HUMAN = "human"


# ---------------------------------------------------------------------------- arguments


def parse_target(value: str, *, key_required: bool = False) -> tuple[str, str]:
    """`s3://bucket[/prefix]` -> (bucket, prefix); a UsageFailure otherwise."""
    if not value.startswith("s3://"):
        raise _common.UsageFailure(f"expected s3://bucket[/prefix], got {value!r}")
    bucket, _, rest = value[len("s3://") :].partition("/")
    if not bucket:
        raise _common.UsageFailure(f"no bucket in {value!r}: expected s3://bucket[/prefix]")
    if key_required and not rest:
        raise _common.UsageFailure(f"no key in {value!r}: expected s3://bucket/key")
    return bucket, rest


_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT = re.compile(r"(\d+)([wdhms])")
_ISO = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """`7d`, `12h`, `30m`, `2w`, `90s`, combined (`1d12h`), or ISO 8601 (`P7D`, `PT12H`,
    `P1DT6H`, `P2W`); no months or years (their length varies). ValueError otherwise."""
    s = text.strip()
    seconds = 0
    iso = _ISO.fullmatch(s.upper())
    if iso is not None and s.upper() not in ("P", "PT") and not s.upper().endswith("T"):
        for unit, n in iso.groupdict().items():
            seconds += int(n or 0) * _UNITS[unit.lower()]
    elif s and _SHORT.sub("", s.lower()) == "":
        for n, unit in _SHORT.findall(s.lower()):
            seconds += int(n) * _UNITS[unit]
    else:
        raise ValueError(
            f"{text!r} is not a duration: use a number and a unit (w, d, h, m, s) such as "
            "7d, 12h, 30m, 2w or 1d12h, or ISO 8601 such as P7D or PT12H"
        )
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r}: too long a duration") from None


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> timedelta | None:
    """The option's callback: a bad duration is a usage error (252)."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _output_format(ctx: click.Context, opts: _common.GlobalOptions) -> str:
    """`--output` as given (the command's or the root's), else the people's layout."""
    given = ctx.params.get("output") or ctx.find_root().params.get("output")
    if given is None or given == "table":
        return "json" if opts.query is not None and given is None else _HUMAN
    return str(given)


def _emit(opts: _common.GlobalOptions, title: str, doc: dict[str, Any]) -> None:
    """A document for scripts: json, yaml, yaml-stream or text (and `--query`)."""
    _common.emit(opts, title, doc)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else _utc(t).isoformat()


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def format_age(seconds: float) -> str:
    """`45s`, `12m`, `3h 5m`, `6d 4h`."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def format_size(n: int) -> str:
    """Bytes in IEC units: `0 B`, `512 B`, `1.5 KiB`, `12.0 MiB`."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024 or unit == "PiB":
            break
    return f"{value:.1f} {unit}"


def _owner_and_payer(kwargs: dict[str, Any]) -> dict[str, str]:
    out = {}
    if kwargs.get("expected_bucket_owner"):
        out["ExpectedBucketOwner"] = kwargs["expected_bucket_owner"]
    if kwargs.get("request_payer"):
        out["RequestPayer"] = kwargs["request_payer"]
    return out


def _owner_option() -> click.Option:
    return click.Option(["--expected-bucket-owner"], help="The account that must own the bucket.")


def _payer_option() -> click.Option:
    return click.Option(
        ["--request-payer"],
        type=click.Choice(["requester"]),
        help="Requester pays: sent with every request.",
    )


def _concurrency_option(default: int, what: str) -> click.Option:
    return click.Option(
        ["--concurrency"],
        type=click.IntRange(1, 1000),
        default=default,
        show_default=True,
        help=f"{what} at a time.",
    )


def _command(
    name: str, callback: Callable[..., Any], params: list[click.Parameter], help: str
) -> click.Command:
    cmd = _common.command(
        name, callback, help=help, context_settings={"help_option_names": ["-h", "--help"]}
    )
    cmd.params[:0] = params
    return cmd


# ---------------------------------------------------------------------------- mpu ls


def _ls(**kwargs: Any) -> int:
    ctx = click.get_current_context()
    opts = _common.global_options(ctx)
    fmt = _output_format(ctx, opts)
    bucket, prefix = parse_target(kwargs["target"])
    older: timedelta | None = kwargs["older_than"]
    with_parts: bool = kwargs["with_parts"]
    carried = _owner_and_payer(kwargs)
    concurrency: int = kwargs["concurrency"]

    async def work() -> int:
        now = datetime.now(timezone.utc)
        cutoff = None if older is None else now - older
        rows: list[dict[str, Any]] = []
        async with _common.client(opts) as s3:
            listing: dict[str, Any] = {"Bucket": bucket, **carried}
            if prefix:
                listing["Prefix"] = prefix
            async for upload in s3.iter_multipart_uploads(**listing):
                initiated = None if upload.initiated is None else _utc(upload.initiated)
                if cutoff is not None and (initiated is None or initiated > cutoff):
                    continue
                rows.append(
                    {
                        "Key": upload.key,
                        "UploadId": upload.upload_id,
                        "Initiated": initiated,
                        "AgeSeconds": None
                        if initiated is None
                        else int((now - initiated).total_seconds()),
                        "StorageClass": upload.storage_class,
                    }
                )
            if with_parts:
                await _count_parts(s3, bucket, rows, carried, concurrency)
        doc = _ls_document(bucket, prefix, rows, with_parts)
        if fmt == _HUMAN:
            _print_ls(sys.stdout, bucket, prefix, rows, with_parts, older)
        else:
            _emit(opts, "MultipartUploads", doc)
        return _common.OK

    return _common.run(work)


async def _count_parts(
    s3: Any, bucket: str, rows: list[dict[str, Any]], carried: dict[str, str], concurrency: int
) -> None:
    """Parts and bytes of each upload (every ListParts page), `concurrency` at a time;
    `None` for an upload gone in the meantime."""
    from aios3.errors import NoSuchKey, NoSuchUpload

    gate = asyncio.Semaphore(concurrency)

    async def one(row: dict[str, Any]) -> None:
        parts = size = 0
        async with gate:
            try:
                async for part in s3.iter_parts(
                    Bucket=bucket, Key=row["Key"], UploadId=row["UploadId"], **carried
                ):
                    parts += 1
                    size += part.size or 0
            except (NoSuchUpload, NoSuchKey):
                row["Parts"] = row["Size"] = None
                return
        row["Parts"], row["Size"] = parts, size

    await asyncio.gather(*(one(r) for r in rows))


def _ls_document(
    bucket: str, prefix: str, rows: list[dict[str, Any]], with_parts: bool
) -> dict[str, Any]:
    uploads = []
    for r in rows:
        u = {
            "Key": r["Key"],
            "UploadId": r["UploadId"],
            "Initiated": _iso(r["Initiated"]),
            "AgeSeconds": r["AgeSeconds"],
        }
        if r["StorageClass"] is not None:
            u["StorageClass"] = r["StorageClass"]
        if with_parts:
            u["Parts"], u["Size"] = r["Parts"], r["Size"]
        uploads.append(u)
    totals: dict[str, Any] = {"Uploads": len(rows)}
    if with_parts:
        totals["Parts"] = sum(r["Parts"] or 0 for r in rows)
        totals["Size"] = sum(r["Size"] or 0 for r in rows)
    return {"Bucket": bucket, "Prefix": prefix, "Uploads": uploads, "Totals": totals}


def _columns(out: TextIO, header: list[str], lines: list[list[str]], right: set[int]) -> None:
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def row(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out.write(row(header) + "\n")
    for line in lines:
        out.write(row(line) + "\n")


def _print_ls(
    out: TextIO,
    bucket: str,
    prefix: str,
    rows: list[dict[str, Any]],
    with_parts: bool,
    older: timedelta | None,
) -> None:
    where = f"s3://{bucket}/{prefix}"
    age = "" if older is None else f" older than {format_age(older.total_seconds())}"
    if not rows:
        out.write(f"No incomplete multipart uploads{age} in {where}\n")
        return
    header = ["KEY", "UPLOAD ID", "INITIATED (UTC)", "AGE"]
    right = {3}
    if with_parts:
        header += ["PARTS", "SIZE"]
        right |= {4, 5}
    lines = []
    for r in rows:
        t: datetime | None = r["Initiated"]
        line = [
            r["Key"],
            r["UploadId"],
            "-" if t is None else t.strftime("%Y-%m-%d %H:%M:%S"),
            "-" if r["AgeSeconds"] is None else format_age(r["AgeSeconds"]),
        ]
        if with_parts:
            gone = r["Parts"] is None
            line += ["gone" if gone else str(r["Parts"]), "-" if gone else format_size(r["Size"])]
        lines.append(line)
    _columns(out, header, lines, right)
    total = f"{len(rows)} upload{'s' if len(rows) != 1 else ''}{age} in {where}"
    if with_parts:
        parts = sum(r["Parts"] or 0 for r in rows)
        size = sum(r["Size"] or 0 for r in rows)
        total += f": {parts} part{'s' if parts != 1 else ''}, {format_size(size)}"
    ages = [r["AgeSeconds"] for r in rows if r["AgeSeconds"] is not None]
    if ages:
        total += f" (oldest {format_age(max(ages))})"
    out.write(f"\n{total}\n")


# ---------------------------------------------------------------------------- mpu sweep

_VERIFY = {"parts": "parts", "listing": "listing", "none": False}


def is_terminal(stream: TextIO) -> bool:
    """Whether the progress is drawn as a bar: `TTY_COMPATIBLE=1` (or `FORCE_COLOR` set
    and not empty) forces it, `TTY_COMPATIBLE=0` turns it off (rich's variables), else
    whether the stream is a terminal."""
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except ValueError:
        return False


class _Lines:
    """Progress as plain lines (not a terminal): one line per upload, as `aws s3 rm`."""

    def __init__(self, out: TextIO, bucket: str, dry_run: bool) -> None:
        self.out = out
        self.base = f"s3://{bucket}/"
        self.dry = "(dryrun) " if dry_run else ""

    def __call__(self, event: Any) -> None:
        up = event.upload
        if up is None:
            return
        where = f"{self.base}{up.key} ({up.upload_id})"
        if event.kind in ("aborted", "would_abort"):
            freed = ""
            if event.parts is not None:
                plural = "s" if event.parts != 1 else ""
                freed = f", {event.parts} part{plural}, {format_size(event.size)}"
            self.out.write(f"{self.dry}abort: {where}{freed}\n")
        elif event.kind == "already_gone":
            self.out.write(f"already gone: {where}\n")
        elif event.kind == "failed":
            self.out.write(f"failed: {where}: {_error_text(event.error)}\n")
        self.out.flush()

    def stopping(self, message: str) -> None:
        self.out.write(message + "\n")
        self.out.flush()

    def close(self) -> None:
        pass


class _Bar:
    """Progress as a rich bar (on a terminal); failures print above it."""

    def __init__(self, out: TextIO, bucket: str, dry_run: bool) -> None:
        from rich.console import Console  # only here: it costs startup time
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=out, force_terminal=True)
        self.base = f"s3://{bucket}/"
        self.dry_run = dry_run
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        verb = "dry run" if dry_run else "sweeping"
        self.task = self.progress.add_task(verb, total=0, detail="listing...")
        self.progress.start()

    def __call__(self, event: Any) -> None:
        done = event.selected if self.dry_run else event.aborted + event.already_gone + event.failed
        if self.dry_run:
            detail = f"listed {event.found}, would abort {event.selected}"
        else:
            detail = (
                f"listed {event.found} · aborted {event.aborted} · gone {event.already_gone}"
                f" · failed {event.failed}"
            )
        self.progress.update(self.task, total=event.selected, completed=done, detail=detail)
        if event.kind == "failed" and event.upload is not None:
            up = event.upload
            self.progress.console.print(
                f"[red]failed[/red]: {self.base}{up.key} ({up.upload_id}): "
                f"{_error_text(event.error)}",
                markup=True,
                highlight=False,
            )

    def stopping(self, message: str) -> None:
        self.progress.console.print(f"[yellow]{message}[/yellow]", highlight=False)

    def close(self) -> None:
        self.progress.refresh()
        self.progress.stop()


def _error_text(error: Any) -> str:
    from aios3.errors import ClientError

    if isinstance(error, ClientError):
        return f"{error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def _sweep(**kwargs: Any) -> int:
    ctx = click.get_current_context()
    opts = _common.global_options(ctx)
    fmt = _output_format(ctx, opts)
    bucket, prefix = parse_target(kwargs["target"])
    older: timedelta = kwargs["older_than"]
    dry_run: bool = kwargs["dry_run"]
    carried = _owner_and_payer(kwargs)
    args: dict[str, Any] = {
        "Bucket": bucket,
        "older_than": older,
        "concurrency": kwargs["concurrency"],
        "verify": _VERIFY[kwargs["verify"]],
        "count_parts": kwargs["count_parts"],
        **carried,
    }
    if prefix:
        args["Prefix"] = prefix
    if kwargs["page_size"] is not None:
        args["page_size"] = kwargs["page_size"]
    # progress on stdout beside the people's report; on stderr beside a document
    stream = sys.stdout if fmt == _HUMAN else sys.stderr

    async def work() -> int:
        from aios3 import SweepListingError

        now = datetime.now(timezone.utc)
        args["now"] = now
        async with _common.client(opts) as s3:
            if not dry_run and not kwargs["yes"]:
                try:
                    preview = await s3.sweep_multipart_uploads(
                        **{**args, "dry_run": True, "verify": False, "count_parts": False}
                    )
                except SweepListingError as exc:
                    raise exc.error from None
                if preview.selected == 0:
                    _print_report(fmt, opts, preview, older, interrupted=False)
                    return _common.OK
                question = (
                    f"Abort {preview.selected} incomplete upload"
                    f"{'s' if preview.selected != 1 else ''} in s3://{bucket}/{prefix} initiated "
                    f"before {preview.cutoff.isoformat(timespec='seconds')} "
                    f"(older than {format_age(older.total_seconds())})?"
                )
                if not _confirm(question):
                    sys.stderr.write("Nothing aborted.\n")
                    return _common.OK
            return await _run_sweep(s3, args, fmt, opts, stream, bucket, dry_run, older)

    return _common.run(work)


def _confirm(question: str) -> bool:
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:  # end of input: no
        sys.stderr.write("\n")
        return False


async def _run_sweep(
    s3: Any,
    args: dict[str, Any],
    fmt: str,
    opts: _common.GlobalOptions,
    stream: TextIO,
    bucket: str,
    dry_run: bool,
    older: timedelta,
) -> int:
    from aios3 import SweepListingError

    from ._app import _failure

    progress: _Lines | _Bar | None = None
    if is_terminal(stream):
        progress = _Bar(stream, bucket, dry_run)
    elif fmt == _HUMAN:
        progress = _Lines(stream, bucket, dry_run)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def on_sigint() -> None:
        if stop.is_set():  # the second Ctrl-C: now
            if main is not None:
                main.cancel()
            return
        stop.set()
        message = "Stopping: no new abort starts; those under way finish (Ctrl-C again to quit now)"
        if progress is not None:
            progress.stopping(message)
        else:
            sys.stderr.write(message + "\n")

    handled = _add_sigint(loop, on_sigint)
    listing_error = None
    try:
        report = await s3.sweep_multipart_uploads(
            **args, dry_run=dry_run, on_progress=progress, stop=stop
        )
    except SweepListingError as exc:
        report, listing_error = exc.report, exc.error
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
        if progress is not None:
            progress.close()
    _print_report(fmt, opts, report, older, interrupted=report.stopped)
    if report.stopped:
        return _common.INTERRUPTED
    if listing_error is not None:
        return _failure(listing_error)
    return INCOMPLETE if report.failed_count else _common.OK


def _add_sigint(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> bool:
    try:
        loop.add_signal_handler(signal.SIGINT, callback)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, not the main thread
        return False
    return True


def _report_document(report: Any) -> dict[str, Any]:
    return {
        "Bucket": report.bucket,
        "Prefix": report.prefix,
        "Cutoff": report.cutoff.isoformat(),
        "DryRun": report.dry_run,
        "Verify": report.verify,
        "Pages": report.pages,
        "Found": report.found,
        "Selected": report.selected,
        "Undated": report.undated,
        "Aborted": report.aborted,
        "AlreadyGone": report.already_gone,
        "FailedCount": report.failed_count,
        "Failed": [
            {
                "Key": f.key,
                "UploadId": f.upload_id,
                "Initiated": _iso(f.initiated),
                "Error": _error_document(f.error),
            }
            for f in report.failed
        ],
        "Survivors": report.survivors,
        "PartsFreed": report.parts_freed,
        "BytesFreed": report.bytes_freed,
        "ListingComplete": report.listing_complete,
        "Stopped": report.stopped,
    }


def _error_document(error: Any) -> dict[str, Any]:
    from aios3.errors import ClientError

    if isinstance(error, ClientError):
        return {
            "Code": error.code,
            "Message": error.message,
            "HTTPStatusCode": error.status_code,
            "RequestId": error.request_id,
        }
    return {"Code": type(error).__name__, "Message": str(error)}


_SHOWN_FAILURES = 20


def _print_report(
    fmt: str, opts: _common.GlobalOptions, report: Any, older: timedelta, *, interrupted: bool
) -> None:
    if fmt != _HUMAN:
        _emit(opts, "SweepReport", _report_document(report))
        return
    out = sys.stdout
    where = f"s3://{report.bucket}/{report.prefix}"
    title = "Dry run of the sweep of" if report.dry_run else "Sweep of"
    out.write(
        f"\n{title} {where}: uploads initiated before "
        f"{report.cutoff.isoformat(timespec='seconds')} "
        f"(older than {format_age(older.total_seconds())})\n"
    )
    lines: list[tuple[str, str]] = [
        ("listed", f"{report.found} ({report.pages} page{'s' if report.pages != 1 else ''})"),
    ]
    if report.dry_run:
        lines.append(("would abort", str(report.selected)))
    else:
        lines += [
            ("selected", str(report.selected)),
            ("aborted", str(report.aborted)),
            ("already gone", str(report.already_gone)),
            ("failed", str(report.failed_count)),
        ]
    if report.bytes_freed is not None:
        what = "would free" if report.dry_run else "bytes freed"
        lines.append(
            (
                what,
                f"{format_size(report.bytes_freed)} ({report.bytes_freed} bytes, "
                f"{report.parts_freed} parts)",
            )
        )
    if report.undated:
        lines.append(("undated", f"{report.undated} (listed without Initiated: left alone)"))
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        out.write(f"  {k.ljust(width)}  {v}\n")
    for f in report.failed[:_SHOWN_FAILURES]:
        out.write(f"  failed: {f.key} ({f.upload_id}): {_error_text(f.error)}\n")
    if report.failed_count > _SHOWN_FAILURES:
        out.write(f"  ... and {report.failed_count - _SHOWN_FAILURES} more failures\n")
    if interrupted:
        out.write(
            "Interrupted: the aborts under way finished; uploads not reached were left as "
            "they were.\n"
        )
    elif not report.listing_complete:
        out.write("The listing failed: uploads not listed were left as they were.\n")
    out.flush()


# ---------------------------------------------------------------------------- mpu abort


def _abort(**kwargs: Any) -> int:
    ctx = click.get_current_context()
    opts = _common.global_options(ctx)
    fmt = _output_format(ctx, opts)
    bucket, key = parse_target(kwargs["target"], key_required=True)
    upload_id: str = kwargs["upload_id"]
    verify = kwargs["verify"] == "parts"
    params = {"Bucket": bucket, "Key": key, "UploadId": upload_id, **_owner_and_payer(kwargs)}

    async def work() -> int:
        from aios3.errors import AbortNotVerifiedError

        async with _common.client(opts) as s3:
            if not verify:
                await s3.abort_multipart_upload(**params)
                _print_abort(fmt, opts, params, [], verified=False, error=None)
                return _common.OK
            try:
                response = await s3.abort_multipart_upload(**params, verify=True)
            except AbortNotVerifiedError as exc:
                _print_abort(fmt, opts, params, exc.rounds, verified=False, error=exc)
                return INCOMPLETE
            _print_abort(fmt, opts, params, response.rounds, verified=True, error=None)
            return _common.OK

    return _common.run(work)


_LISTING = {
    "no_such_upload": "ListParts: NoSuchUpload (gone)",
    "no_such_key": "ListParts: NoSuchKey (gone)",
    "no_parts": "ListParts: no parts (gone)",
}


def _print_abort(
    fmt: str,
    opts: _common.GlobalOptions,
    params: dict[str, str],
    rounds: list[Any],
    *,
    verified: bool,
    error: Exception | None,
) -> None:
    where = f"s3://{params['Bucket']}/{params['Key']} ({params['UploadId']})"
    if fmt != _HUMAN:
        _emit(
            opts,
            "AbortMultipartUpload",
            {
                "Bucket": params["Bucket"],
                "Key": params["Key"],
                "UploadId": params["UploadId"],
                "Verified": verified,
                "Rounds": [
                    {
                        "Number": r.number,
                        "Abort": r.abort,
                        "Listing": r.listing,
                        "PartsRemaining": r.parts_remaining,
                        "MoreParts": r.more_parts,
                    }
                    for r in rounds
                ],
            },
        )
        if error is not None:
            sys.stderr.write(f"\n{error}\n")
        return
    out = sys.stdout
    for r in rounds:
        listed = _LISTING.get(
            r.listing, f"ListParts: {r.parts_remaining}{'+' if r.more_parts else ''} parts left"
        )
        abort = "aborted" if r.abort == "aborted" else "already gone (NoSuchUpload)"
        out.write(f"round {r.number}: abort: {abort}; {listed}\n")
    if error is not None:
        sys.stderr.write(f"\n{error}\n")
    elif not rounds:
        out.write(f"aborted {where} (not verified)\n")
    else:
        n = len(rounds)
        what = "already gone" if rounds[0].abort == "already_gone" and n == 1 else "aborted"
        out.write(f"{what}: {where}, verified gone after {n} round{'s' if n != 1 else ''}\n")


# ---------------------------------------------------------------------------- mpu lifecycle


def _lifecycle(**kwargs: Any) -> int:
    ctx = click.get_current_context()
    opts = _common.global_options(ctx)
    fmt = _output_format(ctx, opts)
    bucket, prefix = parse_target(kwargs["target"])
    days: int | None = kwargs["days"]
    show: bool = kwargs["show"]
    remove: bool = kwargs["remove"]
    if [days is not None, show, remove].count(True) != 1:
        raise _common.UsageFailure("give one of --days N, --show or --remove", ctx)
    if show and (prefix or kwargs["rule_id"]):
        raise _common.UsageFailure("--show prints the whole bucket's rules: give s3://bucket")
    owner = {}
    if kwargs.get("expected_bucket_owner"):
        owner["ExpectedBucketOwner"] = kwargs["expected_bucket_owner"]

    async def work() -> int:
        async with _common.client(opts) as s3:
            if show:
                rules, _ = await _read_rules(s3, bucket, owner)
                _print_rules(fmt, opts, bucket, rules)
                return _common.OK
            if days is not None:
                result = await s3.ensure_abort_incomplete_uploads_rule(
                    Bucket=bucket,
                    days=days,
                    prefix=prefix or None,
                    rule_id=kwargs["rule_id"],
                    **owner,
                )
                _print_lifecycle_change(fmt, opts, bucket, result.action, result.rule, result.rules)
                return _common.OK
            return await _remove_rule(s3, fmt, opts, bucket, prefix, kwargs["rule_id"], owner)

    return _common.run(work)


async def _read_rules(s3: Any, bucket: str, owner: dict[str, str]) -> tuple[list[Any], Any]:
    from aios3.errors import NoSuchLifecycleConfiguration

    try:
        current = await s3.get_bucket_lifecycle_configuration(Bucket=bucket, **owner)
    except NoSuchLifecycleConfiguration:
        return [], None
    return list(current.rules), current.transition_default_minimum_object_size


_REMOVAL_ACTIONS = {  # the helper's action: what the CLI prints (and `Action` in JSON)
    "removed": "removed",
    "action_removed": "action removed",
    "configuration_deleted": "configuration deleted",
    "absent": "absent",
    "no_abort_action": "no abort action",
}


async def _remove_rule(
    s3: Any,
    fmt: str,
    opts: _common.GlobalOptions,
    bucket: str,
    prefix: str,
    rule_id: str | None,
    owner: dict[str, str],
) -> int:
    """`remove_abort_incomplete_uploads_rule`: drop aios3's rule (or only its abort
    action), write back the others, or delete the configuration when it was the last."""
    result = await s3.remove_abort_incomplete_uploads_rule(
        Bucket=bucket, prefix=prefix or None, rule_id=rule_id, **owner
    )
    _print_lifecycle_change(
        fmt,
        opts,
        bucket,
        _REMOVAL_ACTIONS[result.action],
        result.previous,
        result.rules,
        rule_id=result.rule_id,
    )
    return _common.OK


def _rule_document(rule: Any) -> dict[str, Any]:
    d: dict[str, Any] = rule.model_dump(by_alias=True, exclude_none=True, mode="json")
    return d


def _describe_rule(rule: Any) -> str:
    from aios3._lifecycle import scope

    where = scope(rule)
    filt = "filtered by tags or sizes" if where is None else f"prefix {where!r}"
    actions = []
    if rule.abort_incomplete_multipart_upload is not None:
        days = rule.abort_incomplete_multipart_upload.days_after_initiation
        actions.append(f"abort incomplete uploads after {days} days")
    if rule.expiration is not None:
        actions.append("expiration")
    if rule.transitions:
        actions.append("transitions")
    if rule.noncurrent_version_transitions or rule.noncurrent_version_expiration:
        actions.append("noncurrent versions")
    return f"{rule.id or '(no ID)'}: {rule.status}, {filt}: {', '.join(actions) or 'no action'}"


def _print_rules(fmt: str, opts: _common.GlobalOptions, bucket: str, rules: list[Any]) -> None:
    if fmt != _HUMAN:
        _emit(
            opts, "LifecycleRules", {"Bucket": bucket, "Rules": [_rule_document(r) for r in rules]}
        )
        return
    if not rules:
        sys.stdout.write(f"Bucket {bucket!r} has no lifecycle rules\n")
        return
    for rule in rules:
        sys.stdout.write(_describe_rule(rule) + "\n")


def _print_lifecycle_change(
    fmt: str,
    opts: _common.GlobalOptions,
    bucket: str,
    action: str,
    rule: Any,
    rules: list[Any],
    *,
    rule_id: str | None = None,
) -> None:
    if fmt != _HUMAN:
        _emit(
            opts,
            "LifecycleChange",
            {
                "Bucket": bucket,
                "Action": action,
                "Rule": None if rule is None else _rule_document(rule),
                "Rules": [_rule_document(r) for r in rules],
            },
        )
        return
    out = sys.stdout
    if action == "no abort action":
        out.write(
            f"Rule {rule.id!r} has no AbortIncompleteMultipartUpload action: nothing written\n"
        )
        return
    if action == "absent":
        out.write(f"Bucket {bucket!r} has no rule {rule_id!r}: nothing written\n")
        return
    if action == "configuration deleted":
        out.write(
            f"removed rule {rule.id!r} (no other rules: deleted the bucket's lifecycle "
            "configuration)\n"
        )
        return
    # the rule itself is among `rules` unless it was removed
    n = len(rules) - (0 if action == "removed" else 1)
    kept = f"({n} other rule{'s' if n != 1 else ''} kept)"
    if action == "unchanged":
        out.write(f"unchanged: {_describe_rule(rule)} {kept}; nothing written\n")
    elif action == "action removed":
        out.write(f"removed the abort action of rule {rule.id!r} {kept}\n")
    elif action == "removed":
        out.write(f"removed rule {rule.id!r} {kept}\n")
    else:
        out.write(f"{action}: {_describe_rule(rule)} {kept}\n")


# ---------------------------------------------------------------------------- the group


def _target(help_text: str) -> click.Argument:
    return click.Argument(["target"], metavar="S3URI")


group = click.Group(
    "mpu",
    help="Find and clean incomplete multipart uploads.",
    commands=[
        _command(
            "ls",
            _ls,
            [
                _target("s3://bucket[/prefix]"),
                click.Option(
                    ["--older-than"],
                    callback=_duration,
                    metavar="DURATION",
                    help="Only uploads initiated this long ago or more (7d, 12h, 30m, 2w, P7D).",
                ),
                click.Option(
                    ["--with-parts"],
                    is_flag=True,
                    help="Count each upload's parts and bytes (a ListParts per upload).",
                ),
                _concurrency_option(10, "ListParts requests (--with-parts)"),
                _payer_option(),
                _owner_option(),
            ],
            "List the incomplete multipart uploads under s3://bucket[/prefix], with totals.",
        ),
        _command(
            "sweep",
            _sweep,
            [
                _target("s3://bucket[/prefix]"),
                click.Option(
                    ["--older-than"],
                    callback=_duration,
                    metavar="DURATION",
                    required=True,
                    help="Abort uploads initiated this long ago or more (7d, 12h, 30m, 2w, P7D).",
                ),
                click.Option(["--dry-run"], is_flag=True, help="Show what would be aborted."),
                _concurrency_option(10, "Uploads handled"),
                click.Option(
                    ["--verify"],
                    type=click.Choice(["parts", "listing", "none"]),
                    default="parts",
                    show_default=True,
                    help="parts: a ListParts after each abort; listing: one listing again at "
                    "the end; none: abort only.",
                ),
                click.Option(
                    ["--count-parts/--no-count-parts"],
                    default=True,
                    show_default=True,
                    help="List each upload's parts before its abort, to report the bytes freed.",
                ),
                click.Option(
                    ["--page-size"], type=click.IntRange(1, 1000), help="Uploads a listing page."
                ),
                click.Option(["--yes", "-y"], is_flag=True, help="Do not ask for confirmation."),
                _payer_option(),
                _owner_option(),
            ],
            "Abort the incomplete multipart uploads under s3://bucket[/prefix] initiated more "
            "than --older-than ago. Exit codes: 0 done, 1 some uploads could not be aborted, "
            "130 interrupted (Ctrl-C: the aborts under way finish, the partial report is "
            "printed), 252 bad arguments, 254 the listing failed.",
        ),
        _command(
            "abort",
            _abort,
            [
                _target("s3://bucket/key"),
                click.Option(["--upload-id"], required=True, help="The upload to abort."),
                click.Option(
                    ["--verify"],
                    type=click.Choice(["parts", "none"]),
                    default="parts",
                    show_default=True,
                    help="parts: ListParts after the abort, abort again while parts remain.",
                ),
                _payer_option(),
                _owner_option(),
            ],
            "Abort one multipart upload and verify it is gone; prints each round. Exit "
            "codes: 0 gone, 1 parts still listed after the last round, 254 a service error.",
        ),
        _command(
            "lifecycle",
            _lifecycle,
            [
                _target("s3://bucket[/prefix]"),
                click.Option(
                    ["--days"],
                    type=click.IntRange(min=1),
                    help="Set the rule: abort uploads this many days after they start.",
                ),
                click.Option(["--show"], is_flag=True, help="Print the bucket's rules."),
                click.Option(
                    ["--remove"],
                    is_flag=True,
                    help="Remove aios3's rule (deletes the configuration when it is the only "
                    "rule).",
                ),
                click.Option(
                    ["--rule-id"],
                    help="The rule's ID (default: aios3-abort-incomplete-uploads[-PREFIX]).",
                ),
                _owner_option(),
            ],
            "The lifecycle rule that aborts incomplete uploads under s3://bucket[/prefix] "
            "(AbortIncompleteMultipartUpload); every other rule is kept.",
        ),
    ],
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=False,  # aws-cli: a usage error (252), not the help
)
