"""One record per operation: the single source the client, the serializer, the parser table
and the paginators derive from.

```python
from aios3._operations import OPERATIONS

for op in OPERATIONS:
    print(op.name, op.method_name, op.http_method, op.request.model_fields.keys())
```

Where a field travels (header, query, URI, body) is not repeated here: it sits on the
request model's fields (`aios3._wire` markers) and `aios3._serialize` compiles it once per
record. What is hand-written besides the records: the `@overload` pairs of the client
methods, for type checkers; `tests/unit/test_operation_records.py` checks they agree.

`retry_safe` says whether sending the request again after an unseen answer leaves the
same state as sending it once. botocore retries every S3 operation, POSTs included; aios3
marks each one and says why:

* CreateMultipartUpload (POST): safe. A retry after a lost answer can start a second
  upload; the caller never learns its id, so it holds no parts and costs nothing, and it
  is listed by ListMultipartUploads until aborted (or an AbortIncompleteMultipartUpload
  lifecycle rule removes it). Failing the caller's upload on a 503 would be worse.
* CompleteMultipartUpload (POST): safe. The S3 docs ask clients to retry a failed
  complete; the parts are the same, so is the object. A retry after an unseen success
  may answer `NoSuchUpload`: the object is there, and the caller can check it with
  HeadObject.
* CreateBucket (PUT) and DeleteBucket, DeleteObject, AbortMultipartUpload (DELETE):
  safe; a retry after an unseen success may answer BucketAlreadyOwnedByYou,
  NoSuchBucket or NoSuchUpload (DeleteObject answers 204 again).
* UploadPart (PUT): safe, the same part number is overwritten with the same bytes.
* PutBucketLifecycleConfiguration (PUT): safe, the same configuration is written again.
* DeleteBucketLifecycle (DELETE): safe, S3 answers 204 with or without a configuration.
* PutObject (PUT): safe, the same key is overwritten with the same bytes (a conditional
  put with `IfNoneMatch="*"` may answer PreconditionFailed after an unseen success).
* The GET and HEAD operations: safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from multidict import CIMultiDictProxy

from . import _parse
from ._paginate import ListMultipartUploadsPaginator, ListPartsPaginator
from .errors import ParamValidationError
from .models import (
    AbortMultipartUploadParams,
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    CompleteMultipartUploadParams,
    CompleteMultipartUploadRequest,
    CompleteMultipartUploadResponse,
    CreateMultipartUploadParams,
    CreateMultipartUploadRequest,
    CreateMultipartUploadResponse,
    CreateSessionParams,
    CreateSessionRequest,
    CreateSessionResponse,
    ListMultipartUploadsParams,
    ListMultipartUploadsRequest,
    ListMultipartUploadsResponse,
    ListPartsParams,
    ListPartsRequest,
    ListPartsResponse,
    RequestModel,
    ResponseMetadata,
    ResponseModel,
    UploadPartParams,
    UploadPartRequest,
    UploadPartResponse,
)

if TYPE_CHECKING:
    from .models import (
        CreateBucketRequest,
        CreateBucketResponse,
        DeleteBucketLifecycleRequest,
        DeleteBucketLifecycleResponse,
        DeleteBucketRequest,
        DeleteBucketResponse,
        DeleteObjectRequest,
        DeleteObjectResponse,
        GetBucketLifecycleConfigurationRequest,
        GetBucketLifecycleConfigurationResponse,
        HeadObjectRequest,
        HeadObjectResponse,
        PutBucketLifecycleConfigurationRequest,
        PutBucketLifecycleConfigurationResponse,
        PutObjectRequest,
        PutObjectResponse,
    )

__all__ = [
    "BY_METHOD_NAME",
    "BY_NAME",
    "OPERATIONS",
    "PAGINATED",
    "Operation",
    "for_request",
    "validated",
]

Req = TypeVar("Req", bound=RequestModel)
Resp = TypeVar("Resp", bound=ResponseModel)


@dataclass(frozen=True, slots=True)
class Operation(Generic[Req, Resp]):
    """Everything aios3 knows about one S3 operation."""

    name: str
    """boto3's operation name, `"CreateMultipartUpload"` (also the model's `operation_name`)."""
    method_name: str
    """The client method, `"create_multipart_upload"`."""
    http_method: str
    fixed_query: tuple[str, ...]
    """Query items every request carries (`"uploads"` in `?uploads`)."""
    request: type[Req]
    response: type[Resp]
    params: type[Mapping[str, Any]]
    """The boto3-keyword TypedDict of the client method (`**params: Unpack[...]`)."""
    parser: Callable[[int, CIMultiDictProxy[str], bytes, ResponseMetadata], Resp]
    paginator: type[ListPartsPaginator] | type[ListMultipartUploadsPaginator] | None
    retry_safe: bool
    """Safe to send again after an unseen answer (see the module docstring)."""
    checksum_member: bool = False
    """botocore's `httpChecksum` trait has a `requestAlgorithmMember` (`ChecksumAlgorithm`):
    a request checksum is computed when asked for, or by default (see `aios3._checksums`)."""
    checksum_required: bool = False
    """The trait also has `requestChecksumRequired`: without `ChecksumAlgorithm`, a CRC32
    checksum goes whatever `request_checksum_calculation` says (S3 refuses the request
    without a checksum or `Content-MD5`)."""
    control_endpoint: bool = False
    """botocore's static context parameter `UseS3ExpressControlEndpoint`: for a directory
    bucket the request goes to the regional `s3express-control` endpoint, signed with the
    long-term credentials (no session), not to the bucket's zonal endpoint."""

    @classmethod
    def deferred(
        cls,
        name: str,
        method_name: str,
        http_method: str,
        fixed_query: tuple[str, ...],
        *,
        retry_safe: bool,
        checksum_member: bool = False,
        checksum_required: bool = False,
        control_endpoint: bool = False,
    ) -> Operation[Any, Any]:
        """A record of the bucket, object and lifecycle family, whose models and parser
        are imported on the first access to `request`, `response`, `params` or `parser`
        (`{name}Request`, `{name}Response` and `{name}Params` of `aios3.models`, and
        `aios3._parse_bucket_object.{method_name}`). Then they are plain attributes."""
        op = object.__new__(cls)
        for attr, value in (
            ("name", name),
            ("method_name", method_name),
            ("http_method", http_method),
            ("fixed_query", fixed_query),
            ("paginator", None),
            ("retry_safe", retry_safe),
            ("checksum_member", checksum_member),
            ("checksum_required", checksum_required),
            ("control_endpoint", control_endpoint),
        ):
            object.__setattr__(op, attr, value)
        return op

    if not TYPE_CHECKING:  # for type checkers, every field is set

        def __getattr__(self, attr: str) -> object:
            # only called for a slot never set: a deferred record's types and parser
            if attr not in _DEFERRED:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")
            models = import_module(".models", __package__)
            parsers = import_module("._parse_bucket_object", __package__)
            for field, value in (
                ("request", getattr(models, f"{self.name}Request")),
                ("response", getattr(models, f"{self.name}Response")),
                ("params", getattr(models, f"{self.name}Params")),
                ("parser", getattr(parsers, self.method_name)),
            ):
                object.__setattr__(self, field, value)
            return object.__getattribute__(self, attr)


