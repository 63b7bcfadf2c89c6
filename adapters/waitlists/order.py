"""The order of an event's waiting entries, kept as keys that leave room between them.

An entry's key places it: the smaller, the sooner its turn. A new key goes halfway
between those of the entries it lands between, or a gap past the first or the last,
so that joining, moving or leaving writes the entry's own row and no other. When two
neighbours have no integer left between them, the event's waiting entries get fresh
keys a gap apart: one statement per entry, and rare (a gap of GAP takes about twenty
joins at one spot to use up).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, bindparam, func, select, update

from adapters.waitlists.tables import WAITING, waitlist_entries

GAP = 2**20

e_ = waitlist_entries.c


class WaitingOrder:
    """The order keys of the events' waiting entries, read and written in the view's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def key_at(self, event_id: UUID, index: int, without: UUID | None = None) -> int:
        """A key that puts an entry at `index` (0: next) of the event's waiting entries.

        `without`: the entry that moves, whose own key does not count.
        """
        before, after = self._neighbours(event_id, index, without)
        if before is not None and after is not None and after - before < 2:
            self._renumber(event_id)
            before, after = self._neighbours(event_id, index, without)
        if before is None:
            return GAP if after is None else after - GAP
        if after is None:
            return before + GAP
        return before + (after - before) // 2

    def _neighbours(
        self, event_id: UUID, index: int, without: UUID | None
    ) -> tuple[int | None, int | None]:
        """The keys of the waiting entries at index - 1 and at index; None: there is none."""
        waiting = [e_.event_id == event_id, e_.state == WAITING]
        if without is not None:
            waiting.append(e_.entry_id != without)
        if index == 0:
            first = select(e_.place).where(*waiting).order_by(e_.place).limit(1)
            return None, self.conn.execute(first).scalar()
        pair = select(e_.place).where(*waiting).order_by(e_.place).offset(index - 1).limit(2)
        keys = list(self.conn.execute(pair).scalars())
        if not keys:  # past the end: after the last
            return self.conn.execute(select(func.max(e_.place)).where(*waiting)).scalar(), None
        return keys[0], keys[1] if len(keys) > 1 else None

    def _renumber(self, event_id: UUID) -> None:
        """Fresh keys for the event's waiting entries, in their order, a gap apart."""
        in_order = (
            select(e_.entry_id)
            .where(e_.event_id == event_id, e_.state == WAITING)
            .order_by(e_.place)
        )
        keys = [
            {"renumbered": entry_id, "new_place": (i + 1) * GAP}
            for i, entry_id in enumerate(self.conn.execute(in_order).scalars())
        ]
        self.conn.execute(
            update(waitlist_entries)
            .where(e_.entry_id == bindparam("renumbered"))
            .values(place=bindparam("new_place")),
            keys,
        )
