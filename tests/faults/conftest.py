"""Every fault test runs on both of `AiohttpTransport`'s paths: the direct one (aiohttp's
request steps called by aios3, the default) and the session's (`ClientSession.request`,
taken by requests with a proxy or `Expect: 100-continue`, under a test double that
replaces `ClientSession._request`, and on an aiohttp whose steps aios3 does not know)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import aios3._transport as transport_module


@pytest.fixture(autouse=True, params=["direct", "session"])
def aiohttp_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The path the transports of the test take (decided when a transport opens)."""
    assert transport_module._direct_path_supported()  # this aiohttp: the direct path exists
    if request.param == "session":
        monkeypatch.setattr(transport_module, "_DIRECT_SUPPORTED", False)
    yield request.param
