"""A typed usage example, checked by `mypy --strict` in CI (not run by pytest).

It uses the public API as a user would; the `type: ignore[...]` lines prove that mypy
catches the mistakes they contain (`warn_unused_ignores` fails the check if it does not).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Literal

import aios3
from aios3.models import (
    AbortMultipartUploadRequest,
    AbortMultipartUploadResponse,
    AbortRound,
    AbortRuleRemovalResult,
    AbortRuleResult,
    CompletedPartDict,
    CompleteMultipartUploadResponse,
    CreateBucketResponse,
    CreateMultipartUploadRequest,
    DeleteBucketLifecycleRequest,
    DeleteBucketLifecycleResponse,
    GetBucketLifecycleConfigurationResponse,
    HeadObjectResponse,
    LifecycleRule,
    ListPartsResponse,
    Part,
    StorageClass,
    UploadPartResponse,
    VerifiedAbortResponse,
)


async def client_style() -> None:
    async with aios3.S3Client(region_name="eu-west-1", config=aios3.Config(max_attempts=5)) as s3:
        up = await s3.create_multipart_upload(Bucket="b", Key="k", ContentType="text/plain")
        upload_id: str = up.upload_id
        part = await s3.upload_part(
            Bucket="b", Key="k", UploadId=upload_id, PartNumber=1, Body=b"x" * 5_242_880
        )
        etag: str | None = part.etag
        parts: list[CompletedPartDict] = [{"ETag": etag or "", "PartNumber": 1}]
        done = await s3.complete_multipart_upload(
            Bucket="b", Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
        version: str | None = done.version_id
        r: AbortMultipartUploadResponse = await s3.abort_multipart_upload(
            Bucket="b",
            Key="k",
            UploadId=upload_id,
            RequestPayer="requester",
            ExpectedBucketOwner="123456789012",
            IfMatchInitiatedTime=dt.datetime.now(dt.timezone.utc),
        )
        charged: str | None = r.request_charged
        status: int = r.response_metadata.http_status_code
        as_dict: dict[str, object] = r.to_dict()
        r2 = await s3.abort_multipart_upload(
            AbortMultipartUploadRequest(bucket="b", key="k", upload_id=upload_id)
        )
        page: ListPartsResponse
        async for page in s3.get_paginator("list_parts").paginate(
            Bucket="b", Key="k", UploadId=upload_id, PaginationConfig={"PageSize": 100}
        ):
            first: Part | None = page.parts[0] if page.parts else None
            del first
        listing = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="b", PaginationConfig={"MaxItems": 10, "StartingToken": "e30="}
        )
        async for uploads_page in listing:
            nxt: str | None = uploads_page.next_upload_id_marker
            del nxt
        resume: str | None = listing.resume_token
        full: dict[str, object] = await listing.build_full_result()
        async for key in listing.search("Uploads[].Key"):
            del key
        s3.get_paginator("list_parts").paginate(
            Bucket="b",
            Key="k",
            UploadId="u",
            PaginationConfig={"NextToken": "x"},  # type: ignore[arg-type]
        )
        del resume, full
        async for p in s3.iter_parts(Bucket="b", Key="k", UploadId=upload_id):
            n: int = p.part_number
            del n
        async for u in s3.iter_multipart_uploads(Bucket="b", Prefix="tmp/"):
            when: dt.datetime | None = u.initiated
            del when
        try:
            await s3.list_parts(Bucket="b", Key="k", UploadId=upload_id)
        except s3.exceptions.NoSuchUpload as e:
            code: str = e.code
            sc: int = e.status_code
            del code, sc
        except s3.exceptions.BucketAlreadyOwnedByYou:  # every boto3 client.exceptions name
            pass
        except aios3.ClientError as e:
            err_code = e.response["Error"]["Code"]
            reached: bool = e.response["ResponseMetadata"].get("MaxAttemptsReached", False)
            op: str = e.operation_name
            del err_code, reached, op
        session = await s3.create_session(Bucket="b--usw2-az1--x-s3")
        boto3_shaped: dict[str, object] = session.to_dict(reveal_secrets=True)
        del boto3_shaped

        # mistakes mypy must catch
        await s3.abort_multipart_upload(Bucket="b", Key="k")  # type: ignore[call-overload]
        await s3.abort_multipart_upload(  # type: ignore[call-overload]
            Bucket="b", Key="k", UploadId="u", RequestPayer="owner"
        )
        await s3.upload_part(  # type: ignore[call-overload]
            Bucket="b", Key="k", UploadId="u", PartNumber="1"
        )
        s3.get_paginator("list_objects")  # type: ignore[call-overload]
        await s3.create_multipart_upload(  # type: ignore[call-overload]
            Bucket="b", Key="k", GrantReadAcp="id=1"
        )
        del version, charged, status, as_dict, r2


async def abort_and_verify() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        v: VerifiedAbortResponse = await s3.abort_multipart_upload(
            Bucket="b", Key="k", UploadId="u", RequestPayer="requester", verify=True
        )
        rounds: list[AbortRound] = v.rounds
        left: int = rounds[-1].parts_remaining
        gone: bool = rounds[-1].gone
        policy = aios3.VerifyPolicy(max_rounds=3, deadline=10.0)
        v2: VerifiedAbortResponse = await s3.abort_multipart_upload(
            AbortMultipartUploadRequest(bucket="b", key="k", upload_id="u"), verify=policy
        )
        plain: AbortMultipartUploadResponse = await s3.abort_multipart_upload(
            Bucket="b", Key="k", UploadId="u", verify=False
        )
        no_rounds = plain.rounds  # type: ignore[attr-defined]  # only a verified abort has them
        del no_rounds
        await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify="yes")  # type: ignore[call-overload]
        try:
            await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u", verify=True)
        except aios3.AbortNotVerifiedError as e:
            still: int = e.rounds[-1].parts_remaining
            del still
        del left, gone, v2
    async with aios3.S3Resource(region_name="eu-west-1") as s3r:
        v3: VerifiedAbortResponse = await s3r.MultipartUpload("b", "k", "u").abort(verify=True)
        del v3


async def managed_upload() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        async with s3.multipart_upload(Bucket="b", Key="k", ContentType="text/plain") as mpu:
            first: UploadPartResponse = await mpu.upload_part(1, b"x", ContentMD5="abc")
            rest: list[UploadPartResponse] = await mpu.upload_parts(b"y" * 10, part_size=5 * 2**20)
            await mpu.upload_part(2, b"x", Bucket="other")  # type: ignore[call-arg]
            del first, rest
        upload_id: str | None = mpu.upload_id
        done: CompleteMultipartUploadResponse | None = mpu.result
        s3.multipart_upload(Key="k")  # type: ignore[call-arg]
        s3.multipart_upload(Bucket="b", Key="k", verify=aios3.VerifyPolicy(), cleanup_timeout=5)
        del upload_id, done


async def lifecycle_rules() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        await s3.put_bucket_lifecycle_configuration(
            Bucket="b",
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "abort",
                        "Filter": {"Prefix": "tmp/"},
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    },
                    {"Status": "Enabled", "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
                ]
            },
            TransitionDefaultMinimumObjectSize="varies_by_storage_class",
        )
        await s3.put_bucket_lifecycle_configuration(  # type: ignore[call-overload]
            Bucket="b", LifecycleConfiguration={"Rules": [{"Status": "On"}]}
        )
        try:
            got: GetBucketLifecycleConfigurationResponse = (
                await s3.get_bucket_lifecycle_configuration(Bucket="b")
            )
            rules: list[LifecycleRule] = got.rules
            del rules
        except s3.exceptions.NoSuchLifecycleConfiguration as e:
            code: str = e.code
            del code
        r: AbortRuleResult = await s3.ensure_abort_incomplete_uploads_rule(
            Bucket="b", days=3, prefix="uploads/"
        )
        action: Literal["added", "updated", "unchanged"] = r.action
        days: int | None = (
            r.rule.abort_incomplete_multipart_upload.days_after_initiation
            if r.rule.abort_incomplete_multipart_upload
            else None
        )
        del action, days
        await s3.ensure_abort_incomplete_uploads_rule(Bucket="b", days="7")  # type: ignore[arg-type]
        gone: AbortRuleRemovalResult = await s3.remove_abort_incomplete_uploads_rule(
            Bucket="b", prefix="uploads/", ExpectedBucketOwner="123456789012"
        )
        what: Literal[
            "removed", "action_removed", "configuration_deleted", "absent", "no_abort_action"
        ] = gone.action
        kept: list[LifecycleRule] = gone.rules
        del what, kept
        await s3.remove_abort_incomplete_uploads_rule(Bucket="b", days=7)  # type: ignore[call-arg]
        deleted: DeleteBucketLifecycleResponse = await s3.delete_bucket_lifecycle(Bucket="b")
        await s3.delete_bucket_lifecycle(DeleteBucketLifecycleRequest(bucket="b"))
        await s3.delete_bucket_lifecycle(Bucket="b", Rules=[])  # type: ignore[call-overload]
        del deleted


async def buckets_and_objects() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        made: CreateBucketResponse = await s3.create_bucket(
            Bucket="b", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        where: str | None = made.location
        await s3.create_multipart_upload(Bucket="b", Key="k", GrantReadACP="id=1")
        head: HeadObjectResponse = await s3.head_object(
            Bucket="b", Key="k", PartNumber=1, ChecksumMode="ENABLED"
        )
        size: int | None = head.content_length
        parts: int | None = head.parts_count
        meta: dict[str, str] = head.metadata
        gone = await s3.delete_object(Bucket="b", Key="k")
        marker: bool | None = gone.delete_marker
        await s3.delete_bucket(Bucket="b")
        await s3.head_object(Bucket="b")  # type: ignore[call-overload]
        await s3.head_object(Bucket="b", Key="k", ChecksumMode="on")  # type: ignore[call-overload]
        await s3.create_bucket(  # type: ignore[call-overload]
            Bucket="b", CreateBucketConfiguration={"Location": "x"}
        )
        del where, size, parts, meta, marker


async def enum_values_and_numbers() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        await s3.create_multipart_upload(
            Bucket="b",
            Key="k",
            ACL="bucket-owner-full-control",
            StorageClass="GLACIER_IR",
            ServerSideEncryption="aws:kms",
            ObjectLockEventHold="ON",
            ObjectLockEventHoldDurationDays=30,
        )
        cls: StorageClass = "STANDARD_IA"
        await s3.create_multipart_upload(Bucket="b", Key="k", StorageClass=cls)
        # a storage class of the store's own (Ceph, MinIO): the request model takes any str
        await s3.create_multipart_upload(
            CreateMultipartUploadRequest(bucket="b", key="k", storage_class="COLD")
        )
        head = await s3.head_object(Bucket="b", Key="k")
        hold: str | None = head.object_lock_event_hold
        days: int | None = head.object_lock_event_hold_duration_days

        # mistakes mypy must catch
        await s3.create_multipart_upload(  # type: ignore[call-overload]
            Bucket="b", Key="k", StorageClass="STANDRAD"
        )
        await s3.create_multipart_upload(Bucket="b", Key="k", ACL="public")  # type: ignore[call-overload]
        await s3.create_session(Bucket="b", ServerSideEncryption="aws-kms")  # type: ignore[call-overload]
        await s3.create_multipart_upload(  # type: ignore[call-overload]
            Bucket="b", Key="k", ObjectLockEventHoldDurationDays="30"
        )
        await s3.list_parts(Bucket="b", Key="k", UploadId="u", MaxParts=1.5)  # type: ignore[call-overload]
        del hold, days

    async with aios3.S3Resource(region_name="eu-west-1") as s3r:
        await s3r.Object("b", "k").initiate_multipart_upload(StorageClass="DEEP_ARCHIVE")
        await s3r.Object("b", "k").initiate_multipart_upload(StorageClass="DEEP-ARCHIVE")  # type: ignore[arg-type]


async def resource_style() -> None:
    async with aios3.S3Resource(region_name="eu-west-1") as s3r:
        client: aios3.S3Client = s3r.meta.client
        mpu: aios3.MultipartUpload = await s3r.Object("b", "k").initiate_multipart_upload()
        await s3r.Object("b", "k").initiate_multipart_upload(
            GrantReadACP="id=1", ObjectLockMode="GOVERNANCE", WebsiteRedirectLocation="/x"
        )
        part = mpu.Part(1)
        await part.upload(Body=b"data")
        obj: aios3.Object = await mpu.complete(
            MultipartUpload={"Parts": [{"ETag": part.e_tag or "", "PartNumber": 1}]}
        )
        async for upload in s3r.Bucket("b").multipart_uploads.filter(Prefix="tmp/"):
            await upload.abort()
        async for p in mpu.parts.all():
            size: int | None = p.size
            del size
        await s3r.MultipartUpload("b", "k", "id").abort(RequestPayer="requester")
        del client, obj


async def retry_config() -> None:
    boto3_shape = aios3.Config(retries={"mode": "standard", "max_attempts": 4})
    total = aios3.Config(retries={"total_max_attempts": 5})
    sleeps: list[float] = []

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    strategy = aios3.StandardRetryStrategy(
        5, sleep=fake_sleep, clock=lambda: 0.0, random=lambda: 0.5
    )
    plugged: aios3.RetryStrategy = strategy
    cfg = aios3.Config(retry_strategy=plugged)
    token = strategy.acquire_initial_retry_token(replayable=True)
    kind: aios3.retries.ErrorKind | None = aios3.retries.classify(aios3.TransportError("x")).kind
    nxt = await strategy.refresh_retry_token_for_retry(
        token, error=aios3.retries.classify(aios3.TransportError("x"))
    )
    attempts: int = nxt.retry_count if nxt is not None else 0

    # mistakes mypy must catch
    aios3.StandardRetryStrategy(sleep=time.sleep)  # type: ignore[arg-type]
    strategy.acquire_initial_retry_token(False)  # type: ignore[call-arg]
    del boto3_shape, total, cfg, kind, attempts


async def sweep_uploads() -> None:
    async with aios3.S3Client(region_name="eu-west-1") as s3:
        seen: list[aios3.SweepEvent] = []
        report: aios3.SweepReport = await s3.sweep_multipart_uploads(
            Bucket="b",
            Prefix="tmp/",
            older_than=dt.timedelta(days=7),
            verify="listing",
            on_progress=seen.append,
            RequestPayer="requester",
        )
        aborted: int = report.aborted
        freed: int | None = report.bytes_freed
        errors: list[aios3.Aios3Error] = [f.error for f in report.failed]

        async def progress(event: aios3.SweepEvent) -> None:
            kind: str = event.kind
            del kind

        await s3.sweep_multipart_uploads(
            Bucket="b",
            older_than=dt.timedelta(0),
            on_progress=progress,
            verify=aios3.VerifyPolicy(),
        )
        try:
            await s3.sweep_multipart_uploads(Bucket="b", older_than=dt.timedelta(days=1))
        except aios3.SweepListingError as e:
            partial: aios3.SweepReport = e.report
            del partial
        # mistakes mypy must catch
        await s3.sweep_multipart_uploads(Bucket="b")  # type: ignore[call-arg]
        await s3.sweep_multipart_uploads(Bucket="b", older_than=7)  # type: ignore[arg-type]
        await s3.sweep_multipart_uploads(
            Bucket="b",
            older_than=dt.timedelta(1),
            verify="ListParts",  # type: ignore[arg-type]
        )
        del aborted, freed, errors
