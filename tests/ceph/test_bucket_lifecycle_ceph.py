"""Bucket lifecycle configuration against Ceph RGW 16: the typed get, put and delete
compared with boto3, what Ceph changes or refuses, `ensure_abort_incomplete_uploads_rule`
and `remove_abort_incomplete_uploads_rule`, and the proof that the rule applies: Ceph names
it in CreateMultipartUpload's answer (`AbortDate`, `AbortRuleId`), as AWS does.

What Ceph does differently (listed in docs/servers.md):

* `Filter={}` and `Filter={"Prefix": ""}` are read back as the older `Prefix=""`;
* the rules come back sorted by `ID`;
* `Filter={"And": {"Prefix": p, "Tags": [tag]}}` is read back as
  `Filter={"Prefix": p, "Tag": tag}` (with two tags or more,
  `Filter={"Prefix": p, "And": {"Tags": [...]}}`);
* `ObjectSizeGreaterThan` / `ObjectSizeLessThan` and `NewerNoncurrentVersions` are dropped;
* transitions come back in another order;
* no `TransitionDefaultMinimumObjectSize` header;
* an abort rule with a tag filter is refused (400 `InvalidRequest`, as AWS).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aios3.errors import NoSuchLifecycleConfiguration, ParamValidationError
from tests._kit import server_client
from tests.servers.test_bucket_lifecycle_real import (
    ABORT_TMP,
    KEPT,
    NONCURRENT,
    SIZES,
    TRANSITIONS,
    boto3_call,
    put_rules,
    read_rules,
    without_metadata,
)


def by_id(rules: list[Any]) -> list[Any]:
    return sorted(rules, key=lambda rule: rule["ID"])


@pytest.fixture(autouse=True)
def _ceph_checksum_setting(_isolated_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The setting Ceph 16 needs (the lifecycle put carries its required CRC32 anyway, in a
    header, which Ceph accepts)."""
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    monkeypatch.setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")


async def test_no_configuration_is_a_typed_404(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    async with server_client(ceph, max_attempts=1) as s3:
        with pytest.raises(NoSuchLifecycleConfiguration) as info:
            await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    e = info.value
    assert (e.code, e.status_code) == ("NoSuchLifecycleConfiguration", 404)
    assert e.request_id
    theirs = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert theirs["Error"] == e.response["Error"]


async def test_put_then_get_is_what_boto3_reads(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    async with server_client(ceph, max_attempts=1) as s3:
        await s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": KEPT}
        )
        got = await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got.to_dict()["Rules"] == by_id(KEPT)  # sorted by ID
    assert got.transition_default_minimum_object_size is None
    theirs = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
    assert without_metadata(got.to_dict()) == theirs


async def test_what_ceph_changes(ceph, make_bucket) -> None:
    bucket = await make_bucket(ceph)
    async with server_client(ceph, max_attempts=1) as s3:
        await put_rules(s3, bucket, SIZES + TRANSITIONS + NONCURRENT)
        got = await read_rules(s3, bucket)
    assert got == by_id(
        [
            {"Expiration": {"Days": 2}, "ID": "big", "Prefix": "", "Status": "Enabled"},
            {
                "Expiration": {"Days": 2},
                "ID": "mid",
                "Filter": {"Prefix": "q/"},
                "Status": "Enabled",
            },
            {
                "Expiration": {"Days": 2},
                "ID": "and",
                "Filter": {"Prefix": "p/", "Tag": {"Key": "k", "Value": "v"}},
                "Status": "Enabled",
            },
            {
                "ID": "whole",
                "Prefix": "",
                "Status": "Enabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
            },
            {**TRANSITIONS[0], "Transitions": TRANSITIONS[0]["Transitions"][::-1]},
            {
                **NONCURRENT[0],
                "NoncurrentVersionTransitions": [
                    {"NoncurrentDays": 5, "StorageClass": "STANDARD_IA"}
                ],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 9},
            },
        ]
    )


async def test_an_abort_rule_with_tags_is_refused_by_ceph_and_before_sending(
    ceph, make_bucket
) -> None:
    bucket = await make_bucket(ceph)
    rule = {
        "ID": "t",
        "Filter": {"Tag": {"Key": "k", "Value": "v"}},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }
    theirs = await boto3_call(
        ceph,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [rule]},
    )
    assert theirs["Error"]["Code"] == "InvalidRequest"
    async with server_client(ceph, max_attempts=1) as s3:
        with pytest.raises(ParamValidationError, match="cannot be used with a Tag filter"):
            await put_rules(s3, bucket, [rule])


