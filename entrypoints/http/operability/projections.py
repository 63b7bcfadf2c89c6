"""Projection lag for monitoring: versions, positions and lag, no tenant data."""

from __future__ import annotations

from collections.abc import Callable

import falcon
from marshmallow import Schema, fields

from adapters.projection.status import ProjectionStatus
from entrypoints.http.operations import Operation


class UpstreamLagSchema(Schema):
    upstream = fields.String(required=True)
    position = fields.Integer(required=True, metadata={"description": "Last applied"})
    head = fields.Integer(required=True, metadata={"description": "Last recorded"})
    lag_events = fields.Integer(required=True)
    lag_seconds = fields.Float(
        required=True, metadata={"description": "Age of the oldest unapplied domain event"}
    )


class ProjectionLagSchema(Schema):
    name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The code's version"})
    stored_version = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The live tables' version"}
    )
    lag_events = fields.Integer(required=True)
    lag_seconds = fields.Float(required=True)
    upstreams = fields.List(fields.Nested(UpstreamLagSchema), required=True)


class ProjectionsHealthSchema(Schema):
    projections = fields.List(fields.Nested(ProjectionLagSchema), required=True)


class ProjectionHealthResource:
    operations = {
        "GET": Operation(
            "Projection lag: each projection's version, positions and lag",
            public=True,
            response=ProjectionsHealthSchema,
            tags=("ops",),
        )
    }

    def __init__(self, statuses: Callable[[], list[ProjectionStatus]]) -> None:
        self.statuses = statuses

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = ProjectionsHealthSchema().dump(
            {"projections": [_lag(s) for s in self.statuses()]}
        )


def _lag(status: ProjectionStatus) -> dict[str, object]:
    return {
        "name": status.name,
        "version": status.version,
        "stored_version": status.stored_version,
        "lag_events": status.lag_events,
        "lag_seconds": round(status.lag_seconds, 3),
        "upstreams": [
            {
                "upstream": u.upstream,
                "position": u.position,
                "head": u.head,
                "lag_events": u.lag_events,
                "lag_seconds": round(u.lag_seconds, 3),
            }
            for u in status.upstreams
        ],
    }
