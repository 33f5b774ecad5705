"""The bad-input corpus: one row per bad input over the public API (client methods,
paginators, the resource style, `Config`, `S3Client`, the models). The single source of
`tests/unit/test_bad_input.py` (which runs every row) and of `docs/bad-input.md`
(`python -m tests.faults.gen_reliability` renders it).

A row's `run` gets a `Kit`: a client and a resource on a transport that counts requests
(and answers any with 204). The test asserts the row's error class, that the message names
`names`, and that the transport got no request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aios3
from aios3 import models
from aios3.errors import ParamValidationError


@dataclass
class Kit:
    """What a row may use: `s3` (an `S3Client`) and `s3r` (an `S3Resource` on it)."""

    s3: aios3.S3Client
    s3r: aios3.S3Resource


Run = Callable[[Kit], object]
"""Called with the kit; may return an awaitable (awaited), or an async iterator (iterated)."""


@dataclass(frozen=True)
class BadInput:
    """One bad input.

    Attributes:
        where: the part of the API (`client`, `paginator`, `resource`, `Config`,
            `S3Client`, `model`).
        shown: the input, for the docs.
        names: what the error message must name (the offending field).
        run: makes the call.
        error: the error class expected.
        xfail: why the row is a known failure (`pytest.mark.xfail(strict=True)`), or "".
    """

    where: str
    shown: str
    names: str
    run: Run
    error: type[Exception] = ParamValidationError
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.where}:{self.shown}"


VALID: dict[str, dict[str, Any]] = {
    "abort_multipart_upload": {"Bucket": "b", "Key": "k", "UploadId": "u"},
    "create_multipart_upload": {"Bucket": "b", "Key": "k"},
    "upload_part": {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1, "Body": b"x"},
    "complete_multipart_upload": {
        "Bucket": "b",
        "Key": "k",
        "UploadId": "u",
        "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"e"'}]},
    },
    "list_parts": {"Bucket": "b", "Key": "k", "UploadId": "u"},
    "list_multipart_uploads": {"Bucket": "b"},
    "create_session": {"Bucket": "b--usw2-az1--x-s3"},
    "create_bucket": {"Bucket": "b"},
    "delete_bucket": {"Bucket": "b"},
    "head_object": {"Bucket": "b", "Key": "k"},
    "delete_object": {"Bucket": "b", "Key": "k"},
}
MISSING = object()
"""A value in `op(...)`: leave the parameter out."""


def _short(value: object) -> str:
    text = repr(value)
    if " at 0x" in text or text.startswith("<aios3."):  # stable in the docs
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 70 else text[:67] + "..."


def op(method: str, names: str, xfail: str = "", **changes: Any) -> BadInput:
    """A client call: the method's valid parameters with `changes` (`MISSING`: left out)."""
    params = {**VALID[method], **changes}
    params = {k: v for k, v in params.items() if v is not MISSING}
    shown = ", ".join(
        f"{k} missing" if v is MISSING else f"{k}={_short(v)}" for k, v in changes.items()
    )
    return BadInput(
        "client",
        f"{method}({shown})",
        names,
        lambda kit: getattr(kit.s3, method)(**params),
        xfail=xfail,
    )


def pages(method: str, names: str, *, config: Any = MISSING, **changes: Any) -> BadInput:
    """`get_paginator(method).paginate(...)`, iterated."""
    params = {**VALID[method], **changes}
    params = {k: v for k, v in params.items() if v is not MISSING}
    if config is not MISSING:
        params["PaginationConfig"] = config
    shown = ", ".join(
        [f"{k} missing" if v is MISSING else f"{k}={_short(v)}" for k, v in changes.items()]
        + ([] if config is MISSING else [f"PaginationConfig={_short(config)}"])
    )
    return BadInput(
        "paginator",
        f"{method} paginate({shown})",
        names,
        lambda kit: kit.s3.get_paginator(method).paginate(**params),  # type: ignore[call-overload]
    )


def config(names: str, **kwargs: Any) -> BadInput:
    shown = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
    return BadInput("Config", f"Config({shown})", names, lambda kit: aios3.Config(**kwargs))


