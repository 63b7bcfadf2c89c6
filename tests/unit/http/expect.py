"""What an answer must look like: a problem of a given type, or a success."""

from __future__ import annotations

from typing import Any

from falcon.testing import Result

PROBLEM_JSON = "application/problem+json"


def problem(result: Result, status: int, slug: str) -> dict[str, Any]:
    """Asserts an RFC 9457 answer with the stable type for slug; returns its body."""
    assert result.status_code == status, result.text
    assert result.headers["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = result.json
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    return body


def ok(result: Result, status: int = 200) -> Any:
    """Asserts a JSON success with the given status; returns the body."""
    assert result.status_code == status, result.text
    assert result.headers["Content-Type"].startswith("application/json")
    return result.json
