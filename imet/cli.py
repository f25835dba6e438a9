"""`imet`: run the stack, one service, migrations; print dev tokens.

imet run                       the whole stack (what `make run` calls)
imet stop                      stop a stack started by `imet run`
imet serve catalog [--roles http,consumer,relay,jobs]
imet migrate [SERVICE ...]     run Alembic migrations with <SERVICE>_DATABASE_URL
imet dev-token --role sco --country GTM [--subject alice]
imet clients create|list|revoke   client registrations of agency systems (the gateway's)
imet keys rotate|promote|list     the gateway's token-signing keys
imet dlq list|show|replay         dead letters on the broker (ADR 0106)
imet reporting rebuild         replay the public topics into the reports' read model
imet report fmtr --fy 2026 --format pdf   a report through the gateway, as a file
imet import FILE [--submit] [--country GTM | --token T]   a bulk import, with a progress bar
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import typer

from imet.dlq_cli import dlq_app
from imet.gateway_cli import clients_app, keys_app
from imet.report_cli import report_app
from imet.services import DOMAIN_SERVICES, definition

app = typer.Typer(add_completion=False, no_args_is_help=True, help="IMET Pipeline command line.")
app.add_typer(clients_app, name="clients")
app.add_typer(keys_app, name="keys")
app.add_typer(dlq_app, name="dlq")
app.add_typer(report_app, name="report")
reporting_app = typer.Typer(no_args_is_help=True, help="The reporting service's read model.")
app.add_typer(reporting_app, name="reporting")


@app.command()
def run(
    no_seed: bool = typer.Option(False, "--no-seed", help="Do not load the demo reference data."),
    database: str = typer.Option("imet", help="Database name to create/use."),
) -> None:
    """Start the whole stack in the foreground; Ctrl-C (or `imet stop`) stops all of it."""
    from imet.stack import Stack, StackOptions
    from imet.stack_state import stop_recorded

    options = StackOptions(database=database, seed=not no_seed)
    if (options.var / "run" / "stack.json").exists():
        stale = stop_recorded(options.var)
        if stale:
            typer.echo(f"stopped a previous stack that was still recorded: {', '.join(stale)}")
    stack = Stack(options)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        stack.start(say=typer.echo)
    except Exception as exc:
        typer.echo(f"start failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo("")
    typer.echo(f"IMET Pipeline is running. Gateway: {stack.gateway_url}")
    typer.echo(f"  API docs (Swagger UI): {stack.gateway_url}/docs")
    typer.echo(f"  Readiness and metrics (loopback only): {stack.gateway_admin_url}/readyz, "
               "/metrics")  # fmt: skip
    typer.echo("  Token for a quick try: .venv/bin/imet dev-token --role admin")
    typer.echo(f"  Logs: {stack.log_dir}/   Stop: Ctrl-C or `make stop`")
    try:
        while not stopping:
            dead = stack.dead_processes()
            if dead:
                typer.echo(
                    f"process(es) exited unexpectedly: {', '.join(dead)}; stopping", err=True
                )
                break
            time.sleep(0.5)
    finally:
        typer.echo("stopping ...")
        stack.stop()
        typer.echo("stopped.")


@app.command()
def stop() -> None:
    """Stop the stack recorded in var/run/stack.json (started by `make run`)."""
    from imet.stack_state import stop_recorded

    stopped = stop_recorded()
    typer.echo("stopped: " + ", ".join(stopped) if stopped else "nothing was running")


@app.command()
def serve(
    service: str = typer.Argument(..., help="catalog, nomination, vetting, funding or reporting"),
    roles: str = typer.Option("http,consumer,relay,jobs", help="Comma-separated roles to run."),
) -> None:
    """Run one service process (settings from the environment)."""
    from shared.runner import ROLES
    from shared.runner import serve as serve_service

    wanted = {r.strip() for r in roles.split(",") if r.strip()}
    unknown = wanted - set(ROLES)
    if unknown:
        raise typer.BadParameter(f"unknown roles: {', '.join(sorted(unknown))}")
    served = definition(service)
    _tune_for_serving()
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(serve_service(served, wanted))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (uvicorn[standard] brings it), as the gateway and a bare uvicorn
    use (`--loop auto`): the stdlib loop's socket writes and callbacks were a large share of
    a hot read's samples (ADR 0155). None: the stdlib loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _tune_for_serving() -> None:
    """The gateway's collector settings (ADR 0002): what is imported now lives as long as the
    process, so freeze it out of every collection and let young objects accumulate longer
    (the default thresholds ran a full collection over every module's objects every few
    hundred requests: tens of milliseconds of pause, the p99 of a load test)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@app.command()
