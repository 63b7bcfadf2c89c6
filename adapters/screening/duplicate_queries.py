"""Reads of duplicate candidates for the HTTP API, always within one tenant and its scope."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, RowMapping, Select, and_, literal, or_, select

from adapters.screening.duplicate_tables import (
    duplicate_candidates,
    screening_people,
    screening_settings,
)
from adapters.screening.duplicate_view import pair_fingerprint
from adapters.sql.paging import BadCursor, Page, decode_cursor, encode_cursor
from adapters.sql.reader import Reader
from domain.screening.screening_settings import DEFAULT_SCOPE, DuplicateScope

pairs_ = duplicate_candidates.c
people_ = screening_people.c


@dataclass(frozen=True)
class CandidateRow:
    id: UUID
    status: str
    score: float
    probability: float
    participant_ids: list[UUID]
    event_ids: list[UUID]
    same_event: bool
    fingerprint: str
    reviewed_fingerprint: str | None
    explanation: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CandidateDetail:
    candidate: CandidateRow
    participants: list[dict[str, Any]]  # {id, event_id, details}, in the pair's order


def _cursor_of(row: CandidateRow) -> str:
    return encode_cursor(repr(row.score), str(row.id))


def _after(cursor: str) -> tuple[float, UUID]:
    values = decode_cursor(cursor)
    try:
        score, pair = float(values[0]), UUID(values[1])
    except (ValueError, IndexError):
        raise BadCursor("the cursor is not valid") from None
    if len(values) != 2 or not math.isfinite(score):
        raise BadCursor("the cursor is not valid")
    return score, pair


class DuplicateQueries:
    """Reads of the duplicate candidates table."""

    def __init__(self, engine: Engine | Reader) -> None:
        self.reader = Reader.of(engine)

    def scope(self, tenant_id: UUID) -> DuplicateScope:
        """Where the tenant's duplicates are looked for."""
        query = select(screening_settings.c.duplicate_scope).where(
            screening_settings.c.tenant_id == tenant_id
        )
        rows = self.reader.rows(query)
        return DuplicateScope(rows[0][0]) if rows else DEFAULT_SCOPE

    def _visible(self, tenant_id: UUID) -> Select[Any]:
        query = select(duplicate_candidates).where(pairs_.tenant_id == tenant_id)
        if self.scope(tenant_id) is DuplicateScope.EVENT:
            query = query.where(pairs_.same_event.is_(True))
        return query

    def candidates(
        self,
        tenant_id: UUID,
        limit: int,
        cursor: str | None = None,
        status: str | None = None,
        event_id: UUID | None = None,
        min_score: float | None = None,
    ) -> Page[CandidateRow]:
        """The tenant's candidates, highest score first, a page at a time."""
        query = self._visible(tenant_id)
        if status is not None:
            query = query.where(pairs_.status == status)
        if event_id is not None:
            query = query.where(or_(pairs_.event_a == event_id, pairs_.event_b == event_id))
        if min_score is not None:
            query = query.where(pairs_.score >= min_score)
        if cursor is not None:
            score, pair = _after(cursor)
            at = literal(score, pairs_.score.type)
            query = query.where(
                or_(pairs_.score < at, and_(pairs_.score == at, pairs_.pair_id > pair))
            )
        query = query.order_by(pairs_.score.desc(), pairs_.pair_id).limit(limit + 1)
        rows = [_row(r._mapping) for r in self.reader.rows(query)]
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], _cursor_of(rows[limit - 1]))

    def candidate(self, tenant_id: UUID, pair_id: UUID) -> CandidateRow | None:
        """One of the tenant's candidates, if listed under its scope now."""
        rows = self.reader.rows(self._visible(tenant_id).where(pairs_.pair_id == pair_id))
        return _row(rows[0]._mapping) if rows else None

    def detail(self, tenant_id: UUID, pair_id: UUID) -> CandidateDetail | None:
        """The candidate with both participants' current details."""
        candidate = self.candidate(tenant_id, pair_id)
        if candidate is None:
            return None
        query = select(people_.participant_id, people_.event_id, people_.details).where(
            people_.participant_id.in_(candidate.participant_ids)
        )
        found = {r.participant_id: r for r in self.reader.rows(query)}
        participants = [
            {"id": p, "event_id": found[p].event_id, "details": dict(found[p].details)}
            for p in candidate.participant_ids
            if p in found
        ]
        return CandidateDetail(candidate, participants)


def _row(mapping: RowMapping) -> CandidateRow:
    return CandidateRow(
        id=mapping["pair_id"],
        status=mapping["status"],
        score=mapping["score"],
        probability=mapping["probability"],
        participant_ids=[mapping["participant_a"], mapping["participant_b"]],
        event_ids=[mapping["event_a"], mapping["event_b"]],
        same_event=mapping["same_event"],
        fingerprint=pair_fingerprint(mapping["fingerprint_a"], mapping["fingerprint_b"]),
        reviewed_fingerprint=mapping["reviewed_fingerprint"],
        explanation=dict(mapping["explanation"]),
        created_at=mapping["created_at"],
        updated_at=mapping["updated_at"],
    )
