"""Submitting a nomination: validation at the door, each rule, nothing stored on failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.nomination.tests.integration.support import BASE, TODAY, World
from shared.contracts.catalog.v1 import EnglishRequirementV1


async def test_a_valid_draft_is_submitted_and_announced_without_personal_data(world: World) -> None:
    draft = await world.draft()

    response = await world.client.post(
        f"{BASE}/{draft['id']}/submit", headers=world.as_("sco", "GTM")
    )
    events = await world.outbox(draft["id"])

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    submitted = next(e for e in events if e.type == "imet.nomination.submitted.v1")
    assert len(submitted.payload["person_fingerprint"]) == 64
    assert submitted.payload["candidate_id"] == draft["candidate_id"]
    assert "family_names" not in submitted.payload
    assert [e.type.split(".")[2] for e in events] == ["created", "state_changed", "submitted"]


async def problems_of(world: World, draft: dict[str, Any]) -> tuple[int, list[str], dict[str, Any]]:
    response = await world.client.post(
        f"{BASE}/{draft['id']}/submit", headers=world.as_("sco", draft["country"])
    )
    body = response.json()
    after = await world.get(draft["id"], draft["country"])
    return response.status_code, sorted(e["code"] for e in body.get("errors", [])), after


async def assert_refused_and_nothing_stored(
    world: World, draft: dict[str, Any], expected: list[str]
) -> None:
    status, codes, after = await problems_of(world, draft)

    assert status == 422
    assert codes == expected
    assert after["status"] == "draft"
    assert after["version"] == draft["version"]
    assert await world.published_types(draft["id"]) == ["created"]


async def test_an_ecl_score_below_the_course_minimum_is_refused_at_submission(world: World) -> None:
    low = [{"test": "ecl", "score": 79, "taken_on": TODAY.isoformat()}]

    draft = await world.draft(candidate={"english_tests": low})

    await assert_refused_and_nothing_stored(world, draft, ["ecl-below-minimum"])


async def test_an_ecl_score_older_than_its_validity_is_refused_at_submission(world: World) -> None:
    old = [{"test": "ecl", "score": 95, "taken_on": (TODAY - timedelta(days=106)).isoformat()}]

    draft = await world.draft(candidate={"english_tests": old})

    await assert_refused_and_nothing_stored(world, draft, ["ecl-missing"])


async def test_a_course_requiring_toefl_refuses_a_candidate_with_only_an_ecl(world: World) -> None:
    course = world.course_event(
        english_requirement=EnglishRequirementV1(test="toefl_ibt", min_score=83)
    )

    draft = await world.draft(await world.catalog(course))

    await assert_refused_and_nothing_stored(world, draft, ["toefl_ibt-missing"])


async def test_students_of_an_exempt_country_need_no_ecl_at_submission(world: World) -> None:
    iso3 = await world.fresh_country()
    klass = await world.catalog()
    await world.country(iso3, exempt=[klass.fiscal_year])

    draft = await world.draft(klass, country=iso3, candidate={"english_tests": []})
    status, codes, after = await problems_of(world, draft)

    assert (status, codes) == (200, [])
    assert after["status"] == "submitted"


async def test_a_closed_class_is_refused_at_submission(world: World) -> None:
    draft = await world.draft(await world.catalog(status="closed"))

    await assert_refused_and_nothing_stored(world, draft, ["class-not-open"])


async def test_a_fiscal_year_other_than_the_classes_is_refused_at_submission(world: World) -> None:
    klass = await world.catalog()

    draft = await world.draft(klass, fiscal_year=klass.fiscal_year - 1)

    await assert_refused_and_nothing_stored(world, draft, ["fiscal-year-mismatch"])


async def test_eimet_funding_for_an_uncertified_course_is_refused_at_submission(
    world: World,
) -> None:
    klass = await world.catalog(world.course_event(eimet_certified_on=None))

    draft = await world.draft(klass, funding_source="eimet")

    await assert_refused_and_nothing_stored(world, draft, ["course-not-eimet-certified"])


async def test_eimet_funding_after_the_certification_lapsed_is_refused(world: World) -> None:
    lapsed = TODAY.replace(year=TODAY.year - 6)
    klass = await world.catalog(world.course_event(eimet_certified_on=lapsed))

    draft = await world.draft(klass, funding_source="eimet")

    await assert_refused_and_nothing_stored(world, draft, ["eimet-certification-lapsed"])


async def test_a_country_under_sanctions_cannot_submit(world: World) -> None:
    iso3 = await world.fresh_country()
    draft = await world.draft(country=iso3)

    await world.country(iso3, sanctioned=True)

    await assert_refused_and_nothing_stored(world, draft, ["country-sanctioned"])


async def test_a_country_missing_from_the_reference_data_cannot_submit(world: World) -> None:
    draft = await world.draft(country=await world.fresh_country(), register_country=False)

    await assert_refused_and_nothing_stored(world, draft, ["country-not-registered"])


async def test_an_incomplete_candidate_is_refused_with_every_missing_field(world: World) -> None:
    draft = await world.draft(candidate={"date_of_birth": None, "unit_name": None})

    await assert_refused_and_nothing_stored(
        world, draft, ["candidate-incomplete", "candidate-incomplete"]
    )


async def test_the_same_person_cannot_hold_two_active_nominations_for_one_class(
    world: World,
) -> None:
    klass = await world.catalog()
    first = await world.submitted(klass)
    first_candidate = (
        await world.client.get(
            f"{BASE}/candidates/{first['candidate_id']}", headers=world.as_("sco", "GTM")
        )
    ).json()
    same_person = {k: first_candidate[k] for k in ("family_names", "given_names", "date_of_birth")}

    second = await world.draft(klass, candidate=same_person)

    await assert_refused_and_nothing_stored(world, second, ["duplicate-nomination"])


async def test_a_class_unknown_to_the_catalog_read_model_is_refused(world: World) -> None:
    unknown = world.class_event("D123456")

    draft = await world.draft(unknown, masl_id="D123456")

    await assert_refused_and_nothing_stored(world, draft, ["class-unknown"])


async def test_every_failed_rule_is_listed_in_one_problem_document(world: World) -> None:
    klass = await world.catalog(world.course_event(eimet_certified_on=None))
    draft = await world.draft(
        klass,
        fiscal_year=klass.fiscal_year + 1,
        funding_source="eimet",
        candidate={"english_tests": []},
    )

    response = await world.client.post(
        f"{BASE}/{draft['id']}/submit", headers=world.as_("sco", "GTM")
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/nomination-invalid")
    assert {e["code"] for e in response.json()["errors"]} == {
        "fiscal-year-mismatch", "ecl-missing", "course-not-eimet-certified"
    }  # fmt: skip
