"""What the reference shows as registration's bodies: one event, its workflow, two people."""

from __future__ import annotations

from typing import Any

EVENT_ID = "94148a65-c291-4d07-9760-ee277d38f437"
PARTICIPANT_ID = "be6b60d5-23ea-4faa-89d3-6ed2e53f1535"
APPROVER = "api-key:7a55efc0-0495-44fb-ae5f-507cf293e8c8"
CREATED_AT = "2027-03-01T10:00:00+00:00"
REGISTERED_AT = "2027-04-12T14:03:27+00:00"
APPROVED_AT = "2027-04-13T09:41:05+00:00"

EVENT_CREATE: dict[str, Any] = {
    "name": "Expo 2027",
    "starts_at": "2027-06-01T09:00:00+02:00",
    "ends_at": "2027-06-03T18:00:00+02:00",
    "time_zone": "Europe/Paris",
    "venue": "Paris Expo, Hall 7",
    "country": "FR",
    "capacity": 500,
    "categories": [
        {"code": "press", "name": "Press", "capacity": 50},
        {"code": "exhibitor", "name": "Exhibitor"},
    ],
}
EVENT: dict[str, Any] = {
    "id": EVENT_ID,
    "name": "Expo 2027",
    "starts_at": "2027-06-01T07:00:00+00:00",
    "ends_at": "2027-06-03T16:00:00+00:00",
    "time_zone": "Europe/Paris",
    "venue": "Paris Expo, Hall 7",
    "country": "FR",
    "capacity": 500,
    "categories": [
        {"code": "press", "name": "Press", "capacity": 50},
        {"code": "exhibitor", "name": "Exhibitor", "capacity": None},
    ],
    "registration": "draft",
    "workflow_version": 1,
    "version": 1,
    "created_at": CREATED_AT,
    "updated_at": CREATED_AT,
}
EVENT_UPDATE: dict[str, Any] = {"capacity": 600, "venue": "Paris Expo, Halls 7 and 8"}
EVENT_UPDATED: dict[str, Any] = {
    **EVENT,
    **EVENT_UPDATE,
    "version": 2,
    "updated_at": "2027-03-02T16:20:00+00:00",
}
EVENT_OPENED: dict[str, Any] = {**EVENT, "registration": "open", "version": 2}
EVENT_CLOSED: dict[str, Any] = {**EVENT, "registration": "closed", "version": 3}
EVENT_PAGE: dict[str, Any] = {
    "items": [EVENT_OPENED],
    "next_cursor": "WyIyMDI3LTA2LTAxVDA3OjAwOjAwKzAwOjAwIiwiOTQxNDhhNjUiXQ",
}

WORKFLOW: dict[str, Any] = {
    "start": "screening",
    "steps": [
        {"id": "screening", "kind": "review", "name": "Screening", "next": "checks"},
        {
            "id": "checks",
            "kind": "parallel",
            "name": "Checks",
            "branches": ["security", "documents"],
            "join": "checked",
        },
        {
            "id": "security",
            "kind": "security_check",
            "name": "Security",
            "next": "checked",
            "on_reject": "fail_branch",
        },
        {"id": "documents", "kind": "document_check", "name": "ID", "next": "checked"},
        {"id": "checked", "kind": "join", "name": "Checked", "mode": "ANY", "next": "done"},
        {"id": "done", "kind": "end", "name": "Accredited"},
    ],
}
WORKFLOW_PUBLISH: dict[str, Any] = {"workflow": WORKFLOW}
WORKFLOW_DOCUMENT: dict[str, Any] = {
    "event_id": EVENT_ID,
    "workflow_version": 2,
    "workflow": WORKFLOW,
    "version": 4,
}

