"""The one exception tree of aios3.

Every error aios3 raises derives from [`Aios3Error`][aios3.errors.Aios3Error]:

```text
Aios3Error
├── ParamValidationError        bad input, raised before anything is sent
├── EndpointResolutionError     the S3 endpoint rule set rejected the inputs
├── NoCredentialsError          no credentials could be found
├── MissingDependencyError      an optional extra is needed (e.g. aios3[crt])
├── ResponseParseError          the server sent a body aios3 cannot read
├── PaginationError             a listing cannot continue (the server gave no way on)
├── AbortNotVerifiedError       parts still listed after abort-and-verify's last round
├── LifecycleRuleConflictError  the rule ID asked for names a rule aios3 must not change
├── SweepListingError           a sweep's listing failed (carries the partial report)
├── TransportError              the request did not get an HTTP answer
│   ├── ConnectTimeoutError
│   ├── ReadTimeoutError
│   │   └── WriteTimeoutError
│   └── EndpointConnectionError
│       └── SSLCertVerificationError   not retried
└── ClientError                 the service answered with an error
    ├── NoSuchUpload, NoSuchBucket, NoSuchKey, AccessDenied,
    ├── PreconditionFailed, InvalidPart, InvalidPartOrder,
    ├── EntityTooSmall, SignatureDoesNotMatch, NoSuchLifecycleConfiguration,
    └── the other error codes of botocore's S3 model (boto3's `client.exceptions`):
        AnnotationLimitExceeded, AnnotationNameTooLong, BucketAlreadyExists,
        BucketAlreadyOwnedByYou, EncryptionTypeMismatch, IdempotencyParameterMismatch,
        InvalidAnnotationName, InvalidObjectState, InvalidPrefix, InvalidRequest,
        InvalidWriteOffset, NoSuchAnnotation, ObjectAlreadyInActiveTierError,
        ObjectNotInActiveTierError, TooManyParts, UnsupportedMediaType
```

`ClientError` keeps boto3's shape: it is also a `botocore.exceptions.ClientError`,
`e.response["Error"]["Code"]` works as in boto3, and the same classes are reachable as
`s3.exceptions.NoSuchUpload`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import botocore.exceptions
from typing_extensions import Required, TypedDict

if TYPE_CHECKING:
    from ._sweep import SweepReport
    from .models import AbortRound, LifecycleRule

__all__ = [
    "AbortNotVerifiedError",
    "AccessDenied",
    "Aios3Error",
    "AnnotationLimitExceeded",
    "AnnotationNameTooLong",
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "ClientError",
    "ConnectTimeoutError",
    "EncryptionTypeMismatch",
    "EndpointConnectionError",
    "EndpointResolutionError",
    "EntityTooSmall",
    "ErrorDetails",
    "ErrorResponse",
    "IdempotencyParameterMismatch",
    "InvalidAnnotationName",
    "InvalidObjectState",
    "InvalidPart",
    "InvalidPartOrder",
    "InvalidPrefix",
    "InvalidRequest",
    "InvalidWriteOffset",
    "LifecycleRuleConflictError",
    "MissingDependencyError",
    "NoCredentialsError",
    "NoSuchAnnotation",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchLifecycleConfiguration",
    "NoSuchUpload",
    "ObjectAlreadyInActiveTierError",
    "ObjectNotInActiveTierError",
    "PaginationError",
    "ParamValidationError",
    "PreconditionFailed",
    "ReadTimeoutError",
    "ResponseMetadataDict",
    "ResponseParseError",
    "SSLCertVerificationError",
    "SignatureDoesNotMatch",
    "SweepListingError",
    "TooManyParts",
    "TransportError",
    "UnsupportedMediaType",
    "WriteTimeoutError",
]


class Aios3Error(Exception):
    """Base class of every error aios3 raises."""


class ParamValidationError(Aios3Error, ValueError):
    """The input is not valid for the operation; nothing was sent.

    Attributes:
        errors: one line per problem, each naming the parameter (boto3's name).
    """

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors: list[str] = errors if errors is not None else [message]


class EndpointResolutionError(Aios3Error):
    """The S3 endpoint rule set refused the inputs (bucket, ARN, region, options)."""


class NoCredentialsError(Aios3Error):
    """No credentials were given and none were found by botocore's provider chain."""


class MissingDependencyError(Aios3Error, ImportError):
    """A feature needs an optional dependency that is not installed."""


class ResponseParseError(Aios3Error):
    """The server's answer could not be read (malformed or unexpected XML)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class PaginationError(Aios3Error, botocore.exceptions.PaginationError):  # type: ignore[misc]
    """A paginator cannot go on, and stopping would silently lose the rest of the listing.

    Raised after the pages read so far were yielded, when the server said the listing is
    truncated but gave no marker to continue from, or gave markers already used in this
    listing (it would loop). Also a `botocore.exceptions.PaginationError`, so code
    migrated from boto3 keeps catching it; `str(e)` is boto3's
    `Error during pagination: <message>`.

    Attributes:
        operation: the listing operation (`"ListParts"`, `"ListMultipartUploads"`).
        message: what went wrong, without boto3's prefix.
    """

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        botocore.exceptions.PaginationError.__init__(self, message=message)
        self.message = message
        self.operation = operation

    def __reduce__(self) -> tuple[object, ...]:  # picklable, with its attributes
        return (_rebuild_pagination_error, (type(self), self.message, self.operation))


def _rebuild_pagination_error(
    cls: type[PaginationError], message: str, operation: str | None
) -> PaginationError:
    return cls(message, operation=operation)


class AbortNotVerifiedError(Aios3Error):
    """`abort_multipart_upload(..., verify=True)` reached its bound (rounds or deadline)
    and ListParts still lists parts: the upload may still hold storage.

    Attributes:
        bucket: the bucket.
        key: the object key.
        upload_id: the upload.
        rounds: every round of abort-then-ListParts, in order (`aios3.models.AbortRound`);
            the last one's `parts_remaining` is what is left.
    """

    def __init__(
        self, message: str, *, bucket: str, key: str, upload_id: str, rounds: Sequence[AbortRound]
    ) -> None:
        super().__init__(message)
        self.bucket = bucket
        self.key = key
        self.upload_id = upload_id
        self.rounds: list[AbortRound] = list(rounds)

    def __reduce__(self) -> tuple[object, ...]:  # picklable, with its attributes
        return (
            _rebuild_abort_not_verified,
            (type(self), str(self), self.bucket, self.key, self.upload_id, self.rounds),
        )


def _rebuild_abort_not_verified(
    cls: type[AbortNotVerifiedError],
    message: str,
    bucket: str,
    key: str,
    upload_id: str,
    rounds: list[AbortRound],
) -> AbortNotVerifiedError:
    return cls(message, bucket=bucket, key=key, upload_id=upload_id, rounds=rounds)


class LifecycleRuleConflictError(Aios3Error):
    """`ensure_abort_incomplete_uploads_rule` found a rule with the ID it was asked for,
    and changing it would change more than its `AbortIncompleteMultipartUpload` action:
    the rule has other actions (expiration, transitions) and another filter, or it is
    disabled. Nothing was written; pass another `rule_id`, or edit the rule yourself.

    Attributes:
        bucket: the bucket.
        rule_id: the rule's ID.
        rule: the rule as the server has it (`aios3.models.LifecycleRule`).
    """

    def __init__(self, message: str, *, bucket: str, rule_id: str, rule: LifecycleRule) -> None:
        super().__init__(message)
        self.bucket = bucket
        self.rule_id = rule_id
        self.rule = rule

    def __reduce__(self) -> tuple[object, ...]:  # picklable, with its attributes
        return (
            _rebuild_rule_conflict,
            (type(self), str(self), self.bucket, self.rule_id, self.rule),
        )


def _rebuild_rule_conflict(
    cls: type[LifecycleRuleConflictError],
    message: str,
    bucket: str,
    rule_id: str,
    rule: LifecycleRule,
) -> LifecycleRuleConflictError:
    return cls(message, bucket=bucket, rule_id=rule_id, rule=rule)


class SweepListingError(Aios3Error):
    """`sweep_multipart_uploads` could not list the uploads (or, with `verify="listing"`,
    list them again to verify the aborts).

    The aborts already under way were finished first; the report says what was done. The
    listing's own error is `error` (and `__cause__`): a `ClientError` such as
    `NoSuchBucket` or `AccessDenied`, a `TransportError` after the retries, a
    `PaginationError` or a `ResponseParseError`.

    Attributes:
        report: the `SweepReport` up to the failure (`listing_complete` is `False` when
            the first listing failed).
        error: the listing's error.
    """

    def __init__(self, message: str, *, report: SweepReport, error: Aios3Error) -> None:
        super().__init__(message)
        self.report = report
        self.error = error

    def __reduce__(self) -> tuple[object, ...]:  # picklable, with its attributes
        return (_rebuild_sweep_listing_error, (type(self), str(self), self.report, self.error))


def _rebuild_sweep_listing_error(
    cls: type[SweepListingError], message: str, report: SweepReport, error: Aios3Error
) -> SweepListingError:
    return cls(message, report=report, error=error)


class TransportError(Aios3Error):
    """The request got no HTTP answer (timeouts, refused or dropped connections)."""

    def __init__(self, message: str, *, endpoint_url: str | None = None) -> None:
        super().__init__(message)
        self.endpoint_url = endpoint_url


class ConnectTimeoutError(TransportError):
    """Connecting to the endpoint took longer than `Config.connect_timeout`."""


class ReadTimeoutError(TransportError):
    """No data came from the server for `Config.read_timeout` seconds."""


class WriteTimeoutError(ReadTimeoutError):
    """No part of the request body could be sent for `Config.read_timeout` seconds: the
    server stopped reading it.

    A subclass of `ReadTimeoutError`: `read_timeout` bounds both directions, as botocore's
    socket timeout does, so code that catches `ReadTimeoutError` catches it too, and it
    is retried as a timeout.
    """


class EndpointConnectionError(TransportError):
    """The connection could not be made or was dropped."""


class SSLCertVerificationError(EndpointConnectionError):
    """The server's TLS certificate failed verification: self-signed, issued by a CA that
    is not trusted, expired, or for another host name.

    Not retried: another attempt would fail the same way. Trust the server's CA with
    `Config(verify="ca-bundle.pem")` (or `AWS_CA_BUNDLE`), or fix its certificate.
    """


class ResponseMetadataDict(TypedDict, total=False):
    """boto3's `ResponseMetadata` dict.

    As in boto3, `RequestId` is there only when the answer named the request (a
    request-id header, or an error without an S3 error body), `HostId` only beside
    `x-amz-request-id`, and `MaxAttemptsReached` only when the retries ran out.
    """

    RequestId: str
    HostId: str
    HTTPStatusCode: Required[int]
    HTTPHeaders: Required[dict[str, str]]
    RetryAttempts: Required[int]
    MaxAttemptsReached: bool


class ErrorDetails(TypedDict, total=False):
    """boto3's `Error` dict: `Code`, `Message` and the other elements of the error body.

    As in boto3, a member the body did not have is absent, and an empty element is `None`.
    """

    Code: str
    Message: str


class ErrorResponse(TypedDict, total=False):
    """boto3's error response dict (`ClientError.response`)."""

    Error: ErrorDetails
    ResponseMetadata: ResponseMetadataDict


class ClientError(Aios3Error, botocore.exceptions.ClientError):  # type: ignore[misc]
    """The service answered with an error.

    Also a `botocore.exceptions.ClientError`, so code migrated from boto3 that catches
    that keeps catching aios3's errors. `str(e)` starts with boto3's text for the same
    answer, then gives the HTTP status and the request id:

    ```text
    An error occurred (NoSuchUpload) when calling the ListParts operation: The specified
    upload does not exist. [HTTP 404, request id 4T5MZ0B7XQ9Z]
    ```

    (`(reached max retries: 2)` follows the operation's name when the retries ran out.)

    Attributes:
        code: the S3 error code, e.g. `"NoSuchUpload"` (the HTTP status as a string when
            the answer had none).
        message: the server's message (the status's reason phrase when it had none).
        status_code: the HTTP status.
        request_id: `x-amz-request-id` (or the body's `RequestId`).
        host_id: `x-amz-id-2` (or the body's `HostId`).
        operation_name: the S3 operation, e.g. `"AbortMultipartUpload"`.
        response: the dict boto3 gives for the same answer, `e.response["Error"]["Code"]`.
    """

    code_name: ClassVar[str | None] = None
    response: ErrorResponse
    operation_name: str

    def __init__(
        self,
        *,
        code: str,
        message: str,
        status_code: int,
        request_id: str = "",
        host_id: str = "",
        operation_name: str = "",
        headers: Mapping[str, str] | None = None,
        retry_attempts: int = 0,
        extra: Mapping[str, str] | None = None,
        response: ErrorResponse | None = None,
    ) -> None:
        """Build the error from its typed values; `response` is the boto3 dict, built from
        them when not given (the parser gives the one botocore would build)."""
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.host_id = host_id
        self.extra: dict[str, str] = dict(extra or {})
        if response is None:
            error: ErrorDetails = {"Code": code, "Message": message}
            error.update(self.extra)  # type: ignore[typeddict-item]
            response = {
                "Error": error,
                "ResponseMetadata": {
                    "RequestId": request_id,
                    "HostId": host_id,
                    "HTTPStatusCode": status_code,
                    "HTTPHeaders": dict(headers or {}),
                    "RetryAttempts": retry_attempts,
                },
            }
        self._set_message(response, operation_name)

    def _set_message(self, response: ErrorResponse, operation_name: str) -> None:
        # botocore's own __init__ writes its text (its MSG_TEMPLATE and retry info) and
        # sets .response and .operation_name; aios3's status and request id follow
        botocore.exceptions.ClientError.__init__(self, response, operation_name)
        self.args = (
            f"{self.args[0]} [HTTP {self.status_code}, request id {self.request_id or '-'}]",
        )

    def _max_attempts_reached(self) -> None:
        """Mark the error as botocore marks it when the retries ran out: `MaxAttemptsReached`
        in `ResponseMetadata`, and `(reached max retries: N)` in the message."""
        self.response["ResponseMetadata"]["MaxAttemptsReached"] = True
        self._set_message(self.response, self.operation_name)

    def __reduce__(self) -> tuple[object, ...]:  # picklable, whole, as its own class
        return (
            _rebuild_client_error,
            (
                type(self),
                {
                    "code": self.code,
                    "message": self.message,
                    "status_code": self.status_code,
                    "request_id": self.request_id,
                    "host_id": self.host_id,
                    "operation_name": self.operation_name,
                    "extra": self.extra,
                    "response": self.response,
                },
            ),
        )


def _rebuild_client_error(cls: type[ClientError], kwargs: dict[str, object]) -> ClientError:
    return cls(**kwargs)  # type: ignore[arg-type]


class NoSuchUpload(ClientError):
    """The upload does not exist: it was aborted, completed, or never created."""

    code_name = "NoSuchUpload"


class NoSuchBucket(ClientError):
    """The bucket does not exist."""

    code_name = "NoSuchBucket"


class NoSuchKey(ClientError):
    """The key does not exist."""

    code_name = "NoSuchKey"


class AccessDenied(ClientError):
    """Access denied, including an `ExpectedBucketOwner` mismatch."""

    code_name = "AccessDenied"


class PreconditionFailed(ClientError):
    """A precondition (`IfMatchInitiatedTime`, `IfMatch`, `IfNoneMatch`) did not hold."""

    code_name = "PreconditionFailed"


class InvalidPart(ClientError):
    """A part named in CompleteMultipartUpload is missing or its ETag does not match."""

    code_name = "InvalidPart"


class InvalidPartOrder(ClientError):
    """The parts given to CompleteMultipartUpload are not in ascending order."""

    code_name = "InvalidPartOrder"


class EntityTooSmall(ClientError):
    """A part other than the last one is smaller than 5 MiB."""

    code_name = "EntityTooSmall"


class SignatureDoesNotMatch(ClientError):
    """The request signature did not match: usually a wrong secret key."""

    code_name = "SignatureDoesNotMatch"


class NoSuchLifecycleConfiguration(ClientError):
    """The bucket has no lifecycle configuration (GetBucketLifecycleConfiguration, 404).

    Not an error shape of botocore's model: boto3 raises a plain `ClientError` with this
    code, which `except ClientError` still catches here.
    """

    code_name = "NoSuchLifecycleConfiguration"


# the other error shapes of botocore's S3 model, so that every `client.exceptions.X` of
# boto3 is also an `s3.exceptions.X` of aios3


class AnnotationLimitExceeded(ClientError):
    """The object would have more annotations than allowed."""

    code_name = "AnnotationLimitExceeded"


class AnnotationNameTooLong(ClientError):
    """An annotation name is longer than 512 bytes."""

    code_name = "AnnotationNameTooLong"


class BucketAlreadyExists(ClientError):
    """The bucket name is taken by another account (bucket names are global)."""

    code_name = "BucketAlreadyExists"


class BucketAlreadyOwnedByYou(ClientError):
    """You already own the bucket (us-east-1 answers 200 instead)."""

    code_name = "BucketAlreadyOwnedByYou"


class EncryptionTypeMismatch(ClientError):
    """The existing object was created with another encryption type."""

    code_name = "EncryptionTypeMismatch"


class IdempotencyParameterMismatch(ClientError):
    """A retried request's parameters do not match the first one's."""

    code_name = "IdempotencyParameterMismatch"


class InvalidAnnotationName(ClientError):
    """The annotation name is not valid."""

    code_name = "InvalidAnnotationName"


class InvalidObjectState(ClientError):
    """The object is archived and cannot be read until it is restored."""

    code_name = "InvalidObjectState"


class InvalidPrefix(ClientError):
    """The annotation prefix is not valid."""

    code_name = "InvalidPrefix"


class InvalidRequest(ClientError):
    """The request is not valid (S3 uses this code for many cases)."""

    code_name = "InvalidRequest"


class InvalidWriteOffset(ClientError):
    """The write offset does not match the object's size."""

    code_name = "InvalidWriteOffset"


class NoSuchAnnotation(ClientError):
    """The annotation does not exist on the object."""

    code_name = "NoSuchAnnotation"


class ObjectAlreadyInActiveTierError(ClientError):
    """The object is already in the active tier."""

    code_name = "ObjectAlreadyInActiveTierError"


class ObjectNotInActiveTierError(ClientError):
    """The source object is not in the active tier."""

    code_name = "ObjectNotInActiveTierError"


class TooManyParts(ClientError):
    """The upload would have more than 10,000 parts."""

    code_name = "TooManyParts"


class UnsupportedMediaType(ClientError):
    """The annotation payload is not UTF-8 text."""

    code_name = "UnsupportedMediaType"


ERROR_CLASSES: dict[str, type[ClientError]] = {
    c.code_name: c
    for c in (
        NoSuchUpload,
        NoSuchBucket,
        NoSuchKey,
        AccessDenied,
        PreconditionFailed,
        InvalidPart,
        InvalidPartOrder,
        EntityTooSmall,
        SignatureDoesNotMatch,
        NoSuchLifecycleConfiguration,
        AnnotationLimitExceeded,
        AnnotationNameTooLong,
        BucketAlreadyExists,
        BucketAlreadyOwnedByYou,
        EncryptionTypeMismatch,
        IdempotencyParameterMismatch,
        InvalidAnnotationName,
        InvalidObjectState,
        InvalidPrefix,
        InvalidRequest,
        InvalidWriteOffset,
        NoSuchAnnotation,
        ObjectAlreadyInActiveTierError,
        ObjectNotInActiveTierError,
        TooManyParts,
        UnsupportedMediaType,
    )
    if c.code_name is not None
}


_ClientError = ClientError


class ErrorClasses:
    """`s3.exceptions`: the error classes by code name, as boto3's `client.exceptions`."""

    ClientError = ClientError
    NoSuchUpload = NoSuchUpload
    NoSuchBucket = NoSuchBucket
    NoSuchKey = NoSuchKey
    AccessDenied = AccessDenied
    PreconditionFailed = PreconditionFailed
    InvalidPart = InvalidPart
    InvalidPartOrder = InvalidPartOrder
    EntityTooSmall = EntityTooSmall
    SignatureDoesNotMatch = SignatureDoesNotMatch
    NoSuchLifecycleConfiguration = NoSuchLifecycleConfiguration
    AnnotationLimitExceeded = AnnotationLimitExceeded
    AnnotationNameTooLong = AnnotationNameTooLong
    BucketAlreadyExists = BucketAlreadyExists
    BucketAlreadyOwnedByYou = BucketAlreadyOwnedByYou
    EncryptionTypeMismatch = EncryptionTypeMismatch
    IdempotencyParameterMismatch = IdempotencyParameterMismatch
    InvalidAnnotationName = InvalidAnnotationName
    InvalidObjectState = InvalidObjectState
    InvalidPrefix = InvalidPrefix
    InvalidRequest = InvalidRequest
    InvalidWriteOffset = InvalidWriteOffset
    NoSuchAnnotation = NoSuchAnnotation
    ObjectAlreadyInActiveTierError = ObjectAlreadyInActiveTierError
    ObjectNotInActiveTierError = ObjectNotInActiveTierError
    TooManyParts = TooManyParts
    UnsupportedMediaType = UnsupportedMediaType

    def from_code(self, code: str) -> type[_ClientError]:
        """The class raised for `code` (`ClientError` for codes without a subclass)."""
        return ERROR_CLASSES.get(code, _ClientError)
