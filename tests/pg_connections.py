"""Which of a PostgreSQL server's connections one local process holds, and what each is for.

A process's connections are found by their sockets (Linux /proc): every TCP socket
the process has open to the server's port is one row of pg_stat_activity, found by
its client port. That is the ground truth, whatever name a connection was given;
application_name (accredit:<pid>:<purpose>) then says what each is for.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

UNNAMED = "(unnamed)"


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def client_ports(pid: int, server_port: int) -> set[int]:
    """The local ports of the process's TCP connections to `server_port`."""
    inodes = _socket_inodes(pid)
    ports = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], int(fields[9])
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == server_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def held_by(admin: psycopg.Connection[Any], pid: int, server_port: int = 5432) -> Counter[str]:
    """The process's connections to the server, counted by application_name."""
    ports = sorted(client_ports(pid, server_port))
    rows = admin.execute(
        "SELECT application_name, count(*) FROM pg_stat_activity"
        " WHERE client_port = ANY(%s) AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend' GROUP BY application_name",
        (ports,),
    ).fetchall()
    return Counter({str(name) or UNNAMED: int(count) for name, count in rows})


def purposes(held: Counter[str]) -> dict[str, int]:
    """accredit:<pid>:views -> views, and so on; other names are kept whole."""
    found: Counter[str] = Counter()
    for name, count in held.items():
        parts = name.split(":", 2)
        found[parts[2] if len(parts) == 3 and parts[0] == "accredit" else name] += count
    return dict(sorted(found.items()))


def settled(
    held: Callable[[], Counter[str]], quiet_seconds: float, poll_seconds: float, timeout: float
) -> Counter[str]:
    """What `held()` answers once it has not changed for `quiet_seconds` (at most `timeout`)."""
    deadline = time.monotonic() + timeout
    last, since = held(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_seconds:
        time.sleep(poll_seconds)
        now = held()
        if now != last:
            last, since = now, time.monotonic()
    return last
