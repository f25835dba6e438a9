"""`imet report fmtr|funnel|utilization|turnaround`: a report from the gateway, written to a file.

    imet report fmtr --fy 2026 --format pdf [--out FILE] [--country GTM] [--include-excluded]
    imet report turnaround --format svg --country GTM

The gateway is `--gateway`, else IMET_GATEWAY_URL, else the stack `make run` started
(`gateway_url` in var/run/stack.json). The token is `--token`, else IMET_TOKEN, else (dev and
test only) a dev token of `--role` (auditor) signed with the stack's dev key. Without `--out`,
JSON goes to stdout and a file to the name the gateway gives (`fmtr-fy2026-countries.pdf`) in
the current folder. A refusal (problem+json) is printed and the exit code is 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer

from imet.stack_state import var_dir

report_app = typer.Typer(no_args_is_help=True, help="Reports from the gateway, as files.")
PATHS = {
    "fmtr": "fmtr",
    "funnel": "funnel",
    "utilization": "utilization",
    "turnaround": "vetting-turnaround",
}
FORMATS = ("json", "csv", "pdf", "svg", "png")
_FILENAME = re.compile(r'filename="([A-Za-z0-9_.-]+)"')


@dataclass(frozen=True)
class Download:
    status: int
    body: bytes
    media_type: str
    filename: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200


def gateway_url(given: str | None = None) -> str:
    """`--gateway`, IMET_GATEWAY_URL, or the dev stack's gateway (var/run/stack.json)."""
    if given:
        return given.rstrip("/")
    if os.environ.get("IMET_GATEWAY_URL"):
        return os.environ["IMET_GATEWAY_URL"].rstrip("/")
    with contextlib.suppress(OSError, ValueError, AttributeError):
        state = json.loads((var_dir() / "run" / "stack.json").read_text())
        if state.get("gateway_url"):
            return str(state["gateway_url"]).rstrip("/")
    raise typer.BadParameter("no gateway: pass --gateway, set IMET_GATEWAY_URL or `make run`")


def bearer(given: str | None, role: str, country: str | None) -> str:
    """`--token`, IMET_TOKEN, or a dev token of `role` (never in production)."""
    if given:
        return given
    if os.environ.get("IMET_TOKEN"):
        return os.environ["IMET_TOKEN"]
    from gateway.signing.issuer import issue_dev_token
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    if platform.imet_env == "production":
        raise typer.BadParameter("dev tokens are for dev and test: pass --token or IMET_TOKEN")
    folder = Path(os.environ.get("IMET_KEY_DIR", var_dir() / "keys"))
    return issue_dev_token(
        folder, role, country=country if role == "sco" else None, ttl_seconds=300,
        issuer=platform.auth_issuer, audience=platform.auth_audience, subject="dev-report-cli",
    )  # fmt: skip


def query(
    fmt: str,
    fiscal_year: int | None,
    country: str | None,
    region: str | None,
    include_excluded: bool,
    table: str | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"format": fmt}
    for name, value in (("fiscal_year", fiscal_year), ("country", country), ("region", region),
                        ("table", table)):  # fmt: skip
        if value is not None:
            params[name] = value
    if include_excluded:
        params["include_excluded"] = "true"
    return params


async def download(
    client: httpx.AsyncClient, report: str, params: dict[str, Any], headers: dict[str, str]
) -> Download:
    r = await client.get(f"/api/v1/reports/{PATHS[report]}", params=params, headers=headers)
    found = _FILENAME.search(r.headers.get("content-disposition", ""))
    return Download(r.status_code, r.content, r.headers.get("content-type", ""),
                    found.group(1) if found else None)  # fmt: skip


def destination(got: Download, out: Path | None) -> Path | None:
    """Where to write: `--out`, else the gateway's file name (None: JSON to stdout)."""
    if out is not None:
        return out
    return Path(got.filename) if got.filename else None


def _command(report: str) -> Any:
    def command(
        fy: int = typer.Option(None, "--fy", "--fiscal-year", help="Fiscal year (e.g. 2026)."),
        fmt: str = typer.Option("json", "--format", help="json, csv, pdf, svg or png."),
        out: Path = typer.Option(None, "--out", help="File to write (default: the given name)."),
        country: str = typer.Option(None, help="ISO 3166-1 alpha-3 country."),
        region: str = typer.Option(None, help="Combatant command region, e.g. SOUTHCOM."),
        table: str = typer.Option(None, help="csv/pdf: which table (default: the first)."),
        include_excluded: bool = typer.Option(
            False, "--include-excluded", help="fmtr: keep the countries excluded by law."
        ),
        gateway: str = typer.Option(None, help="Gateway URL (default: the dev stack's)."),
        token: str = typer.Option(None, help="Bearer token (default: IMET_TOKEN or a dev one)."),
        role: str = typer.Option("auditor", help="Role of the dev token when none is given."),
    ) -> None:
        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format is one of {', '.join(FORMATS)}")
        if include_excluded and report != "fmtr":
            raise typer.BadParameter("--include-excluded is for fmtr only")
        url = gateway_url(gateway)
        headers = {"Authorization": f"Bearer {bearer(token, role, country)}"}
        params = query(fmt, fy, country, region, include_excluded, table)

        async def fetch() -> Download:
            async with httpx.AsyncClient(base_url=url, timeout=120.0) as client:
                return await download(client, report, params, headers)

        try:
            got = asyncio.run(fetch())
        except httpx.HTTPError as exc:
            typer.echo(f"error: the gateway at {url} did not answer: {exc}", err=True)
            raise typer.Exit(1) from exc
        if not got.ok:
            typer.echo(f"error: {got.status} {got.body.decode(errors='replace')}", err=True)
            raise typer.Exit(1)
        path = destination(got, out)
        if path is None:
            sys.stdout.write(got.body.decode() + "\n")
            return
        path.write_bytes(got.body)
        typer.echo(f"wrote {path} ({len(got.body)} bytes, {got.media_type.split(';')[0]})")

    command.__doc__ = f"The {report} report (GET /api/v1/reports/{PATHS[report]})."
    return command


for _name in PATHS:
    report_app.command(_name)(_command(_name))
