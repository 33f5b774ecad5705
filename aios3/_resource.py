"""`S3Resource`: boto3's resource style for buckets, objects and multipart uploads.

Each resource is a light handle (its identifiers plus attributes loaded from a listing);
every action is one call of the underlying `S3Client`, reachable as `s3r.meta.client`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Mapping
from datetime import datetime
from types import TracebackType
from typing import ClassVar, Generic, Literal, TypeVar, cast

from typing_extensions import Self, TypedDict, Unpack, overload

from ._client import PaginationConfig, S3Client
from ._config import Config
from ._orphans import VerifyPolicy
from ._transport import Transport
from .errors import ParamValidationError
from .models import (
    AbortMultipartUploadResponse,
    ChecksumAlgorithm,
    ChecksumType,
    CompletedMultipartUpload,
    CompletedMultipartUploadDict,
    Initiator,
    ListMultipartUploadsParams,
    ListPartsParams,
    MultipartUploadSummary,
    ObjectCannedACL,
    Owner,
    Part,
    RequestPayer,
    ServerSideEncryption,
    StorageClass,
    UploadPartResponse,
    VerifiedAbortResponse,
    _PayerOwner,
    _SSECustomer,
)
from .models import Body as BodyType

__all__ = [
    "Bucket",
    "MultipartUpload",
    "MultipartUploadPart",
    "MultipartUploadsCollection",
    "Object",
    "PartsCollection",
    "ResourceMeta",
    "S3Resource",
]

T = TypeVar("T")


class ResourceMeta:
    """`s3r.meta`: `meta.client` is the `S3Client` behind the resource."""

    __slots__ = ("client",)

    def __init__(self, client: S3Client) -> None:
        self.client = client


class S3Resource:
    """boto3's `boto3.resource("s3")`, async.

    ```python
    async with aios3.S3Resource(region_name="eu-west-1") as s3r:
        await s3r.MultipartUpload("bucket", "key", "upload-id").abort()
    ```

    Takes the same arguments as `S3Client`.
    """

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: Config | None = None,
        transport: Transport | None = None,
        client: S3Client | None = None,
    ) -> None:
        self.meta = ResourceMeta(
            client
            or S3Client(
                region_name=region_name,
                endpoint_url=endpoint_url,
                aws_access_key_id=aws_access_key_id,
                aws_secret_access_key=aws_secret_access_key,
                aws_session_token=aws_session_token,
                profile_name=profile_name,
                config=config,
                transport=transport,
            )
        )

    def __repr__(self) -> str:
        return "s3.ServiceResource()"

    async def __aenter__(self) -> Self:
        await self.meta.client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.meta.client.close()

    async def close(self) -> None:
        """Close the underlying client."""
        await self.meta.client.close()

    def Bucket(self, name: str) -> Bucket:
        """A bucket handle."""
        return Bucket(self.meta.client, name)

    def Object(self, bucket_name: str, key: str) -> Object:
        """An object handle."""
        return Object(self.meta.client, bucket_name, key)

    def MultipartUpload(self, bucket_name: str, object_key: str, id: str) -> MultipartUpload:
        """A multipart upload handle."""
        return MultipartUpload(self.meta.client, bucket_name, object_key, id)

    def MultipartUploadPart(
        self, bucket_name: str, object_key: str, multipart_upload_id: str, part_number: int
    ) -> MultipartUploadPart:
        """A handle on one part of a multipart upload."""
        return MultipartUploadPart(
            self.meta.client, bucket_name, object_key, multipart_upload_id, part_number
        )


class _Collection(Generic[T]):
    """An async-iterable, filterable collection, as boto3's resource collections."""

    def __init__(
        self, params: dict[str, object], max_items: int | None = None, page_size: int | None = None
    ) -> None:
        self._params = params
        self._max_items = max_items
        self._page_size = page_size

    def _copy(self, **changes: object) -> Self:
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        for k, v in changes.items():
            setattr(new, k, v)
        return new

    def all(self) -> Self:
        """Every item."""
        return self._copy()

    def limit(self, count: int) -> Self:
        """At most `count` items."""
        return self._copy(_max_items=_whole("limit", count, 0))

    def page_size(self, count: int) -> Self:
        """Ask the server for `count` items per request."""
        return self._copy(_page_size=_whole("page_size", count, 1))

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def _pagination(self) -> PaginationConfig:
        cfg: PaginationConfig = {}
        if self._max_items is not None:
            cfg["MaxItems"] = self._max_items
        if self._page_size is not None:
            cfg["PageSize"] = self._page_size
        return cfg


