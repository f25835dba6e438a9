"""Errors of the reporting service, with stable `code` slugs."""

from __future__ import annotations

from shared.errors import DomainError


class UnknownReportTable(DomainError):
    status = 422
    code = "unknown-report-table"
    title = "Unknown report table"
