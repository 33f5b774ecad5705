"""`aios3 s3api <operation>`: one command per operation record, as `aws s3api` has it.

The commands, their options and their `--cli-input-json` members come from
`aios3._operations.OPERATIONS` and each request model's fields (`aios3.cli._params`); a
field added to a model is an option here with no other change.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import click
from botocore import xform_name

from aios3 import _paginate
from aios3._operations import BY_NAME, Operation

from . import _common
from ._params import InputError, Param, convert, input_skeleton, params_of, skeleton

OPERATION_NAMES = (
    "AbortMultipartUpload",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "ListParts",
    "ListMultipartUploads",
    "CreateSession",
)
"""The operations `aios3 s3api` offers (issue 9: the multipart family)."""

_PAGING: dict[str, Any] = {
    "ListParts": _paginate._LIST_PARTS,
    "ListMultipartUploads": _paginate._LIST_UPLOADS,
}


def _paging_fields(op: Operation[Any, Any]) -> tuple[str, ...]:
    """The request fields that turn automatic pagination off when given (aws-cli's input
    tokens and limit key)."""
    spec = _PAGING.get(op.name)
    if spec is None:
        return ()
    return (*(f for _, f in spec.input_tokens), spec.limit_field)


def _option(p: Param) -> click.Option:
    help_text = p.member + (" (required)" if p.required else "")
    if p.kind == "boolean":
        return click.Option([f"--{p.flag}/--no-{p.flag}", p.dest], default=None, help=help_text)
    if p.kind == "structure":
        help_text += ": JSON, or file://PATH"
    elif p.kind == "map":
        help_text += ": JSON or KEY=VALUE,KEY2=VALUE2"
    elif p.kind == "blob":
        help_text += ": a file name"
    elif p.kind == "timestamp":
        help_text += ": ISO 8601, an HTTP date or epoch seconds"
    elif p.choices:
        help_text += f": {' | '.join(p.choices)}"
    return click.Option([f"--{p.flag}", p.dest], metavar=p.kind.upper(), help=help_text)


def _build(op: Operation[Any, Any]) -> click.Command:
    params = params_of(op.request)
    paginated = op.name in _PAGING
    name = xform_name(op.name, "-")

    def callback(**kwargs: Any) -> int:
        return _invoke(op, params, paginated, kwargs)

    cmd = _common.command(
        name,
        callback,
        help=f"{op.name} ({op.request.__name__}).",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    own: list[click.Parameter] = [_option(p) for p in params]
    own += [
        click.Option(["--cli-input-json"], help="The parameters as JSON (or file://PATH)."),
        click.Option(["--cli-input-yaml"], help="The parameters as YAML (or file://PATH)."),
        click.Option(
            ["--generate-cli-skeleton"],
            type=click.Choice(["input", "yaml-input", "output"]),
            is_flag=False,
            flag_value="input",
            help="Print a parameter skeleton (input, yaml-input) or a response one (output).",
        ),
    ]
    if paginated:
        own += [
            click.Option(["--no-paginate"], is_flag=True, help="Send one request only."),
            click.Option(["--max-items"], type=click.IntRange(min=0), help="Items in all."),
            click.Option(["--starting-token"], help="A NextToken to go on from."),
            click.Option(["--page-size"], type=click.IntRange(min=1), help="Items a request."),
        ]
    cmd.params[:0] = own
    return cmd


def _input_document(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    from ._params import read_param_file

    doc: object = {}
    if kwargs.get("cli_input_json") is not None and kwargs.get("cli_input_yaml") is not None:
        raise _common.UsageFailure("use --cli-input-json or --cli-input-yaml, not both")
    if kwargs.get("cli_input_json") is not None:
        text = read_param_file(kwargs["cli_input_json"])
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise InputError(f"--cli-input-json: invalid JSON: {exc}") from None
    elif kwargs.get("cli_input_yaml") is not None:
        import yaml

        text = read_param_file(kwargs["cli_input_yaml"])
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"--cli-input-yaml: invalid YAML: {exc}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError("the input document must be an object of parameters")
    return doc


def _invoke(
    op: Operation[Any, Any], params: tuple[Param, ...], paginated: bool, kwargs: dict[str, Any]
) -> int:
    ctx = click.get_current_context()
    opts = _common.global_options(ctx)
    wanted = kwargs.get("generate_cli_skeleton")
    if wanted is not None:
        _print_skeleton(op, params, wanted)
        return _common.OK
    _common.check_output(opts)
    by_member = {p.member: p for p in params}
    values: dict[str, object] = {}
    for member, value in _input_document(kwargs).items():
        if member not in by_member:
            raise InputError(
                f"Unknown parameter in input: {member!r}, must be one of: " + ", ".join(by_member)
            )
        p = by_member[member]
        values[member] = convert(p, value) if p.kind == "blob" and isinstance(value, str) else value
    for p in params:  # the command line wins over the input document, as in aws-cli
        raw = kwargs.get(p.dest)
        if raw is None:
            continue
        values[p.member] = raw if p.kind == "boolean" else convert(p, raw)
    missing = [f"--{p.flag}" for p in params if p.required and p.member not in values]
    if missing:
        raise _common.UsageFailure(
            f"the following arguments are required: {', '.join(missing)}", ctx
        )
    paging = _paging_config(op, kwargs, values, paginated, ctx)

    async def work() -> int:
        async with _common.client(opts) as s3:
            if paging is None:
                response = await getattr(s3, op.method_name)(**values)
                data = _response_dict(response, op.name)
                _common.emit(opts, op.name, data)
            else:
                pages = s3.get_paginator(op.method_name).paginate(**values, PaginationConfig=paging)
                dicts = [_response_dict(page, op.name) async for page in pages]
                _common.emit_pages(opts, op.name, *_full(pages, dicts))
        return _common.OK

    try:
        return _common.run(work)
    finally:
        body = values.get("Body")
        if hasattr(body, "close"):
            body.close()


_SSE_KMS = ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled")
_FROM_HEADERS: dict[str, frozenset[str]] = {
    "CreateMultipartUpload": frozenset(
        {
            *_SSE_KMS,
            *("AbortDate", "AbortRuleId", "SSECustomerAlgorithm", "SSECustomerKeyMD5"),
            *("SSEKMSEncryptionContext", "RequestCharged", "ChecksumAlgorithm", "ChecksumType"),
            "VersionId",  # botocore 1.44's x-amz-version-id
        }
    ),
    "CompleteMultipartUpload": frozenset({*_SSE_KMS, "Expiration", "VersionId", "RequestCharged"}),
    "ListParts": frozenset({"AbortDate", "AbortRuleId", "RequestCharged", "VersionId"}),
    "ListMultipartUploads": frozenset({"RequestCharged"}),
    "CreateSession": frozenset({*_SSE_KMS, "SSEKMSEncryptionContext"}),
}
"""The response members that come from headers, where aws-cli prints them: botocore's
parser reads the headers before the body, so its dict (and aws-cli's JSON and YAML) has
them first. Only the operations whose model puts a body member before a header member;
a unit test checks the resulting order against botocore's model."""


def _response_dict(response: Any, operation_name: str = "") -> dict[str, Any]:
    from aios3.models import CreateSessionResponse

    if isinstance(response, CreateSessionResponse):
        d = response.to_dict(reveal_secrets=True)  # the command's purpose: print them
    else:
        d = response.to_dict()
    d.pop("ResponseMetadata", None)
    first = _FROM_HEADERS.get(operation_name)
    if first:  # a stable partition: the header members, then the body's, as botocore
        d = {k: v for k, v in d.items() if k in first} | {
            k: v for k, v in d.items() if k not in first
        }
    return d


def _full(pages: Any, dicts: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The text pages and botocore's `build_full_result` of pages already read."""
    keys: list[str] = pages.result_keys
    non_aggregate: dict[str, Any] = pages.non_aggregate_part
    full: dict[str, Any] = {}
    text_pages = []
    for i, d in enumerate(dicts):
        current = dict(non_aggregate) if i == 0 else {}
        for key in keys:
            value = d.get(key)
            current[key] = value
            if value is None:
                continue
            if key in full and isinstance(value, list):
                full[key].extend(value)
            else:
                full[key] = list(value) if isinstance(value, list) else value
        text_pages.append(current)
    full.update(non_aggregate)
    if pages.resume_token is not None:
        full["NextToken"] = pages.resume_token
    return text_pages, full


def _paging_config(
    op: Operation[Any, Any],
    kwargs: Mapping[str, Any],
    values: Mapping[str, object],
    paginated: bool,
    ctx: click.Context,
) -> dict[str, Any] | None:
    """PaginationConfig, or None for one request (aws-cli's rules)."""
    if not paginated:
        return None
    cfg: dict[str, Any] = {}
    for flag, key in (
        ("max_items", "MaxItems"),
        ("starting_token", "StartingToken"),
        ("page_size", "PageSize"),
    ):
        if kwargs.get(flag) is not None:
            cfg[key] = kwargs[flag]
    members = {p.field: p.member for p in params_of(op.request)}
    manual = any(members[f] in values for f in _paging_fields(op))
    if kwargs.get("no_paginate") or manual:
        if cfg:
            used = ", ".join("--" + xform_name(k, "-") for k in cfg)
            raise _common.UsageFailure(
                f"Cannot specify --no-paginate along with pagination arguments: {used}", ctx
            )
        return None
    return cfg


def _print_skeleton(op: Operation[Any, Any], params: tuple[Param, ...], wanted: str) -> None:
    out = sys.stdout
    if wanted == "output":
        doc = skeleton(op.response, skip=frozenset({"response_metadata"}))
    else:
        doc = input_skeleton(params)
    if wanted == "yaml-input":
        import yaml

        out.write(yaml.safe_dump(doc, default_flow_style=False, sort_keys=False))
    else:
        out.write(json.dumps(doc, indent=4) + "\n")


class _Commands(click.Group):
    """Builds a command's options from its request model when the command is asked for:
    one command runs, the others are not built (`--help` lists them all)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(xform_name(name, "-") for name in OPERATION_NAMES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        built = self.commands.get(cmd_name)
        if built is None:
            name = _BY_COMMAND.get(cmd_name)
            if name is None:
                return None
            built = self.commands[cmd_name] = _build(BY_NAME[name])
        return built


_BY_COMMAND = {xform_name(name, "-"): name for name in OPERATION_NAMES}

group = _Commands(
    "s3api",
    help="S3 operations as `aws s3api` has them (the multipart family).",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=False,  # aws-cli: a usage error (252), not the help
)
