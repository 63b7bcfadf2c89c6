"""The registration projection's work in plain SQL: the same log rows in, the same final rows out.

Tables of the same columns, keys and secondary indexes as the projection's, named
raw_*. Each batch, as the projection does it: the rows the batch's participants
already have are read in one statement, and so are the workflow versions they
follow; then one final row per key is inserted or updated with executemany.
Nothing is kept from one batch to the next.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    MetaData,
    Table,
    bindparam,
    func,
    select,
    text,
)

from adapters.registration.tables import (
    managed_events,
    participant_branches,
    participant_steps,
    participants,
    searchable,
    workflow_versions,
)
from adapters.settings import Settings
from domain.registration.person import full_name, normalised_email
from projection_bench.log_rows import log_rows

raw_metadata = MetaData()


def _raw(table: Table) -> Table:
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
        for c in table.columns
    ]
    indexes = [Index(f"raw_{i.name}", *(c.name for c in i.columns)) for i in table.indexes]
    return Table(f"raw_{table.name}", raw_metadata, *columns, *indexes)


RAW_EVENTS, RAW_VERSIONS, RAW_PEOPLE, RAW_STEPS, RAW_BRANCHES = (
    _raw(t)
    for t in (
        managed_events,
        workflow_versions,
        participants,
        participant_steps,
        participant_branches,
    )
)
STATUS = {"in_progress": "pending", "approved": "approved", "rejected": "rejected"}
ENDED = {"Participant.Withdrawn": "withdrawn", "Participant.Cancelled": "cancelled"}
PERSON = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "organisation",
    "nationality",
    "document_number",
)
# What a participant's later domain events change: written back whole, one statement shape.
CHANGING = (
    *PERSON,
    *("full_name", "email_normalised", "search_text"),
    *("status", "active_steps", "reason"),
)
STEP_CHANGES = ("status", "outcome", "actor", "comment", "step_order", "completed_at")


def _insert(table: Table) -> Any:
    names = [c.name for c in table.columns]
    return text(
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + n for n in names)})"
    )


def _update(table: Table, columns: Iterable[str]) -> Any:
    keys = [c.name for c in table.primary_key.columns]
    return text(
        f"UPDATE {table.name} SET {', '.join(f'{c} = :{c}' for c in columns)} "
        f"WHERE {' AND '.join(f'{k} = :{k}' for k in keys)}"
    )


READ_PEOPLE = text(
    "SELECT participant_id, tenant_id, event_id, workflow_version, version, "
    f"{', '.join(CHANGING)} FROM raw_participants WHERE participant_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
READ_VERSIONS = text(
    "SELECT event_id, version, definition FROM raw_workflow_versions WHERE event_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
UPDATE_EVENTS = _update(RAW_EVENTS, ("registration", "version", "updated_at"))
UPDATE_PEOPLE = _update(RAW_PEOPLE, (*CHANGING, "version", "updated_at"))
UPDATE_STEPS = _update(RAW_STEPS, STEP_CHANGES)
UPDATE_BRANCHES = _update(RAW_BRANCHES, ("status",))


def _hex(value: Any) -> str:
    return value.hex if isinstance(value, UUID) else str(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class _Batch:
    """One batch's final rows, by table and key: those to insert, those to update."""

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.event_changes: dict[str, dict[str, Any]] = {}
        self.versions: dict[tuple[str, int], dict[str, Any]] = {}
        self.steps_of: dict[tuple[str, int], dict[str, tuple[str, str]]] = {}
        self.people: dict[str, dict[str, Any]] = {}  # every participant met, as it now stands
        self.new_people: set[str] = set()
        self.steps: dict[tuple[str, str], dict[str, Any]] = {}
        self.step_changes: dict[tuple[str, str], dict[str, Any]] = {}
        self.branches: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.branch_changes: dict[tuple[str, str, str], dict[str, Any]] = {}

    def read(self, conn: Connection, decoded: list[tuple[str, int, str, dict[str, Any]]]) -> None:
        """The batch's participants' rows and their workflow versions, one statement each."""
        ids = [i for i, _, kind, _ in decoded if kind.startswith("Participant.")]
        for found in conn.execute(READ_PEOPLE, {"ids": ids}).mappings() if ids else ():
            person = dict(found)
            for column in ("participant_id", "tenant_id", "event_id"):
                person[column] = _hex(person[column])
            person["active"] = set(_json(person.pop("active_steps")))
            self.people[person["participant_id"]] = person
        events = {p["event_id"] for p in self.people.values()}
        events |= {p["event_id"]["_data_"] for _, _, k, p in decoded if k.endswith("Registered")}
        for version in conn.execute(READ_VERSIONS, {"ids": list(events)}) if events else ():
            steps = _json(version.definition)["steps"]
            self.steps_of[(_hex(version.event_id), version.version)] = {
                s["id"]: (s["kind"], s["name"]) for s in steps
            }

    def apply(self, oid: str, version: int, kind: str, p: dict[str, Any]) -> None:
        at = p["timestamp"]["_data_"]
        if kind == "ManagedEvent.Created":
            self._event_created(oid, p, at)
        elif kind == "ManagedEvent.RegistrationOpened":
            change = {"registration": "open", "version": version, "updated_at": at}
            if oid in self.events:
                self.events[oid].update(change)
            else:
                self.event_changes[oid] = {"event_id": oid, **change}
        elif kind == "Participant.Registered":
            self._registered(oid, p, at)
        elif kind == "Participant.DetailsUpdated":
            person = self._changing(oid, version, at)
            person.update(p["changes"])
            person.update(_person_columns(person))
        elif kind == "Participant.StepCompleted" or kind in ENDED:
            person = self._changing(oid, version, at)
            if kind in ENDED:
                person["status"], person["reason"] = ENDED[kind], p["reason"]
            else:
                person["status"] = STATUS[p["workflow"]["status"]]
            self._workflow(person, p["workflow"], at)
        else:
            raise ValueError(f"this history has no {kind}")

    def _event_created(self, oid: str, p: dict[str, Any], at: str) -> None:
        self.events[oid] = {
            "event_id": oid,
            "tenant_id": p["tenant_id"]["_data_"],
            "name": p["name"],
            "starts_at": p["starts_at"]["_data_"],
            "ends_at": p["ends_at"]["_data_"],
            "time_zone": p["time_zone"],
            "venue": p["venue"],
            "capacity": p["capacity"],
            "categories": json.dumps(p["categories"]),
            "registration": "draft",
            "workflow_version": 1,
            "workflow": json.dumps(p["workflow"]),
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        self.versions[(oid, 1)] = {
            "event_id": oid,
            "version": 1,
            "tenant_id": p["tenant_id"]["_data_"],
            "definition": json.dumps(p["workflow"]),
            "published_at": at,
        }
        self.steps_of[(oid, 1)] = {s["id"]: (s["kind"], s["name"]) for s in p["workflow"]["steps"]}

    def _registered(self, oid: str, p: dict[str, Any], at: str) -> None:
        person = {
            "participant_id": oid,
            "tenant_id": p["tenant_id"]["_data_"],
            "event_id": p["event_id"]["_data_"],
            "category": p["category"],
            **{c: p["details"].get(c) for c in PERSON},
            "status": STATUS[p["workflow"]["status"]],
            "workflow_version": p["workflow_version"],
            "active": set(),
            "reason": None,
            "version": 1,
            "registered_at": at,
            "updated_at": at,
        }
        person.update(_person_columns(person))
        self.people[oid] = person
        self.new_people.add(oid)
        self._workflow(person, p["workflow"], at)

    def _changing(self, oid: str, version: int, at: str) -> dict[str, Any]:
        person = self.people[oid]
        person["version"], person["updated_at"] = version, at
        return person

    def _workflow(self, person: dict[str, Any], workflow: dict[str, Any], at: str) -> None:
        pid, active = person["participant_id"], person["active"]
        names = self.steps_of[(person["event_id"], person["workflow_version"])]
        reached = set()
        for s in workflow["steps"]:
            step_id, status = s["step_id"], s["status"]
            values = {
                "status": status,
                "outcome": s["outcome"],
                "actor": s["actor"],
                "comment": s["comment"],
                "step_order": s["order"],
                "completed_at": None if status == "active" else at,
            }
            step = (pid, step_id)
            if step_id not in active:
                reached.add(step_id)
                kind, name = names[step_id]
                self.steps[step] = {
                    "participant_id": pid,
                    "step_id": step_id,
                    "tenant_id": person["tenant_id"],
                    "event_id": person["event_id"],
                    "kind": kind,
                    "name": name,
                    "reached_at": at,
                    **values,
                }
            elif step in self.steps:
                self.steps[step].update(values)
            else:
                self.step_changes[step] = {"participant_id": pid, "step_id": step_id, **values}
            if status == "active":
                active.add(step_id)
            else:
                active.discard(step_id)
        for b in workflow["branches"]:
            branch = (pid, b["fork"], b["head"])
            values = {"participant_id": pid, "fork": b["fork"], "head": b["head"]}
            if b["fork"] in reached:
                values.update(tenant_id=person["tenant_id"], event_id=person["event_id"])
                self.branches[branch] = {**values, "status": b["status"]}
            elif branch in self.branches:
                self.branches[branch]["status"] = b["status"]
            else:
                self.branch_changes[branch] = {**values, "status": b["status"]}

    def write(self, conn: Connection) -> None:
        people = [_row(p) for p in self.people.values()]
        for table, rows in (
            (RAW_EVENTS, list(self.events.values())),
            (RAW_VERSIONS, list(self.versions.values())),
            (RAW_PEOPLE, [p for p in people if p["participant_id"] in self.new_people]),
            (RAW_STEPS, list(self.steps.values())),
            (RAW_BRANCHES, list(self.branches.values())),
        ):
            if rows:
                conn.execute(_insert(table), rows)
        for statement, rows in (
            (UPDATE_EVENTS, list(self.event_changes.values())),
            (UPDATE_PEOPLE, [p for p in people if p["participant_id"] not in self.new_people]),
            (UPDATE_STEPS, list(self.step_changes.values())),
            (UPDATE_BRANCHES, list(self.branch_changes.values())),
        ):
            if rows:
                conn.execute(statement, rows)


def _person_columns(person: dict[str, Any]) -> dict[str, str]:
    name = full_name(person["first_name"], person["last_name"])
    return {
        "full_name": name,
        "email_normalised": normalised_email(person["email"]),
        "search_text": searchable(f"{name} {person['email']}"),
    }


def _row(person: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in person.items() if k != "active"}
    row["active_steps"] = json.dumps(sorted(person["active"]))
    return row


def run_raw(settings: Settings, engine: Engine, batch: int) -> float:
    """Plain SQL: same rows in, same view rows out, in batches, one transaction each."""
    raw_metadata.drop_all(engine)
    raw_metadata.create_all(engine)
    started = time.perf_counter()
    count = 0
    for rows in log_rows(settings, "registration", batch):
        decoded = []
        for _, originator_id, version, topic, state in rows:
            kind = topic.rpartition(":")[2]
            if kind.startswith(("Participant.", "ManagedEvent.")):
                decoded.append((_hex(originator_id), version, kind, json.loads(bytes(state))))
        changes = _Batch()
        with engine.begin() as conn:
            changes.read(conn, decoded)
            for oid, version, kind, payload in decoded:
                changes.apply(oid, version, kind, payload)
            changes.write(conn)
        count += len(rows)
    return count / (time.perf_counter() - started)


def compare(engine: Engine) -> dict[str, tuple[Any, Any]]:
    """What ours and the baseline wrote, side by side: rows by status, per table."""
    compared = {}
    with engine.connect() as conn:
        for table, raw in (
            (participants, RAW_PEOPLE),
            (participant_steps, RAW_STEPS),
            (participant_branches, RAW_BRANCHES),
        ):
            ours, theirs = (
                sorted(
                    map(tuple, conn.execute(select(t.c.status, func.count()).group_by(t.c.status)))
                )
                for t in (table, raw)
            )
            compared[f"{table.name} by status"] = (ours, theirs)
    return compared
