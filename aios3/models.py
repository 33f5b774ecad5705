"""Typed requests and responses of the multipart-upload family.

Fields are snake_case; each has boto3's PascalCase name as its alias, and both spellings are
accepted on input:

```python
AbortMultipartUploadRequest(Bucket="b", Key="k", UploadId="u")
AbortMultipartUploadRequest(bucket="b", key="k", upload_id="u")
```

Response models give the boto3-shaped dict with `.to_dict()`.

Request models validate what S3 forbids before anything is sent; through the client,
a bad value raises `aios3.errors.ParamValidationError` naming the parameter.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# from its string at import, a fifth of this module's import time; the few forward
# references are quoted instead.

import re
from collections.abc import AsyncIterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Protocol, Union, runtime_checkable

from botocore.utils import parse_to_aware_datetime
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    SecretStr,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
)
from pydantic.version import VERSION as PYDANTIC_VERSION
from typing_extensions import Required, TypedDict

from ._wire import Header, HeaderPrefix, Payload, Query, Uri
from .errors import ParamValidationError

__all__ = [
    "AbortIncompleteMultipartUpload",
    "AbortIncompleteMultipartUploadDict",
    "AbortMultipartUploadParams",
    "AbortMultipartUploadRequest",
    "AbortMultipartUploadResponse",
    "AbortRound",
    "AbortRuleRemovalResult",
    "AbortRuleResult",
    "Body",
    "BucketLifecycleConfiguration",
    "BucketLifecycleConfigurationDict",
    "ChecksumAlgorithm",
    "CommonPrefix",
    "CompleteMultipartUploadParams",
    "CompleteMultipartUploadRequest",
    "CompleteMultipartUploadResponse",
    "CompletedMultipartUpload",
    "CompletedMultipartUploadDict",
    "CompletedPart",
    "CompletedPartDict",
    "CreateBucketConfiguration",
    "CreateBucketConfigurationDict",
    "CreateBucketParams",
    "CreateBucketRequest",
    "CreateBucketResponse",
    "CreateMultipartUploadParams",
    "CreateMultipartUploadRequest",
    "CreateMultipartUploadResponse",
    "CreateSessionParams",
    "CreateSessionRequest",
    "CreateSessionResponse",
    "DeleteBucketLifecycleParams",
    "DeleteBucketLifecycleRequest",
    "DeleteBucketLifecycleResponse",
    "DeleteBucketParams",
    "DeleteBucketRequest",
    "DeleteBucketResponse",
    "DeleteObjectParams",
    "DeleteObjectRequest",
    "DeleteObjectResponse",
    "ExpirationStatus",
    "GetBucketLifecycleConfigurationParams",
    "GetBucketLifecycleConfigurationRequest",
    "GetBucketLifecycleConfigurationResponse",
    "HeadObjectParams",
    "HeadObjectRequest",
    "HeadObjectResponse",
    "Initiator",
    "LifecycleExpiration",
    "LifecycleExpirationDict",
    "LifecycleRule",
    "LifecycleRuleAndOperator",
    "LifecycleRuleAndOperatorDict",
    "LifecycleRuleDict",
    "LifecycleRuleFilter",
    "LifecycleRuleFilterDict",
    "ListMultipartUploadsParams",
    "ListMultipartUploadsRequest",
    "ListMultipartUploadsResponse",
    "ListPartsParams",
    "ListPartsRequest",
    "ListPartsResponse",
    "MultipartUploadSummary",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionExpirationDict",
    "NoncurrentVersionTransition",
    "NoncurrentVersionTransitionDict",
    "ObjectCannedACL",
    "Owner",
    "Part",
    "PutBucketLifecycleConfigurationParams",
    "PutBucketLifecycleConfigurationRequest",
    "PutBucketLifecycleConfigurationResponse",
    "PutObjectParams",
    "PutObjectRequest",
    "PutObjectResponse",
    "Readable",
    "RequestModel",
    "ResponseMetadata",
    "ResponseModel",
    "ServerSideEncryption",
    "SessionCredentials",
    "StorageClass",
    "Tag",
    "TagDict",
    "Transition",
    "TransitionDefaultMinimumObjectSize",
    "TransitionDict",
    "TransitionStorageClass",
    "UploadPartParams",
    "UploadPartRequest",
    "UploadPartResponse",
    "UploadResponse",
    "VerifiedAbortResponse",
]

# --------------------------------------------------------------------------- naming

_WORDS = {
    "acl": "ACL",
    "acp": "ACP",
    "mfa": "MFA",
    "sse": "SSE",
    "kms": "KMS",
    "md5": "MD5",
    "crc32": "CRC32",
    "crc32c": "CRC32C",
    "crc64nvme": "CRC64NVME",
    "sha1": "SHA1",
    "sha256": "SHA256",
    "sha512": "SHA512",
    "xxhash64": "XXHASH64",
    "xxhash3": "XXHASH3",
    "xxhash128": "XXHASH128",
    "etag": "ETag",
}


def _pascal(name: str) -> str:
    return "".join(_WORDS.get(p, p[:1].upper() + p[1:]) for p in name.split("_"))


# pydantic before 2.12 applies the alias generator only when a schema is built: deferred
# there, `model_fields[name].alias` (which the serializer and the command line read) would
# stay None until a model's first use
_DEFER_BUILD = tuple(int(p) for p in PYDANTIC_VERSION.split(".")[:2]) >= (2, 12)


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=_pascal,
        populate_by_name=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=False,
        arbitrary_types_allowed=True,
        # schemas are built on a model's first use, not at import (most programs use a
        # few of the models; building all of them was most of `import aios3`)
        defer_build=_DEFER_BUILD,
    )


# --------------------------------------------------------------------------- shared types

ChecksumAlgorithm = Literal[
    "CRC32",
    "CRC32C",
    "SHA1",
    "SHA256",
    "CRC64NVME",
    "SHA512",
    "MD5",
    "XXHASH64",
    "XXHASH3",
    "XXHASH128",
]
ChecksumType = Literal["COMPOSITE", "FULL_OBJECT"]
RequestPayer = Literal["requester"]

# The values of botocore's enums, for type checkers: the keyword TypedDicts below use them,
# so `StorageClass="STANDRAD"` is a type error. At run time the request models take any
# string for these three, as boto3 does: Ceph, MinIO and others have values of their own
# (tests/unit/test_model_completeness.py keeps each equal to botocore's enum).
ObjectCannedACL = Literal[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
]
"""The canned ACLs of objects (`ACL` of CreateMultipartUpload), as in botocore."""
StorageClass = Literal[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
    "FSX_ONTAP",
    "AWS_BACKUP_WARM",
    "AWS_BACKUP_LOW_COST_WARM",
]
"""AWS's storage classes (`StorageClass` of CreateMultipartUpload), as in botocore."""
ServerSideEncryption = Literal["AES256", "aws:fsx", "aws:backup", "aws:kms", "aws:kms:dsse"]
"""The server-side encryption algorithms (`ServerSideEncryption`), as in botocore."""
OnOff = Literal["ON", "OFF"]  # ObjectLockEventHold


