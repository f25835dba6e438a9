"""A candidate (International Military Student): completeness, identity fingerprint, redaction.

The fingerprint lets vetting recognise the same person across nominations without learning who
it is (ADR 0005): HMAC-SHA256 under a secret key of the normalized family names, given names,
date of birth and country. Normalization removes what varies between two typings of one passport
(case, accents, punctuation, spacing), so "María-José  PÉREZ" and "maria jose perez" agree.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

from nomination.domain.reference import EnglishTestType

# Fields that identify the person; returned only to roles that need them (ADR 0005).
PERSONAL_FIELDS = ("date_of_birth", "place_of_birth", "passport_number")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class EnglishTestResult:
    test: EnglishTestType
    score: int
    taken_on: date


@dataclass(frozen=True)
class Person:
    family_names: str
    given_names: str
    country: str
    sex: str | None = None
    date_of_birth: date | None = None
    place_of_birth: str | None = None
    service: str | None = None
    rank: str | None = None
    pay_grade: str | None = None
    unit_name: str | None = None
    position: str | None = None
    passport_number: str | None = None
    english_tests: tuple[EnglishTestResult, ...] = ()


# Every field of a Person except the English tests (the course decides whether one is needed).
REQUIRED_FOR_SUBMISSION = tuple(f.name for f in fields(Person) if f.name != "english_tests")


def missing_fields(person: Person) -> list[str]:
    """The fields a submission needs that the candidate does not have yet (drafts may lack them)."""
    return [name for name in REQUIRED_FOR_SUBMISSION if getattr(person, name) in (None, "")]


def normalize_name(value: str) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub(" ", stripped.casefold()).strip()


def person_fingerprint(key: bytes, person: Person) -> str | None:
    """The keyed fingerprint of the person (hex), or None until the date of birth is known."""
    if person.date_of_birth is None:
        return None
    message = "|".join(
        (
            normalize_name(person.family_names),
            normalize_name(person.given_names),
            person.date_of_birth.isoformat(),
            person.country,
        )
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


# The facts Leahy vetting decides on (the person and the unit): a change re-opens vetting.
VETTED_FIELDS = (
    "family_names",
    "given_names",
    "date_of_birth",
    "place_of_birth",
    "unit_name",
    "unit_id",
    "service",
    "rank",
)
NAME_FIELDS = ("family_names", "given_names")


def changed_vetted_fields(before: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    """The vetted fields `values` changes (a name typed the same way again is no change)."""
    changed = []
    for name in VETTED_FIELDS:
        if name not in values or values[name] == before.get(name):
            continue
        if name in NAME_FIELDS and normalize_name(values[name]) == normalize_name(before[name]):
            continue
        changed.append(name)
    return changed


def name_change_unbacked(before: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """A name change of a person with a passport on file needs a new passport number: the names
    are exactly as on the passport, so new names mean a new passport."""
    renamed = any(n in changed_vetted_fields(before, values) for n in NAME_FIELDS)
    passport = before.get("passport_number")
    return renamed and passport is not None and values.get("passport_number", passport) == passport


def english_tests_of(raw: list[dict[str, Any]]) -> tuple[EnglishTestResult, ...]:
    """The stored English results (`{"test", "score", "taken_on"}`) as values."""
    return tuple(
        EnglishTestResult(
            test=t["test"], score=int(t["score"]), taken_on=date.fromisoformat(str(t["taken_on"]))
        )
        for t in raw
    )


@dataclass(frozen=True)
class Candidate:
    """A registered candidate (personal data: ADR 0005). `vetted_revision` grows with every change
    of a vetted fact, so a vetting decision on an older revision is recognised as stale."""

    id: UUID
    country: str
    family_names: str
    given_names: str
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    sex: str | None = None
    date_of_birth: date | None = None
    place_of_birth: str | None = None
    service: str | None = None
    rank: str | None = None
    pay_grade: str | None = None
    unit_name: str | None = None
    position: str | None = None
    passport_number: str | None = None
    english_tests: list[dict[str, Any]] = field(default_factory=list)
    person_fingerprint: str | None = None
    vetted_revision: int = 0
    unit_id: UUID | None = None

    @property
    def person(self) -> Person:
        """The domain's view of the person (what the rules and the fingerprint read)."""
        return Person(
            family_names=self.family_names,
            given_names=self.given_names,
            country=self.country,
            sex=self.sex,
            date_of_birth=self.date_of_birth,
            place_of_birth=self.place_of_birth,
            service=self.service,
            rank=self.rank,
            pay_grade=self.pay_grade,
            unit_name=self.unit_name,
            position=self.position,
            passport_number=self.passport_number,
            english_tests=english_tests_of(self.english_tests),
        )

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
