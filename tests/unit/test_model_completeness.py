"""Every member and every enum value of botocore's S3 model, for aios3's operations, is in
aios3's models: a newer botocore that adds one fails here until aios3 has it (or lists it
below with the reason).

Walked from each operation's input and output shape, nested structures included
(CompleteMultipartUpload's `CompletedPart`, ListParts' `Part`, `Initiator`, `Owner`,
ListMultipartUploads' `Upload` and `CommonPrefix`, CreateSession's `Credentials`):

* each member is a field of the matching aios3 model (by its boto3 name), and each aios3
  field is a botocore member;
* each enum value (`StorageClass`, `ObjectCannedACL`, `ServerSideEncryption`,
  `ChecksumAlgorithm`, `RequestPayer`, ...) is a value the model takes at run time;
* the keyword `TypedDict`s type each enum member as a `Literal` of exactly botocore's
  values (what a type checker holds a call to), unless `ENUMS_TYPED_AS_STR` says why not.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import typing
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import botocore.session
import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model
from typing_extensions import TypedDict

import aios3
from aios3 import models
from aios3._operations import OPERATIONS, Operation
from tests.unit._botocore_drift import check
from tests.unit.test_operation_records import (
    CLIENT,
    NEWER_THAN_THE_LOWEST_BOTOCORE,
    RESOURCE,
    _hints,
    _members,
)

# botocore members aios3 does not model, as `Operation.input|output.Member.Path`, with why.
NOT_MODELLED: dict[str, str] = {
    "CreateBucket.input.BucketNamespace": "account-regional namespaces are newer than aios3",
    "PutObject.input.WriteOffsetBytes": (
        "appends to objects in directory buckets: not supported yet"
    ),
    "CreateBucket.input.CreateBucketConfiguration.Location": (
        "directory-bucket settings at creation: refused with this reason "
        "(CreateBucketConfiguration's validator)"
    ),
    "CreateBucket.input.CreateBucketConfiguration.Bucket": (
        "directory-bucket settings at creation: refused with this reason"
    ),
    "CreateBucket.input.CreateBucketConfiguration.Tags": (
        "tags at creation: refused with this reason"
    ),
}

# aios3 fields that are not botocore members, with why.
EXTRA_FIELDS: dict[str, str] = {
    "HeadObject.output.ExpiresString": "boto3 adds it (a customisation outside the model)",
}

# enum members whose keyword type stays `str`, with why.
ENUMS_TYPED_AS_STR: dict[str, str] = {
    "CreateBucketConfiguration.LocationConstraint": (
        "a region name: AWS adds regions, and Ceph, MinIO and others name their own"
    ),
}

_S3 = botocore.session.get_session().get_service_model("s3")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (itself, in a list, or in a union with a dict)."""
    for tp in _members(annotation):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
        found = _model_in(get_args(tp)[0]) if get_origin(tp) is list else None
        if found is not None:
            return found
    return None


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _expected_values(shape: Any) -> set[str]:
    """botocore's values of an enum."""
    return set(shape.enum)


def _same_values(got: set[str], expected: set[str], enum: str) -> bool:
    """`got` is botocore's values; or more, if the installed botocore is older than aios3
    (values newer than the lowest botocore aios3 supports)."""
    extra = {f"{enum}={v}" for v in got - expected}
    return expected <= got and extra <= NEWER_THAN_THE_LOWEST_BOTOCORE


def missing(
    shape: Any,
    model: type[BaseModel],
    where: str,
    not_modelled: Mapping[str, str] = NOT_MODELLED,
    extra: Mapping[str, str] = EXTRA_FIELDS,
    visited: list[str] | None = None,
) -> Iterator[str]:
    """Every way `model` falls short of botocore's `shape` (None: no members), one line
    each. `visited` collects `where=Model` for each pair walked."""
    if visited is not None:
        visited.append(f"{where}={model.__name__}")
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    members = shape.members if shape is not None else {}
    for name, member in members.items():
        label = f"{where}.{name}"
        if label in not_modelled:
            continue
        info = fields.get(name)
        if info is None:
            yield f"{label}: no such field in {model.__name__}"
            continue
        target = member.member if member.type_name == "list" else member
        if target.type_name == "structure":
            nested = _model_in(info.annotation)
            if nested is None:
                yield f"{label}: {info.annotation} is not a model"
            else:
                yield from missing(target, nested, label, not_modelled, extra, visited)
        for value in getattr(target, "enum", None) or ():
            try:
                _adapter(info.annotation).validate_python(value)
            except ValidationError:
                yield f"{label}: {model.__name__} refuses {value!r} ({target.name})"
    for name in sorted(set(fields) - set(members) - {"ResponseMetadata"}):
        if f"{where}.{name}" not in extra and name not in NEWER_THAN_THE_LOWEST_BOTOCORE:
            yield f"{where}.{name}: not a botocore member"


