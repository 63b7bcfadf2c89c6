"""Exclusive locks between processes on one machine, on files that exist only while held.

The kernel releases an flock when its holder's process dies, however it dies, so a
lock is never left held by a process that is gone. The holder removes the file
before unlocking, so a waiter that then gets the lock on the removed file tries
again on a new one; a holder killed outright leaves its file behind, unlocked,
and the next holder takes that one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


class FileLock:
    """One holder's lock on a path, taken and given back at any time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: TextIO | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Takes the lock (waiting for it if `blocking`); True once this holder has it."""
        if self._handle is not None:
            return True
        flags = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a")
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                handle.close()
                return False
            if _same_file(handle, self.path):
                self._handle = handle
                return True
            handle.close()

    def write_note(self, note: str) -> None:
        """Leaves a line in the locked file for others to read (who holds it)."""
        if self._handle is None:
            raise RuntimeError(f"{self.path} is not held")
        self._handle.truncate(0)
        self._handle.write(note)
        self._handle.flush()

    def release(self) -> None:
        if self._handle is None:
            return
        self.path.unlink(missing_ok=True)
        self._handle.close()
        self._handle = None


def _same_file(handle: TextIO, path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Holds the lock on `path` for the block, waiting for it first."""
    lock = FileLock(path)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def held_note(path: Path) -> str | None:
    """The note of whoever holds the lock on `path` now, or None if no one does."""
    try:
        handle = path.open()
    except FileNotFoundError:
        return None
    with handle:
        try:
            # A shared lock is refused only while a holder has the exclusive one.
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return handle.read()
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
