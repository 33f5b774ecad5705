"""Every bucket shape goes to the host and signing scope AWS documents; impossible
combinations fail with EndpointResolutionError before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

import aios3
from aios3.testing import MockResponse, MockTransport

CREDS: dict[str, Any] = {"aws_access_key_id": "AKIDSHAPE", "aws_secret_access_key": "shape-secret"}
AP = "arn:aws:s3:us-west-2:123456789012:accesspoint/myendpoint"
OUTPOSTS = (
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports"
)


SHAPES = [
    # (bucket, region, config, url, signing name, signing region)
    (
        "my-bucket",
        "us-west-2",
        {},
        "https://my-bucket.s3.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        "my.dotted.bucket",
        "us-west-2",
        {},
        "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/k",
        "s3",
        "us-west-2",
    ),
    (
        "my-bucket",
        "us-west-2",
        {"addressing_style": "path"},
        "https://s3.us-west-2.amazonaws.com/my-bucket/k",
        "s3",
        "us-west-2",
    ),
    (
        "my-bucket",
        "us-west-2",
        {"use_fips_endpoint": True},
        "https://my-bucket.s3-fips.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        "my-bucket",
        "us-west-2",
        {"use_dualstack_endpoint": True},
        "https://my-bucket.s3.dualstack.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        "my-bucket",
        "us-west-2",
        {"use_accelerate_endpoint": True},
        "https://my-bucket.s3-accelerate.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        "my-bucket",
        "cn-north-1",
        {},
        "https://my-bucket.s3.cn-north-1.amazonaws.com.cn/k",
        "s3",
        "cn-north-1",
    ),
    (
        AP,
        "us-west-2",
        {},
        "https://myendpoint-123456789012.s3-accesspoint.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        AP,
        "us-east-1",
        {},
        "https://myendpoint-123456789012.s3-accesspoint.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        AP,
        "us-west-2",
        {"use_fips_endpoint": True},
        "https://myendpoint-123456789012.s3-accesspoint-fips.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        "myendpoint-abc123xyz-s3alias",
        "us-west-2",
        {},
        "https://myendpoint-abc123xyz-s3alias.s3.us-west-2.amazonaws.com/k",
        "s3",
        "us-west-2",
    ),
    (
        OUTPOSTS,
        "us-west-2",
        {},
        "https://reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com/k",
        "s3-outposts",
        "us-west-2",
    ),
    (
        "mybucket--usw2-az1--x-s3",
        "us-west-2",
        {"disable_s3_express_session_auth": True},
        "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/k",
        "s3express",
        "us-west-2",
    ),
]


@pytest.mark.parametrize(("bucket", "region", "config", "url", "name", "signing_region"), SHAPES)
async def test_shape_goes_where_aws_documents(
    bucket: str, region: str, config: dict[str, Any], url: str, name: str, signing_region: str
) -> None:
    t = MockTransport(lambda r: MockResponse(204))
    async with aios3.S3Client(
        region_name=region, transport=t, config=aios3.Config(**config), **CREDS
    ) as s3:
        await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="u")
    sent_url, headers = t.requests[0].url, t.requests[0].headers
    assert str(sent_url) == url + "?uploadId=u"
    scope = headers["Authorization"].split("Credential=")[1].split(",")[0]
    assert scope.endswith(f"/{signing_region}/{name}/aws4_request")
    assert headers["Host"] == url.split("/")[2]


ERRORS = [
    ("arn:aws:s3:us-west-2:123456789012:accesspoint", "us-west-2", {}, "ARN"),
    (
        "arn:aws:s3:us-east-1:123456789012:accesspoint/x",
        "us-west-2",
        {"use_arn_region": False},
        "region",
    ),
    ("my.dotted.bucket", "us-west-2", {"use_accelerate_endpoint": True}, "ccelerat"),
    ("my-bucket", "cn-north-1", {"use_fips_endpoint": True}, "FIPS"),
    ("mybucket--usw2-az1--x-s3", "us-west-2", {"addressing_style": "path"}, "ath"),
    (OUTPOSTS, "us-west-2", {"use_dualstack_endpoint": True}, "ual"),
    (AP, "us-west-2", {"use_accelerate_endpoint": True}, "ccelerat"),
]


@pytest.mark.parametrize(("bucket", "region", "config", "words"), ERRORS)
async def test_impossible_shapes_fail_before_sending(
    bucket: str, region: str, config: dict[str, Any], words: str
) -> None:
    t = MockTransport(lambda r: MockResponse(204))
    async with aios3.S3Client(
        region_name=region, transport=t, config=aios3.Config(**config), **CREDS
    ) as s3:
        with pytest.raises(aios3.EndpointResolutionError, match=words):
            await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="u")
    assert t.requests == []


async def test_bad_bucket_names_are_param_errors() -> None:
    t = MockTransport(lambda r: MockResponse(204))
    async with aios3.S3Client(region_name="us-west-2", transport=t, **CREDS) as s3:
        for bad in ("", "has/slash", "has space", "arn:aws:", "arn:aws:sqs:us-west-2:1:q/x"):
            with pytest.raises(aios3.ParamValidationError, match="Bucket"):
                await s3.abort_multipart_upload(Bucket=bad, Key="k", UploadId="u")
    assert t.requests == []
