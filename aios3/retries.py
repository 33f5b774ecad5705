"""Retry strategies: botocore's standard, legacy and adaptive modes as objects, and the
protocol to plug your own.

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
    ADAPTIVE_THROTTLING_CODES,
    LEGACY_RETRYABLE_CODES,
    LEGACY_RETRYABLE_STATUS_CODES,
    RETRY_MODES,
    THROTTLING_CODES,
    TRANSIENT_CODES,
    TRANSIENT_STATUS_CODES,
    AdaptiveRetryStrategy,
    ClassifiedError,
    ClientRateLimiter,
    ErrorKind,
    LegacyRetryStrategy,
    RetryMode,
    RetryQuota,
    RetryStrategy,
    RetryToken,
    StandardRetryStrategy,
    classify,
    strategy_for,
)

__all__ = [
    "ADAPTIVE_THROTTLING_CODES",
    "LEGACY_RETRYABLE_CODES",
    "LEGACY_RETRYABLE_STATUS_CODES",
    "RETRY_MODES",
    "THROTTLING_CODES",
    "TRANSIENT_CODES",
    "TRANSIENT_STATUS_CODES",
    "AdaptiveRetryStrategy",
    "ClassifiedError",
    "ClientRateLimiter",
    "ErrorKind",
    "LegacyRetryStrategy",
    "RetriesConfig",
    "RetryMode",
    "RetryQuota",
    "RetryStrategy",
    "RetryToken",
    "StandardRetryStrategy",
    "classify",
    "strategy_for",
]
