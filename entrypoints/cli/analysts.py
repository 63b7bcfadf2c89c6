"""`accredit analysts grant ROLE | describe`: read-only SQL access, and what is there."""

from __future__ import annotations

import argparse
import sys

from adapters.analysts.catalogue import describe
from adapters.analysts.grants import ANALYST_ROLE, AnalystsNeedPostgres, grant_analyst
from adapters.sql.schema import VIEWS_SCHEMA
from entrypoints.wiring.context import Invocation, Subcommands


def cmd_grant(args: argparse.Namespace, run: Invocation) -> int:
    container = run.container()
    try:
        grant_analyst(container.engine, args.role)
    except AnalystsNeedPostgres as exc:
        print(f"accredit: {exc}", file=sys.stderr)
        return 2
    finally:
        container.close()
    print(f"{args.role} may now read (only read) the tables in schema {VIEWS_SCHEMA}.")
    return 0


def cmd_describe(args: argparse.Namespace, run: Invocation) -> int:
    del args, run
    print(describe(), end="")
    return 0


def add_analyst_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit analysts grant ROLE` and `accredit analysts describe`."""
    group = sub.add_parser("analysts", help="read-only SQL access to the projection tables")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    grant = actions.add_parser(
        "grant", help=f"make an existing PostgreSQL role a member of {ANALYST_ROLE}"
    )
    grant.add_argument("role", help="the login role that is to read the projection tables")
    grant.set_defaults(func=cmd_grant)
    describe_tables = actions.add_parser(
        "describe", help="print every projection table and column (Markdown)"
    )
    describe_tables.set_defaults(func=cmd_describe)
