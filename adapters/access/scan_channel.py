"""Scans handed from the HTTP workers to the scan decider through PostgreSQL, and answered.

Every host already shares the database, so it is the channel: an HTTP worker
sends its scans with NOTIFY on one channel (a sender thread puts the scans that
arrived together in one notification), the decider LISTENs, decides what arrived
together as one batch, records it in one commit, then answers each worker on a
channel of its own, in one more commit. A message too big for a notification
(8000 bytes) goes through the `scan_parcels` table, the notification naming it.

Nothing sent here needs to survive a crash: a scan is accepted only once its
decision is recorded, and the device that got no answer sends it again with the
same nonce, which answers the recorded decision.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.utils import get_topic, resolve_topic
from sqlalchemy import Column, DateTime, Table, Text, func

from adapters.access.scan_desk import DeciderUnavailable, Reply, Request, ScanDesk
from adapters.sql.connection_names import connection_name
from adapters.sql.schema import metadata
from domain.access.gates import Annulment, Answered, Ask, CheckOut, ScanBatch
from domain.access.scan import Decision, Passage, Scan, ScanResult
from domain.shared.application import Position
from domain.shared.cause import Cause
from domain.shared.errors import DomainError

log = logging.getLogger(__name__)

REQUESTS_CHANNEL = "accredit_scan_requests"
REPLIES_PREFIX = "accredit_scan_replies_"
PAYLOAD_MAX = 7_800  # PostgreSQL's limit is 8000 bytes
ANSWER_SECONDS = 5.0  # how long a worker waits for the decider before answering 503
BATCH_MAX = 500  # requests the decider takes into one batch
RECONNECT_SECONDS = 0.5
REPORT_SECONDS = 10.0
# The key positions' upsert (adapters.service.key_positions), only ever moving forward.
NOTE_POSITION = (
    "INSERT INTO api_key_positions (key_id, application, notification_id) "
    "VALUES (%s, %s, %s) ON CONFLICT (key_id, application) DO UPDATE "
    "SET notification_id = GREATEST("
    "api_key_positions.notification_id, EXCLUDED.notification_id)"
)

scan_parcels = Table(
    "scan_parcels",
    metadata,
    Column("id", Text, primary_key=True, comment="Named by the notification that carries it"),
    Column("body", Text, nullable=False, comment="A message too big for a notification"),
    Column(
        "created_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        comment="When it was sent; the reader deletes it",
    ),
    comment="Scans and answers too big for a NOTIFY on their way to the scan decider and back",
)


# Messages


def _scan_message(scan: Scan) -> dict[str, Any]:
    return {
        "c": scan.badge_code,
        "g": str(scan.checkpoint_id),
        "d": scan.passage.value,
        "v": scan.device_id,
        "n": scan.nonce,
        "t": scan.scanned_at.isoformat(),
        "f": scan.forced,
        "o": scan.offline,
    }


def _scan_of(message: dict[str, Any]) -> Scan:
    return Scan(
        badge_code=message["c"],
        checkpoint_id=UUID(message["g"]),
        passage=Passage(message["d"]),
        device_id=message["v"],
        nonce=message["n"],
        scanned_at=datetime.fromisoformat(message["t"]),
        forced=message["f"],
        offline=message["o"],
    )


def ask_message(ask: Ask) -> dict[str, Any]:
    common = {"t": str(ask.tenant_id), "e": str(ask.event_id)}
    if isinstance(ask, ScanBatch):
        return {**common, "k": "scan", "s": [_scan_message(s) for s in ask.scans]}
    if isinstance(ask, Annulment):
        return {**common, "k": "annul", "v": ask.device_id, "n": ask.nonce}
    zone = None if ask.zone_id is None else str(ask.zone_id)
    return {**common, "k": "out", "n": ask.nonce, "z": zone}


def ask_of(message: dict[str, Any]) -> Ask:
    tenant_id, event_id = UUID(message["t"]), UUID(message["e"])
    kind = message["k"]
    if kind == "scan":
        return ScanBatch(tenant_id, event_id, tuple(_scan_of(s) for s in message["s"]))
    if kind == "annul":
        return Annulment(tenant_id, event_id, message["v"], message["n"])
    zone = None if message["z"] is None else UUID(message["z"])
    return CheckOut(tenant_id, event_id, message["n"], zone)


def _uuid(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def decision_message(d: Decision) -> dict[str, Any]:
    return {
        "v": d.device_id,
        "n": d.nonce,
        "d": d.passage.value,
        "r": d.result.value,
        "why": d.reason,
        "t": d.scanned_at.isoformat(),
        "at": d.recorded_at.isoformat(),
        "g": _uuid(d.checkpoint_id),
        "c": _uuid(d.credential_id),
        "p": _uuid(d.participant_id),
        "z": _uuid(d.zone_id),
        "in": [str(z) for z in d.entered],
        "out": [str(z) for z in d.left],
        "f": d.forced,
        "over": None if d.overridden is None else d.overridden.value,
        "o": d.offline,
        "a": d.annulment,
    }


def _maybe_uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)


def decision_of(m: dict[str, Any]) -> Decision:
    return Decision(
        device_id=m["v"],
        nonce=m["n"],
        passage=Passage(m["d"]),
        result=ScanResult(m["r"]),
        reason=m["why"],
        scanned_at=datetime.fromisoformat(m["t"]),
        recorded_at=datetime.fromisoformat(m["at"]),
        checkpoint_id=_maybe_uuid(m["g"]),
        credential_id=_maybe_uuid(m["c"]),
        participant_id=_maybe_uuid(m["p"]),
        zone_id=_maybe_uuid(m["z"]),
        entered=tuple(UUID(z) for z in m["in"]),
        left=tuple(UUID(z) for z in m["out"]),
        forced=m["f"],
        overridden=None if m["over"] is None else ScanResult(m["over"]),
        offline=m["o"],
        annulment=m["a"],
    )


def reply_message(reply: Reply) -> dict[str, Any]:
    if reply.error is not None:
        error = reply.error
        # What a problem reads of the error besides its class: plain values only.
        members = {
            k: v
            for k, v in vars(error).items()
            if isinstance(v, str | int | float | bool) or v is None
        }
        return {"err": get_topic(type(error)), "why": str(error), "members": members}
    assert reply.answered is not None
    return {
        "d": [decision_message(d) for d in reply.answered.decisions],
        "new": reply.answered.new,
        "p": None if reply.position is None else str(reply.position),
    }


def reply_of(message: dict[str, Any]) -> Reply:
    if "err" in message:
        try:
            cls = resolve_topic(message["err"])
        except Exception:
            cls = DomainError
        if not (isinstance(cls, type) and issubclass(cls, DomainError)):
            cls = DomainError
        # Made without its own constructor, whose arguments the message does not name.
        error = cls.__new__(cls)
        DomainError.__init__(error, message["why"])
        for name, value in message.get("members", {}).items():
            setattr(error, name, value)
        return Reply(None, error=error)
    position = None
    if message["p"] is not None:
        application, _, number = message["p"].rpartition(":")
        position = Position(application, int(number))
    answered = Answered([decision_of(d) for d in message["d"]], list(message["new"]))
    return Reply(answered, position)


def _chunks(
    items: Sequence[dict[str, Any]], wrap: Callable[[list[Any]], dict[str, Any]]
) -> Iterator[str]:
    """The items as JSON messages of at most PAYLOAD_MAX bytes each (one may be bigger)."""
    chunk: list[Any] = []
    size = 0
    for item in items:
        encoded = json.dumps(item, separators=(",", ":"))
        if chunk and size + len(encoded) + 64 > PAYLOAD_MAX:
            yield json.dumps(wrap(chunk), separators=(",", ":"))
            chunk, size = [], 0
        chunk.append(item)
        size += len(encoded) + 1
    if chunk:
        yield json.dumps(wrap(chunk), separators=(",", ":"))


def _send(conn: psycopg.Connection[Any], channel: str, payload: str) -> None:
    """One notification; a payload too big goes as a parcel the notification names."""
    if len(payload.encode()) > PAYLOAD_MAX:
        parcel = uuid4().hex
        conn.execute("INSERT INTO scan_parcels (id, body) VALUES (%s, %s)", (parcel, payload))
        payload = json.dumps({"parcel": parcel})
    conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))


def _opened(conn: psycopg.Connection[Any], payload: str) -> dict[str, Any]:
    """A notification's message, fetched from its parcel if it came as one."""
    message: dict[str, Any] = json.loads(payload)
    if "parcel" in message:
        row = conn.execute(
            "DELETE FROM scan_parcels WHERE id = %s RETURNING body", (message["parcel"],)
        ).fetchone()
        if row is None:
            return {}
        message = json.loads(row[0])
    return message


