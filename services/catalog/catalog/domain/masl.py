"""MASL numbers: one implementing-agency letter and six digits, e.g. `D177014`."""

from __future__ import annotations

import re
from enum import StrEnum

from catalog.domain.errors import InvalidMaslNumber

_MASL = re.compile(r"[BDPMZQ][0-9]{6}")


class Agency(StrEnum):
    """The implementing agency, named by the first letter of a MASL number."""

    ARMY = "army"
    AIR_FORCE = "air_force"
    NAVY = "navy"
    MARINE_CORPS = "marine_corps"
    COAST_GUARD = "coast_guard"
    OTHER_DOD = "other_dod"


AGENCY_BY_LETTER: dict[str, Agency] = {
    "B": Agency.ARMY,
    "D": Agency.AIR_FORCE,
    "P": Agency.NAVY,
    "M": Agency.MARINE_CORPS,
    "Z": Agency.COAST_GUARD,
    "Q": Agency.OTHER_DOD,
}

MASL_RULE = (
    "a MASL number is one implementing-agency letter (B Army, D Air Force, P Navy, "
    "M Marine Corps, Z Coast Guard, Q other DoD) followed by 6 digits, e.g. D177014"
)


def is_masl(value: str) -> bool:
    return _MASL.fullmatch(value) is not None


def validate_masl(value: str) -> str:
    """The MASL number itself when well-formed; InvalidMaslNumber otherwise (no guessing: an
    agency letter in lower case or a missing digit is refused, not repaired)."""
    if not is_masl(value):
        raise InvalidMaslNumber(f"Malformed MASL number: {MASL_RULE}.")
    return value


def agency_of(masl_id: str) -> Agency:
    return AGENCY_BY_LETTER[validate_masl(masl_id)[0]]
