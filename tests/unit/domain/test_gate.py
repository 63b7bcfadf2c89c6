"""Gate decisions, one rule at a time."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from domain.access import badge_code
from domain.access.credential_snapshot import CredentialSnapshot
from domain.access.gate import ANNUL_WINDOW, AnnulWindowClosed, Gate, UnknownScan
from domain.access.plan import UnknownCheckpoint
from domain.access.scan import Passage, Scan, ScanResult
from domain.shared.errors import InvalidValue
from tests.unit.domain.gate_fixtures import MINUTE, NOON, Site, issued

ENTRY, EXIT = Passage.ENTRY, Passage.EXIT


@pytest.fixture
def site() -> Site:
    return Site()


def test_a_valid_badge_enters_the_zone_and_is_counted_inside(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    decision = gate.scan(site.scan(code, "arena-in"))

    assert decision.result is ScanResult.OK
    assert decision.participant_id == credential.participant_id
    assert decision.credential_id == credential.id
    assert decision.entered == (site.zones["arena"],)
    assert gate.inside(site.zones["arena"]) == 1
    assert gate.who_is_inside(site.zones["arena"]) == {credential.participant_id}


def test_a_malformed_unknown_or_superseded_code_is_an_unknown_credential(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    stranger = badge_code.generate(uuid.uuid4())
    forged = badge_code.generate(credential.id)
    credential.reissue(badge_code.digest(badge_code.generate(credential.id)))
    reissued = site.gate(credential)

    for g, c in [(gate, "NOT-A-CODE"), (gate, stranger), (gate, forged), (reissued, code)]:
        decision = g.scan(site.scan(c, "arena-in"))
        assert decision.result is ScanResult.UNKNOWN_CREDENTIAL
        assert decision.participant_id is None
        assert decision.entered == ()


def test_revoked_suspended_and_unapproved_credentials_are_refused_for_what_they_are(
    site: Site,
) -> None:
    revoked, revoked_code = issued()
    revoked.revoke(None)
    suspended, suspended_code = issued()
    suspended.suspend("lost")
    unapproved, unapproved_code = issued()
    unapproved.follow_participant(False, "withdrawn", 2)
    gate = site.gate(revoked, suspended, unapproved)

    assert gate.scan(site.scan(revoked_code, "arena-in")).result is ScanResult.REVOKED
    assert gate.scan(site.scan(suspended_code, "arena-in")).result is ScanResult.SUSPENDED
    assert gate.scan(site.scan(unapproved_code, "arena-in")).result is ScanResult.NOT_APPROVED
    assert gate.inside(site.zones["arena"]) == 0
    assert gate.ledger.denials == 3


def test_a_credential_change_reaches_the_gate_through_a_new_snapshot(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    credential.suspend(None)
    gate.update_credential(CredentialSnapshot.of(credential))

    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.SUSPENDED


def test_a_blocked_participant_is_refused_until_unblocked(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.block(credential.participant_id)

    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.BLOCKED
    gate.unblock(credential.participant_id)
    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.OK


def test_an_unknown_checkpoint_is_a_domain_error_not_a_result(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    with pytest.raises(UnknownCheckpoint):
        gate.decide(Scan(code, uuid.uuid4(), ENTRY, "d1", "n1", NOON))


def test_an_inactive_checkpoint_lets_no_one_through(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    site.venue.deactivate_checkpoint(site.gates["arena-in"])

    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.CHECKPOINT_INACTIVE


def test_a_one_way_gate_refuses_the_other_way_as_the_wrong_zone(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    assert gate.scan(site.scan(code, "arena-out", ENTRY)).result is ScanResult.WRONG_ZONE
    gate.scan(site.scan(code, "arena-in"))
    assert gate.scan(site.scan(code, "arena-in", EXIT)).result is ScanResult.WRONG_ZONE
    assert gate.inside(site.zones["arena"]) == 1


def test_a_category_never_admitted_is_the_wrong_zone_and_one_admitted_later_is_outside_its_window(
    site: Site,
) -> None:
    press, press_code = issued("press")
    crew, crew_code = issued("crew")
    gate = site.gate(press, crew)
    window = {"starts_at": NOON + 60 * MINUTE, "ends_at": NOON + 120 * MINUTE}
    site.venue.replace_zone_rules(
        site.zones["arena"], [{"category": "press", "windows": [window]}], ["press", "crew"]
    )

    assert gate.scan(site.scan(crew_code, "arena-in")).result is ScanResult.WRONG_ZONE
    early = gate.scan(site.scan(press_code, "arena-in"))
    assert early.result is ScanResult.OUTSIDE_VALIDITY_WINDOW
    on_time = gate.scan(site.scan(press_code, "arena-in", at=NOON + 90 * MINUTE))
    assert on_time.result is ScanResult.OK


def test_an_inner_zone_needs_the_rules_of_the_zones_around_it(site: Site) -> None:
    crew, crew_code = issued("crew")
    gate = site.gate(crew)
    site.venue.replace_zone_rules(site.zones["arena"], [{"category": "press"}], ["press", "crew"])

    assert gate.scan(site.scan(crew_code, "vip")).result is ScanResult.WRONG_ZONE


def test_reentry_after_exit_refuses_a_second_entry_until_the_participant_leaves(
    site: Site,
) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.OK
    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.ALREADY_INSIDE
    assert gate.scan(site.scan(code, "arena-out", EXIT)).result is ScanResult.OK
    assert gate.scan(site.scan(code, "arena-in")).result is ScanResult.OK
    assert gate.inside(site.zones["arena"]) == 1


def test_a_single_entry_zone_lets_each_participant_in_once_ever(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    assert gate.scan(site.scan(code, "hall")).result is ScanResult.OK
    assert gate.scan(site.scan(code, "hall", EXIT)).result is ScanResult.OK
    assert gate.scan(site.scan(code, "hall")).result is ScanResult.ALREADY_INSIDE


def test_an_unlimited_zone_takes_repeated_entries_without_counting_anyone_twice(
    site: Site,
) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    assert gate.scan(site.scan(code, "lounge")).result is ScanResult.OK
    again = gate.scan(site.scan(code, "lounge"))
    assert again.result is ScanResult.OK
    assert again.entered == ()
    assert gate.inside(site.zones["lounge"]) == 1
    assert gate.ledger.entries == 2


def test_entering_an_inner_zone_from_outside_enters_the_zones_around_it(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    decision = gate.scan(site.scan(code, "vip"))

    assert decision.entered == (site.zones["vip"], site.zones["arena"])
    assert gate.inside(site.zones["vip"]) == 1
    assert gate.inside(site.zones["arena"]) == 1


def test_entering_a_zone_outside_the_current_one_leaves_it_and_frees_its_places(
    site: Site,
) -> None:
    credential, code = issued()
    other, other_code = issued()
    gate = site.gate(credential, other)
    gate.scan(site.scan(code, "vip"))

    decision = gate.scan(site.scan(code, "hall"))

    assert decision.left == (site.zones["vip"], site.zones["arena"])
    assert decision.entered == (site.zones["hall"],)
    assert gate.inside(site.zones["vip"]) == 0
    assert gate.inside(site.zones["arena"]) == 0
    assert gate.scan(site.scan(other_code, "vip")).result is ScanResult.OK


def test_a_full_zone_of_the_chain_refuses_the_entry_with_no_partial_effect(site: Site) -> None:
    first, first_code = issued()
    second, second_code = issued()
    gate = site.gate(first, second)
    gate.scan(site.scan(first_code, "vip"))

    decision = gate.scan(site.scan(second_code, "vip"))

    assert decision.result is ScanResult.ZONE_FULL
    assert decision.entered == ()
    assert gate.inside(site.zones["arena"]) == 1


def test_leaving_a_zone_leaves_the_zones_inside_it_and_not_inside_is_refused(
    site: Site,
) -> None:
    credential, code = issued()
    gate = site.gate(credential)

    assert gate.scan(site.scan(code, "arena-out", EXIT)).result is ScanResult.NOT_INSIDE
    gate.scan(site.scan(code, "vip"))
    decision = gate.scan(site.scan(code, "arena-out", EXIT))

    assert decision.result is ScanResult.OK
    assert decision.left == (site.zones["vip"], site.zones["arena"])
    assert gate.inside(site.zones["vip"]) == gate.inside(site.zones["arena"]) == 0


def test_leaving_an_inner_zone_puts_the_participant_back_in_the_one_around_it(
    site: Site,
) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "vip"))

    assert gate.scan(site.scan(code, "vip", EXIT)).left == (site.zones["vip"],)
    assert gate.ledger.where(credential.participant_id) == (site.zones["arena"],)


def test_a_suspended_participant_may_still_leave(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "arena-in"))
    credential.suspend(None)
    gate.update_credential(CredentialSnapshot.of(credential))

    assert gate.scan(site.scan(code, "arena-out", EXIT)).result is ScanResult.OK


def test_a_capacity_lowered_below_occupancy_keeps_people_in_and_lets_no_one_else_in(
    site: Site,
) -> None:
    people = [issued() for _ in range(3)]
    gate = site.gate(*(c for c, _ in people))
    for _, code in people[:2]:
        gate.scan(site.scan(code, "arena-in"))
    site.venue.change_zone_capacity(site.zones["arena"], 1)

    assert gate.inside(site.zones["arena"]) == 2
    assert gate.scan(site.scan(people[2][1], "arena-in")).result is ScanResult.ZONE_FULL
    gate.scan(site.scan(people[0][1], "arena-out", EXIT))
    assert gate.scan(site.scan(people[2][1], "arena-in")).result is ScanResult.ZONE_FULL
    gate.scan(site.scan(people[1][1], "arena-out", EXIT))
    assert gate.scan(site.scan(people[2][1], "arena-in")).result is ScanResult.OK


def test_a_forced_scan_overrides_the_rules_and_marks_what_it_overrode(site: Site) -> None:
    credential, code = issued()
    credential.revoke(None)
    gate = site.gate(credential)
    site.venue.deactivate_checkpoint(site.gates["hall"])

    revoked = gate.scan(site.scan(code, "arena-in", forced=True))
    inactive = gate.scan(site.scan(code, "hall", forced=True))

    assert revoked.result is ScanResult.OK
    assert revoked.forced
    assert revoked.overridden is ScanResult.REVOKED
    assert inactive.overridden is ScanResult.CHECKPOINT_INACTIVE
    assert gate.ledger.where(credential.participant_id) == (site.zones["hall"],)


def test_a_forced_scan_never_lets_an_unknown_code_through_nor_fills_a_zone_beyond_capacity(
    site: Site,
) -> None:
    first, first_code = issued()
    second, second_code = issued()
    gate = site.gate(first, second)
    gate.scan(site.scan(first_code, "vip"))

    unknown = gate.scan(site.scan(badge_code.generate(uuid.uuid4()), "vip", forced=True))
    full = gate.scan(site.scan(second_code, "vip", forced=True))

    assert unknown.result is ScanResult.UNKNOWN_CREDENTIAL
    assert full.result is ScanResult.ZONE_FULL
    assert gate.inside(site.zones["vip"]) == 1


def test_a_repeated_nonce_answers_the_first_decision_with_no_second_effect(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    first = gate.scan(site.scan(code, "lounge", nonce="same"))

    again = gate.scan(site.scan(code, "lounge", nonce="same", at=NOON + MINUTE))

    assert again is first
    assert gate.ledger.entries == 1
    other_device = gate.scan(site.scan(code, "lounge", nonce="same", device_id="d2"))
    assert other_device is not first
    assert gate.ledger.entries == 2


def test_an_annulled_entry_leaves_the_zones_it_entered(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "arena-in", nonce="in"))
    gate.scan(site.scan(code, "vip"))

    annulment = gate.annul("d1", "in", NOON + MINUTE)
    gate.apply(annulment)

    assert annulment.annulment
    assert annulment.left == (site.zones["vip"], site.zones["arena"])
    assert gate.inside(site.zones["arena"]) == 0
    assert gate.ledger.entries == 1
    assert gate.ledger.annulled == 1


def test_an_annulled_single_entry_may_be_made_again(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "hall", nonce="in"))
    gate.apply(gate.annul("d1", "in", NOON))

    assert gate.scan(site.scan(code, "hall")).result is ScanResult.OK


def test_an_annulled_exit_puts_the_participant_back_if_there_is_room(site: Site) -> None:
    first, first_code = issued()
    second, second_code = issued()
    gate = site.gate(first, second)
    gate.scan(site.scan(first_code, "vip"))
    gate.scan(site.scan(first_code, "vip", EXIT, nonce="out"))
    gate.scan(site.scan(second_code, "vip"))

    refused = gate.annul("d1", "out", NOON + MINUTE)
    gate.apply(refused)
    assert refused.result is ScanResult.ZONE_FULL
    assert gate.ledger.where(first.participant_id) == (site.zones["arena"],)

    gate.scan(site.scan(second_code, "vip", EXIT))
    put_back = gate.annul("d1", "out", NOON + 2 * MINUTE)
    gate.apply(put_back)
    assert put_back.result is ScanResult.OK
    assert gate.ledger.where(first.participant_id) == (site.zones["vip"], site.zones["arena"])


def test_an_annulled_refusal_changes_nothing_and_annulling_twice_is_a_no_op(site: Site) -> None:
    credential, code = issued()
    credential.suspend(None)
    gate = site.gate(credential)
    gate.scan(site.scan(code, "arena-in", nonce="in"))
    before = (gate.ledger.whereabouts.copy(), gate.ledger.denials)

    first = gate.annul("d1", "in", NOON)
    gate.apply(first)
    second = gate.annul("d1", "in", NOON + MINUTE)
    gate.apply(second)

    assert second is first
    assert first.entered == first.left == ()
    assert (gate.ledger.whereabouts, gate.ledger.denials) == before
    assert gate.ledger.annulled == 1


def test_annulling_an_unknown_nonce_or_after_the_window_is_a_domain_error(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "arena-in", nonce="in"))

    with pytest.raises(UnknownScan):
        gate.annul("d1", "never", NOON)
    with pytest.raises(AnnulWindowClosed):
        gate.annul("d1", "in", NOON + ANNUL_WINDOW + MINUTE)


def test_an_offline_batch_is_decided_in_scan_order_and_answered_in_input_order(
    site: Site,
) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    scans = [
        site.scan(code, "arena-out", EXIT, at=NOON + MINUTE, nonce="b", offline=True),
        site.scan(code, "arena-in", at=NOON, nonce="a", offline=True),
    ]

    answers = gate.decide_batch(scans, recorded_at=NOON + 60 * MINUTE)

    assert [a.nonce for a in answers] == ["b", "a"]
    assert all(a.result is ScanResult.OK and a.offline for a in answers)
    assert all(a.recorded_at == NOON + 60 * MINUTE for a in answers)
    assert gate.inside(site.zones["arena"]) == 0


def test_scans_made_at_the_same_moment_are_decided_by_nonce(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    scans = [
        site.scan(code, "arena-out", EXIT, nonce="2"),
        site.scan(code, "arena-in", nonce="1"),
    ]

    assert [a.result for a in gate.decide_batch(scans)] == [ScanResult.OK, ScanResult.OK]


def test_a_retried_batch_changes_nothing_and_gets_the_same_answers(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    scans = [site.scan(code, "arena-in", offline=True), site.scan(code, "vip", offline=True)]
    answers = gate.decide_batch(scans)
    ledger = (gate.ledger.whereabouts.copy(), gate.ledger.entries)

    assert gate.decide_batch(scans) == answers
    assert (gate.ledger.whereabouts, gate.ledger.entries) == ledger


def test_a_batch_naming_an_unknown_checkpoint_is_refused_whole(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    scans = [site.scan(code, "arena-in"), Scan(code, uuid.uuid4(), ENTRY, "d1", "x", NOON)]

    with pytest.raises(UnknownCheckpoint):
        gate.decide_batch(scans)
    assert gate.ledger.decisions == {}


def test_checking_out_a_zone_takes_everyone_out_of_it_and_the_zones_inside_it(
    site: Site,
) -> None:
    people = [issued() for _ in range(3)]
    gate = site.gate(*(c for c, _ in people))
    gate.scan(site.scan(people[0][1], "vip"))
    gate.scan(site.scan(people[1][1], "arena-in"))
    gate.scan(site.scan(people[2][1], "hall"))

    exits = gate.check_out_all(NOON + 60 * MINUTE, "evening", site.zones["arena"])
    for decision in exits:
        gate.apply(decision)

    assert {d.participant_id for d in exits} == {
        people[0][0].participant_id,
        people[1][0].participant_id,
    }
    assert all(d.passage is EXIT and d.result is ScanResult.OK for d in exits)
    assert gate.inside(site.zones["arena"]) == gate.inside(site.zones["vip"]) == 0
    assert gate.inside(site.zones["hall"]) == 1
    for decision in gate.check_out_all(NOON + 61 * MINUTE, "night"):
        gate.apply(decision)
    assert gate.ledger.whereabouts == {}
    assert gate.ledger.exits == 3


def test_the_counters_count_entries_exits_and_denials(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "arena-in"))
    gate.scan(site.scan(code, "arena-in"))
    gate.scan(site.scan(code, "arena-out", EXIT))

    assert (gate.ledger.entries, gate.ledger.exits, gate.ledger.denials) == (1, 1, 1)


def test_applying_the_recorded_decisions_again_rebuilds_the_ledger(site: Site) -> None:
    people = [issued() for _ in range(3)]
    gate = site.gate(*(c for c, _ in people))
    log = [
        gate.scan(site.scan(people[0][1], "vip", nonce="a")),
        gate.scan(site.scan(people[1][1], "vip")),
        gate.scan(site.scan(people[2][1], "hall")),
        gate.scan(site.scan(people[0][1], "hall")),
    ]
    log.append(gate.annul("d1", "a", NOON))
    gate.apply(log[-1])

    rebuilt = Gate(site.venue)
    for decision in log:
        rebuilt.apply(decision)

    assert rebuilt.ledger == gate.ledger


def test_a_check_out_asked_again_with_its_nonce_has_no_second_effect(site: Site) -> None:
    credential, code = issued()
    gate = site.gate(credential)
    gate.scan(site.scan(code, "vip"))

    first = gate.check_out_all(NOON, "evening")
    again = gate.check_out_all(NOON, "evening")
    for decision in first + again:
        gate.apply(decision)

    assert again == first
    assert gate.ledger.exits == 1
    assert gate.ledger.whereabouts == {}


def test_a_scan_needs_an_aware_moment() -> None:
    with pytest.raises(InvalidValue):
        Scan("CODE", uuid.uuid4(), ENTRY, "d1", "n1", datetime(2027, 6, 1, 12))  # noqa: DTZ001


def test_a_snapshot_checks_codes_as_its_credential_does() -> None:
    credential, code = issued()
    for change in (lambda: credential.suspend(None), lambda: credential.revoke(None)):
        change()
        assert CredentialSnapshot.of(credential).check(code) is credential.check(code)
    credential.reissue(badge_code.digest(badge_code.generate(credential.id)))
    assert CredentialSnapshot.of(credential).check(code) is credential.check(code)
