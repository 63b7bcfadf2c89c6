"""Duplicate detection's tables, written by the duplicates projector.

Detection reads what the same batch wrote (a block the previous registration just
joined, a count, a pair), so the view keeps the batch's state in memory: what it
has read of the tables, with the batch's own changes applied on top. Reads ask the
database only for what neither holds yet, and the changes are sent at flush(), each
table's in a few executemany statements. prefetch() reads, for a whole batch of
registrations, the counts, blocks and people their detection will read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import (
    Connection,
    RowMapping,
    Table,
    and_,
    any_,
    bindparam,
    case,
    delete,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from adapters.projection.sql_view import SqlView
from adapters.screening.duplicate_tables import (
    duplicate_candidates,
    duplicate_reviews,
    screening_blocking_keys,
    screening_key_counts,
    screening_people,
    screening_settings,
)
from adapters.sql.transactions import dialect_insert
from domain.registration.participant import Participant
from domain.screening.blocking import PARTICIPANTS_KEY, blocking_keys, informative, token_key
from domain.screening.forms import PersonForms, forms_of
from domain.screening.pair_review import pair_id
from domain.screening.scoring import Score
from projections.screening.duplicates import Other, Person

people_ = screening_people.c
keys_ = screening_blocking_keys.c
counts_ = screening_key_counts.c
pairs_ = duplicate_candidates.c
reviews_ = duplicate_reviews.c
PENDING = "PENDING"
# Values per IN list: far below SQLite's limit on parameters.
_CHUNK = 500

Block = tuple[UUID, str]  # a tenant's blocking key
# Domain events of a registered participant that detection reads the row of.
_CHANGES = (
    Participant.DetailsUpdated,
    Participant.Absorbed,
    Participant.Unabsorbed,
    Participant.Withdrawn,
    Participant.Cancelled,
    Participant.Restored,
    Participant.MergedInto,
    Participant.Unmerged,
)


def _among(column: Any, name: str, postgresql: bool) -> Any:
    """The column's value is one of a list bound as `name`."""
    if postgresql:
        # One statement text whatever the list's length: the server can keep its plan.
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


class _Reads:
    """The statements the view reads with, in a dialect's form."""

    def __init__(self, postgresql: bool) -> None:
        self.counts = select(counts_.key, counts_.participants).where(
            counts_.tenant_id == bindparam("tenant"), _among(counts_.key, "keys", postgresql)
        )
        self.members = select(keys_.key, keys_.participant_id).where(
            keys_.tenant_id == bindparam("tenant"), _among(keys_.key, "keys", postgresql)
        )
        self.keys_of = select(keys_.participant_id, keys_.tenant_id, keys_.key).where(
            _among(keys_.participant_id, "ids", postgresql)
        )
        # What comparing needs of the others: not their details.
        self.others = select(
            people_.participant_id, people_.event_id, people_.forms, people_.fingerprint
        ).where(_among(people_.participant_id, "ids", postgresql), people_.active.is_(True))
        self.people = select(screening_people).where(
            _among(people_.participant_id, "ids", postgresql)
        )
        self.pairs_of = select(pairs_.pair_id, pairs_.participant_a, pairs_.participant_b).where(
            or_(
                _among(pairs_.participant_a, "ids", postgresql),
                _among(pairs_.participant_b, "ids_b", postgresql),
            )
        )
        self.reviews = select(
            reviews_.pair_id, reviews_.decision, reviews_.fingerprint, reviews_.reviewed_at
        ).where(_among(reviews_.pair_id, "ids", postgresql))


_READS = {"postgresql": _Reads(postgresql=True), "sqlite": _Reads(postgresql=False)}
_LEAVE = delete(screening_blocking_keys).where(
    keys_.tenant_id == bindparam("tenant"),
    keys_.key == bindparam("key"),
    keys_.participant_id == bindparam("participant"),
)
_JOIN = screening_blocking_keys.insert()


def pair_fingerprint(fingerprint_a: str, fingerprint_b: str) -> str:
    """What a review holds: both records' forms digests, in the pair's order."""
    return f"{fingerprint_a}:{fingerprint_b}"


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    ordered = sorted(set(values), key=str)
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _person(row: RowMapping) -> Person:
    return Person(
        participant_id=row["participant_id"],
        tenant_id=row["tenant_id"],
        event_id=row["event_id"],
        details=dict(row["details"]),
        forms=PersonForms.from_json(row["forms"]),
        active=row["active"],
    )


