"""HTTP answer → typed response model, or the typed `ClientError` the service meant.

Every XML body is parsed with defusedxml's protections: by defusedxml's ElementTree, and
the listing pages by expat handlers guarded as defusedxml guards it (`_read_page`). The
parsers are tolerant of what real servers send: namespaced or bare elements, moto's
`ListPartsResponse` root, an empty `<ETag>`, missing markers on the last page, and
entity-quoted ETags.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar, cast
from xml.etree.ElementTree import Element, ParseError

from multidict import CIMultiDictProxy
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

if TYPE_CHECKING:
    from xml.parsers import expat as xml_expat

from .errors import ERROR_CLASSES, ClientError, ErrorResponse, ResponseParseError
from .models import (
    AbortMultipartUploadResponse,
    CommonPrefix,
    CompleteMultipartUploadResponse,
    CreateMultipartUploadResponse,
    CreateSessionResponse,
    Initiator,
    ListMultipartUploadsResponse,
    ListPartsResponse,
    MultipartUploadSummary,
    Owner,
    Part,
    ResponseMetadata,
    ResponseModel,
    SessionCredentials,
    UploadPartResponse,
)

__all__ = ["Parser", "metadata", "parse_error"]

Parser = Callable[[int, CIMultiDictProxy[str], bytes, "ResponseMetadata"], "ResponseModel"]
"""A parser: (status, headers, body, metadata) → the response model. `aios3._operations`
names each operation's parser."""

R = TypeVar("R", bound=ResponseModel)
T = TypeVar("T")
Conv = Callable[[str], object]

_LAZY = ConfigDict(defer_build=True)  # built on first use, not at import
_DATETIME = TypeAdapter(datetime, config=_LAZY)


class _Unreadable(Exception):
    """An XML body defusedxml could not read, or refused (entities, DTDs...)."""


_defused: tuple[Callable[[bytes], Element], tuple[type[Exception], ...]] | None = None


def fromstring(body: bytes) -> Element:
    """defusedxml's `fromstring`; `_Unreadable` for a body it cannot read or refuses.

    defusedxml is imported on the first XML answer: its import builds a pure-Python copy of
    ElementTree, a tenth of `import aios3`, which a program that only aborts never needs.
    """
    global _defused
    if _defused is None:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import fromstring as parse

        _defused = parse, (ParseError, DefusedXmlException)
    parse, errors = _defused
    try:
        return parse(body)
    except errors as exc:
        raise _Unreadable(str(exc)) from exc


def _xml(body: bytes, status: int, *, secret: bool = False) -> Element:
    """The parsed body. The message of an unreadable one quotes its start, unless the body
    carries `secret`s (CreateSession's credentials)."""
    try:
        return fromstring(body)
    except _Unreadable as exc:
        raise _unreadable(body, status, exc, secret=secret) from None


def _unreadable(
    body: bytes, status: int, problem: object, *, secret: bool = False
) -> ResponseParseError:
    shown = f"{len(body)} bytes, not shown: they hold credentials" if secret else body[:200]
    return ResponseParseError(
        f"the server sent an unreadable XML body ({problem}): {shown!r}", status_code=status
    )


_LOCAL_NAMES: dict[str, str] = {}


def _tag(e: Element) -> str:
    """The element's name without its namespace (memoised: S3 uses a handful of names)."""
    t = e.tag
    name = _LOCAL_NAMES.get(t)
    if name is None:
        name = t[t.index("}") + 1 :] if t[:1] == "{" else t
        if len(_LOCAL_NAMES) < 4096:
            _LOCAL_NAMES[t] = name
    return name


_MAX_DEPTH = 4
"""How deep a listing's items may nest elements. S3's list items nest one level (`Owner`,
`Initiator`); anything much deeper is not an S3 answer (a `ResponseParseError`)."""


def _too_deep(name: str, status: int) -> ResponseParseError:
    return ResponseParseError(
        f"the server sent elements nested more than {_MAX_DEPTH} levels deep in "
        f"<{name}>: not an S3 answer",
        status_code=status,
    )


# --------------------------------------------------------------------------- listing pages
# A page of 1000 parts or uploads is read by expat handlers that build each item's
# {name: text} dict as the elements go by: no ElementTree for the items (defusedxml's
# ElementTree parser is pure Python, and its tree was then walked again). The parser is
# created with defusedxml's protections, as `defusedxml.ElementTree` sets them: every
# entity declaration and external reference raises defusedxml's own exception (a DTD
# without them is allowed, as there), and an undefined entity is an error, as in
# ElementTree. `tests/unit/test_parse_page.py` holds it to defusedxml + ElementTree.


