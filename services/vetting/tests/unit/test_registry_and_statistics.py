"""Registry matching and remediation; turnaround statistics in working days."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from vetting.domain.errors import AlreadyRemediated
from vetting.domain.registry import RegistryEntry, unit_key
from vetting.domain.statistics import (
    DecisionSpan,
    median_turnaround,
    median_turnaround_by_country,
)

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def _entry(unit_name: str = "Fuerza de Tarea  Ejemplo", country: str = "GTM") -> RegistryEntry:
    return RegistryEntry(
        id=uuid.uuid4(),
        country=country,
        unit_name=unit_name,
        source_reference="INVEST 2026-1",
        summary=None,
        added_by="vetter-a",
        added_at=NOW,
    )


def test_unit_names_match_ignoring_case_and_spacing() -> None:
    assert unit_key("  1st   INFANTRY\tBattalion ") == "1st infantry battalion"
    assert unit_key("\uff35\uff2e\uff29\uff34 7") == "unit 7"  # full-width letters


def test_an_active_entry_matches_the_same_unit_of_the_same_country_only() -> None:
    entry = _entry()

    assert entry.matches("GTM", "fuerza de tarea ejemplo")
    assert not entry.matches("HND", "Fuerza de Tarea Ejemplo")
    assert not entry.matches("GTM", "Fuerza de Tarea Ejemplo 2")


def test_remediation_deactivates_the_entry_and_keeps_it() -> None:
    entry = _entry()

    remediated = entry.remediate(
        notes="Unit reconstituted.", reference="DRL-1", by="vetter-b", at=NOW
    )

    assert not remediated.active
    assert not remediated.matches("GTM", entry.unit_name)
    assert (remediated.id, remediated.version) == (entry.id, entry.version + 1)


def test_an_entry_is_remediated_only_once() -> None:
    remediated = _entry().remediate(notes="Done.", reference=None, by="vetter-b", at=NOW)

    with pytest.raises(AlreadyRemediated):
        remediated.remediate(notes="Again.", reference=None, by="vetter-b", at=NOW)


def test_the_median_turnaround_is_counted_in_working_days_per_country() -> None:
    spans = [
        DecisionSpan("GTM", date(2026, 11, 20), date(2026, 11, 27)),  # Thanksgiving between: 4
        DecisionSpan("GTM", date(2026, 11, 20), date(2026, 12, 7)),  # 10
        DecisionSpan("HND", date(2026, 11, 30), date(2026, 11, 30)),  # same day: 0
    ]

    by_country = median_turnaround_by_country(spans)

    assert by_country == {"GTM": (2, 7.0), "HND": (1, 0.0)}
    assert median_turnaround(spans) == 4.0
    assert median_turnaround([]) is None
