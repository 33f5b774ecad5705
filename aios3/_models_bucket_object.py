"""The bucket, object and lifecycle families of `aios3.models`, built on their first use.

An abort, an upload or a listing never touches these models: a process that does not call
CreateBucket, DeleteBucket, HeadObject, PutObject, DeleteObject, the lifecycle operations
or `upload_file` does not build them (a third of the model classes' memory). Import them
from `aios3.models`, as the others: that module gives these names on first access
(PEP 562 `__getattr__`).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from typing_extensions import Required, TypedDict

from ._wire import Header, HeaderPrefix, Payload, Query
from .models import (
    CRC32CH,
    CRC32H,
    CRC64NVMEH,
    MD5H,
    SHA1H,
    SHA256H,
    SHA512H,
    XXHASH3H,
    XXHASH64H,
    XXHASH128H,
    Body,
    BucketName,
    ChecksumAlgorithm,
    CompleteMultipartUploadResponse,
    ObjectKey,
    OnOff,
    OwnerH,
    PayerH,
    RequestModel,
    ResponseModel,
    ServerSideEncryption,
    SSECAlgorithmH,
    SSECKeyH,
    SSECKeyMD5H,
    StorageClass,
    Timestamp,
    _check_body,
    _Checksums,
    _InputModel,
    _Model,
    _PayerOwner,
    _SSECustomer,
)

# --------------------------------------------------------------------------- CreateBucket


class CreateBucketConfiguration(_Model):
    """`CreateBucketConfiguration={"LocationConstraint": ...}` of `CreateBucket`.

    Outside us-east-1, S3 wants the bucket's region here (as boto3, aios3 does not add it
    for you). Directory-bucket settings (`Location`, `Bucket`) and `Tags` are not modelled.
    """

    model_config = ConfigDict(extra="forbid")
    location_constraint: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _v_unmodelled(cls, data: object) -> object:
        # boto3 takes these; say why they are refused rather than "Extra inputs"
        if isinstance(data, dict):
            found = sorted({"Location", "Bucket", "Tags"} & data.keys())
            if found:
                raise ValueError(
                    f"{', '.join(found)}: not supported by aios3 yet (directory-bucket "
                    "settings and tags at creation); only LocationConstraint is"
                )
        return data


class CreateBucketRequest(RequestModel):
    """`CreateBucket`: create a bucket."""

    operation_name: ClassVar[str] = "CreateBucket"
    acl: Annotated[
        Literal["private", "public-read", "public-read-write", "authenticated-read"] | None,
        Header("x-amz-acl"),
    ] = None
    bucket: BucketName
    create_bucket_configuration: Annotated[CreateBucketConfiguration | None, Payload()] = None
    grant_full_control: Annotated[str | None, Header("x-amz-grant-full-control")] = None
    grant_read: Annotated[str | None, Header("x-amz-grant-read")] = None
    grant_read_acp: Annotated[str | None, Header("x-amz-grant-read-acp")] = None
    grant_write: Annotated[str | None, Header("x-amz-grant-write")] = None
    grant_write_acp: Annotated[str | None, Header("x-amz-grant-write-acp")] = None
    object_lock_enabled_for_bucket: Annotated[
        StrictBool | None, Header("x-amz-bucket-object-lock-enabled")
    ] = None
    object_ownership: Annotated[
        Literal["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"] | None,
        Header("x-amz-object-ownership"),
    ] = None


class CreateBucketResponse(ResponseModel):
    """Result of `CreateBucket`."""

    location: str | None = None
    bucket_arn: str | None = None


# --------------------------------------------------------------------------- DeleteBucket


class DeleteBucketRequest(RequestModel):
    """`DeleteBucket`: delete an empty bucket."""

    operation_name: ClassVar[str] = "DeleteBucket"
    bucket: BucketName
    expected_bucket_owner: OwnerH = None


class DeleteBucketResponse(ResponseModel):
    """Result of `DeleteBucket` (only `ResponseMetadata`)."""


# --------------------------------------------------------------------------- HeadObject


class HeadObjectRequest(RequestModel):
    """`HeadObject`: an object's metadata, without its body.

    With `PartNumber`, the answer describes that part (and `PartsCount` says how many parts
    a multipart object has); `ChecksumMode="ENABLED"` asks for the stored checksums.
    """

    operation_name: ClassVar[str] = "HeadObject"
    bucket: BucketName
    if_match: Annotated[str | None, Header("If-Match")] = None
    if_modified_since: Annotated[Timestamp | None, Header("If-Modified-Since")] = None
    if_none_match: Annotated[str | None, Header("If-None-Match")] = None
    if_unmodified_since: Annotated[Timestamp | None, Header("If-Unmodified-Since")] = None
    key: ObjectKey
    range: Annotated[str | None, Header("Range")] = None
    response_cache_control: Annotated[str | None, Query("response-cache-control")] = None
    response_content_disposition: Annotated[str | None, Query("response-content-disposition")] = (
        None
    )
    response_content_encoding: Annotated[str | None, Query("response-content-encoding")] = None
    response_content_language: Annotated[str | None, Query("response-content-language")] = None
    response_content_type: Annotated[str | None, Query("response-content-type")] = None
    response_expires: Annotated[
        Timestamp | None, Query("response-expires", timestamp="rfc7231")
    ] = None
    version_id: Annotated[str | None, Query("versionId")] = None
    sse_customer_algorithm: SSECAlgorithmH = None
    sse_customer_key: SSECKeyH = None
    sse_customer_key_md5: SSECKeyMD5H = None
    request_payer: PayerH = None
    part_number: Annotated[StrictInt | None, Field(ge=1, le=10000), Query("partNumber")] = None
    expected_bucket_owner: OwnerH = None
    checksum_mode: Annotated[Literal["ENABLED"] | None, Header("x-amz-checksum-mode")] = None


class HeadObjectResponse(ResponseModel):
    """Result of `HeadObject`. `metadata` holds the `x-amz-meta-*` headers (names as the
    server sent them, lower case on AWS, as boto3 gives them); `parts_count` comes with
    `PartNumber`. `expires_string` is the `Expires` header as sent, `expires` the date it
    reads as (None if it is none), as in boto3."""

    delete_marker: bool | None = None
    accept_ranges: str | None = None
    expiration: str | None = None
    restore: str | None = None
    archive_status: str | None = None
    last_modified: datetime | None = None
    content_length: int | None = None
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
    etag: str | None = None
    missing_meta: int | None = None
    version_id: str | None = None
    cache_control: str | None = None
    content_disposition: str | None = None
    content_encoding: str | None = None
    content_language: str | None = None
    content_type: str | None = None
    content_range: str | None = None
    expires: datetime | None = None
    expires_string: str | None = None
    website_redirect_location: str | None = None
    server_side_encryption: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None
    storage_class: str | None = None
    request_charged: str | None = None
    replication_status: str | None = None
    parts_count: int | None = None
    tag_count: int | None = None
    object_lock_mode: str | None = None
    object_lock_retain_until_date: datetime | None = None
    object_lock_legal_hold_status: str | None = None
    object_lock_event_hold: str | None = None
    object_lock_event_hold_duration_days: int | None = None
    object_lock_event_hold_duration_years: int | None = None


# --------------------------------------------------------------------------- PutObject


class PutObjectRequest(RequestModel):
    """`PutObject`: store an object in one request (up to 5 GiB; `upload_file` uses it for
    bodies below its multipart threshold).

    `Body` is what `UploadPart` takes (bytes-like, a binary file object, or an async
    iterable of bytes with `ContentLength`) and is sent the same way: bytes-like bodies
    SHA-256 signed over http, file objects and async iterables as `UNSIGNED-PAYLOAD`; a
    CRC32 checksum (or `ChecksumAlgorithm`'s) is added by default, as botocore does. No
    `Body` stores an empty object.
    """

    operation_name: ClassVar[str] = "PutObject"
    acl: Annotated[
        Literal[
            "private",
            "public-read",
            "public-read-write",
            "authenticated-read",
            "aws-exec-read",
            "bucket-owner-read",
            "bucket-owner-full-control",
        ]
        | None,
        Header("x-amz-acl"),
    ] = None
    body: Annotated[Body, PlainValidator(_check_body), Payload()] = Field(b"", repr=False)
    bucket: BucketName
    cache_control: Annotated[str | None, Header("Cache-Control")] = None
    content_disposition: Annotated[str | None, Header("Content-Disposition")] = None
    content_encoding: Annotated[str | None, Header("Content-Encoding")] = None
    content_language: Annotated[str | None, Header("Content-Language")] = None
    content_length: Annotated[StrictInt | None, Field(ge=0), Header("Content-Length")] = None
    content_md5: Annotated[str | None, Header("Content-MD5")] = None
    content_type: Annotated[str | None, Header("Content-Type")] = None
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
    expires: Annotated[Timestamp | None, Header("Expires")] = None
    if_match: Annotated[str | None, Header("If-Match")] = None
    if_none_match: Annotated[str | None, Header("If-None-Match")] = None
    grant_full_control: Annotated[str | None, Header("x-amz-grant-full-control")] = None
    grant_read: Annotated[str | None, Header("x-amz-grant-read")] = None
    grant_read_acp: Annotated[str | None, Header("x-amz-grant-read-acp")] = None
    grant_write_acp: Annotated[str | None, Header("x-amz-grant-write-acp")] = None
    key: ObjectKey
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


class PutObjectResponse(ResponseModel):
    """Result of `PutObject`: the object's `etag`, its checksum (`checksum_crc32` for the
    default CRC32), and `version_id` in a versioned bucket."""

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
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None
    sse_kms_key_id: str | None = Field(None, repr=False)
    sse_kms_encryption_context: str | None = Field(None, repr=False)
    bucket_key_enabled: bool | None = None
    size: int | None = None
    request_charged: str | None = None


# --------------------------------------------------------------------------- DeleteObject


class DeleteObjectRequest(RequestModel):
    """`DeleteObject`: delete an object (or one version of it).

    S3 answers 204 whether or not the key existed, as boto3 reports it.
    """

    operation_name: ClassVar[str] = "DeleteObject"
    bucket: BucketName
    key: ObjectKey
    mfa: Annotated[str | None, Header("x-amz-mfa")] = None
    version_id: Annotated[str | None, Query("versionId")] = None
    request_payer: PayerH = None
    bypass_governance_retention: Annotated[
        StrictBool | None, Header("x-amz-bypass-governance-retention")
    ] = None
    expected_bucket_owner: OwnerH = None
    if_match: Annotated[str | None, Header("If-Match")] = None
    if_match_last_modified_time: Annotated[
        Timestamp | None, Header("x-amz-if-match-last-modified-time")
    ] = None
    if_match_size: Annotated[StrictInt | None, Field(ge=0), Header("x-amz-if-match-size")] = None


class DeleteObjectResponse(ResponseModel):
    """Result of `DeleteObject`."""

    delete_marker: bool | None = None
    version_id: str | None = None
    request_charged: str | None = None


# --------------------------------------------------------------------------- bucket lifecycle

TransitionStorageClass = Literal[
    "GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"
]
"""The storage classes botocore names for lifecycle transitions (the models take any
string: other stores have their own classes)."""
TransitionDefaultMinimumObjectSize = Literal["varies_by_storage_class", "all_storage_classes_128K"]
ExpirationStatus = Literal["Enabled", "Disabled"]


def _at_most_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    fields = type(model).model_fields
    given = [fields[name].alias or name for name in names if getattr(model, name) is not None]
    if len(given) > 1:
        allowed = " or ".join(fields[name].alias or name for name in names)
        raise ValueError(f"{what} takes {allowed}, only one of them (got {', '.join(given)})")


class Tag(_InputModel):
    """An object tag, `{"Key": ..., "Value": ...}`, in a lifecycle rule's filter."""

    model_config = ConfigDict(extra="forbid")

    key: str
    value: str


