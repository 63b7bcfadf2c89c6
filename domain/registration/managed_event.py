"""The managed event: a conference or festival a tenant runs, with its capacity and workflow.

"Managed event" is the thing people register for; the store's records are domain
events. Its workflow definitions are kept by version: a new definition is a new
version, and participants stay on the version they registered under.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import available_timezones

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from domain.registration.person import clean_country
from domain.registration.workflow.definition import WorkflowDefinition
from domain.shared.errors import InvalidValue, RuleViolation
from domain.shared.moments import checked_moment
from domain.shared.names import display_name
from domain.shared.topics import moved_from

CAPACITY_MAX = 1_000_000
CATEGORIES_MAX = 50
_CATEGORY_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

DEFAULT_WORKFLOW: dict[str, Any] = {
    "start": "approval",
    "steps": [
        {"id": "approval", "kind": "approval", "name": "Approval", "next": "accredited"},
        {"id": "accredited", "kind": "end", "name": "Accredited"},
    ],
}


@lru_cache(maxsize=1024)
def _definition(canonical: str) -> WorkflowDefinition:
    # Definitions are immutable and shared by every participant of a version: parse once.
    return WorkflowDefinition.parse(json.loads(canonical))


class RegistrationClosed(RuleViolation):
    code = "registration-closed"
    title = "Registration for this event is not open"


class UnknownCategory(InvalidValue):
    code = "unknown-category"


@dataclass(frozen=True)
class Category:
    """A kind of participant (press, staff, athlete…) with its own optional capacity."""

    code: str
    name: str
    capacity: int | None = None

    def to_record(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "capacity": self.capacity}


class CategoryAsDict(Transcoding):
    """Lets snapshots of managed events store their categories."""

    type = Category
    name = "managed_event_category"

    def encode(self, obj: Category) -> dict[str, Any]:
        return obj.to_record()

    def decode(self, data: dict[str, Any]) -> Category:
        return Category(**data)


def clean_capacity(value: int | None, field: str = "capacity") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= CAPACITY_MAX:
        raise InvalidValue(field, f"the {field} must be a whole number from 0 to {CAPACITY_MAX}")
    return value


def clean_categories(values: Iterable[Mapping[str, Any]]) -> list[Category]:
    """Categories from raw values: unique codes, clean names, valid capacities."""
    categories: list[Category] = []
    for n, value in enumerate(values):
        at = f"categories[{n}]"
        code = value.get("code")
        if not isinstance(code, str) or not _CATEGORY_CODE.fullmatch(code):
            raise InvalidValue(
                f"{at}.code", "a category code is 1-40 of a-z, 0-9, - and _, starting alphanumeric"
            )
        if any(c.code == code for c in categories):
            raise InvalidValue(f"{at}.code", f"the category code '{code}' is given twice")
        name = display_name(value.get("name") or "", f"{at}.name")
        capacity = clean_capacity(value.get("capacity"), f"{at}.capacity")
        categories.append(Category(code, name, capacity))
    if len(categories) > CATEGORIES_MAX:
        raise InvalidValue("categories", f"an event has at most {CATEGORIES_MAX} categories")
    return categories


# Names zoneinfo can open that are no IANA time zone: a placeholder and system links.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def clean_time_zone(value: str) -> str:
    """An IANA time zone name (a region such as `Europe` alone is a folder, not a zone)."""
    if value not in _iana_zones():
        raise InvalidValue("time_zone", f"'{value}' is not an IANA time zone")
    return value


def check_dates(starts_at: datetime, ends_at: datetime) -> None:
    checked_moment(starts_at, "starts_at")
    checked_moment(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise InvalidValue("ends_at", "the event must end after it starts")


class ManagedEvent(Aggregate):
    # A snapshot's state: 2 holds the country.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before events had a country."""
        state.setdefault("country", None)

    # Domain events: a public contract, each with its typed payload.

    class Created(Aggregate.Created):
        """A managed event (a conference, a match day) was created, in draft."""

        class_version = 2  # 2: the country it takes place in

        tenant_id: UUID
        name: str
        starts_at: datetime
        ends_at: datetime
        time_zone: str
        venue: str | None
        capacity: int | None
        categories: list[dict[str, Any]]  # each {code, name, capacity}
        workflow: dict[str, Any]  # version 1 of the workflow definition
        country: str | None  # ISO 3166-1 alpha-2; phones are read in it by default

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Events created before the country was asked for have none."""
            state["country"] = None

    class DetailsChanged(Aggregate.Event):
        """Some of the event's details changed; `changes` holds the new values."""

        changes: dict[str, Any]  # any of name, venue, starts_at, ends_at, time_zone, country

    class CapacityChanged(Aggregate.Event):
        """The event's overall capacity changed (None: no limit)."""

        capacity: int | None

    class CategoriesChanged(Aggregate.Event):
        """Categories were added, renamed or resized; `categories` lists them all."""

        categories: list[dict[str, Any]]  # every category, each {code, name, capacity}

    class RegistrationOpened(Aggregate.Event):
        """Registration opened: participants may register."""

    class RegistrationClosed(Aggregate.Event):
        """Registration closed: no new participants, those in keep going."""

    class WorkflowPublished(Aggregate.Event):
        """A new workflow version was published; new registrations follow it."""

        version: int
        workflow: dict[str, Any]

    @event(Created)
    def __init__(
        self,
        tenant_id: UUID,
        name: str,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        venue: str | None,
        capacity: int | None,
        categories: list[dict[str, Any]],
        workflow: dict[str, Any],
        country: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.country = country
        self.name = name
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.time_zone = time_zone
        self.venue = venue
        self.capacity = capacity
        self.categories = [Category(**c) for c in categories]
        self.registration = "draft"
        self.workflows = [workflow]

    @classmethod
    def create(
        cls,
        tenant_id: UUID,
        name: str,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        venue: str | None = None,
        capacity: int | None = None,
        categories: Iterable[Mapping[str, Any]] = (),
        workflow: Mapping[str, Any] | None = None,
        country: str | None = None,
    ) -> ManagedEvent:
        check_dates(starts_at, ends_at)
        definition = WorkflowDefinition.parse(workflow or DEFAULT_WORKFLOW)
        return cls(
            tenant_id=tenant_id,
            name=display_name(name),
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=clean_time_zone(time_zone),
            venue=display_name(venue, "venue") if venue else None,
            capacity=clean_capacity(capacity),
            categories=[c.to_record() for c in clean_categories(categories)],
            workflow=definition.to_dict(),
            country=clean_country(country, "country"),
        )

    @property
    def workflow_version(self) -> int:
        """The version new registrations follow."""
        return len(self.workflows)

    def workflow(self, version: int) -> WorkflowDefinition:
        """The definition of a published version."""
        return _definition(json.dumps(self.workflows[version - 1], sort_keys=True))

    def category(self, code: str | None) -> Category | None:
        """The category with this code; UnknownCategory if the event has no such category."""
        if code is None:
            if self.categories:
                raise UnknownCategory("category", "choose one of the event's categories")
            return None
        for category in self.categories:
            if category.code == code:
                return category
        raise UnknownCategory("category", f"the event has no category '{code}'")

    def check_open(self) -> None:
        if self.registration != "open":
            raise RegistrationClosed(f"registration is {self.registration}")

    def change_details(self, **changes: Any) -> None:
        """Name, venue, dates, time zone and country; unchanged values record nothing."""
        cleaned: dict[str, Any] = {}
        if "name" in changes:
            cleaned["name"] = display_name(changes["name"])
        if "venue" in changes:
            venue = changes["venue"]
            cleaned["venue"] = display_name(venue, "venue") if venue else None
        if "time_zone" in changes:
            cleaned["time_zone"] = clean_time_zone(changes["time_zone"])
        if "country" in changes:
            cleaned["country"] = clean_country(changes["country"], "country")
        for field in ("starts_at", "ends_at"):
            if field in changes:
                cleaned[field] = changes[field]
        check_dates(cleaned.get("starts_at", self.starts_at), cleaned.get("ends_at", self.ends_at))
        different = {k: v for k, v in cleaned.items() if getattr(self, k) != v}
        if different:
            self._details_changed(changes=different)

    @event(DetailsChanged)
    def _details_changed(self, changes: dict[str, Any]) -> None:
        for field, value in changes.items():
            setattr(self, field, value)

    def change_capacity(self, capacity: int | None) -> None:
        capacity = clean_capacity(capacity)
        if capacity != self.capacity:
            self._capacity_changed(capacity=capacity)

    @event(CapacityChanged)
    def _capacity_changed(self, capacity: int | None) -> None:
        self.capacity = capacity

    def change_categories(self, values: Iterable[Mapping[str, Any]]) -> None:
        """Adds, renames or resizes categories; a category once offered is never removed."""
        categories = clean_categories(values)
        kept = {c.code for c in categories}
        dropped = [c.code for c in self.categories if c.code not in kept]
        if dropped:
            raise InvalidValue(
                "categories",
                f"categories cannot be removed ({', '.join(dropped)}); "
                "set a capacity of 0 to stop approvals in one",
            )
        if categories != self.categories:
            self._categories_changed(categories=[c.to_record() for c in categories])

    @event(CategoriesChanged)
    def _categories_changed(self, categories: list[dict[str, Any]]) -> None:
        self.categories = [Category(**c) for c in categories]

    def open_registration(self) -> None:
        if self.registration != "open":
            self._registration_opened()

    @event(RegistrationOpened)
    def _registration_opened(self) -> None:
        self.registration = "open"

    def close_registration(self) -> None:
        if self.registration == "open":
            self._registration_closed()

    @event(RegistrationClosed)
    def _registration_closed(self) -> None:
        self.registration = "closed"

    def publish_workflow(self, workflow: Mapping[str, Any]) -> int:
        """Makes a new workflow version for new registrations; returns its number."""
        definition = WorkflowDefinition.parse(workflow).to_dict()
        if definition != self.workflows[-1]:
            self._workflow_published(version=self.workflow_version + 1, workflow=definition)
        return self.workflow_version

    @event(WorkflowPublished)
    def _workflow_published(self, version: int, workflow: dict[str, Any]) -> None:
        del version  # recorded for readers; it is always the next one
        self.workflows.append(workflow)


# Histories written before this module moved name its classes by the old path.
moved_from("domain.managed_event", __name__)
