"""Request model → method, bucket, key path, query, headers and body.

Each request class is compiled once into a `_Plan` (which field goes to which header or
query parameter, with its formatter); serialising a request then walks that plan only.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import io
import os
import re
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel

from ._checksums import hasher_factory
from ._operations import Operation, for_request
from ._wire import Header, HeaderPrefix, Payload, Query, Uri
from .errors import ParamValidationError
from .models import CompletedMultipartUpload, RequestModel

if TYPE_CHECKING:  # the bucket and lifecycle models are built on first use
    from .models import BucketLifecycleConfiguration, CreateBucketConfiguration, LifecycleRule

__all__ = ["BodyKind", "WireRequest", "quote_key", "serialize"]

BodyKind = Literal["none", "bytes", "stream"]
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


@dataclass(slots=True)
class WireRequest:
    """What serialisation produces; the endpoint and signer take it from here."""

    operation_name: str
    method: str
    bucket: str | None
    key_path: str  # "" or "/" + percent-encoded key
    query: str  # "" or the encoded query string, without "?"
    headers: dict[str, str]
    body: bytes | bytearray | memoryview | io.IOBase | AsyncIterable[bytes] | object | None
    body_kind: BodyKind
    replayable: bool
    streaming_input: bool = False  # the payload is a blob (botocore's has_streaming_input)
    session_auth: bool = True  # False for CreateSession: sign it with the long-term keys
    control_endpoint: bool = False  # botocore's UseS3ExpressControlEndpoint (bucket calls)
    # the request checksum (botocore's httpChecksum trait): the algorithm to compute, and
    # whether one may be added by default (request_checksum_calculation="when_supported")
    checksum: str | None = None
    checksum_optional: bool = False
    checksum_required: bool = False  # botocore's `requestChecksumRequired`: CRC32 regardless


# what `quote` leaves as it is (its unreserved characters, plus `safe`): a value made of
# these alone is returned without calling it, the common case (a few µs per call)
_KEY_UNCHANGED = re.compile(r"[A-Za-z0-9_.\-~/]*").fullmatch
_QUERY_UNCHANGED = re.compile(r"[A-Za-z0-9_.\-~]*").fullmatch


def quote_key(key: str) -> str:
    """Percent-encode a key exactly once, as S3 and botocore do (`/` and `~` stay)."""
    return key if _KEY_UNCHANGED(key) else quote(key, safe="/~")


def _check_metadata(key: str, value: str) -> None:
    """botocore's `validate_ascii_metadata` (S3 keeps only ASCII metadata), and a key that
    can be a header name (http.client refuses the others for boto3)."""
    for text in (key, value):
        if not text.isascii():
            raise ParamValidationError(
                f'Non ascii characters found in S3 metadata for key "{key}", value: "{value}". '
                "S3 metadata can only contain ASCII characters.",
                [f"Metadata.{key}: non-ASCII characters are not allowed"],
            )
    if ":" in key or "\t" in key or _CONTROL.search(key) or key[:1].isspace():
        raise ParamValidationError(
            f"Metadata key {key!r} cannot be part of a header name (no ':', control "
            "characters or leading whitespace)",
            [f"Metadata.{key!r}: not allowed in a header name"],
        )


def _quote_q(value: str) -> str:
    return value if _QUERY_UNCHANGED(value) else quote(value, safe="-_.~")


def _fmt_header(value: object, timestamp: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        if timestamp == "iso8601":
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return email.utils.format_datetime(value, usegmt=True)
    return str(value)


def _fmt_query(value: object, timestamp: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # botocore: ISO 8601 unless the shape says rfc822
        return _quote_q(_fmt_header(value, timestamp))
    return _quote_q(str(value))


@dataclass(frozen=True, slots=True)
class _Plan:
    method: str
    fixed_query: tuple[str, ...]
    uri_bucket: str | None
    uri_key: str | None
    headers: tuple[tuple[str, str, str], ...]  # (attr, header name, timestamp format)
    header_prefixes: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str, str], ...]  # (attr, parameter name, timestamp format)
    payload: str | None
    sse_customer: bool
    checksum_member: bool  # the operation has botocore's `requestAlgorithmMember`
    checksum_required: bool  # ... and `requestChecksumRequired`
    control_endpoint: bool  # botocore's `UseS3ExpressControlEndpoint`
    session_auth: bool  # False for CreateSession: signed with the long-term keys
    xml: Callable[[Any], bytes | None] | None  # writes the payload model as the XML body


def _compile(op: Operation[Any, Any]) -> _Plan:
    cls = op.request
    method, fixed = op.http_method, op.fixed_query
    headers: list[tuple[str, str, str]] = []
    prefixes: list[tuple[str, str]] = []
    query: list[tuple[str, str, str]] = []
    uri_bucket = uri_key = payload = None
    for attr, info in cls.model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, Header):
                headers.append((attr, marker.name, marker.timestamp))
            elif isinstance(marker, HeaderPrefix):
                prefixes.append((attr, marker.prefix))
            elif isinstance(marker, Query):
                query.append((attr, marker.name, marker.timestamp))
            elif isinstance(marker, Uri):
                if marker.name == "Bucket":
                    uri_bucket = attr
                else:
                    uri_key = attr
            elif isinstance(marker, Payload):
                payload = attr
    return _Plan(
        method,
        fixed,
        uri_bucket,
        uri_key,
        tuple(headers),
        tuple(prefixes),
        tuple(query),
        payload,
        "sse_customer_key" in cls.model_fields,
        op.checksum_member,
        op.checksum_required,
        op.control_endpoint,
        op.name != "CreateSession",
        _XML_BODIES.get(op.name),
    )


_PLANS: dict[type[RequestModel], _Plan] = {}
"""Each operation's plan, under its request class, compiled on its first request."""


