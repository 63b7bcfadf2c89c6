"""The last free places of a zone, scanned for at once from several gates in several processes.

Each process decides on a desk of its own, holding the gates in memory; none of
them may let a zone go over its capacity, with the store's lock around the desks
(as the HTTP workers decide inline) or without it, where only the gate log's
versions fence them.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.access.scan_desk import DeskLock, Request, ScanDesk
from adapters.settings import Settings
from domain.access.application import AccessApplication
from domain.access.credential_commands import IssuedCode
from domain.access.gate_log import GateLog, gate_log_id
from domain.access.gates import ScanBatch
from domain.access.scan import Passage, Scan
from domain.shared.cause import Cause
from entrypoints.wiring.contexts import build

CAPACITY = 5
PROCESSES = 3
THREADS = 2
EACH = 4  # participants each thread scans in


def _scan_in(
    settings: Settings,
    locked: bool,
    tenant_id: UUID,
    event_id: UUID,
    gate: UUID,
    codes: list[list[str]],
    start: Any,
    results: Any,
) -> None:
    with build(settings) as container:
        access = container.app(AccessApplication)
        lock = DeskLock(container.service_engine) if locked else None
        desk = ScanDesk(access, lock=lock)
        desk.catch_up()
        answers: list[str] = []

        def scan(mine: list[str], thread: int) -> None:
            for n, code in enumerate(mine):
                scan = Scan(
                    code, gate, Passage.ENTRY, f"{gate}/{thread}", str(n), datetime.now(UTC)
                )
                ask = ScanBatch(tenant_id, event_id, (scan,))
                (reply,) = desk.answer([Request(ask, Cause("test", "fence"))])
                assert reply.answered is not None
                answers.append(reply.answered.decisions[0].result.value)

        start.wait()
        threads = [threading.Thread(target=scan, args=(c, t)) for t, c in enumerate(codes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results.put(answers)


@pytest.mark.parametrize("locked", [False, True], ids=["fenced-only", "store-lock"])
def test_concurrent_desks_in_several_processes_never_overfill_a_zone(
    pg_settings: Settings, locked: bool
) -> None:
    tenant_id, event_id = uuid4(), uuid4()
    with build(pg_settings) as container:
        access = container.app(AccessApplication)
        arena = access.add_zone(tenant_id, event_id, "arena", "Arena", capacity=CAPACITY).id
        gates = [
            access.add_checkpoint(tenant_id, event_id, f"Gate {n}", "BOTH", arena).id
            for n in range(PROCESSES)
        ]
        codes = []
        for _ in range(PROCESSES * THREADS * EACH):
            issued = access.follow_participant(tenant_id, event_id, uuid4(), None, "approved", 1)
            assert isinstance(issued, IssuedCode)
            codes.append(issued.code)

    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(PROCESSES), spawn.Queue()
    per_process = THREADS * EACH
    processes = []
    for n, gate in enumerate(gates):
        mine = codes[n * per_process : (n + 1) * per_process]
        split = [mine[t * EACH : (t + 1) * EACH] for t in range(THREADS)]
        args = (pg_settings, locked, tenant_id, event_id, gate, split, start, results)
        processes.append(spawn.Process(target=_scan_in, args=args))
    for process in processes:
        process.start()
    answered = Counter(r for _ in processes for r in results.get(timeout=120))
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    assert answered == {"OK": CAPACITY, "ZONE_FULL": len(codes) - CAPACITY}
    # Replayed in the order recorded, the zone never held more than its capacity.
    with build(pg_settings) as container:
        recorded = list(
            container.app(AccessApplication).events.get(gate_log_id(tenant_id, event_id))
        )
    inside, most = 0, 0
    for domain_event in recorded:
        if isinstance(domain_event, GateLog.ScanDecided):
            inside += len(domain_event.entered) - len(domain_event.left)
            most = max(most, inside)
    assert most == CAPACITY
    assert sum(isinstance(e, GateLog.ScanDecided) for e in recorded) == len(codes)
