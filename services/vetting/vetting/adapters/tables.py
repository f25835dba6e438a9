"""Vetting tables, all in the `vetting` schema."""

from __future__ import annotations

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("vetting")
platform = platform_tables(metadata)
