"""Test infrastructure: one PostgreSQL and one broker per test run, a database per worker.

The controller process starts the embedded servers (unless DATABASE_URL /
KAFKA_BOOTSTRAP_SERVERS are given) and exports their addresses; pytest-xdist workers inherit
them. Each worker then gets its own database (with its own service roles) and its own topic
prefix, so workers never see each other's rows or events.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from imet.infra.broker import EmbeddedBroker
from imet.infra.postgres import EmbeddedPostgres
from imet.provision import ServiceDatabase, drop_database, provision

ADMIN_URL_ENV = "IMET_TEST_ADMIN_URL"
RUN_ID_ENV = "IMET_TEST_RUN_ID"


@dataclass
class RunInfra:
    """What the controller started (nothing when external servers were given)."""

    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    key_dir: Path | None = None

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()


def start_run_infra(log_dir: Path) -> RunInfra:
    """Start what the environment does not provide and export it for workers."""
    infra = RunInfra()
    os.environ.setdefault(RUN_ID_ENV, secrets.token_hex(3))
    if not os.environ.get(ADMIN_URL_ENV):
        given = os.environ.get("DATABASE_URL")
        if given:
            os.environ[ADMIN_URL_ENV] = given
        else:
            infra.postgres = EmbeddedPostgres(log_path=log_dir / "postgres.log")
            os.environ[ADMIN_URL_ENV] = infra.postgres.start()
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        infra.broker = EmbeddedBroker(log_path=log_dir / "tansu.log")
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = infra.broker.start()
    if not os.environ.get("IMET_TEST_KEY_DIR"):
        from shared.auth.keys import ensure_dev_keys

        key_dir = Path(tempfile.mkdtemp(prefix="imet-test-keys-"))
        ensure_dev_keys(key_dir)
        infra.key_dir = key_dir
        os.environ["IMET_TEST_KEY_DIR"] = str(key_dir)
        os.environ["AUTH_JWKS_FILE"] = str(key_dir / "jwks.json")
    return infra


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
    admin_url = os.environ[ADMIN_URL_ENV]
    name = f"imet_t{os.environ[RUN_ID_ENV]}_{worker_id()}"
    wdb = WorkerDatabase(admin_url=admin_url, database=name, role_prefix=f"{name}_")
    wdb.services = asyncio.run(
        provision(admin_url, name, role_prefix=wdb.role_prefix, services=services)
    )
    return wdb


def drop_worker_database(wdb: WorkerDatabase) -> None:
    asyncio.run(drop_database(wdb.admin_url, wdb.database, wdb.roles))
