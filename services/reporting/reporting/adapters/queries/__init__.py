"""The read side: what the report routes read (facts as domain objects, filtered in SQL).

Routes read only through this package. `aggregated` reads the reports' aggregates from the
pre-aggregated projections (what the routes use, ADR 0140); `facts` loads the read model's
facts, or aggregates them in SQL (ADR 0125: the reference the projections are tested
against); `status` says how current the read model is.
"""

from reporting.adapters.queries import aggregated
from reporting.adapters.queries.facts import (
    ReportFilters,
    allocations,
    cases,
    countries,
    courses,
    fmtr_aggregates,
    funnel_aggregates,
    line_sums,
    lines,
    nominations,
    spans,
    turnaround_groups,
)
from reporting.adapters.queries.status import TopicStatus, topic_status

__all__ = [
    "ReportFilters",
    "TopicStatus",
    "aggregated",
    "allocations",
    "cases",
    "countries",
    "courses",
    "fmtr_aggregates",
    "funnel_aggregates",
    "line_sums",
    "lines",
    "nominations",
    "spans",
    "topic_status",
    "turnaround_groups",
]
