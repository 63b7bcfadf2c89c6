"""How far each projection is behind each upstream log, read from the database at scrape time.

Read when scraped rather than recorded by the projector, so the figures are those of
the moment, whichever process leads, and a stopped projector shows as a growing lag.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from adapters.projection.status import ProjectionStatus

log = logging.getLogger(__name__)


class ProjectionLag(Collector):
    """Lag in domain events and in seconds per projection and upstream application."""

    def __init__(self, statuses: Callable[[], Sequence[ProjectionStatus]]) -> None:
        self.statuses = statuses

    def collect(self) -> Iterator[Metric]:
        readable = GaugeMetricFamily(
            "accredit_projection_status_up",
            "1 when the projections' positions could be read at this scrape, else 0",
        )
        try:
            statuses = self.statuses()
        except Exception:
            log.warning("could not read the projections' positions for metrics", exc_info=True)
            readable.add_metric([], 0)
            yield readable
            return
        readable.add_metric([], 1)
        labels = ["projection", "upstream"]
        events = GaugeMetricFamily(
            "accredit_projection_lag_events",
            "Domain events recorded upstream that the projection has not applied yet",
            labels=labels,
        )
        seconds = GaugeMetricFamily(
            "accredit_projection_lag_seconds",
            "Age of the oldest domain event the projection has not applied yet (0 when none)",
            labels=labels,
        )
        rebuilding = GaugeMetricFamily(
            "accredit_projection_rebuilding",
            "1 while the projection's tables are being rebuilt to a new version",
            labels=["projection"],
        )
        for status in statuses:
            for upstream in status.upstreams:
                events.add_metric([status.name, upstream.upstream], upstream.lag_events)
                seconds.add_metric([status.name, upstream.upstream], upstream.lag_seconds)
            rebuilding.add_metric([status.name], 1 if status.state == "rebuilding" else 0)
        yield from (readable, events, seconds, rebuilding)
