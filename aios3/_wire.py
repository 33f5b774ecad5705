"""Where a request field travels on the wire: markers used in `Annotated[...]` on models.

`aios3._serialize` compiles them once per request class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Header", "HeaderPrefix", "Payload", "Query", "Uri"]


@dataclass(frozen=True, slots=True)
class Header:
    """The field travels as an HTTP header."""

    name: str
    timestamp: Literal["rfc7231", "iso8601"] = "rfc7231"


@dataclass(frozen=True, slots=True)
class HeaderPrefix:
    """A mapping field whose items travel as headers `prefix + key` (`x-amz-meta-`)."""

    prefix: str


@dataclass(frozen=True, slots=True)
class Query:
    """The field travels in the query string (a timestamp as ISO 8601 unless the service
    model says otherwise, as botocore does)."""

    name: str
    timestamp: Literal["rfc7231", "iso8601"] = "iso8601"


@dataclass(frozen=True, slots=True)
class Uri:
    """The field is part of the URL: `Bucket` (given to the endpoint resolver) or `Key`."""

    name: Literal["Bucket", "Key"]


@dataclass(frozen=True, slots=True)
class Payload:
    """The field is the request body."""
