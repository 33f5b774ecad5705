"""The bucket, object and lifecycle models (`aios3._models_bucket_object`) and their parsers
are built on first use, and are `aios3.models` names all the same."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import typing

import pytest

import aios3
from aios3 import _operations, models
from aios3.errors import ParamValidationError

FAMILY = ("aios3._models_bucket_object", "aios3._parse_bucket_object")

LIFECYCLE = """
import asyncio, json, sys, typing
import aios3, aios3._operations
from aios3.testing import MockResponse, MockTransport

def answer(request):
    if request.method == "POST" and "uploads" in request.query:
        return MockResponse(200, body=b"<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                                      b"</InitiateMultipartUploadResult>")
    if request.method == "PUT":
        return MockResponse(200, headers={"ETag": '"e1"'})
    if request.method == "POST":
        return MockResponse(200, body=b"<CompleteMultipartUploadResult><ETag>e</ETag>"
                                      b"</CompleteMultipartUploadResult>")
    if request.method == "GET" and "uploads" in request.query:
        return MockResponse(200, body=b"<ListMultipartUploadsResult><IsTruncated>false"
                                      b"</IsTruncated></ListMultipartUploadsResult>")
    if request.method == "GET":
        return MockResponse(200, body=b"<ListPartsResult><IsTruncated>false</IsTruncated>"
                                      b"</ListPartsResult>")
    return MockResponse(204)

async def main():
    async with aios3.S3Client(region_name="us-east-1", aws_access_key_id="AK",
                              aws_secret_access_key="SK", transport=MockTransport(answer)) as s3:
        up = await s3.create_multipart_upload(Bucket="b", Key="k")
        part = await s3.upload_part(Bucket="b", Key="k", UploadId=up.upload_id, PartNumber=1,
                                    Body=b"x")
        await s3.complete_multipart_upload(
            Bucket="b", Key="k", UploadId=up.upload_id,
            MultipartUpload={"Parts": [{"ETag": part.etag, "PartNumber": 1}]})
        await s3.list_parts(Bucket="b", Key="k", UploadId="u2")
        await s3.list_multipart_uploads(Bucket="b")
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u2")
        before = sorted(m for m in sys.modules if m in FAMILY)
        TAIL
        after = sorted(m for m in sys.modules if m in FAMILY)
        print(json.dumps({"before": before, "after": after}))

asyncio.run(main())
"""


def _run(tail: str) -> dict[str, list[str]]:
    code = f"FAMILY = {FAMILY!r}\n" + LIFECYCLE.replace("TAIL", tail)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_the_multipart_lifecycle_never_builds_the_bucket_and_object_family() -> None:
    seen = _run("await s3.head_object(Bucket='b', Key='k')")
    assert seen["before"] == []  # create, upload, complete, list, abort: none of them
    assert seen["after"] == list(FAMILY)  # the first HeadObject imports the family


@pytest.mark.parametrize(
    ("first_use", "loaded"),
    [
        ("from aios3.models import LifecycleRuleDict", FAMILY[:1]),
        ("aios3.models.PutObjectRequest", FAMILY[:1]),
        ("typing.get_type_hints(aios3.S3Client.put_object)", FAMILY[:1]),
        ("aios3._operations.DELETE_BUCKET.parser", FAMILY),
        ("await s3.create_bucket(Bucket='b')", FAMILY),
    ],
)
def test_each_way_in_loads_the_family(first_use: str, loaded: tuple[str, ...]) -> None:
    """A model name loads the models; a record's parser (a call) loads the parsers too."""
    assert _run(first_use) == {"before": [], "after": list(loaded)}


def test_every_public_name_is_there_and_is_an_aios3_models_name() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        if isinstance(value, type):
            assert value.__module__ == "aios3.models", name
    assert set(models.__all__) <= set(dir(models))
    assert (
        models.UploadResponse
        == typing.Union[  # noqa: UP007
            models.PutObjectResponse, models.CompleteMultipartUploadResponse
        ]
    )
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # type: ignore[attr-defined]  # noqa: B018


def test_a_model_of_the_family_pickles_and_validates_as_before() -> None:
    request = models.PutBucketLifecycleConfigurationRequest(
        Bucket="b",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "r",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
                }
            ]
        },
    )
    assert pickle.loads(pickle.dumps(request)) == request
    with pytest.raises(ParamValidationError, match="Bucket"):
        models.HeadObjectRequest(Key="k")  # type: ignore[call-arg]


def test_the_client_hints_of_the_family_resolve() -> None:
    hints = typing.get_type_hints(aios3.S3Client.head_object)
    assert hints["return"] is models.HeadObjectResponse
    assert typing.get_type_hints(aios3.S3Client.upload_file)["return"] == models.UploadResponse


@pytest.mark.parametrize("op", _operations.OPERATIONS, ids=lambda op: op.name)
def test_every_record_gives_its_models_and_parser(
    op: _operations.Operation[typing.Any, typing.Any],
) -> None:
    assert op.request is getattr(models, f"{op.name}Request")
    assert op.response is getattr(models, f"{op.name}Response")
    assert op.params is getattr(models, f"{op.name}Params")
    assert op.parser.__name__ == op.method_name
    assert _operations.for_request(op.request) is op


def test_a_deferred_record_refuses_other_attributes_and_foreign_requests() -> None:
    with pytest.raises(AttributeError, match="nothing"):
        _operations.HEAD_OBJECT.nothing  # type: ignore[attr-defined]  # noqa: B018

    class NotAnOperation(models.RequestModel):
        operation_name: typing.ClassVar[str] = "HeadObject"

    with pytest.raises(ParamValidationError, match="NotAnOperation"):
        _operations.for_request(NotAnOperation)


async def test_a_subclass_of_a_request_model_is_sent_as_its_operation() -> None:
    """A request model subclassed for defaults of one's own goes as its operation (it
    raised a bare KeyError from the serializer's plan table)."""
    from aios3.testing import MockRequest, MockResponse, MockTransport

    class MyAbort(models.AbortMultipartUploadRequest):
        expected_bucket_owner: str | None = "111122223333"

    class MyHead(models.HeadObjectRequest):
        part_number: int | None = 1

    def answer(request: MockRequest) -> MockResponse:
        return MockResponse(204 if request.method == "DELETE" else 200)

    transport = MockTransport(answer)
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=transport,
    ) as s3:
        aborted = await s3.abort_multipart_upload(MyAbort(Bucket="b", Key="k", UploadId="u"))
        head = await s3.head_object(MyHead(Bucket="b", Key="k"))
    assert isinstance(aborted, models.AbortMultipartUploadResponse)
    assert isinstance(head, models.HeadObjectResponse)
    abort, head_request = transport.requests
    assert abort.headers["x-amz-expected-bucket-owner"] == "111122223333"
    assert head_request.query == {"partNumber": "1"}
