"""Fixtures of the funding integration tests (helpers live in `support`)."""

from __future__ import annotations

import pytest

from services.funding.tests.integration.support import next_expired_fiscal_year, next_fiscal_year


@pytest.fixture
def fiscal_year() -> int:
    """A fiscal year no other test of this run uses, with funds still available."""
    return next_fiscal_year()


@pytest.fixture
def expired_fiscal_year() -> int:
    """A past fiscal year no other test of this run uses: its funds have expired."""
    return next_expired_fiscal_year()