def _plan(cls: type[RequestModel]) -> _Plan:
    # a subclass of a request model (defaults of the caller's own) goes as its operation's
    # model: the fields and their places are the operation's, and so is the plan. It is
    # kept under the operation's class, not the subclass: a class made per call (a
    # `pydantic.create_model`) must not live as long as the process
    op = for_request(cls)
    plan = _PLANS.get(op.request)
    if plan is None:
        plan = _PLANS[op.request] = _compile(op)
    return plan


def complete_body(upload: CompletedMultipartUpload) -> bytes:
    """The XML body of CompleteMultipartUpload."""
    out = [f'<CompleteMultipartUpload xmlns="{_S3_NS}">']
    for p in upload.parts:
        out.append("<Part>")
        for tag, value in (
            ("ETag", p.etag),
            ("ChecksumCRC32", p.checksum_crc32),
            ("ChecksumCRC32C", p.checksum_crc32c),
            ("ChecksumCRC64NVME", p.checksum_crc64nvme),
            ("ChecksumSHA1", p.checksum_sha1),
            ("ChecksumSHA256", p.checksum_sha256),
            ("ChecksumSHA512", p.checksum_sha512),
            ("ChecksumMD5", p.checksum_md5),
            ("ChecksumXXHASH64", p.checksum_xxhash64),
            ("ChecksumXXHASH3", p.checksum_xxhash3),
            ("ChecksumXXHASH128", p.checksum_xxhash128),
        ):
            if value is not None:
                out.append(f"<{tag}>{escape(value)}</{tag}>")
        out.append(f"<PartNumber>{p.part_number}</PartNumber></Part>")
    out.append("</CompleteMultipartUpload>")
    return "".join(out).encode()


def bucket_configuration_body(config: CreateBucketConfiguration) -> bytes | None:
    """The XML body of CreateBucket, or None when there is nothing to say."""
    if config.location_constraint is None:
        return None
    return (
        f'<CreateBucketConfiguration xmlns="{_S3_NS}">'
        f"<LocationConstraint>{escape(config.location_constraint)}</LocationConstraint>"
        "</CreateBucketConfiguration>"
    ).encode()


