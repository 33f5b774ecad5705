"""Test code that uses aios3, without AWS: a mock transport, botocore's Stubber, injected
faults, and throwaway local S3 servers.

* [`MockTransport`][aios3.testing.MockTransport] answers the client's requests from a
  function, as httpx's `MockTransport`.
* [`Stubber`][aios3.testing.Stubber] queues typed responses and errors per operation, with
  botocore's `Stubber` signatures.
* [`FaultTransport`][aios3.testing.FaultTransport] wraps a transport and injects resets,
  stalls, `503 SlowDown`, truncated and malformed bodies, by rule.
* [`local_s3_server`][aios3.testing.local_s3_server] starts moto's server or SeaweedFS; the
  pytest plugin hands them out as the `aios3_s3_server`, `aios3_bucket` and `aios3_client`
  fixtures. Both need the `testing` extra: `pip install 'aios3[testing]'`.

moto's `mock_aws` does not apply to aios3: it patches botocore's HTTP layer, and aios3
sends with aiohttp.
"""

from __future__ import annotations

from ._faults import (
    ErrorAnswer,
    Fault,
    FaultRule,
    FaultTransport,
    Malformed,
    Reset,
    Stall,
    Truncate,
)
from ._local import ClientKwargs, LocalS3, ServerKind, local_s3_server
from ._mock import Handler, MockRequest, MockResponse, MockTransport
from ._stub import ANY, StubAssertionError, Stubber, StubResponseError, UnStubbedResponseError

__all__ = [
    "ANY",
    "ClientKwargs",
    "ErrorAnswer",
    "Fault",
    "FaultRule",
    "FaultTransport",
    "Handler",
    "LocalS3",
    "Malformed",
    "MockRequest",
    "MockResponse",
    "MockTransport",
    "Reset",
    "ServerKind",
    "Stall",
    "StubAssertionError",
    "StubResponseError",
    "Stubber",
    "Truncate",
    "UnStubbedResponseError",
    "local_s3_server",
]
