"""Domain events of a whole batch of notifications, decoded with one JSON parse.

The library's mapper parses each stored payload on its own, with a general
object hook; at projection speed those per-payload calls are a large share of
the work. Here a batch's payloads (decrypted and decompressed first, when the
store does that) are joined into one JSON array and parsed once, with a hook that
knows only the `{"_type_", "_data_"}` shape the library's transcoder writes. The
domain events are then made exactly as the library makes them: the originator id
converted, the payload upcast to the class's version.

A payload that does not parse in the joined document is decoded again one by
one through the library, so its error names the domain event it belongs to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    TranscodingNotRegisteredError,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

ID_CACHE_SIZE = 10_000
_FAST: dict[type[Any], Callable[[Any], Any]] = {DatetimeAsISO: datetime.fromisoformat}


class Stored(Protocol):
    """A stored domain event as a log returns it (StoredEvent, Notification, a row)."""

    @property
    def originator_id(self) -> UUID | str: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


class BatchDecoder:
    """Turns stored domain events into domain events, a batch at a time."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self._decoder: json.JSONDecoder | None = None
        self._classes: dict[str, _EventClass] = {}
        self._ids: dict[str, UUID] = {}
        if isinstance(transcoder, JSONTranscoder) and (
            type(transcoder).decode is JSONTranscoder.decode
        ):
            # Each registered name's decoder; the library's own types skip a method call.
            self._decoders: dict[str, Callable[[Any], Any]] = {
                name: _FAST.get(type(t), t.decode) for name, t in transcoder.names.items()
            }
            if type(transcoder.names.get(UUIDAsHex.name)) is UUIDAsHex:
                self._decoders[UUIDAsHex.name] = self._uuid
            self._decoder = json.JSONDecoder(object_hook=self._decode_object)

    def decode(self, stored: Sequence[Stored]) -> list[DomainEventProtocol[Any]]:
        """The domain events of the stored ones, in the same order."""
        if self._decoder is None or not stored:
            return self._one_by_one(stored)
        try:
            if self.mapper.cipher or self.mapper.compressor:
                payloads = [self._plain(s.state) for s in stored]
            else:
                payloads = [s.state for s in stored]
            document = b"[" + b",".join(payloads) + b"]"
            states: list[dict[str, Any]] = self._decoder.decode(document.decode("utf8"))
        except Exception:
            # Let the library say which domain event it cannot read.
            return self._one_by_one(stored)
        if len(states) != len(stored):
            # A payload held more than one JSON value: read each on its own.
            return self._one_by_one(stored)
        return [self._domain_event(s, state) for s, state in zip(stored, states, strict=True)]

    def _one_by_one(self, stored: Sequence[Stored]) -> list[DomainEventProtocol[Any]]:
        return [
            self.mapper.to_domain_event(
                StoredEvent(s.originator_id, s.originator_version, s.topic, s.state)
            )
            for s in stored
        ]

    def _plain(self, state: bytes) -> bytes:
        if self.mapper.cipher:
            state = self.mapper.cipher.decrypt(state)
        if self.mapper.compressor:
            state = self.mapper.compressor.decompress(state)
        return state

    def _decode_object(self, d: dict[str, Any]) -> Any:
        # The same rule as JSONTranscoder's: exactly the two keys, the name registered.
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            decode = self._decoders.get(d["_type_"])
            if decode is None:
                msg = f"Data serialized with name '{d['_type_']}' is not deserializable."
                raise TranscodingNotRegisteredError(msg)
            return decode(d["_data_"])
        return d

    def _uuid(self, text: str) -> UUID:
        # Ids recur across a batch (a tenant's in each of its domain events, an aggregate's
        # in each of its own): make each once. Hex and dashed forms are both keys.
        found = self._ids.get(text)
        if found is None:
            if len(self._ids) >= ID_CACHE_SIZE:
                self._ids.clear()
            found = self._ids[text] = UUID(text)
        return found

    def _domain_event(self, stored: Stored, state: dict[str, Any]) -> DomainEventProtocol[Any]:
        """What Mapper.to_domain_event does once the payload is decoded."""
        kind = self._classes.get(stored.topic)
        if kind is None:
            kind = self._classes[stored.topic] = _EventClass.of(stored.topic)
        originator_id = stored.originator_id
        if type(originator_id) is UUID:
            state["originator_id"] = kind.convert_uuid(originator_id)
        elif type(originator_id) is str and kind.uuid_ids:
            # SQLite keeps ids as text.
            state["originator_id"] = self._uuid(originator_id)
        else:
            convert = find_id_convertor(kind.cls, cast(Hashable, type(originator_id)))
            state["originator_id"] = convert(originator_id)
        state["originator_version"] = stored.originator_version
        from_version = state.pop("class_version", 1)
        while from_version < kind.version:
            getattr(kind.cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event = object.__new__(kind.cls)
        object.__setattr__(domain_event, "__dict__", state)
        return cast(DomainEventProtocol[Any], domain_event)


@dataclass(frozen=True)
class _EventClass:
    cls: Any  # the domain event class
    version: int
    convert_uuid: Callable[[UUID], Any]
    uuid_ids: bool  # whether the aggregate's ids are UUIDs (stored ids convert to them)

    @classmethod
    def of(cls, topic: str) -> _EventClass:
        event_class = resolve_topic(topic)
        version = getattr(event_class, "class_version", 1)
        to_uuid = find_id_convertor(event_class, cast(Hashable, UUID))
        from_text = find_id_convertor(event_class, cast(Hashable, str))
        probe = "00000000-0000-0000-0000-000000000000"
        return cls(event_class, version, to_uuid, type(from_text(probe)) is UUID)