def _connect(conninfo: str, purpose: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(conninfo, autocommit=True, application_name=connection_name(purpose))
    # What goes through here needs no durability of its own (see the module's note).
    conn.execute("SET synchronous_commit = off")
    return conn


# The HTTP workers' side


class ScanClient:
    """Sends this process's scans to the decider and waits for their answers."""

    def __init__(self, conninfo: str, answer_seconds: float = ANSWER_SECONDS) -> None:
        self.conninfo = conninfo
        self.answer_seconds = answer_seconds
        self._outbox: queue.Queue[tuple[str, Request]] = queue.Queue()
        self._waiting: dict[str, Future[Reply]] = {}
        self._lock = threading.Lock()
        self._started_in: int | None = None
        self._closing = threading.Event()
        self._channel = ""
        self._listening = threading.Event()

    def answer(self, requests: Sequence[Request]) -> list[Reply]:
        self._start()
        futures = []
        for request in requests:
            request_id = uuid4().hex
            future: Future[Reply] = Future()
            with self._lock:
                self._waiting[request_id] = future
            self._outbox.put((request_id, request))
            futures.append((request_id, future))
        deadline = time.monotonic() + self.answer_seconds
        replies = []
        try:
            for _, future in futures:
                replies.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except FutureTimeout:
            raise DeciderUnavailable(
                f"the scan decider did not answer within {self.answer_seconds:g} s"
            ) from None
        finally:
            with self._lock:
                for request_id, _ in futures:
                    self._waiting.pop(request_id, None)
        return replies

    def _start(self) -> None:
        # Threads do not survive a fork: a process forked from one that started them
        # (a gunicorn worker) starts its own, on a channel of its own.
        if self._started_in == os.getpid():
            return
        with self._lock:
            if self._started_in == os.getpid():
                return
            self._waiting.clear()
            self._outbox = queue.Queue()
            self._channel = f"{REPLIES_PREFIX}{uuid4().hex}"
            self._listening.clear()
            for target, name in ((self._listen, "listener"), (self._send_all, "sender")):
                threading.Thread(target=target, name=f"scan-{name}", daemon=True).start()
            self._started_in = os.getpid()
        self._listening.wait(self.answer_seconds)

    def _send_all(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._closing.is_set():
            try:
                first = self._outbox.get(timeout=0.5)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < BATCH_MAX:
                try:
                    batch.append(self._outbox.get_nowait())
                except queue.Empty:
                    break
            items = [
                {
                    "id": request_id,
                    "ask": ask_message(r.ask),
                    "cause": [r.cause.actor, r.cause.correlation_id, r.cause.causation_id],
                    "key": r.key_id,
                }
                for request_id, r in batch
            ]
            try:
                if conn is None or conn.closed:
                    conn = _connect(self.conninfo, "scan-sender")
                with conn.transaction():
                    for payload in _chunks(items, lambda c: {"to": self._channel, "r": c}):
                        _send(conn, REQUESTS_CHANNEL, payload)
            except psycopg.Error:
                # The scans waiting on these answer 503 when their time is up.
                log.warning("could not hand scans to the decider", exc_info=True)
                if conn is not None:
                    conn.close()
                conn = None
                self._closing.wait(RECONNECT_SECONDS)
        if conn is not None:
            conn.close()

    def _listen(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._closing.is_set():
            try:
                if conn is None or conn.closed:
                    conn = _connect(self.conninfo, "scan-answers")
                    conn.execute(f'LISTEN "{self._channel}"')
                    self._listening.set()
                for notify in conn.notifies(timeout=0.5):
                    self._deliver(conn, notify.payload)
            except psycopg.Error:
                log.warning("lost the connection that hears scan answers", exc_info=True)
                if conn is not None:
                    conn.close()
                conn = None
                self._closing.wait(RECONNECT_SECONDS)
        if conn is not None:
            conn.close()

    def _deliver(self, conn: psycopg.Connection[Any], payload: str) -> None:
        for item in _opened(conn, payload).get("r", []):
            with self._lock:
                future = self._waiting.get(item["id"])
            if future is not None and not future.done():
                future.set_result(reply_of(item["reply"]))

    def close(self) -> None:
        self._closing.set()


# The decider's side


class ScanServer:
    """Takes the scans every HTTP worker sends, decides them on a desk, and answers each."""

    def __init__(self, desk: ScanDesk, conninfo: str) -> None:
        self.desk = desk
        self.conninfo = conninfo
        self.batches = 0  # how many batches, of how many scans in all, it answered
        self.scans = 0

    def serve(self, stop: threading.Event, leading: Callable[[], bool]) -> None:
        """Listens and answers while `stop` is not set and this process leads."""
        listener = _connect(self.conninfo, "scan-decider")
        answers = _connect(self.conninfo, "scan-decider-answers")
        try:
            listener.execute(f'LISTEN "{REQUESTS_CHANNEL}"')
            # What was recorded before: every gate as the log leaves it.
            self.desk.catch_up()
            reported = time.monotonic()
            while not stop.is_set() and leading():
                if time.monotonic() - reported > REPORT_SECONDS and self.batches:
                    log.info(
                        "scan decider: %d scans in %d batches since the last report",
                        self.scans,
                        self.batches,
                    )
                    self.scans = self.batches = 0
                    reported = time.monotonic()
                payloads = [n.payload for n in listener.notifies(timeout=0.5, stop_after=1)]
                if not payloads:
                    continue
                payloads += [n.payload for n in listener.notifies(timeout=0.0)]
                self.answer(answers, payloads)
        finally:
            listener.close()
            answers.close()

    def answer(self, conn: psycopg.Connection[Any], payloads: list[str]) -> None:
        received: list[tuple[str, str, Request]] = []
        for payload in payloads:
            try:
                message = _opened(conn, payload)
                for item in message.get("r", []):
                    actor, correlation, causation = item["cause"]
                    request = Request(
                        ask_of(item["ask"]), Cause(actor, correlation, causation), item["key"]
                    )
                    received.append((message["to"], item["id"], request))
            except (KeyError, TypeError, ValueError):
                log.warning("dropped a malformed scan message", exc_info=True)
        for start in range(0, len(received), BATCH_MAX):
            self._answer_batch(conn, received[start : start + BATCH_MAX])

    def _answer_batch(
        self, conn: psycopg.Connection[Any], received: list[tuple[str, str, Request]]
    ) -> None:
        try:
            replies = self.desk.answer([r for _, _, r in received])
        except DomainError as error:
            replies = [Reply(None, error=error)] * len(received)
        by_channel: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        furthest: dict[tuple[str, str], int] = {}
        for (channel, request_id, request), reply in zip(received, replies, strict=True):
            by_channel[channel].append({"id": request_id, "reply": reply_message(reply)})
            if request.key_id is not None and reply.position is not None:
                mark = (request.key_id, reply.position.application)
                furthest[mark] = max(furthest.get(mark, 0), reply.position.notification_id)
        self.batches += 1
        self.scans += len(received)
        with conn.transaction():
            # Where each key's scans got to, for its reads, committed with the answers.
            for (key_id, application), notification_id in sorted(furthest.items()):
                conn.execute(NOTE_POSITION, (key_id, application, notification_id))
            for channel, items in by_channel.items():
                for payload in _chunks(items, lambda c: {"r": c}):
                    _send(conn, channel, payload)
