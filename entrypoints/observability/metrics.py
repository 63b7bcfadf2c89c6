"""The service's metrics: HTTP requests, conflicts, rate-limit refusals; their exposition."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import values as prometheus_values
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from entrypoints.observability.metrics_directory import VARIABLE, directory

# Seconds; the fast queries answer in a few milliseconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNROUTED = "(unmatched)"  # the route of a request no route template matched


def require_files_if_asked() -> None:
    """Refuses to count in memory alone when this process's metrics should go to files."""
    in_files = getattr(prometheus_values.ValueClass, "_multiprocess", False)
    if directory() is not None and not in_files:
        raise RuntimeError(
            f"prometheus_client was imported before {VARIABLE} was set; "
            "this process's metrics would not be seen by the other processes"
        )


class ServiceMetrics:
    """What one process records; every process of a server writes to the same directory."""

    def __init__(self, registry: CollectorRegistry) -> None:
        require_files_if_asked()
        self.registry = registry
        self.requests = Histogram(
            "accredit_http_request_duration_seconds",
            "HTTP requests by method, route template and status, and how long they took",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.rate_limited = Counter(
            "accredit_rate_limit_refusals",
            "Requests refused because their API key's quota for the window was used up",
            ["tier"],
            registry=registry,
        )
        self.conflict_retries = Counter(
            "accredit_command_conflict_retries",
            "Commands run again because a concurrent writer saved the aggregate first",
            ["application", "command"],
            registry=registry,
        )
        self.conflicts_refused = Counter(
            "accredit_command_conflicts_refused",
            "Commands answered 409 after losing every retry to concurrent writers",
            ["application", "command"],
            registry=registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    def refused_rate_limit(self, tier: str) -> None:
        self.rate_limited.labels(tier).inc()

    def retried(self, application: str, command: str) -> None:
        self.conflict_retries.labels(application, command).inc()

    def refused(self, application: str, command: str) -> None:
        self.conflicts_refused.labels(application, command).inc()


class Exposition:
    """The text a scrape gets: every process's files (or this process's registry), plus
    what is read at scrape time (projection lag)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, metrics: ServiceMetrics, at_scrape: Iterable[Collector] = ()) -> None:
        path = directory()
        if path is None:
            self.registry = metrics.registry
        else:
            self.registry = CollectorRegistry()
            MultiProcessCollector(self.registry, path=path)  # type: ignore[no-untyped-call]
        for collector in at_scrape:
            self.registry.register(collector)

    def render(self) -> bytes:
        return generate_latest(self.registry)
