"""The ops dashboard (`/ops`, ADR 0100) in headless Chromium against the running stack.

An admin client registered with `imet clients create` signs in through the form; after a
pipeline run (a nomination through vetting and funding to an issued travel order, recalled by
a withdrawal) and one poison record dead-lettered by the consumers, the page shows non-zero
figures, and the DLQ link leads to the record. The screenshot is written to the test's
tmp_path; `IMET_UPDATE_DOCS_SCREENSHOT=1` also refreshes docs/ops-dashboard.png (the README's).

Debian's chromium (`/usr/bin/chromium` or on PATH) through Playwright's `executable_path`:
no browser is downloaded. Skipped without chromium on a developer's machine, failed in CI.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from imet.cli import app
from imet.stack import Stack
from shared.messaging.kafka import dlq_topic, physical_topic
from tests.e2e import screening
from tests.e2e.driver import NOMINATIONS, Driver, until
from tests.helpers.kafka import produce
from tests.helpers.timing import scaled
from tests.helpers.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
POISONED = "imet.catalog.events"


async def _cli(stack: Stack, *args: str) -> str:
    env = {**os.environ, "GATEWAY_DATABASE_URL": stack.databases["gateway"].url}
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


async def _pipeline_with_a_recall(driver: Driver) -> None:
    country, klass = await screening.world(driver, capacity=3, start_in_days=90)
    nomination = await screening.ready(driver, country, klass)
    await screening.issue(driver, nomination["id"], country)
    await driver.call("POST", f"{NOMINATIONS}/{nomination['id']}/withdraw", "sco", country,
                      json={"reason": "family emergency"})  # fmt: skip
    await screening.wait_order(driver, nomination["id"], country, "recalled")
    # A second student stays ready for travel: funds obligated, an order in force.
    second = await screening.ready(driver, country, klass)
    await screening.issue(driver, second["id"], country)


async def _poison(stack: Stack, driver: Driver) -> str:
    """A record that is no CloudEvent on the catalog topic: its consumers dead-letter it."""
    key = f"poison-{uuid.uuid4()}"
    topic = physical_topic(POISONED, stack.options.topic_prefix)
    await produce(topic, [(key.encode(), b"\xff not json", [])], servers=stack.bootstrap_servers)

    async def dead_lettered() -> str | None:
        listed = await driver.call("GET", "/api/v1/ops/dlq", "admin",
                                   params={"topic": POISONED, "limit": 1000})  # fmt: skip
        ids = [i["id"] for i in listed["items"] if i["key"] == key]
        return ids[0] if ids else None

    return str(await until(dead_lettered, what="the poison record in the DLQ", timeout=60))


def _figure(text: str) -> float:
    return float(text.replace(",", "") or 0)


async def test_an_admin_signs_in_sees_the_figures_and_follows_a_dead_letter(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any, tmp_path: Path
) -> None:
    chromium = require_tool("chromium", "the ops dashboard is tested in headless Chromium")
    from playwright.async_api import async_playwright

    driver = Driver(gateway, e2e_token)
    await _pipeline_with_a_recall(driver)
    letter_id = await _poison(stack, driver)
    created = await _cli(stack, "clients", "create", "--name", "On-call dashboard",
                         "--role", "admin", "--json")  # fmt: skip
    client = json.loads(created.splitlines()[0])
    dlq_name = dlq_topic(physical_topic(POISONED, stack.options.topic_prefix))
    timeout_ms = scaled(30.0) * 1000

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, headless=True,
                                          args=["--no-sandbox"])  # fmt: skip
        try:
            context = await browser.new_context(viewport={"width": 1600, "height": 1000})
            context.set_default_timeout(timeout_ms)
            page = await context.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text)
                    if "Content Security Policy" in m.text else None)  # fmt: skip

            first = await page.goto(f"{stack.gateway_url}/ops")
            at_login = page.url
            await page.fill("input[name=client_id]", client["client_id"])
            await page.fill("input[name=client_secret]", client["client_secret"])
            await page.click("button[type=submit]")
            await page.wait_for_load_state()
            assert await page.locator("#panels").count() == 1, (page.url, await page.content())
            dashboard_url = page.url
            figures = {
                key: _figure(await page.inner_text(f"[data-figure='{key}']"))
                for key in ("nominations-total", "obligated-total", "vetting-open",
                            "dlq-total", "recalls-total", "state-withdrawn",
                            "state-ready_for_travel")
            }  # fmt: skip
            cookies = {c["name"]: c for c in await context.cookies()}
            shot = tmp_path / "ops-dashboard.png"
            await page.screenshot(path=str(shot), full_page=True)
            await page.click("#refresh")
            await page.wait_for_selector("#panels")

            await page.click(f"#dlq a[href*='{dlq_name}']")
            await page.wait_for_selector("[data-figure='dlq-listed']")
            listed = _figure(await page.inner_text("[data-figure='dlq-listed']"))
            await page.click(f"a[href$='{letter_id}']")
            shown_id = await page.inner_text("[data-figure='dlq-id']")
            record = await page.inner_text("main")
            record_url = page.url

            await page.goto(f"{stack.gateway_url}/ops")
            await page.click("text=Log out")
            await page.wait_for_selector("input[name=client_id]")
            after_logout = {c["name"] for c in await context.cookies()}
        finally:
            await browser.close()

    if os.environ.get("IMET_UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "ops-dashboard.png")
    assert first is not None
    assert at_login.endswith("/ops/login")
    assert dashboard_url.endswith("/ops")
    assert figures["nominations-total"] > 0
    assert figures["state-withdrawn"] >= 1
    assert figures["obligated-total"] > 0
    assert figures["state-ready_for_travel"] >= 1
    assert figures["dlq-total"] >= 1
    assert figures["recalls-total"] >= 1
    session = cookies["imet_ops"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["path"] == "/ops"
    assert session["value"] not in dashboard_url + record_url
    assert listed >= 1
    assert shown_id == letter_id
    assert "PoisonMessage" in record or "poison" in record
    assert violations == []
    assert "imet_ops" not in after_logout
    assert shot.stat().st_size > 10_000
