"""Find stale incomplete uploads and abort them (runs a local SeaweedFS server)."""

import asyncio
from datetime import datetime, timedelta, timezone

import aios3
from aios3.testing import local_s3_server


async def main() -> None:
    async with local_s3_server("seaweedfs") as server:
        bucket = await server.create_bucket()
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            for key in ("tmp/a.bin", "tmp/b.bin", "keep/c.bin"):
                up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
                await s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=1, Body=b"x" * 10
                )
            # pretend a week has passed: age is measured from `now`
            later = datetime.now(timezone.utc) + timedelta(days=8)

            # what would go, and how much it holds (ListParts per upload, nothing aborted)
            preview = await s3.sweep_multipart_uploads(
                Bucket=bucket,
                Prefix="tmp/",
                older_than=timedelta(days=7),
                now=later,
                dry_run=True,
                count_parts=True,
                on_progress=lambda e: print(e.kind, e.upload.key if e.upload else ""),
            )
            print(preview.selected, "uploads,", preview.bytes_freed, "bytes")
            # -> 2 uploads, 20 bytes

            report = await s3.sweep_multipart_uploads(
                Bucket=bucket,
                Prefix="tmp/",
                older_than=timedelta(days=7),
                now=later,
                concurrency=16,
                verify="listing",  # one re-listing instead of a ListParts per upload
            )
            print(report.aborted, report.already_gone, report.failed_count)
            # -> 2 0 0
            for failure in report.failed:  # typed errors: AccessDenied, ...
                print(failure.key, failure.upload_id, failure.error)


asyncio.run(main())
