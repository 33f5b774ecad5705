"""Abort a multipart upload and prove it is gone (runs a local SeaweedFS server)."""

import asyncio

import aios3
from aios3.testing import local_s3_server


async def main() -> None:
    async with local_s3_server("seaweedfs") as server:
        bucket = await server.create_bucket()
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            up = await s3.create_multipart_upload(Bucket=bucket, Key="big.bin")
            await s3.upload_part(
                Bucket=bucket, Key="big.bin", UploadId=up.upload_id, PartNumber=1, Body=b"x"
            )

            # abort, then ListParts until the upload is gone (repeat the abort while
            # parts that were in flight still show up)
            r = await s3.abort_multipart_upload(
                Bucket=bucket, Key="big.bin", UploadId=up.upload_id, verify=True
            )
            for rnd in r.rounds:
                print(rnd.number, rnd.abort, rnd.listing, rnd.parts_remaining)
            # -> 1 aborted no_such_upload 0

            # other bounds than the default (5 rounds, 30 s)
            strict = aios3.VerifyPolicy(max_rounds=10, deadline=120.0)
            try:
                await s3.abort_multipart_upload(
                    Bucket=bucket, Key="big.bin", UploadId=up.upload_id, verify=strict
                )
            except aios3.AbortNotVerifiedError as e:  # parts still listed at the bound
                print("still there:", e.rounds[-1].parts_remaining, "parts")


asyncio.run(main())
