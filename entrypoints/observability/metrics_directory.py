"""The directory where every process of one server writes its metrics, summed at scrape time.

prometheus-client decides when it is first imported whether it writes to files, from
PROMETHEUS_MULTIPROC_DIR, so the directory is made, and the variable set, before any
process that records metrics imports it. This module therefore imports nothing of it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def directory() -> str | None:
    """The directory this process's metrics are written to, if they are written to files."""
    return os.environ.get(VARIABLE) or None


def prepare(env: MutableMapping[str, str]) -> tuple[Path, bool]:
    """Names the directory in `env` and in this process's environment; True if made here.

    A directory the operator names is emptied: files from an earlier run would be summed
    with this one's. Otherwise a fresh temporary one is made.
    """
    given = env.get(VARIABLE) or os.environ.get(VARIABLE)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        made = False
    else:
        path = Path(tempfile.mkdtemp(prefix="accredit-metrics-"))
        made = True
    env[VARIABLE] = os.environ[VARIABLE] = str(path)
    return path, made


@contextmanager
def metrics_directory(env: MutableMapping[str, str]) -> Iterator[Path]:
    """A directory for the metrics of the processes started with `env`, removed if made."""
    path, made = prepare(env)
    try:
        yield path
    finally:
        if made:
            shutil.rmtree(path, ignore_errors=True)
