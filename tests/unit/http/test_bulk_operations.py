"""Bulk operations over HTTP: asked for, forecast, followed, cancelled, retried and undone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from falcon.testing import Result, TestClient

from adapters.settings import Settings
from domain.operations.application import OperationsApplication
from domain.operations.bulk import ItemResult, Outcome
from domain.platform.features import Feature
from entrypoints.http.operations import preflight
from entrypoints.wiring.container import Container, assemble
from entrypoints.wiring.contexts import CONTEXTS
from tests.unit.http import expect
from tests.unit.http.conftest import Caller, IssueKey, MakeTenant
from tests.unit.http.test_events import open_event
from tests.unit.http.test_openapi_document import (  # noqa: F401  (run on this app too)
    document,
    test_commands_document_their_position_etag_and_created_ones_their_location,
    test_every_error_answer_is_a_problem_with_an_example_of_each_type_it_can_be,
    test_every_example_holds_to_its_schema,
    test_every_json_body_has_an_example,
    test_operations_have_unique_declared_camel_case_ids,
    test_the_document_is_a_valid_openapi_3_1_document,
)
from tests.unit.http.test_participants import complete, registered


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = assemble(settings, CONTEXTS)
    built.rate_limiter.clock = lambda: 1_000_020.0
    yield built
    built.close()


@pytest.fixture
def operations(container: Container) -> OperationsApplication:
    return container.app(OperationsApplication)


def event_with_two(
    client: TestClient, container: Container, caller: Caller
) -> tuple[str, str, str]:
    """An open event with two pending participants, the second past its approval step, seen
    by the views."""
    event_id: str = open_event(client, caller)["id"]
    first = registered(client, caller, event_id, email="ada@example.org")["id"]
    second = registered(client, caller, event_id, email="grace@example.org")["id"]
    expect.ok(complete(client, caller, second, "approval"))
    container.catch_up()
    return event_id, first, second


def ask(
    client: TestClient, caller: Caller, event_id: str, body: dict[str, Any], path: str = ""
) -> Result:
    return client.simulate_post(
        f"/v1/events/{event_id}/bulk-operations{path}", json=body, headers=caller.headers
    )


APPROVE = {"kind": "complete-step", "params": {"step_id": "approval", "outcome": "approved"}}


def requested(client: TestClient, caller: Caller, event_id: str, ids: list[str]) -> str:
    body = {**APPROVE, "selection": {"participant_ids": ids}}
    operation_id: str = expect.ok(ask(client, caller, event_id, body), 202)["id"]
    return operation_id


def run(container: Container, operation_id: str, results: list[ItemResult]) -> None:
    """Plays the executor: selects the items, claims them, records these results; the
    views catch up."""
    operations = container.app(OperationsApplication)
    op_id = UUID(operation_id)
    operation = operations.repository.get(op_id)
    if not operation.selected:
        ids = [UUID(p) for p in operation.selection["participant_ids"]]
        operations.select_items(op_id, ids, complete=True)
    claimed = operations.claim_items(op_id, len(results))
    outcomes = [
        Outcome(index, participant_id, result, undo={"value": None})
        if result is ItemResult.OK
        else Outcome(index, participant_id, result, problem="step-not-active", detail="no")
        for (index, participant_id), result in zip(claimed, results, strict=True)
    ]
    operations.record_outcomes(op_id, outcomes)
    container.catch_up()


def status(client: TestClient, caller: Caller, operation_id: str, path: str = "") -> Result:
    return client.simulate_get(f"/v1/bulk-operations/{operation_id}{path}", headers=caller.headers)


def command(client: TestClient, caller: Caller, operation_id: str, name: str) -> Result:
    return client.simulate_post(
        f"/v1/bulk-operations/{operation_id}/{name}", headers=caller.headers
    )


# Asking


def test_an_operation_asked_for_is_accepted_with_where_its_status_is_read(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, _, _ = event_with_two(client, container, admin)

    answer = ask(
        client, admin, event_id, {**APPROVE, "selection": {"filter": {"status": "pending"}}}
    )

    body = expect.ok(answer, 202)
    assert answer.headers["Location"] == f"/v1/bulk-operations/{body['id']}"
    assert answer.headers["ETag"] == f'"{body["version"]}"'
    assert answer.headers["Accredit-Position"].startswith("operations:")
    assert body["state"] == "QUEUED"
    assert body["kind"] == "complete-step"
    assert body["params"] == {"step_id": "approval", "outcome": "approved", "comment": None}
    assert (body["total"], body["done"], body["remaining"]) == (None, 0, None)
    assert body["dry_run"] is False
    assert body["links"]["cancel"] == f"/v1/bulk-operations/{body['id']}/cancel"
    assert body["links"]["retry"] is None
    assert "started_at" not in body  # known to reads only


def test_an_unknown_kind_is_refused_naming_the_kinds_there_are(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    body = {"kind": "teleport", "params": {}, "selection": {"participant_ids": [first]}}

    problem = expect.problem(ask(client, admin, event_id, body), 422, "validation-failed")

    [error] = problem["errors"]
    assert error["field"] == "kind"
    assert "complete-step" in error["message"]
    assert "suspend-credential" in error["message"]


def test_parameters_the_kind_does_not_accept_are_refused_naming_the_parameter(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    body = {
        "kind": "complete-step",
        "params": {"outcome": "approved"},
        "selection": {"participant_ids": [first]},
    }

    problem = expect.problem(ask(client, admin, event_id, body), 422, "validation-failed")

    assert [e["field"] for e in problem["errors"]] == ["params.step_id"]


@pytest.mark.parametrize(
    ("selection", "field"),
    [
        ({}, "selection.selection"),
        ({"participant_ids": [str(uuid4())], "filter": {}}, "selection.selection"),
        ({"filter": {"status": "asleep"}}, "selection.filter.status"),
        ({"participant_ids": []}, "selection.participant_ids"),
    ],
)
def test_a_selection_is_ids_or_a_participants_filter_one_of_them(
    client: TestClient, container: Container, admin: Caller, selection: dict[str, Any], field: str
) -> None:
    event_id, _, _ = event_with_two(client, container, admin)

    problem = expect.problem(
        ask(client, admin, event_id, {**APPROVE, "selection": selection}), 422, "validation-failed"
    )

    assert field in [e["field"] for e in problem["errors"]]


def test_another_tenants_event_takes_no_operation_and_gets_no_forecast(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    before = container.app(OperationsApplication).recorder.max_notification_id()
    body = {**APPROVE, "selection": {"participant_ids": [first]}}

    expect.problem(ask(client, outsider, event_id, body), 404, "not-found")
    expect.problem(ask(client, outsider, event_id, body, "/preflight"), 404, "not-found")

    assert container.app(OperationsApplication).recorder.max_notification_id() == before


def test_operations_need_the_feature_and_asking_needs_the_execute_permission(
    client: TestClient, container: Container, make_tenant: MakeTenant, issue_key: IssueKey
) -> None:
    without = make_tenant(features=[f for f in Feature if f is not Feature.BULK_OPERATIONS])
    event_id, first, _ = event_with_two(client, container, without)
    body = {**APPROVE, "selection": {"participant_ids": [first]}}
    expect.problem(ask(client, without, event_id, body), 403, "feature-disabled")

    owner = make_tenant("Second Events")
    event_id, first, _ = event_with_two(client, container, owner)
    operation_id = requested(client, owner, event_id, [first])
    reader = issue_key(owner.tenant_id, ["participants:read"])
    body = {**APPROVE, "selection": {"participant_ids": [first]}}
    expect.problem(ask(client, reader, event_id, body), 403, "permission-denied")
    expect.problem(command(client, reader, operation_id, "cancel"), 403, "permission-denied")
    expect.ok(status(client, reader, operation_id))


# Preflight


def test_a_preflight_counts_the_selection_and_says_why_the_others_would_be_refused(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    container.catch_up()
    heads = {
        name: app.recorder.max_notification_id() for name, app in container.applications.items()
    }

    everyone = expect.ok(
        ask(client, admin, event_id, {**APPROVE, "selection": {"filter": {}}}, "/preflight")
    )
    stranger = str(uuid4())
    named = expect.ok(
        ask(
            client,
            admin,
            event_id,
            {**APPROVE, "selection": {"participant_ids": [first, second, stranger, first]}},
            "/preflight",
        )
    )

    assert everyone == {
        "selected": 2,
        "eligible": 1,
        "ineligible": [{"participant_id": second, "reason": "step-not-active"}],
    }
    assert named["selected"] == 3  # a repeated id counts once
    assert named["eligible"] == 1
    assert named["ineligible"] == [
        {"participant_id": second, "reason": "step-not-active"},
        {"participant_id": stranger, "reason": "not-found"},
    ]
    after = {
        name: app.recorder.max_notification_id() for name, app in container.applications.items()
    }
    assert after == heads  # nothing recorded anywhere


def test_a_preflight_of_credentials_tells_a_participant_without_one(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    container.catch_up()
    body = {"kind": "suspend-credential", "selection": {"participant_ids": [first]}}

    forecast = expect.ok(ask(client, admin, event_id, body, "/preflight"))

    assert forecast == {
        "selected": 1,
        "eligible": 0,
        "ineligible": [{"participant_id": first, "reason": "not-found"}],
    }


def test_a_preflight_over_the_most_an_operation_takes_is_refused(
    client: TestClient, container: Container, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, _, _ = event_with_two(client, container, admin)
    monkeypatch.setattr(preflight, "ITEMS_MAX", 1)  # two participants stand for 100,001

    answer = ask(client, admin, event_id, {**APPROVE, "selection": {"filter": {}}}, "/preflight")

    problem = expect.problem(answer, 422, "validation-failed")
    assert [e["field"] for e in problem["errors"]] == ["selection"]


# Following


def test_the_status_shows_progress_rate_and_an_estimated_end_while_running(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])
    run(container, operation_id, [ItemResult.OK])

    answer = status(client, admin, operation_id)

    body = expect.ok(answer)
    assert answer.headers["ETag"] == f'"{body["version"]}"'
    assert body["state"] == "RUNNING"
    assert (body["total"], body["done"], body["ok"], body["remaining"]) == (2, 1, 1, 1)
    assert body["started_at"] is not None
    assert body["ended_at"] is None
    assert body["items_per_second"] > 0
    assert body["estimated_end_at"] >= body["updated_at"]


def test_an_operation_ended_has_no_estimate_and_links_to_a_retry_of_its_refusals(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])
    run(container, operation_id, [ItemResult.OK, ItemResult.REFUSED])

    body = expect.ok(status(client, admin, operation_id))

    assert body["state"] == "COMPLETED_WITH_ERRORS"
    assert body["ended_at"] is not None
    assert body["estimated_end_at"] is None
    assert body["links"] == {
        "items": f"/v1/bulk-operations/{operation_id}/items",
        "cancel": None,
        "retry": f"/v1/bulk-operations/{operation_id}/retry",
        "undo": None,  # completing a step is not undone
    }


def test_items_are_listed_in_order_with_their_results_and_filtered_by_result(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])
    run(container, operation_id, [ItemResult.OK, ItemResult.REFUSED])

    every = expect.ok(status(client, admin, operation_id, "/items"))
    refused = expect.ok(
        client.simulate_get(
            f"/v1/bulk-operations/{operation_id}/items",
            params={"result": "refused"},
            headers=admin.headers,
        )
    )

    assert [(i["index"], i["participant_id"], i["result"]) for i in every["items"]] == [
        (0, first, "ok"),
        (1, second, "refused"),
    ]
    [item] = refused["items"]
    assert (item["participant_id"], item["problem"]) == (second, "step-not-active")
    bad = client.simulate_get(
        f"/v1/bulk-operations/{operation_id}/items",
        params={"result": "maybe"},
        headers=admin.headers,
    )
    expect.problem(bad, 400, "invalid-parameter")


def test_operations_are_listed_newest_first_by_event_and_state(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    older = requested(client, admin, event_id, [first])
    newer = requested(client, admin, event_id, [second])
    run(container, older, [ItemResult.OK])

    every = expect.ok(client.simulate_get("/v1/bulk-operations", headers=admin.headers))
    queued = expect.ok(
        client.simulate_get(
            "/v1/bulk-operations",
            params={"event_id": event_id, "state": "QUEUED"},
            headers=admin.headers,
        )
    )

    assert [o["id"] for o in every["items"]] == [newer, older]
    assert [o["id"] for o in queued["items"]] == [newer]
    assert every["next_cursor"] is None


def test_another_tenants_operation_is_not_found_by_any_of_its_routes(
    client: TestClient, container: Container, admin: Caller, outsider: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first])

    expect.problem(status(client, outsider, operation_id), 404, "not-found")
    expect.problem(status(client, outsider, operation_id, "/items"), 404, "not-found")
    for name in ("cancel", "retry", "undo"):
        expect.problem(command(client, outsider, operation_id, name), 404, "not-found")
    assert (
        expect.ok(client.simulate_get("/v1/bulk-operations", headers=outsider.headers))["items"]
        == []
    )


# Cancelling, retrying, undoing


def test_a_cancelled_operation_says_so_and_one_ended_cannot_be_cancelled(
    client: TestClient, container: Container, admin: Caller, operations: OperationsApplication
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])

    answer = command(client, admin, operation_id, "cancel")

    body = expect.ok(answer, 202)
    assert answer.headers["Location"] == f"/v1/bulk-operations/{operation_id}"
    # Nothing had begun: it ends at once.
    assert (body["cancel_requested"], body["state"]) == (True, "CANCELLED")
    container.catch_up()
    assert expect.ok(status(client, admin, operation_id))["state"] == "CANCELLED"
    problem = expect.problem(
        command(client, admin, operation_id, "cancel"), 409, "bulk-operation-ended"
    )
    assert "code" not in problem  # the type says it


def test_a_retry_runs_the_refused_items_as_a_new_operation_linked_to_the_first(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])
    run(container, operation_id, [ItemResult.OK, ItemResult.REFUSED])

    answer = command(client, admin, operation_id, "retry")

    body = expect.ok(answer, 202)
    assert answer.headers["Location"] == f"/v1/bulk-operations/{body['id']}"
    assert body["id"] != operation_id
    assert (body["source_id"], body["relation"]) == (operation_id, "retry")
    assert (body["state"], body["total"], body["remaining"]) == ("RUNNING", 1, 1)
    run(container, body["id"], [ItemResult.OK])
    expect.problem(command(client, admin, body["id"], "retry"), 409, "bulk-nothing-to-do")


def test_a_running_operation_is_not_retried_and_a_kind_without_compensation_not_undone(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    operation_id = requested(client, admin, event_id, [first, second])

    expect.problem(command(client, admin, operation_id, "retry"), 409, "conflict")
    run(container, operation_id, [ItemResult.OK, ItemResult.OK])
    problem = expect.problem(command(client, admin, operation_id, "undo"), 409, "conflict")
    assert "cannot be undone" in problem["detail"]


def test_an_undo_compensates_the_applied_items_with_the_kind_that_undoes_it(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, second = event_with_two(client, container, admin)
    body = {
        "kind": "set-field",
        "params": {"field": "organisation", "value": "Analytical Engines Ltd"},
        "selection": {"participant_ids": [first, second]},
    }
    operation_id = expect.ok(ask(client, admin, event_id, body), 202)["id"]
    run(container, operation_id, [ItemResult.OK, ItemResult.REFUSED])
    assert expect.ok(status(client, admin, operation_id))["links"]["undo"] is not None

    undo = expect.ok(command(client, admin, operation_id, "undo"), 202)

    assert (undo["kind"], undo["relation"], undo["total"]) == ("set-field", "undo", 1)
    assert undo["source_id"] == operation_id
    expect.problem(command(client, admin, undo["id"], "undo"), 409, "conflict")


def test_a_parameter_of_the_wrong_json_type_is_refused_not_an_error(
    client: TestClient, container: Container, admin: Caller
) -> None:
    event_id, first, _ = event_with_two(client, container, admin)
    body = {
        "kind": "join-waitlist",
        "params": {"priority": []},
        "selection": {"participant_ids": [first]},
    }

    problem = expect.problem(ask(client, admin, event_id, body), 422, "validation-failed")

    assert [e["field"] for e in problem["errors"]] == ["params.priority"]
