"""Domain events and aggregates as auditors read them: plain JSON, secrets redacted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from adapters.audit.values import REDACTED, redacted

WHEN = datetime(2030, 1, 1, tzinfo=UTC)
KEY = UUID("12345678-1234-5678-1234-567812345678")


class Tier(Enum):
    FREE = "FREE"


@dataclass(frozen=True)
class Secret:
    digest: str
    valid_until: datetime | None


def test_values_become_plain_json() -> None:
    document = redacted(
        {
            "id": KEY,
            "at": WHEN,
            "tags": {"b", "a"},
            "pair": (1, Decimal("2.5")),
            "tier": Tier.FREE,
            "raw": b"\x00\x01",
            "nested": {"ok": True, "none": None},
        }
    )

    assert document == {
        "id": str(KEY),
        "at": "2030-01-01T00:00:00+00:00",
        "tags": ["a", "b"],
        "pair": [1, "2.5"],
        "tier": "FREE",
        "raw": "AAE=",
        "nested": {"ok": True, "none": None},
    }
    json.dumps(document)


def test_text_under_a_secret_name_is_redacted_at_any_depth_but_times_are_kept() -> None:
    document = redacted(
        {
            "secret_digest": "abc",
            "secrets": [Secret("def", WHEN), Secret("ghi", None)],
            "settings": {"api_token": "t0k3n", "Password": 1234, "name": "kept"},
            "name": "kept",
        }
    )

    assert document == {
        "secret_digest": REDACTED,
        "secrets": [
            {"digest": REDACTED, "valid_until": "2030-01-01T00:00:00+00:00"},
            {"digest": REDACTED, "valid_until": None},
        ],
        "settings": {"api_token": REDACTED, "Password": REDACTED, "name": "kept"},
        "name": "kept",
    }