def client(names: str, **kwargs: Any) -> BadInput:
    shown = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
    return BadInput("S3Client", f"S3Client({shown})", names, lambda kit: aios3.S3Client(**kwargs))


def model(cls: type[Any], names: str, **kwargs: Any) -> BadInput:
    shown = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
    return BadInput("model", f"{cls.__name__}({shown})", names, lambda kit: cls(**kwargs))


def resource(shown: str, names: str, run: Run) -> BadInput:
    return BadInput("resource", shown, names, run)


async def _chunks() -> AsyncIterator[bytes]:
    yield b"x"


_PARTS = [{"PartNumber": 1, "ETag": '"e"'}]
_AWARE = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
_NAIVE = dt.datetime(2030, 1, 1)

# ------------------------------------------------------------------ every operation, alike
# optional in botocore's model too (an empty part; S3 refuses a Complete without parts)
_OPTIONAL = {("upload_part", "Body"), ("complete_multipart_upload", "MultipartUpload")}
_LAX_STR = "pydantic's lax mode takes bytes for a str; botocore refuses them (strict types)"
_COMMON: list[BadInput] = []
for _m, _valid in VALID.items():
    for _name in _valid:
        if (_m, _name) not in _OPTIONAL:
            _COMMON.append(op(_m, _name, **{_name: MISSING}))  # each required parameter
    _COMMON += [
        op(_m, "Bucket", Bucket=123),
        op(_m, "Bucket", Bucket=""),
        op(_m, "Bogus", Bogus=1),
    ]
    if _m != "create_session" and _m != "create_bucket" and _m != "delete_bucket":
        _COMMON.append(op(_m, "ExpectedBucketOwner", ExpectedBucketOwner="not-an-account"))
    if "Key" in _valid:
        _COMMON += [op(_m, "Key", Key=""), op(_m, "Key", Key=7)]
    if "UploadId" in _valid:
        _COMMON += [op(_m, "UploadId", UploadId=""), op(_m, "UploadId", UploadId=1.5)]

