"""Workflow definitions the tests share, as clients send them."""

from __future__ import annotations

from typing import Any


def screening_then_two_checks(join_mode: str = "ANY") -> dict[str, Any]:
    """A review, then security and ID checks in parallel (security may fail its branch)."""
    return {
        "start": "screening",
        "steps": [
            {"id": "screening", "kind": "review", "name": "Screening", "next": "checks"},
            {
                "id": "checks",
                "kind": "parallel",
                "name": "Checks",
                "branches": ["security", "documents"],
                "join": "checks_done",
            },
            {
                "id": "security",
                "kind": "security_check",
                "name": "Security",
                "next": "checks_done",
                "on_reject": "fail_branch",
            },
            {"id": "documents", "kind": "document_check", "name": "ID", "next": "checks_done"},
            {
                "id": "checks_done",
                "kind": "join",
                "name": "Checked",
                "mode": join_mode,
                "next": "done",
            },
            {"id": "done", "kind": "end", "name": "Accredited"},
        ],
    }