_DEFERRED = frozenset({"request", "response", "params", "parser"})


ABORT_MULTIPART_UPLOAD = Operation(
    "AbortMultipartUpload",
    "abort_multipart_upload",
    "DELETE",
    (),
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    AbortMultipartUploadParams,
    _parse.abort_multipart_upload,
    None,
    retry_safe=True,
)

CREATE_MULTIPART_UPLOAD = Operation(
    "CreateMultipartUpload",
    "create_multipart_upload",
    "POST",
    ("uploads",),
    CreateMultipartUploadRequest,
    CreateMultipartUploadResponse,
    CreateMultipartUploadParams,
    _parse.create_multipart_upload,
    None,
    retry_safe=True,  # POST: see the module docstring
)

UPLOAD_PART = Operation(
    "UploadPart",
    "upload_part",
    "PUT",
    (),
    UploadPartRequest,
    UploadPartResponse,
    UploadPartParams,
    _parse.upload_part,
    None,
    retry_safe=True,
    checksum_member=True,
)

COMPLETE_MULTIPART_UPLOAD = Operation(
    "CompleteMultipartUpload",
    "complete_multipart_upload",
    "POST",
    (),
    CompleteMultipartUploadRequest,
    CompleteMultipartUploadResponse,
    CompleteMultipartUploadParams,
    _parse.complete_multipart_upload,
    None,
    retry_safe=True,  # POST: see the module docstring
)

LIST_PARTS = Operation(
    "ListParts",
    "list_parts",
    "GET",
    (),
    ListPartsRequest,
    ListPartsResponse,
    ListPartsParams,
    _parse.list_parts,
    ListPartsPaginator,
    retry_safe=True,
)

LIST_MULTIPART_UPLOADS = Operation(
    "ListMultipartUploads",
    "list_multipart_uploads",
    "GET",
    ("uploads",),
    ListMultipartUploadsRequest,
    ListMultipartUploadsResponse,
    ListMultipartUploadsParams,
    _parse.list_multipart_uploads,
    ListMultipartUploadsPaginator,
    retry_safe=True,
)

CREATE_SESSION = Operation(
    "CreateSession",
    "create_session",
    "GET",
    ("session",),
    CreateSessionRequest,
    CreateSessionResponse,
    CreateSessionParams,
    _parse.create_session,
    None,
    retry_safe=True,
)

