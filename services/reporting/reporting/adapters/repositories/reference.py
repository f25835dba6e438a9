"""Country reference data and the topic positions (how current the read model is)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import country_reference, topic_position
from reporting.domain.facts import CountryRef


class SqlPositionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def applied(self, topic: str, at: datetime) -> None:
        t = topic_position
        stmt = pg_insert(t).values(topic=topic, newest_event_at=at, events_applied=1)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.topic],
                set_={
                    "newest_event_at": func.greatest(t.c.newest_event_at, at),
                    "events_applied": t.c.events_applied + 1,
                    "updated_at": func.now(),
                },
            )
        )


class SqlCountryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> CountryRef | None:
        t = country_reference
        row = (
            await self.session.execute(
                select(t.c.code, t.c.name, t.c.region, t.c.fmtr_excluded).where(t.c.code == code)
            )
        ).one_or_none()
        return CountryRef(*row) if row else None

    async def put(self, country: CountryRef) -> None:
        values = {"name": country.name, "region": country.region,
                  "fmtr_excluded": country.fmtr_excluded}  # fmt: skip
        stmt = pg_insert(country_reference).values(code=country.code, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[country_reference.c.code],
                set_={**values, "updated_at": func.now()},
            )
        )
