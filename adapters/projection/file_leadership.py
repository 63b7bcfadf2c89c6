"""Leading a projection on SQLite: an flock on a file beside the views' database file.

SQLite is one machine, and the kernel releases an flock the moment its holder's
process dies, which is what a PostgreSQL session does for an advisory lock. The
holder writes its pid and host into the file for `accredit projections status`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from adapters.projection.file_lock import FileLock, held_note
from adapters.projection.leader import Leader, describe, parse, this_process


def leader_lock_path(engine: Engine, name: str, version: int) -> Path:
    """The lock file of one projection version, next to the views' file."""
    database = engine.url.database
    if not database:
        raise ValueError("leading a projection on SQLite needs a file-backed database")
    views = Path(database)
    return views.with_name(f"{views.stem}.leader_{name}_v{version}.lock")


class FileLeadership:
    """Leads while this runner holds the projection version's lock file."""

    def __init__(self, path: Path) -> None:
        self._lock = FileLock(path)

    def try_lead(self) -> bool:
        if self._lock.held:
            return True
        if not self._lock.acquire(blocking=False):
            return False
        self._lock.write_note(describe(this_process()))
        return True

    def leading(self) -> bool:
        # Nothing takes an flock away from a live process.
        return self._lock.held

    def step_down(self) -> None:
        self._lock.release()

    def close(self) -> None:
        self.step_down()


def file_leader(path: Path) -> Leader | None:
    """The process holding the lock file, if any does."""
    note = held_note(path)
    if note is None:
        return None
    # Held, but its holder has not written its note yet.
    return parse(note) or Leader("unknown", 0)
