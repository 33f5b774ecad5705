"""Run code that uses aios3 against a real local S3 server (needs `aios3[testing]`)."""

import asyncio

import aios3
from aios3.testing import local_s3_server


async def main() -> None:
    async with local_s3_server("moto") as server:  # or "seaweedfs": checks signatures
        bucket = await server.create_bucket()  # a fresh bucket, deleted at the end
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            upload = await s3.create_multipart_upload(Bucket=bucket, Key="k")
            await s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload.upload_id)


if __name__ == "__main__":
    asyncio.run(main())
