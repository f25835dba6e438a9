"""The frame of every dashboard page (header, the one style sheet and script), the sign-in and
message pages, and the blocks the panels are built of: sections, tables, figures, meters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.ops_dashboard.markup import Safe, html, join
from gateway.ops_dashboard.sources import Part
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