def migrate(
    services: list[str] = typer.Argument(
        None,
        help="Services to migrate (default: all, and the gateway when "
        "GATEWAY_DATABASE_URL is set).",
    ),
    revision: str = typer.Option("head", help="Target revision."),
) -> None:
    """Upgrade each service's schema with its own role (<SERVICE>_DATABASE_URL)."""
    from imet.services import migrations_dir
    from shared.db.migrations import upgrade

    default = [*DOMAIN_SERVICES, *(["gateway"] if os.environ.get("GATEWAY_DATABASE_URL") else [])]
    for name in services or default:
        if name == "gateway":
            url = os.environ.get("GATEWAY_DATABASE_URL")
            if not url:
                raise typer.BadParameter("GATEWAY_DATABASE_URL is required to migrate the gateway")
        else:
            url = definition(name).settings_factory().database_url.get_secret_value()
        upgrade(migrations_dir(name), url, revision)
        typer.echo(f"{name}: at {revision}")


@app.command()
def provision(
    database: str = typer.Option("imet", help="Database to create/use."),
    role_prefix: str = typer.Option("imet_", help="Prefix of the per-service login roles."),
) -> None:
    """Create the database, one schema and one role per service (admin DATABASE_URL).

    Passwords come from <SERVICE>_DB_PASSWORD (required in production; generated otherwise and
    never printed). Idempotent: run it before `imet migrate` on every deploy. The gateway's
    schema (client registrations) is provisioned too, in production only when
    GATEWAY_DB_PASSWORD is set (without it the gateway has no client-credentials endpoint).
    """
    from imet.provision import GATEWAY, SERVICES
    from imet.provision import provision as provision_db

    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        raise typer.BadParameter("DATABASE_URL (an administrator URL) is required")
    production = os.environ.get("IMET_ENV") == "production"
    schemas: tuple[str, ...] = SERVICES
    if not production or f"{GATEWAY.upper()}_DB_PASSWORD" in os.environ:
        schemas = (*SERVICES, GATEWAY)
    passwords = {
        s: os.environ[f"{s.upper()}_DB_PASSWORD"]
        for s in schemas
        if f"{s.upper()}_DB_PASSWORD" in os.environ
    }
    if production and len(passwords) < len(schemas):
        raise typer.BadParameter("production needs <SERVICE>_DB_PASSWORD for every service")
    result = asyncio.run(
        provision_db(
            admin_url, database, role_prefix=role_prefix, services=schemas, passwords=passwords
        )
    )
    for name, db in result.items():
        typer.echo(f"{name}: schema {db.schema}, role {db.role}")


@app.command()
def topics(
    partitions: int = typer.Option(
        None, help="Partitions per topic (default KAFKA_TOPIC_PARTITIONS)."
    ),
) -> None:
    """Create every topic and its dead-letter topic on KAFKA_BOOTSTRAP_SERVERS (idempotent)."""
    from shared.messaging.kafka import all_physical_topics, ensure_topics
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    names = all_physical_topics(platform.kafka_topic_prefix)
    asyncio.run(
        ensure_topics(
            platform.kafka_bootstrap_servers,
            names,
            partitions or platform.kafka_topic_partitions,
            replication_factor=platform.kafka_replication_factor,
            settings=platform,
        )
    )
    typer.echo("topics: " + ", ".join(names))


