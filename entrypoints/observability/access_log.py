"""One line per HTTP request: method, route template, status, duration and who asked."""

from __future__ import annotations

import logging
from collections.abc import Mapping

# The WSGI environ key under which the app leaves a request's fields for the access line
# (request id, route template, tenant and key ids): the server logs after the app is done.
FIELDS_KEY = "accredit.log_fields"


def log_access(
    logger: logging.Logger, environ: Mapping[str, object], status: str | int, seconds: float
) -> None:
    """Logs the request `environ` describes, answered with `status` after `seconds`."""
    fields: Mapping[str, object] = environ.get(FIELDS_KEY) or {}  # type: ignore[assignment]
    method = str(environ.get("REQUEST_METHOD", "-"))
    code = int(str(status).split(None, 1)[0])
    duration_ms = round(seconds * 1000.0, 3)
    logger.info(
        "%s %s %d %.1f ms",
        method,
        fields.get("route", "-"),
        code,
        duration_ms,
        extra={**fields, "method": method, "status": code, "duration_ms": duration_ms},
    )
