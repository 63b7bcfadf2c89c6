"""`accredit audit ...`: the auditor's history, aggregates' past states, and the export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from adapters.audit.auditor import AuditEntry, Auditor
from adapters.audit.event_catalogue import describe_events
from adapters.audit.queries import HistoryFilter
from entrypoints.cli.arguments import zoned_time
from entrypoints.cli.verify import add_verify_command
from entrypoints.http.audit.schemas import aggregate_state, audit_event
from entrypoints.wiring.context import Invocation, Subcommands, application_classes


@contextmanager
def _auditor(run: Invocation) -> Iterator[Auditor]:
    with run.container() as container:
        # The history answers as of now, even when no projection worker is running.
        container.catch_up()
        yield container.query(Auditor)


def _filter(args: argparse.Namespace) -> HistoryFilter:
    return HistoryFilter(
        aggregate_id=args.aggregate,
        event_type=args.type,
        actor=args.actor,
        since=args.since,
        until=args.until,
    )


def _json_line(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def cmd_history(args: argparse.Namespace, run: Invocation) -> int:
    with _auditor(run) as auditor:
        where = _filter(args)
        if args.json:
            for audited in auditor.export(args.tenant_id, where):
                print(_json_line(audit_event(audited)))
            return 0
        print(f"{'occurred at (UTC)':32}  {'position':14}  {'type':24}  {'aggregate':36}  v  actor")
        for chunk in auditor.queries.chunks(args.tenant_id, where):
            for e in chunk:
                position = f"{e.application}:{e.position}"
                print(
                    f"{e.occurred_at.isoformat():32}  {position:14}  {e.event_type:24}  "
                    f"{e.aggregate_id}  {e.version}  {e.actor or '-'}"
                )
    return 0


def cmd_aggregate(args: argparse.Namespace, run: Invocation) -> int:
    with _auditor(run) as auditor:
        cursor = None
        while True:
            page = auditor.aggregate_history(None, args.aggregate_id, 200, cursor)
            for audited in page.items:
                document = audit_event(audited)
                if args.json:
                    print(_json_line(document))
                    continue
                e = audited.entry
                print(
                    f"v{e.version}  {e.occurred_at.isoformat()}  {e.event_type}  "
                    f"by {e.actor or '-'}  {_json_line(document['payload'])}"
                )
            if page.next_cursor is None:
                return 0
            cursor = page.next_cursor


def cmd_state(args: argparse.Namespace, run: Invocation) -> int:
    with _auditor(run) as auditor:
        state = auditor.state(None, args.aggregate_id, version=args.version, at=args.at)
        print(json.dumps(aggregate_state(state), indent=2, ensure_ascii=False))
    return 0


def cmd_export(args: argparse.Namespace, run: Invocation) -> int:
    with _auditor(run) as auditor:
        where = _filter(args)
        if args.output is None:
            _write_lines(auditor.export(args.tenant_id, where), sys.stdout)
            return 0
        with Path(args.output).open("w", encoding="utf-8") as out:
            count = _write_lines(auditor.export(args.tenant_id, where), out)
        print(f"Exported {count} domain events to {args.output}.", file=sys.stderr)
    return 0


def _write_lines(entries: Iterator[AuditEntry], out: IO[str]) -> int:
    count = 0
    for audited in entries:
        out.write(_json_line(audit_event(audited)) + "\n")
        count += 1
    return count


def _add_filters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--aggregate", type=UUID, help="only this aggregate's domain events")
    command.add_argument("--type", help="only this type (ApiKey.Rotated) or full topic")
    command.add_argument("--actor", help="only what this actor caused (api-key:<id>, cli:<user>)")
    command.add_argument("--since", type=zoned_time, help="at or after this time (ISO 8601, zoned)")
    command.add_argument("--until", type=zoned_time, help="before this time (ISO 8601, zoned)")


def add_audit_commands(audit: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds the history, aggregate, state and export commands to `accredit audit`."""
    history = audit.add_parser("history", help="a tenant's domain events, oldest first")
    history.add_argument("tenant_id", type=UUID, help="the tenant's id")
    _add_filters(history)
    history.add_argument("--json", action="store_true", help="JSON lines, with payloads")
    history.set_defaults(func=cmd_history)

    aggregate = audit.add_parser("aggregate", help="one aggregate's domain events, with payloads")
    aggregate.add_argument("aggregate_id", type=UUID, help="the aggregate's id (any tenant's)")
    aggregate.add_argument("--json", action="store_true", help="JSON lines")
    aggregate.set_defaults(func=cmd_aggregate)

    state = audit.add_parser("state", help="an aggregate's state as of a version or a time")
    state.add_argument("aggregate_id", type=UUID, help="the aggregate's id (any tenant's)")
    point = state.add_mutually_exclusive_group(required=True)
    point.add_argument("--version", type=int, help="after this version (1 = as created)")
    point.add_argument("--at", type=zoned_time, help="at this time (ISO 8601, zoned)")
    state.set_defaults(func=cmd_state)

    export = audit.add_parser("export", help="a tenant's history as JSON lines")
    export.add_argument("tenant_id", type=UUID, help="the tenant's id")
    _add_filters(export)
    export.add_argument("--output", help="write to this file instead of standard output")
    export.set_defaults(func=cmd_export)


def cmd_catalogue(args: argparse.Namespace, run: Invocation) -> int:
    """Prints the catalogue of every domain event class (docs/events.md)."""
    del args
    applications = application_classes(run.contexts)
    print(describe_events(applications), end="")
    return 0


def add_audit_group(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit audit ...`: the history, states, export, and the projections' check."""
    audit = sub.add_parser("audit", help="the auditor's history of domain events").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add_audit_commands(audit)
    add_verify_command(audit)
    catalogue = audit.add_parser(
        "catalogue", help="print every domain event class with its topic and fields (Markdown)"
    )
    catalogue.set_defaults(func=cmd_catalogue)
