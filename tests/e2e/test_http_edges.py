"""What reaches the server before the app does: chunked bodies, oversized lines and headers."""

from __future__ import annotations

import json
import socket
from typing import Any

from tests.e2e.conftest import Served


def raw_exchange(served: Served, request: bytes) -> tuple[int, dict[str, str], Any]:
    """Sends bytes as they are and reads the whole answer (the server closes or says how long)."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    status = int(lines[0].split()[1])
    parsed = json.loads(body) if "json" in headers.get("content-type", "") else body
    return status, headers, parsed


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_a_chunked_body_is_read_like_any_other(served: Served) -> None:
    body = json.dumps({"name": "Renamed in chunks"}).encode()
    request = (
        b"PATCH /v1/tenant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer " + served.admin_key.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + chunked(body)
    )

    status, _, answer = raw_exchange(served, request)

    assert status == 200, answer
    assert answer["name"] == "Renamed in chunks"


def test_a_chunked_body_over_the_limit_is_refused(served: Served) -> None:
    body = json.dumps({"name": "x" * 2_000_000}).encode()
    request = (
        b"PATCH /v1/tenant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer " + served.admin_key.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + chunked(body, 65536)
    )

    status, headers, answer = raw_exchange(served, request)

    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert answer["type"] == "/problems/payload-too-large"


def test_gunicorns_own_refusals_are_problem_documents(served: Served) -> None:
    too_long_line = b"GET /v1/tenant?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    too_many_headers = (
        b"GET /health HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-Filler-%d: %s\r\n" % (n, b"y" * 100) for n in range(200))
        + b"\r\n"
    )
    malformed = b"GET\x00 / HTTP/1.1\r\nHost: x\r\n\r\n"

    answers = [raw_exchange(served, r) for r in (too_long_line, too_many_headers, malformed)]

    assert [a[0] for a in answers] == [414, 431, 400]
    for status, headers, body in answers:
        assert headers["content-type"] == "application/problem+json"
        assert body["status"] == status
        assert body["type"].startswith("/problems/")
        assert body["title"]