# Upserts built once per dialect and table: building one costs more than sending it.
_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts the rows, or sets every column but the keys (and created_at) where one exists.

    A key count's row is the exception: its participants are added to what it holds.
    """
    if not rows:
        return
    statement = _UPSERTS.get((conn.engine.dialect.name, table.name))
    if statement is None:
        stmt = dialect_insert(conn.engine, table)
        keys = [c.name for c in table.primary_key.columns]
        if table is screening_key_counts:
            set_ = {"participants": counts_.participants + stmt.excluded.participants}
        else:
            kept = {*keys, "created_at"}
            set_ = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in kept}
        statement = stmt.on_conflict_do_update(index_elements=keys, set_=set_)
        _UPSERTS[(conn.engine.dialect.name, table.name)] = statement
    conn.execute(statement, rows)


@dataclass
class _PairChange:
    """A pair's pending change: its new row, or its deletion (values None)."""

    participant_a: UUID
    participant_b: UUID
    values: dict[str, Any] | None
    # The row the database holds is deleted before the new one is inserted.
    replaces: bool = False


@dataclass
class _Pending:
    """The batch's changes not sent yet."""

    people: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    joined: dict[Block, set[UUID]] = field(default_factory=dict)
    left: dict[Block, set[UUID]] = field(default_factory=dict)
    counts: dict[Block, int] = field(default_factory=dict)
    pairs: dict[UUID, _PairChange] = field(default_factory=dict)
    pairs_of: dict[UUID, set[UUID]] = field(default_factory=dict)  # participant -> pair ids


