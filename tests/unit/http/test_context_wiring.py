"""A context joins the service through its entry in the wiring list and nothing else."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import falcon
import pytest
from eventsourcing.domain import Aggregate, event
from falcon.testing import TestClient

from adapters.audit.auditor import Auditor
from adapters.audit.queries import HistoryFilter
from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.shared.application import AccreditApplication
from domain.shared.errors import RuleViolation
from entrypoints.http.app import create_app
from entrypoints.http.responders import Operation
from entrypoints.wiring.container import Container, assemble
from entrypoints.wiring.context import Context, ProblemTypes, Route
from entrypoints.wiring.contexts import CONTEXTS
from tests.unit.http import expect


class Gadget(Aggregate):
    Made: ClassVar[type[Aggregate.Created]]

    @event("Made")
    def __init__(self, tenant_id: UUID, label: str) -> None:
        self.tenant_id = tenant_id
        self.label = label


class GadgetsSoldOut(RuleViolation):
    code = "gadgets-sold-out"
    title = "No gadget is left"


class GadgetApplication(AccreditApplication):
    name = "gadgets"

    def make(self, tenant_id: UUID, label: str) -> UUID:
        gadget = Gadget(tenant_id=tenant_id, label=label)
        self.commit(gadget)
        return gadget.id


class SoldOutResource:
    operations: ClassVar[dict[str, Operation]] = {
        "POST": Operation(
            "Buy a gadget",
            Permission.EVENTS_WRITE,
            status=201,
            tags=("gadgets",),
            operation_id="buyGadget",
        )
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise GadgetsSoldOut("every gadget is sold")


def _routes(container: Container) -> Sequence[Route]:
    del container
    return [("/v1/gadgets", SoldOutResource())]


GADGETS = Context(
    name="gadgets",
    application=GadgetApplication,
    routes=_routes,
    problems=ProblemTypes(
        types={"gadgets-sold-out": (409, "No gadget is left")},
        errors={GadgetsSoldOut: "gadgets-sold-out"},
    ),
)


@pytest.fixture
def wired(tmp_path: Path) -> Iterator[Container]:
    container = assemble(
        Settings(data_dir=tmp_path / "var", demo_tenant=False), (*CONTEXTS, GADGETS)
    )
    yield container
    container.close()


@pytest.fixture
def admin_headers(wired: Container) -> dict[str, str]:
    tenant = wired.platform.create_tenant("Gadget Co", tuple(Feature)).aggregate_id
    secret = wired.platform.issue_api_key(tenant, "admin", ["ADMIN"]).secret
    wired.catch_up()
    return {"Authorization": f"Bearer {secret}"}


def test_a_new_contexts_routes_answer_with_its_own_problem_types(
    wired: Container, admin_headers: dict[str, str]
) -> None:
    client = TestClient(create_app(wired))

    result = client.simulate_post("/v1/gadgets", json={}, headers=admin_headers)

    body = expect.problem(result, 409, "gadgets-sold-out")
    assert body["detail"] == "every gadget is sold"
    described = client.simulate_get("/problems/gadgets-sold-out").json
    assert described == {
        "type": "/problems/gadgets-sold-out",
        "status": 409,
        "title": "No gadget is left",
    }


def test_a_new_contexts_routes_are_documented_and_authorised_like_every_other(
    wired: Container, admin_headers: dict[str, str]
) -> None:
    client = TestClient(create_app(wired))
    spec: dict[str, Any] = client.simulate_get("/v1/openapi.json").json

    assert "post" in spec["paths"]["/v1/gadgets"]
    tenant = wired.platform.create_tenant("Reader Co", tuple(Feature)).aggregate_id
    reader = wired.platform.issue_api_key(tenant, "reader", ["events:read"]).secret
    refused = client.simulate_post(
        "/v1/gadgets", json={}, headers={"Authorization": f"Bearer {reader}"}
    )
    assert expect.problem(refused, 403, "permission-denied")["permission"] == "events:write"


def test_the_history_follows_a_new_contexts_application_too(wired: Container) -> None:
    tenant_id = uuid4()
    gadget_id = wired.app(GadgetApplication).make(tenant_id, "sprocket")

    wired.catch_up()

    assert "gadgets" in wired.projection_upstreams()["history"]
    page = wired.query(Auditor).history(tenant_id, HistoryFilter(), 10, None)
    assert [(e.entry.aggregate_id, e.entry.event_type) for e in page.items] == [
        (gadget_id, "Gadget.Made")
    ]
    assert page.items[0].payload["label"] == "sprocket"
