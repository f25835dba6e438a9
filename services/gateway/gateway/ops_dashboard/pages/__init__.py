"""The dashboard's HTML pages, rendered on the server (`markup.html` escapes every value).

No inline script or style: the one style sheet and the one script are files under
`/ops/static/` (CSP `script-src 'self'; style-src 'self'`); bars are `<meter>` elements, so no
`style=` attribute is needed either.

`layout`: the frame of every page, the sign-in and message pages, and the blocks the panels are
built of; `panels`: the dashboard and its panels; `dlq`: the dead-letter pages.
"""

from gateway.ops_dashboard.pages.dlq import dlq_list_page, dlq_record_page
from gateway.ops_dashboard.pages.layout import BASE, STATIC, layout, login_page, message_page
from gateway.ops_dashboard.pages.panels import (
    balances_section,
    dashboard,
    dlq_section,
    funnel_section,
    panels,
    recalls_section,
    services_section,
    vetting_section,
)

__all__ = [
    "BASE",
    "STATIC",
    "balances_section",
    "dashboard",
    "dlq_list_page",
    "dlq_record_page",
    "dlq_section",
    "funnel_section",
    "layout",
    "login_page",
    "message_page",
    "panels",
    "recalls_section",
    "services_section",
    "vetting_section",
]
