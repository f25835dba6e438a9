"""The whole system on one machine: `make run` (and the end-to-end tests) start it here.

Order of life: broker and database first (embedded unless KAFKA_BOOTSTRAP_SERVERS /
DATABASE_URL are given), topics, database roles and schemas (the four services', and the
gateway's for client registrations), migrations, dev signing key, demo data; then the four
services (HTTP + consumer + relay + jobs each, or one process per role group when
`StackOptions.service_processes` says so) and the gateway.
Stopping runs the other way round. Every process is a direct child that receives a signal if
the launcher dies, and the PIDs are recorded in `var/run/stack.json` for `make stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gateway.signing.keys import ensure_dev_keys
from imet.infra.broker import EmbeddedBroker
from imet.infra.postgres import EmbeddedPostgres
from imet.infra.process import free_port, spawn, stop_process
from imet.provision import WITH_GATEWAY, ServiceDatabase, provision
from imet.services import DOMAIN_SERVICES, HTTP_PORTS, definition, migrations_dir
from imet.stack_state import PROJECT_ROOT, var_dir
from shared.db.migrations import upgrade
from shared.messaging.kafka import all_physical_topics, ensure_topics
from shared.runtime import ServiceRuntime

# Local load (the e2e concurrency test, demos) runs as ONE dev user per role: the dev stack's
# per-caller limit is far above the production default (100/s), unless the shell sets one.
DEV_RATE_LIMITS = {"GATEWAY_RATE_LIMIT_PER_SECOND": "2000", "GATEWAY_RATE_LIMIT_BURST": "4000"}
ALL_ROLES = "http,consumer,relay,jobs"


@dataclass
class StackOptions:
    database: str = "imet"
    topic_prefix: str = ""
    ports: dict[str, int] = field(default_factory=lambda: dict(HTTP_PORTS))
    var: Path = field(default_factory=var_dir)
    seed: bool = True
    role_prefix: str = "imet_"
    extra_env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 60.0
    admin_url: str | None = None  # default: DATABASE_URL, else an embedded PostgreSQL
    bootstrap_servers: str | None = None  # default: KAFKA_BOOTSTRAP_SERVERS, else embedded Tansu
    # Each domain service's processes, one `imet serve --roles` value each. The default is one
    # process with every role (the dev stack); a production-like layout such as
    # ("http", "consumer", "relay,jobs", "relay,jobs") runs two relays (one stands by) and lets
    # a single role be killed or an instance be added (`start_instance`, `stop_instance`).
    service_processes: tuple[str, ...] = (ALL_ROLES,)
    # False: no gateway either (a benchmark that drives the services' parts in-process).
    gateway: bool = True

    @classmethod
    def random_ports(cls, **kw: Any) -> StackOptions:
        return cls(ports={name: free_port() for name in HTTP_PORTS}, **kw)


@dataclass
class Stack:
    options: StackOptions
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    admin_url: str = ""
    bootstrap_servers: str = ""
    databases: dict[str, ServiceDatabase] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Per process name: its service ("gateway" for the gateway) and its roles.
    layout: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.options.ports['gateway']}"

    @property
    def gateway_admin_url(self) -> str:
        """Readiness and metrics of the gateway (its admin listener, loopback only)."""
        return f"http://127.0.0.1:{self.options.ports['gateway_admin']}"

    @property
    def key_dir(self) -> Path:
        return self.options.var / "keys"

    @property
    def log_dir(self) -> Path:
        return self.options.var / "logs"

    @property
    def state_file(self) -> Path:
        return self.options.var / "run" / "stack.json"

    def start(self, *, say: Any = print) -> None:
        o = self.options
        for d in (self.key_dir, self.log_dir, self.state_file.parent):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.key_dir, 0o700)
        try:
            self._start_infra(say)
            self._write_state()
            asyncio.run(
                ensure_topics(self.bootstrap_servers, all_physical_topics(o.topic_prefix), 4)
            )
            # The gateway's schema (client registrations) beside the four services'.
            self.databases = asyncio.run(
                provision(self.admin_url, o.database, role_prefix=o.role_prefix,
                          services=WITH_GATEWAY)
            )  # fmt: skip
            for name, sdb in self.databases.items():
                upgrade(migrations_dir(name), sdb.url)
            say(f"database '{o.database}': schemas {', '.join(self.databases)} migrated")
            self._record_gateway_database()
            self._record_reporting_env()
            ensure_dev_keys(self.key_dir)
            if o.seed:
                self._seed(say)
            for service in DOMAIN_SERVICES:
                for roles in o.service_processes:
                    self.start_instance(service, roles, wait=False)
            if o.gateway:
                self.layout["gateway"] = ("gateway", "http")
                self._spawn("gateway", _argv("gateway", "http"))
            self._write_state()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def _start_infra(self, say: Any) -> None:
        given_db = self.options.admin_url or os.environ.get("DATABASE_URL")
        if given_db:
            self.admin_url = given_db
            say("PostgreSQL: using DATABASE_URL")
        else:
            self.postgres = EmbeddedPostgres(log_path=self.log_dir / "postgres.log")
            self.admin_url = self.postgres.start()
            say(f"PostgreSQL: embedded, 127.0.0.1:{self.postgres.port} (pid {self.postgres.pid})")
        given_kafka = self.options.bootstrap_servers or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if given_kafka:
            self.bootstrap_servers = given_kafka
            say(f"Kafka: using KAFKA_BOOTSTRAP_SERVERS={given_kafka}")
        else:
            self.broker = EmbeddedBroker(log_path=self.log_dir / "tansu.log")
            self.bootstrap_servers = self.broker.start()
            say(
                f"Kafka protocol broker: embedded Tansu, {self.bootstrap_servers} "
                f"(pid {self.broker.pid})"
            )

    def _seed(self, say: Any) -> None:
        for name in DOMAIN_SERVICES:
            seed = definition(name).extra.get("seed")
            if seed is not None:
                with _environ(self.service_env(name)):
                    summary = asyncio.run(_run_seed(name, seed))
                say(f"demo data ({name}): {summary}")

    def platform_env(self) -> dict[str, str]:
        o = self.options
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": o.topic_prefix,
            "AUTH_JWKS_FILE": str(self.key_dir / "jwks.json"),
            "IMET_KEY_DIR": str(self.key_dir),
            # The gateway signs client-credentials tokens with the same dev keys.
            "GATEWAY_KEY_DIR": str(self.key_dir),
            **{name: os.environ.get(name, value) for name, value in DEV_RATE_LIMITS.items()},
            "IMET_ENV": os.environ.get("IMET_ENV", "dev"),
            **{f"{n.upper()}_DATABASE_URL": db.url for n, db in self.databases.items()},
            **{
                f"{n.upper()}_HTTP_PORT": str(p) for n, p in o.ports.items() if n in DOMAIN_SERVICES
            },
            **{
                f"GATEWAY_{n.upper()}_URL": f"http://127.0.0.1:{p}"
                for n, p in o.ports.items()
                if n in DOMAIN_SERVICES
            },
            "GATEWAY_PORT": str(o.ports["gateway"]),
            "GATEWAY_ADMIN_PORT": str(o.ports["gateway_admin"]),
            **o.extra_env,
        }

    def service_env(self, name: str) -> dict[str, str]:
        return {**os.environ, **self.platform_env()}

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.processes[name] = spawn(
            argv,
            log_path=self.log_dir / f"{name}.log",
            env=self.service_env(name),
            cwd=PROJECT_ROOT,
        )

    def start_instance(self, service: str, roles: str = ALL_ROLES, *, wait: bool = True) -> str:
        """Start one more process of a domain service with these roles; returns its name.

        The one all-roles process of the default layout is named after the service; otherwise
        names are `<service>-<roles>-<n>` (`catalog-relay-jobs-2`), never reused.
        """
        if roles == ALL_ROLES and self.options.service_processes == (ALL_ROLES,):
            name = service
        else:
            base = f"{service}-{roles.replace(',', '-')}"
            n = 1 + sum(1 for known in self.layout if known.rsplit("-", 1)[0] == base)
            name = f"{base}-{n}"
        self.layout[name] = (service, roles)
        self._spawn(name, _argv(service, roles))
        self._write_state()
        if wait:
            self.wait_ready([name])
        return name

    def stop_instance(self, name: str, *, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Stop one process by its name (SIGKILL to crash it); returns its exit code."""
        proc = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        stop_process(proc, timeout=timeout)
        self._write_state()
        return proc.returncode

    def restart_instance(self, name: str, *, wait: bool = True) -> None:
        """Start a stopped (or crashed) process again under the same name and roles."""
        if name in self.processes and self.processes[name].poll() is None:
            raise RuntimeError(f"{name} is still running")
        self._spawn(name, _argv(*self.layout[name]))
        self._write_state()
        if wait:
            self.wait_ready([name])

    def wait_ready(self, names: list[str] | None = None) -> None:
        """Until every (named) process serving HTTP answers `/readyz` 200 and none has died."""
        deadline = time.monotonic() + self.options.ready_timeout
        ports = {**self.options.ports, "gateway": self.options.ports["gateway_admin"]}
        watched = {n: self.processes[n] for n in (names or list(self.processes))}
        pending = {
            name: f"http://127.0.0.1:{ports[service]}/readyz"
            for name, (service, roles) in self.layout.items()
            if name in watched and "http" in roles.split(",")
        }
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, proc in watched.items():
                    if proc.poll() is not None:
                        raise RuntimeError(
                            f"{name} exited with {proc.returncode} while starting; "
                            f"see {self.log_dir / (name + '.log')}"
                        )
                for name, url in list(pending.items()):
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(url).status_code == 200:
                            del pending[name]
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"not ready after {self.options.ready_timeout}s: {sorted(pending)}"
                    )
                time.sleep(0.2)

    @property
    def gateway_database_file(self) -> Path:
        return self.options.var / "run" / "gateway-database-url"

    def _record_gateway_database(self) -> None:
        """For `imet clients ...` in another shell (dev only; 0600, removed on stop)."""
        gateway = self.databases.get("gateway")
        if gateway is not None:
            fd = os.open(self.gateway_database_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(gateway.url + "\n")

    @property
    def reporting_env_file(self) -> Path:
        return self.options.var / "run" / "reporting.env"

    def _record_reporting_env(self) -> None:
        """For `imet reporting rebuild` in another shell (dev only; 0600, removed on stop)."""
        if "reporting" not in self.databases:
            return
        env = {k: v for k, v in self.platform_env().items()
               if k.startswith(("REPORTING_", "KAFKA_", "AUTH_", "IMET_"))}  # fmt: skip
        fd = os.open(self.reporting_env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.writelines(f"{k}={v}\n" for k, v in sorted(env.items()))

    def dead_processes(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def _write_state(self) -> None:
        state = {
            "launcher": os.getpid(),
            "processes": {n: p.pid for n, p in self.processes.items()},
            "postgres": self.postgres.pid if self.postgres else None,
            "postgres_root": str(self.postgres.root)
            if self.postgres and self.postgres.root
            else None,
            "broker": self.broker.pid if self.broker else None,
            "gateway_url": self.gateway_url,
            # For `imet dlq ...` in another shell (dev): where the stack's topics are.
            "kafka": {"bootstrap_servers": self.bootstrap_servers,
                      "topic_prefix": self.options.topic_prefix},
        }  # fmt: skip
        self.state_file.write_text(json.dumps(state, indent=2))

    def stop(self) -> None:
        """Gateway, then services (graceful), then broker, then database."""
        ranks = {service: i for i, service in enumerate(["gateway", *reversed(DOMAIN_SERVICES)])}
        order = sorted(self.processes, key=lambda n: ranks.get(self.layout.get(n, (n, ""))[0], 0))
        for name in order:
            proc = self.processes.get(name)
            if proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        for name in order:
            proc = self.processes.pop(name, None)
            if proc is not None:
                stop_process(proc, timeout=10)
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.gateway_database_file.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.reporting_env_file.unlink()


def _argv(service: str, roles: str) -> list[str]:
    if service == "gateway":
        return [sys.executable, "-m", "gateway"]
    return [sys.executable, "-m", "imet", "serve", service, "--roles", roles]


async def _run_seed(name: str, seed: Any) -> str:
    """Run a service's seed with a runtime built from the service's own settings."""
    d = definition(name)
    runtime = ServiceRuntime(d, d.settings_factory())
    try:
        return str(await seed(runtime))
    finally:
        await runtime.aclose()


@contextlib.contextmanager
def _environ(env: dict[str, str]) -> Any:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
