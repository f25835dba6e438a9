"""One fault scenario: a fresh 1,000+ nomination program, a fault injected mid-stream, the
invariants checked, the costs measured and written to the fault report.

A fault is a coroutine `fault(scenario) -> (start, end)` (monotonic instants of the fault
window) that runs while phase B of the program streams through the pipeline; it may record
notes (`scenario.notes`) and poison it injected (`scenario.poison`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.driver import Driver
from tests.faults.business import check_business
from tests.faults.harness import FaultStack
from tests.faults.invariants import Findings, Mark, Poison, check_messaging
from tests.faults.measure import FaultReport, FaultResult, LogTail, Sampler
from tests.faults.program import Program, Shape
from tests.helpers.timing import scaled

Fault = Callable[["Scenario"], Awaitable[tuple[float, float]]]


@dataclass
class Scenario:
    fs: FaultStack
    driver: Driver
    report: FaultReport
    name: str
    shape: Shape = field(default_factory=Shape)
    poison: list[Poison] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    program: Program | None = None
    sampler: Sampler | None = None
    logs: LogTail | None = None
    mark: Mark | None = None
    records: list[Any] = field(default_factory=list)

    async def run(self, fault: Fault) -> FaultResult:
        began = time.monotonic()
        program = self.program = Program(self.driver, self.shape)
        await program.prepare()
        mark = self.mark = await Mark.take(self.fs.proxy.address, self.fs.admin_dsn)
        self.logs = LogTail(self.fs.stack.log_dir)
        await program.first_nominations()
        await program.decide_all()
        async with Sampler(self.fs.admin_dsn) as sampler:
            self.sampler = sampler
            started = time.monotonic()
            answered = len(program.imports)
            stream = asyncio.create_task(program.later_nominations())
            await self._mid_stream(stream, answered)
            fault_start, fault_end = await fault(self)
            await stream
            final = await program.settled()
            settled = time.monotonic()
            findings = Findings()
            await check_business(program, final, findings)
            self.records = await check_messaging(
                self.fs.admin_dsn,
                self.fs.proxy.address,
                self.fs.consumes,
                mark,
                self.poison,
                findings,
            )
        # A consumer that found its stored offset past the reported end restarted the
        # partition from 0 (the inbox drops the repeats): what Tansu's lagging ListOffsets causes.
        self.notes["offset_beyond_end_resets"] = self.logs.total("consumer.offset_beyond_end")
        # Answers other than 200/201 the clients got (0: connection failed), all retried.
        self.notes["client_retried"] = {
            str(code): n for code, n in sorted(program.statuses.items()) if code not in (200, 201)
        }
        # A fault may cost a client a retry on 502/503/504 (the door is down, the database is
        # gone): never on another 5xx, which is a defect the fault uncovered.
        retryable = (502, 503, 504)
        defects = {c: n for c, n in program.statuses.items() if c >= 500 and c not in retryable}
        findings.violations += [f"clients got {n} answers {c}" for c, n in sorted(defects.items())]
        findings.violations += program.server_errors[:5]
        result = FaultResult(
            fault=self.name,
            nominations=len(program.expected),
            wall_s=round(time.monotonic() - began, 1),
            stream_s=round(settled - started, 1),
            fault_s=round(fault_end - fault_start, 1),
            events_per_s_before=_round(sampler.rate(started, fault_start)),
            events_per_s_during=_round(sampler.rate(fault_start, fault_end)),
            events_per_s_after=_round(sampler.rate(fault_end, settled)),
            resumed_s=_round(sampler.resumed_after(fault_end)),
            drained_s=_round(sampler.drained_after(fault_end)),
            records_reread=self.logs.total("consumer.reread", "records"),
            duplicates_dropped=self.logs.total("inbox.duplicate"),
            dead_lettered=findings.dead_lettered,
            violations=findings.violations,
            notes=self.notes,
        )
        self.report.record(result)
        return result

    async def _mid_stream(self, stream: asyncio.Task[None], answered: int) -> None:
        """Until the first phase-B import is answered: events are flowing (bounded)."""
        deadline = time.monotonic() + scaled(120)
        assert self.program is not None
        while not any(c.answer for c in self.program.imports[answered:]):
            if stream.done():
                stream.result()
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"no phase-B import answered in {scaled(120):.0f} s")
            await asyncio.sleep(0.1)

    async def until(
        self, probe: Callable[[], Awaitable[Any]], *, what: str, timeout: float = 60.0
    ) -> Any:
        """Poll a fact during a fault; raise (the scenario fails) past the deadline."""
        deadline = time.monotonic() + scaled(timeout)
        while True:
            result = await probe()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: not within {timeout}s: {what}")
            await asyncio.sleep(0.1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
