"""Keeps the test suite independent of the developer's environment (a pytest plugin).

Loaded from ``tests/conftest.py`` through ``pytest_plugins``. Without it a developer with
``AWS_USE_DUALSTACK_ENDPOINT=true``, ``AWS_REGION``, ``AWS_PROFILE``, a proxy or a shared
config file of their own in their shell sees tests fail (or pass) for reasons that have
nothing to do with the code.

* Every ``AWS_*`` variable and every ``*_proxy`` variable (any case: ``HTTP_PROXY``,
  ``https_proxy``, ``NO_PROXY``, ``ALL_PROXY``, ... as ``urllib.request.getproxies`` reads
  them) is removed.
* ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE`` point at empty files, so no
  profile, region, credential or endpoint of the developer's ``~/.aws`` is read.
* ``AWS_EC2_METADATA_DISABLED=true``: on a cloud machine the instance role would otherwise
  answer the credential chain (and elsewhere the chain waits for a metadata service that
  is not there).

It is done twice: once for the whole session, before any session fixture starts a server
(launchers and the moto subprocess inherit the clean environment), and again around every
test through ``monkeypatch``, so a test that sets a variable on purpose (``monkeypatch.setenv``
in ``tests/unit/test_config.py``) gets it for itself and the next test starts clean again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

#: set in the clean environment (the config files are added per session)
FIXED = {"AWS_EC2_METADATA_DISABLED": "true"}


def is_foreign(name: str) -> bool:
    """A variable the developer's environment must not pass to a test."""
    return name.upper().startswith("AWS_") or name.lower().endswith("_proxy")


def _scrub(mp: pytest.MonkeyPatch, config_dir: Path) -> None:
    for name in list(os.environ):
        if is_foreign(name):
            mp.delenv(name)
    mp.setenv("AWS_CONFIG_FILE", str(config_dir / "config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config_dir / "credentials"))
    for name, value in FIXED.items():
        mp.setenv(name, value)


@pytest.fixture(scope="session", autouse=True)
def _isolated_session_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The clean environment for the session, and the empty config files (returned)."""
    config_dir = tmp_path_factory.mktemp("aws-config")
    (config_dir / "config").write_text("")
    (config_dir / "credentials").write_text("")
    with pytest.MonkeyPatch.context() as mp:
        _scrub(mp, config_dir)
        yield config_dir


@pytest.fixture(autouse=True)
def _isolated_environment(
    _isolated_session_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test starts from the clean environment, whatever an earlier test left behind."""
    _scrub(monkeypatch, _isolated_session_environment)
