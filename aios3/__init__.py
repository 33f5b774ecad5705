"""aios3: a typed async S3 client for asyncio services.

```python
import aios3

async with aios3.S3Client(region_name="eu-west-1") as s3:
    r = await s3.abort_multipart_upload(Bucket="b", Key="k", UploadId="u")
```
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

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
from ._resource import (
    Bucket,
    MultipartUpload,
    MultipartUploadPart,
    Object,
    S3Resource,
)
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
