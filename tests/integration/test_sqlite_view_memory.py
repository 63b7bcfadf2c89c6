"""On SQLite a tenant row is served from memory until the views' file changes."""

from __future__ import annotations

import threading

from adapters.platform.queries import PlatformQueries
from adapters.settings import Settings
from entrypoints.wiring.contexts import build


def test_a_tenant_is_read_once_until_the_file_changes(sqlite_settings: Settings) -> None:
    with build(sqlite_settings) as container:
        tenant_id = container.platform.create_tenant("Expo").aggregate_id
        container.catch_up()
        first = container.query(PlatformQueries).tenant(tenant_id)

        assert first is not None
        assert container.query(PlatformQueries).tenant(tenant_id) is first


def test_a_projected_change_is_seen_at_the_next_read(sqlite_settings: Settings) -> None:
    with build(sqlite_settings) as container:
        tenant_id = container.platform.create_tenant("Expo").aggregate_id
        container.catch_up()
        assert container.query(PlatformQueries).tenant(tenant_id) is not None

        ack = container.platform.rename_tenant(tenant_id, "Expo 2027")
        container.catch_up()

        renamed = container.query(PlatformQueries).tenant(tenant_id)
        assert renamed is not None
        assert (renamed.name, renamed.version) == ("Expo 2027", ack.version)


def test_a_change_committed_by_another_process_is_seen(sqlite_settings: Settings) -> None:
    with build(sqlite_settings) as reading, build(sqlite_settings) as writing:
        tenant_id = writing.platform.create_tenant("Expo").aggregate_id
        writing.catch_up()
        assert reading.query(PlatformQueries).tenant(tenant_id) is not None

        writing.platform.rename_tenant(tenant_id, "Renamed elsewhere")
        writing.catch_up()

        renamed = reading.query(PlatformQueries).tenant(tenant_id)
        assert renamed is not None
        assert renamed.name == "Renamed elsewhere"


def test_each_thread_sees_the_change(sqlite_settings: Settings) -> None:
    with build(sqlite_settings) as container:
        tenant_id = container.platform.create_tenant("Expo").aggregate_id
        container.catch_up()
        names: list[str] = []

        def read() -> None:
            row = container.query(PlatformQueries).tenant(tenant_id)
            assert row is not None
            names.append(row.name)

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        container.platform.rename_tenant(tenant_id, "Expo 2027")
        container.catch_up()
        for _ in range(2):
            thread = threading.Thread(target=read)
            thread.start()
            thread.join()
        read()

    assert names == ["Expo", "Expo 2027", "Expo 2027", "Expo 2027"]
