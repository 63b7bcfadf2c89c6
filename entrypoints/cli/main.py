"""The `accredit` command: serve, workers, and each context's commands from the wiring list."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from uuid import uuid4

from adapters.settings import Settings
from adapters.sql.store_check import where
from domain.shared.cause import Cause, caused_by
from entrypoints.cli.failures import explain
from entrypoints.cli.serve import add_serve_command
from entrypoints.cli.workers import add_worker_command
from entrypoints.observability.logs import configure_logging
from entrypoints.wiring.context import Invocation
from entrypoints.wiring.contexts import CONTEXTS, build

EPILOG = """\
Settings are ACCREDIT_* environment variables (README, Configuration).
Exit status: 0 done; 1 not done (a rule refused it, or the database could not be
reached); 2 a wrong command line or configuration (an unknown name, a malformed
setting, no data directory); 130 interrupted."""


def cmd_cipher_key(args: argparse.Namespace, run: Invocation) -> int:
    del args, run
    # Imported here: only this command needs the library directly.
    from eventsourcing.cryptography import AESCipher  # noqa: PLC0415

    print(AESCipher.create_key(32))
    return 0


def cmd_init(args: argparse.Namespace, run: Invocation) -> int:
    """Creates the store (data directory and files, or tables) if missing; safe to repeat."""
    del args
    with run.create():
        pass
    settings = run.settings
    if settings.database_url is not None:
        print(f"The store is ready in PostgreSQL at {where(settings.database_url)}.")
    else:
        print(f"The store is ready in {settings.data_dir}/ (SQLite).")
    return 0


def version() -> str:
    try:
        return metadata.version("accredit")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="accredit",
        description="Accredit: the service, its workers, and the operator's tools.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"accredit {version()}")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_serve_command(sub)
    init = sub.add_parser(
        "init",
        help="create the store: the data directory (SQLite) or the tables (PostgreSQL)",
        description="Creates the store if it is missing; other commands (but serve) refuse "
        "a data directory that does not exist. Running it again changes nothing.",
    )
    init.set_defaults(func=cmd_init)
    cipher = sub.add_parser("cipher-key", help="print a new key for ACCREDIT_CIPHER_KEY")
    cipher.set_defaults(func=cmd_cipher_key)
    add_worker_command(sub)

    for context in CONTEXTS:
        if context.commands is not None:
            context.commands(sub)
    return root


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return f"uid-{os.getuid()}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format, settings.log_level)
        # Whatever the command records is attributed to the operator who ran it.
        with caused_by(Cause(f"cli:{_operator()}", uuid4().hex)):
            code: int = args.func(args, Invocation(settings, build, CONTEXTS))
    except (Exception, KeyboardInterrupt) as exc:
        explained = explain(exc)
        if explained is None:
            raise
        message, status = explained
        print(f"accredit: {message}", file=sys.stderr)
        return status
    return code
