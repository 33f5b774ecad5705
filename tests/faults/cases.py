"""The fault matrix: one row per fault, the single source of `test_fault_matrix.py` (which
runs every row against the operations it names) and of the tables in
`docs/reliability.md` (`python -m tests.faults.gen_reliability` renders them;
`tests/unit/test_reliability_docs.py` fails when the page differs).

Every row runs with `Config(connect_timeout=T, read_timeout=T)` (`T = TIMEOUT`) and a
`StandardRetryStrategy(row.attempts)` whose backoff does not wait, so a row's time bound is
about its timeouts, not the backoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aios3.errors import (
    Aios3Error,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoSuchUpload,
    ReadTimeoutError,
    ResponseParseError,
    SSLCertVerificationError,
    WriteTimeoutError,
)
from aios3.testing import ErrorAnswer, Fault, Malformed, Truncate
from tests.faults._server import (
    Answer,
    Behaviour,
    ResetBeforeHeaders,
    ResetInBody,
    ResetOnAccept,
    ResetWhileReceiving,
    StallBeforeHeaders,
    StallInBody,
    StallOnAccept,
    StopReading,
)

TIMEOUT = 0.3
"""connect_timeout and read_timeout of every row, in seconds."""
SLACK = 3.0
"""Added to each row's time bound: the machine may be busy."""

Op = Literal["abort", "upload_part", "list_parts", "complete"]
ALL: tuple[Op, ...] = ("abort", "upload_part", "list_parts", "complete")
WITH_BODY: tuple[Op, ...] = ("upload_part", "complete")
ANSWER_BODY: tuple[Op, ...] = ("list_parts", "complete")
METHOD_NAMES: dict[Op, str] = {
    "abort": "abort_multipart_upload",
    "upload_part": "upload_part",
    "list_parts": "list_parts",
    "complete": "complete_multipart_upload",
}

UPLOAD_SIZE = 8 << 20
"""upload_part's body: 8 MiB, more than the socket buffers hold."""

# ---------------------------------------------------------------- bodies

NESTED = (
    b"<ListPartsResult><Part><PartNumber>1</PartNumber>"
    + b"<a>" * 10_000
    + b"</a>" * 10_000
    + b"</Part></ListPartsResult>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    b"<ListPartsResult><Bucket>&lol4;</Bucket></ListPartsResult>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<CompleteMultipartUploadResult><ETag>&x;</ETag></CompleteMultipartUploadResult>"
)
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>'
    b"<ListPartsResult/>"
)
BOMB_IN_ERROR = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<Error><Code>SlowDown</Code><Message>&lol2;</Message></Error>"
)
ERROR_IN_200 = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message>"
    b"<RequestId>R200</RequestId></Error>"
)
NO_SUCH_UPLOAD_IN_200 = ERROR_IN_200.replace(b"InternalError", b"NoSuchUpload")
HTML = b"<html><body><h1>Welcome to the proxy</h1></body></html>"
GOOD = Answer(0)
"""In a `server` script: the operation's own good answer."""
OVERSIZED_CAP = 4096
"""`Config(max_response_bytes=...)` of the oversized rows (the default is 16 MiB)."""


