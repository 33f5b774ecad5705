"""Bucket lifecycle configuration against real SeaweedFS and moto servers: the typed get,
put and delete, compared with boto3 against the same server, what each server keeps,
changes or refuses, and `ensure_abort_incomplete_uploads_rule` /
`remove_abort_incomplete_uploads_rule` keeping every other rule.

What the servers do differently (asserted here, listed in docs/servers.md):

* SeaweedFS 4.48 refuses `Transition` and the noncurrent-version actions with 501
  `NotImplemented`, and keeps everything else as given.
* moto 5.2 drops `ObjectSizeGreaterThan` / `ObjectSizeLessThan` filters and
  `NoncurrentVersionExpiration.NewerNoncurrentVersions`, and always answers
  `TransitionDefaultMinimumObjectSize: all_storage_classes_128K`.
* Neither runs the rules within a test's time, nor names the rule in CreateMultipartUpload's
  answer (`AbortDate`, `AbortRuleId`); Ceph RGW does (tests/ceph).
* Both answer DeleteBucketLifecycle 204 with or without a configuration, as S3 does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata as _md
from typing import Any

import botocore.config
import botocore.session
import pytest

import aios3
from aios3.errors import ClientError, NoSuchBucket, NoSuchLifecycleConfiguration
from aios3.models import BucketLifecycleConfiguration
from tests._kit import server_client

pytestmark = pytest.mark.servers

_MOTO = tuple(int(x) for x in _md.version("moto").split(".")[:3])
MOTO_AS_OBSERVED = pytest.mark.skipif(
    _MOTO < (5, 2, 5),
    reason="moto's lifecycle quirks asserted here were observed on moto 5.2.5; older moto "
    "differs (the lowest-versions stage runs moto 5.0.14)",
)

SERVERS = ["seaweed", "moto_server"]
UTC = dt.timezone.utc

ABORT_TMP = {
    "ID": "abort-tmp",
    "Filter": {"Prefix": "tmp/"},
    "Status": "Enabled",
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}
# rules every server tested keeps exactly as given (in botocore's member order, as boto3
# reads them back)
KEPT: list[dict[str, Any]] = [
    ABORT_TMP,
    {"Expiration": {"Days": 30}, "ID": "legacy", "Prefix": "logs/", "Status": "Enabled"},
    {
        "Expiration": {"Days": 10},
        "ID": "tagged",
        "Filter": {"Tag": {"Key": "class", "Value": "scratch"}},
        "Status": "Disabled",
    },
    {
        "Expiration": {"Date": dt.datetime(2030, 1, 1, tzinfo=UTC)},
        "ID": "dated",
        "Filter": {"Prefix": "dated/"},
        "Status": "Enabled",
    },
    {
        "Expiration": {"ExpiredObjectDeleteMarker": True},
        "ID": "markers",
        "Filter": {"Prefix": "v/"},
        "Status": "Enabled",
    },
]


def boto3_client(server: Any, **config: Any) -> Any:
    """botocore's client for the same server (path style, one attempt)."""
    return botocore.session.Session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=botocore.config.Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config
        ),
    )


async def boto3_call(server: Any, method: str, **params: Any) -> dict[str, Any]:
    """A boto3 call against `server`, its ResponseMetadata left out; a ClientError's
    response instead when it fails."""

    def call() -> dict[str, Any]:
        client = boto3_client(server)
        try:
            out: dict[str, Any] = getattr(client, method)(**params)
        except botocore.exceptions.ClientError as exc:
            out = dict(exc.response)
        finally:
            client.close()
        out.pop("ResponseMetadata", None)
        return out

    return await asyncio.to_thread(call)


def without_metadata(d: dict[str, object]) -> dict[str, object]:
    d = dict(d)
    d.pop("ResponseMetadata", None)
    return d


async def put_rules(s3: aios3.S3Client, bucket: str, rules: list[dict[str, Any]]) -> None:
    await s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration=BucketLifecycleConfiguration(Rules=rules)
    )


async def read_rules(s3: aios3.S3Client, bucket: str) -> list[object]:
    got = (await s3.get_bucket_lifecycle_configuration(Bucket=bucket)).to_dict()
    rules = got.get("Rules", [])
    assert isinstance(rules, list)
    return rules


# ------------------------------------------------------------------ get and put