def _timestamp(value: object) -> object:
    """A timestamp parameter as botocore reads one (`parse_to_aware_datetime`): a datetime
    (naive ones are UTC), an ISO 8601 or HTTP-date string, or epoch seconds (an int, a float
    or a string of digits), all UTC when they say no zone. `bool` and `date` are refused:
    botocore sends `True` as 1970-01-01T00:00:01 and refuses a date."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        kind = "a date without a time" if isinstance(value, date) else type(value).__name__
        raise ValueError(
            f"must be a datetime, an ISO 8601 or HTTP-date string, or epoch seconds, not {kind}"
        )
    try:
        parsed: datetime = parse_to_aware_datetime(value)
    except (ValueError, TypeError, AttributeError, OverflowError, OSError, RuntimeError):
        raise ValueError(
            "cannot be read as a timestamp: give a datetime, an ISO 8601 or HTTP-date "
            "string, or epoch seconds"
        ) from None
    return parsed.astimezone(timezone.utc)


Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
"""A timestamp parameter: what botocore accepts, checked before sending."""
AwareTimestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp)]
"""The same, but a naive datetime is refused rather than taken as UTC (a conditional abort
with `datetime.now()` would otherwise compare local time as UTC)."""

_ACCOUNT_ID = re.compile(r"\d{12}")
_BUCKET = re.compile(r"[a-zA-Z0-9.\-_]{1,255}")
_ARN = re.compile(r"arn:[^:]+:(s3|s3-object-lambda|s3-outposts):[^:]*:[^:]*:.+")


def _check_bucket(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    if _BUCKET.fullmatch(value) or _ARN.fullmatch(value):
        return value
    raise ValueError(
        f"invalid bucket name {value!r}: it must match {_BUCKET.pattern!r} or be an "
        "access-point / Outposts ARN"
    )


def _check_owner(value: str | None) -> str | None:
    if value is not None and not _ACCOUNT_ID.fullmatch(value):
        raise ValueError(f"must be a 12-digit AWS account id, got {value!r}")
    return value


BucketName = Annotated[str, Field(min_length=1), Uri("Bucket")]
ObjectKey = Annotated[str, Field(min_length=1), Uri("Key")]
UploadIdQ = Annotated[str, Field(min_length=1), Query("uploadId")]
PayerH = Annotated[RequestPayer | None, Header("x-amz-request-payer")]
OwnerH = Annotated[str | None, Header("x-amz-expected-bucket-owner")]
SSECAlgorithmH = Annotated[str | None, Header("x-amz-server-side-encryption-customer-algorithm")]
SSECKeyH = Annotated[
    str | bytes | None, Header("x-amz-server-side-encryption-customer-key"), Field(repr=False)
]
SSECKeyMD5H = Annotated[str | None, Header("x-amz-server-side-encryption-customer-key-MD5")]
CRC32H = Annotated[str | None, Header("x-amz-checksum-crc32")]
CRC32CH = Annotated[str | None, Header("x-amz-checksum-crc32c")]
CRC64NVMEH = Annotated[str | None, Header("x-amz-checksum-crc64nvme")]
SHA1H = Annotated[str | None, Header("x-amz-checksum-sha1")]
SHA256H = Annotated[str | None, Header("x-amz-checksum-sha256")]
SHA512H = Annotated[str | None, Header("x-amz-checksum-sha512")]
MD5H = Annotated[str | None, Header("x-amz-checksum-md5")]
XXHASH64H = Annotated[str | None, Header("x-amz-checksum-xxhash64")]
XXHASH3H = Annotated[str | None, Header("x-amz-checksum-xxhash3")]
XXHASH128H = Annotated[str | None, Header("x-amz-checksum-xxhash128")]


@runtime_checkable
class Readable(Protocol):
    """A binary file object: anything with `read(size) -> bytes`."""

    def read(self, size: int = -1, /) -> bytes: ...


def _check_body(value: object) -> object:
    if isinstance(value, bytes | bytearray | memoryview):
        return value
    if isinstance(value, str):
        raise ValueError("must be bytes, not str: encode it first (e.g. body.encode())")
    if isinstance(value, Readable) or hasattr(value, "__aiter__"):
        return value
    raise ValueError(
        "must be bytes, bytearray, memoryview, a binary file object or an async iterable "
        f"of bytes, got {type(value).__name__}"
    )


Body = Union[bytes, bytearray, memoryview, Readable, AsyncIterable[bytes]]  # noqa: UP007
"""What `UploadPart` accepts as `Body`."""


def param_error(what: str, exc: ValidationError) -> ParamValidationError:
    """pydantic's `ValidationError` as aios3's `ParamValidationError`, one line per problem
    naming the parameter (input values are left out: they may be secrets)."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or what
        problems.append(f"{loc}: {err['msg']}")
    return ParamValidationError(
        f"Invalid parameters for {what}:\n  " + "\n  ".join(problems), problems
    )


