"""An upload that completes on success and aborts itself on any failure (local SeaweedFS)."""

import asyncio
import io

import aios3
from aios3.testing import local_s3_server

MiB = 1024 * 1024


async def main() -> None:
    async with local_s3_server("seaweedfs") as server:
        bucket = await server.create_bucket()
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            data = io.BytesIO(b"x" * (12 * MiB))  # any binary file object, bytes, or async
            async with s3.multipart_upload(Bucket=bucket, Key="big.bin") as mpu:
                await mpu.upload_parts(data, part_size=5 * MiB, concurrency=4)
            assert mpu.result is not None
            print("completed:", mpu.result.etag, len(mpu.parts), "parts")

            # any exception (or a cancellation) inside the block aborts the upload,
            # verifies that nothing is left, and re-raises the exception unchanged
            try:
                async with s3.multipart_upload(Bucket=bucket, Key="broken.bin") as mpu:
                    await mpu.upload_part(1, b"first part")
                    raise RuntimeError("the source went away")
            except RuntimeError as e:
                assert mpu.aborted is not None
                print("aborted after:", e)

            left = await s3.list_multipart_uploads(Bucket=bucket)
            print("incomplete uploads left:", len(left.uploads))  # -> 0


asyncio.run(main())
