"""Our reader of an application's log returns what the library's reader returns."""

from __future__ import annotations

from uuid import UUID

import pytest

from adapters.projection.notification_log import read_notifications
from adapters.settings import Settings
from adapters.sql.eventstore import eventstore_env
from domain.platform.application import PlatformApplication


@pytest.mark.parametrize(("after", "limit", "stop"), [(0, 100, None), (3, 4, None), (2, 50, 7)])
def test_the_log_reads_like_the_librarys_reader(
    any_settings: Settings, after: int, limit: int, stop: int | None
) -> None:
    app = PlatformApplication(eventstore_env(any_settings, PlatformApplication.name))
    tenant = app.create_tenant("Expo").aggregate_id
    for n in range(5):
        app.issue_api_key(tenant, f"gate {n}", ["check-in:scan"])

    ours = read_notifications(app, after, limit, stop)
    theirs = app.recorder.select_notifications(
        start=after, limit=limit, stop=stop, inclusive_of_start=False
    )

    assert ours
    assert [
        (n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state) for n in ours
    ] == [
        (n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state) for n in theirs
    ]
    app.close()
