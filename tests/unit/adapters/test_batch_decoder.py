"""A batch decoded in one parse gives exactly the domain events the library's mapper gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from adapters.projection.batch_decoder import BatchDecoder
from domain.platform.application import PlatformApplication
from domain.shared.cause import Cause, caused_by

CIPHER_ENV = {
    "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
    "CIPHER_KEY": AESCipher.create_key(32),
    "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
}


def stored_history(app: Application[Any]) -> list[StoredEvent]:
    return list(app.recorder.select_notifications(start=None, limit=1000))


def a_platform_history(env: dict[str, str]) -> PlatformApplication:
    app = PlatformApplication(env)
    with caused_by(Cause("cli:auditor", "corr-1", "cause-1")):
        tenant = app.create_tenant("Expo").aggregate_id
        key = app.issue_api_key(tenant, "gate", ["check-in:scan"]).ack.aggregate_id
        app.rotate_api_key(tenant, key, grace=timedelta(minutes=5))
        app.revoke_api_key(tenant, key)
    return app


@pytest.mark.parametrize("env", [{}, CIPHER_ENV], ids=["plain", "encrypted-and-compressed"])
def test_a_batch_decodes_to_the_same_domain_events_as_the_mapper(env: dict[str, str]) -> None:
    app = a_platform_history(env)
    stored = stored_history(app)

    decoded = BatchDecoder(app.mapper).decode(stored)

    expected = [app.mapper.to_domain_event(s) for s in stored]
    assert [type(e) for e in decoded] == [type(e) for e in expected]
    assert [vars(e) for e in decoded] == [vars(e) for e in expected]


class Badge(Aggregate):
    """A payload that changed shape: version 2 added the colour."""

    class Printed(Aggregate.Created):
        holder: str
        colour: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["colour"] = "white"

    @event(Printed)
    def __init__(self, holder: str, colour: str) -> None:
        self.holder = holder
        self.colour = colour


def test_old_payloads_are_upcast_like_the_library_does() -> None:
    app: Application[Any] = Application()
    app.save(Badge(holder="Ada", colour="red"))
    stored = stored_history(app)
    state = app.mapper.transcoder.decode(stored[0].state)
    del state["colour"]
    state["class_version"] = 1
    old = replace(stored[0], state=app.mapper.transcoder.encode(state))

    decoded = BatchDecoder(app.mapper).decode([old])

    assert decoded[0].__dict__["colour"] == "white"
    assert vars(decoded[0]) == vars(app.mapper.to_domain_event(old))


def test_an_unreadable_payload_is_named_as_the_library_names_it() -> None:
    app = a_platform_history({})
    stored = stored_history(app)
    broken = replace(stored[1], state=b'{"name": ')

    with pytest.raises(MapperDeserialisationError, match="originator_version 1"):
        BatchDecoder(app.mapper).decode([stored[0], broken, stored[2]])


def test_a_payload_holding_two_json_values_is_not_split_into_two_domain_events() -> None:
    app = a_platform_history({})
    stored = stored_history(app)
    doubled = replace(stored[0], state=stored[0].state + b"," + stored[0].state)

    with pytest.raises(MapperDeserialisationError):
        BatchDecoder(app.mapper).decode([doubled])
