"""A budget of failed authentications per client address, shared by every process and host."""

from __future__ import annotations

import ipaddress

from adapters.service.ratelimit import RateDecision, SqlRateLimiter

WINDOW_SECONDS = 60
# One IPv6 host commonly holds a whole /64, so its addresses share one budget.
IPV6_PREFIX = 64


class FailedAuthentications:
    """Counts each address's failed authentications in the shared rate-limit counters.

    A secret with a valid checksum costs event-store reads to refuse, and anyone can
    compute one; once an address has spent its budget for the minute, such a secret is
    refused before it is looked up.
    """

    def __init__(self, limiter: SqlRateLimiter, per_window: int) -> None:
        if per_window < 1:
            raise ValueError("per_window must be at least 1")
        self.limiter = limiter
        self.per_window = per_window

    @property
    def window_seconds(self) -> int:
        return self.limiter.window_seconds

    def refusal(self, address: str) -> RateDecision | None:
        """The refusal due when the address has no failure left this window, else None."""
        decision = self.limiter.peek(_bucket(address), self.per_window)
        return None if decision.allowed else decision

    def count(self, address: str) -> None:
        """Counts one failed authentication from the address."""
        self.limiter.hit(_bucket(address), self.per_window)


def _bucket(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:  # not an IP address (a Unix socket's peer): counted as it is
        return f"auth-failures:{address}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"auth-failures:{parsed.ipv4_mapped}"
        return f"auth-failures:{ipaddress.ip_network(f'{parsed}/{IPV6_PREFIX}', strict=False)}"
    return f"auth-failures:{parsed}"
