"""Rate-limit tiers of API keys and their default quotas."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    FREE = "FREE"
    STANDARD = "STANDARD"
    PREMIUM = "PREMIUM"
    UNLIMITED = "UNLIMITED"


# Requests per window of WINDOW_SECONDS; None means no limit.
WINDOW_SECONDS = 60
DEFAULT_QUOTAS: dict[Tier, int | None] = {
    Tier.FREE: 60,
    Tier.STANDARD: 600,
    Tier.PREMIUM: 6000,
    Tier.UNLIMITED: None,
}
