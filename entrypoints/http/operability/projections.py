"""Projection lag for monitoring: versions, positions, lag, rebuilds and leaders, no tenant data."""

from __future__ import annotations

from collections.abc import Callable

import falcon
from marshmallow import Schema, fields

from adapters.projection.status import ProjectionStatus
from entrypoints.http.operability import examples
from entrypoints.http.responders import Operation


class UpstreamLagSchema(Schema):
    upstream = fields.String(required=True)
    position = fields.Integer(required=True, metadata={"description": "Last applied"})
    head = fields.Integer(required=True, metadata={"description": "Last recorded"})
    lag_events = fields.Integer(required=True)
    lag_seconds = fields.Float(
        required=True, metadata={"description": "Age of the oldest unapplied domain event"}
    )
    rebuilt = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Where a rebuild under way has got to in this log"},
    )


class RebuildSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "The version being built"})
    progress = fields.Float(
        required=True, metadata={"description": "Share of the history applied, 0 to 1"}
    )


class LeaderSchema(Schema):
    version = fields.Integer(
        required=True, metadata={"description": "The version whose runners this process leads"}
    )
    host = fields.String(required=True)
    pid = fields.Integer(required=True)


class FailureSchema(Schema):
    upstream = fields.String(required=True)
    position = fields.Integer(
        required=True,
        metadata={"description": "The domain event it cannot apply (it stopped before it)"},
    )
    error = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The version that failed"})
    attempts = fields.Integer(required=True)
    first_failed_at = fields.AwareDateTime(required=True)
    retry_at = fields.AwareDateTime(required=True, metadata={"description": "The next attempt"})


class ProjectionLagSchema(Schema):
    name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The code's version"})
    stored_version = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The live tables' version"}
    )
    state = fields.String(
        required=True,
        metadata={
            "description": "current; outdated (built by another version, a rebuild is due); "
            "rebuilding (queries read the old tables until the new ones are swapped in); "
            "failing (stopped before a domain event it cannot apply: see failures)"
        },
    )
    rebuild = fields.Nested(RebuildSchema, required=True, allow_none=True)
    leaders = fields.List(
        fields.Nested(LeaderSchema),
        required=True,
        metadata={"description": "Which process leads the runners of each version running"},
    )
    failures = fields.List(fields.Nested(FailureSchema), required=True)
    lag_events = fields.Integer(required=True)
    lag_seconds = fields.Float(required=True)
    upstreams = fields.List(fields.Nested(UpstreamLagSchema), required=True)


class ProjectionsHealthSchema(Schema):
    projections = fields.List(fields.Nested(ProjectionLagSchema), required=True)


class ProjectionHealthResource:
    operations = {
        "GET": Operation(
            "Projection lag: each projection's version, positions, lag, rebuild and leaders",
            public=True,
            response=ProjectionsHealthSchema,
            errors=(503,),
            tags=("ops",),
            response_example=examples.PROJECTIONS,
            operation_id="getProjectionHealth",
        )
    }

    def __init__(self, statuses: Callable[[], list[ProjectionStatus]]) -> None:
        self.statuses = statuses

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = ProjectionsHealthSchema().dump(
            {"projections": [_lag(s) for s in self.statuses()]}
        )


def _lag(status: ProjectionStatus) -> dict[str, object]:
    progress = status.rebuild_progress
    return {
        "name": status.name,
        "version": status.version,
        "stored_version": status.stored_version,
        "state": status.state,
        "rebuild": None
        if progress is None
        else {"version": status.rebuilding_to, "progress": round(progress, 4)},
        "leaders": [
            {"version": version, "host": leader.host, "pid": leader.pid}
            for version, leader in status.leaders.items()
        ],
        "failures": [
            {
                "upstream": f.upstream,
                "position": f.position,
                "error": f.error,
                "version": f.version,
                "attempts": f.attempts,
                "first_failed_at": f.first_failed_at,
                "retry_at": f.retry_at,
            }
            for f in status.failures
        ],
        "lag_events": status.lag_events,
        "lag_seconds": round(status.lag_seconds, 3),
        "upstreams": [
            {
                "upstream": u.upstream,
                "position": u.position,
                "head": u.head,
                "lag_events": u.lag_events,
                "lag_seconds": round(u.lag_seconds, 3),
                "rebuilt": u.rebuilt,
            }
            for u in status.upstreams
        ],
    }
