"""Retry strategies: botocore's standard mode as an object, and the protocol to plug your own.

```python
import aios3
from aios3.retries import StandardRetryStrategy

strategy = StandardRetryStrategy(max_attempts=5)
async with aios3.S3Client(config=aios3.Config(retry_strategy=strategy)) as s3:
    ...
```

See the "Retries" page of the documentation.
"""

from __future__ import annotations

from ._config import RetriesConfig
from ._retry import (
    THROTTLING_CODES,
    TRANSIENT_CODES,
    TRANSIENT_STATUS_CODES,
    ClassifiedError,
    ErrorKind,
    RetryQuota,
    RetryStrategy,
    RetryToken,
    StandardRetryStrategy,
    classify,
)

__all__ = [
    "THROTTLING_CODES",
    "TRANSIENT_CODES",
    "TRANSIENT_STATUS_CODES",
    "ClassifiedError",
    "ErrorKind",
    "RetriesConfig",
    "RetryQuota",
    "RetryStrategy",
    "RetryToken",
    "StandardRetryStrategy",
    "classify",
]
