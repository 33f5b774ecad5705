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
