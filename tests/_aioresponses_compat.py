"""Make aioresponses 0.7.9 build responses for aiohttp >= 3.14.

aiohttp 3.14 added a required keyword-only argument ``stream_writer`` to
``ClientResponse.__init__`` (the response reads ``stream_writer.output_size`` when the request
was already sent). aioresponses 0.7.9 does not pass it, so every mocked request fails with
``TypeError: ClientResponse.__init__() missing 1 required keyword-only argument:
'stream_writer'``.

:func:`install` wraps ``aioresponses.core.RequestMatch._build_response`` so that the response
class it instantiates (``ClientResponse`` or a ``response_class=`` given by the test) is replaced
by a subclass that supplies a finished, empty stream writer when none is passed. Nothing else in
aioresponses changes: ``m.requests`` records calls (with their headers) as before, and the
responses are still ``isinstance(..., response_class)``.

It is a no-op when the installed aiohttp does not require ``stream_writer`` (older aiohttp),
when aioresponses is missing, and when called again.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import aiohttp

_MARKER = "__aios3_stream_writer_compat__"


class _SentRequestWriter:
    """Stands in for the ``AbstractStreamWriter`` of a request that was fully sent already.

    ``ClientResponse`` only reads ``output_size`` from it when ``writer`` is None, which is what
    aioresponses passes.
    """

    buffer_size = 0
    output_size = 0
    length: int | None = 0


def needed() -> bool:
    """Whether the installed aiohttp's ``ClientResponse`` requires ``stream_writer``."""
    params = inspect.signature(aiohttp.ClientResponse.__init__).parameters
    param = params.get("stream_writer")
    return param is not None and param.default is inspect.Parameter.empty


@functools.cache
def _compat_response_class(cls: type[aiohttp.ClientResponse]) -> type[aiohttp.ClientResponse]:
    """A subclass of ``cls`` whose constructor defaults ``stream_writer``."""

    def __init__(self: aiohttp.ClientResponse, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _SentRequestWriter())
        cls.__init__(self, *args, **kwargs)

    return type(cls.__name__, (cls,), {"__init__": __init__, "__module__": cls.__module__})


def install() -> bool:
    """Patch aioresponses if this aiohttp needs it; return whether the patch is in place."""
    if not needed():
        return False
    try:
        from aioresponses import core
    except ImportError:
        return False
    original = core.RequestMatch._build_response
    if getattr(original, _MARKER, False):
        return True
    signature = inspect.signature(original)

    @functools.wraps(original)
    def _build_response(*args: Any, **kwargs: Any) -> aiohttp.ClientResponse:
        bound = signature.bind(*args, **kwargs)
        response_class = bound.arguments.get("response_class") or aiohttp.ClientResponse
        bound.arguments["response_class"] = _compat_response_class(response_class)
        response: aiohttp.ClientResponse = original(*bound.args, **bound.kwargs)
        return response

    setattr(_build_response, _MARKER, True)
    core.RequestMatch._build_response = _build_response  # type: ignore[method-assign]
    return True