async def test_the_helper_on_ceph_and_the_rule_in_effect(ceph, make_bucket) -> None:
    """Ceph reads the helper's `Filter={"Prefix": ""}` back as `Prefix=""`: the next call
    still finds it (unchanged). Every other rule is kept, and a new upload under the
    prefix is told when the rule will abort it."""
    bucket = await make_bucket(ceph)
    await boto3_call(
        ceph,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": KEPT[1:]},
    )
    before = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
    async with server_client(ceph, max_attempts=1) as s3:
        whole = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        assert whole.action == "added"
        again = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        assert again.action == "unchanged"
        assert again.rule.prefix == "" and again.rule.filter is None  # as Ceph keeps it
        after = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
        assert after["Rules"] == by_id(
            [
                *before["Rules"],
                {
                    "ID": "aios3-abort-incomplete-uploads",
                    "Prefix": "",
                    "Status": "Enabled",
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
                },
            ]
        )
        tmp = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=5, prefix="tmp/")
        assert tmp.action == "added"

        up = await s3.create_multipart_upload(Bucket=bucket, Key="tmp/big.bin")
        try:
            # two rules apply; Ceph names the one that aborts first, as AWS does
            assert up.abort_rule_id == "aios3-abort-incomplete-uploads"
            assert up.abort_date is not None
            today = dt.datetime.now(dt.timezone.utc)
            assert today + dt.timedelta(days=1) < up.abort_date < today + dt.timedelta(days=4)
        finally:
            await s3.abort_multipart_upload(Bucket=bucket, Key="tmp/big.bin", UploadId=up.upload_id)
        await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=30)
        up = await s3.create_multipart_upload(Bucket=bucket, Key="tmp/big.bin")
        try:
            assert up.abort_rule_id == "aios3-abort-incomplete-uploads-tmp/"
        finally:
            await s3.abort_multipart_upload(Bucket=bucket, Key="tmp/big.bin", UploadId=up.upload_id)
    assert ABORT_TMP not in after["Rules"]


async def test_delete_with_and_without_a_configuration(ceph, make_bucket) -> None:
    """204 both times (as S3), and the configuration is gone; boto3 reads the same."""
    bucket = await make_bucket(ceph)
    async with server_client(ceph, max_attempts=1) as s3:
        await put_rules(s3, bucket, [ABORT_TMP])
        gone = await s3.delete_bucket_lifecycle(Bucket=bucket)
        assert gone.response_metadata.http_status_code == 204
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        again = await s3.delete_bucket_lifecycle(Bucket=bucket)  # none there: 204 again
        assert again.response_metadata.http_status_code == 204
    theirs = await boto3_call(ceph, "delete_bucket_lifecycle", Bucket=bucket)
    assert theirs == {}


async def test_the_removal_helper_on_ceph(ceph, make_bucket) -> None:
    """The helper finds its rule by ID however Ceph spells its filter; every other rule is
    written back as Ceph keeps it, and the last rule's removal deletes the configuration."""
    bucket = await make_bucket(ceph)
    await boto3_call(
        ceph,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        LifecycleConfiguration={"Rules": KEPT},
    )
    before = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
    async with server_client(ceph, max_attempts=1) as s3:
        added = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=2)
        assert added.action == "added"
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket=bucket)
        assert (r.action, r.rule_id) == ("removed", "aios3-abort-incomplete-uploads")
        assert r.previous is not None and r.previous.prefix == ""  # as Ceph keeps it
        after = await boto3_call(ceph, "get_bucket_lifecycle_configuration", Bucket=bucket)
        assert after == before

        alone = await make_bucket(ceph)
        await s3.ensure_abort_incomplete_uploads_rule(Bucket=alone, days=2, prefix="tmp/")
        r = await s3.remove_abort_incomplete_uploads_rule(Bucket=alone, prefix="tmp/")
        assert (r.action, r.rules) == ("configuration_deleted", [])
        with pytest.raises(NoSuchLifecycleConfiguration):
            await s3.get_bucket_lifecycle_configuration(Bucket=alone)
