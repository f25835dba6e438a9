"""Nomination tables, all in the `nomination` schema."""

from __future__ import annotations

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("nomination")
platform = platform_tables(metadata)