class LifecycleRuleAndOperator(_InputModel):
    """`Filter={"And": {...}}`: a rule for objects that match every condition given."""

    model_config = ConfigDict(extra="forbid")

    prefix: str | None = None
    tags: list[Tag] | None = None
    object_size_greater_than: Annotated[StrictInt | None, Field(ge=0)] = None
    object_size_less_than: Annotated[StrictInt | None, Field(ge=0)] = None


class LifecycleRuleFilter(_InputModel):
    """Which objects a lifecycle rule applies to: one of `Prefix`, `Tag`,
    `ObjectSizeGreaterThan`, `ObjectSizeLessThan` or `And` (S3 takes exactly one); an empty
    filter (`{}`) applies to the whole bucket."""

    model_config = ConfigDict(extra="forbid")

    prefix: str | None = None
    tag: Tag | None = None
    object_size_greater_than: Annotated[StrictInt | None, Field(ge=0)] = None
    object_size_less_than: Annotated[StrictInt | None, Field(ge=0)] = None
    and_: LifecycleRuleAndOperator | None = None

    @model_validator(mode="after")
    def _v_one(self) -> "LifecycleRuleFilter":
        _at_most_one(
            self,
            ("prefix", "tag", "object_size_greater_than", "object_size_less_than", "and_"),
            "Filter",
        )
        return self


