"""Demo reference data: the countries the demo nominates from (illustrative, not policy).

Idempotent: a country already present is left as it is (an admin may have changed it).
One country is shown under sanctions and three as exempt from in-country ECL testing so the
rules can be seen at work; the choices are illustrative only.
"""

from __future__ import annotations

from typing import Any

from shared.auth.principal import system_actor
from shared.runtime import ServiceRuntime

COUNTRIES: dict[str, str] = {
    "GTM": "Guatemala", "COL": "Colombia", "PHL": "Philippines", "VNM": "Viet Nam",
    "KEN": "Kenya", "GHA": "Ghana", "JOR": "Jordan", "MNG": "Mongolia", "UKR": "Ukraine",
    "GEO": "Georgia", "IDN": "Indonesia", "PER": "Peru", "ECU": "Ecuador", "HND": "Honduras",
    "SLV": "El Salvador", "DOM": "Dominican Republic", "MAR": "Morocco", "TUN": "Tunisia",
    "SEN": "Senegal", "NGA": "Nigeria", "BGD": "Bangladesh", "NPL": "Nepal", "LKA": "Sri Lanka",
    "THA": "Thailand", "MEX": "Mexico", "MLI": "Mali",
}  # fmt: skip
SANCTIONED = {"MLI": "Illustrative demo data: assistance restricted (coup d'état provision)"}
ECL_EXEMPT = {"GHA": [2026, 2027], "KEN": [2026, 2027], "NGA": [2026, 2027]}


async def seed(runtime: ServiceRuntime[Any, Any]) -> str:
    """Load the demo countries (the launcher passes the nomination runtime)."""
    actor = system_actor("nomination-seed")
    added = 0
    async with runtime.uow(actor) as uow:
        for iso3, name in COUNTRIES.items():
            if await uow.reference.country_record(iso3) is not None:
                continue
            values = {
                "iso3": iso3,
                "name": name,
                "sanctioned": iso3 in SANCTIONED,
                "sanctions_reason": SANCTIONED.get(iso3),
                "ecl_exempt_fiscal_years": ECL_EXEMPT.get(iso3, []),
                "version": 1,
            }
            await uow.reference.save_country(values, actor.subject)
            uow.audit("country.created", "country", iso3, after={"name": name, "seed": True})
            added += 1
        await uow.commit()
    return f"{added} countries added ({len(COUNTRIES) - added} already present)"
