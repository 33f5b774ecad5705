"""Parsers of the bucket, object and lifecycle operations (`aios3._models_bucket_object`),
imported with those models on their first use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import ValidationError

from ._models_bucket_object import (
    AbortIncompleteMultipartUpload,
    CreateBucketResponse,
    DeleteBucketLifecycleResponse,
    DeleteBucketResponse,
    DeleteObjectResponse,
    GetBucketLifecycleConfigurationResponse,
    HeadObjectResponse,
    LifecycleExpiration,
    LifecycleRule,
    LifecycleRuleAndOperator,
    LifecycleRuleFilter,
    NoncurrentVersionExpiration,
    NoncurrentVersionTransition,
    PutBucketLifecycleConfigurationResponse,
    PutObjectResponse,
    Tag,
    Transition,
)
from ._parse import (
    _CHECKSUM_HEADERS,
    _SSE_HEADERS,
    Conv,
    M,
    _bool,
    _error_in_200,
    _from_headers,
    _from_xml,
    _http_date,
    _int,
    _iso,
    _str,
    _tag,
    _Unreadable,
    _xml,
    fromstring,
    parse_error,
)
from .errors import ResponseParseError
from .models import ResponseMetadata

_CREATE_BUCKET_HEADERS: dict[str, tuple[str, Conv]] = {
    "Location": ("location", _str),
    "x-amz-bucket-arn": ("bucket_arn", _str),
}


def create_bucket(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> CreateBucketResponse:
    if body:
        _error_in_200(status, headers, body, "CreateBucket", meta.retry_attempts)
    out: dict[str, Any] = {}
    _from_headers(headers, _CREATE_BUCKET_HEADERS, out)
    return CreateBucketResponse.model_construct(**out, response_metadata=meta)


def delete_bucket(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> DeleteBucketResponse:
    return DeleteBucketResponse.model_construct(response_metadata=meta)


def _lenient_http_date(text: str) -> datetime | None:
    """`Expires` is free text on many stores: a date when it reads as one, else None."""
    try:
        return _http_date(text)
    except (ValueError, ValidationError):
        return None


_HEAD_OBJECT_HEADERS: dict[str, tuple[str, Conv]] = {
    **_SSE_HEADERS,
    **_CHECKSUM_HEADERS,
    "x-amz-delete-marker": ("delete_marker", _bool),
    "accept-ranges": ("accept_ranges", _str),
    "x-amz-expiration": ("expiration", _str),
    "x-amz-restore": ("restore", _str),
    "x-amz-archive-status": ("archive_status", _str),
    "Last-Modified": ("last_modified", _http_date),
    "Content-Length": ("content_length", _int),
    "x-amz-checksum-type": ("checksum_type", _str),
    "ETag": ("etag", _str),
    "x-amz-missing-meta": ("missing_meta", _int),
    "x-amz-version-id": ("version_id", _str),
    "Cache-Control": ("cache_control", _str),
    "Content-Disposition": ("content_disposition", _str),
    "Content-Encoding": ("content_encoding", _str),
    "Content-Language": ("content_language", _str),
    "Content-Type": ("content_type", _str),
    "Content-Range": ("content_range", _str),
    "Expires": ("expires", _lenient_http_date),
    "x-amz-website-redirect-location": ("website_redirect_location", _str),
    "x-amz-storage-class": ("storage_class", _str),
    "x-amz-replication-status": ("replication_status", _str),
    "x-amz-mp-parts-count": ("parts_count", _int),
    "x-amz-tagging-count": ("tag_count", _int),
    "x-amz-object-lock-mode": ("object_lock_mode", _str),
    "x-amz-object-lock-retain-until-date": ("object_lock_retain_until_date", _iso),
    "x-amz-object-lock-legal-hold": ("object_lock_legal_hold_status", _str),
    "x-amz-object-lock-event-hold": ("object_lock_event_hold", _str),
    "x-amz-object-lock-event-hold-duration-days": ("object_lock_event_hold_duration_days", _int),
    "x-amz-object-lock-event-hold-duration-years": ("object_lock_event_hold_duration_years", _int),
}
_META_PREFIX = "x-amz-meta-"


def head_object(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> HeadObjectResponse:
    if len(meta.http_headers) != len(headers):  # a repeated header: its values joined
        headers = CIMultiDictProxy(CIMultiDict(meta.http_headers))
    out: dict[str, Any] = {}
    _from_headers(headers, _HEAD_OBJECT_HEADERS, out)
    expires = headers.get("Expires")
    if expires is not None:
        out["expires_string"] = expires  # boto3's ExpiresString: the header as sent
    out["metadata"] = {
        k[len(_META_PREFIX) :]: v  # the name as sent, as botocore keeps it
        for k, v in headers.items()
        if k[: len(_META_PREFIX)].lower() == _META_PREFIX
    }
    return HeadObjectResponse.model_construct(**out, response_metadata=meta)


_DELETE_OBJECT_HEADERS: dict[str, tuple[str, Conv]] = {
    "x-amz-delete-marker": ("delete_marker", _bool),
    "x-amz-version-id": ("version_id", _str),
    "x-amz-request-charged": ("request_charged", _str),
}


def delete_object(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> DeleteObjectResponse:
    if body:
        _error_in_200(status, headers, body, "DeleteObject", meta.retry_attempts)
    out: dict[str, Any] = {}
    _from_headers(headers, _DELETE_OBJECT_HEADERS, out)
    return DeleteObjectResponse.model_construct(**out, response_metadata=meta)


# --------------------------------------------------------------------------- bucket lifecycle
# The rules are read element by element into unvalidated models: what the server sent is
# kept as it is (a rule a newer S3 allows, or a store's own storage class), so that writing
# the rules back changes nothing. Unknown elements are left out.

_TDMOS = "x-amz-transition-default-minimum-object-size"
_LC_TAG_XML: dict[str, tuple[str, Conv]] = {"Key": ("key", _str), "Value": ("value", _str)}
_LC_SIZES: dict[str, tuple[str, Conv]] = {
    "Prefix": ("prefix", _str),
    "ObjectSizeGreaterThan": ("object_size_greater_than", _int),
    "ObjectSizeLessThan": ("object_size_less_than", _int),
}
_LC_EXPIRATION_XML: dict[str, tuple[str, Conv]] = {
    "Date": ("date", _iso),
    "Days": ("days", _int),
    "ExpiredObjectDeleteMarker": ("expired_object_delete_marker", _bool),
}
_LC_TRANSITION_XML: dict[str, tuple[str, Conv]] = {
    "Date": ("date", _iso),
    "Days": ("days", _int),
    "StorageClass": ("storage_class", _str),
}
_LC_NC_TRANSITION_XML: dict[str, tuple[str, Conv]] = {
    "NoncurrentDays": ("noncurrent_days", _int),
    "StorageClass": ("storage_class", _str),
    "NewerNoncurrentVersions": ("newer_noncurrent_versions", _int),
}
_LC_NC_EXPIRATION_XML: dict[str, tuple[str, Conv]] = {
    "NoncurrentDays": ("noncurrent_days", _int),
    "NewerNoncurrentVersions": ("newer_noncurrent_versions", _int),
}
_LC_ABORT_XML: dict[str, tuple[str, Conv]] = {
    "DaysAfterInitiation": ("days_after_initiation", _int),
}
_LC_RULE_XML: dict[str, tuple[str, Conv]] = {
    "ID": ("id", _str),
    "Prefix": ("prefix", _str),
    "Status": ("status", _str),
}


def _lc_simple(cls: type[M], e: Element, spec: Mapping[str, tuple[str, Conv]]) -> M:
    out: dict[str, Any] = {}
    _from_xml(e, spec, out)
    return cls.model_construct(**out)


def _lc_tag(e: Element, status: int) -> Tag:
    out: dict[str, Any] = {}
    _from_xml(e, _LC_TAG_XML, out)
    if len(out) != 2:
        raise ResponseParseError(
            "the server sent a lifecycle <Tag> without its <Key> and <Value>", status_code=status
        )
    return Tag.model_construct(**out)


def _lc_filter(e: Element, status: int) -> LifecycleRuleFilter:
    out: dict[str, Any] = {}
    for child in _from_xml(e, _LC_SIZES, out):
        tag = _tag(child)
        if tag == "Tag":
            out["tag"] = _lc_tag(child, status)
        elif tag == "And":
            inner: dict[str, Any] = {}
            tags = [
                _lc_tag(c, status) for c in _from_xml(child, _LC_SIZES, inner) if _tag(c) == "Tag"
            ]
            if tags:
                inner["tags"] = tags
            out["and_"] = LifecycleRuleAndOperator.model_construct(**inner)
    return LifecycleRuleFilter.model_construct(**out)


def _lc_rule(e: Element, status: int) -> LifecycleRule:
    out: dict[str, Any] = {}
    transitions: list[Transition] = []
    noncurrent: list[NoncurrentVersionTransition] = []
    for child in _from_xml(e, _LC_RULE_XML, out):
        tag = _tag(child)
        if tag == "Filter":
            out["filter"] = _lc_filter(child, status)
        elif tag == "Expiration":
            out["expiration"] = _lc_simple(LifecycleExpiration, child, _LC_EXPIRATION_XML)
        elif tag == "Transition":
            transitions.append(_lc_simple(Transition, child, _LC_TRANSITION_XML))
        elif tag == "NoncurrentVersionTransition":
            noncurrent.append(_lc_simple(NoncurrentVersionTransition, child, _LC_NC_TRANSITION_XML))
        elif tag == "NoncurrentVersionExpiration":
            out["noncurrent_version_expiration"] = _lc_simple(
                NoncurrentVersionExpiration, child, _LC_NC_EXPIRATION_XML
            )
        elif tag == "AbortIncompleteMultipartUpload":
            out["abort_incomplete_multipart_upload"] = _lc_simple(
                AbortIncompleteMultipartUpload, child, _LC_ABORT_XML
            )
    if "status" not in out:
        raise ResponseParseError(
            "the server sent a lifecycle <Rule> without <Status>", status_code=status
        )
    if transitions:
        out["transitions"] = transitions
    if noncurrent:
        out["noncurrent_version_transitions"] = noncurrent
    return LifecycleRule.model_construct(**out)


def get_bucket_lifecycle_configuration(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> GetBucketLifecycleConfigurationResponse:
    out: dict[str, Any] = {}
    size = headers.get(_TDMOS)
    if size is not None:
        out["transition_default_minimum_object_size"] = size
    if body.strip():  # botocore reads an empty 200 as no rules
        root = _xml(body, status)
        tag = _tag(root)
        if tag == "Error":
            raise parse_error(
                status, headers, body, "GetBucketLifecycleConfiguration", meta.retry_attempts
            )
        if tag != "LifecycleConfiguration":
            # e.g. a proxy's page: read as "no rules", it would make a read-merge-write
            # drop every rule the bucket has
            raise ResponseParseError(
                f"GetBucketLifecycleConfiguration answered {status} with <{tag[:100]}>, not "
                "<LifecycleConfiguration>",
                status_code=status,
            )
        rules = [_lc_rule(c, status) for c in root if _tag(c) == "Rule"]
        if rules:  # left unset when the answer had none: to_dict() leaves them out
            out["rules"] = rules
    return GetBucketLifecycleConfigurationResponse.model_construct(**out, response_metadata=meta)


def put_bucket_lifecycle_configuration(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> PutBucketLifecycleConfigurationResponse:
    if body:
        _error_in_200(status, headers, body, "PutBucketLifecycleConfiguration", meta.retry_attempts)
    out: dict[str, Any] = {}
    size = headers.get(_TDMOS)
    if size is not None:
        out["transition_default_minimum_object_size"] = size
    return PutBucketLifecycleConfigurationResponse.model_construct(**out, response_metadata=meta)


def delete_bucket_lifecycle(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> DeleteBucketLifecycleResponse:
    # botocore reads no body here (no output shape); an <Error> in a 2xx answer is raised
    # all the same: read as a success, it would say a configuration is gone that is not.
    # Any other body is ignored, as botocore ignores it
    if body.strip():
        try:
            root = fromstring(body)
        except _Unreadable:
            root = None
        if root is not None and _tag(root) == "Error":
            raise parse_error(status, headers, body, "DeleteBucketLifecycle", meta.retry_attempts)
    return DeleteBucketLifecycleResponse.model_construct(response_metadata=meta)


_PUT_OBJECT_HEADERS: dict[str, tuple[str, Conv]] = {
    **_SSE_HEADERS,
    **_CHECKSUM_HEADERS,
    "ETag": ("etag", _str),
    "x-amz-expiration": ("expiration", _str),
    "x-amz-checksum-type": ("checksum_type", _str),
    "x-amz-version-id": ("version_id", _str),
    "x-amz-server-side-encryption-context": ("sse_kms_encryption_context", _str),
    "x-amz-object-size": ("size", _int),
}


def put_object(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> PutObjectResponse:
    if body:
        _error_in_200(status, headers, body, "PutObject", meta.retry_attempts)
    out: dict[str, Any] = {}
    _from_headers(headers, _PUT_OBJECT_HEADERS, out)
    return PutObjectResponse.model_construct(**out, response_metadata=meta)
