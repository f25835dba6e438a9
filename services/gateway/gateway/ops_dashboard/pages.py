"""The dashboard's HTML pages, rendered on the server (`markup.html` escapes every value).

No inline script or style: the one style sheet and the one script are files under
`/ops/static/` (CSP `script-src 'self'; style-src 'self'`); bars are `<meter>` elements, so no
`style=` attribute is needed either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from gateway.ops_dashboard.markup import Safe, html, join
from gateway.ops_dashboard.sources import FUNNEL, OFF_RAMPS, Figures, Part, ServiceHealth
from shared.auth.principal import Principal

BASE = "/ops"
STATIC = f"{BASE}/static"


def _number(value: Any) -> str:
    """Counts without decimals (a gauge's 3.0 is 3), money with two: '1,234,567.50'."""
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value() and "." not in str(value):
        return f"{int(number):,}"
    return f"{number:,.2f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def layout(title: str, body: Safe, *, viewer: Principal | None = None) -> Safe:
    user = Safe("")
    if viewer is not None:
        user = html(
            '<div class="user"><span>{who} ({roles})</span>'
            '<form method="post" action="{base}/logout"><button type="submit">Log out</button>'
            "</form></div>",
            who=viewer.subject,
            roles=", ".join(sorted(viewer.roles)),
            base=BASE,
        )
    return html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title} - IMET operations</title>"
        '<link rel="stylesheet" href="{static}/ops.css">'
        '<script src="{static}/ops.js" defer></script></head>'
        '<body><header><a class="brand" href="{base}">IMET Pipeline - operations</a>{user}'
        "</header><main>{body}</main></body></html>",
        title=title,
        static=STATIC,
        base=BASE,
        user=user,
        body=body,
    )


def login_page(error: str | None = None) -> Safe:
    message = html('<p class="error" role="alert">{e}</p>', e=error) if error else Safe("")
    body = html(
        '<section class="login"><h1>Sign in</h1>{message}'
        '<form method="post" action="{base}/login" autocomplete="off">'
        '<label>Client id <input name="client_id" required maxlength="64" '
        'autocomplete="username"></label>'
        '<label>Client secret <input name="client_secret" type="password" required '
        'maxlength="256" autocomplete="current-password"></label>'
        '<button type="submit">Sign in</button></form>'
        '<p class="hint">An admin or auditor client of this gateway (<code>imet clients '
        "create --role admin</code>). The token stays in an HttpOnly cookie for its lifetime."
        "</p></section>",
        message=message,
        base=BASE,
    )
    return layout("Sign in", body)


def message_page(title: str, text: str, *, viewer: Principal | None = None) -> Safe:
    body = html(
        '<section><h1>{title}</h1><p>{text}</p><p><a href="{base}">Back to the '
        "dashboard</a></p></section>",
        title=title,
        text=text,
        base=BASE,
    )
    return layout(title, body, viewer=viewer)


# --- the dashboard -------------------------------------------------------------------------


def _unavailable(part: Part[Any]) -> Safe:
    return html('<p class="unavailable">Unavailable: {e}</p>', e=part.error or "no data")


def _section(key: str, title: str, content: Safe, note: str = "") -> Safe:
    hint = html('<p class="note">{n}</p>', n=note) if note else Safe("")
    return html(
        '<section class="panel" id="{key}"><h2>{title}</h2>{hint}{content}</section>',
        key=key,
        title=title,
        hint=hint,
        content=content,
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, empty: str) -> Safe:
    body = [join(html("<td>{c}</td>", c=cell) for cell in row) for row in rows]
    if not body:
        return html('<p class="empty">{e}</p>', e=empty)
    head = join(html('<th scope="col">{h}</th>', h=h) for h in headers)
    return html(
        "<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        head=head,
        rows=join(html("<tr>{r}</tr>", r=r) for r in body),
    )


def _figure(key: str, value: Any) -> Safe:
    return html('<span class="figure" data-figure="{k}">{v}</span>', k=key, v=_number(value))


def _meter(value: float, maximum: float) -> Safe:
    return html('<meter min="0" max="{m}" value="{v}"></meter>', m=max(maximum, 1), v=max(value, 0))


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


def _dlq_href(letter_id: str) -> str:
    return f"{BASE}/dlq/{quote(letter_id, safe=':')}"


def dlq_list_page(
    topic: str, letters: Sequence[Mapping[str, Any]], total: int, viewer: Principal
) -> Safe:
    rows = [
        (
            html('<a href="{h}">{i}</a>', h=_dlq_href(d["id"]), i=d["id"]),
            d.get("consumer"),
            d.get("event_type"),
            (d.get("error") or {}).get("code"),
            d.get("failed_at"),
            d.get("attempts"),
        )
        for d in letters
    ]
    shown = "" if total <= len(letters) else f" (the first {len(letters)} of {total})"
    body = html(
        "<h1>Dead letters of {topic}</h1><p>{total} records{shown}, oldest first per partition. "
        "Replay with <code>imet dlq replay</code> or <code>POST /api/v1/ops/dlq/replay</code>."
        "</p>{table}",
        topic=topic,
        total=_figure("dlq-listed", total),
        shown=shown,
        table=_table(
            ("Id", "Consumer", "Event type", "Error", "Failed at", "Attempts"),
            rows,
            empty="No dead letters.",
        ),
    )
    return layout("Dead letters", body, viewer=viewer)


def dlq_record_page(detail: Mapping[str, Any], viewer: Principal) -> Safe:
    error = detail.get("error") or {}
    facts = [
        ("Id", detail.get("id")),
        ("Topic", detail.get("topic")),
        (
            "Original",
            f"{detail.get('original_topic')}:{detail.get('original_partition')}:"
            f"{detail.get('original_offset')}",
        ),
        ("Key", detail.get("key")),
        ("Event", f"{detail.get('event_type')} {detail.get('event_id')}"),
        ("Consumer", detail.get("consumer")),
        ("Error type", error.get("type")),
        ("Error code", error.get("code")),
        ("Error detail", error.get("detail")),
        ("Attempts", detail.get("attempts")),
        ("Failed at", detail.get("failed_at")),
        ("Replayed from", detail.get("replayed_from")),
    ]
    dl = join(html("<div><dt>{k}</dt><dd>{v}</dd></div>", k=k, v=v) for k, v in facts)
    headers = _table(
        ("Header", "Value"), sorted((detail.get("headers") or {}).items()), empty="No headers."
    )
    payload = json.dumps(detail.get("payload"), indent=2, ensure_ascii=False, sort_keys=True)
    body = html(
        '<h1>Dead letter <span data-figure="dlq-id">{id}</span></h1><dl class="facts">{dl}</dl>'
        '<h2>Headers</h2>{headers}<h2>Payload</h2><pre class="payload">{payload}</pre>'
        '<p><a href="{back}">All dead letters of this topic</a></p>',
        id=detail.get("id"),
        dl=dl,
        headers=headers,
        payload=payload,
        back=f"{BASE}/dlq?{urlencode({'topic': detail.get('topic') or ''})}",
    )
    return layout("Dead letter", body, viewer=viewer)