PARTICIPANT_REGISTER: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0958",
    "organisation": "Analytical Engines",
    "nationality": "GB",
    "category": "press",
}
_PERSON: dict[str, Any] = {
    "id": PARTICIPANT_ID,
    "event_id": EVENT_ID,
    "category": "press",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "full_name": "Ada Lovelace",
    "email": "ada@example.org",
    "phone": "+442079460958",
    "date_of_birth": None,
    "organisation": "Analytical Engines",
    "nationality": "GB",
    "document_number": None,
    "workflow_version": 1,
    "reason": None,
    "survivor_id": None,
    "held_by": None,
    "blocked_by": None,
    "blocked_reason": None,
    "waitlist_entry_id": None,
    "registered_at": REGISTERED_AT,
}
PARTICIPANT_SUMMARY: dict[str, Any] = {
    **_PERSON,
    "status": "pending",
    "active_steps": ["approval"],
    "version": 1,
    "updated_at": REGISTERED_AT,
}
# A command's answer: the steps as the participant's own record has them.
PARTICIPANT_REGISTERED: dict[str, Any] = {
    **PARTICIPANT_SUMMARY,
    "steps": [
        {
            "step_id": "approval",
            "status": "active",
            "outcome": None,
            "actor": None,
            "comment": None,
            "order": 0,
        }
    ],
    "branches": [],
}
PARTICIPANT_UPDATE: dict[str, Any] = {"phone": "+44 20 7946 0000", "document_number": None}
PARTICIPANT_UPDATED: dict[str, Any] = {
    **PARTICIPANT_REGISTERED,
    "phone": "+442079460000",
    "version": 2,
    "updated_at": "2027-04-12T15:10:00+00:00",
}
_APPROVAL_DONE = {
    "step_id": "approval",
    "status": "approved",
    "outcome": "approved",
    "actor": APPROVER,
    "comment": "Press card checked",
    "order": 1,
}
_END_REACHED = {
    "step_id": "accredited",
    "status": "approved",
    "outcome": None,
    "actor": None,
    "comment": None,
    "order": 1,
}
PARTICIPANT_APPROVED: dict[str, Any] = {
    **PARTICIPANT_SUMMARY,
    "status": "approved",
    "active_steps": [],
    "version": 2,
    "updated_at": APPROVED_AT,
    "steps": [_END_REACHED, _APPROVAL_DONE],
    "branches": [],
}
# A read: the view adds each step's kind, name and times.
PARTICIPANT: dict[str, Any] = {
    **PARTICIPANT_APPROVED,
    "steps": [
        {
            **_END_REACHED,
            "kind": "end",
            "name": "Accredited",
            "reached_at": APPROVED_AT,
            "completed_at": APPROVED_AT,
        },
        {
            **_APPROVAL_DONE,
            "kind": "approval",
            "name": "Approval",
            "reached_at": REGISTERED_AT,
            "completed_at": APPROVED_AT,
        },
    ],
}
PARTICIPANT_PAGE: dict[str, Any] = {"items": [PARTICIPANT_SUMMARY], "next_cursor": None}
STEP_COMPLETION: dict[str, Any] = {"outcome": "approved", "comment": "Press card checked"}
END_REGISTRATION: dict[str, Any] = {"reason": "Cannot travel in June"}
PARTICIPANT_ENDED: dict[str, Any] = {
    **PARTICIPANT_REGISTERED,
    "status": "withdrawn",
    "active_steps": [],
    "reason": "Cannot travel in June",
    "version": 2,
    "updated_at": "2027-05-20T08:00:00+00:00",
    "steps": [{**PARTICIPANT_REGISTERED["steps"][0], "status": "cancelled", "order": 1}],
}
CANCEL_REGISTRATION: dict[str, Any] = {"reason": "Duplicate of another registration"}
PARTICIPANT_CANCELLED: dict[str, Any] = {
    **PARTICIPANT_ENDED,
    "status": "cancelled",
    "reason": "Duplicate of another registration",
}
PARTICIPANT_RESTORED: dict[str, Any] = {
    **PARTICIPANT_REGISTERED,
    "version": 3,
    "updated_at": "2027-05-21T08:00:00+00:00",
}
EVENT_COUNTS: dict[str, Any] = {
    "by_status": {
        "pending": 12,
        "approved": 40,
        "rejected": 3,
        "withdrawn": 1,
        "cancelled": 0,
        "merged": 0,
    },
    "by_category": {
        "press": {"pending": 2, "approved": 30},
        "exhibitor": {"pending": 10, "approved": 10, "rejected": 3, "withdrawn": 1},
    },
    "total": 56,
    "capacity": 500,
    "seats_taken": 40,
}
QUEUE_PAGE: dict[str, Any] = {
    "items": [
        {
            "participant_id": PARTICIPANT_ID,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "email": "ada@example.org",
            "category": "press",
            "step_id": "approval",
            "waiting_since": REGISTERED_AT,
        }
    ],
    "next_cursor": None,
}
