"""Who leads a projection's runners: a process on a host, as other processes can see it."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

_PREFIX = "accredit-projector "


@dataclass(frozen=True)
class Leader:
    """The process whose runner of a projection version reads and applies its batches."""

    host: str
    pid: int

    def __str__(self) -> str:
        return f"{self.pid}@{self.host}"


def this_process() -> Leader:
    return Leader(socket.gethostname(), os.getpid())


def describe(leader: Leader, limit: int = 63) -> str:
    """The leader as one line: PostgreSQL keeps the first 63 bytes of an application name."""
    return f"{_PREFIX}{leader}"[:limit]


def parse(note: str) -> Leader | None:
    """The leader a `describe` line names; None for anything else (a file half written)."""
    if not note.startswith(_PREFIX):
        return None
    pid, _, host = note.removeprefix(_PREFIX).strip().partition("@")
    if not pid.isdigit():
        return None
    return Leader(host, int(pid))
