"""The listing pages' expat reader (`aios3._parse._read_page`) against the reference it
replaced: defusedxml's `ElementTree.fromstring`, then a walk of the tree.

Every body below must give the same outcome both ways: the same error message (unreadable,
refused by defusedxml's protections), or the same root (its elements other than the
items) and the same item dicts, and the same element named as nested too deep.
"""

from __future__ import annotations

import codecs
import contextlib
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import pytest
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from multidict import CIMultiDict, CIMultiDictProxy

from aios3._parse import (
    _MAX_DEPTH,
    _read_page,
    _tag,
    _Unreadable,
    list_multipart_uploads,
    list_parts,
    metadata,
)
from aios3.errors import NoSuchUpload, ResponseParseError
from bench.stub_server import list_parts_body, list_uploads_body

NS = "http://s3.amazonaws.com/doc/2006-03-01/"

# --------------------------------------------------------------------------- the reference


def _ref_fields(e: Element, depth: int = 0) -> tuple[dict[str, Any], str | None]:
    """The tree walk the listing parsers did before: (the item's dict, the first element
    nested too deep)."""
    if depth >= _MAX_DEPTH:
        return {}, _tag(e)
    d: dict[str, Any] = {}
    for c in e:
        name = _tag(c)
        if len(c):
            d[name], deep = _ref_fields(c, depth + 1)
            if deep is not None:
                return d, deep
        elif c.text is not None:
            d[name] = c.text
        elif name == "ETag":
            d[name] = ""
    return d, None


def _shape(e: Element, *, tail: bool = True) -> tuple[Any, ...]:
    return (
        e.tag,
        e.text,
        e.tail if tail else None,
        [_shape(c) for c in e],
    )


def reference(body: bytes, item: str) -> tuple[Any, ...]:
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        return ("unreadable", str(exc))
    items, too_deep = [], None
    rest = []
    for child in root:
        if _tag(child) == item:
            fields, deep = _ref_fields(child)
            items.append(fields)
            too_deep = too_deep or deep
        else:
            rest.append(_shape(child, tail=False))
    if too_deep is not None:
        items = []  # not compared: the caller raises
    return ("page", root.tag, rest, _ordered(items), too_deep)


def ours(body: bytes, item: str) -> tuple[Any, ...]:
    try:
        root, items, too_deep = _read_page(body, item)
    except _Unreadable as exc:
        return ("unreadable", str(exc))
    assert root.text is None  # the root's own text and the tails there are dropped
    rest = [_shape(c, tail=False) for c in root]
    if too_deep is not None:
        items = []
    return ("page", root.tag, rest, _ordered(items), too_deep)


def _ordered(x: Any) -> Any:
    """Dicts as lists of pairs: the order of the keys is compared too."""
    if isinstance(x, dict):
        return [(k, _ordered(v)) for k, v in x.items()]
    if isinstance(x, list):
        return [_ordered(v) for v in x]
    return x


# --------------------------------------------------------------------------- the corpus

PARTS = list_parts_body("b", "k", "u")
UPLOADS = list_uploads_body("b")
SMALL_PARTS = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="{NS}">'
    "<Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
    "<Initiator><ID>i</ID><DisplayName>d</DisplayName></Initiator>"
    "<MaxParts>2</MaxParts><IsTruncated>false</IsTruncated>"
    "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><Size>5</Size></Part>"
    "<Part><PartNumber>2</PartNumber><ETag/><Size>6</Size></Part>"
    "</ListPartsResult>"
).encode()
SMALL_UPLOADS = (
    f'<ListMultipartUploadsResult xmlns="{NS}"><Bucket>b</Bucket><KeyMarker/>'
    "<Upload><Key>a&amp;b</Key><UploadId>u1</UploadId>"
    "<Owner><ID>o</ID><DisplayName/></Owner><Initiated>2024-05-01T12:00:00Z</Initiated>"
    "</Upload><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>"
    "<CommonPrefixes><Prefix/></CommonPrefixes></ListMultipartUploadsResult>"
).encode()


def _nest(levels: int, leaf: str = "<X>x</X>") -> str:
    return (
        "".join(f"<N{i}>" for i in range(levels))
        + leaf
        + "".join(f"</N{i}>" for i in reversed(range(levels)))
    )


def _part(inner: str) -> bytes:
    return (
        f'<ListPartsResult xmlns="{NS}"><Bucket>b</Bucket><Part><PartNumber>1</PartNumber>'
        f"{inner}</Part><Part><PartNumber>2</PartNumber></Part></ListPartsResult>"
    ).encode()


