"""awscrt's native module, loaded on first use instead of with botocore.

botocore imports awscrt whenever it is installed (`botocore.compat`: `import awscrt.auth`,
`from awscrt.crypto import EC`), and awscrt's modules import its native extension
`_awscrt`, whose initialisation is most of the cost: about 40 ms, a tenth of
`import aios3`, paid by every process whether or not it signs with SigV4a or computes a
CRC32C / CRC64NVME checksum (the only things aios3 needs awscrt for).

`defer()` puts a stand-in for `_awscrt` in `sys.modules` before botocore is imported:
awscrt's Python modules import it and define their classes without calling it, and the
first attribute read on it (the first call into awscrt) loads the real extension, the
way the import system would have (`importlib.util.module_from_spec`, then `exec_module`),
and from then on the stand-in holds the real module's attributes. Nothing changes but
when the extension is loaded. It is not installed when `_awscrt` or awscrt is imported
already, nor when `_awscrt` is not installed. Where aios3 asks for awscrt (SigV4a, the
CRT checksums) it calls `load()` first, so that an awscrt whose extension cannot be
loaded is reported there as missing, as before.
"""

from __future__ import annotations

import sys
import threading
import types
from importlib.machinery import ModuleSpec
from importlib.util import find_spec, module_from_spec

__all__ = ["NAME", "defer", "load"]

NAME = "_awscrt"


class _Deferred(types.ModuleType):
    """Stands in for `_awscrt` until something reads one of its attributes."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self.__file__ = spec.origin
        self._aios3_lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        # only called for a name not in this module's dict: before the load, every name
        return getattr(self._aios3_load(), name)

    def _aios3_load(self) -> types.ModuleType:
        with self._aios3_lock:
            real = sys.modules.get(self.__name__)
            if real is None or real is self:
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                real = module_from_spec(spec)  # the extension's initialisation
                sys.modules[self.__name__] = real
                try:
                    spec.loader.exec_module(real)
                except BaseException:
                    sys.modules[self.__name__] = self
                    raise
                # awscrt's modules hold this object: from now on it reads as the real one
                state = {k: v for k, v in self.__dict__.items() if k.startswith("_aios3_")}
                self.__dict__.update(real.__dict__)
                self.__dict__.update(state)
            return real


def defer() -> None:
    """Put the stand-in in `sys.modules`, when awscrt is installed and not imported yet."""
    if NAME in sys.modules or "awscrt" in sys.modules:
        return
    try:
        spec = find_spec(NAME)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None:
        return
    sys.modules[NAME] = _Deferred(spec)


def load() -> None:
    """Load the real extension now if the stand-in is in its place: an awscrt that cannot
    be loaded raises `ImportError` here, where aios3 asks for awscrt (and says what to
    install), as it did when botocore's import loaded it."""
    module = sys.modules.get(NAME)
    if isinstance(module, _Deferred):
        module._aios3_load()
