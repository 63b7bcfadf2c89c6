"""Credential rules: works only when active and the participant approved; revoked is final."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.domain import Aggregate

from domain.access import badge_code
from domain.access.credential import (
    CodeCheck,
    Credential,
    CredentialNotActive,
    CredentialNotSuspended,
    CredentialRevoked,
    CredentialState,
    credential_id,
)


def issued(participant_version: int = 2) -> tuple[Credential, str]:
    participant_id = uuid.uuid4()
    code = badge_code.generate(credential_id(participant_id))
    credential = Credential(
        tenant_id=uuid.uuid4(),
        event_id=uuid.uuid4(),
        participant_id=participant_id,
        category="press",
        code_digest=badge_code.digest(code),
        participant_version=participant_version,
    )
    return credential, code


def replayed(credential: Credential) -> Credential:
    copy: Aggregate | None = None
    for domain_event in credential.collect_events():
        copy = domain_event.mutate(copy)
    assert isinstance(copy, Credential)
    return copy


def test_an_issued_credential_has_the_participants_derived_id_and_works() -> None:
    credential, code = issued()

    assert credential.id == credential_id(credential.participant_id)
    assert credential.id == uuid.uuid5(
        uuid.uuid5(uuid.NAMESPACE_URL, "accredit:credential"), str(credential.participant_id)
    )
    assert credential.works
    assert credential.generation == 1
    assert credential.check(code) is CodeCheck.VALID


def test_the_clear_code_is_in_no_domain_event() -> None:
    credential, code = issued()
    credential.reissue(badge_code.digest(new := badge_code.generate(credential.id)))

    for domain_event in credential.collect_events():
        assert code not in repr(domain_event.__dict__)
        assert new not in repr(domain_event.__dict__)


def test_a_suspended_credential_stops_working_until_resumed() -> None:
    credential, code = issued()

    credential.suspend("lost badge reported")
    assert not credential.works
    assert credential.check(code) is CodeCheck.SUSPENDED

    credential.resume(None)
    assert credential.works
    assert credential.check(code) is CodeCheck.VALID


def test_suspending_twice_or_resuming_an_active_credential_is_refused() -> None:
    credential, _ = issued()

    with pytest.raises(CredentialNotSuspended):
        credential.resume(None)
    credential.suspend(None)
    with pytest.raises(CredentialNotActive):
        credential.suspend(None)


def test_a_revoked_credential_cannot_be_resumed_suspended_or_revoked_again() -> None:
    credential, code = issued()
    credential.revoke("fraud")

    assert credential.check(code) is CodeCheck.REVOKED
    for refused in (credential.resume, credential.suspend, credential.revoke):
        with pytest.raises(CredentialRevoked):
            refused(None)


def test_a_reissue_makes_a_new_code_the_old_one_stops_and_the_credential_is_active() -> None:
    credential, old = issued()
    credential.revoke(None)
    new = badge_code.generate(credential.id)

    credential.reissue(badge_code.digest(new))

    assert credential.state is CredentialState.ACTIVE
    assert credential.generation == 2
    assert credential.check(new) is CodeCheck.VALID
    assert credential.check(old) is CodeCheck.SUPERSEDED
    assert not credential.matches(old)


def test_a_participant_no_longer_approved_has_a_credential_that_stops_working() -> None:
    credential, code = issued(participant_version=2)

    credential.follow_participant(False, "withdrawn", 3)

    assert not credential.works
    assert credential.check(code) is CodeCheck.NOT_ELIGIBLE
    credential.follow_participant(True, "approved", 4)
    assert credential.works


def test_an_older_or_replayed_participant_domain_event_changes_nothing() -> None:
    credential, _ = issued(participant_version=2)
    credential.follow_participant(False, "rejected", 5)
    version = credential.version

    credential.follow_participant(True, "approved", 2)
    credential.follow_participant(False, "rejected", 5)
    credential.follow_participant(True, "approved", 4)

    assert credential.version == version
    assert not credential.eligible


def test_an_ineligible_credential_still_refuses_staff_rules_and_works_once_approved() -> None:
    credential, code = issued()
    credential.follow_participant(False, "rejected", 3)
    credential.suspend(None)
    credential.follow_participant(True, "approved", 4)

    assert credential.check(code) is CodeCheck.SUSPENDED


def test_replaying_the_domain_events_gives_the_same_credential() -> None:
    credential, _ = issued()
    credential.suspend("x")
    credential.follow_participant(False, "cancelled", 7)
    credential.reissue(badge_code.digest(badge_code.generate(credential.id)))
    expected = {k: v for k, v in credential.__dict__.items() if k != "_pending_events"}

    copy = replayed(credential)

    assert {k: v for k, v in copy.__dict__.items() if k != "_pending_events"} == expected
