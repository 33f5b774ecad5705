"""The transport interface: how `S3Client` sends a signed request.

`S3Client(transport=...)` takes any object with the two methods of
[`Transport`][aios3.transport.Transport]. [`AiohttpTransport`][aios3.transport.AiohttpTransport]
is the default; `aios3.testing.MockTransport` answers from a function, for tests.
"""

from __future__ import annotations

from ._transport import AiohttpTransport, RawResponse, Transport

__all__ = ["AiohttpTransport", "RawResponse", "Transport"]
