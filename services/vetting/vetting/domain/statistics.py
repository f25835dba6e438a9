"""Vetting workload and turnaround figures (DOMAIN: open, overdue, median days to decision).

Turnaround is counted in working days from the start of a vetting cycle (the day the case
opened, or was re-opened) to the day its first human result took effect (approved, suspended
or denied; for a confirmed decision, the day of the confirmation). Automatic results and
cancellations are not vetting work and are left out of the median.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from vetting.domain.calendar import working_days_between


@dataclass(frozen=True)
class DecisionSpan:
    country: str
    cycle_started_on: date
    effective_on: date


def turnaround(span: DecisionSpan) -> int:
    return working_days_between(span.cycle_started_on, span.effective_on)


def median_turnaround_by_country(spans: Iterable[DecisionSpan]) -> dict[str, tuple[int, float]]:
    """Country -> (decisions counted, median working days to decision)."""
    by_country: dict[str, list[int]] = {}
    for span in spans:
        by_country.setdefault(span.country, []).append(turnaround(span))
    return {
        c: (len(days), float(statistics.median(days))) for c, days in sorted(by_country.items())
    }


def median_turnaround(spans: Iterable[DecisionSpan]) -> float | None:
    """The median working days to decision over all countries (None without decisions)."""
    days = [turnaround(span) for span in spans]
    return float(statistics.median(days)) if days else None
