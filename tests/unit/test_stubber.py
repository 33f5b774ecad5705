"""aios3.testing.Stubber: botocore's Stubber semantics, checked against aios3's models."""

from __future__ import annotations

from typing import Any

import pytest

import aios3
from aios3.testing import (
    ANY,
    MockRequest,
    MockResponse,
    MockTransport,
    StubAssertionError,
    Stubber,
    StubResponseError,
    UnStubbedResponseError,
)
from tests._kit import CREDS, client

# ---------------------------------------------------------------- Stubber


def offline_client() -> aios3.S3Client:
    def refuse(request: MockRequest) -> MockResponse:
        raise AssertionError(f"the stubbed client sent {request.method} {request.url}")

    return client(MockTransport(refuse))


async def test_stubber_answers_typed_responses_and_checks_params() -> None:
    s3 = offline_client()
    with Stubber(s3) as stub:
        stub.add_response(
            "create_multipart_upload",
            {"UploadId": "u1", "Bucket": "b", "Key": "k"},
            {"Bucket": "b", "Key": "k", "ContentType": ANY},
        )
        stub.add_response(
            "list_parts",
            {"Parts": [{"PartNumber": 1, "ETag": '"e1"', "Size": 5}], "IsTruncated": False},
        )
        r = await s3.create_multipart_upload(Bucket="b", Key="k", ContentType="text/plain")
        parts = [p async for p in s3.iter_parts(Bucket="b", Key="k", UploadId=r.upload_id)]
        stub.assert_no_pending_responses()
    assert isinstance(r, aios3.models.CreateMultipartUploadResponse) and r.upload_id == "u1"
    assert r.response_metadata.http_status_code == 200
    assert [(p.part_number, p.etag, p.size) for p in parts] == [(1, '"e1"', 5)]
    await s3.close()


