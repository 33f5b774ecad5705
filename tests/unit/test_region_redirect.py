"""Region redirects as boto3 does them (botocore's `S3RegionRedirectorv2`): S3 says the
bucket lives in another region; the client learns it, re-resolves and re-signs for that
region, retries once, and remembers the region for the bucket. The AWS hosts are faked
by a MockTransport (they are unreachable here): what reached the "server" is checked."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

import aios3
from aios3.errors import ClientError
from aios3.retries import StandardRetryStrategy
from aios3.testing import MockRequest, MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDREDIRECT", "aws_secret_access_key": "s"}

PERMANENT_REDIRECT = (
    b"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access "
    b"must be addressed using the specified endpoint.</Message>"
    b"<Endpoint>mybucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>mybucket</Bucket></Error>"
)
OK = (204, {}, b"")
Answer = tuple[int, dict[str, str], bytes]


class Server(MockTransport):
    """Answers from a script (the last answer repeated); keeps every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        super().__init__(self._answer)

    def _answer(self, request: MockRequest) -> MockResponse:
        status, headers, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return MockResponse(status, {"x-amz-request-id": "r", **headers}, body)

    @property
    def hosts(self) -> list[str]:
        return [r.url.host or "" for r in self.requests]

    @property
    def scopes(self) -> list[str]:
        """The signing region of each request, from its Authorization header."""
        out = []
        for r in self.requests:
            m = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/s3/", r.headers["Authorization"])
            assert m is not None
            out.append(m.group(1))
        return out


def client(server: Server, **kw: Any) -> aios3.S3Client:
    kw.setdefault("region_name", "us-east-1")
    return aios3.S3Client(transport=server, **{**CREDS, **kw})


async def abort(s3: aios3.S3Client, bucket: str = "mybucket") -> Any:
    return await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="u")


def moved(region: str = "eu-west-1", **headers: str) -> Answer:
    return (301, {"x-amz-bucket-region": region, **headers}, PERMANENT_REDIRECT)


async def test_a_permanent_redirect_is_followed_to_the_region_and_remembered() -> None:
    server = Server(moved(), OK)
    async with client(server) as s3:
        r = await abort(s3)
        assert r.response_metadata.retry_attempts == 1  # as botocore: it is an attempt
        await abort(s3)  # the third request goes straight to the bucket's region
        await abort(s3, "other")  # another bucket stays in the client's region
    assert server.hosts == [
        "mybucket.s3.amazonaws.com",
        "mybucket.s3.eu-west-1.amazonaws.com",
        "mybucket.s3.eu-west-1.amazonaws.com",
        "other.s3.amazonaws.com",
    ]
    assert server.scopes == ["us-east-1", "eu-west-1", "eu-west-1", "us-east-1"]


@pytest.mark.parametrize(
    ("answer", "operation"),
    [
        # the signing region is wrong: the error's <Region> names the right one
        (
            (
                400,
                {},
                b"<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region "
                b"'us-east-1' is wrong; expecting 'eu-west-1'</Message>"
                b"<Region>eu-west-1</Region></Error>",
            ),
            "abort",
        ),
        # an opt-in region
        (
            (
                400,
                {"x-amz-bucket-region": "eu-west-1"},
                b"<Error><Code>IllegalLocationConstraintException</Code><Message>m</Message>"
                b"</Error>",
            ),
            "abort",
        ),
        # a 307 carrying the region header
        ((307, {"x-amz-bucket-region": "eu-west-1"}, b""), "abort"),
        # a HEAD has no body: a bare 301 or 400 with the header
        ((301, {"x-amz-bucket-region": "eu-west-1"}, b""), "head"),
        ((400, {"x-amz-bucket-region": "eu-west-1"}, b""), "head"),
    ],
    ids=["AuthorizationHeaderMalformed", "IllegalLocationConstraint", "307", "HEAD301", "HEAD400"],
)
async def test_every_wrong_region_answer_is_redirected(answer: Answer, operation: str) -> None:
    server = Server(answer, (200, {"Content-Length": "0"}, b"") if operation == "head" else OK)
    async with client(server) as s3:
        if operation == "head":
            await s3.head_object(Bucket="mybucket", Key="k")
        else:
            await abort(s3)
    assert server.hosts == ["mybucket.s3.amazonaws.com", "mybucket.s3.eu-west-1.amazonaws.com"]
    assert server.scopes == ["us-east-1", "eu-west-1"]


async def test_a_redirect_loop_ends_with_the_error_after_one_redirect() -> None:
    server = Server(moved("eu-west-1"), moved("ap-south-1"))
    async with client(server) as s3:
        with pytest.raises(ClientError) as e:
            await abort(s3)
    assert e.value.code == "PermanentRedirect" and e.value.status_code == 301
    assert len(server.requests) == 2
    assert server.scopes == ["us-east-1", "eu-west-1"]


