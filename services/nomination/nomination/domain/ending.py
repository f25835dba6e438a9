"""Why a nomination ends before training: the reason codes of a withdrawal and a cancellation.

They are the domain's words; `adapters/publishing.py` carries them onto
`nomination.withdrawn` / `nomination.cancelled` (the contract lists the same codes, and
`tests/unit/test_publishing.py` holds the two lists equal).
"""

from __future__ import annotations

from typing import Literal

# Why a nomination is cancelled (the U.S. side's reasons, or the country's).
CancelReason = Literal["class_cancelled", "sanctions", "administrative"]
# Who ended it.
Initiator = Literal["country", "us_government"]
# Why the SCO withdrew it (what the SCO chose; its own words stay in the history).
WithdrawalReason = Literal[
    "candidate_unavailable",
    "operational_needs",
    "course_mismatch",
    "duplicate_nomination",
    "not_stated",
    "other",
]