def _split_check(problems: Iterable[str]) -> None:
    """What a newer botocore can cause (a member or an enum value aios3 lacks) goes to
    `_botocore_drift.check`; the rest (a field botocore lacks, a nested field that is not a
    model) fails on any botocore."""
    found = list(problems)
    drift = [p for p in found if "no such field in" in p or " refuses " in p]
    assert [p for p in found if p not in drift] == []
    check(drift)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_every_input_member_and_enum_value_is_in_the_request_model(
    op: Operation[Any, Any],
) -> None:
    shape = _S3.operation_model(op.name).input_shape
    _split_check(missing(shape, op.request, f"{op.name}.input"))


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_every_output_member_and_enum_value_is_in_the_response_model(
    op: Operation[Any, Any],
) -> None:
    shape = _S3.operation_model(op.name).output_shape
    _split_check(missing(shape, op.response, f"{op.name}.output"))


def _unlisted_problems(visited: list[str] | None = None) -> list[str]:
    out: list[str] = []
    for op in OPERATIONS:
        model = _S3.operation_model(op.name)
        for direction, shape, cls in (
            ("input", model.input_shape, op.request),
            ("output", model.output_shape, op.response),
        ):
            out += missing(shape, cls, f"{op.name}.{direction}", {}, {}, visited)
    return out


def test_the_walk_reaches_every_nested_structure() -> None:
    visited: list[str] = []
    _unlisted_problems(visited)
    assert {v for v in visited if v.count(".") > 1} == {
        "CompleteMultipartUpload.input.MultipartUpload=CompletedMultipartUpload",
        "CompleteMultipartUpload.input.MultipartUpload.Parts=CompletedPart",
        "CreateBucket.input.CreateBucketConfiguration=CreateBucketConfiguration",
        "ListParts.output.Parts=Part",
        "ListParts.output.Initiator=Initiator",
        "ListParts.output.Owner=Owner",
        "ListMultipartUploads.output.Uploads=MultipartUploadSummary",
        "ListMultipartUploads.output.Uploads.Owner=Owner",
        "ListMultipartUploads.output.Uploads.Initiator=Initiator",
        "ListMultipartUploads.output.CommonPrefixes=CommonPrefix",
        "CreateSession.output.Credentials=SessionCredentials",
        "PutBucketLifecycleConfiguration.input.LifecycleConfiguration=BucketLifecycleConfiguration",
        *(f"PutBucketLifecycleConfiguration.input.LifecycleConfiguration.{r}" for r in _RULES),
        *(f"GetBucketLifecycleConfiguration.output.{r}" for r in _RULES),
    }
    assert len([v for v in visited if v.count(".") == 1]) == 2 * len(OPERATIONS)


_RULES = (  # a lifecycle rule's structures, in PutBucketLifecycleConfiguration's input and
    # GetBucketLifecycleConfiguration's output
    "Rules=LifecycleRule",
    "Rules.Expiration=LifecycleExpiration",
    "Rules.Filter=LifecycleRuleFilter",
    "Rules.Filter.Tag=Tag",
    "Rules.Filter.And=LifecycleRuleAndOperator",
    "Rules.Filter.And.Tags=Tag",
    "Rules.Transitions=Transition",
    "Rules.NoncurrentVersionTransitions=NoncurrentVersionTransition",
    "Rules.NoncurrentVersionExpiration=NoncurrentVersionExpiration",
    "Rules.AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload",
)


def test_the_lists_name_only_what_botocore_has_and_aios3_lacks() -> None:
    """Each entry of NOT_MODELLED and EXTRA_FIELDS silences a real problem: it goes when
    aios3 gains the member (or botocore drops it)."""
    problems = {p.split(":")[0] for p in _unlisted_problems()}
    assert sorted((set(NOT_MODELLED) | set(EXTRA_FIELDS)) - problems) == []


# ------------------------------------------------------------------ Literal types


