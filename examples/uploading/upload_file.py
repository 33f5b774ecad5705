"""upload_file, a progress callback, and resuming a kept upload (local SeaweedFS)."""

import asyncio
import os
import tempfile
from pathlib import Path

import aios3
from aios3.testing import local_s3_server

MiB = 1024 * 1024


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.bin")
        await asyncio.to_thread(Path(path).write_bytes, os.urandom(20 * MiB))

        async with local_s3_server("seaweedfs") as server:
            bucket = await server.create_bucket()
            async with aios3.S3Client(**server.client_kwargs()) as s3:
                sent = 0

                def progress(n: int) -> None:  # bytes since the last call, as in boto3
                    nonlocal sent
                    sent += n

                r = await s3.upload_file(
                    path,
                    bucket,
                    "big.bin",
                    ExtraArgs={"ContentType": "application/octet-stream", "Metadata": {"a": "1"}},
                    Callback=progress,
                    Config=aios3.TransferConfig(max_concurrency=4),
                )
                print("uploaded:", r.etag, sent, "bytes")  # "...-3": three 8 MiB parts

                # a resumable upload: create it yourself, keep its id, and keep it on failure
                up = await s3.create_multipart_upload(
                    Bucket=bucket, Key="resumable.bin", ChecksumAlgorithm="CRC32"
                )
                keep = aios3.TransferConfig(on_failure="keep")
                try:
                    task = asyncio.ensure_future(
                        s3.upload_file(
                            path, bucket, "resumable.bin", Config=keep, UploadId=up.upload_id
                        )
                    )
                    await asyncio.sleep(0.05)
                    task.cancel()  # the network went away, the process is stopping, ...
                    await task
                except asyncio.CancelledError:
                    print("interrupted; the upload is kept")
                # later, even in another process: the parts already there are skipped
                r = await s3.upload_file(
                    path, bucket, "resumable.bin", Config=keep, UploadId=up.upload_id
                )
                print("resumed and completed:", r.etag)
                left = await s3.list_multipart_uploads(Bucket=bucket)
                print("incomplete uploads left:", len(left.uploads))  # -> 0


asyncio.run(main())
