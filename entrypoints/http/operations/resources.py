"""Bulk operation commands: ask for one, preflight it, cancel, retry or undo it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

import falcon

from domain.operations.application import OperationsApplication
from domain.operations.bulk import BulkOperation
from domain.platform.features import Feature
from domain.platform.permissions import Permission
from domain.shared.application import Ack
from domain.shared.bulk_kinds import BulkKind
from domain.shared.cause import current_cause
from entrypoints.http.operations import examples
from entrypoints.http.operations.documents import Kinds, command_document, operation_location
from entrypoints.http.operations.preflight import Preflight
from entrypoints.http.operations.schemas import (
    BulkOperationSchema,
    BulkRequestSchema,
    PreflightRequestSchema,
    PreflightSchema,
)
from entrypoints.http.problems import Problem
from entrypoints.http.requests import answer_command, found, load_body
from entrypoints.http.responders import Operation
from entrypoints.http.schemas import EmptySchema

EXECUTE = Permission.BULK_OPERATIONS_EXECUTE
FEATURE = Feature.BULK_OPERATIONS
TAGS = ("bulk-operations",)

# Whether the tenant has the event, for a 404: the wiring answers it (a command from the
# event itself, the preflight from the events' view).
KnownEvent = Callable[[UUID, UUID], bool]

REQUEST_SCHEMA = BulkRequestSchema()
PREFLIGHT_REQUEST_SCHEMA = PreflightRequestSchema()
PREFLIGHT_SCHEMA = PreflightSchema()
EMPTY_SCHEMA = EmptySchema()

SELECTION = (
    " The selection is `participant_ids` (repeats count once) or a `filter` with the "
    "participants list's vocabulary (status, category, step, screening, search; `{}` is "
    "everyone), at most 100,000 participants. An unknown `kind` is a 422 naming `kind` with "
    "the kinds there are; parameters the kind does not accept are a 422 naming the parameter "
    "(`params.step_id`). An event the tenant does not have is a 404."
)


def _kind(kinds: Kinds, body: Mapping[str, Any]) -> tuple[BulkKind, dict[str, Any]]:
    """The kind the body names, and its parameters as the kind cleans them."""
    kind = kinds.get(body["kind"])
    if kind is None:
        known = ", ".join(sorted(kinds))
        raise Problem(
            "validation-failed",
            "see errors for each field",
            errors=[{"field": "kind", "message": f"Must be one of: {known}."}],
        )
    return kind, kind.clean(body["params"])


def _selection(selection: Mapping[str, Any]) -> dict[str, Any]:
    """The selection as the operation records it (ids as text)."""
    if "participant_ids" in selection:
        return {"participant_ids": [str(p) for p in selection["participant_ids"]]}
    return {"filter": dict(selection["filter"])}


def _require_event(known: KnownEvent, req: falcon.Request, event_id: UUID) -> None:
    if not known(req.context.principal.tenant_id, event_id):
        found(None, f"no event with id {event_id}")


def answer_accepted(resp: falcon.Response, kinds: Kinds, ack: Ack[BulkOperation]) -> None:
    """202: the operation runs in the background; its status is read where Location says."""
    answer_command(resp, ack)
    resp.status = falcon.HTTP_202
    resp.location = operation_location(ack.aggregate_id)
    resp.media = command_document(kinds, ack.aggregate)


class BulkOperationsResource:
    operations = {
        "POST": Operation(
            "Ask for a bulk operation: one action applied to many participants of an event",
            EXECUTE,
            status=202,
            request=BulkRequestSchema,
            response=BulkOperationSchema,
            feature=FEATURE,
            creates=True,
            tags=TAGS,
            description="The operation is queued and runs in the background, item by item, "
            "each through the command a single change would use (so every rule holds): "
            "follow it at Location. A dry run checks each item and changes nothing." + SELECTION,
            request_example=examples.REQUEST,
            response_example=examples.QUEUED,
            operation_id="requestBulkOperation",
        ),
    }

    def __init__(self, operations: OperationsApplication, kinds: Kinds, known: KnownEvent) -> None:
        self.operations_app = operations
        self.kinds = kinds
        self.known = known

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, REQUEST_SCHEMA)
        kind, params = _kind(self.kinds, body)
        _require_event(self.known, req, event_id)
        ack = self.operations_app.request_bulk(
            req.context.principal.tenant_id,
            event_id,
            kind.name,
            params,
            _selection(body["selection"]),
            body["dry_run"],
            current_cause().actor,
        )
        answer_accepted(resp, self.kinds, ack)


class PreflightResource:
    operations = {
        "POST": Operation(
            "Forecast a bulk operation: how many participants it selects, and which the "
            "action would refuse",
            EXECUTE,
            request=PreflightRequestSchema,
            response=PreflightSchema,
            feature=FEATURE,
            reads_projection="registration",
            also_reads=("credentials",),
            command=False,
            tags=TAGS,
            description="Read from the participants' and credentials' views; nothing is "
            "changed or recorded. Each refusal is the problem code the command would answer "
            "now (`not-found` for an id that is no participant of the event); the operation "
            "itself decides item by item when it runs." + SELECTION,
            request_example=examples.PREFLIGHT_REQUEST,
            response_example=examples.PREFLIGHT,
            operation_id="preflightBulkOperation",
        ),
    }

    def __init__(self, kinds: Kinds, preflight: Preflight, known: KnownEvent) -> None:
        self.kinds = kinds
        self.preflight = preflight
        self.known = known

    def on_post(self, req: falcon.Request, resp: falcon.Response, event_id: UUID) -> None:
        body = load_body(req, PREFLIGHT_REQUEST_SCHEMA)
        kind, params = _kind(self.kinds, body)
        _require_event(self.known, req, event_id)
        tenant_id = req.context.principal.tenant_id
        forecast = self.preflight(tenant_id, event_id, kind, params, body["selection"])
        resp.media = PREFLIGHT_SCHEMA.dump(forecast.document())


Command = Callable[[UUID, UUID, str], Ack[BulkOperation]]  # tenant, operation, actor


class BulkCommandResource:
    """One command on a bulk operation: cancel, retry or undo."""

    def __init__(self, command: Command, kinds: Kinds, operation: Operation) -> None:
        self.command = command
        self.kinds = kinds
        self.operations = {"POST": operation}

    def on_post(self, req: falcon.Request, resp: falcon.Response, operation_id: UUID) -> None:
        load_body(req, EMPTY_SCHEMA)
        ack = self.command(req.context.principal.tenant_id, operation_id, current_cause().actor)
        answer_accepted(resp, self.kinds, ack)


def _command(summary: str, description: str, example: Any, operation_id: str) -> Operation:
    return Operation(
        summary,
        EXECUTE,
        status=202,
        response=BulkOperationSchema,
        feature=FEATURE,
        creates=True,
        tags=TAGS,
        description=description + " Another tenant's operation, or none, is a 404.",
        response_example=example,
        operation_id=operation_id,
    )


def operation_commands(
    operations: OperationsApplication, kinds: Kinds
) -> dict[str, BulkCommandResource]:
    """The operation's command resources, by the last segment of their path."""

    def undo(tenant_id: UUID, operation_id: UUID, actor: str) -> Ack[BulkOperation]:
        source = operations.bulk_operation(tenant_id, operation_id)
        kind = kinds.get(source.kind)
        undo_kind = None if kind is None else kind.undo_kind
        return operations.undo_bulk(tenant_id, operation_id, undo_kind, actor)

    ended = " An operation that has ended is a 409 `bulk-operation-ended`."
    follow_up = (
        " The new operation is linked to this one (`source_id`, `relation`) and its items "
        "are known at once; follow it at Location. An operation still running, or one that "
        "failed, is a 409 `conflict`"
    )
    return {
        "cancel": BulkCommandResource(
            operations.cancel_bulk,
            kinds,
            _command(
                "Cancel a bulk operation: the items not begun are skipped",
                "The executor stops after the items it has begun; the operation then ends "
                "CANCELLED, and its status says so. Cancelling twice is harmless." + ended,
                examples.CANCELLING,
                "cancelBulkOperation",
            ),
        ),
        "retry": BulkCommandResource(
            operations.retry_bulk,
            kinds,
            _command(
                "Retry the items a bulk operation's commands refused, as a new operation",
                "Once the refusals' causes are fixed (a step opened, a seat freed), the "
                "refused items run again with the same kind and parameters."
                + follow_up
                + "; one with no refused item is a 409 `bulk-nothing-to-do`.",
                examples.RETRY_QUEUED,
                "retryBulkOperation",
            ),
        ),
        "undo": BulkCommandResource(
            undo,
            kinds,
            _command(
                "Undo a bulk operation: a new operation compensating each item it applied",
                "Each applied item gets the compensating command (a suspension is resumed, a "
                "field set back to each participant's earlier value)."
                + follow_up
                + "; so is a kind with no compensation, a dry run or an undo; one with no "
                "applied item is a 409 `bulk-nothing-to-do`.",
                examples.UNDO_QUEUED,
                "undoBulkOperation",
            ),
        ),
    }
