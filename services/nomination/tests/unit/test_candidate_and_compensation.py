"""The person fingerprint, candidate completeness, expected compensations, settings."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from nomination.domain import compensation
from nomination.domain.candidate import Person, missing_fields, normalize_name, person_fingerprint
from nomination.domain.machine import Fact, Progress
from nomination.domain.states import Funding, Seat, State, Vetting
from nomination.settings import DEV_FINGERPRINT_KEY, NominationSettings

KEY = b"k" * 32
PERSON = Person("PÉREZ GARCÍA", "María-José", "GTM", date_of_birth=date(1990, 4, 12))


def test_two_typings_of_the_same_passport_name_give_one_fingerprint() -> None:
    retyped = Person("perez  garcia", "MARIA JOSE", "GTM", date_of_birth=date(1990, 4, 12))

    assert person_fingerprint(KEY, PERSON) == person_fingerprint(KEY, retyped)


def test_another_date_of_birth_country_or_key_gives_another_fingerprint() -> None:
    base = person_fingerprint(KEY, PERSON)

    others = {
        person_fingerprint(
            KEY, Person("PÉREZ GARCÍA", "María-José", "GTM", date_of_birth=date(1990, 4, 13))
        ),
        person_fingerprint(
            KEY, Person("PÉREZ GARCÍA", "María-José", "COL", date_of_birth=date(1990, 4, 12))
        ),
        person_fingerprint(b"x" * 32, PERSON),
    }

    assert base not in others
    assert len(others) == 3


def test_a_fingerprint_holds_nothing_readable_of_the_person() -> None:
    fingerprint = person_fingerprint(KEY, PERSON) or ""

    assert len(fingerprint) == 64
    assert "perez" not in fingerprint
    assert "1990" not in fingerprint


def test_no_fingerprint_until_the_date_of_birth_is_known() -> None:
    assert person_fingerprint(KEY, Person("A", "B", "GTM")) is None


@given(st.text(max_size=40))
def test_normalizing_a_name_twice_changes_nothing(name: str) -> None:
    once = normalize_name(name)

    assert normalize_name(once) == once


def test_a_draft_candidate_lists_what_a_submission_still_needs() -> None:
    assert missing_fields(PERSON) == [
        "sex", "place_of_birth", "service", "rank", "pay_grade", "unit_name", "position",
        "passport_number",
    ]  # fmt: skip


def test_a_withdrawal_in_funding_waits_for_seat_release_and_deobligation() -> None:
    before = Progress(State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED)

    assert compensation.expected(before) == {
        "seat_release": "pending",
        "deobligation": "pending",
    }


def test_a_withdrawal_under_vetting_also_waits_for_the_case_to_be_cancelled() -> None:
    before = Progress(State.VETTING, Seat.WAITLISTED, Vetting.PENDING, Funding.NONE)

    assert compensation.expected(before) == {
        "seat_release": "pending",
        "vetting_cancellation": "pending",
    }


def test_a_denial_after_re_vetting_waits_for_the_seat_and_the_money_but_not_the_case() -> None:
    before = Progress(State.VETTING, Seat.CONFIRMED, Vetting.PENDING, Funding.OBLIGATED)

    steps = compensation.after_denial(before)

    assert steps == {"seat_release": "pending", "deobligation": "pending"}


def test_a_denial_before_funding_waits_only_for_the_seat() -> None:
    before = Progress(State.VETTING, Seat.HELD, Vetting.PENDING, Funding.NONE)

    assert compensation.after_denial(before) == {"seat_release": "pending"}


def test_a_withdrawn_draft_waits_for_nothing() -> None:
    assert compensation.expected(Progress(State.DRAFT)) == {}


def test_the_owners_events_confirm_compensations_once() -> None:
    steps = {"seat_release": "pending", "deobligation": "pending"}

    released = compensation.confirm(steps, Fact.SEAT_RELEASED)
    again = compensation.confirm(released or {}, Fact.SEAT_RELEASED)

    assert released == {"seat_release": "confirmed", "deobligation": "pending"}
    assert again is None


def test_a_funding_request_refused_after_withdrawal_needs_no_deobligation() -> None:
    steps = {"deobligation": "pending"}

    assert compensation.confirm(steps, Fact.OBLIGATION_REJECTED) == {"deobligation": "not_needed"}


def test_production_refuses_the_dev_fingerprint_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMET_ENV", "production")
    monkeypatch.setenv("AUTH_JWKS_URL", "https://issuer.example/jwks")

    with pytest.raises(ValidationError, match="PERSON_FINGERPRINT_KEY"):
        NominationSettings(database_url="postgresql://u:p@db/imet")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="PERSON_FINGERPRINT_KEY"):
        NominationSettings(
            database_url="postgresql://u:p@db/imet",  # type: ignore[arg-type]
            person_fingerprint_key=DEV_FINGERPRINT_KEY,  # type: ignore[arg-type]
        )


def test_production_accepts_a_real_fingerprint_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMET_ENV", "production")
    monkeypatch.setenv("AUTH_JWKS_URL", "https://issuer.example/jwks")
    monkeypatch.setenv("NOMINATION_PERSON_FINGERPRINT_KEY", "s" * 40)

    settings = NominationSettings(database_url="postgresql://u:p@db/imet")  # type: ignore[arg-type]

    assert settings.config().fingerprint_key == b"s" * 40
    assert settings.config().rules.ecl_validity_days == 105


def test_a_change_of_a_vetted_fact_is_named_and_other_fields_are_not() -> None:
    from nomination.domain.candidate import changed_vetted_fields

    before = {"family_names": "PÉREZ", "given_names": "Ana", "unit_name": "Brigada 1",
              "rank": "Capitán", "position": "S3"}  # fmt: skip

    assert changed_vetted_fields(before, {"unit_name": "Brigada 2", "position": "S2"}) == [
        "unit_name"
    ]
    assert changed_vetted_fields(before, {"family_names": "perez"}) == []
    assert changed_vetted_fields(before, {"rank": "Mayor", "given_names": "Ana María"}) == [
        "given_names", "rank",
    ]  # fmt: skip
    assert changed_vetted_fields(before, {"position": "S2"}) == []


def test_new_names_need_a_new_passport_number_once_one_is_on_file() -> None:
    from nomination.domain.candidate import name_change_unbacked

    on_file = {"family_names": "PÉREZ", "given_names": "Ana", "passport_number": "G1"}

    assert name_change_unbacked(on_file, {"family_names": "LÓPEZ"})
    assert name_change_unbacked(on_file, {"family_names": "LÓPEZ", "passport_number": "G1"})
    assert not name_change_unbacked(on_file, {"family_names": "LÓPEZ", "passport_number": "G2"})
    assert not name_change_unbacked(on_file, {"family_names": "perez"})
    assert not name_change_unbacked({**on_file, "passport_number": None}, {"family_names": "X"})