def _whole(what: str, count: object, least: int) -> int:
    """`count` for `limit()` / `page_size()`: a whole number of at least `least`."""
    if isinstance(count, bool) or not isinstance(count, int) or count < least:
        raise ParamValidationError(f"{what}: must be an integer >= {least}, got {count!r}")
    return count


def _no_identifiers(action: str, params: Mapping[str, object], *names: str) -> None:
    """Refuse a resource's identifier passed again to one of its actions: it would clash
    with the one the handle holds (and act on another upload or part than the handle's)."""
    given = [n for n in names if n in params]
    if given:
        raise ParamValidationError(
            f"{action}: {', '.join(given)} is an identifier of this resource, not a "
            "parameter: use a handle on the other one instead",
            [f"{n}: an identifier of this resource, not a parameter" for n in given],
        )


class MultipartUploadsFilter(TypedDict, total=False):
    """What `bucket.multipart_uploads.filter(...)` accepts."""

    Delimiter: str
    EncodingType: Literal["url"]
    KeyMarker: str
    Prefix: str
    UploadIdMarker: str
    ExpectedBucketOwner: str
    RequestPayer: RequestPayer


class MultipartUploadsCollection(_Collection["MultipartUpload"]):
    """`bucket.multipart_uploads`: async iterable of `MultipartUpload`."""

    def __init__(self, client: S3Client, bucket_name: str, params: dict[str, object]) -> None:
        super().__init__(params)
        self._client = client
        self._bucket_name = bucket_name

    def filter(self, **params: Unpack[MultipartUploadsFilter]) -> MultipartUploadsCollection:
        """Only the uploads matching `Prefix` (and the other `ListMultipartUploads` filters)."""
        return self._copy(_params={**self._params, **params})

    async def _iterate(self) -> AsyncIterator[MultipartUpload]:
        paginator = self._client.get_paginator("list_multipart_uploads")
        params = cast(ListMultipartUploadsParams, {**self._params, "Bucket": self._bucket_name})
        async for page in paginator.paginate(PaginationConfig=self._pagination(), **params):
            for summary in page.uploads:
                yield MultipartUpload._from_summary(self._client, self._bucket_name, summary)


class PartsCollection(_Collection["MultipartUploadPart"]):
    """`upload.parts`: async iterable of `MultipartUploadPart`."""

    def __init__(self, upload: MultipartUpload, params: dict[str, object]) -> None:
        super().__init__(params)
        self._upload = upload

    def filter(self, **params: Unpack[_PayerOwnerSSE]) -> PartsCollection:
        """Pass `RequestPayer`, `ExpectedBucketOwner` or SSE-C parameters to `ListParts`."""
        return self._copy(_params={**self._params, **params})

    async def _iterate(self) -> AsyncIterator[MultipartUploadPart]:
        u = self._upload
        paginator = u.meta.client.get_paginator("list_parts")
        params = cast(
            ListPartsParams,
            {**self._params, "Bucket": u.bucket_name, "Key": u.object_key, "UploadId": u.id},
        )
        async for page in paginator.paginate(PaginationConfig=self._pagination(), **params):
            for part in page.parts:
                yield MultipartUploadPart._from_part(u, part)


class _PayerOwnerSSE(_PayerOwner, _SSECustomer, total=False):
    pass


class _Handle:
    """boto3-style identity for resource handles: repr, equality and hash by identifiers."""

    __slots__ = ()
    _ids: ClassVar[tuple[str, ...]]

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, n) for n in self._ids)

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._ids)
        return f"s3.{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self._key()))


class Bucket(_Handle):
    """A bucket. Identifier: `name`."""

    _ids = ("name",)
    __slots__ = ("meta", "multipart_uploads", "name")

    def __init__(self, client: S3Client, name: str) -> None:
        self.meta = ResourceMeta(client)
        self.name = name
        self.multipart_uploads = MultipartUploadsCollection(client, name, {})

    def Object(self, key: str) -> Object:
        """An object in this bucket."""
        return Object(self.meta.client, self.name, key)

    def MultipartUpload(self, key: str, id: str) -> MultipartUpload:
        """An upload in this bucket."""
        return MultipartUpload(self.meta.client, self.name, key, id)


class _InitiateParams(TypedDict, total=False):
    """Keyword arguments of `Object.initiate_multipart_upload`: CreateMultipartUpload's,
    minus `Bucket` and `Key` (tests/unit/test_operation_records.py keeps them in step)."""

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
    SSECustomerAlgorithm: str
    SSECustomerKey: str | bytes
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    RequestPayer: RequestPayer
    Tagging: str
    ObjectLockMode: Literal["GOVERNANCE", "COMPLIANCE"]
    ObjectLockRetainUntilDate: datetime
    ObjectLockLegalHoldStatus: Literal["ON", "OFF"]
    ObjectLockEventHold: Literal["ON", "OFF"]
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ExpectedBucketOwner: str
    ChecksumAlgorithm: ChecksumAlgorithm
    ChecksumType: ChecksumType


