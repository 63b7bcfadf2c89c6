"""The `accredit` command: serve, workers, and each context's commands from the wiring list."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from uuid import uuid4

from adapters.settings import Settings, SettingsError
from domain.shared.cause import Cause, caused_by
from domain.shared.errors import DomainError
from entrypoints.cli.platform import ensure_demo_tenant
from entrypoints.observability.logs import configure_logging
from entrypoints.observability.metrics_directory import metrics_directory
from entrypoints.supervisor import Child, Supervisor
from entrypoints.wiring.context import Invocation, Worker
from entrypoints.wiring.contexts import CONTEXTS, build

log = logging.getLogger("accredit.workers")


def workers() -> dict[str, Worker]:
    """Every context's background workers, by name."""
    found: dict[str, Worker] = {}
    for context in CONTEXTS:
        for name, worker in context.workers.items():
            if name in found:
                raise ValueError(f"two contexts declare a worker named {name!r}")
            found[name] = worker
    return found


def cmd_serve(args: argparse.Namespace, run: Invocation) -> int:
    env = dict(os.environ)
    for name in ("host", "port", "workers", "threads"):
        value = getattr(args, name)
        if value is not None:
            env[f"ACCREDIT_{name.upper()}"] = str(value)
    settings = Settings.from_env(env)
    with run.open(settings) as container:
        if settings.demo_tenant:
            ensure_demo_tenant(container)
    # No catch-up here: the projection worker catches up, or rebuilds, while HTTP
    # answers; a rebuild of a long history would otherwise keep the API down for minutes.
    sys.stdout.flush()
    python = sys.executable
    children = [
        Child(
            "http",
            [
                python,
                "-m",
                "gunicorn",
                "--config",
                "python:entrypoints.gunicorn_conf",
                "entrypoints.http.app:create_app()",
            ],
        ),
        *(Child(name, [python, "-m", "entrypoints.cli", "worker", name]) for name in workers()),
    ]
    print(f"Accredit listening on http://{settings.host}:{settings.port}  (docs: /docs)")
    sys.stdout.flush()
    with metrics_directory(env):
        # Imported once the directory is set, so that this process counts into its files.
        from entrypoints.observability.worker_restarts import restart_counter  # noqa: PLC0415

        count = restart_counter([child.name for child in children])
        return Supervisor(children, env, on_restart=count).run()


def cmd_cipher_key(args: argparse.Namespace, run: Invocation) -> int:
    del args, run
    # Imported here: only this command needs the library directly.
    from eventsourcing.cryptography import AESCipher  # noqa: PLC0415

    print(AESCipher.create_key(32))
    return 0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("worker received %s; finishing the current batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def cmd_worker(args: argparse.Namespace, run: Invocation) -> int:
    """Runs one named worker in this process until SIGTERM or SIGINT."""
    stop = threading.Event()
    _stop_on_signals(stop)
    with run.container() as container:
        workers()[args.name](container, stop)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="accredit", description="Accredit service and tools")
    sub = root.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP workers and background workers")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--threads", type=int, help="threads per gunicorn worker")
    serve.set_defaults(func=cmd_serve)

    cipher = sub.add_parser("cipher-key", help="print a new key for ACCREDIT_CIPHER_KEY")
    cipher.set_defaults(func=cmd_cipher_key)

    worker = sub.add_parser("worker", help="run one background worker alone")
    worker.add_argument("name", choices=sorted(workers()))
    worker.set_defaults(func=cmd_worker)

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
    except SettingsError as exc:
        print(f"accredit: configuration error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"accredit: {exc.detail}", file=sys.stderr)
        return 1
    return code
