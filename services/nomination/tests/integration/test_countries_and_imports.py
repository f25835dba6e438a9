"""Country reference data (sanctions, ECL exemptions) and the bulk import of a program."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from services.nomination.tests.integration.support import (
    BASE,
    TODAY,
    World,
    passport,
)

WAIT = {"Prefer": "wait=20"}  # answer 200 with the finished job (ADR 0128)


async def test_an_admin_creates_and_replaces_a_country_keeping_every_version(world: World) -> None:
    iso3, admin = await world.fresh_country(), world.as_("admin")
    url = f"{BASE}/countries/{iso3}"
    body = {"name": "Testland", "sanctioned": False, "ecl_exempt_fiscal_years": [2027]}

    created = await world.client.put(url, json=body, headers=admin)
    blind = await world.client.put(url, json={**body, "ecl_exempt_fiscal_years": []}, headers=admin)
    replaced = await world.client.put(
        url,
        json={**body, "ecl_exempt_fiscal_years": []},
        headers={**admin, "If-Match": created.headers["ETag"]},
    )
    revisions = await world.client.get(f"{url}/revisions", headers=world.as_("auditor"))

    assert (created.status_code, blind.status_code, replaced.status_code) == (201, 428, 200)
    assert replaced.json()["ecl_exempt_fiscal_years"] == []
    assert [(r["version"], r["ecl_exempt_fiscal_years"]) for r in revisions.json()["items"]] == [
        (1, [2027]), (2, []),
    ]  # fmt: skip


async def test_only_admins_change_country_reference_data(world: World) -> None:
    response = await world.client.put(
        f"{BASE}/countries/{await world.fresh_country()}",
        json={"name": "X"},
        headers=world.as_("sco", "GTM"),
    )

    assert response.status_code == 403


async def test_imposing_sanctions_cancels_the_countrys_open_nominations(world: World) -> None:
    iso3 = await world.fresh_country()
    klass = await world.catalog()
    await world.country(iso3)
    submitted = await world.submitted(klass, country=iso3)
    draft = await world.draft(klass, country=iso3)
    url, admin = f"{BASE}/countries/{iso3}", world.as_("admin")
    etag = (await world.client.get(url, headers=admin)).headers["ETag"]

    response = await world.client.put(
        url, json={"name": "Testland", "sanctioned": True, "sanctions_reason": "loan default"},
        headers={**admin, "If-Match": etag},
    )  # fmt: skip

    after = [await world.get(n["id"], iso3) for n in (submitted, draft)]
    cancelled = [e for e in await world.outbox(submitted["id"]) if e.type.endswith(".cancelled.v1")]
    assert response.json()["nominations_cancelled"] == 2
    assert [(n["status"], n["status_reason"]) for n in after] == [
        ("cancelled", "sanctions_imposed")
    ] * 2
    assert after[0]["compensations"] == {
        "seat_release": "pending",
        "vetting_cancellation": "pending",
    }
    assert cancelled[0].payload["reason"] == "sanctions"


def row(klass: Any, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "family_names": "QUISPE MAMANI", "given_names": "Rosa", "sex": "F",
        "date_of_birth": "1989-05-06", "place_of_birth": "Cusco", "country": "GTM",
        "service": "navy", "rank": "Teniente", "pay_grade": "O-2", "unit_name": "Flotilla 2",
        "position": "Navigator", "passport_number": passport(), "english_test": "ecl",
        "english_score": 88, "english_test_date": (TODAY - timedelta(days=10)).isoformat(),
        "class_id": str(klass.class_id), "fiscal_year": klass.fiscal_year, "funding_source": "imet",
        "medical_cleared_on": "2026-10-01", "medical_reference": "MED-9",
        "security_screened_on": "2026-10-02", "security_reference": "SEC-9",
    }  # fmt: skip
    values.update(changes)
    return values


async def test_an_import_creates_valid_rows_and_rejects_invalid_ones_with_reasons(
    world: World,
) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    first = row(klass)
    rows = [
        first,
        row(klass, pay_grade="general"),
        row(klass, class_id="not-a-uuid"),
        row(klass, country="COL"),
        row(klass, passport_number=first["passport_number"], given_names="Pedro"),
        row(klass, given_names="Pedro"),
    ]

    response = await world.client.post(
        f"{BASE}/imports", json={"rows": rows}, headers={**world.as_("sco", "GTM"), **WAIT}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "completed"
    assert (body["created"], body["existing"], body["rejected"]) == (2, 0, 4)
    assert [line["status"] for line in body["lines"]] == [
        "created", "rejected", "rejected", "rejected", "rejected", "created",
    ]  # fmt: skip
    assert body["lines"][1]["errors"][0]["field"] == "pay_grade"
    assert body["lines"][2]["errors"][0]["field"] == "class_id"
    assert body["lines"][3]["errors"][0]["code"] == "forbidden"
    assert body["lines"][4]["errors"][0]["code"] == "candidate-mismatch"
    assert "general" not in str(body["lines"][1]["errors"])  # errors never echo the values


async def test_reuploading_the_same_file_creates_nothing_and_reports_the_existing_ids(
    world: World,
) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    rows = [row(klass), row(klass)]
    sco = {**world.as_("sco", "GTM"), **WAIT}

    first = await world.client.post(f"{BASE}/imports", json={"rows": rows}, headers=sco)
    same_file = await world.client.post(f"{BASE}/imports", json={"rows": rows}, headers=sco)
    reordered = await world.client.post(f"{BASE}/imports", json={"rows": rows[::-1]}, headers=sco)

    assert same_file.json()["id"] == first.json()["id"]  # the same file: the same job
    assert same_file.headers["location"] == first.headers["location"]
    assert [line["status"] for line in reordered.json()["lines"]] == ["existing", "existing"]
    assert [line["nomination_id"] for line in reordered.json()["lines"]][::-1] == [
        line["nomination_id"] for line in first.json()["lines"]
    ]
    listed = await world.client.get(BASE, params={"class_id": str(klass.class_id)}, headers=sco)
    assert len(listed.json()["items"]) == 2


async def test_a_csv_import_with_submit_puts_valid_rows_in_the_pipeline(world: World) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    rows = [row(klass), row(klass, english_score=60, given_names="Elena")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    response = await world.client.post(
        f"{BASE}/imports", params={"submit": "true"}, content=buffer.getvalue().encode(),
        headers={**world.as_("sco", "GTM"), "Content-Type": "text/csv", **WAIT},
    )  # fmt: skip

    lines = response.json()["lines"]
    assert [(line["status"], line["nomination_status"]) for line in lines] == [
        ("created", "submitted"), ("rejected", None),
    ]  # fmt: skip
    assert [e["code"] for e in lines[1]["errors"]] == ["ecl-below-minimum"]
    assert lines[1]["candidate_id"] is None  # a rejected row stores nothing, not even the candidate


async def test_an_import_in_an_unknown_format_or_with_unknown_columns_is_refused(
    world: World,
) -> None:
    sco = world.as_("sco", "GTM")

    xml = await world.client.post(
        f"{BASE}/imports", content=b"<rows/>", headers={**sco, "Content-Type": "application/xml"}
    )
    columns = await world.client.post(
        f"{BASE}/imports",
        content=b"family_names,shoe_size\nA,42\n",
        headers={**sco, "Content-Type": "text/csv"},
    )

    assert xml.status_code == 415
    assert columns.status_code == 400
    assert "shoe_size" in columns.json()["detail"]


async def test_the_demo_seed_loads_the_countries_once(world: World, make_runtime: Any) -> None:
    from nomination.seed import COUNTRIES, seed

    runtime = await make_runtime("nomination")
    await seed(runtime)
    again = await seed(runtime)
    mali = await world.client.get(f"{BASE}/countries/MLI", headers=world.as_("auditor"))
    listed = await world.client.get(f"{BASE}/countries", headers=world.as_("auditor"))

    assert again == f"0 countries added ({len(COUNTRIES)} already present)"
    assert mali.json()["sanctioned"] is True
    assert set(COUNTRIES) <= {c["iso3"] for c in listed.json()["items"]}