CREATE_BUCKET: Operation[CreateBucketRequest, CreateBucketResponse] = Operation.deferred(
    "CreateBucket",
    "create_bucket",
    "PUT",
    (),
    retry_safe=True,
    control_endpoint=True,
)

DELETE_BUCKET: Operation[DeleteBucketRequest, DeleteBucketResponse] = Operation.deferred(
    "DeleteBucket",
    "delete_bucket",
    "DELETE",
    (),
    retry_safe=True,
    control_endpoint=True,
)

HEAD_OBJECT: Operation[HeadObjectRequest, HeadObjectResponse] = Operation.deferred(
    "HeadObject",
    "head_object",
    "HEAD",
    (),
    retry_safe=True,
)

DELETE_OBJECT: Operation[DeleteObjectRequest, DeleteObjectResponse] = Operation.deferred(
    "DeleteObject",
    "delete_object",
    "DELETE",
    (),
    retry_safe=True,
)

GET_BUCKET_LIFECYCLE_CONFIGURATION: Operation[
    GetBucketLifecycleConfigurationRequest, GetBucketLifecycleConfigurationResponse
] = Operation.deferred(
    "GetBucketLifecycleConfiguration",
    "get_bucket_lifecycle_configuration",
    "GET",
    ("lifecycle",),
    retry_safe=True,
    control_endpoint=True,
)

PUT_BUCKET_LIFECYCLE_CONFIGURATION: Operation[
    PutBucketLifecycleConfigurationRequest, PutBucketLifecycleConfigurationResponse
] = Operation.deferred(
    "PutBucketLifecycleConfiguration",
    "put_bucket_lifecycle_configuration",
    "PUT",
    ("lifecycle",),
    retry_safe=True,  # the same configuration again
    checksum_member=True,
    checksum_required=True,
    control_endpoint=True,
)

DELETE_BUCKET_LIFECYCLE: Operation[DeleteBucketLifecycleRequest, DeleteBucketLifecycleResponse] = (
    Operation.deferred(
        "DeleteBucketLifecycle",
        "delete_bucket_lifecycle",
        "DELETE",
        ("lifecycle",),
        retry_safe=True,  # 204 again, configuration or not
        control_endpoint=True,
    )
)

PUT_OBJECT: Operation[PutObjectRequest, PutObjectResponse] = Operation.deferred(
    "PutObject",
    "put_object",
    "PUT",
    (),
    retry_safe=True,
    checksum_member=True,
)

OPERATIONS: tuple[Operation[Any, Any], ...] = (
    ABORT_MULTIPART_UPLOAD,
    CREATE_MULTIPART_UPLOAD,
    UPLOAD_PART,
    COMPLETE_MULTIPART_UPLOAD,
    LIST_PARTS,
    LIST_MULTIPART_UPLOADS,
    CREATE_SESSION,
    CREATE_BUCKET,
    DELETE_BUCKET,
    HEAD_OBJECT,
    DELETE_OBJECT,
    GET_BUCKET_LIFECYCLE_CONFIGURATION,
    PUT_BUCKET_LIFECYCLE_CONFIGURATION,
    DELETE_BUCKET_LIFECYCLE,
    PUT_OBJECT,
)
"""Every operation."""

BY_NAME: dict[str, Operation[Any, Any]] = {op.name: op for op in OPERATIONS}
BY_METHOD_NAME: dict[str, Operation[Any, Any]] = {op.method_name: op for op in OPERATIONS}


def for_request(cls: type[RequestModel]) -> Operation[Any, Any]:
    """The record of a request model's class (its `operation_name`), also for a subclass
    of an operation's request model (one with defaults of its own, say)."""
    op = BY_NAME.get(cls.operation_name)
    if op is None or not issubclass(cls, op.request):
        raise ParamValidationError(f"{cls.__name__} is not the request of an S3 operation")
    return op


PAGINATED: frozenset[str] = frozenset(op.method_name for op in OPERATIONS if op.paginator)


def validated(op: Operation[Req, Any], request: Req | None, params: Mapping[str, object]) -> Req:
    """The request model of one call: the model given, or one built from keywords."""
    if request is None:
        return op.request(**params)  # RequestModel.__init__ raises ParamValidationError
    if params:
        raise ParamValidationError(
            f"pass either a {op.request.__name__} or keyword arguments, not both "
            f"(got {', '.join(sorted(params))})"
        )
    if not isinstance(request, op.request):
        raise ParamValidationError(
            f"expected a {op.request.__name__}, got {type(request).__name__}"
        )
    if request.operation_name != op.name:
        # a subclass of this operation's model and of another's, sent as the other
        # (its `operation_name`, the first in its bases): refused, not sent as the wrong one
        raise ParamValidationError(
            f"expected a {op.request.__name__}, got {type(request).__name__}, a request "
            f"of {request.operation_name}"
        )
    return request
