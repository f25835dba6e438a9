"""The ITO gate, immutable versions and the PDF; then training: start, complete, terminate."""

from __future__ import annotations

from datetime import timedelta

from services.nomination.tests.integration.support import (
    BASE,
    TODAY,
    Bus,
    Until,
    World,
)
from services.nomination.tests.integration.their import to_funding, to_ready
from shared.contracts.catalog.v1 import ClassChangedV1
from tests.helpers.pdf import pdf_text


async def test_the_gate_refuses_an_unscreened_nomination_and_lists_what_is_missing(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_funding(world, bus, until)

    response = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert [m["code"] for m in response.json()["missing"]] == [
        "not-ready-for-travel", "funds-not-obligated", "seat-not-confirmed",
    ]  # fmt: skip
    assert "ito_issued" not in await world.published_types(nomination["id"])


async def test_a_screened_nomination_gets_its_travel_order_with_the_domain_fields(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await to_ready(world, bus, until)

    response = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )

    order = response.json()
    assert response.status_code == 201
    assert order["number"].startswith("GTM-D-")
    assert order["number"].endswith(
        f"-{order['content']['class']['report_date'][2:4]}{order['content']['class']['report_date'][5:7]}"
    )
    assert order["content"]["funding"]["obligation_id"] == str(their.obligation_id)
    assert order["content"]["course"]["masl_id"] == nomination["masl_id"]
    assert order["issued_by"] == "dev-sco-gtm"
    assert (await world.get(nomination["id"]))["current_ito"] == order["number"]
    assert "ito_issued" in await world.published_types(nomination["id"])


async def test_issuing_again_without_a_change_returns_the_current_version(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_ready(world, bus, until)
    url, sco = f"{BASE}/{nomination['id']}/ito", world.as_("sco", "GTM")

    first = await world.client.post(url, headers=sco)
    again = await world.client.post(url, headers=sco)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == 1
    assert again.json()["number"] == first.json()["number"]


async def test_a_change_after_issue_makes_version_two_and_version_one_stays_readable(
    world: World, bus: Bus, until: Until
) -> None:
    klass = await world.catalog()
    nomination, _ = await to_ready(world, bus, until, klass=klass)
    url, sco = f"{BASE}/{nomination['id']}/ito", world.as_("sco", "GTM")
    first = await world.client.post(url, headers=sco)
    moved = klass.report_date - timedelta(days=2)
    changed = ClassChangedV1(**{**klass.model_dump(), "report_date": moved, "version": 2})

    await bus.send(changed)
    second = await _eventually_new_version(world, url, sco)
    old = await world.client.get(f"{url}/1", headers=sco)
    versions = await world.client.get(url, headers=sco)

    assert second.json()["number"] == first.json()["number"]
    assert second.json()["content"]["class"]["report_date"] == moved.isoformat()
    assert old.json()["current"] is False
    assert old.json()["content"]["class"]["report_date"] == klass.report_date.isoformat()
    assert [(o["version"], o["current"]) for o in versions.json()["items"]] == [
        (1, False),
        (2, True),
    ]


async def _eventually_new_version(world: World, url: str, sco: dict[str, str]) -> object:
    from tests.helpers.waiting import eventually

    return await eventually(
        lambda: world.client.post(url, headers=sco), lambda r: r.status_code == 201
    )


async def test_a_travel_order_downloads_as_a_pdf_both_ways(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_ready(world, bus, until)
    url, sco = f"{BASE}/{nomination['id']}/ito", world.as_("sco", "GTM")
    await world.client.post(url, headers=sco)

    by_suffix = await world.client.get(f"{url}/1.pdf", headers=sco)
    by_accept = await world.client.get(f"{url}/1", headers={**sco, "Accept": "application/pdf"})
    as_auditor = await world.client.get(f"{url}/1.pdf", headers=world.as_("auditor"))

    assert by_suffix.headers["content-type"] == "application/pdf"
    assert by_suffix.content.startswith(b"%PDF")
    assert by_accept.content == by_suffix.content
    assert as_auditor.status_code == 403


async def test_an_auditor_reads_the_order_without_passport_and_date_of_birth(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_ready(world, bus, until)
    await world.client.post(f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM"))

    order = await world.client.get(f"{BASE}/{nomination['id']}/ito/1", headers=world.as_("auditor"))

    assert order.json()["redacted"] is True
    assert "passport_number" not in order.json()["content"]["student"]
    assert "date_of_birth" not in order.json()["content"]["student"]


async def test_training_starts_only_after_the_travel_order_and_completion_is_announced(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_ready(world, bus, until)
    base, sco = f"{BASE}/{nomination['id']}", world.as_("sco", "GTM")

    too_early = await world.client.post(f"{base}/start-training", headers=sco)
    await world.client.post(f"{base}/ito", headers=sco)
    started = await world.client.post(
        f"{base}/start-training", json={"started_on": TODAY.isoformat()}, headers=sco
    )
    ended = TODAY + timedelta(days=34)
    completed = await world.client.post(
        f"{base}/complete", json={"ended_on": ended.isoformat()}, headers=sco
    )

    event = [
        e for e in await world.outbox(nomination["id"]) if e.type.endswith("training_ended.v1")
    ]
    assert too_early.status_code == 409
    assert too_early.json()["failed"] == ["ito_issued"]
    assert started.json()["status"] == "in_training"
    assert completed.json()["status"] == "completed"
    assert completed.json()["training"]["days_attended"] == 35
    assert [(e.payload["completed"], e.payload["days_attended"]) for e in event] == [(True, 35)]


async def test_a_student_who_leaves_early_ends_terminated_with_the_days_attended(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await to_ready(world, bus, until)
    base, sco = f"{BASE}/{nomination['id']}", world.as_("sco", "GTM")
    await world.client.post(f"{base}/ito", headers=sco)
    await world.client.post(f"{base}/start-training", headers=sco)

    ended = await world.client.post(
        f"{base}/terminate", json={"reason": "medical evacuation", "days_attended": 0}, headers=sco
    )
    again = await world.client.post(f"{base}/complete", headers=sco)

    event = [
        e for e in await world.outbox(nomination["id"]) if e.type.endswith("training_ended.v1")
    ]
    assert ended.json()["status"] == "training_terminated"
    assert ended.json()["status_reason"] == "medical evacuation"
    assert [(e.payload["completed"], e.payload["days_attended"]) for e in event] == [(False, 0)]
    assert again.status_code == 409


async def test_the_order_carries_the_obligated_living_allowance_and_the_ecl_exemption(
    world: World, bus: Bus, until: Until
) -> None:
    iso3 = await world.fresh_country()
    klass = await world.catalog()
    await world.country(iso3, exempt=[klass.fiscal_year])
    nomination, _ = await to_ready(
        world, bus, until, klass=klass, country=iso3, register_country=False,
        candidate={"english_tests": []},
    )  # fmt: skip

    response = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", iso3)
    )
    pdf = await world.client.get(
        f"{BASE}/{nomination['id']}/ito/1.pdf", headers=world.as_("sco", iso3)
    )

    content = response.json()["content"]
    assert content["funding"]["living_allowance"] == {
        "lodging_per_day": "150.00", "meals_per_day": "64.29", "incidentals_per_day": "11.00",
        "days": 40, "total": "9000.00",
    }  # fmt: skip
    assert content["english"] == {"test": "ecl", "min_score": 80, "tested_on_arrival": True}
    text = pdf_text(pdf.content)
    assert "tested on arrival" in text
    assert "incidentals 11.00" in text