# ------------------------------------------------------------------ per operation
_OPS: list[BadInput] = [
    # AbortMultipartUpload
    op("abort_multipart_upload", "IfMatchInitiatedTime", IfMatchInitiatedTime="yesterday"),
    op("abort_multipart_upload", "IfMatchInitiatedTime", IfMatchInitiatedTime=_NAIVE),
    op("abort_multipart_upload", "RequestPayer", RequestPayer=["requester"]),
    # CreateMultipartUpload
    op("create_multipart_upload", "x-amz-meta-a", Metadata={"a": "x\r\nX-Evil: 1"}),
    op("create_multipart_upload", "Metadata", Metadata={"a": 1}),
    op("create_multipart_upload", "Metadata", Metadata=["a", "b"]),
    op("create_multipart_upload", "Content-Type", ContentType="a\nb"),
    op("create_multipart_upload", "ContentType", ContentType=3),
    op("create_multipart_upload", "Expires", Expires="next week"),
    op("create_multipart_upload", "ObjectLockMode", ObjectLockMode="FOREVER"),
    op("create_multipart_upload", "ObjectLockLegalHoldStatus", ObjectLockLegalHoldStatus="MAYBE"),
    op("create_multipart_upload", "ObjectLockRetainUntilDate", ObjectLockRetainUntilDate="soon"),
    op("create_multipart_upload", "ChecksumAlgorithm", ChecksumAlgorithm="MD4"),
    op("create_multipart_upload", "ChecksumType", ChecksumType="PARTIAL"),
    op("create_multipart_upload", "BucketKeyEnabled", BucketKeyEnabled="sometimes"),
    op("create_multipart_upload", "SSECustomerKey", SSECustomerKey=12345),
    op("create_multipart_upload", "Tagging", Tagging={"a": "b"}),
    # UploadPart
    op("upload_part", "PartNumber", PartNumber=0),
    op("upload_part", "PartNumber", PartNumber=-1),
    op("upload_part", "PartNumber", PartNumber=10001),
    op("upload_part", "PartNumber", PartNumber=1.5),
    op("upload_part", "PartNumber", PartNumber=None),
    op("upload_part", "PartNumber", PartNumber="1"),
    op("upload_part", "PartNumber", PartNumber=True),
    op("upload_part", "Body", Body="text"),
    op("upload_part", "Body", Body=42),
    op("upload_part", "Body", Body=[b"a", b"b"]),
    op("upload_part", "Body", Body=None),
    op("upload_part", "ContentLength", Body=_chunks()),  # an async iterable needs a length
    op("upload_part", "ContentLength", ContentLength=-1),
    op("upload_part", "ContentLength", ContentLength="ten"),
    op("upload_part", "ContentLength", ContentLength=5),  # Body has 1 byte
    op("upload_part", "ChecksumAlgorithm", ChecksumAlgorithm="MD5SUM"),
    op("upload_part", "ChecksumCRC32", ChecksumCRC32=123),
    op("upload_part", "ContentMD5", _LAX_STR, ContentMD5=b"md5"),
    op("upload_part", "SSECustomerAlgorithm", SSECustomerAlgorithm=256),
    # CompleteMultipartUpload
    op("complete_multipart_upload", "MultipartUpload", MultipartUpload="parts"),
    op("complete_multipart_upload", "Part", MultipartUpload={"Part": _PARTS}),
    op("complete_multipart_upload", "Parts", MultipartUpload={"Parts": "1,2"}),
    op("complete_multipart_upload", "Parts", MultipartUpload={"Parts": [1, 2]}),
    op(
        "complete_multipart_upload",
        "Etag",
        MultipartUpload={"Parts": [{"PartNumber": 1, "Etag": "e"}]},
    ),
    op("complete_multipart_upload", "Size", MultipartUpload={"Parts": [{**_PARTS[0], "Size": 5}]}),
    op(
        "complete_multipart_upload",
        "PartNumber",
        MultipartUpload={"Parts": [{"PartNumber": "x", "ETag": "e"}]},
    ),
    op(
        "complete_multipart_upload",
        "PartNumber",
        MultipartUpload={"Parts": [{"PartNumber": 0, "ETag": "e"}]},
    ),
    op(
        "complete_multipart_upload",
        "ETag",
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": 5}]},
    ),
    op(
        "complete_multipart_upload",
        "ChecksumCRC32",
        MultipartUpload={"Parts": [{**_PARTS[0], "ChecksumCRC32": 1}]},
    ),
    op("complete_multipart_upload", "MpuObjectSize", MpuObjectSize=-1),
    op("complete_multipart_upload", "IfNoneMatch", IfNoneMatch=1),
    # ListParts
    op("list_parts", "MaxParts", MaxParts=-1),
    op("list_parts", "MaxParts", MaxParts="many"),
    op("list_parts", "MaxParts", MaxParts="10"),
    op("list_parts", "PartNumberMarker", PartNumberMarker=-1),
    op("list_parts", "PartNumberMarker", PartNumberMarker="next"),
    # ListMultipartUploads
    op("list_multipart_uploads", "MaxUploads", MaxUploads=-5),
    op("list_multipart_uploads", "MaxUploads", MaxUploads=[1]),
    op("list_multipart_uploads", "Prefix", Prefix=3),
    op("list_multipart_uploads", "Delimiter", _LAX_STR, Delimiter=b"/"),
    op("list_multipart_uploads", "EncodingType", EncodingType="base64"),
    op("list_multipart_uploads", "KeyMarker", KeyMarker=1),
    # CreateSession
    op("create_session", "SessionMode", SessionMode="Admin"),
    op("create_session", "BucketKeyEnabled", BucketKeyEnabled="yes please"),
    # CreateBucket
    op("create_bucket", "CreateBucketConfiguration", CreateBucketConfiguration="eu-west-1"),
    op("create_bucket", "Region", CreateBucketConfiguration={"Region": "eu-west-1"}),
    op("create_bucket", "ACL", ACL=["private"]),
    op("create_bucket", "ObjectLockEnabledForBucket", ObjectLockEnabledForBucket="maybe"),
    # HeadObject
    op("head_object", "PartNumber", PartNumber=0),
    op("head_object", "IfModifiedSince", IfModifiedSince="yesterday"),
    op("head_object", "ChecksumMode", ChecksumMode="ON"),
    op("head_object", "VersionId", VersionId=1),
    op("head_object", "Range", Range=(0, 10)),
    # DeleteObject
    op("delete_object", "VersionId", VersionId=["v1"]),
    op("delete_object", "BypassGovernanceRetention", BypassGovernanceRetention="sure"),
    op("delete_object", "MFA", MFA=123),
]

