"""A domain event stored under the earlier name of its class is projected, rebuilt, verified.

The history here was written while `Tenant.Renamed` was still called
`Tenant.NameChanged` in another module: its stored topic is the old one, declared
as the class's earlier topic, and every path that reads domain events (live
projection runs, rebuilds, `audit verify`, the auditor's filters) must treat it as
the class it is now.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select

from adapters.audit.auditor import Auditor
from adapters.audit.queries import HistoryFilter
from adapters.platform.tables import tenants
from adapters.projection.rebuild import rebuild
from adapters.projection.verify import verify
from adapters.settings import Settings
from domain.platform.features import Feature
from domain.platform.tenant import Tenant
from domain.shared import topics
from domain.shared.topics import renamed_from, topics_of
from entrypoints.wiring.container import Container
from entrypoints.wiring.contexts import build

OLD_TOPIC = "accredit.earlier.platform:Tenant.NameChanged"


@pytest.fixture(autouse=True)
def renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declares the earlier name for this module's tests only (the catalogue has none)."""
    monkeypatch.setattr(topics, "_renamed", dict(topics._renamed))
    renamed_from(OLD_TOPIC, Tenant.Renamed)


def _store_under_the_old_name(container: Container, settings: Settings) -> None:
    """Rewrites the stored topic, as the code of the time wrote it."""
    recorder = container.platform.recorder
    table = recorder.events_table_name  # type: ignore[attr-defined]
    new_topic = topics_of(Tenant.Renamed)[0]
    if settings.database_url is None:
        with recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            cursor.execute(f"UPDATE {table} SET topic = ? WHERE topic = ?", (OLD_TOPIC, new_topic))
        return
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(f"UPDATE {table} SET topic = %s WHERE topic = %s", (OLD_TOPIC, new_topic))


@pytest.fixture
def container(any_settings: Settings) -> Iterator[Container]:
    built = build(any_settings)
    yield built
    built.close()


def test_a_renamed_class_is_projected_rebuilt_verified_and_found_by_the_auditor(
    container: Container, any_settings: Settings
) -> None:
    tenant_id = container.platform.create_tenant("Acme", tuple(Feature)).aggregate_id
    container.platform.rename_tenant(tenant_id, "Acme Events")
    _store_under_the_old_name(container, any_settings)

    container.catch_up()  # a live run
    live_name = container.reader.rows(
        select(tenants.c.name).where(tenants.c.tenant_id == tenant_id)
    )
    platform = next(p for p in container.sql_projections() if p.name == "platform")
    rebuild(platform)
    rebuilt_name = container.reader.rows(
        select(tenants.c.name).where(tenants.c.tenant_id == tenant_id)
    )
    differences = [str(d) for p in container.sql_projections() for d in verify(p)]

    assert [r.name for r in live_name] == ["Acme Events"]
    assert [r.name for r in rebuilt_name] == ["Acme Events"]
    assert differences == []
    auditor = container.query(Auditor)
    for asked in ("Tenant.Renamed", topics_of(Tenant.Renamed)[0], OLD_TOPIC):
        page = auditor.history(tenant_id, HistoryFilter(event_type=asked), 10, None)
        assert [(e.entry.topic, e.payload["name"]) for e in page.items] == [
            (OLD_TOPIC, "Acme Events")
        ], asked
