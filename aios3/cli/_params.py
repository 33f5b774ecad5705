"""Command-line parameters derived from the request models.

Each field of an operation's request model becomes one option, named as aws-cli names it:
botocore's `xform_name` of the PascalCase member with dashes (`UploadId` -> `--upload-id`,
`SSECustomerKeyMD5` -> `--sse-customer-key-md5`). A new model field becomes a flag with no
hand work here.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Union

from botocore import xform_name
from pydantic import AwareDatetime, BaseModel, SecretStr

Kind = Literal["string", "integer", "boolean", "timestamp", "map", "structure", "blob"]


class InputError(ValueError):
    """A value on the command line that cannot be read (exit 252)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One request-model field as a command-line option."""

    field: str
    """The model's snake_case field, `upload_id`."""
    member: str
    """boto3's PascalCase name, `UploadId` (the `--cli-input-json` key)."""
    flag: str
    """aws-cli's option name without the dashes, `upload-id`."""
    kind: Kind
    required: bool
    choices: tuple[str, ...] = ()
    model: type[BaseModel] | None = None
    """The structure's model (`kind == "structure"`)."""

    @property
    def dest(self) -> str:
        return self.flag.replace("-", "_")


def _members(annotation: object) -> list[object]:
    """The types inside an annotation: `int | None` -> [int, NoneType]."""
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    return [annotation]


def _kind(annotation: object) -> tuple[Kind, tuple[str, ...], type[BaseModel] | None]:
    members = [m for m in _members(annotation) if m is not type(None)]
    choices: list[str] = []
    for m in members:
        if typing.get_origin(m) is Literal:
            choices += [str(v) for v in typing.get_args(m)]
    plain = [m for m in members if typing.get_origin(m) is not Literal]
    for m in plain:
        if isinstance(m, type) and issubclass(m, BaseModel):
            return "structure", (), m
    if datetime in plain or AwareDatetime in plain:
        return "timestamp", (), None
    if bool in plain:
        return "boolean", (), None
    if int in plain:
        return "integer", (), None
    if any(typing.get_origin(m) is dict or m is dict for m in plain):
        return "map", (), None
    if str in plain or SecretStr in plain or not plain:
        return "string", tuple(choices), None
    return "blob", (), None  # bytes-like, file objects, async iterables: UploadPart's Body


def params_of(model: type[BaseModel]) -> tuple[Param, ...]:
    """The options of a request model, in its field order."""
    out = []
    for name, info in model.model_fields.items():
        member = info.alias or name
        kind, choices, sub = _kind(info.annotation)
        out.append(
            Param(
                field=name,
                member=member,
                flag=xform_name(member, "-"),
                kind=kind,
                required=info.is_required(),
                choices=choices,
                model=sub,
            )
        )
    return tuple(out)


# ------------------------------------------------------------------------------ values


def read_param_file(value: str) -> str | bytes:
    """aws-cli's `file://` (text) and `fileb://` (bytes) prefixes; other values as given."""
    for prefix, mode in (("fileb://", "rb"), ("file://", "r")):
        if value.startswith(prefix):
            path = Path(value[len(prefix) :]).expanduser()
            try:
                if mode == "rb":
                    return path.read_bytes()
                return path.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"Unable to load paramfile {value}: {exc.strerror}") from None
    return value


def _shorthand_map(text: str) -> dict[str, str]:
    """aws-cli's shorthand for a map of strings: `k1=v1,k2=v2`."""
    out: dict[str, str] = {}
    for item in text.split(","):
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected KEY=VALUE pairs separated by commas, got {text!r}")
        out[key.strip()] = val.strip()
    return out


def convert(param: Param, raw: str) -> object:
    """A command-line string as the value the request model takes."""
    value = read_param_file(raw)
    if param.kind == "blob":
        if isinstance(value, bytes):
            return value
        path = Path(raw).expanduser()  # aws-cli: a streaming blob is a file name
        try:
            return path.open("rb")
        except OSError as exc:
            raise InputError(f"--{param.flag}: cannot open {raw!r}: {exc.strerror}") from None
    if isinstance(value, bytes):
        if param.kind == "string":
            return value  # e.g. --sse-customer-key fileb://key.bin
        value = value.decode("utf-8")
    text = value
    if param.kind == "integer":
        try:
            return int(text.strip())
        except ValueError:
            raise InputError(f"--{param.flag}: invalid literal for int(): {text!r}") from None
    if param.kind in ("map", "structure"):
        stripped = text.strip()
        if param.kind == "map" and not stripped.startswith("{"):
            return _shorthand_map(stripped)
        try:
            loaded = json.loads(stripped)
        except ValueError as exc:
            raise InputError(f"--{param.flag}: invalid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise InputError(f"--{param.flag}: expected a JSON object")
        return loaded
    return text  # strings and timestamps: the model parses ISO 8601, epoch seconds, ...


# ------------------------------------------------------------------------------ skeletons


def _sample(kind: Kind, choices: tuple[str, ...], model: type[BaseModel] | None) -> object:
    if choices:
        return choices[0]
    if kind == "structure" and model is not None:
        return skeleton(model)
    return {
        "string": "",
        "integer": 0,
        "boolean": True,
        "timestamp": "1970-01-01T00:00:00",
        "map": {"KeyName": ""},
        "blob": None,
    }.get(kind, "")


def _sample_of(annotation: object) -> object:
    members = [m for m in _members(annotation) if m is not type(None)]
    for m in members:
        if typing.get_origin(m) is list:
            (inner,) = typing.get_args(m)
            return [_sample_of(inner)]
    kind, choices, sub = _kind(annotation)
    return _sample(kind, choices, sub)


def skeleton(model: type[BaseModel], *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """aws-cli's `--generate-cli-skeleton` of a model: every member with a sample value."""
    return {
        (info.alias or name): _sample_of(info.annotation)
        for name, info in model.model_fields.items()
        if name not in skip
    }


def input_skeleton(params: tuple[Param, ...]) -> dict[str, Any]:
    return {p.member: _sample(p.kind, p.choices, p.model) for p in params}


def member_values(params: tuple[Param, ...], data: Mapping[str, object]) -> dict[str, object]:
    """`--cli-input-json` data checked against the members (unknown keys are an error)."""
    known = {p.member for p in params}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            f"Unknown parameter in input: {', '.join(repr(u) for u in unknown)}, must be one "
            f"of: {', '.join(p.member for p in params)}"
        )
    return dict(data)
