"""The operations dashboard at `/ops` (issue 14 item 4, ADR 0100): server-rendered HTML, a
login form backed by the gateway's token endpoint logic, a session cookie scoped to `/ops`."""

from gateway.ops_dashboard.routes import install_ops_dashboard

__all__ = ["install_ops_dashboard"]
