"""The credential issue policy on both stores: approved participants get one credential, once.

Every approved participant gets a credential whose code works; one who withdraws or
is cancelled has a credential that stops working. Running the policy again over the
same log, resetting its position, or two runners at once, issue nothing twice and
flip nothing back: the final credential follows the participant's final status.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.access.credential_queries import CredentialQueries
from adapters.access.undelivered_codes import UndeliveredCodes
from adapters.projection.notification_log import read_notifications
from adapters.settings import Settings
from adapters.sql.eventstore import cipher
from domain.access.application import AccessApplication
from domain.access.credential import CodeCheck, Credential, credential_id
from domain.registration.application import RegistrationApplication
from domain.shared.errors import DomainError
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from entrypoints.workers.credentials import credential_policy
from tests.workflows import screening_then_two_checks

START = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


class World:
    """A tenant's open event, its participants, and the policy that follows them."""

    def __init__(self, container: Container, workflow: dict[str, object] | None = None) -> None:
        self.container = container
        self.registration = container.app(RegistrationApplication)
        self.access = container.app(AccessApplication)
        self.codes = UndeliveredCodes(container.service_engine, cipher(container.settings))
        self.tenant_id = uuid4()
        self.event_id = self.registration.create_event(
            self.tenant_id, "Expo", START, START + timedelta(hours=8), "UTC", workflow=workflow
        ).aggregate_id
        self.registration.open_registration(self.tenant_id, self.event_id)
        self.count = 0

    def register(self) -> UUID:
        self.count += 1
        details = {"first_name": "P", "last_name": str(self.count), "email": f"{uuid4()}@x.org"}
        return self.registration.register(self.tenant_id, self.event_id, details).aggregate_id

    def approve(self, participant_id: UUID, step: str = "approval") -> None:
        self.registration.complete_step(self.tenant_id, participant_id, step, "approved")

    def policy(self) -> int:
        return credential_policy(self.container).catch_up()

    def credential(self, participant_id: UUID) -> Credential:
        return self.access.credential(self.tenant_id, participant_id)

    def code(self, participant_id: UUID) -> str:
        credential = self.credential(participant_id)
        code = self.codes.take(credential.id, credential.generation)
        assert code is not None
        return code

    def check(self, code: str) -> CodeCheck:
        return self.access.check_code(self.tenant_id, code)[1]


def issued_per_credential(access: AccessApplication) -> Counter[str]:
    counts: Counter[str] = Counter()
    for n in read_notifications(access, 0, 1_000_000):
        if n.topic.endswith(":Credential.Issued"):
            counts[str(UUID(str(n.originator_id)))] += 1
    return counts


def test_an_approved_participant_gets_a_credential_whose_code_works(container: Container) -> None:
    world = World(container)
    participant_id = world.register()
    world.approve(participant_id)

    world.policy()

    credential = world.credential(participant_id)
    assert credential.id == credential_id(participant_id)
    assert credential.works
    assert credential.event_id == world.event_id
    code = world.code(participant_id)
    assert world.check(code) is CodeCheck.VALID
    assert world.codes.take(credential.id, credential.generation) is None  # shown once


def test_a_pending_or_rejected_participant_gets_no_credential(container: Container) -> None:
    world = World(container)
    pending, rejected = world.register(), world.register()
    world.registration.complete_step(world.tenant_id, rejected, "approval", "rejected")

    world.policy()

    for participant_id in (pending, rejected):
        with pytest.raises(DomainError):
            world.credential(participant_id)


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_a_participant_who_withdraws_or_is_cancelled_has_a_credential_that_stops_working(
    container: Container, end: str
) -> None:
    world = World(container)
    participant_id = world.register()
    world.approve(participant_id)
    world.policy()
    code = world.code(participant_id)

    getattr(world.registration, end)(world.tenant_id, participant_id)
    world.policy()

    assert not world.credential(participant_id).works
    assert world.check(code) is CodeCheck.NOT_ELIGIBLE


def test_an_approved_participant_restored_after_a_cancellation_has_its_code_work_again(
    container: Container,
) -> None:
    world = World(container)
    participant_id = world.register()
    world.approve(participant_id)
    world.policy()
    code = world.code(participant_id)
    world.registration.cancel(world.tenant_id, participant_id)
    world.policy()
    assert world.check(code) is CodeCheck.NOT_ELIGIBLE

    world.registration.restore(world.tenant_id, participant_id)
    world.policy()

    assert world.credential(participant_id).works
    assert world.check(code) is CodeCheck.VALID
    assert issued_per_credential(world.access)[str(credential_id(participant_id))] == 1