def escape(text: str) -> str:
    """`xml.sax.saxutils.escape`: `&`, `<` and `>` as entities (`&` first), without
    importing the `xml.sax` package for it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_text(value: object) -> str:
    """A value as botocore's REST-XML serializer writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # botocore: ISO 8601 in UTC, naive read as UTC
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
        )
    return escape(str(value))


def _xml_element(out: list[str], tag: str, value: object) -> None:
    """One element; a nested model (an `_InputModel`) element by element, in its fields'
    order (botocore's shape order), a list as repeated elements (S3's flattened lists).
    Empty text or structure is `<Tag />`, as ElementTree (botocore) writes it."""
    if isinstance(value, list):
        item = _LIST_ITEMS.get(tag, tag)
        for v in value:
            _xml_element(out, item, v)
        return
    if isinstance(value, BaseModel):
        start = len(out)
        out.append(f"<{tag}>")
        for name, info in type(value).model_fields.items():
            v = getattr(value, name)
            if v is not None:
                _xml_element(out, info.alias or name, v)
        if len(out) == start + 1:
            out[start] = f"<{tag} />"
        else:
            out.append(f"</{tag}>")
        return
    text = _xml_text(value)
    out.append(f"<{tag}>{text}</{tag}>" if text else f"<{tag} />")


_LIST_ITEMS = {  # a list member's name -> the name of each of its (flattened) elements
    "Rules": "Rule",
    "Tags": "Tag",
    "Transitions": "Transition",
    "NoncurrentVersionTransitions": "NoncurrentVersionTransition",
}


def lifecycle_body(config: BucketLifecycleConfiguration) -> bytes:
    """The XML body of PutBucketLifecycleConfiguration, byte for byte botocore's for the
    same parameters given in botocore's member order."""
    out = [f'<LifecycleConfiguration xmlns="{_S3_NS}">']
    rules: list[LifecycleRule] = config.rules
    _xml_element(out, "Rules", rules)
    out.append("</LifecycleConfiguration>")
    return "".join(out).encode()


_XML_BODIES: dict[str, Callable[[Any], bytes | None]] = {
    "CompleteMultipartUpload": complete_body,
    "CreateBucket": bucket_configuration_body,
    "PutBucketLifecycleConfiguration": lifecycle_body,
}
"""The operations whose payload is a model, and the function writing it as XML."""


def _stream_length(body: object) -> int | None:
    """Bytes left in a seekable file object, or None."""
    try:
        fileno = body.fileno()  # type: ignore[attr-defined]
        pos = body.tell()  # type: ignore[attr-defined]
        return int(os.fstat(fileno).st_size - pos)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    try:
        pos = body.tell()  # type: ignore[attr-defined]
        end = body.seek(0, io.SEEK_END)  # type: ignore[attr-defined]
        body.seek(pos)  # type: ignore[attr-defined]
        return int(end - pos)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _body(req: RequestModel, plan: _Plan, headers: dict[str, str]) -> tuple[object, BodyKind, bool]:
    if plan.payload is None:
        return None, "none", True
    value = getattr(req, plan.payload)
    if value is None:
        return None, "none", True
    if plan.xml is not None:
        xml = plan.xml(value)
        return (None, "none", True) if xml is None else (xml, "bytes", True)
    if isinstance(value, bytes | bytearray | memoryview):
        if isinstance(value, memoryview):  # count bytes, not items; make it sendable
            value = value.cast("B") if value.c_contiguous else memoryview(value.tobytes())
        declared = headers.get("Content-Length")
        if declared is not None and int(declared) != len(value):
            raise ParamValidationError(
                f"ContentLength is {declared} but Body has {len(value)} bytes",
                [f"ContentLength: {declared} does not match len(Body) = {len(value)}"],
            )
        return value, "bytes", True  # aiohttp sends Content-Length; botocore does not sign it
    if hasattr(value, "__aiter__"):
        if "Content-Length" not in headers:
            raise ParamValidationError(
                "ContentLength is required when Body is an async iterable",
                ["ContentLength: required when Body is an async iterable"],
            )
        return value, "stream", False
    # a binary file object
    if "Content-Length" not in headers:
        length = _stream_length(value)
        if length is None:
            raise ParamValidationError(
                "ContentLength is required when Body is a file object of unknown size",
                ["ContentLength: required for a non-seekable file object"],
            )
        headers["Content-Length"] = str(length)
    return value, "stream", False


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # tab is allowed, as in HTTP
_SSEC_KEY = "x-amz-server-side-encryption-customer-key"
_SSEC_MD5 = "x-amz-server-side-encryption-customer-key-MD5"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sse_customer_key(req: RequestModel, headers: dict[str, str]) -> None:
    """As botocore's `sse_md5`: the SSE-C key goes base64-encoded with its MD5, unless the
    caller gave the MD5 (then the key is taken as already encoded)."""
    key: str | bytes | None = getattr(req, "sse_customer_key", None)
    if key is None:
        return
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if getattr(req, "sse_customer_key_md5", None) is None:
        headers[_SSEC_KEY] = _b64(raw)
        headers[_SSEC_MD5] = _b64(hashlib.md5(raw, usedforsecurity=False).digest())
    elif isinstance(key, bytes):
        headers[_SSEC_KEY] = _b64(raw)


