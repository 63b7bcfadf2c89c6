"""Gunicorn settings, derived from the same ACCREDIT_* settings as everything else."""

from __future__ import annotations

from adapters.settings import Settings
from entrypoints.http import server_errors

_settings = Settings.from_env()
# gunicorn's own answers (request line or headers too long, a malformed request) are
# problem documents too.
server_errors.install()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
threads = _settings.threads
worker_class = "gthread" if _settings.threads > 1 else "sync"
graceful_timeout = 20
timeout = 60
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "accredit-http"
# Several servers (tests, benchmarks) may run side by side; none needs the control socket.
control_socket_disable = True
