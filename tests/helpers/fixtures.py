"""Fixtures every test tier shares: the worker's database and topics, runtimes, tokens, clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from imet.infra.broker import EmbeddedBroker
from imet.infra.process import free_port
from imet.provision import provision
from imet.services import DOMAIN_SERVICES, definition
from shared.db.migrations import upgrade
from shared.messaging.kafka import all_physical_topics, ensure_topics, physical_topic
from shared.runtime import ServiceRuntime
from tests.helpers.infra import (
    RUN_ID_ENV,
    WorkerDatabase,
    bootstrap_servers,
    drop_worker_database,
    worker_database,
    worker_id,
)
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.timing import product_timeouts_env, scaled

PROBE = "probe=tests.platform_probe.service:definition"
os.environ["IMET_EXTRA_SERVICES"] = PROBE
os.environ.setdefault("IMET_ENV", "test")
os.environ.setdefault("LOG_JSON", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("KAFKA_FETCH_MAX_WAIT_MS", "10")
# Tests produce other services' events straight to the broker, without the relay's NOTIFY that
# wakes an idle consumer at once: let idle consumers look every second (production: 5 s).
os.environ.setdefault("CONSUMER_IDLE_POLL_SECONDS", "1")

ALL_SERVICES = (*DOMAIN_SERVICES, "probe")
for _name, _value in product_timeouts_env(ALL_SERVICES).items():
    os.environ.setdefault(_name, _value)
PROBE_TOPICS = ("imet.probe.events",)


@pytest.fixture(scope="session")
def worker_db() -> Iterator[WorkerDatabase]:
    """This worker's database: every service's schema and role, migrated to head."""
    wdb = worker_database(ALL_SERVICES)  # starts the run's servers if nobody has yet
    try:
        for name, sdb in wdb.services.items():
            upgrade(definition(name).migrations_dir, sdb.url)
            os.environ[f"{name.upper()}_DATABASE_URL"] = sdb.url
        yield wdb
    finally:
        drop_worker_database(wdb)


@pytest.fixture(scope="session")
def gateway_db(worker_db: WorkerDatabase) -> str:
    """The gateway's schema and role in this worker's database, migrated; returns its URL
    (what GATEWAY_DATABASE_URL would hold). The role is dropped with the worker's database."""
    from imet.provision import GATEWAY
    from imet.services import migrations_dir

    dbs = asyncio.run(
        provision(
            worker_db.admin_url, worker_db.database,
            role_prefix=worker_db.role_prefix, services=(GATEWAY,),
        )
    )  # fmt: skip
    worker_db.services[GATEWAY] = dbs[GATEWAY]
    upgrade(migrations_dir(GATEWAY), dbs[GATEWAY].url)
    return dbs[GATEWAY].url


@pytest.fixture(scope="session")
def topic_prefix(worker_db: WorkerDatabase) -> str:
    """This worker's topics on the shared broker (created up front, as the launcher does)."""
    prefix = f"t{os.environ[RUN_ID_ENV]}{worker_id()}."
    os.environ["KAFKA_TOPIC_PREFIX"] = prefix
    topics = all_physical_topics(prefix)
    for logical in PROBE_TOPICS:
        topics += [physical_topic(logical, prefix), physical_topic(logical, prefix) + ".dlq"]
    asyncio.run(ensure_topics(bootstrap_servers(), topics, partitions=4))
    return prefix


@pytest.fixture(scope="session")
def platform_ready(worker_db: WorkerDatabase, topic_prefix: str) -> WorkerDatabase:
    """Database and topics are ready; service settings can now be read from the environment."""
    return worker_db


RuntimeFactory = Callable[[str], Awaitable[ServiceRuntime[Any, Any]]]


@pytest.fixture
async def make_runtime(platform_ready: WorkerDatabase) -> AsyncIterator[RuntimeFactory]:
    """Build in-process service runtimes (closed at the end of the test)."""
    made: list[ServiceRuntime[Any, Any]] = []

    async def _make(name: str) -> ServiceRuntime[Any, Any]:
        d = definition(name)
        runtime = ServiceRuntime(d, d.settings_factory())
        made.append(runtime)
        return runtime

    yield _make
    for runtime in made:
        await runtime.aclose()


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def token() -> TokenFactory:
    """`token("sco", country="GTM")` -> a signed bearer token for the test run's dev key.

    `token("vetter", subject="vetter-2")` acts as another person of the same role (any other
    keyword of `issue_dev_token` passes through too, e.g. `ttl_seconds`).
    """
    from pathlib import Path

    from gateway.signing.issuer import issue_dev_token
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    key_dir = Path(os.environ["IMET_TEST_KEY_DIR"])

    def _token(
        role: str, country: str | None = None, *, subject: str | None = None, **kw: Any
    ) -> str:
        return issue_dev_token(
            key_dir,
            role,
            country=country,
            issuer=platform.auth_issuer,
            audience=platform.auth_audience,
            subject=subject,
            **kw,
        )

    return _token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def service_client(
    make_runtime: RuntimeFactory,
) -> AsyncIterator[Callable[[str], Awaitable[httpx.AsyncClient]]]:
    """An httpx client bound to a service's ASGI app (in process, real database)."""
    from shared.http.app import create_service_app

    clients: list[httpx.AsyncClient] = []

    async def _client(name: str) -> httpx.AsyncClient:
        runtime = await make_runtime(name)
        app = create_service_app(runtime)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        clients.append(client)
        return client

    yield _client
    for c in clients:
        await c.aclose()


@contextlib.asynccontextmanager
async def running(
    *coroutines: Callable[[asyncio.Event], Awaitable[None]],
) -> AsyncIterator[asyncio.Event]:
    """Run background loops (consumer, relay) for the duration of a block, then stop them."""
    stop = asyncio.Event()
    tasks = [asyncio.ensure_future(c(stop)) for c in coroutines]
    try:
        yield stop
    finally:
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=scaled(15))
        for t in pending:
            t.cancel()
        for t in done:
            if not t.cancelled() and t.exception() is not None:
                raise t.exception()  # type: ignore[misc]


@pytest.fixture
def proxied_broker(tmp_path: Any) -> Iterator[TcpProxy]:
    """A private broker advertising a TCP proxy's address: every client connection can be cut.

    The run's shared broker advertises its own address: clients would reconnect around a proxy.
    """
    proxy_port = free_port()
    broker = EmbeddedBroker(advertised_port=proxy_port, log_path=tmp_path / "tansu.log")
    broker.start()
    proxy = TcpProxy("127.0.0.1", broker.port, port=proxy_port).start()
    try:
        topics = all_physical_topics("")
        topics += [physical_topic(t, "") for t in PROBE_TOPICS] + [
            physical_topic(t, "") + ".dlq" for t in PROBE_TOPICS
        ]
        asyncio.run(ensure_topics(proxy.address, topics, partitions=4))
        yield proxy
    finally:
        proxy.stop()
        broker.stop()