class Object(_Handle):
    """An object. Identifiers: `bucket_name`, `key`."""

    _ids = ("bucket_name", "key")
    __slots__ = ("bucket_name", "key", "meta")

    def __init__(self, client: S3Client, bucket_name: str, key: str) -> None:
        self.meta = ResourceMeta(client)
        self.bucket_name = bucket_name
        self.key = key

    async def initiate_multipart_upload(self, **params: Unpack[_InitiateParams]) -> MultipartUpload:
        """`CreateMultipartUpload` for this object; returns the new upload."""
        _no_identifiers("initiate_multipart_upload", params, "Bucket", "Key")
        r = await self.meta.client.create_multipart_upload(
            Bucket=self.bucket_name,
            Key=self.key,
            **params,
        )
        up = MultipartUpload(self.meta.client, self.bucket_name, self.key, r.upload_id)
        up.checksum_algorithm = r.checksum_algorithm
        up.checksum_type = r.checksum_type
        up.version_id = r.version_id
        return up

    def MultipartUpload(self, id: str) -> MultipartUpload:
        """An upload of this object."""
        return MultipartUpload(self.meta.client, self.bucket_name, self.key, id)

    def Bucket(self) -> Bucket:
        """The object's bucket."""
        return Bucket(self.meta.client, self.bucket_name)


class _AbortParams(_PayerOwner, total=False):
    IfMatchInitiatedTime: datetime


class _CompleteParams(_PayerOwnerSSE, total=False):
    MultipartUpload: CompletedMultipartUploadDict | CompletedMultipartUpload
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
    ChecksumType: ChecksumType
    MpuObjectSize: int
    IfMatch: str
    IfNoneMatch: str


class MultipartUpload(_Handle):
    """A multipart upload. Identifiers: `bucket_name`, `object_key`, `id`.

    The attributes `key`, `upload_id`, `initiated`, `storage_class`, `owner`, `initiator`,
    `checksum_algorithm`, `checksum_type` and `version_id` are filled when the upload comes from
    `bucket.multipart_uploads`; a handle built from identifiers alone has only `key` and
    `upload_id`.
    """

    _ids = ("bucket_name", "object_key", "id")
    __slots__ = (
        "bucket_name",
        "checksum_algorithm",
        "checksum_type",
        "id",
        "initiated",
        "initiator",
        "key",
        "meta",
        "object_key",
        "owner",
        "parts",
        "storage_class",
        "upload_id",
        "version_id",
    )

    def __init__(self, client: S3Client, bucket_name: str, object_key: str, id: str) -> None:
        self.meta = ResourceMeta(client)
        self.bucket_name = bucket_name
        self.object_key = object_key
        self.id = id
        self.key: str = object_key
        self.upload_id: str = id
        self.initiated: datetime | None = None
        self.storage_class: str | None = None
        self.owner: Owner | None = None
        self.initiator: Initiator | None = None
        self.checksum_algorithm: str | None = None
        self.checksum_type: str | None = None
        self.version_id: str | None = None
        self.parts = PartsCollection(self, {})

    @classmethod
    def _from_summary(
        cls, client: S3Client, bucket_name: str, s: MultipartUploadSummary
    ) -> MultipartUpload:
        up = cls(client, bucket_name, s.key, s.upload_id)
        up.initiated = s.initiated
        up.storage_class = s.storage_class
        up.owner = s.owner
        up.initiator = s.initiator
        up.checksum_algorithm = s.checksum_algorithm
        up.checksum_type = s.checksum_type
        up.version_id = s.version_id
        return up

    @overload
    def abort(
        self, *, verify: Literal[False] = False, **params: Unpack[_AbortParams]
    ) -> Coroutine[None, None, AbortMultipartUploadResponse]: ...
    @overload
    def abort(
        self, *, verify: Literal[True] | VerifyPolicy, **params: Unpack[_AbortParams]
    ) -> Coroutine[None, None, VerifiedAbortResponse]: ...
    def abort(
        self, *, verify: bool | VerifyPolicy = False, **params: Unpack[_AbortParams]
    ) -> Coroutine[None, None, AbortMultipartUploadResponse]:
        """`AbortMultipartUpload` for this upload: `await upload.abort()`.

        `await upload.abort(verify=True)` aborts, then checks with ListParts that nothing
        is left, aborting again while parts remain (see
        [`S3Client.abort_multipart_upload`][aios3.S3Client.abort_multipart_upload]).
        """
        if params:
            _no_identifiers("abort", params, "Bucket", "Key", "UploadId")
        # a plain method returning the client's coroutine: no frame of its own per call
        return self.meta.client.abort_multipart_upload(
            Bucket=self.bucket_name,
            Key=self.object_key,
            UploadId=self.id,
            verify=verify,  # type: ignore[arg-type]  # the overloads above are exact
            **params,
        )

    async def complete(self, **params: Unpack[_CompleteParams]) -> Object:
        """`CompleteMultipartUpload` for this upload; returns the object, as boto3 does."""
        _no_identifiers("complete", params, "Bucket", "Key", "UploadId")
        await self.meta.client.complete_multipart_upload(
            Bucket=self.bucket_name, Key=self.object_key, UploadId=self.id, **params
        )
        return Object(self.meta.client, self.bucket_name, self.object_key)

    def Part(self, part_number: int) -> MultipartUploadPart:
        """A handle on part `part_number` (1..10000) of this upload."""
        return MultipartUploadPart(
            self.meta.client, self.bucket_name, self.object_key, self.id, part_number
        )

    def Object(self) -> Object:
        """The object this upload creates."""
        return Object(self.meta.client, self.bucket_name, self.object_key)


