"""Duplicate detection as a projection: each registration or change of details is scored.

A person is compared only with the tenant's active participants who share one of
their blocking keys (blocks too large to say anything are skipped), and each pair at
or above the threshold is kept as a candidate with its explanation. A full rescan is
a rebuild of this projection: the same code, over the same history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.registration.participant import Participant
from domain.screening.blocking import PARTICIPANTS_KEY, blocking_keys, informative, token_key
from domain.screening.forms import PersonForms, forms_of
from domain.screening.pair_review import PairReview
from domain.screening.scoring import Frequencies, Score, score
from domain.screening.screening_settings import ScreeningSettings
from projections.projector import Projector, on


@dataclass(frozen=True)
class Person:
    """A participant as detection knows them."""

    participant_id: UUID
    tenant_id: UUID
    event_id: UUID
    details: dict[str, Any]
    forms: PersonForms
    active: bool = True


@dataclass(frozen=True)
class Other:
    """Another active participant as detection compares them: their forms, not their details."""

    participant_id: UUID
    event_id: UUID
    forms: PersonForms
    fingerprint: str


class DuplicatesView(Protocol):
    """Where the duplicates projector reads people and blocks, and writes pairs."""

    def person(self, participant_id: UUID) -> Person | None:
        """The participant as last saved, if detection has seen them."""

    def people(self, participant_ids: Collection[UUID]) -> list[Other]:
        """The active ones of these participants."""

    def sharing(self, tenant_id: UUID, keys: Collection[str]) -> list[Other]:
        """The tenant's active participants with any of these blocking keys."""

    def key_counts(self, tenant_id: UUID, keys: Collection[str]) -> Mapping[str, int]:
        """How many of the tenant's active participants have each key (absent: none)."""

    def paired_with(self, participant_id: UUID) -> list[UUID]:
        """The other participant of every candidate pair this one is in."""

    def save(self, person: Person, at: datetime) -> None:
        """Keeps the person's details and forms."""

    def block(self, person: Person, keys: frozenset[str]) -> None:
        """Puts the person in the blocks of these keys, and counts them there."""

    def unblock(self, participant_id: UUID) -> None:
        """Takes the person out of every block and count they are in."""

    def raise_pair(self, new: Person, other: Other, score: Score, at: datetime) -> None:
        """Keeps (or updates) the pair as a candidate, scored from `new`'s side."""

    def drop_pair(self, one: UUID, other: UUID) -> None:
        """The pair is no candidate (any more)."""

    def review_opened(self, pair_id: UUID, tenant_id: UUID, at: datetime) -> None: ...

    def reviewed(
        self,
        pair_id: UUID,
        decision: str,
        fingerprint: str,
        actor: str,
        comment: str | None,
        at: datetime,
    ) -> None:
        """The pair's last review; it holds while the pair's fingerprint is this one."""

    def scope_set(self, tenant_id: UUID, scope: str, at: datetime) -> None: ...


def detect(person: Person, view: DuplicatesView, at: datetime) -> None:
    """Scores the person against everyone sharing a key, and against their current pairs."""
    tenant, forms = person.tenant_id, person.forms
    keys = blocking_keys(forms)
    counts = dict(view.key_counts(tenant, keys | {PARTICIPANTS_KEY}))
    worth_reading = [k for k in keys if informative(k, counts.get(k, 0))]
    others = {p.participant_id: p for p in view.sharing(tenant, worth_reading)}
    others.pop(person.participant_id, None)
    paired = set(view.paired_with(person.participant_id))
    others.update({p.participant_id: p for p in view.people(paired - others.keys())})
    theirs = {token_key(t) for p in others.values() for t in p.forms.core_tokens} - keys
    counts.update(view.key_counts(tenant, theirs))
    frequencies = Frequencies(
        participants=counts.get(PARTICIPANTS_KEY, 0),
        tokens={k[2:]: n for k, n in counts.items() if k.startswith("t:")},
    )
    for other_id in sorted(others, key=str):
        other = others[other_id]
        result = score(forms, other.forms, frequencies)
        if result.is_candidate:
            view.raise_pair(person, other, result, at)
        elif other_id in paired:
            view.drop_pair(person.participant_id, other_id)
    view.save(person, at)
    view.block(person, keys)