class LifecycleExpiration(_InputModel):
    """`Expiration`: when current objects expire: one of `Date` (midnight UTC), `Days`
    (after creation) or `ExpiredObjectDeleteMarker`."""

    model_config = ConfigDict(extra="forbid")

    date: Timestamp | None = None
    days: Annotated[StrictInt | None, Field(ge=1)] = None
    expired_object_delete_marker: StrictBool | None = None

    @model_validator(mode="after")
    def _v_one(self) -> "LifecycleExpiration":
        _at_most_one(self, ("date", "days", "expired_object_delete_marker"), "Expiration")
        return self


class Transition(_InputModel):
    """A transition of current objects to another storage class, at a `Date` or after
    `Days`."""

    model_config = ConfigDict(extra="forbid")

    date: Timestamp | None = None
    days: Annotated[StrictInt | None, Field(ge=0)] = None
    storage_class: str | None = None

    @model_validator(mode="after")
    def _v_one(self) -> "Transition":
        _at_most_one(self, ("date", "days"), "Transition")
        return self


class NoncurrentVersionTransition(_InputModel):
    """A transition of noncurrent versions to another storage class."""

    model_config = ConfigDict(extra="forbid")

    noncurrent_days: Annotated[StrictInt | None, Field(ge=0)] = None
    storage_class: str | None = None
    newer_noncurrent_versions: Annotated[StrictInt | None, Field(ge=1)] = None


