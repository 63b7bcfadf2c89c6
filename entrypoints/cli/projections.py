"""`accredit projections status | run | rebuild [NAME]`: the operator's view of the projections."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from adapters.projection.rebuild import rebuild, rebuild_if_outdated
from adapters.projection.sql_projection import SqlProjection
from adapters.projection.status import projection_status
from entrypoints.cli.progress import ProgressBar
from entrypoints.wiring.container import Container
from entrypoints.wiring.context import Invocation, Subcommands


class UnknownProjection(LookupError):
    pass


def _chosen(container: Container, name: str | None) -> list[SqlProjection]:
    projections = container.sql_projections()
    if name is None:
        return projections
    chosen = [p for p in projections if p.name == name]
    if not chosen:
        known = ", ".join(p.name for p in projections)
        raise UnknownProjection(f"no projection is named {name!r}; there are: {known}")
    return chosen


def _each(
    args: argparse.Namespace,
    run: Invocation,
    act: Callable[[SqlProjection], None],
    header: str | None = None,
) -> int:
    container = run.container()
    try:
        chosen = _chosen(container, args.name)
        if header is not None:
            print(header)
        for projection in chosen:
            act(projection)
    except UnknownProjection as exc:
        print(f"accredit: {exc}", file=sys.stderr)
        return 2
    finally:
        container.close()
    return 0


STATUS_HEADER = (
    f"{'projection':16}{'version':>9}{'stored':>8}  {'upstream':14}"
    f"{'position':>10}{'head':>10}{'lag events':>12}{'lag seconds':>13}"
    f"  {'state':12}{'rebuilt':>8}  leaders"
)


def cmd_status(args: argparse.Namespace, run: Invocation) -> int:

    def show(projection: SqlProjection) -> None:
        status = projection_status(projection)
        stored = "-" if status.stored_version is None else str(status.stored_version)
        leaders = ",".join(f"v{v}={leader}" for v, leader in status.leaders.items()) or "-"
        for lag in status.upstreams:
            rebuilt = "-" if lag.rebuilt is None else _percent(lag.rebuilt, lag.head)
            print(
                f"{status.name:16}{status.version:>9}{stored:>8}  {lag.upstream:14}"
                f"{lag.position:>10}{lag.head:>10}{lag.lag_events:>12}{lag.lag_seconds:>13.1f}"
                f"  {status.state:12}{rebuilt:>8}  {leaders}"
            )
        for failure in status.failures:
            print(
                f"  {status.name} stopped before {failure.upstream}:{failure.position} "
                f"(attempt {failure.attempts}, next at {failure.retry_at:%H:%M:%S}): "
                f"{failure.error}"
            )

    return _each(args, run, show, header=STATUS_HEADER)


def _percent(done: int, total: int) -> str:
    return "100%" if total == 0 else f"{min(done, total) / total:.0%}"


def cmd_run(args: argparse.Namespace, run: Invocation) -> int:
    def catch_up(projection: SqlProjection) -> None:
        if projection.is_outdated():
            _rebuild_with_progress(projection, rebuild_if_outdated)
        status = projection_status(projection)
        bar = ProgressBar(projection.name, status.lag_events)
        projection.runner().catch_up(on_progress=bar.advance)
        bar.finish()

    return _each(args, run, catch_up)


def cmd_rebuild(args: argparse.Namespace, run: Invocation) -> int:
    return _each(args, run, lambda p: _rebuild_with_progress(p, rebuild))


def _rebuild_with_progress(
    projection: SqlProjection, how: Callable[[SqlProjection, Callable[[int], None]], object]
) -> None:
    bar = ProgressBar(f"{projection.name} (rebuild to v{projection.version})", _history(projection))
    how(projection, bar.advance)
    bar.finish()


def _history(projection: SqlProjection) -> int:
    return sum(projection.heads().values())


def add_projection_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit projections status | run | rebuild [NAME]`."""
    group = sub.add_parser("projections", help="projection versions, lag, catch-up, rebuilds")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, func, text in (
        ("status", cmd_status, "each projection's version, positions, lag, rebuild, leaders"),
        ("run", cmd_run, "catch up once (rebuilding a projection whose version changed)"),
        ("rebuild", cmd_rebuild, "rebuild from the whole history; queries see the old tables"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("name", nargs="?", help="one projection (default: all)")
        action.set_defaults(func=func)
