"""gunicorn's error and access logs, in the same format and stream as everything else."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from gunicorn import glogging

from adapters.settings import Settings
from entrypoints.observability.access_log import log_access
from entrypoints.observability.logs import configure_logging


class GunicornLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's `logger_class`: its loggers go through Accredit's one root handler.

    The access line carries the fields the app left in the environ (request id, route
    template, tenant, key), the status and the duration gunicorn measured.
    """

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        settings = Settings.from_env()
        configure_logging(settings.log_format, settings.log_level)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
            log.setLevel(logging.NOTSET)
        self._access_log_enabled = cfg.accesslog is not None

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        del req
        if self._access_log_enabled:
            log_access(self.access_log, environ, resp.status, request_time.total_seconds())
