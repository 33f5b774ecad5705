"""The root command, the lazily loaded command groups and the exit codes.

click builds commands from objects at run time, which is how `aios3 s3api` derives one
command per operation record and one option per request-model field; it is small (about
40 ms to import, no other dependency), and its exceptions carry the usage errors that
become exit code 252.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

from . import _common
from ._common import CONFIG, INTERRUPTED, OK, OTHER, SERVICE, USAGE

GROUPS: dict[str, tuple[str, str]] = {
    "s3api": ("aios3.cli.s3api", "Low-level S3 operations, as `aws s3api` (multipart family)."),
    "mpu": ("aios3.cli.mpu", "Find and clean incomplete multipart uploads."),
}
"""Command groups: name -> (module with a `group` attribute, short help). A module is
imported only when its group runs (or for `aios3 --help`)."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(GROUPS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in GROUPS:
            return None
        group: click.Command = importlib.import_module(GROUPS[cmd_name][0]).group
        return group


def _version() -> str:
    from aios3 import __version__

    return __version__


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        import platform

        import botocore

        click.echo(
            f"aios3/{_version()} Python/{platform.python_version()} "
            f"{platform.system()}/{platform.release()} botocore/{botocore.__version__}"
        )
        ctx.exit(OK)


cli = _LazyGroup(
    "aios3",
    help="aios3's command line: S3 operations as aws-cli prints them.",
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Show the version and exit.",
        ),
        *_common.global_params(),
    ],
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=False,  # aws-cli: a usage error (252), not the help
)

_debug = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns aws-cli version 2's exit code.

    Called without `argv`, this process is the command line: once the command is done
    (its output flushed, the `atexit` handlers run), the process ends there, with the
    command's exit code, instead of tearing the interpreter down (see `_end_process`)."""
    code = _main(argv)
    if argv is None:
        _end_process(code)
    return code


def _end_process(code: int) -> None:
    """End the process now, as `sys.exit(code)` would end it, minus the interpreter's
    teardown: clearing every module and freeing every object one by one (a short
    command's whole import, a few tens of milliseconds) only for the memory to be handed
    back to the system after. What an exit must do is done first: the output streams are
    flushed and the `atexit` handlers run (logging's flush, coverage's data file, ...).
    Returns, for the ordinary exit, when any of that is not certain: a flush that fails
    (a closed pipe: the interpreter reports it as usual), a thread still running (exit
    waits for non-daemon threads), or an interpreter without `atexit._run_exitfuncs`."""
    import atexit
    import threading

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None or threading.active_count() != 1:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # the ordinary exit reports it
        return
    run_exitfuncs()
    try:  # what an atexit handler printed
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # nothing is left to report it to
        pass
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    global _debug
    if argv is None:  # this process is the command line (not a call from Python code)
        # pydantic's plugin scan reads every installed distribution's entry points on the
        # first model it builds: a tenth of a short command's time, for plugins that have
        # nothing to observe in aios3's own models. A value set by the user is kept.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        # what the imports made (modules, classes, tables) lives as long as the process:
        # moved out of the collector's sight, it is not walked by every collection after
        # (nor by the one that `import aios3`'s paused collector owes, see aios3/__init__)
        gc.freeze()
    args = list(sys.argv[1:] if argv is None else argv)
    _debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="aios3", standalone_mode=False)
    except click.UsageError as exc:
        _usage_error(exc)
        return USAGE
    except (click.Abort, KeyboardInterrupt):
        sys.stderr.write("\n")
        return INTERRUPTED
    except click.ClickException as exc:  # e.g. a file option that cannot be opened
        exc.show()
        return USAGE
    except Exception as exc:
        return _failure(exc)
    return result if isinstance(result, int) else OK


def _usage_error(exc: click.UsageError) -> None:
    ctx = exc.ctx
    if ctx is not None:
        sys.stderr.write(ctx.get_usage() + "\n")
        sys.stderr.write(f"Try '{ctx.command_path} --help' for help.\n\n")
    sys.stderr.write(f"aios3: error: {exc.format_message()}\n")


def _failure(exc: Exception) -> int:
    """An exception raised by a command, as aws-cli reports it, and its exit code."""
    from aios3.errors import (
        ClientError,
        EndpointResolutionError,
        NoCredentialsError,
        ParamValidationError,
    )

    from ._params import InputError

    if _debug:
        traceback.print_exc()
    if isinstance(exc, ClientError):  # botocore's words, as aws-cli prints them
        sys.stderr.write(
            f"\nAn error occurred ({exc.code or 'Unknown'}) when calling the "
            f"{exc.operation_name} operation: {exc.message}\n"
        )
        return SERVICE
    if isinstance(exc, InputError):
        sys.stderr.write(f"\nError parsing parameter: {exc}\n")
        return USAGE
    if isinstance(exc, ParamValidationError):
        if str(exc).startswith(("profile_name:", "the shared AWS config")):
            sys.stderr.write(f"\n{exc}\n")
            return CONFIG
        sys.stderr.write(f"\nParameter validation failed:\n{exc}\n")
        return USAGE
    if isinstance(exc, NoCredentialsError | EndpointResolutionError):
        sys.stderr.write(f"\n{exc}\n")
        return CONFIG
    sys.stderr.write(f"\n{type(exc).__name__}: {exc}\n" if not str(exc) else f"\n{exc}\n")
    return OTHER
