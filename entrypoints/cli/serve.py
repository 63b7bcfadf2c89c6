"""`accredit serve`: gunicorn and every background worker, under one supervisor."""

from __future__ import annotations

import argparse
import os
import socket
import sys

from adapters.settings import Settings
from entrypoints.cli.failures import EXIT_FAILED
from entrypoints.cli.platform import ensure_demo_tenant
from entrypoints.cli.workers import wanted_workers
from entrypoints.observability.metrics_directory import metrics_directory
from entrypoints.supervisor import Child, Supervisor
from entrypoints.wiring.context import Invocation, Subcommands


def why_not_listen(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on host:port, or None if it can."""
    try:
        address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc.strerror
    family, kind, protocol, _, where = address[0]
    with socket.socket(family, kind, protocol) as probe:
        # As gunicorn binds: a port a stopped server left in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def cmd_serve(args: argparse.Namespace, run: Invocation) -> int:
    env = dict(os.environ)
    for name in ("host", "port", "workers", "threads"):
        value = getattr(args, name)
        if value is not None:
            env[f"ACCREDIT_{name.upper()}"] = str(value)
    settings = Settings.from_env(env)
    # Checked before anything starts: gunicorn on a taken port retries, exits, and
    # would be restarted again and again by the supervisor.
    refused = why_not_listen(settings.host, settings.port)
    if refused is not None:
        print(
            f"accredit: cannot listen on {settings.host}:{settings.port}: {refused} "
            "(is another server running there? choose another with --port or ACCREDIT_PORT)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    with run.create(settings) as container:
        if settings.demo_tenant:
            ensure_demo_tenant(container)
    # No catch-up here: the projection worker catches up, or rebuilds, while HTTP
    # answers; a rebuild of a long history would otherwise keep the API down for minutes.
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
        *(
            Child(name, [python, "-m", "entrypoints.cli", "worker", name])
            for name in wanted_workers(settings)
        ),
    ]
    print(f"Accredit listening on http://{settings.host}:{settings.port}  (docs: /docs)")
    sys.stdout.flush()
    with metrics_directory(env):
        # Imported once the directory is set, so that this process counts into its files.
        from entrypoints.observability.worker_restarts import restart_counter  # noqa: PLC0415

        count = restart_counter([child.name for child in children])
        return Supervisor(children, env, on_restart=count).run()


def add_serve_command(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit serve`."""
    serve = sub.add_parser(
        "serve",
        help="run the HTTP workers and the background workers (creates the store if missing)",
        description="Runs gunicorn and every background worker as supervised processes "
        "until SIGTERM. Creates the data directory (SQLite) or the tables (PostgreSQL) on "
        "its first start, and a demo tenant unless ACCREDIT_DEMO_TENANT=0.",
    )
    serve.add_argument("--host", help="the address to listen on (ACCREDIT_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="the port to listen on (ACCREDIT_PORT, 8000)")
    serve.add_argument(
        "--workers", type=int, help="gunicorn worker processes (ACCREDIT_WORKERS, 2)"
    )
    serve.add_argument(
        "--threads", type=int, help="threads per gunicorn worker (ACCREDIT_THREADS, 4)"
    )
    serve.set_defaults(func=cmd_serve)