def test_a_participant_approved_again_has_a_working_credential(container: Container) -> None:
    world = World(container)
    participant_id = world.register()
    world.approve(participant_id)
    world.policy()
    code = world.code(participant_id)
    version = world.credential(participant_id).participant_version
    follow = world.access.follow_participant

    follow(world.tenant_id, world.event_id, participant_id, None, "rejected", version + 1)
    assert world.check(code) is CodeCheck.NOT_ELIGIBLE
    follow(world.tenant_id, world.event_id, participant_id, None, "approved", version + 2)

    assert world.check(code) is CodeCheck.VALID


def test_running_the_policy_again_or_from_the_start_issues_nothing_twice(
    container: Container,
) -> None:
    world = World(container)
    ids = [world.register() for _ in range(4)]
    for participant_id in ids[:3]:
        world.approve(participant_id)
    world.registration.withdraw(world.tenant_id, ids[0])
    world.policy()
    before = {p: world.credential(p).version for p in ids[:3]}

    world.policy()
    runner = credential_policy(container)
    runner.reset(0)  # as if killed before it saved any position
    runner.catch_up()

    assert {p: world.credential(p).version for p in ids[:3]} == before
    assert set(issued_per_credential(world.access).values()) == {1}
    assert not world.credential(ids[0]).works
    assert world.credential(ids[1]).works


def test_two_runners_at_once_issue_each_credential_once(container: Container) -> None:
    world = World(container)
    ids = [world.register() for _ in range(6)]
    for participant_id in ids:
        world.approve(participant_id)
    runners = [credential_policy(container) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(index: int) -> None:
        barrier.wait()
        runners[index].catch_up()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert issued_per_credential(world.access) == Counter({str(credential_id(p)): 1 for p in ids})
    assert all(world.check(world.code(p)) is CodeCheck.VALID for p in ids)


def test_the_credentials_projection_follows_the_policy(container: Container) -> None:
    world = World(container)
    participant_id = world.register()
    world.approve(participant_id)
    world.policy()
    world.access.suspend_credential(world.tenant_id, participant_id, "lost")
    container.catch_up()

    row = container.query(CredentialQueries).credential(world.tenant_id, participant_id)
    assert row is not None
    assert (row.state, row.works, row.eligible, row.generation) == ("suspended", False, True, 1)


ACTIONS = st.lists(
    st.tuples(
        st.integers(0, 2),  # which participant
        st.sampled_from(["approve", "screen", "reject", "withdraw", "cancel", "policy", "reset"]),
    ),
    max_size=18,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_the_final_credential_follows_the_participants_final_status(
    container: Container, actions: list[tuple[int, str]]
) -> None:
    # A workflow with branches, so approvals take several steps and can be rejected late.
    world = World(container, screening_then_two_checks("ANY"))
    ids = [world.register() for _ in range(3)]
    runner = credential_policy(container)
    for who, action in actions:
        participant_id = ids[who]
        try:
            if action == "policy":
                runner.catch_up()
            elif action == "reset":
                runner.reset(0)
            elif action == "screen":
                world.approve(participant_id, "screening")
            elif action == "approve":
                world.approve(participant_id, "documents")
            elif action == "reject":
                world.registration.complete_step(
                    world.tenant_id, participant_id, "screening", "rejected"
                )
            elif action == "withdraw":
                world.registration.withdraw(world.tenant_id, participant_id)
            else:
                world.registration.cancel(world.tenant_id, participant_id)
        except DomainError:
            pass  # a step not active, a registration ended: the registration refused it
    runner.catch_up()

    issued = issued_per_credential(world.access)
    for participant_id in ids:
        status = world.registration.participant(world.tenant_id, participant_id).status
        ever_approved = _ever_approved(world, participant_id)
        assert issued[str(credential_id(participant_id))] == (1 if ever_approved else 0)
        if ever_approved:
            credential = world.credential(participant_id)
            assert credential.eligible == (status == "approved")
            assert credential.participant_status == status
            assert credential.works == (status == "approved")


def _ever_approved(world: World, participant_id: UUID) -> bool:
    events = world.registration.repository.event_store.get(participant_id)
    return any(getattr(e, "workflow", {}).get("status") == "approved" for e in events)
