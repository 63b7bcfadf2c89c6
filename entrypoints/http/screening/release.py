"""A reviewer's release of a participant screening held back: their approval goes ahead."""

from __future__ import annotations

from uuid import UUID

import falcon
from marshmallow import Schema, fields

from domain.platform.permissions import Permission
from domain.registration.application import RegistrationApplication
from domain.shared.cause import current_cause
from entrypoints.http.requests import answer_command, load_body
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

EMPTY_SCHEMA = EmptySchema()


class ReleasedSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "The participant"})
    status = fields.String(
        required=True,
        metadata={
            "description": "Their registration's status now: approved if the hold "
            "deferred an approval, else as it was"
        },
    )
    held = fields.Boolean(required=True, metadata={"description": "Always false after a release"})
    version = fields.Integer(required=True)


RELEASED_SCHEMA = ReleasedSchema()
RELEASED_EXAMPLE = {
    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "status": "approved",
    "held": False,
    "version": 5,
}


class ScreeningReleaseResource:
    operations = {
        "POST": Operation(
            "Release a participant held for screening review",
            Permission.BLACKLIST_MANAGE,
            response=ReleasedSchema,
            tags=("blacklist",),
            description="A registration whose details came close to a blacklist entry waits "
            "for a reviewer instead of being approved. Releasing it lets the workflow's "
            "approval take effect (a seat is taken then; a full event is a 409), and the "
            "same decision will not hold it again. One not held is a 409 "
            "`not-held-for-screening`.",
            response_example=RELEASED_EXAMPLE,
            operation_id="releaseScreeningHold",
        ),
    }

    def __init__(self, registration: RegistrationApplication) -> None:
        self.registration = registration

    def on_post(self, req: falcon.Request, resp: falcon.Response, participant_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        ack = self.registration.release_screening_hold(
            req.context.principal.tenant_id, participant_id, current_cause().actor
        )
        answer_command(resp, ack)
        participant = ack.aggregate
        resp.media = RELEASED_SCHEMA.dump(
            {
                "id": participant.id,
                "status": participant.status.value,
                "held": participant.held,
                "version": participant.version,
            }
        )
