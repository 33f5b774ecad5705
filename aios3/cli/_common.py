"""What every command shares: the global options, the client they configure, the output
formats and the exit codes (aws-cli version 2's).

A command group module (`aios3.cli.s3api`, later `aios3.cli.mpu`) builds its commands with
`command(...)`, which adds the global options, and runs its work with `run(...)`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, TextIO

import click
from click.core import ParameterSource

# aws-cli version 2's exit codes
OK = 0
USAGE = 252
"""The command line could not be parsed, or a parameter is invalid."""
CONFIG = 253
"""The configuration or the credentials are invalid."""
SERVICE = 254
"""The service answered with an error."""
OTHER = 255
INTERRUPTED = 130

_NO_TIMEOUT = 365 * 24 * 3600.0  # aws-cli: a timeout of 0 means none
OUTPUT_FORMATS = ("json", "text", "table", "yaml", "yaml-stream")


class UsageFailure(click.UsageError):
    """A bad command line found after parsing (exit 252, with the usage line)."""


@dataclass
class GlobalOptions:
    """The global options, from the root (`aios3 --region r s3api ...`) or the command."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    verify_ssl: bool = True
    no_sign_request: bool = False
    ca_bundle: str | None = None
    cli_read_timeout: int | None = None
    cli_connect_timeout: int | None = None
    output: str | None = None
    query: str | None = None
    color: str = "auto"
    no_cli_pager: bool = False
    debug: bool = False


def global_params() -> list[click.Parameter]:
    """New click options for the global options (each command gets its own objects)."""
    return [
        click.Option(["--endpoint-url"], help="Send requests to this URL."),
        click.Option(["--region"], help="The region (else AWS_REGION / the profile's)."),
        click.Option(["--profile"], help="A profile of the shared config files."),
        click.Option(
            ["--no-verify-ssl", "verify_ssl"],
            is_flag=True,
            flag_value=False,
            default=True,
            help="Do not verify TLS certificates.",
        ),
        click.Option(
            ["--no-sign-request"], is_flag=True, help="Send unsigned requests (anonymous)."
        ),
        click.Option(["--ca-bundle"], help="The CA bundle to verify TLS certificates with."),
        click.Option(
            ["--cli-read-timeout"], type=click.IntRange(min=0), help="Seconds; 0: no timeout."
        ),
        click.Option(
            ["--cli-connect-timeout"],
            type=click.IntRange(min=0),
            help="Seconds; 0: no timeout.",
        ),
        click.Option(
            ["--output"],
            type=click.Choice(OUTPUT_FORMATS),
            help="Output format (else AWS_DEFAULT_OUTPUT, else the profile's output, else json).",
        ),
        click.Option(["--query"], help="A JMESPath expression applied to the response."),
        click.Option(
            ["--color"],
            type=click.Choice(["on", "off", "auto"]),
            default="auto",
            show_default=True,
            help="Colour in table output.",
        ),
        click.Option(["--no-cli-pager"], is_flag=True, help="Accepted; aios3 never pages."),
        click.Option(["--debug"], is_flag=True, help="Log each request (secrets redacted)."),
    ]


_NAMES = [f.name for f in fields(GlobalOptions)]


def global_options(ctx: click.Context) -> GlobalOptions:
    """The global options of this invocation: the command's, else the root's."""
    values: dict[str, Any] = {}
    root = ctx.find_root()
    for name in _NAMES:
        source = ctx.get_parameter_source(name)
        if source not in (None, ParameterSource.DEFAULT) or root is ctx:
            values[name] = ctx.params.get(name)
        else:
            values[name] = root.params.get(name, ctx.params.get(name))
    opts = GlobalOptions(**values)
    if opts.output is None:
        opts.output = _configured_output(opts.profile)
    if opts.query is not None:
        import jmespath  # type: ignore[import-untyped]  # only for --query

        try:
            jmespath.compile(opts.query)
        except jmespath.exceptions.JMESPathError as exc:
            raise UsageFailure(f"argument --query: Bad value for --query: {exc}") from None
    return opts


def _configured_output(profile: str | None) -> str:
    """aws-cli's `output` setting when `--output` is not given: `AWS_DEFAULT_OUTPUT`, else
    the profile's `output` (the `--profile` one, else `AWS_PROFILE`'s, else `default`),
    else `json`. The value is checked by `check_output`, before anything is sent."""
    env = os.environ.get("AWS_DEFAULT_OUTPUT")
    if env:
        return env
    from botocore.exceptions import BotoCoreError

    try:
        configured = _scoped_config(profile).get("output")
    except BotoCoreError:  # an unknown profile, a broken file: the client reports it (253)
        configured = None
    return str(configured) if configured else "json"


