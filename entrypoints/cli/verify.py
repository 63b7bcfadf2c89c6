"""`accredit audit verify`: every projection table against a replay of the whole history."""

from __future__ import annotations

import argparse
import sys

from adapters.projection.verify import ProjectionOutdated, verify
from entrypoints.cli.progress import ProgressBar
from entrypoints.wiring.context import Invocation, Subcommands


def cmd_verify(args: argparse.Namespace, run: Invocation) -> int:
    """Prints each difference (table, key, column, live vs rebuilt); 1 if there is any."""
    del args
    container = run.container()
    differences = 0
    try:
        for projection in container.sql_projections():
            bar = ProgressBar(f"{projection.name} (replay)", sum(projection.heads().values()))
            try:
                for difference in verify(projection, bar.advance):
                    differences += 1
                    print(difference)
            except ProjectionOutdated as exc:
                print(f"accredit: {exc}", file=sys.stderr)
                differences += 1
            bar.finish()
    finally:
        container.close()
    tables = "every projection table matches" if not differences else f"{differences} differences"
    print(f"audit verify: {tables}", file=sys.stderr)
    return 1 if differences else 0


def add_verify_command(audit: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit audit verify` to the audit group."""
    command = audit.add_parser(
        "verify", help="replay the history into scratch tables and compare them with the live ones"
    )
    command.set_defaults(func=cmd_verify)
