"""A bulk import through the gateway with a token (ADR 0128): the upload answers 202 with the
job's Location at once, the job is polled to `completed`, one result per row."""

from __future__ import annotations

import asyncio
import csv
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from imet.cli import app
from imet.import_cli import run_import, summary
from imet.stack import Stack
from tests.e2e.driver import NOMINATIONS, Driver, until
from tests.helpers.timing import scaled


def _row(driver: Driver, country: str, klass: dict[str, Any], **changes: Any) -> dict[str, Any]:
    today = driver.today
    row = {
        "family_names": "IMPORT " + uuid.uuid4().hex[:8].upper(), "given_names": "Alex",
        "country": country, "passport_number": "I" + uuid.uuid4().hex[:8].upper(),
        "sex": "F", "date_of_birth": "1987-03-04", "place_of_birth": "Capital",
        "service": "army", "rank": "Captain", "pay_grade": "O-3",
        "unit_name": "1st Infantry Brigade", "position": "Company commander",
        "english_test": "ecl", "english_score": 85,
        "english_test_date": (today - timedelta(days=10)).isoformat(),
        "class_id": klass["id"], "fiscal_year": klass["fiscal_year"], "funding_source": "imet",
        "medical_cleared_on": today.isoformat(), "medical_reference": "MED-1",
        "security_screened_on": today.isoformat(), "security_reference": "SEC-1",
    }  # fmt: skip
    return {**row, **changes}


async def test_an_upload_is_accepted_at_once_and_its_job_polled_to_one_result_per_row(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    klass = await driver.course_with_class(capacity=30)
    country = await driver.country()
    seen: list[str] = []

    async def imported() -> Any:  # until the nomination service knows the new class
        rows = [_row(driver, country, klass) for _ in range(20)]
        rows.insert(3, _row(driver, country, klass, pay_grade="general"))
        job = await driver.import_job(
            {"rows": rows}, country, submit=True, on_progress=lambda j: seen.append(j["status"])
        )
        unknown = [line for line in job["lines"] if "class-unknown" in str(line["errors"])]
        return None if unknown else job

    job = await until(imported, what="an import of a class nomination knows", timeout=60)

    assert job["status"] == "completed"
    assert job["rows"] == {"total": 21, "done": 21, "created": 20, "existing": 0, "rejected": 1}
    assert [line["line"] for line in job["lines"]] == list(range(1, 22))
    assert job["lines"][3]["status"] == "rejected"
    assert job["lines"][3]["errors"][0]["field"] == "pay_grade"
    assert {line["nomination_status"] for line in job["lines"] if line["status"] == "created"} <= {
        "submitted", "vetting", "funding", "seat_pending", "ready_for_travel", "waitlisted",
    }  # fmt: skip
    assert seen[-1] == "completed"
    first = job["lines"][0]["nomination_id"]
    assert (await driver.nomination(first, country))["id"] == first
    other = await gateway.get(
        f"{NOMINATIONS}/imports/{job['id']}", headers=driver.headers("sco", await driver.country())
    )
    assert other.status_code == 404


async def test_imet_import_uploads_a_csv_and_follows_its_job_to_the_end(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any, tmp_path: Path
) -> None:
    driver = Driver(gateway, e2e_token)
    klass = await driver.course_with_class(capacity=10)
    country = await driver.country()
    seen: list[tuple[str, int]] = []

    async def imported() -> Any:
        rows = [_row(driver, country, klass) for _ in range(5)]
        file = tmp_path / f"program-{uuid.uuid4().hex[:6]}.csv"
        with file.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        job = await asyncio.to_thread(
            run_import, file, gateway=stack.gateway_url, token=e2e_token("sco", country),
            on_progress=lambda j: seen.append((j["status"], j["rows"]["done"])),
            timeout=scaled(30), poll_seconds=0.2,
        )  # fmt: skip
        unknown = [line for line in job["lines"] if "class-unknown" in str(line["errors"])]
        return None if unknown else job

    job = await until(imported, what="an import of a class nomination knows", timeout=60)

    assert (job["status"], job["rows"]["created"]) == ("completed", 5)
    assert seen[-1] == ("completed", 5)
    assert summary(job)[0].endswith("5 created, 0 existing, 0 rejected of 5 rows")


def test_imet_import_of_a_file_without_a_row_fails_with_the_services_reason(
    stack: Stack, e2e_token: Any, tmp_path: Path
) -> None:
    header_only = tmp_path / "empty.csv"
    header_only.write_text("family_names,given_names,country,passport_number\n")
    no_rows = tmp_path / "empty.json"
    no_rows.write_text('{"rows": []}')
    token = e2e_token("sco", "GTM")

    command = ["import", "--gateway", stack.gateway_url, "--token", token]

    answers = [CliRunner().invoke(app, [*command, str(file)]) for file in (header_only, no_rows)]

    for answer in answers:
        assert answer.exit_code == 1
        assert "upload refused: 422 import-empty: The upload holds no rows" in answer.stderr
