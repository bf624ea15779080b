"""What the tests that start a real service share: finding its program and a free port on 127.0.0.1.

Locally a test skips when a program is absent; in CI (``CI`` set) it fails, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test with ``reason``; in CI fail it instead (CI must run it)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must install it")
    pytest.skip(reason)


def require_program(program: str, install: str, *, also_in: Path | None = None) -> str:
    """The path of ``program`` (on PATH, or in ``also_in``); ``install`` says how to get it when it is absent."""
    path = shutil.which(program) or (shutil.which(program, path=str(also_in)) if also_in else None)
    if path is None:
        unavailable(f"{program} is not installed ({install})")
    return path


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
