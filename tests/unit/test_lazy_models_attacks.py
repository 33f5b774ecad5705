"""The bucket, object and lifecycle models built on first use, and request-model subclasses
sent as their operation, under attack: what a caller may do with them that the plain
models allowed."""

from __future__ import annotations

import gc
import weakref

import pytest

import aios3
from aios3 import models
from aios3.errors import ParamValidationError
from aios3.testing import MockRequest, MockResponse, MockTransport, Stubber


def _answer(request: MockRequest) -> MockResponse:
    return MockResponse(204 if request.method == "DELETE" else 200)


def _subclasses() -> tuple[
    type[models.AbortMultipartUploadRequest], type[models.HeadObjectRequest]
]:
    # made in a frame of their own: pydantic keeps the locals of the frame a model class
    # is made in (its parent namespace), which here are only the two classes
    abort = type("TenantAbort", (models.AbortMultipartUploadRequest,), {})
    head = type("TenantHead", (models.HeadObjectRequest,), {})
    return abort, head


async def test_a_subclass_sent_once_is_not_kept_alive_by_the_client() -> None:
    """A subclass made per call (defaults of a tenant, a `pydantic.create_model`) is freed
    once the call is done: the serializer's plan cache kept every class it was given."""
    transport = MockTransport(_answer)
    classes: list[weakref.ref[type]] = []
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=transport,
    ) as s3:
        for _ in range(2):
            abort, head = _subclasses()
            await s3.abort_multipart_upload(abort(Bucket="b", Key="k", UploadId="u"))
            await s3.head_object(head(Bucket="b", Key="k"))
            classes += [weakref.ref(abort), weakref.ref(head)]
            del abort, head
    gc.collect()
    assert [c() for c in classes] == [None] * 4
    assert [r.method for r in transport.requests] == ["DELETE", "HEAD"] * 2


class _HeadAndDelete(models.HeadObjectRequest, models.DeleteObjectRequest):
    """A request of two operations (HeadObject's, first in its MRO)."""


@pytest.mark.parametrize("stubbed", [False, True], ids=["client", "stubber"])
async def test_a_request_of_another_operation_is_refused_whatever_its_bases(
    stubbed: bool,
) -> None:
    """`delete_object` given a request whose operation is HeadObject (it subclasses both
    models) sent a HEAD and answered with a DeleteObjectResponse: the caller was told an
    object was deleted that was only looked at."""
    transport = MockTransport(_answer)
    async with aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AK",
        aws_secret_access_key="SK",
        transport=transport,
    ) as s3:
        if stubbed:
            with Stubber(s3), pytest.raises(ParamValidationError, match="HeadObject"):
                await s3.delete_object(_HeadAndDelete(Bucket="b", Key="k"))
        else:
            with pytest.raises(ParamValidationError, match="HeadObject"):
                await s3.delete_object(_HeadAndDelete(Bucket="b", Key="k"))
            head = await s3.head_object(_HeadAndDelete(Bucket="b", Key="k"))
            assert isinstance(head, models.HeadObjectResponse)
    assert [r.method for r in transport.requests] == ([] if stubbed else ["HEAD"])
