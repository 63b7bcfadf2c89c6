"""The answers gunicorn itself gives, before the app sees a request, as problem documents.

A request line or headers too long for gunicorn's limits, a malformed request
line or header, an unsupported transfer coding: gunicorn answers these on its own,
with an HTML page. Here the same statuses go out as RFC 9457 problems, like every
answer of the app. gunicorn has no hook for its error page, so `install()`
replaces the one function that writes it; the gunicorn settings call it.
"""

from __future__ import annotations

import json
import socket

from gunicorn import util

from entrypoints.http.problems import PROBLEM_JSON, PROBLEM_TYPES, type_uri

# gunicorn's statuses -> our problem types (PROBLEM_TYPES has their titles).
SLUGS = {
    400: "bad-request",
    403: "forbidden",
    414: "request-line-too-long",
    417: "expectation-failed",
    431: "headers-too-large",
    500: "internal-error",
    501: "not-implemented",
}


def problem_response(status: int, detail: str) -> bytes:
    """A complete HTTP/1.1 answer carrying the problem for one of gunicorn's errors."""
    slug = SLUGS.get(status, "bad-request")
    _, title = PROBLEM_TYPES[slug]
    document = {"type": type_uri(slug), "title": title, "status": status, "detail": detail}
    body = json.dumps(document).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin1")
    return head + body


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Stands in for gunicorn's own error page writer (same arguments)."""
    del reason
    util.write_nonblock(sock, problem_response(status_int, mesg))


def install() -> None:
    """Makes gunicorn answer its own errors with problem documents."""
    util.write_error = write_problem
