"""The credentials read model: each credential's state, eligibility and code generation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.access.credential import Credential, CredentialState
from projections.projector import Projector, on


class CredentialsView(Protocol):
    """Where the credentials projector writes."""

    def issued(
        self,
        credential_id: UUID,
        tenant_id: UUID,
        event_id: UUID,
        participant_id: UUID,
        category: str | None,
        at: datetime,
    ) -> None: ...

    def changed(
        self, credential_id: UUID, changes: dict[str, Any], version: int, at: datetime
    ) -> None: ...


class CredentialsProjector(Projector[CredentialsView]):
    name = "credentials"
    version = 2  # 2: screening's block (a column, and `works` false while blocked)
    upstream = ("access",)

    @on(Credential.Issued)
    def _issued(self, e: Credential.Issued, view: CredentialsView) -> None:
        view.issued(
            e.originator_id, e.tenant_id, e.event_id, e.participant_id, e.category, e.timestamp
        )

    @on(Credential.Reissued)
    def _reissued(self, e: Credential.Reissued, view: CredentialsView) -> None:
        changes = {
            "generation": e.generation,
            "state": CredentialState.ACTIVE.value,
            "reason": None,
            "reissued_at": e.timestamp,
        }
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.Suspended)
    def _suspended(self, e: Credential.Suspended, view: CredentialsView) -> None:
        changes = {"state": CredentialState.SUSPENDED.value, "reason": e.reason}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.Resumed)
    def _resumed(self, e: Credential.Resumed, view: CredentialsView) -> None:
        changes = {"state": CredentialState.ACTIVE.value, "reason": e.reason}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.Revoked)
    def _revoked(self, e: Credential.Revoked, view: CredentialsView) -> None:
        changes = {"state": CredentialState.REVOKED.value, "reason": e.reason}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.EligibilityChanged)
    def _eligibility(self, e: Credential.EligibilityChanged, view: CredentialsView) -> None:
        changes = {"eligible": e.eligible, "participant_status": e.participant_status}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.ScreeningBlocked)
    def _blocked(self, e: Credential.ScreeningBlocked, view: CredentialsView) -> None:
        changes = {"blocked": True}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)

    @on(Credential.ScreeningUnblocked)
    def _unblocked(self, e: Credential.ScreeningUnblocked, view: CredentialsView) -> None:
        changes = {"blocked": False}
        view.changed(e.originator_id, changes, e.originator_version, e.timestamp)