def _checksum(
    req: RequestModel, headers: dict[str, str], wire: WireRequest, required: bool
) -> None:
    """As botocore's `resolve_request_checksum_algorithm` for an operation with a
    `requestAlgorithmMember`: a checksum the caller gave (any `x-amz-checksum-*` header)
    goes as given and none is computed; else `ChecksumAlgorithm` names the one to compute
    (refused here, before anything is sent, when aios3 cannot); else CRC32 when the
    operation requires a checksum (`requestChecksumRequired`), or when the client's
    `request_checksum_calculation` is "when_supported"."""
    for name in headers:
        if name.startswith("x-amz-checksum-"):
            return
    algorithm: str | None = getattr(req, "checksum_algorithm", None)
    if algorithm is None:
        wire.checksum_optional = True
        wire.checksum_required = required
    else:
        hasher_factory(algorithm)  # raises for MD5, or without awscrt
        wire.checksum = algorithm


def serialize(req: RequestModel) -> WireRequest:
    """Turn a validated request model into its wire form."""
    plan = _PLANS.get(type(req)) or _plan(type(req))
    headers: dict[str, str] = {}
    for attr, name, ts in plan.headers:
        value = getattr(req, attr)
        if value is not None:
            headers[name] = _fmt_header(value, ts)
    for attr, prefix in plan.header_prefixes:
        mapping = getattr(req, attr)
        if mapping:
            for k, v in mapping.items():
                _check_metadata(k, v)
                headers[prefix + k] = v
    parts = list(plan.fixed_query)
    for attr, name, ts in plan.query:
        value = getattr(req, attr)
        if value is not None:
            parts.append(f"{name}={_fmt_query(value, ts)}")
    if plan.sse_customer:
        _sse_customer_key(req, headers)
    for name, value in headers.items():
        if _CONTROL.search(value):
            raise ParamValidationError(
                f"header {name}: control characters (CR, LF, ...) are not allowed in a value",
                [f"{name}: control characters are not allowed"],
            )
    body, kind, replayable = _body(req, plan, headers)
    key = getattr(req, plan.uri_key) if plan.uri_key else None
    wire = WireRequest(
        operation_name=req.operation_name,
        method=plan.method,
        bucket=getattr(req, plan.uri_bucket) if plan.uri_bucket else None,
        key_path="/" + quote_key(key) if key is not None else "",
        query="&".join(parts),
        headers=headers,
        body=body,
        body_kind=kind,
        replayable=replayable,
        streaming_input=plan.payload == "body",
        session_auth=plan.session_auth,
        control_endpoint=plan.control_endpoint,
    )
    if plan.checksum_member:
        _checksum(req, headers, wire, plan.checksum_required)
    return wire
