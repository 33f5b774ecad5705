"""The system CA store, loaded by a TLS context on its first handshake instead of at import.

aiohttp builds two TLS contexts when it is imported (`aiohttp.connector`: a verifying one,
and one for `ssl=False`), and each loads the system's CA store
(`SSLContext.set_default_verify_paths`: OpenSSL parses every certificate of the bundle,
about 150 on a Debian-like system): a sixth of `import aios3` on the development machine,
paid by every process, including one whose requests are all plain http.

`ca_store_on_first_use()` is entered while aios3 imports its dependencies: a context that
asks for the default verify paths in that window records the request, and carries it out
on its first use (a handshake, whether through `wrap_socket` or `wrap_bio`, asyncio's and
uvloop's path, or a look at its store: `get_ca_certs`, `cert_store_stats`). The contexts
keep their class and every setting; nothing changes but when the certificates are read.
Outside that window, and once aiohttp is imported, `ssl` is left as it was.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["ca_store_on_first_use"]

# what reads the store: every handshake goes through one of the first two
_GUARDED = ("_wrap_socket", "_wrap_bio", "get_ca_certs", "cert_store_stats")
_LOCK = threading.Lock()


@contextmanager
def ca_store_on_first_use() -> Iterator[None]:
    """While entered, `SSLContext.set_default_verify_paths()` is carried out on the
    context's first use instead (see the module docstring)."""
    cls = ssl.SSLContext
    if "set_default_verify_paths" in vars(cls):  # replaced by someone else: left alone
        yield
        return
    # what the class does outside the window (the C method, or a base class's replacement):
    # taken now, since `ssl.SSLContext` itself may be replaced later (truststore's
    # `inject_into_ssl()`), and a context's first use must still read the store
    load_store = cls.set_default_verify_paths
    importing = threading.get_ident()
    pending: list[ssl.SSLContext] = []

    def set_default_verify_paths(self: ssl.SSLContext) -> None:
        if threading.get_ident() != importing:  # another thread's context: read it now
            load_store(self)
            return
        pending.append(self)

    cls.set_default_verify_paths = set_default_verify_paths  # type: ignore[method-assign]
    try:
        yield
    finally:
        del cls.set_default_verify_paths
        for context in pending:
            _load_on_first_use(context, load_store)


def _load_on_first_use(
    context: ssl.SSLContext, load_store: Callable[[ssl.SSLContext], None]
) -> None:
    loaded = False

    def load() -> None:
        nonlocal loaded
        with _LOCK:
            if not loaded:
                load_store(context)
                loaded = True
                for name in _GUARDED:  # from now on the class's methods, directly
                    vars(context).pop(name, None)

    def guard(name: str) -> Callable[..., object]:
        method = getattr(type(context), name)

        def guarded(*args: object, **kwargs: object) -> object:
            load()
            return method(context, *args, **kwargs)

        return guarded

    for name in _GUARDED:
        vars(context)[name] = guard(name)
