"""Test infrastructure: one PostgreSQL and one broker per test run, started only when needed.

Nothing starts until a test needs a database or the broker (`ensure_run_infra()`, called by the
fixtures that do): a run of only the fast tier (`make test-fast`) starts no server at all.

With pytest-xdist the controller process owns the servers for the whole run: it listens on a
Unix socket (`IMET_TEST_INFRA_SOCKET`), and the first worker that needs them asks it; the
controller starts them once (unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS are given), answers
every worker with their addresses, and stops them when the run ends. Workers can come and go
in any order without taking the servers with them. Without xdist the one process does all that
itself.

Each worker then gets its own database (with its own service roles) and its own topic prefix,
so workers never see each other's rows or events.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from imet.infra.broker import EmbeddedBroker
from imet.infra.postgres import EmbeddedPostgres
from imet.provision import ServiceDatabase, drop_database, provision

ADMIN_URL_ENV = "IMET_TEST_ADMIN_URL"
RUN_ID_ENV = "IMET_TEST_RUN_ID"
SOCKET_ENV = "IMET_TEST_INFRA_SOCKET"
_INFRA_ENV = (ADMIN_URL_ENV, "KAFKA_BOOTSTRAP_SERVERS")


@dataclass
class RunInfra:
    """What this run started (nothing when external servers were given)."""

    log_dir: Path
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None

    def start(self) -> dict[str, str]:
        """Start what the environment does not provide; the addresses, as environment."""
        env: dict[str, str] = {}
        admin = os.environ.get(ADMIN_URL_ENV) or os.environ.get("DATABASE_URL")
        if not admin:
            self.postgres = EmbeddedPostgres(log_path=self.log_dir / "postgres.log")
            admin = self.postgres.start()
        env[ADMIN_URL_ENV] = admin
        servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not servers:
            self.broker = EmbeddedBroker(log_path=self.log_dir / "tansu.log")
            servers = self.broker.start()
        env["KAFKA_BOOTSTRAP_SERVERS"] = servers
        return env

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


class InfraServer:
    """The controller's side: start the servers on the first request, answer every worker.

    The servers are children of this server's thread (they receive a signal when it ends:
    `imet.infra.process`), so the thread lives until `stop()`, after it stopped them.
    """

    def __init__(self, run_dir: Path, log_dir: Path) -> None:
        self.address = str(run_dir / "infra.sock")
        self.infra = RunInfra(log_dir)
        self._listener = Listener(self.address, family="AF_UNIX")
        self._env: dict[str, str] | None = None
        self._error: str | None = None
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-infra", daemon=True)

    def start(self) -> InfraServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        try:
            while not self._closing.is_set():
                try:
                    conn = self._listener.accept()
                except OSError:
                    return
                with conn:
                    if self._closing.is_set():
                        return
                    self._answer(conn)
        finally:
            self.infra.stop()

    def _answer(self, conn: Connection) -> None:
        if conn.recv() != "infra":
            return
        if self._env is None and self._error is None:
            try:
                self._env = self.infra.start()
            except Exception as exc:  # reported to every worker that asks
                self._error = f"{type(exc).__name__}: {exc}"
                self.infra.stop()
        conn.send(self._env if self._env is not None else {"error": self._error or "unknown"})

    def stop(self) -> None:
        self._closing.set()
        try:  # wake the accept() so the thread stops its servers and ends
            with Client(self.address, family="AF_UNIX") as conn:
                conn.send("bye")
        except OSError:
            pass
        self._thread.join(timeout=60)
        self._listener.close()


_local: RunInfra | None = None
_lock = threading.Lock()


def ensure_run_infra() -> None:
    """Make sure this process knows a PostgreSQL and a broker (starting them if nobody has)."""
    global _local
    if all(os.environ.get(name) for name in _INFRA_ENV):
        return
    with _lock:
        if all(os.environ.get(name) for name in _INFRA_ENV):
            return
        address = os.environ.get(SOCKET_ENV)
        if address:
            with Client(address, family="AF_UNIX") as conn:
                conn.send("infra")
                env = conn.recv()
            if "error" in env:
                raise RuntimeError(f"the test infrastructure failed to start: {env['error']}")
        else:  # no controller: this process owns the servers (stopped by stop_local_infra)
            _local = RunInfra(Path(tempfile.mkdtemp(prefix="imet-test-logs-")))
            env = _local.start()
        os.environ.update(env)


def stop_local_infra() -> None:
    global _local
    if _local is not None:
        _local.stop()
        _local = None


def admin_url() -> str:
    ensure_run_infra()
    return os.environ[ADMIN_URL_ENV]


def bootstrap_servers() -> str:
    ensure_run_infra()
    return os.environ["KAFKA_BOOTSTRAP_SERVERS"]


def new_run_id() -> str:
    return os.environ.setdefault(RUN_ID_ENV, secrets.token_hex(3))


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@dataclass
class WorkerDatabase:
    admin_url: str
    database: str
    role_prefix: str
    services: dict[str, ServiceDatabase] = field(default_factory=dict)

    @property
    def roles(self) -> list[str]:
        return [db.role for db in self.services.values()]


def worker_database(services: tuple[str, ...]) -> WorkerDatabase:
    """Create and provision this worker's database (its name is unique to run and worker)."""
    url = admin_url()
    name = f"imet_t{os.environ[RUN_ID_ENV]}_{worker_id()}"
    wdb = WorkerDatabase(admin_url=url, database=name, role_prefix=f"{name}_")
    wdb.services = asyncio.run(provision(url, name, role_prefix=wdb.role_prefix, services=services))
    return wdb


def drop_worker_database(wdb: WorkerDatabase) -> None:
    asyncio.run(drop_database(wdb.admin_url, wdb.database, wdb.roles))
