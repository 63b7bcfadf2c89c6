"""The access context's bulk actions on credentials: suspend, resume, revoke, re-issue."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from domain.access.application import AccessApplication
from domain.access.credential import Credential, credential_id
from domain.shared.application import rehearsing
from domain.shared.bulk_kinds import BulkItem, BulkKind, Facts, recorded, text_param
from domain.shared.errors import InvalidValue, NotFound

REASON_MAX = 500
# A re-issued code is kept for the organiser to fetch once (the access API's code route).
KeepCode = Callable[[Credential, str], None]


class _CredentialKind:
    name = ""
    undo_kind: str | None = None
    # The credential statuses the command accepts.
    accepts: tuple[str, ...] = ()

    def __init__(self, access: AccessApplication) -> None:
        self.access = access

    @property
    def batch_application(self) -> AccessApplication | None:
        return self.access

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"reason": text_param(params, "reason", REASON_MAX)}

    def preflight(self, params: Mapping[str, Any], facts: Facts) -> str | None:
        del params
        if facts.credential_status is None:
            return "not-found"
        return None if facts.credential_status in self.accepts else "credential-state"

    def _check_event(self, item: BulkItem) -> None:
        # The credential names its participant's event; one of another event is not found.
        if self.access.credential(item.tenant_id, item.participant_id).event_id != item.event_id:
            raise NotFound(f"participant {item.participant_id} has no credential at this event")

    def applied(self, item: BulkItem, causation_id: str) -> bool:
        return recorded(self.access, credential_id(item.participant_id), causation_id)


class SuspendCredential(_CredentialKind):
    name = "suspend-credential"
    undo_kind = "resume-credential"
    accepts = ("active",)

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._check_event(item)
        self.access.suspend_credential(item.tenant_id, item.participant_id, item.params["reason"])
        return {}


class ResumeCredential(_CredentialKind):
    name = "resume-credential"
    undo_kind = "suspend-credential"
    accepts = ("suspended",)

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._check_event(item)
        self.access.resume_credential(item.tenant_id, item.participant_id, item.params["reason"])
        return {}


class RevokeCredential(_CredentialKind):
    name = "revoke-credential"
    accepts = ("active", "suspended")

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._check_event(item)
        self.access.revoke_credential(item.tenant_id, item.participant_id, item.params["reason"])
        return None  # revoked for good


class ReissueCredential(_CredentialKind):
    name = "reissue-credential"
    accepts = ("active", "suspended")

    def __init__(self, access: AccessApplication, keep_code: KeepCode) -> None:
        super().__init__(access)
        self.keep_code = keep_code

    @property
    def batch_application(self) -> AccessApplication | None:
        return None  # a code kept for a re-issue that a batch did not save would mislead

    def clean(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if params:
            raise InvalidValue("params", "re-issuing takes no parameters")
        return {}

    def apply(self, item: BulkItem) -> dict[str, Any] | None:
        self._check_event(item)
        issued = self.access.reissue_credential(item.tenant_id, item.participant_id)
        if not rehearsing():  # a dry run's code was never the credential's
            self.keep_code(issued.ack.aggregate, issued.code)
        return None  # the old code is gone


def access_kinds(access: AccessApplication, keep_code: KeepCode) -> list[BulkKind]:
    """The access context's bulk kinds, on its application."""
    return [
        SuspendCredential(access),
        ResumeCredential(access),
        RevokeCredential(access),
        ReissueCredential(access, keep_code),
    ]
