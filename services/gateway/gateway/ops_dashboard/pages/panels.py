"""The dashboard and its panels: the pipeline funnel, ceilings vs obligated, vetting ageing, the
services' backlog and lag, the dead letters and this week's travel-order recalls."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from gateway.ops_dashboard.markup import Safe, html
from gateway.ops_dashboard.pages.layout import (
    BASE,
    _figure,
    _meter,
    _number,
    _seconds,
    _section,
    _table,
    _unavailable,
    layout,
)
from gateway.ops_dashboard.sources import FUNNEL, OFF_RAMPS, Figures, Part, ServiceHealth
from shared.auth.principal import Principal


def funnel_section(part: Part[dict[str, float]]) -> Safe:
    if part.value is None:
        return _section("funnel", "Pipeline funnel", _unavailable(part))
    counts = part.value
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    rows = [
        (
            state.replace("_", " "),
            _figure(f"state-{state}", counts.get(state, 0)),
            _meter(counts.get(state, 0), top),
        )
        for state in (*FUNNEL, *OFF_RAMPS, *sorted(set(counts) - {*FUNNEL, *OFF_RAMPS}))
    ]
    content = html(
        "<p>Nominations: {total}</p>{table}",
        total=_figure("nominations-total", total),
        table=_table(("State", "Nominations", ""), rows, empty="No nominations."),
    )
    return _section(
        "funnel",
        "Pipeline funnel",
        content,
        "Nominations per state (nomination service, imet_aggregates_by_state).",
    )


def balances_section(part: Part[list[dict[str, Any]]]) -> Safe:
    if part.value is None:
        return _section("funding", "Ceilings vs obligated", _unavailable(part))
    rows = []
    obligated_total = Decimal(0)
    for b in part.value:
        allocated = _decimal(b.get("allocated"))
        obligated = _decimal(b.get("obligated"))
        obligated_total += obligated
        rows.append(
            (
                b.get("country"),
                b.get("fiscal_year"),
                _number(b.get("allocated")),
                _number(b.get("obligated")),
                _number(b.get("available")),
                _meter(float(obligated), float(allocated)),
            )
        )
    content = html(
        "<p>Obligated, all countries: {total}</p>{table}",
        total=_figure("obligated-total", f"{obligated_total:.2f}"),
        table=_table(
            ("Country", "FY", "Ceiling (allocated)", "Obligated", "Available", "Used"),
            rows,
            empty="No allocations.",
        ),
    )
    return _section(
        "funding",
        "Ceilings vs obligated",
        content,
        "Per country and fiscal year (funding balances, newest fiscal year first).",
    )


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def vetting_section(part: Part[dict[str, Any]]) -> Safe:
    if part.value is None:
        return _section("vetting", "Vetting ageing", _unavailable(part))
    s = part.value
    totals = html(
        '<dl class="totals"><div><dt>Open</dt><dd>{open}</dd></div>'
        "<div><dt>Pending confirmation</dt><dd>{pending}</dd></div>"
        "<div><dt>Suspended</dt><dd>{suspended}</dd></div>"
        "<div><dt>Overdue</dt><dd>{overdue}</dd></div>"
        "<div><dt>Median working days to a decision</dt><dd>{median}</dd></div></dl>",
        open=_figure("vetting-open", s.get("open")),
        pending=_figure("vetting-pending", s.get("pending_confirmation")),
        suspended=_figure("vetting-suspended", s.get("suspended")),
        overdue=_figure("vetting-overdue", s.get("overdue")),
        median=_figure("vetting-median", s.get("median_working_days_to_decision")),
    )
    rows = [
        (
            c.get("country"),
            _number(c.get("open")),
            _number(c.get("pending_confirmation")),
            _number(c.get("suspended")),
            _number(c.get("overdue")),
            _number(c.get("median_working_days_to_decision")),
        )
        for c in s.get("by_country", [])
    ]
    table = _table(
        ("Country", "Open", "Pending", "Suspended", "Overdue", "Median days"),
        rows,
        empty="No vetting cases.",
    )
    return _section(
        "vetting",
        "Vetting ageing",
        html("{t}{b}", t=totals, b=table),
        html("As of {d} (vetting statistics).", d=s.get("as_of")),
    )


def services_section(services: Mapping[str, Part[ServiceHealth]]) -> Safe:
    rows = []
    for name, part in services.items():
        h = part.value
        if h is None:
            rows.append(
                (
                    name,
                    Safe('<span class="unavailable">unavailable</span>'),
                    "",
                    "",
                    "",
                    "",
                    part.error,
                )
            )
            continue
        leader = "-" if h.relay_leader is None else ("yes" if h.relay_leader else "NO")
        rows.append(
            (
                name,
                _figure(f"backlog-{name}", h.backlog_rows),
                _seconds(h.oldest_unpublished_seconds),
                _figure(f"lag-{name}", h.lag_records),
                _seconds(h.last_applied_seconds),
                leader,
                ", ".join(f"{d} down" for d in h.sources_down),
            )
        )
    table = _table(
        (
            "Service",
            "Outbox backlog",
            "Oldest unpublished",
            "Consumer lag",
            "Last applied",
            "Relay leader",
            "Notes",
        ),
        rows,
        empty="No services.",
    )
    return _section(
        "services",
        "Outbox backlog and consumer lag",
        table,
        "Each service's /metrics (ADR 0095): lag summed over its partitions.",
    )


def dlq_section(part: Part[dict[str, float]], *, admin: bool) -> Safe:
    if part.value is None:
        return _section("dlq", "Dead letters", _unavailable(part))
    rows = []
    for topic, count in part.value.items():
        link: Any = "admins only"
        if admin:
            link = html(
                '<a href="{href}">records</a>', href=f"{BASE}/dlq?{urlencode({'topic': topic})}"
            )
        rows.append((topic, _figure(f"dlq-{topic}", count), link))
    total = sum(part.value.values())
    content = html(
        "<p>Dead letters: {t}</p>{table}",
        t=_figure("dlq-total", total),
        table=_table(("Topic", "Records", ""), rows, empty="No DLQ topics."),
    )
    return _section(
        "dlq", "Dead letters", content, "Records per DLQ topic, from the broker's offsets."
    )


def recalls_section(part: Part[list[dict[str, Any]]], week_start: str) -> Safe:
    title = "Travel orders recalled this week"
    if part.value is None:
        return _section("recalls", title, _unavailable(part))
    rows = [
        (
            o.get("number"),
            o.get("version"),
            o.get("recall_reason"),
            o.get("recalled_at"),
            ", ".join(o.get("recall_missing") or []),
        )
        for o in part.value
    ]
    content = html(
        "<p>Recalled since {since}: {n}</p>{table}",
        since=week_start,
        n=_figure("recalls-total", len(part.value)),
        table=_table(
            ("Order", "Version", "Reason", "Recalled at", "Gate items"),
            rows,
            empty="No travel order recalled this week.",
        ),
    )
    return _section("recalls", title, content)


def panels(figures: Figures, *, admin: bool) -> Safe:
    return html(
        '<div id="panels" data-generated="{at}"><p class="stamp">Figures of {at}</p>'
        '<div class="grid">{funnel}{funding}{vetting}{services}{dlq}{recalls}</div></div>',
        at=figures.generated_at.isoformat(timespec="seconds"),
        funnel=funnel_section(figures.funnel),
        funding=balances_section(figures.balances),
        vetting=vetting_section(figures.vetting),
        services=services_section(figures.services),
        dlq=dlq_section(figures.dlq, admin=admin),
        recalls=recalls_section(figures.recalls, figures.week_start.date().isoformat()),
    )


def dashboard(figures: Figures, viewer: Principal, *, admin: bool) -> Safe:
    controls = Safe(
        '<div class="controls"><button type="button" id="refresh">Refresh</button>'
        '<label><input type="checkbox" id="auto-refresh" checked> every 30 s</label>'
        '<span id="refresh-status" aria-live="polite"></span></div>'
    )
    body = html("<h1>Operations</h1>{c}{p}", c=controls, p=panels(figures, admin=admin))
    return layout("Dashboard", body, viewer=viewer)


# --- dead letters ----------------------------------------------------------------------------