@app.command("dev-token")
def dev_token(
    role: str = typer.Option(
        ..., help="sco, vetter, funding_officer, catalog_manager, auditor, admin"
    ),
    country: str = typer.Option(None, help="ISO 3166-1 alpha-3 country (required for sco)."),
    ttl: int = typer.Option(3600, help="Lifetime in seconds."),
    key_dir: Path = typer.Option(None, help="Signing key folder (default: var/keys)."),
    subject: str = typer.Option(
        None, help="Who the token is for (default: dev-<role>[-<country>]); tells users apart."
    ),
) -> None:
    """Print a bearer token signed with the dev key that `make run` created (the gateway's)."""
    from gateway.signing.issuer import issue_dev_token
    from imet.stack_state import var_dir
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    if platform.imet_env == "production":
        typer.echo("error: dev tokens are for dev and test; use client credentials", err=True)
        raise typer.Exit(2)
    folder = key_dir or Path(os.environ.get("IMET_KEY_DIR", var_dir() / "keys"))
    try:
        token = issue_dev_token(
            folder, role, country=country, ttl_seconds=ttl,
            issuer=platform.auth_issuer, audience=platform.auth_audience, subject=subject,
        )  # fmt: skip
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    sys.stdout.write(token + "\n")


@reporting_app.command("rebuild")
def reporting_rebuild(
    timeout: float = typer.Option(600.0, help="Give up after this many seconds."),
) -> None:
    """Rebuild the reports' read model from the beginning of the four public topics.

    Safe while the service runs: its consumer waits, then goes on after what was replayed.
    Settings from the environment (REPORTING_DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, ...)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from imet.reporting_cli import run_rebuild

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), transient=False,
    ) as bar:  # fmt: skip
        task = bar.add_task("replaying events", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = asyncio.run(run_rebuild(advance, timeout))
    typer.echo(
        f"rebuilt: {result.records} records read, {result.applied} events applied, "
        f"{result.skipped} skipped, in {result.seconds} s"
    )


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .json file."),
    submit: bool = typer.Option(False, help="Submit each created nomination."),
    country: str = typer.Option(None, help="Upload as a dev SCO of this country (dev/test)."),
    token: str = typer.Option(
        None, envvar="IMET_TOKEN", help="Bearer token to upload with (else a dev SCO token)."
    ),
    gateway: str = typer.Option(None, help="Gateway URL (default: the running `make run`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the finished job as JSON."),
    timeout: float = typer.Option(3600.0, help="Give up after this many seconds."),
) -> None:
    """Bulk-import a country's program (ADR 0128): upload FILE through the gateway, then follow
    the import job with a progress bar until it ended; print the counts and rejected rows.
    Exit status 1 when the job failed or the upload was refused."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from imet.import_cli import ImportFailed, default_gateway, run_import, summary
    from imet.stack_state import var_dir

    if token is None:
        if country is None:
            typer.echo(
                "error: give --token (or IMET_TOKEN), or --country for a dev token", err=True
            )
            raise typer.Exit(2)
        from gateway.signing.issuer import issue_dev_token
        from shared.settings import PlatformSettings

        platform = PlatformSettings()
        if platform.imet_env == "production":
            typer.echo("error: dev tokens are for dev and test; give --token", err=True)
            raise typer.Exit(2)
        token = issue_dev_token(
            Path(os.environ.get("IMET_KEY_DIR", var_dir() / "keys")), "sco", country=country,
            issuer=platform.auth_issuer, audience=platform.auth_audience,
        )  # fmt: skip
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), transient=False,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"importing {file.name}", total=None)

        def advance(job: dict[str, object]) -> None:
            rows = job["rows"]
            assert isinstance(rows, dict)
            bar.update(task, completed=rows["done"], total=rows["total"],
                       description=f"{file.name}: {job['status']}")  # fmt: skip

        try:
            job = run_import(
                file, gateway=gateway or default_gateway(var_dir()), token=token,
                submit=submit, on_progress=advance, timeout=timeout,
            )  # fmt: skip
        except ImportFailed as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(job, indent=2))
    else:
        for line in summary(job):
            typer.echo(line)
    if job["status"] != "completed":
        raise typer.Exit(1)


def main() -> None:
    app()