class SqlDuplicatesView(SqlView):
    """The duplicates projector's view changes, inside the runner's transaction."""

    tables = (
        screening_people,
        screening_blocking_keys,
        screening_key_counts,
        duplicate_candidates,
        duplicate_reviews,
        screening_settings,
    )

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._sql = _READS[conn.engine.dialect.name]
        self._pending = _Pending()
        # What the tables hold with the pending changes applied, for what was read.
        self._counts: dict[Block, int] = {}
        self._uncounted: set[Block] = set()  # no count row, so no block row either
        self._members: dict[Block, set[UUID]] = {}
        self._keys_of: dict[UUID, tuple[UUID | None, frozenset[str]]] = {}
        self._others: dict[UUID, Other | None] = {}
        self._persons: dict[UUID, Person | None] = {}
        self._paired: dict[UUID, set[UUID]] = {}
        self._reviews: dict[UUID, Any] = {}

    def prefetch(self, domain_events: Sequence[DomainEventProtocol[Any]]) -> None:
        """Reads, in a few statements, what detecting the batch's registrations will read.

        That is the counts of their keys, the blocks worth reading and the people in
        them, and those people's name token counts; and for participants who change
        or leave, their row, keys and pairs.
        """
        registered: dict[UUID, set[str]] = {}
        ids: list[UUID] = []
        for e in domain_events:
            if isinstance(e, Participant.Registered):
                keys = blocking_keys(forms_of(dict(e.details)))
                registered.setdefault(e.tenant_id, set()).update(keys)
            elif isinstance(e, _CHANGES):
                ids.append(e.originator_id)
        self._load_persons(ids)
        self._load_keys_of(ids)
        self._load_pairs(
            [
                *ids,
                *(e.originator_id for e in domain_events if isinstance(e, Participant.Registered)),
            ]
        )
        for tenant, wanted in registered.items():
            self._load_counts(tenant, wanted | {PARTICIPANTS_KEY})
            worth = [k for k in wanted if informative(k, self._counts[(tenant, k)])]
            found = self.people(self._load_members(tenant, worth))
            self._load_counts(tenant, {token_key(t) for o in found for t in o.forms.core_tokens})

    def flush(self) -> None:
        self._send()
        super().flush()

    # People and blocks

    def person(self, participant_id: UUID) -> Person | None:
        if participant_id not in self._persons:
            self._load_persons([participant_id])
        return self._persons[participant_id]

    def people(self, participant_ids: Collection[UUID]) -> list[Other]:
        unread = [i for i in participant_ids if i not in self._others]
        for chunk in _chunks(unread):
            self._others.update(dict.fromkeys(chunk))
            for r in self.conn.execute(self._sql.others, {"ids": chunk}):
                forms = PersonForms.from_json(r.forms)
                self._others[r.participant_id] = Other(
                    r.participant_id, r.event_id, forms, r.fingerprint
                )
        return [o for i in participant_ids if (o := self._others[i]) is not None]

    def sharing(self, tenant_id: UUID, keys: Collection[str]) -> list[Other]:
        return self.people(self._load_members(tenant_id, keys))

    def key_counts(self, tenant_id: UUID, keys: Collection[str]) -> dict[str, int]:
        self._load_counts(tenant_id, keys)
        return {k: n for k in keys if (n := self._counts[(tenant_id, k)]) > 0}

    def save(self, person: Person, at: datetime) -> None:
        fingerprint = person.forms.fingerprint
        self._pending.people[person.participant_id] = {
            "participant_id": person.participant_id,
            "tenant_id": person.tenant_id,
            "event_id": person.event_id,
            "details": person.details,
            "forms": person.forms.to_json(),
            "fingerprint": fingerprint,
            "active": person.active,
            "updated_at": at,
        }
        self._persons[person.participant_id] = person
        self._others[person.participant_id] = (
            Other(person.participant_id, person.event_id, person.forms, fingerprint)
            if person.active
            else None
        )

    def block(self, person: Person, keys: frozenset[str]) -> None:
        tenant, participant = person.tenant_id, person.participant_id
        self._membership(tenant, participant, keys, joining=True)
        self._keys_of[participant] = (tenant, keys)
        self._count(tenant, [*keys, PARTICIPANTS_KEY], +1)

    def unblock(self, participant_id: UUID) -> None:
        if participant_id not in self._keys_of:
            self._load_keys_of([participant_id])
        tenant, keys = self._keys_of[participant_id]
        if tenant is None or not keys:
            return
        self._membership(tenant, participant_id, keys, joining=False)
        self._keys_of[participant_id] = (tenant, frozenset())
        self._count(tenant, [*keys, PARTICIPANTS_KEY], -1)

    def _membership(
        self, tenant: UUID, participant: UUID, keys: Iterable[str], *, joining: bool
    ) -> None:
        """The participant joins (or leaves) these blocks: a pending opposite move cancels."""
        pending = self._pending
        undo, do = (pending.left, pending.joined) if joining else (pending.joined, pending.left)
        for key in keys:
            block = (tenant, key)
            opposite = undo.get(block)
            if opposite is not None and participant in opposite:
                opposite.discard(participant)
            else:
                do.setdefault(block, set()).add(participant)
            members = self._members.get(block)
            if members is not None:
                if joining:
                    members.add(participant)
                else:
                    members.discard(participant)

    def _count(self, tenant_id: UUID, keys: list[str], change: int) -> None:
        counts = self._pending.counts
        for key in keys:
            block = (tenant_id, key)
            counts[block] = counts.get(block, 0) + change
            if block in self._counts:
                self._counts[block] += change

    # Pairs

    def paired_with(self, participant_id: UUID) -> list[UUID]:
        if participant_id not in self._paired:
            self._load_pairs([participant_id])
        return list(self._paired[participant_id])

    def raise_pair(self, new: Person, other: Other, score: Score, at: datetime) -> None:
        mine = (new.participant_id, new.event_id, new.forms.fingerprint)
        theirs = (other.participant_id, other.event_id, other.fingerprint)
        first, second = sorted((mine, theirs), key=lambda p: str(p[0]))
        oriented = score if first is mine else score.reversed()
        pair = pair_id(first[0], second[0])
        review = self._review(pair)
        reviewed = review.fingerprint if review is not None else None
        status = PENDING
        # A review holds while neither record has changed in a compared field.
        current = pair_fingerprint(first[2], second[2])
        if review is not None and review.decision is not None and reviewed == current:
            status = review.decision
        row = {
            "pair_id": pair,
            "tenant_id": new.tenant_id,
            "participant_a": first[0],
            "participant_b": second[0],
            "event_a": first[1],
            "event_b": second[1],
            "same_event": first[1] == second[1],
            "score": oriented.total,
            "probability": oriented.probability,
            "explanation": oriented.explanation(),
            "status": status,
            "fingerprint_a": first[2],
            "fingerprint_b": second[2],
            "reviewed_fingerprint": reviewed,
            "created_at": at,
            # The last change of either kind, whichever log a rebuild reads first.
            "updated_at": max(at, review.reviewed_at) if review is not None else at,
        }
        change = self._pending.pairs.get(pair)
        if change is None:
            self._pair_change(pair, first[0], second[0], row)
        elif change.values is None:
            change.values, change.replaces = row, True
        else:
            # Raised again in this batch: still first raised when it was.
            change.values = {**row, "created_at": change.values["created_at"]}
        for one, two in ((first[0], second[0]), (second[0], first[0])):
            if one in self._paired:
                self._paired[one].add(two)

    def drop_pair(self, one: UUID, other: UUID) -> None:
        pair = pair_id(one, other)
        change = self._pending.pairs.get(pair)
        if change is None:
            self._pair_change(pair, one, other, None)
        else:
            change.values = None
        for a, b in ((one, other), (other, one)):
            if a in self._paired:
                self._paired[a].discard(b)

    def _pair_change(
        self, pair: UUID, one: UUID, other: UUID, values: dict[str, Any] | None
    ) -> None:
        self._pending.pairs[pair] = _PairChange(one, other, values)
        for participant in (one, other):
            self._pending.pairs_of.setdefault(participant, set()).add(pair)

    # Reviews and settings: written as they come, after what the batch has pending.

    def review_opened(self, pair_id: UUID, tenant_id: UUID, at: datetime) -> None:
        self._send()
        self._reviews.pop(pair_id, None)
        self.conn.execute(
            duplicate_reviews.insert().values(pair_id=pair_id, tenant_id=tenant_id, reviewed_at=at)
        )

    def reviewed(
        self,
        pair_id: UUID,
        decision: str,
        fingerprint: str,
        actor: str,
        comment: str | None,
        at: datetime,
    ) -> None:
        self._send()
        self._reviews.pop(pair_id, None)
        self.conn.execute(
            update(duplicate_reviews)
            .where(reviews_.pair_id == pair_id)
            .values(
                decision=decision,
                fingerprint=fingerprint,
                actor=actor,
                comment=comment,
                reviewed_at=at,
            )
        )
        current = pairs_.fingerprint_a + ":" + pairs_.fingerprint_b
        for matches, status in (
            (current == fingerprint, decision),
            (current != fingerprint, PENDING),
        ):
            self.conn.execute(
                update(duplicate_candidates)
                .where(and_(pairs_.pair_id == pair_id, matches))
                .values(
                    status=status,
                    reviewed_fingerprint=fingerprint,
                    updated_at=case((pairs_.updated_at < at, at), else_=pairs_.updated_at),
                )
            )

    def scope_set(self, tenant_id: UUID, scope: str, at: datetime) -> None:
        self._send()
        values = {"duplicate_scope": scope, "updated_at": at}
        stmt = dialect_insert(self.conn.engine, screening_settings).values(
            tenant_id=tenant_id, **values
        )
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[screening_settings.c.tenant_id], set_=values)
        )

    # Reading what is not held yet

    def _load_counts(self, tenant_id: UUID, keys: Iterable[str]) -> None:
        unread = [k for k in keys if (tenant_id, k) not in self._counts]
        pending = self._pending.counts
        for chunk in _chunks(unread):
            found = dict(
                self.conn.execute(self._sql.counts, {"tenant": tenant_id, "keys": chunk}).all()
            )
            for key in chunk:
                block = (tenant_id, key)
                if key not in found:
                    self._uncounted.add(block)
                self._counts[block] = int(found.get(key, 0)) + pending.get(block, 0)

    def _load_members(self, tenant_id: UUID, keys: Collection[str]) -> set[UUID]:
        self._load_counts(tenant_id, keys)
        blocks = [(tenant_id, k) for k in keys]
        unread = [b for b in blocks if b not in self._members]
        pending = self._pending
        for block in unread:
            self._members[block] = set()
        to_read = [key for tenant, key in unread if (tenant, key) not in self._uncounted]
        for chunk in _chunks(to_read):
            for key, participant in self.conn.execute(
                self._sql.members, {"tenant": tenant_id, "keys": chunk}
            ):
                self._members[(tenant_id, key)].add(participant)
        for block in unread:
            members = self._members[block]
            members |= pending.joined.get(block, set())
            members -= pending.left.get(block, set())
        found: set[UUID] = set()
        for block in blocks:
            found |= self._members[block]
        return found

    def _load_persons(self, participant_ids: Iterable[UUID]) -> None:
        unread = [i for i in participant_ids if i not in self._persons]
        for chunk in _chunks(unread):
            self._persons.update(dict.fromkeys(chunk))
            for row in self.conn.execute(self._sql.people, {"ids": chunk}).mappings():
                self._persons[row["participant_id"]] = _person(row)

    def _load_keys_of(self, participant_ids: Iterable[UUID]) -> None:
        unread = [i for i in participant_ids if i not in self._keys_of]
        for chunk in _chunks(unread):
            found: dict[UUID, tuple[UUID | None, set[str]]] = {i: (None, set()) for i in chunk}
            for participant, tenant, key in self.conn.execute(self._sql.keys_of, {"ids": chunk}):
                found[participant] = (tenant, found[participant][1] | {key})
            for participant, (tenant, keys) in found.items():
                self._keys_of[participant] = (tenant, frozenset(keys))

    def _load_pairs(self, participant_ids: Iterable[UUID]) -> None:
        unread = [i for i in participant_ids if i not in self._paired]
        pending = self._pending
        for chunk in _chunks(unread):
            wanted = set(chunk)
            for participant in chunk:
                self._paired[participant] = set()
            for _, a, b in self.conn.execute(self._sql.pairs_of, {"ids": chunk, "ids_b": chunk}):
                if a in wanted:
                    self._paired[a].add(b)
                if b in wanted:
                    self._paired[b].add(a)
            for participant in chunk:
                for pair in pending.pairs_of.get(participant, ()):
                    change = pending.pairs[pair]
                    other = (
                        change.participant_b
                        if change.participant_a == participant
                        else change.participant_a
                    )
                    if change.values is None:
                        self._paired[participant].discard(other)
                    else:
                        self._paired[participant].add(other)

    def _review(self, pair: UUID) -> Any:
        if pair not in self._reviews:
            self._reviews[pair] = self.conn.execute(self._sql.reviews, {"ids": [pair]}).first()
        return self._reviews[pair]

    # Sending the batch's changes

    def _send(self) -> None:
        pending, self._pending = self._pending, _Pending()
        conn = self.conn
        _upsert(conn, screening_people, list(pending.people.values()))
        for statement, moves, names in (
            (_LEAVE, pending.left, ("tenant", "participant")),
            (_JOIN, pending.joined, ("tenant_id", "participant_id")),
        ):
            tenant, participant = names
            rows = [
                {tenant: t, "key": k, participant: p} for (t, k), ids in moves.items() for p in ids
            ]
            if rows:
                conn.execute(statement, rows)
        changed = [
            {"tenant_id": t, "key": k, "participants": n}
            for (t, k), n in pending.counts.items()
            if n != 0
        ]
        _upsert(conn, screening_key_counts, changed)
        fewer = [b for b, n in pending.counts.items() if n < 0]
        for chunk in _chunks(fewer):
            conn.execute(
                delete(screening_key_counts).where(
                    tuple_(counts_.tenant_id, counts_.key).in_(chunk),
                    counts_.participants <= 0,
                )
            )
        for block in pending.counts:
            # Whether the database holds a count (and so blocks) of the key has changed.
            self._uncounted.discard(block)
            if self._counts.get(block, 1) <= 0:
                self._uncounted.add(block)
        gone = [p for p, c in pending.pairs.items() if c.values is None or c.replaces]
        for chunk in _chunks(gone):
            conn.execute(delete(duplicate_candidates).where(pairs_.pair_id.in_(chunk)))
        raised = [c.values for c in pending.pairs.values() if c.values is not None]
        _upsert(conn, duplicate_candidates, raised)
