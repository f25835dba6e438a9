"""Planning checks per country and fiscal year (SAMM C10): reported with warnings, not enforced.

- At least `pme_minimum_percent` (50% by default) of the country's ceiling goes to professional
  military education; a lower share is a warning (early in the year it is expected).
- What is committed (obligated, charged or lapsed) stays within the ceiling.
- Funds are still available for obligation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from funding.domain.money import ZERO, percent_of

PME_MINIMUM_PERCENT = "pme_minimum_percent"
PME = "pme"


@dataclass(frozen=True)
class PlanningWarning:
    code: str
    message: str


@dataclass(frozen=True)
class PlanningCheck:
    ceiling: Decimal
    committed: Decimal
    pme_committed: Decimal
    pme_minimum_percent: Decimal
    funds_available: bool

    @property
    def pme_minimum(self) -> Decimal:
        return percent_of(self.ceiling, self.pme_minimum_percent)

    @property
    def pme_share(self) -> Decimal | None:
        """PME committed as a fraction of the ceiling (None without a ceiling)."""
        if self.ceiling <= 0:
            return None
        return (self.pme_committed / self.ceiling).quantize(Decimal("0.0001"))

    @property
    def pme_shortfall(self) -> Decimal:
        return max(ZERO, self.pme_minimum - self.pme_committed)

    def warnings(self) -> list[PlanningWarning]:
        found = []
        if self.pme_shortfall > 0:
            found.append(
                PlanningWarning(
                    "pme_share_below_minimum",
                    f"PME lines hold {self.pme_committed} of a {self.ceiling} ceiling; "
                    f"{self.pme_minimum} ({self.pme_minimum_percent}%) is expected.",
                )
            )
        if self.committed > self.ceiling:
            found.append(
                PlanningWarning(
                    "committed_exceeds_ceiling",
                    f"{self.committed} is committed against a ceiling of {self.ceiling}.",
                )
            )
        if not self.funds_available:
            found.append(
                PlanningWarning(
                    "funds_expired", "No tranche of the fiscal year's funds is available any more."
                )
            )
        return found
