"""`accredit worker NAME`: one background worker of a context, alone in this process."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from adapters.settings import Settings
from entrypoints.wiring.context import Invocation, Subcommands, Worker
from entrypoints.wiring.contexts import CONTEXTS

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


def wanted_workers(settings: Settings) -> list[str]:
    """The workers `serve` starts on these settings, by name."""
    names = []
    for context in CONTEXTS:
        for name in context.workers:
            wanted = context.workers_wanted.get(name)
            if wanted is None or wanted(settings):
                names.append(name)
    return names


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


def add_worker_command(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """Adds `accredit worker NAME`."""
    worker = sub.add_parser(
        "worker",
        help="run one background worker alone, until SIGTERM (serve runs them all)",
        description="Runs one background worker in this process until SIGTERM or SIGINT. "
        "`accredit serve` runs every worker itself; this is for deployments that spread "
        "them over processes or hosts.",
    )
    worker.add_argument("name", choices=sorted(workers()), help="the worker to run")
    worker.set_defaults(func=cmd_worker)
