"""aios3's service errors behave as boto3's where migrated code relies on them: they are
`botocore.exceptions.ClientError`s, read as botocore's text, survive pickle and copy,
keep secrets out, and every `client.exceptions.X` of boto3 exists on `s3.exceptions`."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import boto3
import botocore.exceptions
import pytest

import aios3
from aios3.errors import ERROR_CLASSES, ClientError, NoSuchUpload
from aios3.retries import StandardRetryStrategy
from aios3.testing import MockRequest, MockResponse, MockTransport, Stubber

SECRET = "compat-secret-Zq81"
TOKEN = "compat-session-token-Zq81"
SSEC_KEY = "k" * 32
NO_SUCH_UPLOAD = (
    b"<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message>"
    b"<UploadId>u1</UploadId><RequestId>RID</RequestId></Error>"
)


async def _no_sleep(delay: float) -> None:
    pass


def client(handler: Any, attempts: int = 3) -> aios3.S3Client:
    return aios3.S3Client(
        region_name="us-east-1",
        aws_access_key_id="AKIDERRORS",
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        transport=MockTransport(handler),
        config=aios3.Config(retry_strategy=StandardRetryStrategy(attempts, sleep=_no_sleep)),
    )


async def list_parts_error(status: int, body: bytes, attempts: int = 3) -> ClientError:
    def handler(request: MockRequest) -> MockResponse:
        return MockResponse(status, {"x-amz-request-id": "RID", "x-amz-id-2": "HID"}, body)

    async with client(handler, attempts) as s3:
        with pytest.raises(ClientError) as info:
            await s3.list_parts(
                Bucket="bkt",
                Key="k",
                UploadId="u1",
                SSECustomerAlgorithm="AES256",
                SSECustomerKey=SSEC_KEY,
            )
    return info.value


async def test_except_botocore_client_error_keeps_catching() -> None:
    async with client(lambda r: MockResponse(404, {}, NO_SUCH_UPLOAD)) as s3:
        try:
            await s3.list_parts(Bucket="bkt", Key="k", UploadId="u1")
        except botocore.exceptions.ClientError as e:  # as migrated code has it
            caught: Any = e
        assert isinstance(caught, NoSuchUpload)
        assert isinstance(caught, s3.exceptions.NoSuchUpload)
        assert isinstance(caught, aios3.Aios3Error)
        assert caught.response["Error"]["Code"] == "NoSuchUpload"
        assert caught.response["Error"]["UploadId"] == "u1"
        assert caught.operation_name == "ListParts"
        assert str(caught) == (
            "An error occurred (NoSuchUpload) when calling the ListParts operation: "
            "The specified upload does not exist. [HTTP 404, request id RID]"
        )


async def test_message_starts_with_botocores_own_text() -> None:
    e = await list_parts_error(503, b"<Error><Code>SlowDown</Code><Message>m</Message></Error>")
    # botocore's ClientError, given aios3's dict, writes the start of aios3's message
    theirs = botocore.exceptions.ClientError(dict(e.response), e.operation_name)
    assert str(theirs) == (
        "An error occurred (SlowDown) when calling the ListParts operation "
        "(reached max retries: 2): m"
    )
    assert str(e) == f"{theirs} [HTTP 503, request id RID]"
    assert e.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert e.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_an_error_built_by_hand_reads_as_botocores() -> None:
    e = ClientError(code="Teapot", message="short and stout", status_code=418, operation_name="X")
    assert str(e).startswith(str(botocore.exceptions.ClientError(dict(e.response), "X")))
    assert str(e).endswith(" [HTTP 418, request id -]")
    assert e.response["Error"] == {"Code": "Teapot", "Message": "short and stout"}
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 418


async def test_pickle_copy_and_repr_keep_the_whole_error() -> None:
    e = await list_parts_error(404, NO_SUCH_UPLOAD, attempts=1)
    assert e.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    for other in (
        pickle.loads(pickle.dumps(e)),
        copy.copy(e),
        copy.deepcopy(e),
    ):
        assert type(other) is NoSuchUpload  # botocore's own gives back a plain ClientError
        assert str(other) == str(e)
        assert other.response == e.response
        assert other.operation_name == "ListParts"
        assert (other.code, other.message, other.status_code) == (e.code, e.message, 404)
        assert (other.request_id, other.host_id, other.extra) == ("RID", "HID", {"UploadId": "u1"})
    assert repr(e) == f"NoSuchUpload({str(e)!r})"  # botocore's repr, with aios3's class


async def test_secrets_never_appear_in_errors() -> None:
    body = (
        b"<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message>"
        b"<AWSAccessKeyId>AKIDERRORS</AWSAccessKeyId><StringToSign>AWS4-HMAC</StringToSign>"
        b"</Error>"
    )
    for e in (
        await list_parts_error(403, body),
        await list_parts_error(503, b""),
        await list_parts_error(404, NO_SUCH_UPLOAD),
    ):
        shown = [str(e), repr(e), repr(e.response), repr(e.args), repr(pickle.dumps(e))]
        for text in shown:
            for secret in (SECRET, TOKEN, SSEC_KEY):
                assert secret not in text


def _boto3_exception_names() -> list[str]:
    c = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    try:
        return [n for n in dir(c.exceptions) if not n.startswith("_") and n != "from_code"]
    finally:
        c.close()


async def test_every_boto3_client_exception_is_on_s3_exceptions() -> None:
    names = _boto3_exception_names()
    assert {"NoSuchUpload", "BucketAlreadyOwnedByYou", "TooManyParts"} <= set(names)
    async with client(lambda r: MockResponse()) as s3:
        for name in names:
            cls = getattr(s3.exceptions, name)
            assert issubclass(cls, botocore.exceptions.ClientError), name
            assert issubclass(cls, ClientError), name
            assert s3.exceptions.from_code(name) is cls, name
            if name != "ClientError":
                assert ERROR_CLASSES[name] is cls and cls.code_name == name
        assert s3.exceptions.from_code("SlowDown") is ClientError


async def test_a_boto3_code_raises_its_class() -> None:
    body = b"<Error><Code>BucketAlreadyOwnedByYou</Code><Message>yours</Message></Error>"
    async with client(lambda r: MockResponse(409, {}, body)) as s3:
        with pytest.raises(s3.exceptions.BucketAlreadyOwnedByYou) as info:
            await s3.create_bucket(Bucket="bkt")
    assert info.value.code == "BucketAlreadyOwnedByYou"


async def test_stubbed_errors_are_botocore_client_errors() -> None:
    async with client(lambda r: MockResponse()) as s3:
        with Stubber(s3) as stub:
            stub.add_client_error("list_parts", "NoSuchUpload", "gone", 404)
            with pytest.raises(botocore.exceptions.ClientError) as info:
                await s3.list_parts(Bucket="bkt", Key="k", UploadId="u1")
    assert isinstance(info.value, NoSuchUpload)
    assert str(info.value).startswith(
        "An error occurred (NoSuchUpload) when calling the ListParts operation: gone"
    )