class _PageKit:
    """What reading a page needs, imported on the first page (see `fromstring`)."""

    def __init__(self) -> None:
        from xml.etree.ElementTree import TreeBuilder
        from xml.parsers import expat

        from defusedxml import (
            DefusedXmlException,
            EntitiesForbidden,
            ExternalReferenceForbidden,
        )

        self.create = expat.ParserCreate
        self.builder = TreeBuilder
        self.errors: tuple[type[Exception], ...] = (expat.ExpatError, DefusedXmlException)
        self.expat_error = expat.ExpatError
        self.entities_forbidden = EntitiesForbidden
        self.external_forbidden = ExternalReferenceForbidden

    def parser(self) -> xml_expat.XMLParserType:
        p = self.create(None, "}")  # as ElementTree: "uri}name" for a namespaced element
        entities, external, expat_error = (
            self.entities_forbidden,
            self.external_forbidden,
            self.expat_error,
        )

        def entity_decl(
            name: str,
            is_parameter_entity: bool,
            value: str | None,
            base: str | None,
            sysid: str | None,
            pubid: str | None,
            notation_name: str | None,
        ) -> None:
            raise entities(name, value, base, sysid, pubid, notation_name)

        def unparsed_entity_decl(
            name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str
        ) -> None:
            raise entities(name, None, base, sysid, pubid, notation)

        def external_ref(
            context: str, base: str | None, sysid: str | None, pubid: str | None
        ) -> int:
            raise external(context, base, sysid, pubid)

        def skipped_entity(name: str, is_parameter_entity: bool) -> None:
            # ElementTree's `_default`: a reference to an entity nothing declared (possible
            # once a DTD names an external subset) is an error; a parameter entity is not.
            # This handler holds `p`: a cycle, which whoever parses breaks when done
            # (raised without a local: a local holding it would be a cycle through its
            # traceback)
            if not is_parameter_entity:
                raise expat_error(
                    f"undefined entity &{name};: line {p.ErrorLineNumber}, "
                    f"column {p.ErrorColumnNumber}"
                )

        p.EntityDeclHandler = entity_decl
        p.UnparsedEntityDeclHandler = unparsed_entity_decl
        p.ExternalEntityRefHandler = external_ref
        p.SkippedEntityHandler = skipped_entity
        p.buffer_text = True  # one call per text, entity references included
        p.ordered_attributes = True  # a list, not a dict: attributes are never read
        return p


_page_kit: _PageKit | None = None


class _LocalNames(dict[str, str]):
    """expat's "uri}name" → "name", memoised (S3 uses a handful of names)."""

    def __missing__(self, name: str) -> str:
        local = name[name.index("}") + 1 :] if "}" in name else name
        if len(self) < 4096:
            self[name] = local
        return local


_EXPAT_NAMES = _LocalNames()