# ------------------------------------------------------------------ the request model form
_POSITIONAL: list[BadInput] = [
    BadInput(
        "client",
        "abort_multipart_upload(request, Bucket='b')",
        "Bucket",
        lambda kit: kit.s3.abort_multipart_upload(
            models.AbortMultipartUploadRequest(Bucket="b", Key="k", UploadId="u"),
            Bucket="other",  # type: ignore[call-overload]
        ),
    ),
    BadInput(
        "client",
        "abort_multipart_upload(ListPartsRequest(...))",
        "AbortMultipartUploadRequest",
        lambda kit: kit.s3.abort_multipart_upload(
            models.ListPartsRequest(Bucket="b", Key="k", UploadId="u")  # type: ignore[call-overload]
        ),
    ),
    BadInput(
        "client",
        "upload_part({'Bucket': 'b', ...})",
        "UploadPartRequest",
        lambda kit: kit.s3.upload_part(VALID["upload_part"]),  # type: ignore[call-overload]
    ),
]

# ------------------------------------------------------------------ paginators
_PAGINATORS: list[BadInput] = [
    BadInput(
        "paginator",
        "get_paginator('list_objects_v2')",
        "list_objects_v2",
        lambda kit: kit.s3.get_paginator("list_objects_v2"),
    ),  # type: ignore[call-overload]
    BadInput(
        "paginator",
        "get_paginator('abort_multipart_upload')",
        "abort_multipart_upload",
        lambda kit: kit.s3.get_paginator("abort_multipart_upload"),
    ),  # type: ignore[call-overload]
    pages("list_parts", "UploadId", UploadId=MISSING),
    pages("list_parts", "Bogus", Bogus=1),
    pages("list_parts", "MaxParts", MaxParts=-1),
    pages("list_parts", "MaxItems", config={"MaxItems": -1}),
    pages("list_parts", "MaxItems", config={"MaxItems": "ten"}),
    pages("list_parts", "PageSize", config={"PageSize": -1}),
    pages("list_parts", "PageSize", config={"PageSize": 1.5}),
    pages("list_parts", "Bogus", config={"Bogus": 1}),
    pages("list_parts", "StartingToken", config={"StartingToken": "not a token"}),
    pages("list_parts", "StartingToken", config={"StartingToken": 12}),
    pages("list_parts", "PaginationConfig", config=["MaxItems", 1]),
    pages("list_multipart_uploads", "Bucket", Bucket=MISSING),
    pages("list_multipart_uploads", "MaxUploads", MaxUploads=-1),
    pages("list_multipart_uploads", "MaxItems", config={"MaxItems": -3}),
    pages("list_multipart_uploads", "StartingToken", config={"StartingToken": "eyJ4IjogMX0="}),
    BadInput(
        "paginator",
        "iter_parts(UploadId missing)",
        "UploadId",
        lambda kit: kit.s3.iter_parts(Bucket="b", Key="k"),
    ),  # type: ignore[call-arg]
    BadInput(
        "paginator",
        "iter_multipart_uploads(Bucket=5)",
        "Bucket",
        lambda kit: kit.s3.iter_multipart_uploads(Bucket=5),
    ),  # type: ignore[arg-type]
]

