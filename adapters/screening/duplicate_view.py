"""Duplicate detection's tables, written by the duplicates projector.

Detection reads what the same batch wrote (a block the previous registration just
joined), so the view sends its statements as it goes rather than buffering them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, and_, case, delete, or_, select, update

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
from domain.screening.forms import PersonForms
from domain.screening.pair_review import pair_id
from domain.screening.scoring import Score
from projections.screening.duplicates import Person

people_ = screening_people.c
keys_ = screening_blocking_keys.c
counts_ = screening_key_counts.c
pairs_ = duplicate_candidates.c
reviews_ = duplicate_reviews.c
PENDING = "PENDING"
# Keys per IN list: far below SQLite's limit on parameters.
_CHUNK = 500


def pair_fingerprint(fingerprint_a: str, fingerprint_b: str) -> str:
    """What a review holds: both records' forms digests, in the pair's order."""
    return f"{fingerprint_a}:{fingerprint_b}"


def _chunks(values: Collection[Any]) -> list[list[Any]]:
    ordered = sorted(values, key=str)
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

    # People and blocks

    def person(self, participant_id: UUID) -> Person | None:
        query = select(screening_people).where(people_.participant_id == participant_id)
        row = self.conn.execute(query).mappings().first()
        return _person(row) if row is not None else None

    def people(self, participant_ids: Collection[UUID]) -> list[Person]:
        found: list[Person] = []
        for chunk in _chunks(participant_ids):
            query = select(screening_people).where(
                people_.participant_id.in_(chunk), people_.active.is_(True)
            )
            found += [_person(r) for r in self.conn.execute(query).mappings()]
        return found

    def sharing(self, tenant_id: UUID, keys: Collection[str]) -> list[Person]:
        ids: set[UUID] = set()
        for chunk in _chunks(keys):
            query = select(keys_.participant_id).where(
                keys_.tenant_id == tenant_id, keys_.key.in_(chunk)
            )
            ids.update(self.conn.execute(query).scalars())
        return self.people(ids)

    def key_counts(self, tenant_id: UUID, keys: Collection[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(keys):
            query = select(counts_.key, counts_.participants).where(
                counts_.tenant_id == tenant_id, counts_.key.in_(chunk)
            )
            counts.update({k: int(n) for k, n in self.conn.execute(query)})
        return counts

    def save(self, person: Person, at: datetime) -> None:
        values = {
            "tenant_id": person.tenant_id,
            "event_id": person.event_id,
            "details": person.details,
            "forms": person.forms.to_json(),
            "fingerprint": person.forms.fingerprint,
            "active": person.active,
            "updated_at": at,
        }
        stmt = dialect_insert(self.conn.engine, screening_people).values(
            participant_id=person.participant_id, **values
        )
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[people_.participant_id], set_=values)
        )

    def block(self, person: Person, keys: frozenset[str]) -> None:
        tenant = person.tenant_id
        rows = [
            {"tenant_id": tenant, "key": k, "participant_id": person.participant_id} for k in keys
        ]
        if rows:
            self.conn.execute(screening_blocking_keys.insert(), rows)
        self._count(tenant, [*keys, "*"], +1)

    def unblock(self, participant_id: UUID) -> None:
        query = select(keys_.tenant_id, keys_.key).where(keys_.participant_id == participant_id)
        found = self.conn.execute(query).all()
        if not found:
            return
        tenant = found[0].tenant_id
        self.conn.execute(
            delete(screening_blocking_keys).where(keys_.participant_id == participant_id)
        )
        self._count(tenant, [*(r.key for r in found), "*"], -1)

    def _count(self, tenant_id: UUID, keys: list[str], change: int) -> None:
        stmt = dialect_insert(self.conn.engine, screening_key_counts)
        upsert = stmt.on_conflict_do_update(
            index_elements=[counts_.tenant_id, counts_.key],
            set_={"participants": counts_.participants + stmt.excluded.participants},
        )
        rows = [{"tenant_id": tenant_id, "key": k, "participants": change} for k in keys]
        self.conn.execute(upsert, rows)
        if change < 0:
            for chunk in _chunks(keys):
                self.conn.execute(
                    delete(screening_key_counts).where(
                        counts_.tenant_id == tenant_id,
                        counts_.key.in_(chunk),
                        counts_.participants <= 0,
                    )
                )

    # Pairs

    def paired_with(self, participant_id: UUID) -> list[UUID]:
        query = select(pairs_.participant_a, pairs_.participant_b).where(
            or_(pairs_.participant_a == participant_id, pairs_.participant_b == participant_id)
        )
        return [b if a == participant_id else a for a, b in self.conn.execute(query)]

    def raise_pair(self, new: Person, other: Person, score: Score, at: datetime) -> None:
        first, second = sorted((new, other), key=lambda p: str(p.participant_id))
        oriented = score if first is new else score.reversed()
        pair = pair_id(first.participant_id, second.participant_id)
        fingerprint_a, fingerprint_b = first.forms.fingerprint, second.forms.fingerprint
        review = self.conn.execute(
            select(reviews_.decision, reviews_.fingerprint, reviews_.reviewed_at).where(
                reviews_.pair_id == pair
            )
        ).first()
        reviewed = review.fingerprint if review is not None else None
        status = PENDING
        # A review holds while neither record has changed in a compared field.
        current = pair_fingerprint(fingerprint_a, fingerprint_b)
        if review is not None and review.decision is not None and reviewed == current:
            status = review.decision
        values = {
            "tenant_id": new.tenant_id,
            "participant_a": first.participant_id,
            "participant_b": second.participant_id,
            "event_a": first.event_id,
            "event_b": second.event_id,
            "same_event": first.event_id == second.event_id,
            "score": oriented.total,
            "probability": oriented.probability,
            "explanation": oriented.explanation(),
            "status": status,
            "fingerprint_a": fingerprint_a,
            "fingerprint_b": fingerprint_b,
            "reviewed_fingerprint": reviewed,
            # The last change of either kind, whichever log a rebuild reads first.
            "updated_at": max(at, review.reviewed_at) if review is not None else at,
        }
        stmt = dialect_insert(self.conn.engine, duplicate_candidates).values(
            pair_id=pair, created_at=at, **values
        )
        self.conn.execute(stmt.on_conflict_do_update(index_elements=[pairs_.pair_id], set_=values))

    def drop_pair(self, one: UUID, other: UUID) -> None:
        self.conn.execute(delete(duplicate_candidates).where(pairs_.pair_id == pair_id(one, other)))

    # Reviews and settings

    def review_opened(self, pair_id: UUID, tenant_id: UUID, at: datetime) -> None:
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
        values = {"duplicate_scope": scope, "updated_at": at}
        stmt = dialect_insert(self.conn.engine, screening_settings).values(
            tenant_id=tenant_id, **values
        )
        self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[screening_settings.c.tenant_id], set_=values)
        )