@dataclass(frozen=True)
class FaultCase:
    """One fault, and what a caller sees for each operation it applies to.

    Attributes:
        id: the test id.
        fault: what goes wrong, for the docs.
        phase: when, in the exchange (connecting, writing, before headers, body, answer).
        ops: the operations it is run against.
        outcome: the error class the caller gets, or `None`: the call recovers and
            returns the right result.
        requests: how many requests (or, with `counts="connections"`, TCP connections)
            reach the server.
        attempts: `max_attempts`.
        bound: the most the call may take, in seconds (before `SLACK`).
        least: the least it must take (a timeout must be waited for), in seconds.
        server: the socket server's script, one behaviour per request (the last repeats).
        https: the client connects with `https://` (to the plain-TCP `server`, so that
            the fault hits the TLS handshake), or `"self-signed"`: to a TLS server with a
            certificate the client does not trust.
        refused: nothing listens on the port.
        rules: for the `FaultTransport` rows, `(fault, times)` rules over a
            `MockTransport` that answers each operation correctly.
        code: the `ClientError.code` expected.
        max_response_bytes: a smaller cap than the default, for the oversized rows.
        note: a remark for the docs.
    """

    id: str
    fault: str
    phase: str
    ops: tuple[Op, ...]
    outcome: type[Aios3Error] | None
    requests: int
    attempts: int = 2
    bound: float = 1.0
    least: float = 0.0
    counts: Literal["requests", "connections"] = "requests"
    server: tuple[Behaviour, ...] = ()
    https: Literal[False, True, "self-signed"] = False
    refused: bool = False
    rules: tuple[tuple[Fault, int | None], ...] = ()
    code: str | None = None
    max_response_bytes: int | None = None
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def via(self) -> str:
        return "FaultTransport" if self.rules else "socket"


def _stall(n: int) -> dict[str, float]:
    """`least` and `bound` for `n` attempts that each wait out one timeout."""
    return {"least": n * TIMEOUT * 0.9, "bound": n * TIMEOUT + 1.0}