class RequestModel(_Model):
    """Base of request models: unknown parameters are refused, as boto3 does.

    Building one with bad values raises `aios3.errors.ParamValidationError`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    operation_name: ClassVar[str]

    if not TYPE_CHECKING:  # keep pydantic's typed __init__ signature for type checkers

        def __init__(self, /, **data: object) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise param_error(self.operation_name, exc) from None

    @field_validator("bucket", mode="after", check_fields=False)
    @classmethod
    def _v_bucket(cls, v: str) -> str:
        return _check_bucket(v)

    @field_validator("expected_bucket_owner", mode="after", check_fields=False)
    @classmethod
    def _v_owner(cls, v: str | None) -> str | None:
        return _check_owner(v)


# --------------------------------------------------------------------------- responses


class ResponseMetadata(_Model):
    """What the HTTP exchange said, as boto3's `ResponseMetadata`.

    `request_id` is `x-amzn-requestid` or else `x-amz-request-id` (botocore's order), and
    `host_id` is `x-amz-id-2`; both are `""` when the answer had none.
    """

    request_id: str = ""
    host_id: str = ""
    http_status_code: int = Field(0, alias="HTTPStatusCode")
    http_headers: dict[str, str] = Field(default_factory=dict, alias="HTTPHeaders", repr=False)
    """The answer's headers (left out of `repr`: they may carry an SSE-KMS key id or
    encryption context)."""
    retry_attempts: int = 0

    def to_dict(self) -> dict[str, object]:
        """boto3's `ResponseMetadata` dict, with its keys present as botocore's are.

        botocore gives `RequestId` only when a request-id header came, and `HostId` only
        beside `x-amz-request-id` (not beside `x-amzn-requestid`). Metadata built by hand
        with a `request_id` but without those headers keeps both ids.
        """
        h = self.http_headers
        d: dict[str, object] = {}
        if "x-amzn-requestid" in h:
            d["RequestId"] = self.request_id
        elif "x-amz-request-id" in h or self.request_id:  # (or built by hand: a stub)
            d["RequestId"] = self.request_id
            d["HostId"] = self.host_id
        d["HTTPStatusCode"] = self.http_status_code
        d["HTTPHeaders"] = dict(h)
        d["RetryAttempts"] = self.retry_attempts
        return d


class ResponseModel(_Model):
    """Base of response models."""

    model_config = ConfigDict(extra="ignore")
    response_metadata: ResponseMetadata = Field(default_factory=ResponseMetadata)

    def to_dict(self) -> dict[str, object]:
        """The boto3-shaped response dict: PascalCase keys, and only the members the
        answer had, as in boto3's dict.

        A member the server did not send is left out even where the attribute holds a
        default (`Parts`, `Uploads`, `CommonPrefixes` as `[]`, `IsTruncated` as `False`);
        `None` fields are left out too. `ResponseMetadata` is always there (see
        `ResponseMetadata.to_dict`).
        """
        d: dict[str, object] = self.model_dump(
            by_alias=True, exclude_none=True, exclude_unset=True, exclude={"response_metadata"}
        )
        d["ResponseMetadata"] = self.response_metadata.to_dict()
        return d


class Owner(_Model):
    """Owner of an upload."""

    display_name: str | None = None
    id: str | None = Field(None, alias="ID")


class Initiator(_Model):
    """Who initiated an upload."""

    display_name: str | None = None
    id: str | None = Field(None, alias="ID")


# --------------------------------------------------------------------------- AbortMultipartUpload


class AbortMultipartUploadRequest(RequestModel):
    """`AbortMultipartUpload`: stop an upload and free its parts.

    `IfMatchInitiatedTime` (a timezone-aware datetime) makes the abort conditional on the
    upload's initiation time; S3 honours it on directory buckets only.
    """

    operation_name: ClassVar[str] = "AbortMultipartUpload"
    bucket: BucketName
    key: ObjectKey
    upload_id: UploadIdQ
    request_payer: PayerH = None
    expected_bucket_owner: OwnerH = None
    if_match_initiated_time: Annotated[
        AwareTimestamp | None, Header("x-amz-if-match-initiated-time")
    ] = None


class AbortMultipartUploadResponse(ResponseModel):
    """Result of `AbortMultipartUpload`."""

    request_charged: Literal["requester"] | str | None = None
    version_id: str | None = None


class AbortRound(BaseModel):
    """One round of `abort_multipart_upload(..., verify=True)`: an abort, then a ListParts.

    Attributes:
        number: 1 for the first round.
        abort: `"aborted"` when the abort succeeded, `"already_gone"` when it answered
            `NoSuchUpload` (the upload was gone before this abort).
        listing: what the ListParts after the abort said: `"no_such_upload"` or
            `"no_such_key"` (Ceph RGW's answer for an aborted upload): gone;
            `"no_parts"`: the upload lists no parts; `"parts"`: parts remain (they were
            in flight during the abort), so another round follows.
        parts_remaining: the parts that ListParts listed (its first page), 0 when gone.
        more_parts: ListParts' page was truncated: more than `parts_remaining` remain.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    number: int
    abort: Literal["aborted", "already_gone"]
    listing: Literal["no_such_upload", "no_such_key", "no_parts", "parts"]
    parts_remaining: int = 0
    more_parts: bool = False

    @property
    def gone(self) -> bool:
        """The upload is verified gone after this round."""
        return self.listing != "parts"


class VerifiedAbortResponse(AbortMultipartUploadResponse):
    """Result of `abort_multipart_upload(..., verify=True)`: the first abort's response
    (`request_charged`, `response_metadata`, and `to_dict()` as boto3 would give it), plus
    every round of abort-then-ListParts that it took until the upload was verified gone.

    Attributes:
        rounds: the rounds, in order; the last one is verified gone. `rounds[0].abort` is
            `"already_gone"` when there was nothing to abort.
    """

    rounds: list[AbortRound] = Field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """boto3's dict of the first abort (the rounds are aios3's own, left out)."""
        d = super().to_dict()
        d.pop("Rounds", None)
        return d


# --------------------------------------------------------------------------- CreateMultipartUpload


class CreateMultipartUploadRequest(RequestModel):
    """`CreateMultipartUpload`: start an upload and get its `UploadId`."""

    operation_name: ClassVar[str] = "CreateMultipartUpload"
    bucket: BucketName
    key: ObjectKey
    acl: Annotated[str | None, Header("x-amz-acl")] = None
    cache_control: Annotated[str | None, Header("Cache-Control")] = None
    content_disposition: Annotated[str | None, Header("Content-Disposition")] = None
    content_encoding: Annotated[str | None, Header("Content-Encoding")] = None
    content_language: Annotated[str | None, Header("Content-Language")] = None
    content_type: Annotated[str | None, Header("Content-Type")] = None
    expires: Annotated[Timestamp | None, Header("Expires")] = None
    grant_full_control: Annotated[str | None, Header("x-amz-grant-full-control")] = None
    grant_read: Annotated[str | None, Header("x-amz-grant-read")] = None
    grant_read_acp: Annotated[str | None, Header("x-amz-grant-read-acp")] = None
    grant_write_acp: Annotated[str | None, Header("x-amz-grant-write-acp")] = None
    metadata: Annotated[dict[str, str] | None, HeaderPrefix("x-amz-meta-")] = None
    server_side_encryption: Annotated[str | None, Header("x-amz-server-side-encryption")] = None
    storage_class: Annotated[str | None, Header("x-amz-storage-class")] = None
    website_redirect_location: Annotated[str | None, Header("x-amz-website-redirect-location")] = (
        None
    )
    sse_customer_algorithm: SSECAlgorithmH = None
    sse_customer_key: SSECKeyH = None
    sse_customer_key_md5: SSECKeyMD5H = None
    sse_kms_key_id: Annotated[str | None, Header("x-amz-server-side-encryption-aws-kms-key-id")] = (
        Field(None, repr=False)
    )
    sse_kms_encryption_context: Annotated[
        str | None, Header("x-amz-server-side-encryption-context")
    ] = Field(None, repr=False)
    bucket_key_enabled: Annotated[
        StrictBool | None, Header("x-amz-server-side-encryption-bucket-key-enabled")
    ] = None
    request_payer: PayerH = None
    tagging: Annotated[str | None, Header("x-amz-tagging")] = None
    object_lock_mode: Annotated[
        Literal["GOVERNANCE", "COMPLIANCE"] | None, Header("x-amz-object-lock-mode")
    ] = None
    object_lock_retain_until_date: Annotated[
        Timestamp | None, Header("x-amz-object-lock-retain-until-date", timestamp="iso8601")
    ] = None
    object_lock_legal_hold_status: Annotated[
        Literal["ON", "OFF"] | None, Header("x-amz-object-lock-legal-hold")
    ] = None
    object_lock_event_hold: Annotated[OnOff | None, Header("x-amz-object-lock-event-hold")] = None
    object_lock_event_hold_duration_days: Annotated[
        StrictInt | None, Header("x-amz-object-lock-event-hold-duration-days")
    ] = None
    object_lock_event_hold_duration_years: Annotated[
        StrictInt | None, Header("x-amz-object-lock-event-hold-duration-years")
    ] = None
    expected_bucket_owner: OwnerH = None
    checksum_algorithm: Annotated[ChecksumAlgorithm | None, Header("x-amz-checksum-algorithm")] = (
        None
    )
    checksum_type: Annotated[ChecksumType | None, Header("x-amz-checksum-type")] = None


class CreateMultipartUploadResponse(ResponseModel):
    """Result of `CreateMultipartUpload`."""

    abort_date: datetime | None = None
    abort_rule_id: str | None = None
    bucket: str | None = None
    key: str | None = None
    upload_id: str
    server_side_encryption: str | None = None
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    sse_kms_encryption_context: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None
    request_charged: str | None = None
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    version_id: str | None = None


# --------------------------------------------------------------------------- UploadPart


class UploadPartRequest(RequestModel):
    """`UploadPart`: upload one part (1..10000) of an upload.

    `Body` is bytes-like, a binary file object, or an async iterable of bytes; an async
    iterable needs `ContentLength`. Bytes-like bodies are SHA-256 signed, except over https
    with `ContentMD5`, where they go as `UNSIGNED-PAYLOAD` as botocore sends them; file
    objects and async iterables are always streamed with `UNSIGNED-PAYLOAD`. A CRC32
    checksum (or `ChecksumAlgorithm`'s) is added by default, as botocore does: see
    [Checksums](../checksums.md).
    """

    operation_name: ClassVar[str] = "UploadPart"
    body: Annotated[Body, PlainValidator(_check_body), Payload()] = Field(b"", repr=False)
    bucket: BucketName
    key: ObjectKey
    part_number: Annotated[StrictInt, Field(ge=1, le=10000), Query("partNumber")]
    upload_id: UploadIdQ
    content_length: Annotated[StrictInt | None, Field(ge=0), Header("Content-Length")] = None
    content_md5: Annotated[str | None, Header("Content-MD5")] = None
    checksum_algorithm: Annotated[
        ChecksumAlgorithm | None, Header("x-amz-sdk-checksum-algorithm")
    ] = None
    checksum_crc32: CRC32H = None
    checksum_crc32c: CRC32CH = None
    checksum_crc64nvme: CRC64NVMEH = None
    checksum_sha1: SHA1H = None
    checksum_sha256: SHA256H = None
    checksum_sha512: SHA512H = None
    checksum_md5: MD5H = None
    checksum_xxhash64: XXHASH64H = None
    checksum_xxhash3: XXHASH3H = None
    checksum_xxhash128: XXHASH128H = None
    sse_customer_algorithm: SSECAlgorithmH = None
    sse_customer_key: SSECKeyH = None
    sse_customer_key_md5: SSECKeyMD5H = None
    request_payer: PayerH = None
    expected_bucket_owner: OwnerH = None


class UploadPartResponse(ResponseModel):
    """Result of `UploadPart`: keep `ETag` (and any checksum) for CompleteMultipartUpload."""

    server_side_encryption: str | None = None
    etag: str | None = None
    checksum_crc32: str | None = None
    checksum_crc32c: str | None = None
    checksum_crc64nvme: str | None = None
    checksum_sha1: str | None = None
    checksum_sha256: str | None = None
    checksum_sha512: str | None = None
    checksum_md5: str | None = None
    checksum_xxhash64: str | None = None
    checksum_xxhash3: str | None = None
    checksum_xxhash128: str | None = None
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None
    request_charged: str | None = None
    version_id: str | None = None


# ------------------------------------------------------------------------- CompleteMultipartUpload


class _InputModel(_Model):
    """A model the caller builds (not a request): bad values raise `ParamValidationError`
    naming the field, as a request model's do."""

    if not TYPE_CHECKING:  # keep pydantic's typed __init__ signature for type checkers

        def __init__(self, /, **data: object) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise param_error(type(self).__name__, exc) from None


class CompletedPart(_InputModel):
    """One part named in `CompleteMultipartUpload`. Unknown keys are refused, as boto3 does."""

    model_config = ConfigDict(extra="forbid")

    etag: str | None = None
    checksum_crc32: str | None = None
    checksum_crc32c: str | None = None
    checksum_crc64nvme: str | None = None
    checksum_sha1: str | None = None
    checksum_sha256: str | None = None
    checksum_sha512: str | None = None
    checksum_md5: str | None = None
    checksum_xxhash64: str | None = None
    checksum_xxhash3: str | None = None
    checksum_xxhash128: str | None = None
    part_number: StrictInt = Field(ge=1, le=10000)


class CompletedMultipartUpload(_InputModel):
    """`MultipartUpload={"Parts": [...]}` of `CompleteMultipartUpload`. Unknown keys are
    refused, as boto3 does (`{"Part": [...]}` would otherwise complete with no parts)."""

    model_config = ConfigDict(extra="forbid")

    parts: list[CompletedPart] = Field(default_factory=list)


class CompleteMultipartUploadRequest(RequestModel):
    """`CompleteMultipartUpload`: assemble the uploaded parts into the object."""

    operation_name: ClassVar[str] = "CompleteMultipartUpload"
    bucket: BucketName
    key: ObjectKey
    multipart_upload: Annotated[CompletedMultipartUpload | None, Payload()] = None
    upload_id: UploadIdQ
    checksum_crc32: CRC32H = None
    checksum_crc32c: CRC32CH = None
    checksum_crc64nvme: CRC64NVMEH = None
    checksum_sha1: SHA1H = None
    checksum_sha256: SHA256H = None
    checksum_sha512: SHA512H = None
    checksum_md5: MD5H = None
    checksum_xxhash64: XXHASH64H = None
    checksum_xxhash3: XXHASH3H = None
    checksum_xxhash128: XXHASH128H = None
    checksum_type: Annotated[ChecksumType | None, Header("x-amz-checksum-type")] = None
    mpu_object_size: Annotated[StrictInt | None, Field(ge=0), Header("x-amz-mp-object-size")] = None
    request_payer: PayerH = None
    expected_bucket_owner: OwnerH = None
    if_match: Annotated[str | None, Header("If-Match")] = None
    if_none_match: Annotated[str | None, Header("If-None-Match")] = None
    sse_customer_algorithm: SSECAlgorithmH = None
    sse_customer_key: SSECKeyH = None
    sse_customer_key_md5: SSECKeyMD5H = None


class CompleteMultipartUploadResponse(ResponseModel):
    """Result of `CompleteMultipartUpload`."""

    location: str | None = None
    bucket: str | None = None
    key: str | None = None
    expiration: str | None = None
    etag: str | None = None
    checksum_crc32: str | None = None
    checksum_crc32c: str | None = None
    checksum_crc64nvme: str | None = None
    checksum_sha1: str | None = None
    checksum_sha256: str | None = None
    checksum_sha512: str | None = None
    checksum_md5: str | None = None
    checksum_xxhash64: str | None = None
    checksum_xxhash3: str | None = None
    checksum_xxhash128: str | None = None
    checksum_type: str | None = None
    server_side_encryption: str | None = None
    version_id: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None
    request_charged: str | None = None


# --------------------------------------------------------------------------- ListParts


class ListPartsRequest(RequestModel):
    """`ListParts`: the parts uploaded so far (up to 1000 a page)."""

    operation_name: ClassVar[str] = "ListParts"
    bucket: BucketName
    key: ObjectKey
    max_parts: Annotated[StrictInt | None, Field(ge=0), Query("max-parts")] = None
    part_number_marker: Annotated[StrictInt | None, Field(ge=0), Query("part-number-marker")] = None
    upload_id: UploadIdQ
    request_payer: PayerH = None
    expected_bucket_owner: OwnerH = None
    sse_customer_algorithm: SSECAlgorithmH = None
    sse_customer_key: SSECKeyH = None
    sse_customer_key_md5: SSECKeyMD5H = None


class Part(_Model):
    """One uploaded part."""

    part_number: int
    last_modified: datetime | None = None
    etag: str | None = None
    size: int | None = None
    checksum_crc32: str | None = None
    checksum_crc32c: str | None = None
    checksum_crc64nvme: str | None = None
    checksum_sha1: str | None = None
    checksum_sha256: str | None = None
    checksum_sha512: str | None = None
    checksum_md5: str | None = None
    checksum_xxhash64: str | None = None
    checksum_xxhash3: str | None = None
    checksum_xxhash128: str | None = None


class ListPartsResponse(ResponseModel):
    """Result of `ListParts`."""

    abort_date: datetime | None = None
    abort_rule_id: str | None = None
    bucket: str | None = None
    key: str | None = None
    upload_id: str | None = None
    part_number_marker: int | None = None
    next_part_number_marker: int | None = None
    max_parts: int | None = None
    is_truncated: bool = False
    parts: list[Part] = Field(default_factory=list)
    initiator: Initiator | None = None
    owner: Owner | None = None
    storage_class: str | None = None
    request_charged: str | None = None
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    version_id: str | None = None


# --------------------------------------------------------------------------- ListMultipartUploads


class ListMultipartUploadsRequest(RequestModel):
    """`ListMultipartUploads`: uploads in progress in a bucket (up to 1000 a page)."""

    operation_name: ClassVar[str] = "ListMultipartUploads"
    bucket: BucketName
    delimiter: Annotated[str | None, Query("delimiter")] = None
    encoding_type: Annotated[Literal["url"] | None, Query("encoding-type")] = None
    key_marker: Annotated[str | None, Query("key-marker")] = None
    max_uploads: Annotated[StrictInt | None, Field(ge=0), Query("max-uploads")] = None
    prefix: Annotated[str | None, Query("prefix")] = None
    upload_id_marker: Annotated[str | None, Query("upload-id-marker")] = None
    expected_bucket_owner: OwnerH = None
    request_payer: PayerH = None


class MultipartUploadSummary(_Model):
    """One upload in progress, as listed by `ListMultipartUploads`."""

    upload_id: str
    key: str
    initiated: datetime | None = None
    storage_class: str | None = None
    owner: Owner | None = None
    initiator: Initiator | None = None
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    version_id: str | None = None


class CommonPrefix(_Model):
    """A key prefix rolled up by `Delimiter`."""

    prefix: str


class ListMultipartUploadsResponse(ResponseModel):
    """Result of `ListMultipartUploads`."""

    bucket: str | None = None
    key_marker: str | None = None
    upload_id_marker: str | None = None
    next_key_marker: str | None = None
    prefix: str | None = None
    delimiter: str | None = None
    next_upload_id_marker: str | None = None
    max_uploads: int | None = None
    is_truncated: bool = False
    uploads: list[MultipartUploadSummary] = Field(default_factory=list)
    common_prefixes: list[CommonPrefix] = Field(default_factory=list)
    encoding_type: str | None = None
    request_charged: str | None = None


# --------------------------------------------------------------------------- CreateSession


class CreateSessionRequest(RequestModel):
    """`CreateSession`: temporary credentials for a directory bucket (S3 Express One Zone).

    aios3 calls it for you before the first request to a directory bucket and caches the
    session; call it yourself only to inspect a session.
    """

    operation_name: ClassVar[str] = "CreateSession"
    bucket: BucketName
    session_mode: Annotated[
        Literal["ReadOnly", "ReadWrite"] | None, Header("x-amz-create-session-mode")
    ] = None
    server_side_encryption: Annotated[str | None, Header("x-amz-server-side-encryption")] = None
    sse_kms_key_id: Annotated[str | None, Header("x-amz-server-side-encryption-aws-kms-key-id")] = (
        Field(None, repr=False)
    )
    sse_kms_encryption_context: Annotated[
        str | None, Header("x-amz-server-side-encryption-context")
    ] = Field(None, repr=False)
    bucket_key_enabled: Annotated[
        StrictBool | None, Header("x-amz-server-side-encryption-bucket-key-enabled")
    ] = None


class SessionCredentials(_Model):
    """The temporary credentials of an S3 Express session; secrets are `SecretStr`."""

    access_key_id: str
    secret_access_key: SecretStr
    session_token: SecretStr
    expiration: datetime


class CreateSessionResponse(ResponseModel):
    """Result of `CreateSession`.

    `to_dict()` keeps `SecretAccessKey` and `SessionToken` as `SecretStr`, so that the
    dict can be printed or logged without them; `to_dict(reveal_secrets=True)` gives
    boto3's dict, with both as `str`.
    """

    credentials: SessionCredentials
    server_side_encryption: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    sse_kms_encryption_context: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None

    def to_dict(self, *, reveal_secrets: bool = False) -> dict[str, object]:
        """The boto3-shaped dict; the session's secret key and token are `SecretStr`
        (`'**********'` in a repr) unless `reveal_secrets=True`, which gives them as `str`,
        as boto3 does."""
        d = super().to_dict()
        creds = d.get("Credentials")
        if reveal_secrets and isinstance(creds, dict):
            for name in ("SecretAccessKey", "SessionToken"):
                value = creds.get(name)
                if isinstance(value, SecretStr):
                    creds[name] = value.get_secret_value()
        return d


# --------------------------------------------------------------------------- keyword types
# boto3-style keyword arguments of the client methods, for type checkers and IDEs.
# (snake_case names are accepted at run time too; these list boto3's names.)


class CompletedPartDict(TypedDict, total=False):
    """A part in `MultipartUpload={"Parts": [...]}`."""

    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    PartNumber: Required[int]


class CompletedMultipartUploadDict(TypedDict, total=False):
    """`MultipartUpload` of CompleteMultipartUpload."""

    Parts: Sequence[CompletedPartDict | CompletedPart]


class _BucketKeyUpload(TypedDict):
    Bucket: str
    Key: str
    UploadId: str


class _PayerOwner(TypedDict, total=False):
    RequestPayer: RequestPayer
    ExpectedBucketOwner: str


class _SSECustomer(TypedDict, total=False):
    SSECustomerAlgorithm: str
    SSECustomerKey: str | bytes
    SSECustomerKeyMD5: str


class _Checksums(TypedDict, total=False):
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str


class AbortMultipartUploadParams(_BucketKeyUpload, _PayerOwner, total=False):
    """Keyword arguments of `abort_multipart_upload`."""

    IfMatchInitiatedTime: datetime


class CreateMultipartUploadParams(_PayerOwner, _SSECustomer, total=False):
    """Keyword arguments of `create_multipart_upload`."""

    Bucket: Required[str]
    Key: Required[str]
    ACL: ObjectCannedACL
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentType: str
    Expires: datetime
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWriteACP: str
    Metadata: Mapping[str, str]
    ServerSideEncryption: ServerSideEncryption
    StorageClass: StorageClass
    WebsiteRedirectLocation: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    Tagging: str
    ObjectLockMode: Literal["GOVERNANCE", "COMPLIANCE"]
    ObjectLockRetainUntilDate: datetime
    ObjectLockLegalHoldStatus: Literal["ON", "OFF"]
    ObjectLockEventHold: OnOff
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ChecksumAlgorithm: ChecksumAlgorithm
    ChecksumType: ChecksumType


class UploadPartParams(_BucketKeyUpload, _PayerOwner, _SSECustomer, _Checksums, total=False):
    """Keyword arguments of `upload_part`."""

    PartNumber: Required[int]
    Body: Body
    ContentLength: int
    ContentMD5: str
    ChecksumAlgorithm: ChecksumAlgorithm


class CompleteMultipartUploadParams(
    _BucketKeyUpload, _PayerOwner, _SSECustomer, _Checksums, total=False
):
    """Keyword arguments of `complete_multipart_upload`."""

    MultipartUpload: CompletedMultipartUploadDict | CompletedMultipartUpload
    ChecksumType: ChecksumType
    MpuObjectSize: int
    IfMatch: str
    IfNoneMatch: str


class ListPartsParams(_BucketKeyUpload, _PayerOwner, _SSECustomer, total=False):
    """Keyword arguments of `list_parts`."""

    MaxParts: int
    PartNumberMarker: int


class CreateSessionParams(TypedDict, total=False):
    """Keyword arguments of `create_session`."""

    Bucket: Required[str]
    SessionMode: Literal["ReadOnly", "ReadWrite"]
    ServerSideEncryption: ServerSideEncryption
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool


class ListMultipartUploadsParams(_PayerOwner, total=False):
    """Keyword arguments of `list_multipart_uploads`."""

    Bucket: Required[str]
    Delimiter: str
    EncodingType: Literal["url"]
    KeyMarker: str
    MaxUploads: int
    Prefix: str
    UploadIdMarker: str


# --------------------------------------------------------------------------- built on first use
# The bucket, object and lifecycle families live in `aios3._models_bucket_object`, which is
# imported on the first access to one of its names here (PEP 562): a process that only
# uploads, lists and aborts never builds them. `from aios3.models import HeadObjectRequest`
# works as for any other name.

if TYPE_CHECKING:
    from ._models_bucket_object import (
        AbortIncompleteMultipartUpload as AbortIncompleteMultipartUpload,
    )
    from ._models_bucket_object import (
        AbortIncompleteMultipartUploadDict as AbortIncompleteMultipartUploadDict,
    )
    from ._models_bucket_object import (
        AbortRuleRemovalResult as AbortRuleRemovalResult,
    )
    from ._models_bucket_object import (
        AbortRuleResult as AbortRuleResult,
    )
    from ._models_bucket_object import (
        BucketLifecycleConfiguration as BucketLifecycleConfiguration,
    )
    from ._models_bucket_object import (
        BucketLifecycleConfigurationDict as BucketLifecycleConfigurationDict,
    )
    from ._models_bucket_object import (
        CreateBucketConfiguration as CreateBucketConfiguration,
    )
    from ._models_bucket_object import (
        CreateBucketConfigurationDict as CreateBucketConfigurationDict,
    )
    from ._models_bucket_object import (
        CreateBucketParams as CreateBucketParams,
    )
    from ._models_bucket_object import (
        CreateBucketRequest as CreateBucketRequest,
    )
    from ._models_bucket_object import (
        CreateBucketResponse as CreateBucketResponse,
    )
    from ._models_bucket_object import (
        DeleteBucketLifecycleParams as DeleteBucketLifecycleParams,
    )
    from ._models_bucket_object import (
        DeleteBucketLifecycleRequest as DeleteBucketLifecycleRequest,
    )
    from ._models_bucket_object import (
        DeleteBucketLifecycleResponse as DeleteBucketLifecycleResponse,
    )
    from ._models_bucket_object import (
        DeleteBucketParams as DeleteBucketParams,
    )
    from ._models_bucket_object import (
        DeleteBucketRequest as DeleteBucketRequest,
    )
    from ._models_bucket_object import (
        DeleteBucketResponse as DeleteBucketResponse,
    )
    from ._models_bucket_object import (
        DeleteObjectParams as DeleteObjectParams,
    )
    from ._models_bucket_object import (
        DeleteObjectRequest as DeleteObjectRequest,
    )
    from ._models_bucket_object import (
        DeleteObjectResponse as DeleteObjectResponse,
    )
    from ._models_bucket_object import (
        ExpirationStatus as ExpirationStatus,
    )
    from ._models_bucket_object import (
        GetBucketLifecycleConfigurationParams as GetBucketLifecycleConfigurationParams,
    )
    from ._models_bucket_object import (
        GetBucketLifecycleConfigurationRequest as GetBucketLifecycleConfigurationRequest,
    )
    from ._models_bucket_object import (
        GetBucketLifecycleConfigurationResponse as GetBucketLifecycleConfigurationResponse,
    )
    from ._models_bucket_object import (
        HeadObjectParams as HeadObjectParams,
    )
    from ._models_bucket_object import (
        HeadObjectRequest as HeadObjectRequest,
    )
    from ._models_bucket_object import (
        HeadObjectResponse as HeadObjectResponse,
    )
    from ._models_bucket_object import (
        LifecycleExpiration as LifecycleExpiration,
    )
    from ._models_bucket_object import (
        LifecycleExpirationDict as LifecycleExpirationDict,
    )
    from ._models_bucket_object import (
        LifecycleRule as LifecycleRule,
    )
    from ._models_bucket_object import (
        LifecycleRuleAndOperator as LifecycleRuleAndOperator,
    )
    from ._models_bucket_object import (
        LifecycleRuleAndOperatorDict as LifecycleRuleAndOperatorDict,
    )
    from ._models_bucket_object import (
        LifecycleRuleDict as LifecycleRuleDict,
    )
    from ._models_bucket_object import (
        LifecycleRuleFilter as LifecycleRuleFilter,
    )
    from ._models_bucket_object import (
        LifecycleRuleFilterDict as LifecycleRuleFilterDict,
    )
    from ._models_bucket_object import (
        NoncurrentVersionExpiration as NoncurrentVersionExpiration,
    )
    from ._models_bucket_object import (
        NoncurrentVersionExpirationDict as NoncurrentVersionExpirationDict,
    )
    from ._models_bucket_object import (
        NoncurrentVersionTransition as NoncurrentVersionTransition,
    )
    from ._models_bucket_object import (
        NoncurrentVersionTransitionDict as NoncurrentVersionTransitionDict,
    )
    from ._models_bucket_object import (
        PutBucketLifecycleConfigurationParams as PutBucketLifecycleConfigurationParams,
    )
    from ._models_bucket_object import (
        PutBucketLifecycleConfigurationRequest as PutBucketLifecycleConfigurationRequest,
    )
    from ._models_bucket_object import (
        PutBucketLifecycleConfigurationResponse as PutBucketLifecycleConfigurationResponse,
    )
    from ._models_bucket_object import (
        PutObjectParams as PutObjectParams,
    )
    from ._models_bucket_object import (
        PutObjectRequest as PutObjectRequest,
    )
    from ._models_bucket_object import (
        PutObjectResponse as PutObjectResponse,
    )
    from ._models_bucket_object import (
        Tag as Tag,
    )
    from ._models_bucket_object import (
        TagDict as TagDict,
    )
    from ._models_bucket_object import (
        Transition as Transition,
    )
    from ._models_bucket_object import (
        TransitionDefaultMinimumObjectSize as TransitionDefaultMinimumObjectSize,
    )
    from ._models_bucket_object import (
        TransitionDict as TransitionDict,
    )
    from ._models_bucket_object import (
        TransitionStorageClass as TransitionStorageClass,
    )
    from ._models_bucket_object import (
        UploadResponse as UploadResponse,
    )

# every name of `__all__` not defined above
_ON_FIRST_USE = frozenset(__all__) - globals().keys()

if not TYPE_CHECKING:  # for type checkers, the names above are plain imports

    def __getattr__(name: str) -> object:
        if name not in _ON_FIRST_USE:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from . import _models_bucket_object as family

        for each in _ON_FIRST_USE:  # later accesses are plain module attributes
            globals()[each] = getattr(family, each)
        return globals()[name]

    def __dir__() -> list[str]:
        return sorted(set(globals()) | _ON_FIRST_USE)
