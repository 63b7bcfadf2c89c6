"""Read-your-writes: queries that name a command's position wait for their view."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import falcon
from eventsourcing.application import Application

from adapters.projection.rebuilding import Rebuilds
from adapters.projection.tracking import Positions
from domain.shared.application import Position
from entrypoints.http.operations import operation_of
from entrypoints.http.problems import Problem
from entrypoints.http.requests import requested_positions

# A rebuild takes minutes: a client has no use for asking every second.
REBUILD_RETRY_AFTER_SECONDS = 5


class ReadYourWritesMiddleware:
    """A query that names a command's position answers only once its view has it."""

    def __init__(
        self,
        positions: Positions,
        timeout: float,
        upstreams: Mapping[str, Collection[str]],
        applications: Mapping[str, Application[Any]],
        rebuilds: Rebuilds,
    ) -> None:
        self.positions = positions
        self.timeout = timeout
        self.rebuilds = rebuilds
        # projection -> the applications it reads; a position elsewhere is never reached.
        self.upstreams = upstreams
        self.applications = applications

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        operation = operation_of(resource, req.method)
        if operation is None or operation.reads_projection is None:
            return
        projection = operation.reads_projection
        wanted = requested_positions(req)
        for position in wanted:
            self._check_reachable(projection, position)
        if not wanted or self.positions.wait_for(projection, wanted, 0.0):
            return
        named = ", ".join(map(str, wanted))
        awaited = self.rebuilds.awaited(projection)
        if awaited is not None:
            # Waiting would only run out: nothing moves these tables until the swap.
            raise Problem(
                "projection-rebuilding",
                f"the {projection} view is being rebuilt to version {awaited.version}; "
                f"its tables of version {awaited.live_version} answer until then "
                f"and have not reached {named}",
                headers={"Retry-After": str(REBUILD_RETRY_AFTER_SECONDS)},
                projection=projection,
                version=awaited.version,
            )
        if not self.positions.wait_for(projection, wanted, self.timeout):
            raise Problem(
                "projection-lagging",
                f"the {projection} view has not reached {named} yet",
                headers={"Retry-After": "1"},
            )

    def _check_reachable(self, projection: str, position: Position) -> None:
        """Refuses at once what waiting can never bring, instead of a 503 after the wait."""
        if position.application not in self.upstreams.get(projection, ()):
            raise Problem(
                "invalid-parameter",
                f"the {projection} view does not follow {position.application}",
            )
        last = self.applications[position.application].recorder.max_notification_id() or 0
        if position.notification_id > last:
            raise Problem(
                "invalid-parameter",
                f"{position} was never handed out: {position.application} is at {last}",
            )