class NoncurrentVersionExpiration(_InputModel):
    """When noncurrent versions expire."""

    model_config = ConfigDict(extra="forbid")

    noncurrent_days: Annotated[StrictInt | None, Field(ge=1)] = None
    newer_noncurrent_versions: Annotated[StrictInt | None, Field(ge=1)] = None


class AbortIncompleteMultipartUpload(_InputModel):
    """`AbortIncompleteMultipartUpload`: S3 aborts the uploads (under the rule's filter)
    still incomplete `DaysAfterInitiation` days after they were created."""

    model_config = ConfigDict(extra="forbid")

    days_after_initiation: Annotated[StrictInt | None, Field(ge=1)] = None


class LifecycleRule(_InputModel):
    """One lifecycle rule. `Status` is required; `Filter` (or the older top-level `Prefix`,
    not both) says which objects it applies to, the other members what happens to them.

    Rules read by `get_bucket_lifecycle_configuration` are kept as the server sent them
    (unvalidated), so that writing them back changes nothing.
    """

    model_config = ConfigDict(extra="forbid")

    expiration: LifecycleExpiration | None = None
    id: Annotated[str | None, Field(max_length=255)] = Field(None, alias="ID")
    prefix: str | None = None
    filter: LifecycleRuleFilter | None = None
    status: ExpirationStatus
    transitions: list[Transition] | None = None
    noncurrent_version_transitions: list[NoncurrentVersionTransition] | None = None
    noncurrent_version_expiration: NoncurrentVersionExpiration | None = None
    abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload | None = None

    @model_validator(mode="after")
    def _v_one(self) -> "LifecycleRule":
        _at_most_one(self, ("prefix", "filter"), "a lifecycle rule")
        f = self.filter
        tags = f is not None and (f.tag is not None or (f.and_ is not None and bool(f.and_.tags)))
        if tags and self.abort_incomplete_multipart_upload is not None:
            # S3 (and Ceph) answer 400 InvalidRequest: uploads have no tags yet
            raise ValueError("AbortIncompleteMultipartUpload cannot be used with a Tag filter")
        return self