def _read_page(body: bytes, item: str) -> tuple[Element, list[dict[str, Any]], str | None]:
    """A listing page: (its root, its `item` elements as dicts, the element nested too deep).

    The root holds every element but the items (read with `_from_xml` etc., as
    `fromstring`'s). Each item (a child of the root named `item`, in any namespace) is
    {name: text}, a nested element a dict of the same kind; an element without text is left
    out, but an empty `<ETag/>` is "" (as botocore reads it). The first element with
    children more than `_MAX_DEPTH` levels inside an item is named, for the caller to
    raise after the rest of the page is read (as a walk of the whole tree raised it).
    `_Unreadable` for a body expat cannot read or defusedxml's protections refuse.
    """
    global _page_kit
    kit = _page_kit
    if kit is None:
        kit = _page_kit = _PageKit()
    p = kit.parser()
    tb = kit.builder()
    names = _EXPAT_NAMES
    items: list[dict[str, Any]] = []
    depth = 0  # elements open, the root included (not counted inside an item)
    d: dict[str, Any] | None = None  # inside an item: the dict being filled
    stack: list[tuple[dict[str, Any], str]] = []  # the dicts and names of d's ancestors
    leaf: str | None = None  # inside an item: the open element, while it has no child
    text: str | None = None  # the leaf's text so far
    too_deep: str | None = None

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal depth, d, leaf, text, too_deep
        if d is not None:
            if leaf is not None:  # the open element has a child: it becomes a dict
                if len(stack) + 1 >= _MAX_DEPTH and too_deep is None:
                    too_deep = leaf
                stack.append((d, leaf))
                d = {}
            leaf = names[tag]
            text = None
            return
        depth += 1
        if depth == 2 and names[tag] == item:
            d = {}
        else:
            tb.start("{" + tag if "}" in tag else tag, {})

    def end(tag: str) -> None:
        nonlocal depth, d, leaf
        if d is None:
            depth -= 1
            tb.end(tag)
        elif leaf is not None:
            if text is not None:
                d[leaf] = text
            elif leaf == "ETag":
                d[leaf] = ""
            leaf = None
        elif stack:
            inner = d
            d, name = stack.pop()
            d[name] = inner
        else:  # the item's end: back among the root's children
            items.append(d)
            d = None
            depth = 1

    def data(s: str) -> None:
        nonlocal text
        if leaf is not None:
            text = s if text is None else text + s
        elif d is None and depth > 1:
            tb.data(s)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = data
    # no reference cycle is left behind (it would keep the page's items alive until a
    # garbage collection): the parser's handler that holds the parser is dropped, and the
    # error is raised outside the `except` (an exception kept in a local of a frame that
    # its traceback holds is a cycle)
    try:
        p.Parse(body, True)
    except kit.errors as exc:
        problem = str(exc)
    else:
        return tb.close(), items, too_deep
    finally:
        p.SkippedEntityHandler = None
    raise _Unreadable(problem)


def _page(
    body: bytes, item: str, status: int, headers: CIMultiDictProxy[str], op: str, retries: int
) -> tuple[Element, list[dict[str, Any]], str | None]:
    """`_read_page`, with `_xml_result`'s errors: unreadable, or a 200 carrying `<Error>`."""
    try:
        root, items, too_deep = _read_page(body, item)
    except _Unreadable as exc:
        problem: str | None = str(exc)
    else:
        problem = None
    if problem is not None:  # raised here, not in the `except`: no cycle (see `_read_page`)
        raise _unreadable(body, status, problem)
    if _tag(root) == "Error":
        raise parse_error(status, headers, body, op, retries)
    return root, items, too_deep


def _validated(adapter: TypeAdapter[list[T]], items: list[dict[str, Any]], status: int) -> list[T]:
    """Validate a page of items in one pydantic-core call (far cheaper than one per item)."""
    try:
        return adapter.validate_python(items, by_alias=True)
    except ValidationError as exc:
        raise ResponseParseError(
            f"the server sent a listing aios3 cannot read: {exc.errors(include_url=False)[:3]}",
            status_code=status,
        ) from None


def _iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return _DATETIME.validate_python(text)