def _retire(person: Person, view: DuplicatesView, at: datetime) -> None:
    view.unblock(person.participant_id)
    for other in view.paired_with(person.participant_id):
        view.drop_pair(person.participant_id, other)
    view.save(replace(person, active=False), at)


# Statuses a registration leaves detection in (an un-merge may give one back).
ENDED = frozenset({"withdrawn", "cancelled"})


class DuplicatesProjector(Projector[DuplicatesView]):
    name = "duplicates"
    version = 2
    upstream = ("registration", "screening")

    @on(Participant.Registered)
    def _registered(self, e: Participant.Registered, view: DuplicatesView) -> None:
        details = dict(e.details)
        person = Person(e.originator_id, e.tenant_id, e.event_id, details, forms_of(details))
        detect(person, view, e.timestamp)

    @on(Participant.DetailsUpdated, Participant.Absorbed, Participant.Unabsorbed)
    def _details_updated(
        self,
        e: Participant.DetailsUpdated | Participant.Absorbed | Participant.Unabsorbed,
        view: DuplicatesView,
    ) -> None:
        # A merge's survivor takes some of the absorbed's details; an un-merge gives them back.
        before = view.person(e.originator_id)
        if before is None:
            return
        details = {**before.details, **e.changes}
        after = replace(before, details=details, forms=forms_of(details))
        if not after.active or after.forms == before.forms:
            # Nothing compared changed (a letter's case, say): the pairs and reviews stand.
            view.save(after, e.timestamp)
            return
        view.unblock(before.participant_id)
        detect(after, view, e.timestamp)

    @on(Participant.Withdrawn, Participant.Cancelled, Participant.MergedInto)
    def _left(
        self,
        e: Participant.Withdrawn | Participant.Cancelled | Participant.MergedInto,
        view: DuplicatesView,
    ) -> None:
        # A merged registration is its survivor now: its pairs were the merge's reason.
        person = view.person(e.originator_id)
        if person is not None and person.active:
            _retire(person, view, e.timestamp)

    @on(Participant.Unmerged, Participant.Restored)
    def _unmerged(
        self, e: Participant.Unmerged | Participant.Restored, view: DuplicatesView
    ) -> None:
        # A merge or a cancellation undone: the registration is screened again, as if it
        # came in now.
        person = view.person(e.originator_id)
        if person is not None and not person.active and e.status not in ENDED:
            detect(replace(person, active=True), view, e.timestamp)

    @on(PairReview.Opened)
    def _review_opened(self, e: PairReview.Opened, view: DuplicatesView) -> None:
        view.review_opened(e.pair_id, e.tenant_id, e.timestamp)

    @on(PairReview.Confirmed)
    def _confirmed(self, e: PairReview.Confirmed, view: DuplicatesView) -> None:
        view.reviewed(e.pair_id, "CONFIRMED", e.fingerprint, e.actor, e.comment, e.timestamp)

    @on(PairReview.Dismissed)
    def _dismissed(self, e: PairReview.Dismissed, view: DuplicatesView) -> None:
        view.reviewed(e.pair_id, "DISMISSED", e.fingerprint, e.actor, e.comment, e.timestamp)

    @on(ScreeningSettings.Created)
    def _settings_created(self, e: ScreeningSettings.Created, view: DuplicatesView) -> None:
        view.scope_set(e.tenant_id, e.duplicate_scope, e.timestamp)

    @on(ScreeningSettings.DuplicateScopeChanged)
    def _scope_changed(
        self, e: ScreeningSettings.DuplicateScopeChanged, view: DuplicatesView
    ) -> None:
        view.scope_set(e.tenant_id, e.duplicate_scope, e.timestamp)