async def test_stubber_expected_params_mismatch_and_extra_params() -> None:
    s3 = offline_client()
    wanted = {"Bucket": "b", "Key": "k", "UploadId": "x"}
    with Stubber(s3) as stub:
        stub.add_response("abort_multipart_upload", {}, wanted)
        with pytest.raises(StubAssertionError, match="Expected parameters"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        with pytest.raises(AssertionError):  # a refused call consumes nothing
            stub.assert_no_pending_responses()
    with Stubber(offline_client()) as stub:
        stub.add_response("abort_multipart_upload", {}, {"Bucket": "b", "Key": "k"})
        with pytest.raises(StubAssertionError, match="UploadId"):  # a param not expected
            await stub.client.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")


async def test_stubber_unstubbed_and_mismatched_operations() -> None:
    s3 = offline_client()
    with Stubber(s3) as stub:
        with pytest.raises(UnStubbedResponseError, match="Unexpected API Call"):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        stub.add_response("list_parts", {})
        mismatch = "Operation mismatch: found response for ListParts"
        with pytest.raises(StubResponseError, match=mismatch):
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        with pytest.raises(AssertionError, match=r"1 responses remaining in queue\."):
            stub.assert_no_pending_responses()
    assert issubclass(UnStubbedResponseError, StubAssertionError)
    assert issubclass(StubAssertionError, AssertionError)
    assert issubclass(StubResponseError, aios3.Aios3Error)


def test_stubber_refuses_responses_of_the_wrong_shape() -> None:
    stub = Stubber(offline_client())
    with pytest.raises(aios3.ParamValidationError, match="UploadID"):
        stub.add_response("create_multipart_upload", {"UploadID": "u1"})
    with pytest.raises(aios3.ParamValidationError, match=r"Parts\[0\]\.Etag"):
        stub.add_response("list_parts", {"Parts": [{"PartNumber": 1, "Etag": "e"}]})
    with pytest.raises(aios3.ParamValidationError, match="PartNumber"):
        stub.add_response("list_parts", {"Parts": [{"PartNumber": "one"}]})
    with pytest.raises(ValueError, match="does not have method: get_object"):
        stub.add_response("get_object", {})
    with pytest.raises(ValueError, match="does not have method"):
        stub.add_client_error("AbortMultipartUpload", "NoSuchUpload")


async def test_stubber_answers_put_object() -> None:
    s3 = offline_client()
    with Stubber(s3) as stub:
        stub.add_response(
            "put_object", {"ETag": '"e"'}, expected_params={"Bucket": "b", "Key": "k", "Body": b"x"}
        )
        r = await s3.put_object(Bucket="b", Key="k", Body=b"x")
    assert r.etag == '"e"'


async def test_stubber_client_errors_raise_the_typed_class() -> None:
    s3 = offline_client()
    with Stubber(s3) as stub:
        stub.add_client_error(
            "abort_multipart_upload",
            "NoSuchUpload",
            "gone",
            404,
            response_meta={"RequestId": "req1", "HostId": "h"},
            expected_params={"Bucket": "b", "Key": "k", "UploadId": "u"},
        )
        stub.add_client_error("list_parts")
        with pytest.raises(aios3.NoSuchUpload) as info:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
        with pytest.raises(aios3.ClientError) as generic:
            await s3.list_parts(Bucket="b", Key="k", UploadId="u")
    err = info.value
    assert err.response["Error"] == {"Code": "NoSuchUpload", "Message": "gone"}
    meta = err.response["ResponseMetadata"]
    assert (meta["HTTPStatusCode"], meta["RequestId"], meta["HostId"]) == (404, "req1", "h")
    assert err.operation_name == "AbortMultipartUpload"
    assert type(generic.value) is aios3.ClientError and generic.value.status_code == 400


async def test_stubber_deactivate_lets_the_client_send_again() -> None:
    t = MockTransport(lambda r: MockResponse(204))
    s3 = client(t)
    stub = Stubber(s3)
    stub.activate()
    stub.add_response("abort_multipart_upload", {})
    await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert t.requests == []
    stub.deactivate()
    await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
    assert len(t.requests) == 1
    stub.deactivate()  # idempotent
    await s3.close()


async def test_stubber_still_validates_the_call() -> None:
    s3 = offline_client()
    with Stubber(s3) as stub:
        stub.add_response("abort_multipart_upload", {})
        with pytest.raises(aios3.ParamValidationError):
            await s3.abort_multipart_upload(Bucket="b", Key="k")
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")  # still queued
        wanted = {"Bucket": "b", "Key": "k", "GrantRead": "id=1"}
        stub.add_response("create_multipart_upload", {"UploadId": "u"}, wanted)
        await s3.create_multipart_upload(Bucket="b", Key="k", GrantRead="id=1")
        stub.assert_no_pending_responses()


async def test_stubber_add_client_error_has_botocores_signature_and_fields() -> None:
    # botocore: (method, code, message, status, service_error_meta, expected_params,
    # response_meta, modeled_fields); the extra error items go to response["Error"], the
    # modeled fields to the top of response, checked against the error's shape
    import inspect

    from botocore.stub import Stubber as BotocoreStubber

    ours = list(inspect.signature(Stubber.add_client_error).parameters)
    assert ours == list(inspect.signature(BotocoreStubber.add_client_error).parameters)
    s3 = offline_client()
    with Stubber(s3) as stub:
        stub.add_client_error(
            "head_object",
            "InvalidObjectState",
            "archived",
            403,
            {"Detail": "d"},
            {"Bucket": "b", "Key": "k"},
            {"RequestId": "r1"},
            {"StorageClass": "GLACIER"},
        )
        with pytest.raises(aios3.ClientError) as info:
            await s3.head_object(Bucket="b", Key="k")
        with pytest.raises(aios3.ParamValidationError, match="must be one of: StorageClass"):
            stub.add_client_error("head_object", "InvalidObjectState", modeled_fields={"X": "y"})
        with pytest.raises(aios3.ParamValidationError, match="no modeled error"):
            stub.add_client_error("head_object", "SlowDown", modeled_fields={"X": "y"})
    response: Any = info.value.response
    assert response["Error"] == {"Code": "InvalidObjectState", "Message": "archived", "Detail": "d"}
    assert response["StorageClass"] == "GLACIER"
    assert response["ResponseMetadata"]["RequestId"] == "r1"


async def test_stubber_activation_is_idempotent_and_nests() -> None:
    s3 = offline_client()
    first, second = Stubber(s3), Stubber(s3)
    second.deactivate()  # never activated: nothing to undo
    first.activate()
    first.activate()
    first.add_response("delete_bucket", {})
    second.activate()
    second.add_response("delete_object", {})
    await s3.delete_object(Bucket="b", Key="k")  # the last activated answers
    second.deactivate()
    second.deactivate()
    await s3.delete_bucket(Bucket="b")  # the first answers again
    first.deactivate()
    first.deactivate()
    assert "_invoke" not in vars(s3)
    first.assert_no_pending_responses()
    second.assert_no_pending_responses()


async def test_stubber_mismatch_message_hides_the_sse_c_key() -> None:
    s3 = offline_client()
    key = "k" * 32
    with Stubber(s3) as stub:
        stub.add_response("head_object", {}, {"Bucket": "b", "Key": "other"})
        with pytest.raises(StubAssertionError) as info:
            await s3.head_object(
                Bucket="b", Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=key
            )
    assert key not in str(info.value)
    assert "'SSECustomerKey': '***'" in str(info.value)


def test_stubber_refuses_a_resource_and_names_its_client() -> None:
    # setting the hook on a resource stubbed nothing: its calls went to the network
    resource = aios3.S3Resource(region_name="us-east-1", **CREDS)
    with pytest.raises(TypeError, match=r"Stubber\(resource\.meta\.client\)"):
        Stubber(resource)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not str"):
        Stubber("s3")  # type: ignore[arg-type]
    Stubber(resource.meta.client)


async def test_stubber_takes_a_real_responses_metadata_as_botocore_does() -> None:
    # botocore leaves ResponseMetadata out of its check: a response copied from a real
    # call may carry keys aios3's ResponseMetadata does not model
    s3 = offline_client()
    meta = {"RequestId": "r1", "HTTPStatusCode": 200, "MaxAttemptsReached": False}
    with Stubber(s3) as stub:
        stub.add_response("delete_bucket", {"ResponseMetadata": meta})
        r = await s3.delete_bucket(Bucket="b")
        with pytest.raises(aios3.ParamValidationError, match="HTTPStatusCode"):
            stub.add_response("delete_bucket", {"ResponseMetadata": {"HTTPStatusCode": "x"}})
    assert r.response_metadata.request_id == "r1"