def _typed_dicts() -> list[tuple[type, str]]:
    """Every keyword TypedDict with its operation: the client's and the resource's."""
    out = [(td, model.operation_name) for model, td in CLIENT.items()]
    out += [(td, model.operation_name) for td, model, _s, _l in RESOURCE]
    out += [
        (models.CreateBucketConfigurationDict, "CreateBucket.CreateBucketConfiguration"),
        (models.CompletedPartDict, "CompleteMultipartUpload.MultipartUpload.Parts"),
        (models.LifecycleRuleDict, "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules"),
        (
            models.TransitionDict,
            "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules.Transitions",
        ),
        (
            models.NoncurrentVersionTransitionDict,
            "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules."
            "NoncurrentVersionTransitions",
        ),
    ]
    return out


def _shape_at(where: str) -> Any:
    op, *path = where.split(".")
    shape = _S3.operation_model(op).input_shape
    for step in path:
        shape = shape.members[step]
        if shape.type_name == "list":
            shape = shape.member
    return shape


def literal_problems(td: type, shape: Any) -> Iterator[str]:
    """Every enum member of `shape` whose key in `td` is not a `Literal` of exactly the
    enum's values, one line each."""
    hints, _ = _hints(td)
    for name, member in shape.members.items():
        enum = getattr(member, "enum", None)
        if not enum or name not in hints:
            continue
        label = f"{td.__name__}.{name}"
        if f"{shape.name}.{name}" in ENUMS_TYPED_AS_STR:
            continue
        expected = _expected_values(member)
        literals = [t for t in _members(hints[name]) if get_origin(t) is Literal]
        others = [t for t in _members(hints[name]) if get_origin(t) is not Literal]
        got = {v for t in literals for v in get_args(t)}
        if others or not _same_values(got, expected, member.name):
            yield (f"{label}: {hints[name]}, botocore's {member.name} is Literal{sorted(expected)}")


@pytest.mark.parametrize("td_op", _typed_dicts(), ids=lambda t: t[0].__name__)
def test_keyword_types_are_literals_of_botocores_enums(td_op: tuple[type, str]) -> None:
    td, where = td_op
    check(literal_problems(td, _shape_at(where)))


def test_the_literal_aliases_are_botocores_enums() -> None:
    """The exported aliases are the enums' values (a new value in botocore shows here)."""
    for alias, enum in [
        (models.StorageClass, "StorageClass"),
        (models.ObjectCannedACL, "ObjectCannedACL"),
        (models.ServerSideEncryption, "ServerSideEncryption"),
        (models.ChecksumAlgorithm, "ChecksumAlgorithm"),
        (models.TransitionStorageClass, "TransitionStorageClass"),
        (models.TransitionDefaultMinimumObjectSize, "TransitionDefaultMinimumObjectSize"),
        (models.ExpirationStatus, "ExpirationStatus"),
    ]:
        expected = _expected_values(_S3.shape_for(enum))
        if not _same_values(set(get_args(alias)), expected, enum):
            check([f"{enum}: botocore has {sorted(expected - set(get_args(alias)))} more"])


@pytest.mark.parametrize(
    ("member", "value"),
    [("StorageClass", "COLD"), ("ACL", "ceph-acl"), ("ServerSideEncryption", "SSE-X")],
)
def test_at_run_time_any_string_is_taken_as_boto3_takes_it(member: str, value: str) -> None:
    """Ceph, MinIO and others have storage classes (and more) of their own."""
    request = models.CreateMultipartUploadRequest(Bucket="b", Key="k", **{member: value})
    assert request.model_dump(by_alias=True)[member] == value


_SNIPPET = """\
import aios3

async def calls(s3: aios3.S3Client, r: aios3.S3Resource) -> None:
    await s3.create_multipart_upload(Bucket="b", Key="k", StorageClass="STANDARD")
    await s3.create_multipart_upload(Bucket="b", Key="k", StorageClass="STANDRAD")
    await s3.create_multipart_upload(Bucket="b", Key="k", ACL="bucket-owner-full-control")
    await s3.create_multipart_upload(Bucket="b", Key="k", ACL="bucket-owner-full")
    await s3.create_session(Bucket="b", ServerSideEncryption="aws:kms")
    await s3.create_session(Bucket="b", ServerSideEncryption="aws-kms")
    await r.Object("b", "k").initiate_multipart_upload(StorageClass="GLACIER_IR")
    await r.Object("b", "k").initiate_multipart_upload(StorageClass="GLACIER-IR")
    await s3.create_multipart_upload(Bucket="b", Key="k", ObjectLockEventHold="on")
    await s3.upload_part(Bucket="b", Key="k", UploadId="u", PartNumber="1")
"""