CASES: dict[str, tuple[bytes, str]] = {
    "stub parts": (PARTS, "Part"),
    "stub uploads": (UPLOADS, "Upload"),
    "small parts": (SMALL_PARTS, "Part"),
    "small uploads": (SMALL_UPLOADS, "Upload"),
    "no namespace": (SMALL_PARTS.replace(f' xmlns="{NS}"'.encode(), b""), "Part"),
    "prefixed": (
        SMALL_PARTS.replace(b"<", b"<s3:")
        .replace(b"<s3:/", b"</s3:")
        .replace(b"<s3:?", b"<?")
        .replace(b"xmlns=", b"xmlns:s3="),
        "Part",
    ),
    "two namespaces": (
        _part('<ETag xmlns="urn:other">e</ETag><o:Size xmlns:o="urn:o">7</o:Size>'),
        "Part",
    ),
    "pretty-printed": (
        SMALL_UPLOADS.replace(b"><", b">\n  <").replace(b"<Prefix/>", b"<Prefix>\n</Prefix>"),
        "Upload",
    ),
    "moto's root": (SMALL_PARTS.replace(b"ListPartsResult", b"ListPartsResponse"), "Part"),
    "comments, PIs, CDATA": (
        _part(
            "<ETag><!-- c -->&quot;a<![CDATA[<b>]]>&#34;&#x22;<?pi x?>z</ETag>"
            "<Size> 5 </Size><!-- between --><ChecksumCRC32>  </ChecksumCRC32>"
        ),
        "Part",
    ),
    "text then a child": (_part("<Owner>before<ID>1</ID>after<ID>2</ID>tail</Owner>"), "Part"),
    "repeated names": (_part("<Size>1</Size><Owner><ID>x</ID></Owner><Size>2</Size>"), "Part"),
    "empty elements": (_part("<ETag></ETag><Size/><Owner/><Owner></Owner>"), "Part"),
    "empty item": (
        f'<ListPartsResult xmlns="{NS}"><Part/><Part></Part></ListPartsResult>'.encode(),
        "Part",
    ),
    "items deeper down are not items": (
        b"<R><Bucket><Part><PartNumber>1</PartNumber></Part>t</Bucket>"
        b"<Other>a<Part>1</Part>b<Part/>c</Other></R>",
        "Part",
    ),
    "root named like an item": (b"<Part><Part><X>1</X></Part></Part>", "Part"),
    "attributes": (
        _part('<ETag a="1" b="&amp;">e</ETag>').replace(b"<Bucket>", b'<Bucket x="y">'),
        "Part",
    ),
    "error root": (
        b"<Error><Code>NoSuchUpload</Code><Message>m</Message><RequestId>r</RequestId></Error>",
        "Part",
    ),
    "long text": (_part("<ETag>" + "x" * 100_000 + "&amp;" + "y" * 20_000 + "</ETag>"), "Part"),
    "utf-16": (
        codecs.BOM_UTF16_LE
        + '<?xml version="1.0" encoding="UTF-16"?><R><Part><Key>ké</Key></Part></R>'.encode(
            "utf-16-le"
        ),
        "Part",
    ),
    "latin-1": (
        '<?xml version="1.0" encoding="ISO-8859-1"?><R><Part><Key>ké</Key></Part></R>'.encode(
            "latin-1"
        ),
        "Part",
    ),
    "utf-8 BOM": (codecs.BOM_UTF8 + SMALL_PARTS, "Part"),
    "DTD without entities": (b"<!DOCTYPE R><R><Part><Key>k</Key></Part></R>", "Part"),
    "DTD with an external subset": (
        b'<!DOCTYPE R SYSTEM "http://127.0.0.1:1/r.dtd"><R><Part><Key>k</Key></Part></R>',
        "Part",
    ),
    **{
        f"nested {n} levels in an item": (_part(_nest(n)), "Part")
        for n in range(_MAX_DEPTH - 1, _MAX_DEPTH + 3)
    },
    "nested too deep twice": (_part(_nest(7) + "<A>" + _nest(9) + "</A>"), "Part"),
    "nested 1000 levels in an item": (_part(_nest(1000)), "Part"),
    "nested deep outside the items": (
        f"<R><Bucket>{_nest(50)}</Bucket><Part><Key>k</Key></Part></R>".encode(),
        "Part",
    ),
    # refused or unreadable
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<r><Part><Key>&lol2;</Key></Part></r>",
        "Part",
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<r><Part><Key>&x;</Key></Part></r>",
        "Part",
    ),
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>'
        b"<r/>",
        "Part",
    ),
    "unparsed entity": (
        b'<!DOCTYPE r [<!NOTATION n SYSTEM "n"><!ENTITY u SYSTEM "u" NDATA n>]><r/>',
        "Part",
    ),
    "undefined entity": (b"<R><Part><Key>&nope;</Key></Part></R>", "Part"),
    "undefined entity after an external subset": (
        b'<!DOCTYPE R SYSTEM "r.dtd"><R><Part><Key>a&nope;b</Key></Part></R>',
        "Part",
    ),
    "undefined entity in the root": (b'<!DOCTYPE R SYSTEM "r.dtd"><R><B>&nope;</B></R>', "Part"),
    "undefined entity in an attribute": (
        b'<!DOCTYPE R SYSTEM "r.dtd"><R><Part a="&nope;"><Key>k</Key></Part></R>',
        "Part",
    ),
    "unbound prefix": (b"<R><x:Part><Key>k</Key></x:Part></R>", "Part"),
    "empty body": (b"", "Part"),
    "blank body": (b"  \n ", "Part"),
    "html": (b"<html><body><p>Bad gateway<br></p></body></html>", "Part"),
    "text only": (b"Service Unavailable", "Part"),
    "two roots": (b"<R/><R/>", "Part"),
    "junk after the root": (b"<R><Part/></R>junk", "Part"),
    "mismatched tag": (b"<R><Part><Key>k</Size></Part></R>", "Part"),
    "invalid character": (b"<R><Part><Key>\x01</Key></Part></R>", "Part"),
    "invalid utf-8": (b"<R><Part><Key>\xff\xfe</Key></Part></R>", "Part"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_page_reads_as_defusedxml_and_the_tree_walk_did(name: str) -> None:
    body, item = CASES[name]
    assert ours(body, item) == reference(body, item)


def test_the_corpus_covers_each_outcome() -> None:
    outcomes = [reference(*case) for case in CASES.values()]
    messages = " ".join(o[1] for o in outcomes if o[0] == "unreadable")
    # (ExternalReferenceForbidden cannot be reached: every entity declaration is refused
    # first, and expat reads no external DTD subset unless told to, which neither does)
    for refusal in ("EntitiesForbidden", "undefined entity"):
        assert refusal in messages
    for expat_error in ("no element found", "mismatched tag", "unbound prefix", "junk after"):
        assert expat_error in messages
    assert sum(1 for o in outcomes if o[0] == "page" and o[4] is not None) >= 4  # too deep
    assert sum(1 for o in outcomes if o[0] == "page" and o[3]) >= 20  # items read


@pytest.mark.parametrize(("body", "item"), [(SMALL_PARTS, "Part"), (SMALL_UPLOADS, "Upload")])
def test_every_truncation_reads_as_before(body: bytes, item: str) -> None:
    # a body cut anywhere: the same error message (position included) as defusedxml's
    for n in range(len(body)):
        assert ours(body[:n], item) == reference(body[:n], item), body[:n]


# --------------------------------------------------------------------------- the parsers

HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict({"x-amz-request-id": "RID"}))


