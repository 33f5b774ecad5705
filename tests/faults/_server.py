"""A real-socket fault server for the fault tests: each connection gets one `Behaviour`,
from a script, and the server counts the connections it accepted and the requests whose
head it read.

```python
async with FaultServer([ResetBeforeHeaders(), Answer(204)]) as srv:
    ...  # srv.url; srv.connections == 2 and srv.requests == ["DELETE", "DELETE"] after
```

A behaviour acts at one phase of an HTTP exchange:

| behaviour | the client is | it sees |
| --- | --- | --- |
| `ResetOnAccept` | connecting (TLS handshake) or writing its request | a reset |
| `StallOnAccept` | connecting (TLS handshake) or writing its request | silence |
| `ResetWhileReceiving` | writing the body (the head was read) | a reset |
| `StopReading` | writing the body (the server stops reading it) | a full socket |
| `ResetBeforeHeaders` | waiting for the answer's head (the request was read whole) | a reset |
| `StallBeforeHeaders` | waiting for the answer's head | silence |
| `ResetInBody` | reading the answer's body (part of it came) | a reset |
| `StallInBody` | reading the answer's body (part of it came) | silence |
| `Answer` | done: a whole answer, on a keep-alive connection | the answer |

Also here: `certificates()` (a private CA and a certificate for 127.0.0.1) and
`TLSServer`, which answers 204 over TLS with such a certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Answer:
    """A whole answer; the connection stays open for the next request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class ResetOnAccept:
    """RST as soon as the connection is accepted (after `read` bytes, if any arrive)."""

    read: int = 0


@dataclass(frozen=True)
class StallOnAccept:
    """Accept, then neither read nor write until the server closes."""


@dataclass(frozen=True)
class ResetWhileReceiving:
    """Read the head and `read` bytes of the body, then RST."""

    read: int = 1024


@dataclass(frozen=True)
class StopReading:
    """Read the head and `read` bytes of the body, then stop reading (and never answer)."""

    read: int = 1024


@dataclass(frozen=True)
class ResetBeforeHeaders:
    """Read the whole request, then RST without a byte of answer."""


@dataclass(frozen=True)
class StallBeforeHeaders:
    """Read the whole request, then never answer."""


@dataclass(frozen=True)
class ResetInBody:
    """Send the head (`Content-Length: length`) and `sent` bytes of the body, then RST."""

    status: int = 200
    length: int = 1000
    sent: int = 100


@dataclass(frozen=True)
class StallInBody:
    """Send the head (`Content-Length: length`) and `sent` bytes of the body, then stall."""

    status: int = 200
    length: int = 1000
    sent: int = 100


@dataclass(frozen=True)
class Pipe:
    """Relay the connection, both ways, to `port` on 127.0.0.1 (e.g. a `TLSServer`)."""

    port: int


Behaviour = (
    Answer
    | Pipe
    | ResetOnAccept
    | StallOnAccept
    | ResetWhileReceiving
    | StopReading
    | ResetBeforeHeaders
    | StallBeforeHeaders
    | ResetInBody
    | StallInBody
)
Script = Sequence[Behaviour] | Callable[[int], Behaviour]


