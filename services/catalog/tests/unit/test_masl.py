"""MASL numbers: one implementing-agency letter and six ASCII digits, nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.domain.errors import InvalidMaslNumber
from catalog.domain.masl import Agency, agency_of, validate_masl

LETTERS = {
    "B": Agency.ARMY,
    "D": Agency.AIR_FORCE,
    "P": Agency.NAVY,
    "M": Agency.MARINE_CORPS,
    "Z": Agency.COAST_GUARD,
    "Q": Agency.OTHER_DOD,
}


@given(letter=st.sampled_from(sorted(LETTERS)), number=st.integers(0, 999_999))
def test_an_agency_letter_and_six_digits_is_a_masl_number_of_that_agency(
    letter: str, number: int
) -> None:
    masl = f"{letter}{number:06d}"

    accepted = validate_masl(masl)

    assert accepted == masl
    assert agency_of(masl) is LETTERS[letter]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "D17701",
        "D1770140",
        "d177014",
        "A177014",
        "DD77014",
        " D177014",
        "D177014 ",
        "D177014\n",
        "D17701X",
        "D\uff11\uff17\uff17\uff10\uff11\uff14",
        "177014D",
    ],
)
def test_anything_else_is_refused_with_the_rule_in_the_message(value: str) -> None:
    with pytest.raises(InvalidMaslNumber) as refused:
        validate_masl(value)

    assert refused.value.code == "invalid-masl-number"
    assert "B Army, D Air Force, P Navy" in refused.value.detail


@given(st.text(max_size=12))
def test_a_string_is_accepted_exactly_when_it_has_the_masl_shape(value: str) -> None:
    shaped = re.fullmatch(r"[BDPMZQ][0-9]{6}", value, flags=re.ASCII) is not None

    try:
        validate_masl(value)
        accepted = True
    except InvalidMaslNumber:
        accepted = False

    assert accepted == shaped