class BucketLifecycleConfiguration(_InputModel):
    """`LifecycleConfiguration={"Rules": [...]}` of `put_bucket_lifecycle_configuration`:
    1 to 1,000 rules, with distinct `ID`s. It replaces the bucket's whole configuration."""

    model_config = ConfigDict(extra="forbid")

    rules: Annotated[list[LifecycleRule], Field(min_length=1, max_length=1000)]

    @field_validator("rules", mode="after")
    @classmethod
    def _v_ids(cls, rules: list[LifecycleRule]) -> list[LifecycleRule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id is not None:
                if rule.id in seen:
                    raise ValueError(f"two rules have the ID {rule.id!r}: S3 wants them distinct")
                seen.add(rule.id)
        return rules


class GetBucketLifecycleConfigurationRequest(RequestModel):
    """`GetBucketLifecycleConfiguration`: the bucket's lifecycle rules.

    A bucket without any answers 404 `NoSuchLifecycleConfiguration`.
    """

    operation_name: ClassVar[str] = "GetBucketLifecycleConfiguration"
    bucket: BucketName
    expected_bucket_owner: OwnerH = None


class GetBucketLifecycleConfigurationResponse(ResponseModel):
    """Result of `GetBucketLifecycleConfiguration`: the rules, as the server sent them."""

    rules: list[LifecycleRule] = Field(default_factory=list)
    transition_default_minimum_object_size: str | None = None


class PutBucketLifecycleConfigurationRequest(RequestModel):
    """`PutBucketLifecycleConfiguration`: replace the bucket's whole lifecycle
    configuration with `LifecycleConfiguration`.

    The body always carries a checksum, as S3 requires for this operation (botocore's
    `requestChecksumRequired`): CRC32 by default, whatever `request_checksum_calculation`
    says, or `ChecksumAlgorithm`'s.
    """

    operation_name: ClassVar[str] = "PutBucketLifecycleConfiguration"
    bucket: BucketName
    checksum_algorithm: Annotated[
        ChecksumAlgorithm | None, Header("x-amz-sdk-checksum-algorithm")
    ] = None
    lifecycle_configuration: Annotated[BucketLifecycleConfiguration | None, Payload()] = None
    expected_bucket_owner: OwnerH = None
    transition_default_minimum_object_size: Annotated[
        TransitionDefaultMinimumObjectSize | None,
        Header("x-amz-transition-default-minimum-object-size"),
    ] = None


class PutBucketLifecycleConfigurationResponse(ResponseModel):
    """Result of `PutBucketLifecycleConfiguration`."""

    transition_default_minimum_object_size: str | None = None


class DeleteBucketLifecycleRequest(RequestModel):
    """`DeleteBucketLifecycle`: delete the bucket's whole lifecycle configuration (every
    rule, and its `TransitionDefaultMinimumObjectSize`).

    S3 answers 204 whether or not the bucket had a configuration.
    """

    operation_name: ClassVar[str] = "DeleteBucketLifecycle"
    bucket: BucketName
    expected_bucket_owner: OwnerH = None


class DeleteBucketLifecycleResponse(ResponseModel):
    """Result of `DeleteBucketLifecycle` (only `ResponseMetadata`)."""


class AbortRuleResult(BaseModel):
    """What `ensure_abort_incomplete_uploads_rule` did.

    Attributes:
        action: `"added"` (a new rule), `"updated"` (an existing rule changed: its days,
            its status, or its filter), or `"unchanged"` (the rule was there already;
            nothing was written).
        rule: the rule as it now is in the configuration.
        previous: the rule before the change (`None` when added).
        rules: the bucket's whole configuration as written (or as read, when unchanged),
            every other rule exactly as the server sent it.
        transition_default_minimum_object_size: the setting read and written back with
            the rules (a put without it would reset it).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    action: Literal["added", "updated", "unchanged"]
    rule: LifecycleRule
    previous: LifecycleRule | None = None
    rules: list[LifecycleRule]
    transition_default_minimum_object_size: str | None = None


class AbortRuleRemovalResult(BaseModel):
    """What `remove_abort_incomplete_uploads_rule` did.

    Attributes:
        action: `"removed"` (the rule was deleted, the other rules written back),
            `"action_removed"` (the rule has other actions: only its
            `AbortIncompleteMultipartUpload` action was taken out), `"configuration_deleted"`
            (the rule was the bucket's only rule: the configuration was deleted with
            DeleteBucketLifecycle, as S3 refuses one without rules), `"absent"` (no rule
            has the ID; nothing was written) or `"no_abort_action"` (the rule with the ID
            has no abort action; nothing was written).
        rule_id: the ID of the rule looked for.
        rule: the rule as it now is in the configuration (without its abort action for
            `"action_removed"`, as it was for `"no_abort_action"`); `None` when it is gone
            or was never there.
        previous: the rule as it was read (`None` when absent).
        rules: the bucket's rules as written (as read, when nothing was written; empty
            when the configuration was deleted), every other rule exactly as the server
            sent it.
        transition_default_minimum_object_size: the setting read (and written back with
            the rules; deleted with the configuration).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    action: Literal[
        "removed", "action_removed", "configuration_deleted", "absent", "no_abort_action"
    ]
    rule_id: str
    rule: LifecycleRule | None = None
    previous: LifecycleRule | None = None
    rules: list[LifecycleRule]
    transition_default_minimum_object_size: str | None = None