def _call(parser: Any, body: bytes, status: int = 200) -> Any:
    return parser(status, HEADERS, body, metadata(status, HEADERS, 0))


def test_a_refused_page_is_a_response_parse_error_quoting_the_body() -> None:
    body, _ = CASES["billion laughs"]
    with pytest.raises(ResponseParseError, match="EntitiesForbidden") as info:
        _call(list_parts, body)
    assert info.value.status_code == 200 and "<!DOCTYPE r" in str(info.value)
    body, _ = CASES["external entity"]
    with pytest.raises(ResponseParseError, match=r"EntitiesForbidden.*file:///etc/passwd"):
        _call(list_multipart_uploads, body)
    with pytest.raises(ResponseParseError, match="undefined entity &nope;"):
        _call(list_parts, CASES["undefined entity after an external subset"][0])


def test_an_error_in_a_200_page_is_raised() -> None:
    body, _ = CASES["error root"]
    with pytest.raises(NoSuchUpload) as info:
        _call(list_multipart_uploads, body)
    assert info.value.operation_name == "ListMultipartUploads"
    assert info.value.request_id == "r"


def test_too_deep_is_raised_after_the_page_is_read() -> None:
    # as when the whole tree was read first: an unreadable body wins over the nesting...
    deep = _part(_nest(_MAX_DEPTH + 2))
    with pytest.raises(ResponseParseError, match="unreadable XML"):
        _call(list_parts, deep[:-5])
    # ... and so does an unreadable value of the page's own elements
    with pytest.raises(ResponseParseError, match="MaxParts"):
        _call(list_parts, deep.replace(b"<Bucket>b</Bucket>", b"<MaxParts>x</MaxParts>"))
    with pytest.raises(ResponseParseError, match=rf"nested more than {_MAX_DEPTH} .* <N3>"):
        _call(list_parts, deep)


