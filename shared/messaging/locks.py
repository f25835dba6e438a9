"""Stable advisory-lock keys derived from names."""

from __future__ import annotations

import hashlib


def lock_key(name: str) -> int:
    """A 63-bit key for `pg_advisory_lock(bigint)`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def lock_class(name: str) -> int:
    """A 31-bit key for `pg_advisory_lock(int, int)` (shown as pg_locks.classid)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFF_FFFF
