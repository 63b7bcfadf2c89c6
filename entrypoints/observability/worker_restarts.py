"""The supervisor's count of the processes it restarted, shown by every HTTP worker's scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import Counter

from entrypoints.observability.metrics import require_files_if_asked
from entrypoints.observability.metrics_directory import VARIABLE, directory


def restart_counter(names: Iterable[str]) -> Callable[[str], None]:
    """Counts restarts of the named children into the server's metrics directory.

    The supervisor serves no HTTP: its count reaches a scrape only through the files,
    so the directory must be set before this is called.
    """
    if directory() is None:
        raise RuntimeError(f"{VARIABLE} must be set before the supervisor counts restarts")
    require_files_if_asked()
    restarts = Counter(
        "accredit_worker_restarts",
        "Processes (the HTTP server, background workers) restarted after they died",
        ["worker"],
        registry=None,
    )
    for name in names:
        restarts.labels(name)  # shown as 0 from the start, so rates need no first restart

    def count(name: str) -> None:
        restarts.labels(name).inc()

    return count
