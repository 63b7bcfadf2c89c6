"""The screening context's application: what reviewers and the screening policy decide."""

from __future__ import annotations

from uuid import UUID

from domain.screening.pair_review import Decision, PairReview, review_id
from domain.screening.screening_settings import (
    DEFAULT_SCOPE,
    DuplicateScope,
    ScreeningSettings,
    settings_id,
)
from domain.shared.application import AccreditApplication, Ack, retry_on_conflict
from domain.shared.cause import current_cause
from domain.shared.errors import InvalidValue, NotFound
from domain.shared.names import free_text

COMMENT_MAX = 1000


class ScreeningApplication(AccreditApplication):
    """One event store for the context's decisions (reviews of pairs, blacklist entries)."""

    name = "screening"
    aggregates = (PairReview, ScreeningSettings)

    @retry_on_conflict
    def review_pair(
        self,
        tenant_id: UUID,
        pair_id: UUID,
        participant_ids: list[UUID],
        decision: Decision,
        fingerprint: str,
        comment: str | None = None,
    ) -> Ack[PairReview]:
        """Confirms or dismisses a duplicate candidate as its two records now stand."""
        comment = free_text(comment, "comment", COMMENT_MAX)
        try:
            review = self.load(PairReview, review_id(pair_id))
        except NotFound:
            review = PairReview(tenant_id, pair_id, sorted(participant_ids, key=str))
        if review.tenant_id != tenant_id:
            raise NotFound(f"no duplicate candidate with id {pair_id}")
        review.decide(decision, fingerprint, current_cause().actor, comment)
        return self.ack(review)

    def duplicate_scope(self, tenant_id: UUID) -> DuplicateScope:
        """Where the tenant's duplicates are looked for (the default until set)."""
        try:
            return self.load(ScreeningSettings, settings_id(tenant_id)).duplicate_scope
        except NotFound:
            return DEFAULT_SCOPE

    @retry_on_conflict
    def set_duplicate_scope(self, tenant_id: UUID, scope: str) -> Ack[ScreeningSettings]:
        """Looks for the tenant's duplicates within each event or across all its events."""
        try:
            wanted = DuplicateScope(scope)
        except ValueError:
            raise InvalidValue("duplicate_scope", "the scope must be event or tenant") from None
        try:
            settings = self.load(ScreeningSettings, settings_id(tenant_id))
        except NotFound:
            settings = ScreeningSettings(tenant_id, wanted.value)
        settings.change_scope(wanted)
        return self.ack(settings)