def _rst(writer: asyncio.StreamWriter) -> None:
    """Abort the connection with a TCP RST ("connection reset by peer")."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultServer:
    """HTTP/1.1 on 127.0.0.1 that misbehaves by script.

    Args:
        script: the behaviour of each request, in order (a list; past its end the last
            one repeats), or a function of the request's index (0, 1, ...). Behaviours that
            act before a request head is read (`ResetOnAccept`, `StallOnAccept`) take the
            connection's turn instead.
        tls: an `ssl.SSLContext` to serve HTTPS with.

    Attributes:
        connections: TCP connections accepted.
        requests: the method of each request whose head was read, in order.
        bodies: the bytes of each request body read (whole or in part).
    """

    def __init__(self, script: Script = (Answer(204),), *, tls: ssl.SSLContext | None = None):
        self._script = script
        self._tls = tls
        self.connections = 0
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self._turn = 0
        self._release = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    def _next(self) -> Behaviour:
        n = self._turn
        self._turn += 1
        if callable(self._script):
            return self._script(n)
        return self._script[min(n, len(self._script) - 1)]

    async def __aenter__(self) -> FaultServer:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", 0, ssl=self._tls, limit=1 << 16
        )
        scheme = "https" if self._tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._release.set()
        self._server.close()
        for w in list(self._writers):
            w.transport.abort()
        await self._server.wait_closed()
        await asyncio.sleep(0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            peek = self._peek()
            if isinstance(peek, Pipe):
                self._next()
                await self._pipe(reader, writer, peek.port)
                return
            if isinstance(peek, ResetOnAccept | StallOnAccept):
                self._next()
                if isinstance(peek, ResetOnAccept):
                    if peek.read:
                        await reader.read(peek.read)
                    _rst(writer)
                else:
                    await self._release.wait()
                return
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed a kept-alive connection
            act = self._next()
            self.requests.append(head.split(b" ", 1)[0].decode("latin-1"))
            length = 0
            expect = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                elif name.strip().lower() == b"expect":
                    expect = value.strip().lower() == b"100-continue"
            if expect:  # as S3 and the real servers do, before reading the body
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if isinstance(act, ResetWhileReceiving | StopReading):
                self.bodies.append(await reader.read(min(act.read, length)) if length else b"")
                if isinstance(act, ResetWhileReceiving):
                    _rst(writer)
                else:
                    await self._release.wait()
                return
            self.bodies.append(await reader.readexactly(length) if length else b"")
            if isinstance(act, ResetBeforeHeaders):
                _rst(writer)
                return
            if isinstance(act, StallBeforeHeaders):
                await self._release.wait()
                return
            if isinstance(act, ResetInBody | StallInBody):
                writer.write(
                    f"HTTP/1.1 {act.status} X\r\nContent-Length: {act.length}\r\n"
                    "Content-Type: application/xml\r\n\r\n".encode()
                    + b"<" * act.sent
                )
                await writer.drain()
                if isinstance(act, ResetInBody):
                    await asyncio.sleep(0.05)  # the head and bytes reach the client first
                    _rst(writer)
                else:
                    await self._release.wait()
                return
            assert isinstance(act, Answer)
            lines = [f"HTTP/1.1 {act.status} X", f"x-amz-request-id: req-{len(self.requests)}"]
            headers = {"Content-Length": str(len(act.body)), **act.headers}
            lines += [f"{k}: {v}" for k, v in headers.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + act.body)
            await writer.drain()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int
    ) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)

        async def relay(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(1 << 16):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        try:
            await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer))
        finally:
            up_writer.transport.abort()

    def _peek(self) -> Behaviour:
        if callable(self._script):
            return self._script(self._turn)
        return self._script[min(self._turn, len(self._script) - 1)]


# ---------------------------------------------------------------- TLS


def certificates(tmp: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 that it signed: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def build(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool) -> x509.Certificate:
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if ca:
            b = b.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            b = b.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            ).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        return b.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("aios3 test CA", ca_key, "aios3 test CA", ca_key, ca=True)
    leaf = build("127.0.0.1", leaf_key, "aios3 test CA", ca_key, ca=False)
    paths = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server-side TLS context with `cert` and `key`."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class TLSServer:
    """HTTPS on 127.0.0.1 with a certificate of a private CA; answers 204 to each request
    and counts the TCP connections it accepted (handshakes that failed included)."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.ctx = server_context(cert, key)
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None
        self.port = 0
        self.url = ""

    async def __aenter__(self) -> TLSServer:
        server = self

        class Answer204(asyncio.Protocol):
            def __init__(self) -> None:
                server.connections += 1  # at accept time, before the handshake
                self.data = b""

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def data_received(self, data: bytes) -> None:
                self.data += data
                while b"\r\n\r\n" in self.data:
                    _, _, self.data = self.data.partition(b"\r\n\r\n")
                    self.transport.write(  # type: ignore[attr-defined]
                        b"HTTP/1.1 204 No Content\r\nx-amz-request-id: r\r\n\r\n"
                    )

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(Answer204, "127.0.0.1", 0, ssl=self.ctx)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