# ------------------------------------------------------------------ the resource style
_RESOURCE: list[BadInput] = [
    resource(
        "Bucket(123).multipart_uploads.all()",
        "Bucket",
        lambda kit: kit.s3r.Bucket(123).multipart_uploads.all(),
    ),  # type: ignore[arg-type]
    resource(
        "Bucket('b').multipart_uploads.filter(Bogus=1)",
        "Bogus",
        lambda kit: kit.s3r.Bucket("b").multipart_uploads.filter(Bogus=1),
    ),  # type: ignore[call-arg]
    resource(
        "Bucket('b').multipart_uploads.limit(-1)",
        "limit",
        lambda kit: kit.s3r.Bucket("b").multipart_uploads.limit(-1),
    ),
    resource(
        "Bucket('b').multipart_uploads.page_size(0)",
        "page_size",
        lambda kit: kit.s3r.Bucket("b").multipart_uploads.page_size(0),
    ),
    resource(
        "Object('b', '').initiate_multipart_upload()",
        "Key",
        lambda kit: kit.s3r.Object("b", "").initiate_multipart_upload(),
    ),
    resource(
        "Object('b', 'k').initiate_multipart_upload(Bogus=1)",
        "Bogus",
        lambda kit: kit.s3r.Object("b", "k").initiate_multipart_upload(Bogus=1),
    ),  # type: ignore[call-arg]
    resource(
        "Object(...).initiate_multipart_upload(Metadata={'a': 1})",
        "Metadata",
        lambda kit: kit.s3r.Object("b", "k").initiate_multipart_upload(Metadata={"a": 1}),
    ),  # type: ignore[dict-item]
    resource(
        "MultipartUpload('b', 'k', '').abort()",
        "UploadId",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "").abort(),
    ),
    resource(
        "MultipartUpload(...).abort(Bogus=1)",
        "Bogus",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").abort(Bogus=1),
    ),  # type: ignore[call-arg]
    resource(
        "MultipartUpload(...).abort(ExpectedBucketOwner='x')",
        "ExpectedBucketOwner",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").abort(ExpectedBucketOwner="x"),
    ),
    resource(
        "MultipartUpload(...).complete(MultipartUpload={'Part': ...})",
        "Part",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").complete(
            MultipartUpload={"Part": _PARTS}
        ),
    ),  # type: ignore[typeddict-unknown-key]
    resource(
        "MultipartUpload(...).complete(UploadId='other')",
        "UploadId",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").complete(UploadId="other"),
    ),  # type: ignore[call-arg]
    resource(
        "MultipartUpload(...).parts.filter(Bogus=5)",
        "Bogus",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").parts.filter(Bogus=5),
    ),  # type: ignore[call-arg]
    resource(
        "Object('b', 'k').initiate_multipart_upload(Key='other')",
        "Key",
        lambda kit: kit.s3r.Object("b", "k").initiate_multipart_upload(Key="other"),
    ),  # type: ignore[call-arg]
    resource(
        "MultipartUpload(...).Part(0).upload(Body=b'x')",
        "PartNumber",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").Part(0).upload(Body=b"x"),
    ),
    resource(
        "MultipartUpload(...).Part(1).upload(Body='x')",
        "Body",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").Part(1).upload(Body="x"),
    ),  # type: ignore[arg-type]
    resource(
        "MultipartUpload(...).Part(1).upload(PartNumber=2)",
        "PartNumber",
        lambda kit: kit.s3r.MultipartUpload("b", "k", "u").Part(1).upload(PartNumber=2),
    ),  # type: ignore[call-arg]
    resource(
        "S3Resource(region_name='../x')",
        "region_name",
        lambda kit: aios3.S3Resource(region_name="../x"),
    ),
    resource("S3Resource(config={})", "config", lambda kit: aios3.S3Resource(config={})),  # type: ignore[arg-type]
]

# ------------------------------------------------------------------ Config(...)
_CONFIG: list[BadInput] = [
    config("connect_timeout", connect_timeout=-1),
    config("connect_timeout", connect_timeout=0),
    config("connect_timeout", connect_timeout=float("inf")),
    config("connect_timeout", connect_timeout="fast"),
    config("read_timeout", read_timeout=float("nan")),
    config("read_timeout", read_timeout=-0.5),
    config("read_timeout", read_timeout=None),
    config("max_attempts", max_attempts=0),
    config("max_attempts", max_attempts=-2),
    config("max_attempts", max_attempts="three"),
    config("retries", retries={"max_attempts": -1}),
    config("retries", retries={"total_max_attempts": 0}),
    config("retries", retries={"bogus": 1}),
    config("retries", retries={"mode": "turbo"}),
    config("retries", retries="standard"),
    config("retry_strategy", retry_strategy=object()),
    config("retry_strategy", retry_strategy=aios3.retries.StandardRetryStrategy(), max_attempts=2),
    config("max_pool_connections", max_pool_connections=0),
    config("max_pool_connections", max_pool_connections="ten"),
    config("verify", verify=""),
    config("verify", verify="/nonexistent/ca-bundle.pem"),
    config("verify", verify=1.5),
    config("addressing_style", addressing_style="sideways"),
    config("use_fips_endpoint", use_fips_endpoint="perhaps"),
    config("use_dualstack_endpoint", use_dualstack_endpoint=[True]),
    config("max_response_bytes", max_response_bytes=0),
    config("max_response_bytes", max_response_bytes="16MiB"),
    config("bogus_option", bogus_option=1),
    config("proxies", proxies={"https": "http://proxy:3128"}),
]

