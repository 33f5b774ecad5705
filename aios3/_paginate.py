"""boto3-style paginators: `s3.get_paginator(name).paginate(...)` yields response pages.

`aios3._operations` names each paginator in its operation's record.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, TypeVar

from typing_extensions import TypedDict, Unpack

from .models import (
    ListMultipartUploadsParams,
    ListMultipartUploadsRequest,
    ListMultipartUploadsResponse,
    ListPartsParams,
    ListPartsRequest,
    ListPartsResponse,
    RequestModel,
)

if TYPE_CHECKING:
    from ._client import S3Client

__all__ = ["ListMultipartUploadsPaginator", "ListPartsPaginator", "PaginationConfig"]

log = logging.getLogger("aios3")
R = TypeVar("R", bound=RequestModel)


def _build(cls: type[R], params: Mapping[str, object]) -> R:
    return cls(**params)  # RequestModel.__init__ raises ParamValidationError


class PaginationConfig(TypedDict, total=False):
    """boto3's `PaginationConfig`: `PageSize` per request, `MaxItems` in all."""

    PageSize: int
    MaxItems: int


class ListPartsPaginator:
    """Pages of `ListParts`, following `NextPartNumberMarker` until `IsTruncated` is false."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    async def paginate(
        self,
        *,
        PaginationConfig: PaginationConfig | None = None,
        **params: Unpack[ListPartsParams],
    ) -> AsyncIterator[ListPartsResponse]:
        """Yield each page. A truncated page without a new marker ends the iteration."""
        cfg = PaginationConfig or {}
        req = _build(ListPartsRequest, params)  # PascalCase or snake_case, validated once
        if "PageSize" in cfg:
            req = req.model_copy(update={"max_parts": cfg["PageSize"]})
        left = cfg.get("MaxItems")
        seen: set[int] = set()
        while True:
            page = await self._client.list_parts(req)
            after = req.part_number_marker
            if after is not None and any(p.part_number <= after for p in page.parts):
                # S3 lists the parts after the marker; drop what a server repeats
                page.parts = [p for p in page.parts if p.part_number > after]
            if left is not None:
                if len(page.parts) >= left:
                    page.parts = page.parts[:left]
                    yield page
                    return
                left -= len(page.parts)
            yield page
            marker = page.next_part_number_marker
            if marker is None and page.parts:
                marker = page.parts[-1].part_number
            if not page.is_truncated:
                return
            if marker is None or marker in seen or marker == after:
                log.warning("ListParts said truncated but gave no new marker; stopping")
                return
            seen.add(marker)
            req = req.model_copy(update={"part_number_marker": marker})


class ListMultipartUploadsPaginator:
    """Pages of `ListMultipartUploads`, following the key and upload-id markers."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    async def paginate(
        self,
        *,
        PaginationConfig: PaginationConfig | None = None,
        **params: Unpack[ListMultipartUploadsParams],
    ) -> AsyncIterator[ListMultipartUploadsResponse]:
        """Yield each page. A truncated page without new markers ends the iteration."""
        cfg = PaginationConfig or {}
        req = _build(ListMultipartUploadsRequest, params)
        if "PageSize" in cfg:
            req = req.model_copy(update={"max_uploads": cfg["PageSize"]})
        left = cfg.get("MaxItems")
        seen: set[tuple[str | None, str | None]] = set()
        while True:
            page = await self._client.list_multipart_uploads(req)
            if left is not None:
                if len(page.uploads) >= left:
                    page.uploads = page.uploads[:left]
                    yield page
                    return
                left -= len(page.uploads)
            yield page
            if not page.is_truncated:
                return
            key, uid = page.next_key_marker, page.next_upload_id_marker
            if key is None and page.uploads:  # servers that omit NextKeyMarker
                key, uid = page.uploads[-1].key, page.uploads[-1].upload_id
            markers = (key, uid)
            if key is None or markers in seen:
                log.warning("ListMultipartUploads said truncated but gave no new marker; stopping")
                return
            seen.add(markers)
            req = req.model_copy(update={"key_marker": key, "upload_id_marker": uid})
