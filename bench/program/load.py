"""The load: 16 concurrent clients of the gateway in a process of their own (never the
measured stack's), working through a program year (`plan.py`) as its users would.

    python -m bench.program.load --plan plan.json --gateway URL --key-dir DIR --out stats.json

- 12 SCOs upload their countries' nominations as bulk imports (`?submit=true`, ADR 0128), at
  most `ROWS_PER_IMPORT` rows each, first nominations first; a country's later nominations (its
  approved persons to a second class) go up once a vetter decided all its first cases, so
  vetting reuses the approvals;
- 1 vetter lists the open cases (a page at a time, as the deciders need them), 2 vetters
  decide them (denied for the denied persons);
- 1 funding officer watches for `funding_rejected` nominations, raises the country's
  allocation by what they cost (PATCH with If-Match) and retries their funding.
Every state-changing request carries an Idempotency-Key and is retried on a transient answer
(`tests.faults.program.Program.send`). The clients run until SIGTERM (the orchestrator sends
it once every nomination settled), then write what they saw to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench.program.plan import ROWS_PER_IMPORT, Line, Plan
from gateway.signing.issuer import issue_dev_token
from tests.e2e.driver import FUNDING, NOMINATIONS, VETTING, ApiError, Driver
from tests.faults.program import ImportCall, Program, Shape

SCOS, DECIDERS = 12, 2  # + 1 case lister + 1 funding officer = 16 clients
Batch = tuple[str, list[Line]]


class Load:
    def __init__(self, plan: Plan, gateway: str, key_dir: Path) -> None:
        self.plan, self.gateway, self.key_dir = plan, gateway, key_dir
        self.tokens: dict[tuple[str, str | None], str] = {}
        self.stop = asyncio.Event()
        self.batches: asyncio.Queue[Batch] = asyncio.Queue()
        self.cases: asyncio.Queue[tuple[str, Line]] = asyncio.Queue()
        self.line_of: dict[str, Line] = {}  # nomination id -> line
        self.seen_cases: set[str] = set()
        self.firsts_left: Counter[str] = Counter()
        self.seconds: dict[str, list[Line]] = defaultdict(list)
        self.programs: list[Program] = []
        self.stats: Counter[str] = Counter()
        self.first_submit: float | None = None
        self.errors: list[str] = []
        self.errors_seen: list[str] = []  # answers skipped (409s), for the report
        for line in plan.lines:
            country = plan.persons[line.person]["country"]
            if line.second:
                self.seconds[country].append(line)
            else:
                self.firsts_left[country] += 1
        firsts: dict[str, list[Line]] = defaultdict(list)
        for line in plan.lines:
            if not line.second:
                firsts[plan.persons[line.person]["country"]].append(line)
        for country, lines in sorted(firsts.items(), key=lambda kv: -len(kv[1])):
            self._enqueue(country, lines)

    def token(self, role: str, country: str | None = None) -> str:
        if (role, country) not in self.tokens:
            self.tokens[role, country] = issue_dev_token(self.key_dir, role, country=country)
        return self.tokens[role, country]

    def _enqueue(self, country: str, lines: list[Line]) -> None:
        for i in range(0, len(lines), ROWS_PER_IMPORT):
            self.batches.put_nowait((country, lines[i : i + ROWS_PER_IMPORT]))

    async def run(self) -> None:
        roles = [self.sco] * SCOS + [self.list_cases] + [self.decide] * DECIDERS + [self.fund]
        clients = [asyncio.create_task(self._client(role)) for role in roles]
        await self.stop.wait()  # SIGTERM, or a client failed: nobody waits for an answer
        for client in clients:
            client.cancel()
        await asyncio.gather(*clients, return_exceptions=True)

    async def _client(self, role: Any) -> None:
        async with httpx.AsyncClient(base_url=self.gateway, timeout=120.0) as client:
            program = Program(Driver(client, self.token), Shape())
            self.programs.append(program)
            try:
                await role(program)
            except Exception as error:  # a failed client fails the run (the orchestrator sees it)
                self.errors.append(f"{role.__name__}: {type(error).__name__}: {error}"[:800])
                self.stop.set()

    async def _next(self, queue: asyncio.Queue[Any]) -> Any:
        while not self.stop.is_set():
            try:
                return await asyncio.wait_for(queue.get(), timeout=0.2)
            except TimeoutError:
                continue
        return None

    # --- SCOs ----------------------------------------------------------------------------
    async def sco(self, program: Program) -> None:
        today = program.driver.today
        while (batch := await self._next(self.batches)) is not None:
            country, lines = batch
            rows = [self.plan.row(line, today) for line in lines]
            call = ImportCall(country, f"program-{id(batch)}-{time.monotonic_ns()}", rows)
            if self.first_submit is None:
                self.first_submit = time.time()
            answer = await program.send(
                "POST", f"{NOMINATIONS}/imports", "sco", country, {"rows": rows},
                params={"submit": "true"}, call=call, prefer="wait=30", timeout=600,
            )  # fmt: skip
            for result, line in zip(answer["lines"], lines, strict=True):
                if result["status"] == "rejected":
                    raise ApiError(f"import row rejected: {result['errors']}")
                self.line_of[result["nomination_id"]] = line
            self.stats["imports"] += 1
            self.stats["rows_imported"] += len(lines)

    # --- vetters -------------------------------------------------------------------------
    async def list_cases(self, program: Program) -> None:
        """A vetter's queue: the next page of open cases once the deciders are nearly through
        the last (listing every open case twice a second would load vetting's API more than
        deciding them does)."""
        while not self.stop.is_set():
            cursor = None
            while self.cases.qsize() < 2 * DECIDERS:
                params: dict[str, Any] = {"status": "open", "limit": 200}
                if cursor:
                    params["cursor"] = cursor
                page = await program.driver.call("GET", f"{VETTING}/cases", "vetter", params=params)
                self.stats["case_lists"] += 1
                for case in page["items"]:
                    line = self.line_of.get(case["nomination_id"])
                    if line is not None and case["case_id"] not in self.seen_cases:
                        self.seen_cases.add(case["case_id"])
                        self.cases.put_nowait((case["case_id"], line))
                cursor = page["next_cursor"]
                if not cursor:
                    break
            await asyncio.sleep(0.3)

    async def decide(self, program: Program) -> None:
        while (item := await self._next(self.cases)) is not None:
            case_id, line = item
            denied = self.plan.persons[line.person]["denied"]
            result = "denied" if denied else "approved"
            body = {"result": result, "rationale": f"program year: {result}",
                    "reason_code": "derogatory_information" if denied else "cleared"}  # fmt: skip
            path = f"{VETTING}/cases/{case_id}/decisions"
            if await self._unless_conflict(program, path, "vetter", body, "decision"):
                self.stats["decisions_second" if line.second else "decisions_first"] += 1
            # decided, by this vetter or (a 409) already: the country's count goes down
            if not line.second:
                country = self.plan.persons[line.person]["country"]
                self.firsts_left[country] -= 1
                if self.firsts_left[country] == 0:
                    self._enqueue(country, self.seconds.pop(country, []))

    # --- funding officer -----------------------------------------------------------------
    async def fund(self, program: Program) -> None:
        d = program.driver
        while not self.stop.is_set():
            page = await d.call("GET", NOMINATIONS, "admin",
                                params={"status": "funding_rejected", "limit": 200})  # fmt: skip
            short: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for n in page["items"]:
                if n["status_reason"] == "insufficient_funds" and n["id"] in self.line_of:
                    short[f"{n['country']}/{n['fiscal_year']}"].append(n)
            for key, rejected in short.items():
                cost = sum(
                    (Decimal(self.plan.classes[self.line_of[n["id"]].klass]["line_cost"])
                     for n in rejected), Decimal(0),
                )  # fmt: skip
                await self._raise(program, self.plan.allocations[key]["id"], cost)
                for n in rejected:
                    path = f"{NOMINATIONS}/{n['id']}/retry-funding"
                    if await self._unless_conflict(program, path, "funding_officer", {}, "retry"):
                        self.stats["funding_retries"] += 1
            await asyncio.sleep(0.5)

    async def _unless_conflict(
        self, program: Program, path: str, role: str, body: dict[str, Any], what: str
    ) -> bool:
        """POST it; a 409 (the case or nomination moved on meanwhile, e.g. a list read just
        before another change) is counted and skipped, as a user would; False then."""
        try:
            await program.send("POST", path, role, None, body)
        except ApiError as error:
            if " -> 409: " not in str(error):
                raise
            self.stats[f"{what}_conflicts"] += 1
            self.errors_seen.append(str(error)[:300])
            return False
        return True

    async def _raise(self, program: Program, allocation_id: str, by: Decimal) -> None:
        """The country's allocation grows by `by` (reprogrammed ceiling), If-Match its ETag;
        read and written again while funding is busy with it (503) or it changed (412)."""
        url = f"{FUNDING}/allocations/{allocation_id}"
        headers = program.driver.headers("funding_officer")
        for _ in range(50):
            current = await program.driver.client.get(url, headers=headers)
            if current.status_code != 200:
                raise ApiError(f"GET {url} -> {current.status_code}: {current.text[:400]}")
            amount = Decimal(current.json()["amount"]) + by
            r = await program.driver.client.patch(
                url, headers={**headers, "If-Match": current.headers["etag"]},
                json={"amount": str(amount), "reason": "program year: reprogrammed ceiling"},
            )  # fmt: skip
            if r.status_code == 200:
                self.stats["allocation_raises"] += 1
                return
            if r.status_code not in (409, 412, 503):
                break
            self.stats["allocation_retries"] += 1
            await asyncio.sleep(0.2)
        raise ApiError(f"PATCH {url} -> {r.status_code}: {r.text[:400]}")

    def report(self) -> dict[str, Any]:
        statuses: Counter[int] = Counter()
        for p in self.programs:
            statuses.update(p.statuses)
        return {
            "first_submit": self.first_submit,
            "stats": dict(self.stats),
            "nominations": {n: [x.person, x.klass] for n, x in self.line_of.items()},
            "answers": {str(k): v for k, v in sorted(statuses.items())},
            "server_errors": [e for p in self.programs for e in p.server_errors][:10],
            "errors": self.errors,
            "conflicts": self.errors_seen[:10],
        }


async def _main(args: argparse.Namespace, plan: Plan) -> int:
    load = Load(plan, args.gateway, Path(args.key_dir))
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, load.stop.set)
    try:
        await load.run()
    finally:
        await asyncio.to_thread(Path(args.out).write_text, json.dumps(load.report(), indent=2))
        for error in load.errors:
            print(f"load client failed: {error}", file=sys.stderr, flush=True)
    return 1 if load.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--key-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    plan = Plan.from_json(json.loads(Path(args.plan).read_text()))
    return asyncio.run(_main(args, plan))


if __name__ == "__main__":
    raise SystemExit(main())
