"""Read-your-writes: a query waits for its view to hold the positions it must reflect.

Those are the positions it names (min_position, to read another key's writes) and,
without any parameter, those of every command its own API key made before it, on any
process or host: the key's positions are recorded before a command's answer leaves.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

import falcon
from eventsourcing.application import Application

from adapters.projection.rebuilding import Rebuilds
from adapters.projection.tracking import Positions
from adapters.service.key_positions import KeyPositions
from domain.platform.application import Principal
from domain.shared.application import Position
from entrypoints.http.problems import Problem
from entrypoints.http.requests import POSITION_HEADER, parse_positions, requested_positions
from entrypoints.http.responders import operation_of, projections_read

logger = logging.getLogger(__name__)

# A rebuild takes minutes: a client has no use for asking every second.
REBUILD_RETRY_AFTER_SECONDS = 5


class ReadYourWritesMiddleware:
    """A query answers once its view has the named positions and its key's own commands."""

    def __init__(
        self,
        positions: Positions,
        timeout: float,
        upstreams: Mapping[str, Collection[str]],
        applications: Mapping[str, Application[Any]],
        rebuilds: Rebuilds,
        key_positions: KeyPositions,
    ) -> None:
        self.positions = positions
        self.key_positions = key_positions
        self.timeout = timeout
        self.rebuilds = rebuilds
        # projection -> the applications it reads; a position elsewhere is never reached.
        self.upstreams = upstreams
        self.applications = applications

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        operation = operation_of(resource, req.method)
        if operation is None:
            return
        views = projections_read(operation)
        if not views:
            return
        followed = {app for view in views for app in self.upstreams.get(view, ())}
        named_positions = requested_positions(req)
        for position in named_positions:
            self._check_reachable(views[0], followed, position)
        principal: Principal | None = req.context.principal
        own: list[Position] = []
        if principal is not None:
            own = self.key_positions.of(str(principal.key_id), followed)
        for view in views:
            self._wait(view, named_positions, own)

    def _wait(self, projection: str, named_positions: list[Position], own: list[Position]) -> None:
        """Returns once the view has what it follows of the positions, or refuses."""
        mine = set(self.upstreams.get(projection, ()))
        wanted = [p for p in named_positions + own if p.application in mine]
        if not wanted or self.positions.wait_for(projection, wanted, 0.0):
            return
        named = ", ".join(str(p) for p in named_positions if p.application in mine)
        yours = ", ".join(str(p) for p in own if p.application in mine)
        if yours:
            named = f"{named} and " if named else ""
            named += f"this key's latest commands ({yours})"
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

    def _check_reachable(
        self, projection: str, followed: Collection[str], position: Position
    ) -> None:
        """Refuses at once what waiting can never bring, instead of a 503 after the wait."""
        if position.application not in followed:
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

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        """Records where a command of the key got to, before its answer leaves."""
        principal: Principal | None = getattr(req.context, "principal", None)
        raw = resp.get_header(POSITION_HEADER)
        if getattr(resp.context, "positions_recorded", False):
            return  # recorded by who made the change, with it (the scans' desk)
        if principal is None or raw is None or resp.status_code >= 400:
            return
        try:
            self.key_positions.record(str(principal.key_id), parse_positions(raw))
        except Exception:
            # The command is done and its answer names its position (for min_position):
            # failing the answer now would invite a retry that does it twice.
            logger.warning("could not record the position of a command", exc_info=True)
