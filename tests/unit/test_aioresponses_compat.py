"""The aioresponses shim (tests/_aioresponses_compat.py) works with the installed aiohttp."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from tests import _aioresponses_compat

URL_DELETE = "http://s3.mock.test/bucket/key?uploadId=abc"
URL_GET = "http://s3.mock.test/bucket/key"


def test_install_is_idempotent() -> None:
    # conftest.py installed it already; installing again changes nothing.
    assert _aioresponses_compat.install() is _aioresponses_compat.needed()
    assert _aioresponses_compat.install() is _aioresponses_compat.needed()


async def test_mocked_requests_build_responses_and_record_calls() -> None:
    with aioresponses() as m:
        m.delete(URL_DELETE, status=204, headers={"x-amz-request-id": "REQ1"})
        m.get(URL_GET, status=200, body=b"<hello/>", headers={"ETag": '"abc"'})
        async with aiohttp.ClientSession() as session:
            async with session.delete(
                URL_DELETE, headers={"Authorization": "AWS4-HMAC-SHA256 test"}
            ) as response:
                assert response.status == 204
                assert response.headers["x-amz-request-id"] == "REQ1"
                assert await response.read() == b""
            async with session.get(URL_GET, headers={"Range": "bytes=0-7"}) as response:
                assert response.status == 200
                assert response.headers["ETag"] == '"abc"'
                assert await response.read() == b"<hello/>"
                assert await response.text() == "<hello/>"
                assert isinstance(response, aiohttp.ClientResponse)

    (delete_call,) = m.requests[("DELETE", URL(URL_DELETE))]
    assert delete_call.kwargs["headers"]["Authorization"] == "AWS4-HMAC-SHA256 test"
    (get_call,) = m.requests[("GET", URL(URL_GET))]
    assert get_call.kwargs["headers"]["Range"] == "bytes=0-7"


async def test_error_status_and_custom_response_class() -> None:
    class MyResponse(aiohttp.ClientResponse):
        pass

    with aioresponses() as m:
        m.put(URL_GET, status=403, body="<Error/>", response_class=MyResponse)
        async with aiohttp.ClientSession() as session, session.put(URL_GET, data=b"x") as resp:
            assert isinstance(resp, MyResponse)
            assert resp.status == 403
            with pytest.raises(aiohttp.ClientResponseError) as info:
                resp.raise_for_status()
            assert info.value.status == 403
