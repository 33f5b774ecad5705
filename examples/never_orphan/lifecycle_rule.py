"""The server-side safety net: a lifecycle rule that aborts stale uploads (local SeaweedFS)."""

import asyncio

import aios3
from aios3.testing import local_s3_server


async def main() -> None:
    async with local_s3_server("seaweedfs") as server:
        bucket = await server.create_bucket()
        async with aios3.S3Client(**server.client_kwargs()) as s3:
            # a rule someone else wrote: the helper keeps it
            await s3.put_bucket_lifecycle_configuration(
                Bucket=bucket,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "logs",
                            "Filter": {"Prefix": "logs/"},
                            "Status": "Enabled",
                            "Expiration": {"Days": 30},
                        },
                    ]
                },
            )

            # uploads still incomplete 7 days after they started are aborted by S3
            r = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=7)
            print(r.action, r.rule.id, [rule.id for rule in r.rules])
            # -> added aios3-abort-incomplete-uploads ['logs', 'aios3-abort-incomplete-uploads']

            r = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=7)
            print(r.action)  # -> unchanged (nothing was written)

            # another prefix, sooner: a rule of its own
            r = await s3.ensure_abort_incomplete_uploads_rule(Bucket=bucket, days=1, prefix="tmp/")
            print(r.action, r.rule.id)  # -> added aios3-abort-incomplete-uploads-tmp/

            try:
                await s3.get_bucket_lifecycle_configuration(Bucket=await server.create_bucket())
            except s3.exceptions.NoSuchLifecycleConfiguration:
                print("a new bucket has no lifecycle configuration")


asyncio.run(main())