def _http_date(text: str) -> datetime:
    try:
        dt = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return _iso(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _bool(text: str) -> bool:
    return text.strip().lower() == "true"


def _str(text: str) -> str:
    return text


M = TypeVar("M", bound=BaseModel)


def built(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` from already-typed values for EVERY field, unvalidated.

    What `model_construct` does, minus its per-field default and alias handling (a few
    microseconds per call on the hot path). `tests/test_parse_fast.py` checks that it stays
    equal to validated models.
    """
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


_IMMUTABLE = (type(None), bool, int, float, str, bytes)
_CONSTRUCT_PLANS: dict[type[BaseModel], tuple[tuple[str, Callable[[], Any] | None, Any], ...]] = {}


def _constructed(cls: type[M], values: dict[str, Any]) -> M:
    """`cls.model_construct(**values)` (values by field name), for a model whose defaults
    are immutable or come from factories that take no argument.

    pydantic's `model_construct` asks `inspect.signature` about the default factory of each
    field left unset, on every call: about 80 µs for a `ListMultipartUploads` answer
    without `CommonPrefixes`, and a reference cycle each time (inspect's parse of the
    signature). `tests/unit/test_parse_page.py` checks that the two stay equal.
    """
    plan = _CONSTRUCT_PLANS.get(cls)
    if plan is None:
        fields = cls.model_fields
        if cls.__pydantic_post_init__ or any(
            f.default_factory_takes_validated_data
            or (f.default_factory is None and not isinstance(f.default, _IMMUTABLE))
            for f in fields.values()
            if not f.is_required()
        ):
            raise TypeError(f"{cls.__name__}: use model_construct")  # a programming error
        plan = _CONSTRUCT_PLANS[cls] = tuple(
            (name, cast("Callable[[], Any] | None", f.default_factory), f.default)
            for name, f in fields.items()
        )
    data: dict[str, Any] = {}
    for name, factory, default in plan:
        if name in values:
            data[name] = values[name]
        elif factory is not None:
            data[name] = factory()
        elif default is not PydanticUndefined:  # a required field left unset stays unset
            data[name] = default
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", data)
    object.__setattr__(m, "__pydantic_fields_set__", {n for n in values if n in data})
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def _header_dict(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    """The headers as boto3's `HTTPHeaders`: lower-case names, a repeated header's values
    joined with ", " (as urllib3 joins them for botocore)."""
    d = {k.lower(): v for k, v in headers.items()}
    if len(d) != len(headers):  # a name came more than once (rare: checked only then)
        d = {k: ", ".join(headers.getall(k)) for k in d}
    return d


def metadata(status: int, headers: CIMultiDictProxy[str], retry_attempts: int) -> ResponseMetadata:
    """boto3's `ResponseMetadata` for an answer."""
    d = {k.lower(): v for k, v in headers.items()}  # _header_dict, inlined: the hot path
    if len(d) != len(headers):
        d = _header_dict(headers)
    return built(
        ResponseMetadata,
        {
            "request_id": d.get("x-amzn-requestid") or d.get("x-amz-request-id") or "",
            "host_id": d.get("x-amz-id-2", ""),
            "http_status_code": status,
            "http_headers": d,
            "retry_attempts": retry_attempts,
        },
    )


# --------------------------------------------------------------------------- errors


def parse_error(
    status: int,
    headers: CIMultiDictProxy[str],
    body: bytes,
    operation_name: str,
    retry_attempts: int = 0,
) -> ClientError:
    """The typed `ClientError` for an error answer (or a 200 carrying an `<Error>` body).

    The typed attributes take what the answer said, body first; `response` is the dict
    botocore's parser builds for the same answer, key for key (see
    `tests/unit/test_boto3_dicts.py`).
    """
    fields: dict[str, str | None] = {}  # the <Error> body's elements, as botocore reads them
    s3_error = False
    stripped = body.strip()
    if stripped:
        try:
            root = fromstring(body)
        except _Unreadable:
            root = None
        if root is not None and _tag(root) == "Error":
            s3_error = True
            for child in root:
                fields[_tag(child)] = child.text
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    d = _header_dict(headers)
    code = fields.get("Code") or str(status)
    message = fields.get("Message") or reason
    request_id = (
        fields.get("RequestId") or d.get("x-amz-request-id") or d.get("x-amzn-requestid") or ""
    )
    host_id = fields.get("HostId") or d.get("x-amz-id-2", "")
    extra = {
        k: v or "" for k, v in fields.items() if k not in ("Code", "Message", "RequestId", "HostId")
    }
    # botocore's dict: an S3 <Error> body's elements (its ids left out: they come from the
    # headers), else the status; the ids as botocore's RestXMLParser takes them
    meta: dict[str, object] = {}
    error: dict[str, str | None]
    if s3_error:
        error = {k: v for k, v in fields.items() if k != "RequestId" and k != "HostId"}
        if "x-amzn-requestid" in d:
            meta["RequestId"] = d["x-amzn-requestid"]
        elif "x-amz-request-id" in d:
            meta["RequestId"] = d["x-amz-request-id"]
            meta["HostId"] = d.get("x-amz-id-2", "")
    else:
        error = {"Code": str(status), "Message": reason}
        if status < 500 or (stripped and not stripped.startswith(b"<html>")):
            meta["RequestId"] = d.get("x-amz-request-id", "")
            meta["HostId"] = d.get("x-amz-id-2", "")
    meta["HTTPStatusCode"] = status
    meta["HTTPHeaders"] = d
    meta["RetryAttempts"] = retry_attempts
    cls = ERROR_CLASSES.get(code, ClientError)
    return cls(
        code=code,
        message=message,
        status_code=status,
        request_id=request_id,
        host_id=host_id,
        operation_name=operation_name,
        extra=extra,
        response=cast("ErrorResponse", {"Error": error, "ResponseMetadata": meta}),
    )


def _error_in_200(
    status: int, headers: CIMultiDictProxy[str], body: bytes, operation_name: str, retries: int
) -> None:
    """S3 may answer 200 and report the failure in the body (botocore's
    `_handle_200_error`): raise it. For operations whose answer has no body; an unreadable
    body is a `ResponseParseError`."""
    if body.strip():
        root = _xml(body, status)
        if _tag(root) == "Error":
            raise parse_error(status, headers, body, operation_name, retries)


def _xml_result(
    status: int,
    headers: CIMultiDictProxy[str],
    body: bytes,
    operation_name: str,
    retries: int,
    *,
    secret: bool = False,
) -> Element:
    """The root of an XML answer; a 200 that carries an `<Error>` raises it."""
    root = _xml(body, status, secret=secret)
    if _tag(root) == "Error":
        raise parse_error(status, headers, body, operation_name, retries)
    return root


# --------------------------------------------------------------------------- helpers

_SSE_HEADERS: dict[str, tuple[str, Conv]] = {
    "x-amz-server-side-encryption": ("server_side_encryption", _str),
    "x-amz-server-side-encryption-customer-algorithm": ("sse_customer_algorithm", _str),
    "x-amz-server-side-encryption-customer-key-MD5": ("sse_customer_key_md5", _str),
    "x-amz-server-side-encryption-aws-kms-key-id": ("sse_kms_key_id", _str),
    "x-amz-server-side-encryption-bucket-key-enabled": ("bucket_key_enabled", _bool),
    "x-amz-request-charged": ("request_charged", _str),
}
_CHECKSUMS = {
    "ChecksumCRC32": "checksum_crc32",
    "ChecksumCRC32C": "checksum_crc32c",
    "ChecksumCRC64NVME": "checksum_crc64nvme",
    "ChecksumSHA1": "checksum_sha1",
    "ChecksumSHA256": "checksum_sha256",
    "ChecksumSHA512": "checksum_sha512",
    "ChecksumMD5": "checksum_md5",
    "ChecksumXXHASH64": "checksum_xxhash64",
    "ChecksumXXHASH3": "checksum_xxhash3",
    "ChecksumXXHASH128": "checksum_xxhash128",
}
_CHECKSUM_HEADERS: dict[str, tuple[str, Conv]] = {
    "x-amz-checksum-" + tag[8:].lower(): (attr, _str) for tag, attr in _CHECKSUMS.items()
}


def _convert(conv: Conv, text: str, name: str, status: int | None) -> object:
    try:
        return conv(text)
    except (ValueError, ValidationError):
        raise ResponseParseError(
            f"the server sent an unreadable {name}: {text[:100]!r}", status_code=status
        ) from None


def _from_headers(
    headers: CIMultiDictProxy[str], spec: Mapping[str, tuple[str, Conv]], out: dict[str, Any]
) -> None:
    for name, (attr, conv) in spec.items():
        v = headers.get(name)
        if v is not None:
            out[attr] = v if conv is _str else _convert(conv, v, name, None)


def _from_xml(
    root: Element, spec: Mapping[str, tuple[str, Conv]], out: dict[str, Any]
) -> list[Element]:
    """Copy the simple children named in `spec`; return the others for the caller.

    An empty element is "" for a string field and absent for a number, flag or date.
    """
    rest = []
    for child in root:
        name = _tag(child)
        hit = spec.get(name)
        if hit is None:
            rest.append(child)
            continue
        attr, conv = hit
        text = child.text
        if conv is _str:
            out[attr] = text or ""
        elif text and text.strip():
            out[attr] = _convert(conv, text, f"<{name}>", None)
    return rest


def _person(e: Element, cls: type[Owner] | type[Initiator]) -> Owner | Initiator:
    d: dict[str, Any] = {}
    for c in e:
        t = _tag(c)
        if t == "ID":
            d["id"] = c.text or ""
        elif t == "DisplayName":
            d["display_name"] = c.text or ""
    return cls.model_construct(**d)


def _int(text: str) -> int:
    return int(text.strip())


# --------------------------------------------------------------------------- per operation


def abort_multipart_upload(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> AbortMultipartUploadResponse:
    if body:
        _error_in_200(status, headers, body, "AbortMultipartUpload", meta.retry_attempts)
    return built(
        AbortMultipartUploadResponse,
        {
            "request_charged": headers.get("x-amz-request-charged"),
            "version_id": headers.get("x-amz-version-id"),
            "response_metadata": meta,
        },
    )


_CREATE_HEADERS: dict[str, tuple[str, Conv]] = {
    **_SSE_HEADERS,
    "x-amz-abort-date": ("abort_date", _http_date),
    "x-amz-abort-rule-id": ("abort_rule_id", _str),
    "x-amz-server-side-encryption-context": ("sse_kms_encryption_context", _str),
    "x-amz-checksum-algorithm": ("checksum_algorithm", _str),
    "x-amz-checksum-type": ("checksum_type", _str),
    "x-amz-version-id": ("version_id", _str),
}
_CREATE_XML: dict[str, tuple[str, Conv]] = {
    "Bucket": ("bucket", _str),
    "Key": ("key", _str),
    "UploadId": ("upload_id", _str),
}


def create_multipart_upload(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> CreateMultipartUploadResponse:
    out: dict[str, Any] = {}
    _from_headers(headers, _CREATE_HEADERS, out)
    root = _xml_result(status, headers, body, "CreateMultipartUpload", meta.retry_attempts)
    _from_xml(root, _CREATE_XML, out)
    if not out.get("upload_id"):
        raise ResponseParseError(
            "CreateMultipartUpload answered without an UploadId", status_code=status
        )
    return CreateMultipartUploadResponse.model_construct(**out, response_metadata=meta)


_UPLOAD_PART_HEADERS: dict[str, tuple[str, Conv]] = {
    **_SSE_HEADERS,
    **_CHECKSUM_HEADERS,
    "ETag": ("etag", _str),
    "x-amz-version-id": ("version_id", _str),
}


def upload_part(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> UploadPartResponse:
    if body:
        _error_in_200(status, headers, body, "UploadPart", meta.retry_attempts)
    out: dict[str, Any] = {}
    _from_headers(headers, _UPLOAD_PART_HEADERS, out)
    return UploadPartResponse.model_construct(**out, response_metadata=meta)


_COMPLETE_HEADERS: dict[str, tuple[str, Conv]] = {
    **_SSE_HEADERS,
    "x-amz-expiration": ("expiration", _str),
    "x-amz-version-id": ("version_id", _str),
}
_COMPLETE_XML: dict[str, tuple[str, Conv]] = {
    "Location": ("location", _str),
    "Bucket": ("bucket", _str),
    "Key": ("key", _str),
    "ETag": ("etag", _str),
    "ChecksumType": ("checksum_type", _str),
    **{tag: (attr, _str) for tag, attr in _CHECKSUMS.items()},
}


def complete_multipart_upload(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> CompleteMultipartUploadResponse:
    out: dict[str, Any] = {}
    _from_headers(headers, _COMPLETE_HEADERS, out)
    root = _xml(body, status)
    tag = _tag(root)
    if tag == "Error":  # S3 may answer 200 and report the failure in the body
        raise parse_error(status, headers, body, "CompleteMultipartUpload", meta.retry_attempts)
    if tag != "CompleteMultipartUploadResult":
        # e.g. a proxy's HTML page: taking it for a success would report an object that
        # may never have been assembled
        raise ResponseParseError(
            f"CompleteMultipartUpload answered {status} with <{tag[:100]}>, not "
            "<CompleteMultipartUploadResult>: the upload may not be complete",
            status_code=status,
        )
    _from_xml(root, _COMPLETE_XML, out)
    return CompleteMultipartUploadResponse.model_construct(**out, response_metadata=meta)


_LIST_PARTS_HEADERS: dict[str, tuple[str, Conv]] = {
    "x-amz-abort-date": ("abort_date", _http_date),
    "x-amz-abort-rule-id": ("abort_rule_id", _str),
    "x-amz-request-charged": ("request_charged", _str),
    "x-amz-version-id": ("version_id", _str),
}
_LIST_PARTS_XML: dict[str, tuple[str, Conv]] = {
    "Bucket": ("bucket", _str),
    "Key": ("key", _str),
    "UploadId": ("upload_id", _str),
    "PartNumberMarker": ("part_number_marker", _int),
    "NextPartNumberMarker": ("next_part_number_marker", _int),
    "MaxParts": ("max_parts", _int),
    "IsTruncated": ("is_truncated", _bool),
    "StorageClass": ("storage_class", _str),
    "ChecksumAlgorithm": ("checksum_algorithm", _str),
    "ChecksumType": ("checksum_type", _str),
}
_PARTS: TypeAdapter[list[Part]] = TypeAdapter(list[Part], config=_LAZY)


def list_parts(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> ListPartsResponse:
    out: dict[str, Any] = {}
    _from_headers(headers, _LIST_PARTS_HEADERS, out)
    root, parts, too_deep = _page(body, "Part", status, headers, "ListParts", meta.retry_attempts)
    for child in _from_xml(root, _LIST_PARTS_XML, out):
        tag = _tag(child)
        if tag == "Initiator":
            out["initiator"] = _person(child, Initiator)
        elif tag == "Owner":
            out["owner"] = _person(child, Owner)
    if too_deep is not None:
        raise _too_deep(too_deep, status)
    if parts:  # left unset when the answer had none: to_dict() leaves it out, as boto3
        out["parts"] = _validated(_PARTS, parts, status)
    out["response_metadata"] = meta
    return _constructed(ListPartsResponse, out)


_LIST_UPLOADS_XML: dict[str, tuple[str, Conv]] = {
    "Bucket": ("bucket", _str),
    "KeyMarker": ("key_marker", _str),
    "UploadIdMarker": ("upload_id_marker", _str),
    "NextKeyMarker": ("next_key_marker", _str),
    "NextUploadIdMarker": ("next_upload_id_marker", _str),
    "Prefix": ("prefix", _str),
    "Delimiter": ("delimiter", _str),
    "MaxUploads": ("max_uploads", _int),
    "IsTruncated": ("is_truncated", _bool),
    "EncodingType": ("encoding_type", _str),
}
_UPLOADS: TypeAdapter[list[MultipartUploadSummary]] = TypeAdapter(
    list[MultipartUploadSummary], config=_LAZY
)


def list_multipart_uploads(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> ListMultipartUploadsResponse:
    out: dict[str, Any] = {}
    rc = headers.get("x-amz-request-charged")
    if rc is not None:
        out["request_charged"] = rc
    prefixes: list[CommonPrefix] = []
    root, uploads, too_deep = _page(
        body, "Upload", status, headers, "ListMultipartUploads", meta.retry_attempts
    )
    for child in _from_xml(root, _LIST_UPLOADS_XML, out):
        if _tag(child) == "CommonPrefixes":
            for c in child:
                if _tag(c) == "Prefix":
                    prefixes.append(CommonPrefix.model_construct(prefix=c.text or ""))
    if too_deep is not None:
        raise _too_deep(too_deep, status)
    if uploads:  # left unset when the answer had none: to_dict() leaves them out
        out["uploads"] = _validated(_UPLOADS, uploads, status)
    if prefixes:
        out["common_prefixes"] = prefixes
    out["response_metadata"] = meta
    return _constructed(ListMultipartUploadsResponse, out)


_SESSION_HEADERS: dict[str, tuple[str, Conv]] = {
    "x-amz-server-side-encryption": ("server_side_encryption", _str),
    "x-amz-server-side-encryption-aws-kms-key-id": ("sse_kms_key_id", _str),
    "x-amz-server-side-encryption-context": ("sse_kms_encryption_context", _str),
    "x-amz-server-side-encryption-bucket-key-enabled": ("bucket_key_enabled", _bool),
}
_SESSION_CREDS_XML: dict[str, tuple[str, Conv]] = {
    "AccessKeyId": ("access_key_id", _str),
    "SecretAccessKey": ("secret_access_key", _str),
    "SessionToken": ("session_token", _str),
    "Expiration": ("expiration", _iso),
}


def create_session(
    status: int, headers: CIMultiDictProxy[str], body: bytes, meta: ResponseMetadata
) -> CreateSessionResponse:
    out: dict[str, Any] = {}
    _from_headers(headers, _SESSION_HEADERS, out)
    creds: dict[str, Any] = {}
    root = _xml_result(status, headers, body, "CreateSession", meta.retry_attempts, secret=True)
    for child in root:
        if _tag(child) == "Credentials":
            _from_xml(child, _SESSION_CREDS_XML, creds)
    if set(creds) != {"access_key_id", "secret_access_key", "session_token", "expiration"}:
        raise ResponseParseError(
            "CreateSession answered without complete credentials "
            f"(got {sorted(creds)}); is this a directory bucket on S3 Express?",
            status_code=status,
        )
    try:
        out["credentials"] = SessionCredentials.model_validate(creds)
    except ValidationError:
        raise ResponseParseError(
            "CreateSession answered with unreadable credentials", status_code=status
        ) from None
    return CreateSessionResponse.model_construct(**out, response_metadata=meta)
