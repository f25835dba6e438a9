"""The ops dashboard's rendering (ADR 0100): every value escaped, no inline script or style,
and the figures read from the services' metrics expositions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from gateway.ops_dashboard import pages
from gateway.ops_dashboard.markup import Safe, escape, html, join
from gateway.ops_dashboard.sources import (
    Figures,
    Part,
    dlq_counts,
    funnel,
    parse_metrics,
    service_health,
    week_start,
)
from shared.auth.principal import Principal

EVIL = '<script>alert("x")</script>\'&'
VIEWER = Principal(subject=f"imet_{EVIL}", roles=frozenset({"admin"}))
EXPOSITION = """
# HELP imet_outbox_backlog_rows Outbox rows not yet published
# TYPE imet_outbox_backlog_rows gauge
imet_outbox_backlog_rows{service="nomination"} 3.0
# TYPE imet_outbox_oldest_unpublished_seconds gauge
imet_outbox_oldest_unpublished_seconds{service="nomination"} 12.5
# TYPE imet_consumer_lag_records gauge
imet_consumer_lag_records{consumer="nomination",partition="0",topic="p.imet.vetting.events"} 2.0
imet_consumer_lag_records{consumer="nomination",partition="1",topic="p.imet.vetting.events"} 5.0
# TYPE imet_consumer_last_applied_seconds gauge
imet_consumer_last_applied_seconds{consumer="nomination"} 4.0
# TYPE imet_dlq_records gauge
imet_dlq_records{service="nomination",topic="p.imet.vetting.events.dlq"} 1.0
imet_dlq_records{service="funding",topic="p.imet.vetting.events.dlq"} 1.0
imet_dlq_records{service="nomination",topic="p.imet.catalog.events.dlq"} 0.0
# TYPE imet_outbox_relay_leader_present gauge
imet_outbox_relay_leader_present{service="nomination"} 1.0
# TYPE imet_aggregates_by_state gauge
imet_aggregates_by_state{aggregate="nomination",service="nomination",state="vetting"} 4.0
imet_aggregates_by_state{aggregate="nomination",service="nomination",state="withdrawn"} 1.0
# TYPE imet_ops_source_up gauge
imet_ops_source_up{service="nomination",source="database"} 1.0
imet_ops_source_up{service="nomination",source="broker"} 0.0
# TYPE http_requests_total counter
http_requests_total{route="/x"} 9.0
"""


def _figures() -> Figures:
    samples = parse_metrics(EXPOSITION)
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    figures = Figures(generated_at=now, week_start=week_start(now))
    figures.funnel = Part(funnel(samples))
    figures.services = {
        "nomination": Part(service_health("nomination", samples)),
        "vetting": Part(error=f"vetting answered 503 {EVIL}"),
    }
    figures.dlq = Part({**dlq_counts(samples), f"{EVIL}.dlq": 2.0})
    figures.balances = Part(
        [
            {
                "country": EVIL,
                "fiscal_year": 2027,
                "allocated": "1000.00",
                "obligated": "250.50",
                "available": "749.50",
            }
        ]
    )
    figures.vetting = Part(
        {
            "as_of": "2026-12-04",
            "open": 3,
            "pending_confirmation": 1,
            "suspended": 0,
            "overdue": 1,
            "median_working_days_to_decision": 4,
            "by_country": [{"country": EVIL, "open": 3}],
        }
    )
    figures.recalls = Part(
        [
            {
                "number": EVIL,
                "version": 1,
                "recall_reason": "withdrawn",
                "recalled_at": "2026-12-03T10:00:00Z",
                "recall_missing": [EVIL],
            }
        ]
    )
    return figures


def test_values_are_escaped_and_safe_markup_is_not_escaped_twice() -> None:
    assert html("<p title={t}>{t}</p>", t=EVIL) == (
        "<p title=&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;&amp;>"
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;&amp;</p>"
    )
    inner = html("<b>{v}</b>", v="a&b")
    assert html("<p>{x}</p>", x=inner) == "<p><b>a&amp;b</b></p>"
    assert escape(None) == ""
    assert join([Safe("<i>"), "<"]) == "<i>&lt;"  # type: ignore[list-item]


def test_no_value_reaches_a_page_unescaped_and_no_inline_script_or_style() -> None:
    figures = _figures()
    rendered = [
        pages.dashboard(figures, VIEWER, admin=True),
        pages.login_page(EVIL),
        pages.message_page(EVIL, EVIL, viewer=VIEWER),
        pages.dlq_list_page(
            EVIL, [{"id": f"{EVIL}.dlq:0:1", "consumer": EVIL, "error": {"code": EVIL}}], 1, VIEWER
        ),
        pages.dlq_record_page(
            {
                "id": "t.dlq:0:1",
                "topic": "t.dlq",
                "key": EVIL,
                "headers": {EVIL: EVIL},
                "payload": {"k": EVIL},
            },
            VIEWER,
        ),
    ]

    for page in rendered:
        assert "<script>alert" not in page
        assert 'alert("x")' not in page
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/ops/static/ops.js" defer>']
        assert " style=" not in page
        assert "<style" not in page
        assert not re.search(r"<[^>]+\son[a-z]+=", page)


def test_the_dashboard_shows_the_figures_of_the_metrics() -> None:
    page = pages.dashboard(_figures(), VIEWER, admin=True)

    def figure(key: str) -> str:
        found = re.search(rf'data-figure="{re.escape(key)}">([^<]*)<', page)
        assert found, key
        return found.group(1)

    assert figure("nominations-total") == "5"
    assert figure("state-vetting") == "4"
    assert figure("state-draft") == "0"
    assert figure("backlog-nomination") == "3"
    assert figure("lag-nomination") == "7"
    assert figure("dlq-p.imet.vetting.events.dlq") == "1"  # the max of its consumers, not 2
    assert figure("dlq-total") == "3"
    assert figure("obligated-total") == "250.50"
    assert figure("vetting-open") == "3"
    assert figure("recalls-total") == "1"
    assert "broker down" in page
    assert "Unavailable" in page or "unavailable" in page
    assert 'href="/ops/dlq?topic=p.imet.vetting.events.dlq"' in page
    assert "Recalled since 2026-11-30" in page


def test_auditors_see_the_counts_but_no_link_to_the_records() -> None:
    page = pages.dashboard(_figures(), VIEWER, admin=False)

    assert "/ops/dlq?" not in page
    assert "admins only" in page


def test_a_service_health_without_series_is_empty_and_the_week_starts_on_monday() -> None:
    health = service_health("catalog", parse_metrics(EXPOSITION))

    assert health.backlog_rows is None
    assert health.lag_records is None
    assert week_start(datetime(2026, 12, 6, 23, 59, tzinfo=UTC)) == datetime(
        2026, 11, 30, tzinfo=UTC
    )
    assert week_start(datetime(2026, 11, 30, 0, 0, tzinfo=UTC)).day == 30


def test_dead_letter_links_keep_the_id_readable_and_encode_the_rest() -> None:
    page = pages.dlq_list_page("t", [{"id": "p.imet.x.dlq:0:42"}, {"id": 'a"b.dlq:0:1'}], 2, VIEWER)

    assert 'href="/ops/dlq/p.imet.x.dlq:0:42"' in page
    assert 'href="/ops/dlq/a%22b.dlq:0:1"' in page
