"""The credential follows a merge: the absorbed's badge stops, and works again after un-merge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.settings import Settings
from domain.access.credential import CodeCheck
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build
from tests.integration.test_credential_policy import World


@pytest.fixture
def container(sqlite_settings: Settings) -> Iterator[Container]:
    built = build(sqlite_settings)
    yield built
    built.close()


def test_the_absorbeds_credential_stops_at_the_merge_and_works_after_the_unmerge(
    container: Container,
) -> None:
    world = World(container)
    survivor, absorbed = world.register(), world.register()
    world.approve(survivor)
    world.approve(absorbed)
    world.policy()
    code = world.code(absorbed)
    assert world.check(code) is CodeCheck.VALID

    merge_id = world.registration.merge_participants(
        world.tenant_id, survivor, absorbed
    ).aggregate_id
    world.policy()

    credential = world.credential(absorbed)
    assert (credential.works, credential.participant_status) == (False, "merged")
    assert world.check(code) is CodeCheck.NOT_ELIGIBLE
    assert world.credential(survivor).works

    world.registration.unmerge(world.tenant_id, merge_id)
    world.policy()
    world.policy()  # replayed from where it stood: nothing flips back

    assert world.credential(absorbed).participant_status == "approved"
    assert world.check(code) is CodeCheck.VALID