# ------------------------------------------------------------------ S3Client(...)
_KEYS = {"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}
_CLIENT: list[BadInput] = [
    client("region_name", region_name="../evil"),
    client("region_name", region_name="us-east-1\r\nX: 1"),
    client("region_name", region_name=5),
    client("endpoint_url", endpoint_url="ftp://127.0.0.1"),
    client("endpoint_url", endpoint_url="127.0.0.1:9000"),
    client("endpoint_url", endpoint_url="http://"),
    client("endpoint_url", endpoint_url="http://h:99999"),
    client("endpoint_url", endpoint_url=b"http://h"),
    client("endpoint_url", endpoint_url="http://u:p@127.0.0.1"),
    client("aws_access_key_id", aws_access_key_id="AK\nX", aws_secret_access_key="SK"),
    client("aws_access_key_id", aws_access_key_id=1, aws_secret_access_key="SK"),
    client("aws_secret_access_key", aws_access_key_id="AK", aws_secret_access_key=b"SK"),
    client("aws_secret_access_key", aws_access_key_id="AK"),
    client("aws_access_key_id", aws_secret_access_key="SK"),
    client("aws_session_token", aws_session_token="t\x00", **_KEYS),
    client("config", config={"max_attempts": 2}),
    client("transport", transport=object()),
    client("profile_name", profile_name=7),
    BadInput(
        "S3Client", "S3Client(bogus=1)", "bogus", lambda kit: aios3.S3Client(bogus=1), TypeError
    ),  # Python's own, as boto3.client("s3", bogus=1)
]

# ------------------------------------------------------------------ the models directly
_MODELS: list[BadInput] = [
    model(models.AbortMultipartUploadRequest, "UploadId", Bucket="b", Key="k"),
    model(models.AbortMultipartUploadRequest, "Bucket", Bucket=1, Key="k", UploadId="u"),
    model(models.UploadPartRequest, "PartNumber", Bucket="b", Key="k", UploadId="u", PartNumber=0),
    model(
        models.UploadPartRequest, "Body", Bucket="b", Key="k", UploadId="u", PartNumber=1, Body="s"
    ),
    model(models.CompletedPart, "PartNumber", PartNumber="one", ETag="e"),
    model(models.CompletedPart, "Etag", PartNumber=1, Etag="e"),
    model(models.CompletedMultipartUpload, "Part", Part=[]),
    model(models.ListPartsRequest, "MaxParts", Bucket="b", Key="k", UploadId="u", MaxParts=-1),
    model(models.ListMultipartUploadsRequest, "Bucket", Bucket=""),
    model(models.CreateBucketRequest, "Bucket", Bucket=None),
    model(models.HeadObjectRequest, "Key", Bucket="b", Key=""),
    model(models.DeleteObjectRequest, "Bogus", Bucket="b", Key="k", Bogus=True),
    model(models.CreateSessionRequest, "SessionMode", Bucket="b--usw2-az1--x-s3", SessionMode="x"),
    model(models.CreateMultipartUploadRequest, "Expires", Bucket="b", Key="k", Expires=[]),
]

CORPUS: list[BadInput] = [
    *_COMMON,
    *_OPS,
    *_POSITIONAL,
    *_PAGINATORS,
    *_RESOURCE,
    *_CONFIG,
    *_CLIENT,
    *_MODELS,
]
