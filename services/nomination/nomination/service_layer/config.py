"""What the use cases need from the settings, in plain values (built once per process)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nomination.domain.rules import Rules


@dataclass(frozen=True)
class Config:
    fingerprint_key: bytes = field(repr=False)
    rules: Rules = field(default_factory=Rules)
    import_max_rows: int = 5000