async def test_the_location_header_is_never_followed() -> None:
    # a Location to a foreign host is ignored: the host comes from the endpoint rules
    server = Server(moved(Location="https://evil.example/steal"), OK)
    async with client(server) as s3:
        await abort(s3)
    assert "evil.example" not in server.hosts
    assert server.hosts == ["mybucket.s3.amazonaws.com", "mybucket.s3.eu-west-1.amazonaws.com"]
    # and a redirect that names no region (only a Location) is not followed at all
    server = Server((307, {"Location": "https://evil.example/"}, b""), OK)
    async with client(server) as s3:
        with pytest.raises(ClientError) as e:
            await abort(s3)
    assert e.value.status_code == 307
    assert server.hosts == ["mybucket.s3.amazonaws.com"]


@pytest.mark.parametrize("region", ["evil.example/x", "eu-west-1.evil.example#", "", "-x"])
async def test_a_region_that_is_not_a_region_name_is_not_followed(region: str) -> None:
    server = Server(moved(region), OK)
    async with client(server) as s3:
        with pytest.raises(ClientError, match="PermanentRedirect"):
            await abort(s3)
    assert len(server.requests) == 1


async def test_the_redirect_is_not_a_retry_of_the_strategy() -> None:
    # max_attempts=1 and no quota left: the redirect still happens, as in botocore
    strategy = StandardRetryStrategy(1)
    server = Server(moved(), (500, {}, b""), OK)
    async with client(server, config=aios3.Config(retry_strategy=strategy)) as s3:
        with pytest.raises(ClientError) as e:
            await abort(s3)
    assert e.value.status_code == 500  # the 500 after the redirect is not retried
    assert len(server.requests) == 2
    assert strategy.quota.available == 500


async def test_a_retry_after_the_redirect_stays_in_the_new_region() -> None:
    server = Server(moved(), (503, {}, b""), OK)
    sleeps: list[float] = []

    async def sleep(d: float) -> None:
        sleeps.append(d)

    strategy = StandardRetryStrategy(3, sleep=sleep)
    async with client(server, config=aios3.Config(retry_strategy=strategy)) as s3:
        r = await abort(s3)
    assert r.response_metadata.retry_attempts == 2
    assert server.scopes == ["us-east-1", "eu-west-1", "eu-west-1"]
    assert len(sleeps) == 1  # only the 503 waited


async def test_an_uploaded_file_is_rewound_for_the_redirected_request() -> None:
    server = Server(moved(), (200, {"ETag": '"e"'}, b""))
    body = io.BytesIO(b"x" * 5000)
    config = aios3.Config(request_checksum_calculation="when_required")  # the bare body
    async with client(server, config=config) as s3:
        await s3.upload_part(
            Bucket="mybucket", Key="k", UploadId="u", PartNumber=1, Body=body, ContentLength=5000
        )
    assert [r.body for r in server.requests] == [b"x" * 5000] * 2
    assert server.scopes == ["us-east-1", "eu-west-1"]


async def test_a_custom_endpoint_keeps_its_host_and_only_the_signing_region_changes() -> None:
    # botocore does the same: the endpoint rules keep the custom URL for every region
    server = Server(moved(Location="http://elsewhere:9000/"), OK)
    async with client(server, endpoint_url="http://127.0.0.1:9000") as s3:
        await abort(s3)
        await abort(s3)
    assert server.hosts == ["127.0.0.1"] * 3
    assert server.scopes == ["us-east-1", "eu-west-1", "eu-west-1"]


async def test_access_point_arns_and_directory_buckets_are_not_redirected() -> None:
    arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"
    server = Server(moved())
    async with client(server) as s3:
        with pytest.raises(ClientError, match="PermanentRedirect"):
            await abort(s3, arn)
    assert len(server.requests) == 1
    server = Server(moved())
    config = aios3.Config(disable_s3_express_session_auth=True)
    async with client(server, region_name="us-west-2", config=config) as s3:
        with pytest.raises(ClientError, match="PermanentRedirect"):
            await abort(s3, "dir--usw2-az1--x-s3")
    assert len(server.requests) == 1


async def test_other_errors_and_a_stream_body_are_not_redirected() -> None:
    server = Server(
        (403, {"x-amz-bucket-region": "eu-west-1"}, b"<Error><Code>AccessDenied</Code></Error>")
    )
    async with client(server) as s3:
        with pytest.raises(ClientError, match="AccessDenied"):
            await abort(s3)
    assert len(server.requests) == 1

    async def chunks() -> Any:
        yield b"x" * 10

    server = Server(moved(), (200, {"ETag": '"e"'}, b""))
    async with client(server) as s3:
        with pytest.raises(ClientError, match="PermanentRedirect"):
            await s3.upload_part(
                Bucket="mybucket",
                Key="k",
                UploadId="u",
                PartNumber=1,
                Body=chunks(),
                ContentLength=10,
            )
    assert len(server.requests) == 1  # the stream was consumed: it cannot be sent again
