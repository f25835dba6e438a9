"""The fault stack: the whole system with each service's roles in separate processes.

Per domain service: one HTTP process, one consumer, and two `relay,jobs` processes (one relay
leads, the other stands by). Under it, infrastructure of its own so a fault never touches
another test: a private embedded PostgreSQL (restartable) and a private broker that advertises
a TCP proxy's address, so every client connection to the broker goes through the proxy and can
be cut or slowed (`tests/helpers/tcp_proxy.py`).

Facts, not log lines, tell the harness who is who: the relay leader is the process whose
PostgreSQL session holds the relay's advisory lock (matched by its client port).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

from imet.infra.broker import EmbeddedBroker
from imet.infra.postgres import EmbeddedPostgres
from imet.infra.process import free_port
from imet.provision import with_database
from imet.services import DOMAIN_SERVICES
from imet.stack import Stack, StackOptions
from shared.messaging.locks import lock_class, lock_key
from tests.faults.invariants import Consumes, consumed_by, wait_at_rest
from tests.helpers.tcp_proxy import TcpProxy

LAYOUT = ("http", "consumer", "relay,jobs", "relay,jobs")
PARTITIONS = 4  # per topic, as the launcher creates them
FAULT_ENV = {
    "LOG_LEVEL": "INFO",
    "LOG_JSON": "true",
    "KAFKA_FETCH_MAX_WAIT_MS": "20",
    # A broker that stops answering is noticed in seconds, not after the 5 s default per call.
    "KAFKA_REQUEST_TIMEOUT_MS": "3000",
    "RELAY_POLL_SECONDS": "0.5",
}


@dataclass
class FaultStack:
    stack: Stack
    postgres: EmbeddedPostgres
    broker: EmbeddedBroker
    proxy: TcpProxy
    root: Path
    baseline: dict[str, tuple[str, str]] = field(default_factory=dict)
    consumes: Consumes = field(default_factory=dict)

    # --- life --------------------------------------------------------------------------
    @classmethod
    def start(cls, *, database: str = "imet_faults") -> FaultStack:
        root = Path(tempfile.mkdtemp(prefix="imet-faults-"))
        (root / "logs").mkdir()
        postgres = EmbeddedPostgres(log_path=root / "logs" / "postgres.log")
        proxy_port = free_port()
        broker = EmbeddedBroker(advertised_port=proxy_port, log_path=root / "logs" / "tansu.log")
        proxy: TcpProxy | None = None
        try:
            admin_url = postgres.start()
            broker.start()
            proxy = TcpProxy("127.0.0.1", broker.port, port=proxy_port).start()
            options = StackOptions.random_ports(
                database=database,
                topic_prefix="",
                role_prefix=f"{database}_",
                var=root,
                seed=False,
                admin_url=admin_url,
                bootstrap_servers=proxy.address,
                service_processes=LAYOUT,
                extra_env=dict(FAULT_ENV),
                ready_timeout=120.0,
            )
            stack = Stack(options)
            stack.start(say=lambda *_: None)
        except BaseException:
            if proxy is not None:
                proxy.stop()
            broker.stop()
            postgres.stop()
            shutil.rmtree(root, ignore_errors=True)
            raise
        consumes = consumed_by(stack.platform_env())
        return cls(stack, postgres, broker, proxy, root, dict(stack.layout), consumes)

    def stop(self) -> None:
        self.stack.stop()
        self.proxy.stop()
        self.broker.stop()
        self.postgres.stop()
        if os.environ.get("IMET_FAULTS_KEEP_LOGS"):
            print(f"fault stack logs kept in {self.root / 'logs'}")
            return
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def admin_dsn(self) -> str:
        """Superuser DSN to the stack's database (invariant checks read every schema)."""
        return with_database(self.postgres.admin_url, self.stack.options.database)

    @property
    def gateway_url(self) -> str:
        return self.stack.gateway_url

    def log_of(self, name: str) -> Path:
        return self.stack.log_dir / f"{name}.log"

    # --- processes -----------------------------------------------------------------------
    def instances(self, service: str, role: str) -> list[str]:
        """The running processes of a service that carry a role, in start order."""
        return [
            name
            for name, (svc, roles) in self.stack.layout.items()
            if svc == service and role in roles.split(",") and name in self.stack.processes
        ]

    def pid(self, name: str) -> int:
        return self.stack.processes[name].pid

    def kill(self, name: str) -> None:
        """SIGKILL one process: no shutdown code runs, its sockets are closed by the kernel."""
        self.stack.stop_instance(name, sig=signal.SIGKILL, timeout=10)

    async def heal(self, timeout: float = 120.0) -> None:
        """Back to the baseline after a scenario: proxy open and fast, every baseline process
        running (a killed one restarted), instances added by the scenario stopped, and every
        consumer owning all its partitions again (its rebalance done before the next test)."""
        self.proxy.delay_seconds = 0.0
        self.proxy.restore()
        for name in list(self.stack.processes):
            if name not in self.baseline:
                await asyncio.to_thread(self.stack.stop_instance, name)
        dead = [n for n in self.baseline if n not in self.stack.processes]
        dead += [n for n, p in self.stack.processes.items() if p.poll() is not None]
        for name in dead:
            self.stack.processes.pop(name, None)
            self.stack.restart_instance(name, wait=False)
        await asyncio.to_thread(self.stack.wait_ready)
        deadline = time.monotonic() + timeout
        for service in DOMAIN_SERVICES:
            while True:
                owners = await self.partition_owners(service)
                if len(owners) == 1 and sum(owners.values()) == self.partitions(service):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service}: partitions not all owned: {owners}")
                await asyncio.sleep(0.2)
        await self.wait_relay_leaders(timeout)
        behind = await wait_at_rest(self.admin_dsn, self.proxy.address, self.consumes)
        if behind:
            raise TimeoutError(f"the stack did not come to rest after the scenario: {behind[:3]}")

    def partitions(self, service: str) -> int:
        """How many partitions the service's consumer reads (its topics x partitions each)."""
        return len(self.consumes[service]) * PARTITIONS

    # --- facts ---------------------------------------------------------------------------
    async def relay_leader(self, service: str) -> str | None:
        """The process holding the service's relay lock right now (None: nobody leads)."""
        key = lock_key(f"outbox-relay:{service}")
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            port = await conn.fetchval(
                "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                "AND l.classid::bigint = $1 AND l.objid::bigint = $2",
                key >> 32,
                key & 0xFFFF_FFFF,
            )
        finally:
            await conn.close()
        if port is None:
            return None
        for name in self.instances(service, "relay"):
            with contextlib.suppress(psutil.Error):
                for c in psutil.Process(self.pid(name)).net_connections(kind="tcp"):
                    if c.laddr and c.laddr.port == port:
                        return name
        return None

    async def wait_relay_leaders(self, timeout: float = 60.0) -> dict[str, str]:
        """Every service's relay has a leader among its processes; {service: process}."""
        deadline = time.monotonic() + timeout
        while True:
            leaders = {s: await self.relay_leader(s) for s in DOMAIN_SERVICES}
            if all(leaders.values()):
                return {s: n for s, n in leaders.items() if n}
            if time.monotonic() > deadline:
                raise TimeoutError(f"no relay leader after {timeout}s: {leaders}")
            await asyncio.sleep(0.2)

    def restart_postgres(self, *, down_seconds: float) -> None:
        """Fast shutdown (every session is terminated), a pause, and a start on the same data."""
        self.postgres.restart(down_seconds=down_seconds)

    async def applied(self, service: str) -> int:
        """Events the service's consumer has applied so far (its inbox rows)."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            return int(await conn.fetchval(f"SELECT count(*) FROM {service}.inbox"))  # noqa: S608
        finally:
            await conn.close()

    async def partition_owners(self, service: str) -> dict[int, int]:
        """{backend pid: partitions it holds} for the service's consumer instances."""
        classes = [lock_class(f"{service}:{t}") for t in self.consumes[service]]
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            rows = await conn.fetch(
                "SELECT pid, count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objsubid = 2 AND classid::bigint = ANY($1::bigint[]) "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "GROUP BY pid",
                classes,
            )
        finally:
            await conn.close()
        return {r["pid"]: r["n"] for r in rows}