def test_mypy_refuses_a_misspelt_enum_value(tmp_path: Any) -> None:
    """What a type checker says of each line above: the misspelt ones are errors, the
    others are not (tests/typing_usage.py has more, checked by CI's mypy run)."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(_SNIPPET)
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\nplugins = pydantic.mypy\n")
    checkout = Path(aios3.__file__).resolve().parent.parent
    env = {} if "site-packages" in checkout.parts else {"MYPYPATH": str(checkout)}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        out, err, _status = api.run(
            [
                "--config-file",
                str(tmp_path / "mypy.ini"),
                "--cache-dir",
                str(tmp_path / "cache"),
                "--python-executable",
                sys.executable,
                "--no-error-summary",
                "--hide-error-context",
                str(snippet),
            ]
        )
    errors = sorted(
        int(line.split(":")[1])
        for line in out.splitlines()
        if line.startswith(str(snippet)) and ": error:" in line
    )
    assert errors == [5, 7, 9, 11, 12, 13], out + err


# ------------------------------------------------------------------ the checks can fail


def _without(model: type[BaseModel], drop: str, **replace: Any) -> type[BaseModel]:
    """A copy of `model` without the field `drop` (and with fields replaced). Its fields
    are copies: pydantic may change a FieldInfo it builds a model with, and the real
    models must stay as they are."""
    fields: dict[str, Any] = {
        name: (info.annotation, copy.deepcopy(info))
        for name, info in model.model_fields.items()
        if name != drop
    }
    fields.update(replace)
    return create_model(f"Drifted{model.__name__}", __base__=model.__base__, **fields)


def test_a_missing_nested_member_is_reported() -> None:
    drifted_part = _without(models.Part, "checksum_sha256")
    drifted = _without(
        models.ListPartsResponse,
        "storage_class",
        parts=(list[drifted_part], Field(default_factory=list, alias="Parts")),  # type: ignore[valid-type]
    )
    shape = _S3.operation_model("ListParts").output_shape
    real = set(missing(shape, models.ListPartsResponse, "ListParts.output"))
    # (what the real model lacks too, on a botocore newer than the checked one, is not
    # the copies' doing)
    assert [p for p in missing(shape, drifted, "ListParts.output") if p not in real] == [
        "ListParts.output.Parts.ChecksumSHA256: no such field in DriftedPart",
        "ListParts.output.StorageClass: no such field in DriftedListPartsResponse",
    ]


def test_a_refused_enum_value_and_an_unknown_field_are_reported() -> None:
    drifted = _without(
        models.CreateMultipartUploadRequest,
        "request_payer",
        request_payer=(Literal["someone"] | None, None),
        made_up=(str | None, None),
    )
    shape = _S3.operation_model("CreateMultipartUpload").input_shape
    problems = list(missing(shape, drifted, "CreateMultipartUpload.input"))
    assert problems == [
        "CreateMultipartUpload.input.RequestPayer: DriftedCreateMultipartUploadRequest "
        "refuses 'requester' (RequestPayer)",
        "CreateMultipartUpload.input.MadeUp: not a botocore member",
    ]


def test_a_literal_that_lacks_a_value_or_is_a_plain_str_is_reported() -> None:
    class Drifted(TypedDict, total=False):
        StorageClass: Literal["STANDARD", "GLACIER"]
        ACL: str
        RequestPayer: Literal["requester"]

    problems = list(literal_problems(Drifted, _shape_at("CreateMultipartUpload")))
    assert [p.split(":")[0] for p in problems] == ["Drifted.ACL", "Drifted.StorageClass"]


def test_the_real_models_pass_where_the_copies_fail() -> None:
    """The copies above differ from the real models only where they were changed."""
    shape = _S3.operation_model("ListParts").output_shape
    check(missing(shape, models.ListPartsResponse, "ListParts.output"))
    assert typing.get_type_hints(models.CreateMultipartUploadParams)["StorageClass"] == (
        models.StorageClass
    )


def test_drift_fails_up_to_the_checked_botocore_and_is_named_beyond_it() -> None:
    from tests.unit import _botocore_drift as drift

    check([], version="99.0.0")  # nothing to report: passes on any botocore
    with pytest.raises(AssertionError):
        check(["X.output.New: no such field in X"], version=drift.CHECKED_AGAINST)
    with pytest.raises(pytest.xfail.Exception, match=r"botocore 99\.0\.0 is newer.*X\.output\.New"):
        check(["X.output.New: no such field in X"], version="99.0.0")
    assert drift.newer_than_checked("1.44.10") and not drift.newer_than_checked("1.44.8")


# ------------------------------------------------------------------ what aios3 had when checked

# On a botocore newer than `_botocore_drift.CHECKED_AGAINST`, the comparisons above report
# a member or value aios3 lacks as XFAIL, as if botocore had just added it: a member that
# aios3 *lost* (a field deleted, a Literal narrowed) read the same, so a regression passed
# CI on any newer botocore. This list is what aios3 had when its models were checked; it
# does not depend on botocore, so a loss fails on every botocore.
CHECKED_MEMBERS = Path(__file__).with_name("checked_members.txt")


def _literal_values(tp: Any) -> set[str]:
    out: set[str] = set()
    for member in _members(tp):
        if get_origin(member) is Literal:
            out |= {str(v) for v in get_args(member)}
        elif get_origin(member) in (list, typing.Sequence, typing.Iterable):
            out |= _literal_values(get_args(member)[0])
    return out


def _model_members(model: type[BaseModel], where: str, out: set[str]) -> None:
    for name, info in model.model_fields.items():
        alias = info.alias or name
        if alias == "ResponseMetadata":
            continue
        label = f"{where}.{alias}"
        out.add(label)
        out |= {f"{label}={v}" for v in _literal_values(info.annotation)}
        nested = _model_in(info.annotation)
        if nested is not None:
            _model_members(nested, label, out)


def modelled_members(
    operations: Iterable[Operation[Any, Any]] = OPERATIONS,
    typed_dicts: Iterable[tuple[type, str]] | None = None,
) -> set[str]:
    """Every field (by its boto3 name) of each operation's models, nested ones included,
    every Literal value they take, and every key and Literal value of the keyword
    TypedDicts: `Op.input.Member[.Nested]`, `...=VALUE`, `TypedDictName.Key[=VALUE]`."""
    out: set[str] = set()
    for op in operations:
        _model_members(op.request, f"{op.name}.input", out)
        _model_members(op.response, f"{op.name}.output", out)
    for td, _ in _typed_dicts() if typed_dicts is None else typed_dicts:
        hints, _ = _hints(td)
        for key, tp in hints.items():
            out.add(f"{td.__name__}.{key}")
            out |= {f"{td.__name__}.{key}={v}" for v in _literal_values(tp)}
    return out


def _checked() -> set[str]:
    return {line for line in CHECKED_MEMBERS.read_text().splitlines() if line}


def test_the_models_keep_what_they_had_when_checked_against_botocore() -> None:
    """A field, key or Literal value that the list has and the models lost fails here on
    any botocore (the drift tests would call it new on a newer one); one the models gained
    goes into the list (`python -m tests.unit.test_model_completeness` rewrites it)."""
    have, checked = modelled_members(), _checked()
    assert sorted(checked - have) == [], "lost since the models were checked against botocore"
    assert sorted(have - checked) == [], (
        "new: rewrite the list with `python -m tests.unit.test_model_completeness`"
    )


def test_a_lost_member_or_value_is_named() -> None:
    lost = _without(models.ListPartsResponse, "upload_id")
    op = next(o for o in OPERATIONS if o.name == "ListParts")

    class Narrowed(TypedDict, total=False):
        StorageClass: Literal["STANDARD"]

    have = modelled_members([op], [])
    assert "ListParts.output.UploadId" in have
    drifted = dataclasses.replace(op, response=lost)
    assert "ListParts.output.UploadId" not in modelled_members([drifted], [])
    values = modelled_members([], [(Narrowed, "CreateMultipartUpload")])
    assert values == {"Narrowed.StorageClass", "Narrowed.StorageClass=STANDARD"}
    assert "ListParts.output.Parts.ChecksumSHA256" in have
    assert "CreateMultipartUploadParams.StorageClass=GLACIER" in modelled_members([])


if __name__ == "__main__":  # rewrite the list after the models gained members or values
    CHECKED_MEMBERS.write_text("".join(f"{m}\n" for m in sorted(modelled_members())))