# --------------------------------------------------------------------------- keyword types


class CreateBucketConfigurationDict(TypedDict, total=False):
    """`CreateBucketConfiguration` of CreateBucket."""

    LocationConstraint: str


class CreateBucketParams(TypedDict, total=False):
    """Keyword arguments of `create_bucket`."""

    ACL: Literal["private", "public-read", "public-read-write", "authenticated-read"]
    Bucket: Required[str]
    CreateBucketConfiguration: CreateBucketConfigurationDict | CreateBucketConfiguration
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWrite: str
    GrantWriteACP: str
    ObjectLockEnabledForBucket: bool
    ObjectOwnership: Literal["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"]


class DeleteBucketParams(TypedDict, total=False):
    """Keyword arguments of `delete_bucket`."""

    Bucket: Required[str]
    ExpectedBucketOwner: str


class HeadObjectParams(_PayerOwner, _SSECustomer, total=False):
    """Keyword arguments of `head_object`."""

    Bucket: Required[str]
    Key: Required[str]
    IfMatch: str
    IfModifiedSince: datetime
    IfNoneMatch: str
    IfUnmodifiedSince: datetime
    Range: str
    ResponseCacheControl: str
    ResponseContentDisposition: str
    ResponseContentEncoding: str
    ResponseContentLanguage: str
    ResponseContentType: str
    ResponseExpires: datetime
    VersionId: str
    PartNumber: int
    ChecksumMode: Literal["ENABLED"]


class DeleteObjectParams(_PayerOwner, total=False):
    """Keyword arguments of `delete_object`."""

    Bucket: Required[str]
    Key: Required[str]
    MFA: str
    VersionId: str
    BypassGovernanceRetention: bool
    IfMatch: str
    IfMatchLastModifiedTime: datetime
    IfMatchSize: int


class TagDict(TypedDict):
    """A tag in a lifecycle rule's filter."""

    Key: str
    Value: str


class LifecycleRuleAndOperatorDict(TypedDict, total=False):
    """`Filter={"And": {...}}` of a lifecycle rule."""

    Prefix: str
    Tags: Sequence[TagDict | Tag]
    ObjectSizeGreaterThan: int
    ObjectSizeLessThan: int


class LifecycleRuleFilterDict(TypedDict, total=False):
    """`Filter` of a lifecycle rule: one of its keys, or none for the whole bucket."""

    Prefix: str
    Tag: TagDict | Tag
    ObjectSizeGreaterThan: int
    ObjectSizeLessThan: int
    And: LifecycleRuleAndOperatorDict | LifecycleRuleAndOperator


