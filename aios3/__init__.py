"""aios3: a typed async S3 client for asyncio services.

```python
import aios3

async with aios3.S3Client(region_name="eu-west-1") as s3:
    r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
```
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

import gc as _gc
from typing import TYPE_CHECKING

# The cyclic garbage collector is paused while aios3 and its dependencies are imported:
# importing them allocates hundreds of thousands of long-lived objects (classes, schemas,
# botocore's and aiohttp's tables), and the full collections that this triggers, each
# walking every object made so far, were a quarter of `import aios3`. Nothing collectable
# is made here; the collector is back on (unless it was off already) before this returns.
_gc_was_enabled = _gc.isenabled()
_gc.disable()
try:
    from . import _native, _tls

    _native.defer()  # awscrt's native module, which botocore imports, loads on first use
    # aiohttp's import-time TLS contexts read the CA store on their first handshake
    with _tls.ca_store_on_first_use():
        from . import errors, models, retries, transport
        from ._client import (
            ListMultipartUploadsPaginator,
            ListPartsPaginator,
            PaginationConfig,
            S3Client,
        )
    from ._config import Config
    from ._endpoints import ResolvedEndpoint
    from ._orphans import VerifyPolicy
    from ._paginate import PageIterator
    from ._retry import RetryStrategy, StandardRetryStrategy
    from ._sweep import SweepEvent, SweepFailure, SweepReport
    from ._transfer import TransferConfig, UploadExtraArgs
    from ._transport import AiohttpTransport, RawResponse, Transport
    from ._upload import ManagedUpload
    from .errors import (
        AbortNotVerifiedError,
        AccessDenied,
        Aios3Error,
        ClientError,
        EndpointResolutionError,
        NoCredentialsError,
        NoSuchUpload,
        ParamValidationError,
        SweepListingError,
        TransportError,
    )
finally:
    # What the imports made survives them: instead of letting the first collection after
    # this walk all of it (a young collection over every object allocated here, about a
    # tenth of `import aios3`) only to find it alive, it is moved to the oldest generation
    # unwalked (freeze, then unfreeze: two list splices). Garbage among it is still
    # collected, by the next full collection. Skipped when the process has frozen objects
    # of its own (a pre-fork server's `gc.freeze()`): unfreeze would thaw them too.
    if _gc.get_freeze_count() == 0:
        _gc.freeze()
        _gc.unfreeze()
    if _gc_was_enabled:
        _gc.enable()
    del _gc_was_enabled

if TYPE_CHECKING:  # imported on first use (see __getattr__), to keep `import aios3` short
    from ._resource import Bucket, MultipartUpload, MultipartUploadPart, Object, S3Resource

# what is imported on first use: the resource style (a client, or the command line, never
# loads it)
_LAZY = {
    "Bucket": "_resource",
    "MultipartUpload": "_resource",
    "MultipartUploadPart": "_resource",
    "Object": "_resource",
    "S3Resource": "_resource",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aios3' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AbortNotVerifiedError",
    "AccessDenied",
    "AiohttpTransport",
    "Aios3Error",
    "Bucket",
    "ClientError",
    "Config",
    "EndpointResolutionError",
    "ListMultipartUploadsPaginator",
    "ListPartsPaginator",
    "ManagedUpload",
    "MultipartUpload",
    "MultipartUploadPart",
    "NoCredentialsError",
    "NoSuchUpload",
    "Object",
    "PageIterator",
    "PaginationConfig",
    "ParamValidationError",
    "RawResponse",
    "ResolvedEndpoint",
    "RetryStrategy",
    "S3Client",
    "S3Resource",
    "StandardRetryStrategy",
    "SweepEvent",
    "SweepFailure",
    "SweepListingError",
    "SweepReport",
    "TransferConfig",
    "Transport",
    "TransportError",
    "UploadExtraArgs",
    "VerifyPolicy",
    "__version__",
    "errors",
    "models",
    "retries",
    "transport",
]