CASES: list[FaultCase] = [
    # ------------------------------------------------------------ connecting
    FaultCase(
        "refused",
        "connection refused (nothing listens)",
        "connecting",
        ALL,
        EndpointConnectionError,
        0,
        refused=True,
        counts="connections",
    ),
    FaultCase(
        "reset-in-tls-handshake",
        "reset during the TLS handshake",
        "connecting",
        ALL,
        EndpointConnectionError,
        2,
        server=(ResetOnAccept(read=1),),
        https=True,
        counts="connections",
    ),
    FaultCase(
        "stall-in-tls-handshake",
        "the server never answers the TLS handshake",
        "connecting",
        ALL,
        ConnectTimeoutError,
        2,
        **_stall(2),
        server=(StallOnAccept(),),
        https=True,
        counts="connections",
    ),
    FaultCase(
        "self-signed",
        "self-signed / untrusted TLS certificate",
        "connecting",
        ALL,
        SSLCertVerificationError,
        1,
        attempts=3,
        https="self-signed",
        counts="connections",
        note="not retried: it would fail the same way",
    ),
    # ------------------------------------------------------------ writing the request
    FaultCase(
        "reset-on-accept",
        "reset as soon as the connection is accepted",
        "writing the request",
        ALL,
        EndpointConnectionError,
        2,
        server=(ResetOnAccept(),),
        counts="connections",
    ),
    FaultCase(
        "reset-while-writing-body",
        "reset after 1 KiB of the request body",
        "writing the body",
        WITH_BODY,
        EndpointConnectionError,
        2,
        server=(ResetWhileReceiving(),),
    ),
    FaultCase(
        "server-stops-reading-upload",
        "the server stops reading the 8 MiB body",
        "writing the body",
        ("upload_part",),
        WriteTimeoutError,
        2,
        **_stall(2),
        server=(StopReading(),),
        note="a `ReadTimeoutError` too, retried as a timeout",
    ),
    FaultCase(
        "server-stops-reading-small-body",
        "the server stops reading (the small body fits the socket buffers)",
        "writing the body",
        ("complete",),
        ReadTimeoutError,
        2,
        **_stall(2),
        server=(StopReading(read=10),),
    ),
    # ------------------------------------------------------------ waiting for the answer
    FaultCase(
        "reset-before-headers",
        "reset after the whole request was read, before the answer",
        "before headers",
        ALL,
        EndpointConnectionError,
        2,
        server=(ResetBeforeHeaders(),),
        note="aiohttp's own resend of idempotent requests is off: one request per attempt",
    ),
    FaultCase(
        "reset-before-headers-then-ok",
        "one reset before the answer, then a good answer",
        "before headers",
        ALL,
        None,
        2,
        server=(ResetBeforeHeaders(), GOOD),
    ),
    FaultCase(
        "stall-before-headers",
        "the server never answers",
        "before headers",
        ALL,
        ReadTimeoutError,
        2,
        **_stall(2),
        server=(StallBeforeHeaders(),),
    ),
    FaultCase(
        "stall-before-headers-then-ok",
        "one answer that never comes, then a good answer",
        "before headers",
        ALL,
        None,
        2,
        **_stall(1),
        server=(StallBeforeHeaders(), GOOD),
    ),
    # ------------------------------------------------------------ reading the body
    FaultCase(
        "reset-in-body",
        "reset after 100 of 1000 body bytes",
        "reading the body",
        ALL,
        EndpointConnectionError,
        2,
        server=(ResetInBody(),),
    ),
    FaultCase(
        "stall-in-body",
        "the server stops after 100 of 1000 body bytes",
        "reading the body",
        ALL,
        ReadTimeoutError,
        2,
        **_stall(2),
        server=(StallInBody(),),
    ),
    # ------------------------------------------------------------ redirects
    FaultCase(
        "redirect-302",
        "302 Found with a Location to another host",
        "answer",
        ALL,
        ClientError,
        1,
        attempts=3,
        server=(Answer(302, {"Location": "http://127.0.0.1:9/elsewhere"}),),
        code="302",
        note="not followed: it would lose the signature",
    ),
    FaultCase(
        "redirect-307",
        "307 TemporaryRedirect (S3's error body) with a Location",
        "answer",
        ALL,
        ClientError,
        1,
        attempts=3,
        server=(
            Answer(
                307,
                {"Location": "http://127.0.0.1:9/elsewhere"},
                b"<Error><Code>TemporaryRedirect</Code><Message>Please re-send</Message>"
                b"<Endpoint>elsewhere</Endpoint></Error>",
            ),
        ),
        code="TemporaryRedirect",
        note="not followed",
    ),
    # ------------------------------------------------------------ 5xx and SlowDown storms
    FaultCase(
        "slowdown-then-ok",
        "503 SlowDown twice, then the answer",
        "answer",
        ALL,
        None,
        3,
        attempts=3,
        rules=((ErrorAnswer(), 2),),
    ),
    FaultCase(
        "slowdown-storm",
        "503 SlowDown on every attempt",
        "answer",
        ALL,
        ClientError,
        3,
        attempts=3,
        rules=((ErrorAnswer(), None),),
        code="SlowDown",
    ),
    FaultCase(
        "500-then-ok",
        "500 InternalError once, then the answer",
        "answer",
        ALL,
        None,
        2,
        rules=((ErrorAnswer(500, "InternalError", "We encountered an internal error."), 1),),
    ),
    FaultCase(
        "503-storm-socket",
        "503 ServiceUnavailable on every attempt (real socket)",
        "answer",
        ALL,
        ClientError,
        4,
        attempts=4,
        server=(
            Answer(503, {}, b"<Error><Code>ServiceUnavailable</Code><Message>m</Message></Error>"),
        ),
        code="ServiceUnavailable",
    ),
    FaultCase(
        "501",
        "501 NotImplemented",
        "answer",
        ALL,
        ClientError,
        1,
        attempts=3,
        rules=((ErrorAnswer(501, "NotImplemented", "no"), None),),
        code="NotImplemented",
        note="not a transient status: not retried",
    ),
    # ------------------------------------------------------------ errors inside a 200
    FaultCase(
        "error-in-200-then-ok",
        "200 with an `<Error>` body (InternalError) once, then the answer",
        "answer",
        ALL,
        None,
        2,
        rules=((Malformed(ERROR_IN_200, status=200), 1),),
    ),
    FaultCase(
        "error-in-200-storm",
        "200 with an `<Error>` body (NoSuchUpload) on every attempt",
        "answer",
        ALL,
        NoSuchUpload,
        3,
        attempts=3,
        rules=((Malformed(NO_SUCH_UPLOAD_IN_200, status=200), None),),
        code="NoSuchUpload",
        note="retried as botocore does (it takes the answer for a 500), whatever the code",
    ),
    # ------------------------------------------------------------ bodies
    FaultCase(
        "truncated-undetected",
        "answer body cut after 20 bytes, length not checked (close-delimited)",
        "reading the body",
        ANSWER_BODY,
        ResponseParseError,
        1,
        attempts=3,
        rules=((Truncate(20), None),),
    ),
    FaultCase(
        "truncated-detected",
        "answer body shorter than its Content-Length",
        "reading the body",
        ALL,
        EndpointConnectionError,
        3,
        attempts=3,
        rules=((Truncate(5, detected=True), None),),
    ),
    FaultCase(
        "malformed-xml",
        "XML that never closes",
        "answer",
        ALL,
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(), None),),
        note="not retried (botocore retries a malformed 200 as a 500)",
    ),
    FaultCase(
        "html-200",
        "200 with an HTML page (a proxy's)",
        "answer",
        ("complete",),
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(HTML), None),),
        note="not taken for a completed upload",
    ),
    FaultCase(
        "deeply-nested",
        "10 000 nested elements in a `<Part>`",
        "answer",
        ("list_parts",),
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(NESTED), None),),
    ),
    FaultCase(
        "oversized",
        f"answer larger than `max_response_bytes` ({OVERSIZED_CAP} here)",
        "answer",
        ALL,
        ResponseParseError,
        1,
        attempts=3,
        rules=(
            (Malformed(b"<ListPartsResult>" + b" " * OVERSIZED_CAP + b"</ListPartsResult>"), None),
        ),
        max_response_bytes=OVERSIZED_CAP,
        note="refused unparsed, not retried",
    ),
    FaultCase(
        "billion-laughs",
        "billion laughs (nested entity expansion)",
        "answer",
        ALL,
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(BILLION_LAUGHS), None),),
        note="defusedxml refuses the entities; nothing is expanded",
    ),
    FaultCase(
        "external-entity",
        "external entity (`file:///etc/passwd`)",
        "answer",
        ALL,
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(EXTERNAL_ENTITY), None),),
        note="never resolved",
    ),
    FaultCase(
        "parameter-entity",
        "external parameter entity (`http://...`)",
        "answer",
        ALL,
        ResponseParseError,
        1,
        attempts=3,
        rules=((Malformed(PARAMETER_ENTITY), None),),
        note="never fetched",
    ),
    FaultCase(
        "bomb-in-503",
        "503 whose `<Error>` body is an entity bomb",
        "answer",
        ALL,
        ClientError,
        2,
        rules=((Malformed(BOMB_IN_ERROR, status=503), None),),
        code="503",
        note="the body is not read; the status decides (retried)",
    ),
]


@dataclass(frozen=True)
class CancelCase:
    """A call cancelled while a fault holds it; the next call on the same client must
    succeed at its first attempt.

    Attributes:
        server: the behaviour of the cancelled call's first request (or, with `https`,
            connection); the next one is answered.
        https: the client connects over TLS (the fault holds the handshake).
    """

    id: str
    when: str
    server: Behaviour
    op: Op = "upload_part"
    https: bool = False


CANCELS: list[CancelCase] = [
    CancelCase("in-tls-handshake", "in the TLS handshake", StallOnAccept(), "abort", True),
    CancelCase("writing-body", "while the server does not read the body", StopReading()),
    CancelCase("before-headers", "while waiting for the answer", StallBeforeHeaders()),
    CancelCase("in-body", "while reading the answer's body", StallInBody(), "list_parts"),
    CancelCase("in-backoff", "in the backoff between two attempts", Answer(503), "complete"),
]
