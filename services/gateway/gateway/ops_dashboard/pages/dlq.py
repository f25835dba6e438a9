"""The dead-letter pages: a topic's records, and one record with its headers and payload."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from gateway.ops_dashboard.markup import Safe, html, join
from gateway.ops_dashboard.pages.layout import BASE, _figure, _table, layout
from shared.auth.principal import Principal


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