class _UploadParams(_PayerOwnerSSE, total=False):
    Body: BodyType
    ContentLength: int
    ContentMD5: str
    ChecksumAlgorithm: ChecksumAlgorithm
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


class MultipartUploadPart(_Handle):
    """One part. Identifiers: `bucket_name`, `object_key`, `multipart_upload_id`, `part_number`.

    `e_tag`, `size`, `last_modified` and the checksums are filled when the part comes from
    `upload.parts`, and `e_tag` (with checksums) after `upload()`.
    """

    _ids = ("bucket_name", "object_key", "multipart_upload_id", "part_number")
    __slots__ = (
        "bucket_name",
        "checksum_crc32",
        "checksum_crc32c",
        "checksum_crc64nvme",
        "checksum_sha1",
        "checksum_sha256",
        "e_tag",
        "last_modified",
        "meta",
        "multipart_upload_id",
        "object_key",
        "part_number",
        "size",
    )

    def __init__(
        self,
        client: S3Client,
        bucket_name: str,
        object_key: str,
        multipart_upload_id: str,
        part_number: int,
    ) -> None:
        self.meta = ResourceMeta(client)
        self.bucket_name = bucket_name
        self.object_key = object_key
        self.multipart_upload_id = multipart_upload_id
        self.part_number = part_number
        self.e_tag: str | None = None
        self.size: int | None = None
        self.last_modified: datetime | None = None
        self.checksum_crc32: str | None = None
        self.checksum_crc32c: str | None = None
        self.checksum_crc64nvme: str | None = None
        self.checksum_sha1: str | None = None
        self.checksum_sha256: str | None = None

    @classmethod
    def _from_part(cls, upload: MultipartUpload, p: Part) -> MultipartUploadPart:
        part = cls(upload.meta.client, upload.bucket_name, upload.object_key, upload.id, 0)
        part.part_number = p.part_number
        part.e_tag = p.etag
        part.size = p.size
        part.last_modified = p.last_modified
        part.checksum_crc32 = p.checksum_crc32
        part.checksum_crc32c = p.checksum_crc32c
        part.checksum_crc64nvme = p.checksum_crc64nvme
        part.checksum_sha1 = p.checksum_sha1
        part.checksum_sha256 = p.checksum_sha256
        return part

    async def upload(self, **params: Unpack[_UploadParams]) -> UploadPartResponse:
        """`UploadPart` for this part; sets `e_tag` (and checksums) on success."""
        _no_identifiers("upload", params, "Bucket", "Key", "UploadId", "PartNumber")
        r = await self.meta.client.upload_part(
            Bucket=self.bucket_name,
            Key=self.object_key,
            UploadId=self.multipart_upload_id,
            PartNumber=self.part_number,
            **params,
        )
        self.e_tag = r.etag
        for name in (
            "checksum_crc32",
            "checksum_crc32c",
            "checksum_crc64nvme",
            "checksum_sha1",
            "checksum_sha256",
        ):
            setattr(self, name, getattr(r, name))
        return r

    def MultipartUpload(self) -> MultipartUpload:
        """The upload this part belongs to."""
        return MultipartUpload(
            self.meta.client, self.bucket_name, self.object_key, self.multipart_upload_id
        )
