"""boto3-style paginators: `s3.get_paginator(name).paginate(...)` gives a `PageIterator`.

The paging follows botocore's `PageIterator` (botocore/paginate.py) and its S3 paginator
configuration: the same input and output tokens, `MaxItems` truncation and resume tokens
in botocore's format (base64 of JSON), so a `NextToken` from boto3 resumes an aios3
listing and the other way round. Where botocore would silently stop early, aios3 raises
`PaginationError` instead (see `PageIterator`).

`aios3._operations` names each paginator in its operation's record.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typing_extensions import TypedDict, Unpack

from .errors import PaginationError, ParamValidationError
from .models import (
    ListMultipartUploadsParams,
    ListMultipartUploadsRequest,
    ListMultipartUploadsResponse,
    ListPartsParams,
    ListPartsRequest,
    ListPartsResponse,
    RequestModel,
    ResponseModel,
)

if TYPE_CHECKING:
    from ._client import S3Client

__all__ = [
    "ListMultipartUploadsPaginator",
    "ListPartsPaginator",
    "PageIterator",
    "PaginationConfig",
]

P = TypeVar("P", bound=ResponseModel)
R = TypeVar("R", bound=RequestModel)

_TRUNCATE = "boto_truncate_amount"  # botocore's key for "skip this many items of the page"
Token = dict[str, Any]


class PaginationConfig(TypedDict, total=False):
    """boto3's `PaginationConfig`.

    - `PageSize`: items asked for per request (`MaxParts` / `MaxUploads`).
    - `MaxItems`: items in all; the iterator's `resume_token` then says where to go on.
    - `StartingToken`: a `resume_token` (or a boto3 `NextToken`) to resume from.
    """

    PageSize: int
    MaxItems: int
    StartingToken: str


def encode_token(token: Mapping[str, Any]) -> str:
    """botocore's `TokenEncoder` for the tokens of S3 listings (no bytes in them)."""
    return base64.b64encode(json.dumps(dict(token)).encode("utf-8")).decode("utf-8")


