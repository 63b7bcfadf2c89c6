"""Gunicorn settings, derived from the same ACCREDIT_* settings as everything else."""

from __future__ import annotations

import os
import shutil
from typing import Any

from adapters.settings import Settings
from entrypoints.http import server_errors
from entrypoints.observability.metrics_directory import VARIABLE, prepare

_settings = Settings.from_env()
# gunicorn's own answers (request line or headers too long, a malformed request) are
# problem documents too.
server_errors.install()

# Every worker writes its metrics to files in one directory, summed by whichever worker
# is scraped. `accredit serve` names it; gunicorn started alone makes its own, before any
# worker is forked (and so before any imports prometheus_client), and removes it on exit.
_made_metrics_dir = None
if not os.environ.get(VARIABLE):
    _path, _made = prepare(os.environ)
    _made_metrics_dir = _path if _made else None

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
threads = _settings.threads
worker_class = "gthread" if _settings.threads > 1 else "sync"
graceful_timeout = 20
timeout = 60
keepalive = 5
# Error and access lines go through Accredit's logging: one format (ACCREDIT_LOG_FORMAT),
# one stream (stderr), one level (ACCREDIT_LOG_LEVEL); a line per request unless
# ACCREDIT_ACCESS_LOG=0.
logger_class = "entrypoints.observability.gunicorn_logger.GunicornLogger"
accesslog = "-" if _settings.access_log else None
errorlog = "-"
loglevel = _settings.log_level.lower()
proc_name = "accredit-http"
# Several servers (tests, benchmarks) may run side by side; none needs the control socket.
control_socket_disable = True


def child_exit(server: Any, worker: Any) -> None:
    """Drops the files of a dead worker's live gauges; its counters keep counting."""
    del server
    # Imported here: the master must not import prometheus_client before the directory is set.
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    del server
    if _made_metrics_dir is not None:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)