@pytest.mark.parametrize("server_name", SERVERS)
async def test_no_configuration_is_a_typed_404(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        with pytest.raises(NoSuchLifecycleConfiguration) as info:
            await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    e = info.value
    assert (e.code, e.status_code) == ("NoSuchLifecycleConfiguration", 404)
    assert e.request_id and e.message == "The lifecycle configuration does not exist"
    theirs = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert theirs["Error"] == e.response["Error"]


@pytest.mark.parametrize("server_name", SERVERS)
async def test_put_then_get_is_what_boto3_reads(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        put = await s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": KEPT}
        )
        assert put.response_metadata.http_status_code == 200
        got = await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got.to_dict()["Rules"] == KEPT
    theirs = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert without_metadata(got.to_dict()) == theirs
    assert got.rules[0].abort_incomplete_multipart_upload is not None
    assert got.rules[0].abort_incomplete_multipart_upload.days_after_initiation == 7


SIZES = [
    {
        "Expiration": {"Days": 2},
        "ID": "big",
        "Filter": {"ObjectSizeGreaterThan": 1000},
        "Status": "Enabled",
    },
    {
        "Expiration": {"Days": 2},
        "ID": "mid",
        "Filter": {"And": {"Prefix": "q/", "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 99}},
        "Status": "Enabled",
    },
    {
        "Expiration": {"Days": 2},
        "ID": "and",
        "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "k", "Value": "v"}]}},
        "Status": "Enabled",
    },
    {
        "ID": "whole",
        "Filter": {},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
    },
]
TRANSITIONS = [
    {
        "ID": "tr",
        "Filter": {"Prefix": "tr/"},
        "Status": "Enabled",
        "Transitions": [
            {"Days": 30, "StorageClass": "STANDARD_IA"},
            {"Days": 90, "StorageClass": "GLACIER"},
        ],
    },
]
NONCURRENT = [
    {
        "ID": "nc",
        "Filter": {"Prefix": "nc/"},
        "Status": "Enabled",
        "NoncurrentVersionTransitions": [
            {"NoncurrentDays": 5, "StorageClass": "STANDARD_IA", "NewerNoncurrentVersions": 2}
        ],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 9, "NewerNoncurrentVersions": 3},
    },
]


async def test_seaweedfs_keeps_filters_and_refuses_transitions(seaweed, make_bucket) -> None:
    bucket = await make_bucket(seaweed)
    async with server_client(seaweed, max_attempts=1) as s3:
        await put_rules(s3, bucket, SIZES)
        assert await read_rules(s3, bucket) == SIZES
        for rules in (TRANSITIONS, NONCURRENT):
            with pytest.raises(ClientError) as info:
                await put_rules(s3, bucket, rules)
            assert (info.value.code, info.value.status_code) == ("NotImplemented", 501)
        assert await read_rules(s3, bucket) == SIZES  # the refused puts changed nothing
    theirs = await boto3_call(
        seaweed,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": TRANSITIONS},
    )
    assert theirs["Error"]["Code"] == "NotImplemented"


@MOTO_AS_OBSERVED
async def test_moto_drops_size_filters_and_newer_noncurrent_versions(
    moto_server, make_bucket
) -> None:
    bucket = await make_bucket(moto_server)
    async with server_client(moto_server) as s3:
        await put_rules(s3, bucket, SIZES + TRANSITIONS + NONCURRENT)
        got = await read_rules(s3, bucket)
    expected = [
        {**SIZES[0], "Filter": {}},
        {**SIZES[1], "Filter": {"And": {"Prefix": "q/"}}},
        SIZES[2],
        SIZES[3],
        TRANSITIONS[0],
        {**NONCURRENT[0], "NoncurrentVersionExpiration": {"NoncurrentDays": 9}},
    ]
    assert got == expected


@MOTO_AS_OBSERVED
@pytest.mark.parametrize("server_name", SERVERS)
async def test_transition_default_minimum_object_size(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        await s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={"Rules": [ABORT_TMP]},
            TransitionDefaultMinimumObjectSize="varies_by_storage_class",
        )
        got = await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    kept = {"seaweed": "varies_by_storage_class", "moto_server": "all_storage_classes_128K"}
    assert got.transition_default_minimum_object_size == kept[server_name]


# ------------------------------------------------------------------ the helper


@pytest.mark.parametrize("server_name", SERVERS)
async def test_the_helper_adds_then_leaves_the_rule(request, server_name, make_bucket) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        r = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        assert r.action == "added"
        again = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        assert again.action == "unchanged"
        # unlike AWS (and Ceph), neither names the rule that will abort a new upload
        up = await s3.create_multipart_upload(Bucket=bucket, Key="big.bin")
        await s3.abort_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=up.upload_id)
        assert (up.abort_date, up.abort_rule_id) == (None, None)
    theirs = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert theirs["Rules"] == [
        {
            "ID": "aios3-abort-incomplete-uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
        }
    ]


@MOTO_AS_OBSERVED
@pytest.mark.parametrize("server_name", SERVERS)
async def test_the_helper_keeps_every_other_rule(request, server_name, make_bucket) -> None:
    """Rules written by boto3 read back by boto3 the same after the helper added and then
    updated its rule; an existing abort rule for the same prefix is updated in place."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    await boto3_call(
        server,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": KEPT},
        TransitionDefaultMinimumObjectSize="varies_by_storage_class",
    )
    before = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    async with server_client(server) as s3:
        added = await s3.ensure_abort_incomplete_uploads_rule(
            Bucket=bucket, days=3, prefix="uploads/"
        )
        assert added.action == "added"
        assert added.rule.id == "aios3-abort-incomplete-uploads-uploads/"
        after = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
        assert after["Rules"][:-1] == before["Rules"]
        assert after["Rules"][-1] == {
            "ID": "aios3-abort-incomplete-uploads-uploads/",
            "Filter": {"Prefix": "uploads/"},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
        }
        # the size setting read is written back (moto answers its default whatever is put)
        assert (
            after["TransitionDefaultMinimumObjectSize"]
            == before["TransitionDefaultMinimumObjectSize"]
        )

        updated = await s3.ensure_abort_incomplete_uploads_rule(
            Bucket=bucket, days=1, prefix="tmp/"
        )
        assert updated.action == "updated"
        assert updated.rule.id == "abort-tmp"  # boto3's rule, matched by its filter
        final = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert final["Rules"][0] == {
        **ABORT_TMP,
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }
    assert final["Rules"][1:] == after["Rules"][1:]


# ------------------------------------------------------------------ delete


@pytest.mark.parametrize("server_name", SERVERS)
async def test_delete_with_and_without_a_configuration(request, server_name, make_bucket) -> None:
    """204 both times (as S3), and the configuration is gone; boto3 reads the same."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server, max_attempts=1) as s3:
        await put_rules(s3, bucket, [ABORT_TMP])
        gone = await s3.delete_bucket_lifecycle(Bucket=bucket)
        assert gone.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        again = await s3.delete_bucket_lifecycle(Bucket=bucket)  # none there: 204 again
        assert again.response_metadata.http_status_code == 204
        assert set(again.to_dict()) == {"ResponseMetadata"}
    theirs = await boto3_call(server, "delete_bucket_lifecycle", Bucket=bucket)
    assert theirs == {}


@pytest.mark.parametrize("server_name", SERVERS)
async def test_delete_on_a_missing_bucket(request, server_name) -> None:
    server = request.getfixturevalue(server_name)
    bucket = "aios3-no-such-bucket-lc"
    async with server_client(server, max_attempts=1) as s3:
        with pytest.raises(NoSuchBucket) as info:
            await s3.delete_bucket_lifecycle(Bucket=bucket)
    e = info.value
    assert (e.code, e.status_code, e.operation_name) == (
        "NoSuchBucket",
        404,
        "DeleteBucketLifecycle",
    )
    assert e.request_id
    theirs = await boto3_call(server, "delete_bucket_lifecycle", Bucket=bucket)
    assert theirs["Error"] == e.response["Error"]


@MOTO_AS_OBSERVED
@pytest.mark.parametrize("server_name", SERVERS)
async def test_the_removal_helper_keeps_every_other_rule(request, server_name, make_bucket) -> None:
    """Rules written by boto3 read back by boto3 the same after the helper added its rule
    and took it out again; a rule with another action loses only its abort action."""
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    await boto3_call(
        server,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": KEPT},
        TransitionDefaultMinimumObjectSize="varies_by_storage_class",
    )
    before = await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket)
    async with server_client(server) as s3:
        added = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, prefix="up/")
        assert added.action == "added"
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket=bucket, prefix="up/")
        assert (r.action, r.rule_id) == ("removed", "aios3-abort-incomplete-uploads-up/")
        assert await boto3_call(server, "get_bucket_lifecycle_configuration", Bucket=bucket) == (
            before
        )
        # a rule with an expiration too: only the abort action goes
        await put_rules(s3, bucket, [{**ABORT_TMP, "Expiration": {"Days": 9}}])
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket=bucket, rule_id="abort-tmp")
        assert r.action == "action_removed"
        rules = await read_rules(s3, bucket)
    assert rules == [
        {
            "Expiration": {"Days": 9},
            "ID": "abort-tmp",
            "Filter": {"Prefix": "tmp/"},
            "Status": "Enabled",
        }
    ]


@pytest.mark.parametrize("server_name", SERVERS)
async def test_the_removal_helper_deletes_the_configuration_with_its_last_rule(
    request, server_name, make_bucket
) -> None:
    server = request.getfixturevalue(server_name)
    bucket = await make_bucket(server)
    async with server_client(server) as s3:
        await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket=bucket)
        assert (r.action, r.rules) == ("configuration_deleted", [])
        assert r.previous is not None and r.previous.id == "aios3-abort-incomplete-uploads"
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        again = await s3.remove_abort_incomplete_uploads_rule(Bucket=bucket)
        assert (again.action, again.rules) == ("absent", [])
        # and a new rule can be set afterwards
        assert (await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket)).action == "added"