@dataclass(frozen=True)
class _Spec(Generic[R, P]):
    """One paginator's configuration, as botocore's paginators-1.json has it."""

    operation: str
    request: type[R]
    limit_field: str
    input_tokens: tuple[tuple[str, str], ...]
    """(botocore's input token name, the request field), in botocore's order."""
    output_tokens: Callable[[P], tuple[object, ...]]
    """The page's output tokens, in the order of `input_tokens`."""
    result_fields: tuple[str, ...]
    """The result keys as model fields; the first is the primary one (counted by MaxItems)."""
    result_keys: tuple[str, ...]
    """The same, as botocore names them."""
    last_item_token: Callable[[P], tuple[object, ...] | None] | None
    """Where to go on when a truncated page carries no output token (None: nowhere)."""
    missing: str
    """What the server should have sent, for the error message."""
    token_value: Callable[[str, object], object]
    """Checks a StartingToken value (not None) for the request field."""
    non_aggregate_keys: tuple[str, ...] = ()
    """botocore's `non_aggregate_keys`: members `build_full_result` takes from the first page."""

    def token_names(self) -> list[str]:
        return [name for name, _ in self.input_tokens]


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _integer_marker(name: str, value: object) -> int:
    # botocore's tokens hold it as a JSON number; its older string tokens as text
    if isinstance(value, str) and _is_number(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParamValidationError(f"StartingToken: {name} must be an integer >= 0")
    return value


def _string_marker(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamValidationError(f"StartingToken: {name} must be a string")
    return value


def _check_token_value(spec: _Spec[Any, Any], name: str, value: object) -> object:
    if value is None or value == "None":  # botocore sends neither
        return None
    return spec.token_value(name, value)


def _decode_starting_token(spec: _Spec[Any, Any], token: object) -> tuple[Token, int]:
    """The input tokens and the number of items to skip, as botocore reads a StartingToken.

    botocore's tokens are base64 of JSON; a string that is not one is read as botocore's
    older format (`value___value___skip`, or an opaque service token such as a bare
    `NextPartNumberMarker`).
    """
    if not isinstance(token, str) or not token:
        raise ParamValidationError("PaginationConfig.StartingToken must be a non-empty string")
    names = spec.token_names()
    decoded: object
    try:
        decoded = json.loads(base64.b64decode(token.encode("utf-8"), validate=True))
    except (ValueError, binascii.Error):  # UnicodeDecodeError and JSONDecodeError are too
        decoded = None
    skip: object = 0
    if isinstance(decoded, dict):
        decoded = dict(decoded)
        if "boto_encoded_keys" in decoded:
            raise ParamValidationError("StartingToken: tokens with bytes are not S3's")
        skip = decoded.pop(_TRUNCATE, 0)
        unknown = sorted(set(decoded) - set(names))
        if unknown:
            raise ParamValidationError(
                f"StartingToken is not a {spec.operation} token: unknown keys {unknown}, "
                f"expected {names}"
            )
        values: Token = {name: decoded.get(name) for name in names}
    else:  # botocore's _parse_starting_token_deprecated
        parts: list[str] = token.split("___")
        if len(parts) == len(names) + 1:
            if _is_number(parts[-1]):
                skip = int(parts.pop())
            else:  # not an old-style token: an opaque service token
                parts = [token]
        if len(parts) > len(names):
            raise ParamValidationError(f"Bad starting token for {spec.operation}: {token!r}")
        parts += ["None"] * (len(names) - len(parts))
        values = dict(zip(names, parts, strict=True))
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise ParamValidationError(f"StartingToken: {_TRUNCATE} must be an integer >= 0")
    return {name: _check_token_value(spec, name, v) for name, v in values.items()}, skip


def _build(cls: type[R], params: Mapping[str, object]) -> R:
    return cls(**params)  # PascalCase or snake_case; RequestModel raises ParamValidationError


def _replace(request: R, updates: Mapping[str, object]) -> R:
    """`request` with `updates`; None leaves a parameter out (unset, so a Stubber's
    expected_params and the wire see it absent, as botocore deletes it from the kwargs)."""
    data = {name: getattr(request, name) for name in request.model_fields_set}
    for name, value in updates.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return type(request)(**data)  # validated: raises ParamValidationError


def _count(cfg: Mapping[str, object], key: str, least: int) -> int | None:
    value = cfg.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ParamValidationError(f"PaginationConfig.{key} must be an integer >= {least}")
    return value


class PageIterator(Generic[P]):
    """What `paginate()` returns: an async iterable of typed pages, as boto3's PageIterator.

    ```python
    pages = s3.get_paginator("list_multipart_uploads").paginate(
        Bucket="b", PaginationConfig={"MaxItems": 100}
    )
    async for page in pages:
        ...
    token = pages.resume_token  # None when the listing is complete
    ```

    - `async for page in pages` sends the requests; iterating again starts over.
    - `await pages.build_full_result()` and `async for x in pages.search(expr)` do the same
      as boto3's, on the boto3-shaped dict of each page (`page.to_dict()`); they are async
      because the pages come from the network.
    - `resume_token` is set once an iteration stopped at `MaxItems` with items left; pass
      it as `PaginationConfig={"StartingToken": token}` (to aios3 or to boto3) to go on.

    Raises (while iterating, after yielding the pages read so far):
        PaginationError: the server said the listing is truncated but gave no marker to
            go on from, or markers already used in this listing.
    """

    def __init__(
        self,
        spec: _Spec[Any, P],
        call: Callable[[Any], Awaitable[P]],
        request: RequestModel,
        config: Mapping[str, object] | None,
    ) -> None:
        if config is not None and not isinstance(config, Mapping):
            raise ParamValidationError(
                f"PaginationConfig: must be a dict, got {type(config).__name__}"
            )
        cfg = dict(config or {})
        unknown = sorted(set(cfg) - {"PageSize", "MaxItems", "StartingToken"})
        if unknown:
            raise ParamValidationError(
                f"PaginationConfig: unknown keys {unknown}; "
                "expected PageSize, MaxItems or StartingToken"
            )
        self._spec = spec
        self._call = call
        self._max_items = _count(cfg, "MaxItems", 0)  # 0: nothing, as botocore
        page_size = _count(cfg, "PageSize", 1)
        self._start: tuple[Token, int] | None = None
        if cfg.get("StartingToken") is not None:
            self._start = _decode_starting_token(spec, cfg["StartingToken"])
        if page_size is not None:
            request = _replace(request, {spec.limit_field: page_size})
        self._request = request
        self._resume_token: str | None = None
        self._non_aggregate: dict[str, Any] = {}

    @property
    def resume_token(self) -> str | None:
        """Where the last iteration stopped because of `MaxItems` (None if it did not)."""
        return self._resume_token

    @property
    def result_keys(self) -> list[str]:
        """boto3's names of the listed members (`["Parts"]`, `["Uploads", "CommonPrefixes"]`)."""
        return list(self._spec.result_keys)

    @property
    def non_aggregate_part(self) -> dict[str, Any]:
        """boto3's `non_aggregate_part`: the members of the first page that are not listed
        items (`Owner`, `StorageClass`, ... of ListParts; `Prefix` of ListMultipartUploads),
        each `None` when the page had none, as botocore records them."""
        return dict(self._non_aggregate)

    def __aiter__(self) -> AsyncIterator[P]:
        return self._pages()

    def _inject(self, request: RequestModel, token: Token) -> RequestModel:
        # botocore's _inject_token_into_kwargs: a token that is None removes the parameter
        fields = dict(self._spec.input_tokens)
        return _replace(request, {fields[name]: value for name, value in token.items()})

    def _next_token(self, page: P) -> Token | None:
        """botocore's _get_next_token: None when the page is the last one."""
        if not getattr(page, "is_truncated", False):
            return None
        values = self._spec.output_tokens(page)
        # botocore drops empty tokens ("" and a part-number marker of 0) too
        names = self._spec.token_names()
        return {name: (v if v else None) for name, v in zip(names, values, strict=True)}

    async def _pages(self) -> AsyncIterator[P]:
        spec = self._spec
        primary, *secondary = spec.result_fields
        self._resume_token = None
        request = self._request
        token: Token = dict.fromkeys(spec.token_names())
        skip = 0
        clear_secondary = False
        if self._start is not None:
            start, skip = self._start
            token = dict(start)
            request = self._inject(request, token)
            # The other result keys of a page cut by MaxItems were yielded with its first
            # part (botocore clears them whenever a token is given, which loses the
            # CommonPrefixes of a page resumed at its start)
            clear_secondary = skip > 0
        seen = {tuple(token.values())}
        total = 0
        first = True
        while True:
            page = await self._call(request)
            if first:
                first = False
                d = page.to_dict()
                self._non_aggregate = {k: d.get(k) for k in spec.non_aggregate_keys}
                if skip:
                    setattr(page, primary, list(getattr(page, primary))[skip:])
                if clear_secondary:
                    for name in secondary:
                        setattr(page, name, [])
            else:
                skip = 0
            items = list(getattr(page, primary))
            if self._max_items is not None and total + len(items) > self._max_items:
                keep = self._max_items - total
                setattr(page, primary, items[:keep])
                self._resume_token = encode_token({**token, _TRUNCATE: keep + skip})
                yield page
                return
            yield page
            total += len(items)
            nxt = self._next_token(page)
            if nxt is None:
                return
            if all(v is None for v in nxt.values()):
                fallback = spec.last_item_token(page) if spec.last_item_token else None
                if fallback is None:
                    raise PaginationError(
                        f"{spec.operation} said IsTruncated=true but sent no {spec.missing}; "
                        f"the listing cannot go on and is incomplete after {total} items",
                        operation=spec.operation,
                    )
                nxt = dict(zip(spec.token_names(), fallback, strict=True))
            if self._max_items is not None and total == self._max_items:
                self._resume_token = encode_token(nxt)
                return
            key = tuple(nxt.values())
            if key in seen:
                raise PaginationError(
                    f"{spec.operation} sent markers already used in this listing: {nxt}; "
                    f"stopping here would lose the rest, going on would loop",
                    operation=spec.operation,
                )
            seen.add(key)
            token = nxt
            request = self._inject(request, token)

    async def build_full_result(self) -> dict[str, Any]:
        """All pages merged into one boto3-shaped dict, as boto3's `build_full_result()`.

        The result keys (`Parts`; `Uploads` and `CommonPrefixes`) are concatenated, the
        first page's `non_aggregate_part` follows (`None` for a member it did not have, as
        botocore's), and `NextToken` is the `resume_token` when `MaxItems` stopped the
        listing.
        """
        names = self.result_keys
        full: dict[str, Any] = {}
        async for page in self:
            d = page.to_dict()
            for name in names:
                value = d.get(name)
                if value is None:
                    continue
                if name in full and isinstance(value, list):
                    full[name].extend(value)
                else:
                    full[name] = list(value) if isinstance(value, list) else value
        full.update(self._non_aggregate)
        if self._resume_token is not None:
            full["NextToken"] = self._resume_token
        return full

    async def search(self, expression: str) -> AsyncIterator[Any]:
        """A JMESPath expression applied to each page's dict, as boto3's `search()`.

        A list result is flattened (each element yielded), anything else yielded as it is:
        `async for key in pages.search("Uploads[].Key")`.
        """
        import jmespath  # type: ignore[import-untyped]  # on first use: a search is rare

        compiled = jmespath.compile(expression)
        async for page in self:
            found = compiled.search(page.to_dict())
            if isinstance(found, list):
                for item in found:
                    yield item
            else:
                yield found


def _last_part(page: ListPartsResponse) -> tuple[object, ...] | None:
    # PartNumberMarker means "the parts after this number": the last part's number is
    # exactly where to go on (botocore does the same for ListObjects' NextMarker)
    return (page.parts[-1].part_number,) if page.parts else None


_LIST_PARTS: _Spec[ListPartsRequest, ListPartsResponse] = _Spec(
    operation="ListParts",
    request=ListPartsRequest,
    limit_field="max_parts",
    input_tokens=(("PartNumberMarker", "part_number_marker"),),
    output_tokens=lambda page: (page.next_part_number_marker,),
    result_fields=("parts",),
    result_keys=("Parts",),
    last_item_token=_last_part,
    missing="NextPartNumberMarker and no parts",
    token_value=_integer_marker,
    non_aggregate_keys=("ChecksumAlgorithm", "Initiator", "Owner", "StorageClass", "ChecksumType"),
)

_LIST_UPLOADS: _Spec[ListMultipartUploadsRequest, ListMultipartUploadsResponse] = _Spec(
    operation="ListMultipartUploads",
    request=ListMultipartUploadsRequest,
    limit_field="max_uploads",
    input_tokens=(("KeyMarker", "key_marker"), ("UploadIdMarker", "upload_id_marker")),
    output_tokens=lambda page: (page.next_key_marker, page.next_upload_id_marker),
    result_fields=("uploads", "common_prefixes"),
    result_keys=("Uploads", "CommonPrefixes"),
    # No guess from the last upload: servers that leave out NextKeyMarker (SeaweedFS) do
    # not order by key, so a KeyMarker taken from the page skips uploads
    last_item_token=None,
    missing="NextKeyMarker or NextUploadIdMarker",
    token_value=_string_marker,
    non_aggregate_keys=("RequestCharged", "Prefix"),
)


class ListPartsPaginator:
    """Pages of `ListParts`, following `NextPartNumberMarker` while `IsTruncated` is true."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    def paginate(
        self,
        *,
        PaginationConfig: PaginationConfig | None = None,
        **params: Unpack[ListPartsParams],
    ) -> PageIterator[ListPartsResponse]:
        """The pages, as an async iterable `PageIterator` (parameters checked here)."""
        client = self._client

        async def call(request: ListPartsRequest) -> ListPartsResponse:
            return await client.list_parts(request)

        request = _build(ListPartsRequest, params)
        return PageIterator(_LIST_PARTS, call, request, PaginationConfig)


class ListMultipartUploadsPaginator:
    """Pages of `ListMultipartUploads`, following `NextKeyMarker` and `NextUploadIdMarker`."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    def paginate(
        self,
        *,
        PaginationConfig: PaginationConfig | None = None,
        **params: Unpack[ListMultipartUploadsParams],
    ) -> PageIterator[ListMultipartUploadsResponse]:
        """The pages, as an async iterable `PageIterator` (parameters checked here)."""
        client = self._client

        async def call(request: ListMultipartUploadsRequest) -> ListMultipartUploadsResponse:
            return await client.list_multipart_uploads(request)

        request = _build(ListMultipartUploadsRequest, params)
        return PageIterator(_LIST_UPLOADS, call, request, PaginationConfig)