class LifecycleExpirationDict(TypedDict, total=False):
    """`Expiration` of a lifecycle rule: one of its keys."""

    Date: datetime
    Days: int
    ExpiredObjectDeleteMarker: bool


class TransitionDict(TypedDict, total=False):
    """A transition of a lifecycle rule."""

    Date: datetime
    Days: int
    StorageClass: TransitionStorageClass


class NoncurrentVersionTransitionDict(TypedDict, total=False):
    """A noncurrent-version transition of a lifecycle rule."""

    NoncurrentDays: int
    StorageClass: TransitionStorageClass
    NewerNoncurrentVersions: int


class NoncurrentVersionExpirationDict(TypedDict, total=False):
    """`NoncurrentVersionExpiration` of a lifecycle rule."""

    NoncurrentDays: int
    NewerNoncurrentVersions: int


class AbortIncompleteMultipartUploadDict(TypedDict, total=False):
    """`AbortIncompleteMultipartUpload` of a lifecycle rule."""

    DaysAfterInitiation: int


class LifecycleRuleDict(TypedDict, total=False):
    """A rule in `LifecycleConfiguration={"Rules": [...]}`."""

    Expiration: LifecycleExpirationDict | LifecycleExpiration
    ID: str
    Prefix: str
    Filter: LifecycleRuleFilterDict | LifecycleRuleFilter
    Status: Required[ExpirationStatus]
    Transitions: Sequence[TransitionDict | Transition]
    NoncurrentVersionTransitions: Sequence[
        NoncurrentVersionTransitionDict | NoncurrentVersionTransition
    ]
    NoncurrentVersionExpiration: NoncurrentVersionExpirationDict | NoncurrentVersionExpiration
    AbortIncompleteMultipartUpload: (
        AbortIncompleteMultipartUploadDict | AbortIncompleteMultipartUpload
    )


class BucketLifecycleConfigurationDict(TypedDict):
    """`LifecycleConfiguration` of PutBucketLifecycleConfiguration."""

    Rules: Sequence[LifecycleRuleDict | LifecycleRule]


class GetBucketLifecycleConfigurationParams(TypedDict, total=False):
    """Keyword arguments of `get_bucket_lifecycle_configuration`."""

    Bucket: Required[str]
    ExpectedBucketOwner: str


class DeleteBucketLifecycleParams(TypedDict, total=False):
    """Keyword arguments of `delete_bucket_lifecycle`."""

    Bucket: Required[str]
    ExpectedBucketOwner: str


class PutBucketLifecycleConfigurationParams(TypedDict, total=False):
    """Keyword arguments of `put_bucket_lifecycle_configuration`."""

    Bucket: Required[str]
    ChecksumAlgorithm: ChecksumAlgorithm
    LifecycleConfiguration: BucketLifecycleConfigurationDict | BucketLifecycleConfiguration
    ExpectedBucketOwner: str
    TransitionDefaultMinimumObjectSize: TransitionDefaultMinimumObjectSize


class PutObjectParams(_PayerOwner, _SSECustomer, _Checksums, total=False):
    """Keyword arguments of `put_object`."""

    Bucket: Required[str]
    Key: Required[str]
    Body: Body
    ACL: Literal[
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
    ]
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentLength: int
    ContentMD5: str
    ContentType: str
    ChecksumAlgorithm: ChecksumAlgorithm
    Expires: datetime
    IfMatch: str
    IfNoneMatch: str
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


# --------------------------------------------------------------------------- upload_file

UploadResponse = Union[PutObjectResponse, CompleteMultipartUploadResponse]  # noqa: UP007
"""What `S3Client.upload_file` and `upload_fileobj` return: PutObject's response for a
file below the multipart threshold, CompleteMultipartUpload's above it."""


# These are `aios3.models` names (where their reprs, pickles and docs point): that module
# gives them on first access.
for _cls in tuple(globals().values()):
    if isinstance(_cls, type) and _cls.__module__ == __name__:
        _cls.__module__ = "aios3.models"
del _cls
