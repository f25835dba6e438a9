"""No secrets and no personal data in any process's log.

A candidate with recognisable personal data goes through the whole pipeline (registered, read
by a vetter, approved, funded, seated, travel order and its PDF), a bad registration is
refused, and an agency client gets and uses a token; then every log file of the stack is
searched for those values. The stack logs at INFO in JSON, as production does.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from imet.cli import app
from imet.stack import Stack
from tests.e2e.driver import NOMINATIONS, Driver


def _clients_create(stack: Stack) -> dict[str, str]:
    env = {**os.environ, "GATEWAY_DATABASE_URL": stack.databases["gateway"].url}
    args = ["clients", "create", "--name", "Log check", "--role", "auditor", "--json"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.splitlines()[0]))


def _logs(stack: Stack) -> dict[str, str]:
    folder = Path(stack.options.var) / "logs"
    return {path.name: path.read_text(errors="replace") for path in folder.glob("*.log")}


async def test_no_log_line_holds_a_secret_or_the_personal_data_of_a_candidate(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    mark = uuid.uuid4().hex[:8].upper()
    person = {
        "family_names": f"QUILLFEATHER {mark}",
        "given_names": f"Zebulon{mark}",
        "date_of_birth": "1971-03-17",
        "place_of_birth": f"Xylotown{mark}",
        "passport_number": f"PZ{mark}",
    }
    country = await driver.country()
    klass = await driver.course_with_class(capacity=2, tuition="9000.00")
    await driver.appropriation(klass["fiscal_year"])
    await driver.allocation(country, klass["fiscal_year"], "500000.00")
    nomination = await driver.nominate(country, klass, person=person)
    candidate_id = nomination["candidate_id"]
    await driver.call("GET", f"{NOMINATIONS}/candidates/{candidate_id}", "vetter")
    await driver.decide(nomination["id"], "approved")
    await driver.wait_status(nomination["id"], country, "ready_for_travel")
    await driver.call("POST", f"{NOMINATIONS}/{nomination['id']}/ito", "sco", country)
    pdf = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}/ito/1.pdf", headers=driver.headers("sco", country)
    )
    refused = await gateway.post(
        f"{NOMINATIONS}/candidates",
        json={**person, "date_of_birth": "1971-13-45", "country": country},
        headers=driver.headers("sco", country),
    )
    client = await asyncio.to_thread(_clients_create, stack)
    credentials = (client["client_id"], client["client_secret"])
    grant = {"grant_type": "client_credentials"}
    issued = await gateway.post("/api/v1/auth/token", data=grant, auth=credentials)
    access_token = issued.json()["access_token"]
    used = await gateway.get(
        f"{NOMINATIONS}/audit?limit=1", headers={"Authorization": f"Bearer {access_token}"}
    )
    wrong = await gateway.post(
        "/api/v1/auth/token", data=grant, auth=(client["client_id"], client["client_secret"][::-1])
    )
    sco_token = e2e_token("sco", country)
    seen = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}", headers={"Authorization": f"Bearer {sco_token}"}
    )
    forged = sco_token[:-6] + ("AAAAAA" if not sco_token.endswith("AAAAAA") else "BBBBBB")
    not_seen = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}", headers={"Authorization": f"Bearer {forged}"}
    )
    # No wait needed: the requests above are answered, and a process writes what it logs about
    # a request before it answers (stderr is line-buffered, logs go there); the asynchronous
    # work of the pipeline settled before the travel order could be issued.

    secrets = {
        **{f"candidate {field}": value for field, value in person.items()},
        "client secret": client["client_secret"],
        "access token": access_token,
        "access token signature": access_token.rsplit(".", 1)[1],
        "token of the SCO": sco_token,
        "forged token": forged,
        "forged token signature": forged.rsplit(".", 1)[1],
    }
    logs = _logs(stack)
    leaks = {
        f"{what} in {name}": next(line for line in text.splitlines() if value in line)[:300]
        for what, value in secrets.items()
        for name, text in logs.items()
        if value in text
    }

    assert pdf.status_code == 200
    assert refused.status_code == 422
    assert (issued.status_code, used.status_code, wrong.status_code) == (200, 200, 401)
    assert (seen.status_code, not_seen.status_code) == (200, 401)
    assert {"gateway.log", "nomination.log", "vetting.log", "funding.log", "catalog.log"} <= set(
        logs
    ), sorted(logs)
    assert nomination["id"] in logs["nomination.log"]  # the logs do cover this nomination
    assert leaks == {}
