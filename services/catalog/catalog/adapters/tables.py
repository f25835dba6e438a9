"""Catalog tables, all in the `catalog` schema."""

from __future__ import annotations

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("catalog")
platform = platform_tables(metadata)