def test_the_pages_parse_to_the_same_models_as_the_items_validated_one_by_one() -> None:
    from aios3.models import MultipartUploadSummary, Part

    parts = _call(list_parts, PARTS)
    _, items, _ = _read_page(PARTS, "Part")
    assert parts.parts == [Part.model_validate(i) for i in items]
    assert parts.parts[0].etag == f'"{parts.parts[0].etag[1:-1]}"'
    assert parts.owner is not None and parts.initiator is not None
    uploads = _call(list_multipart_uploads, UPLOADS)
    _, items, _ = _read_page(UPLOADS, "Upload")
    assert uploads.uploads == [MultipartUploadSummary.model_validate(i) for i in items]
    assert len(uploads.uploads) == 1000 and uploads.next_key_marker == "key-0999"
    small = _call(list_multipart_uploads, SMALL_UPLOADS)
    assert [p.prefix for p in small.common_prefixes] == ["p/", ""]
    assert small.uploads[0].key == "a&b" and small.uploads[0].owner is not None
    assert small.key_marker == ""


def test_the_parser_refuses_external_references_as_defusedxml_does() -> None:
    # unreachable through the pages (expat reads no external subset unless told to), but
    # the handler is set as defusedxml sets it, should anything turn that reading on
    from xml.parsers import expat

    from defusedxml import ExternalReferenceForbidden

    from aios3._parse import _PageKit

    p = _PageKit().parser()
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_ALWAYS)
    with pytest.raises(ExternalReferenceForbidden, match=r"r\.dtd"):
        p.Parse(b'<!DOCTYPE R SYSTEM "r.dtd"><R/>', True)


@pytest.mark.parametrize(
    "name",
    [
        "small parts",
        "stub uploads",
        "billion laughs",
        "undefined entity after an external subset",
        "mismatched tag",
        "nested too deep twice",
        "error root",
    ],
)
def test_reading_a_page_leaves_no_reference_cycle(name: str) -> None:
    # a cycle through the parser (a handler holding it) kept every page's item dicts alive
    # until a collection; an error kept in a local of the frame it went through made one
    # per unreadable page
    import gc

    body, item = CASES[name]
    parser = list_parts if item == "Part" else list_multipart_uploads
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            with contextlib.suppress(ResponseParseError, NoSuchUpload):
                _call(parser, body)
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("body", [SMALL_UPLOADS, UPLOADS, SMALL_PARTS, b"<ListPartsResult/>"])
def test_the_listing_responses_equal_model_construct(body: bytes) -> None:
    # `_constructed` stands in for pydantic's `model_construct` (which inspects each unset
    # field's default factory on every call): the same model, field for field
    from aios3.models import ListMultipartUploadsResponse, ListPartsResponse

    uploads = b"Uploads" in body
    fast = _call(list_multipart_uploads if uploads else list_parts, body)
    cls = ListMultipartUploadsResponse if uploads else ListPartsResponse
    values = {k: getattr(fast, k) for k in fast.model_fields_set}
    slow = cls.model_construct(**values)
    assert fast == slow and repr(fast) == repr(slow)
    assert list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.to_dict() == slow.to_dict()
    assert fast.model_dump() == slow.model_dump()


def test_constructed_refuses_a_model_it_cannot_build_like_model_construct() -> None:
    from pydantic import BaseModel, Field

    from aios3._parse import _constructed

    class Mutable(BaseModel):
        x: list[int] = [1]  # a mutable default: model_construct copies it

    class Factory(BaseModel):
        x: int = 0
        y: int = Field(default_factory=lambda data: data["x"] + 1)

    for cls in (Mutable, Factory):
        with pytest.raises(TypeError, match="use model_construct"):
            _constructed(cls, {})
