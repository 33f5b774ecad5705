"""The parser's fast model building stays equal to pydantic's validated models."""

from __future__ import annotations

from multidict import CIMultiDict, CIMultiDictProxy

from aios3._operations import BY_NAME
from aios3._parse import built, metadata
from aios3.models import AbortMultipartUploadResponse, ResponseMetadata

HEADERS = CIMultiDictProxy(
    CIMultiDict(
        {"x-amz-request-id": "RID", "x-amz-id-2": "HID", "X-Amz-Request-Charged": "requester"}
    )
)


def test_metadata_equals_validated_model() -> None:
    fast = metadata(204, HEADERS, 2)
    slow = ResponseMetadata.model_validate(
        {
            "RequestId": "RID",
            "HostId": "HID",
            "HTTPStatusCode": 204,
            "HTTPHeaders": {
                "x-amz-request-id": "RID",
                "x-amz-id-2": "HID",
                "x-amz-request-charged": "requester",
            },
            "RetryAttempts": 2,
        }
    )
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert repr(fast) == repr(slow)
    assert fast.model_fields_set == slow.model_fields_set


def test_abort_response_equals_validated_model() -> None:
    meta = metadata(204, HEADERS, 0)
    fast = BY_NAME["AbortMultipartUpload"].parser(204, HEADERS, b"", meta)
    slow = AbortMultipartUploadResponse(RequestCharged="requester", ResponseMetadata=meta)
    assert fast == slow
    assert fast.to_dict() == slow.to_dict()
    assert fast.model_copy(update={"request_charged": None}).request_charged is None


def test_built_objects_behave_as_models() -> None:
    m = built(ResponseMetadata, metadata(200, HEADERS, 0).__dict__.copy())
    assert m.model_dump_json()
    assert ResponseMetadata.model_validate(m.model_dump()) == m


def test_an_unreadable_create_session_body_is_not_quoted() -> None:
    # a CreateSession answer cut short holds the session's secret key and token: the
    # error must not quote it, as it quotes other unreadable bodies
    import pytest
    from multidict import CIMultiDict, CIMultiDictProxy

    from aios3._parse import create_session, list_parts, metadata
    from aios3.errors import ResponseParseError

    headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
    cut = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<CreateSessionResult xmlns="http://s3.'
        b'amazonaws.com/doc/2006-03-01/"><Credentials><SessionToken>TOKEN-SECRET</SessionToken>'
        b"<SecretAccessKey>KEY-SECRET</SecretAccessKey><AccessKeyId>AK"
    )
    with pytest.raises(ResponseParseError) as info:
        create_session(200, headers, cut, metadata(200, headers, 0))
    assert "TOKEN-SECRET" not in str(info.value) and "KEY-SECRET" not in str(info.value)
    assert "not shown" in str(info.value)
    with pytest.raises(ResponseParseError, match="ListPartsResult"):  # others are quoted
        list_parts(200, headers, b"<ListPartsResult><Part>", metadata(200, headers, 0))
