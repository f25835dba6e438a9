"""Funding tables, all in the `funding` schema."""

from __future__ import annotations

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("funding")
platform = platform_tables(metadata)