def _scoped_config(profile: str | None) -> dict[str, Any]:
    """botocore's `Session(profile=profile).get_scoped_config()`, without a `Session`
    (`aios3._config.SharedConfig`, what the client's setup reads the settings with):
    importing `botocore.session` and building one was a tenth of a short command, for one
    setting. A profile named but absent is botocore's `ProfileNotFound`."""
    from aios3._config import SharedConfig

    return SharedConfig(profile).get_scoped_config()


class OutputTypeError(ValueError):
    """An unknown output format from the environment or the profile (exit 255)."""


def check_output(opts: GlobalOptions) -> None:
    """An output format from `AWS_DEFAULT_OUTPUT` or the profile that aios3 cannot print is
    aws-cli's error (exit 255), but raised before the request is sent, not after."""
    if opts.output not in OUTPUT_FORMATS:
        raise OutputTypeError(f"Unknown output type: {opts.output}")


def command(name: str, callback: Callable[..., Any], **kwargs: Any) -> click.Command:
    """A click command with the global options after its own."""
    cmd = click.Command(name, callback=callback, **kwargs)
    cmd.params.extend(global_params())
    return cmd


# ---------------------------------------------------------------------------- the client


def client(opts: GlobalOptions) -> Any:
    """An `aios3.S3Client` configured by the global options (not entered yet)."""
    import aios3

    config: dict[str, object] = {}
    if not opts.verify_ssl:
        config["verify"] = False
    elif opts.ca_bundle:
        config["verify"] = opts.ca_bundle
    if opts.cli_read_timeout is not None:
        config["read_timeout"] = float(opts.cli_read_timeout or _NO_TIMEOUT)
    if opts.cli_connect_timeout is not None:
        config["connect_timeout"] = float(opts.cli_connect_timeout or _NO_TIMEOUT)
    if opts.no_sign_request:  # aws-cli: no credentials are loaded at all
        import botocore

        config["signature_version"] = botocore.UNSIGNED
    if opts.debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(message)s"))
        log = logging.getLogger("aios3")
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    return aios3.S3Client(
        region_name=opts.region,
        endpoint_url=opts.endpoint_url,
        profile_name=opts.profile,
        config=aios3.Config(**config) if config else None,
    )


# ---------------------------------------------------------------------------- output


def emit(
    opts: GlobalOptions,
    title: str,
    data: Any,
    out: TextIO | None = None,
) -> None:
    """Print one response (a dict without `ResponseMetadata`) in the chosen format."""
    from . import _output

    stream = out or sys.stdout
    data = _output.plain(data)
    if opts.output == "yaml-stream":
        pages = [data]
        _output.write_yaml_stream(_queried(opts, pages), stream)
        return
    if opts.query is not None:
        import jmespath

        data = jmespath.search(opts.query, data)
    if opts.output == "text":
        _output.write_text(data, stream)
    elif opts.output == "table":
        _output.write_table(title, data, stream, color=_color(opts, stream))
    elif opts.output == "yaml":
        _output.write_yaml(data, stream)
    else:
        _output.write_json(data, stream)


def emit_pages(
    opts: GlobalOptions,
    title: str,
    pages: list[dict[str, Any]],
    full: dict[str, Any],
    out: TextIO | None = None,
) -> None:
    """Print a paginated listing: `full` (botocore's `build_full_result`) for json, table
    and yaml; page by page for text (the first page with the non-aggregate members, and a
    `NEXTTOKEN` line) and yaml-stream, as aws-cli does."""
    from . import _output

    stream = out or sys.stdout
    if opts.output == "text":
        for page in pages:
            data = _output.plain(page)
            if opts.query is not None:
                import jmespath

                data = jmespath.search(opts.query, data)
            _output.write_text(data, stream)
        if "NextToken" in full:
            _output.write_text({"NextToken": {"NextToken": full["NextToken"]}}, stream)
    elif opts.output == "yaml-stream":
        _output.write_yaml_stream(_queried(opts, [_output.plain(p) for p in pages]), stream)
    else:
        emit(opts, title, full, stream)


def _queried(opts: GlobalOptions, pages: Iterable[Any]) -> Iterable[Any]:
    if opts.query is None:
        return pages

    import jmespath

    return [jmespath.search(opts.query, p) for p in pages]


def _color(opts: GlobalOptions, stream: TextIO) -> bool:
    if opts.color == "on":
        return True
    if opts.color == "off":
        return False
    return stream.isatty()


# ---------------------------------------------------------------------------- running


def run(work: Callable[[], Awaitable[int | None]]) -> int:
    """Run one command's coroutine; exceptions become exit codes in `aios3.cli.main`.

    Ctrl-C cancels the work (the client closes its connections) and exits 130 with one
    newline on stdout, as aws-cli does (and before click turns it into an `Abort` with
    its own newline on stderr)."""
    try:
        return asyncio.run(_wrap(work)) or OK
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        return INTERRUPTED


async def _wrap(work: Callable[[], Awaitable[int | None]]) -> int | None:
    return await work()
