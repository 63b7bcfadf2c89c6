"""Per-key rate limits shared by every worker and host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon

from adapters.service.ratelimit import SqlRateLimiter
from domain.platform.application import Principal
from domain.platform.tiers import Tier
from entrypoints.http.problems import Problem


class RateLimitMiddleware:
    """Counts each key's requests in a window shared by every worker and host."""

    def __init__(
        self,
        limiter: SqlRateLimiter,
        quotas: dict[Tier, int | None],
        window: int,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.limiter = limiter
        self.quotas = quotas
        self.window = window
        # Told the tier of each refused request (for metrics).
        self.on_refused = on_refused

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        principal: Principal | None = req.context.principal
        if principal is None:
            return
        quota = self.quotas.get(principal.tier)
        if quota is None:
            return
        decision = self.limiter.hit(f"key:{principal.key_id}", quota)
        headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset_seconds),
            "RateLimit-Policy": f"{decision.limit};w={self.window}",
        }
        resp.set_headers(headers)
        if not decision.allowed:
            if self.on_refused is not None:
                self.on_refused(principal.tier.value)
            headers["Retry-After"] = str(decision.reset_seconds)
            raise Problem(
                "rate-limited",
                f"the {principal.tier} tier allows {quota} requests per {self.window} s",
                headers=headers,
            )
