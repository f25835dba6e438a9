"""The program year to push through the stack: who is nominated to which class, who is denied,
how big the classes and allocations are; and the reference data it needs, set up through the
API before the clock starts (`prepare`).

The mix (`Mix`) follows issue 16: of N nominations ~70% are persons nominated for the first
time (a vetter decides their case through the API), ~30% are a later nomination of an approved
person to another class (vetting reuses the still-valid approval); ~3% of all are denied; class
capacities are ~90% of the class's approvable demand (~10% waitlisted); allocations pay for
~85% of a country's approvable lines (what is seated beyond that is rejected for insufficient
funds, ~5%, and retried once the funding officer raised the allocation). Countries differ in
size (a skewed draw, like the real program), courses in category, length and tuition.
Everything is drawn from one seeded RNG: the same size gives the same program.
"""

from __future__ import annotations

import math
import random
import string
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.e2e.driver import FUNDING, Driver, until

CATEGORIES = (
    ("pme", 80, 0.3),
    ("technical", 70, 0.45),
    ("english_language", 60, 0.15),
    ("other", 65, 0.1),
)  # fmt: skip  (category, minimum ECL, share of courses)
ROWS_PER_IMPORT = 25  # an SCO's spreadsheet: a big country uploads several


@dataclass(frozen=True)
class Mix:
    nominations: int = 6000
    countries: int = 130
    reuse: float = 0.30  # later nominations of an approved person (vetting reuses the approval)
    denied: float = 0.03
    seated: float = 0.90  # class capacity / approvable demand of the class
    funded: float = 0.85  # allocation / cost of the country's approvable lines
    seed: int = 16


@dataclass
class Line:
    """One nomination to be: the row the SCO uploads, and what the oracle expects of it."""

    person: int  # index into Plan.persons
    klass: int  # index into Plan.classes
    second: bool  # a later nomination of an approved person


@dataclass
class Plan:
    mix: Mix
    countries: list[str] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)  # row fields + country, denied
    classes: list[dict[str, Any]] = field(default_factory=list)  # id, masl_id, fiscal_year, ...
    lines: list[Line] = field(default_factory=list)
    allocations: dict[str, dict[str, Any]] = field(default_factory=dict)  # "CTY/FY" -> alloc

    def to_json(self) -> dict[str, Any]:
        return {"mix": asdict(self.mix), "countries": self.countries, "persons": self.persons,
                "classes": self.classes, "lines": [asdict(x) for x in self.lines],
                "allocations": self.allocations}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(Mix(**data["mix"]), data["countries"], data["persons"], data["classes"],
                   [Line(**x) for x in data["lines"]], data["allocations"])  # fmt: skip

    def row(self, line: Line, today: date) -> dict[str, Any]:
        p, k = self.persons[line.person], self.classes[line.klass]
        return {
            "family_names": p["family_names"], "given_names": p["given_names"],
            "country": p["country"], "passport_number": p["passport"], "sex": p["sex"],
            "date_of_birth": p["date_of_birth"], "place_of_birth": "Capital",
            "service": "army", "rank": "Captain", "pay_grade": "O-3",
            "unit_name": "1st Infantry Brigade", "position": "Company commander",
            "english_test": "ecl", "english_score": 88,
            "english_test_date": (today - timedelta(days=10)).isoformat(),
            "class_id": k["id"], "fiscal_year": k["fiscal_year"], "funding_source": "imet",
            "medical_cleared_on": today.isoformat(), "medical_reference": "MED-" + _hex(6),
            "security_screened_on": today.isoformat(), "security_reference": "SEC-" + _hex(6),
        }  # fmt: skip


def draw(mix: Mix) -> Plan:
    """The program (persons, lines, class sizes) without ids: `prepare` creates the classes."""
    rng = random.Random(mix.seed)  # noqa: S311 - a reproducible program, not a secret
    plan = Plan(mix)
    plan.countries = _country_codes(mix.countries, rng)
    weights = [rng.lognormvariate(0, 0.8) for _ in plan.countries]
    seconds = round(mix.nominations * mix.reuse)
    firsts = mix.nominations - seconds
    owners = rng.choices(plan.countries, weights=weights, k=firsts - len(plan.countries))
    owners += plan.countries  # every country nominates at least one person
    denied = set(rng.sample(range(firsts), round(mix.nominations * mix.denied)))
    plan.persons = [_person(c, i in denied, rng) for i, c in enumerate(sorted(owners))]
    n_classes = max(8, mix.nominations // 40)
    popularity = [rng.paretovariate(1.5) for _ in range(n_classes)]
    plan.lines = [Line(i, _pick(popularity, rng), False) for i in range(firsts)]
    again = rng.sample([i for i in range(firsts) if i not in denied], seconds)
    for person in again:
        first = plan.lines[person].klass
        klass = _pick(popularity, rng)
        while klass == first:
            klass = rng.randrange(n_classes)
        plan.lines.append(Line(person, klass, True))
    demand = [0] * n_classes
    for line in plan.lines:
        demand[line.klass] += not plan.persons[line.person]["denied"]
    n_courses = max(4, n_classes * 2 // 5)
    courses = [_course(rng) for _ in range(n_courses)]
    for k in range(n_classes):
        course = courses[k % n_courses] if k < n_courses else rng.choice(courses)
        plan.classes.append({**course, "capacity": max(1, math.floor(demand[k] * mix.seated)),
                             "start_in_days": rng.randint(60, 240)})  # fmt: skip
    return plan


async def prepare(plan: Plan, driver: Driver, known: Callable[[list[str]], Awaitable[int]]) -> None:
    """Courses and classes, countries, appropriations and allocations, through the API; every
    class known to funding (its cost per line is read back) and to the nomination service
    (`known(ids)`: how many of these classes its read model holds)."""
    shapes, plan.classes = plan.classes, []
    for shape in shapes:
        klass = await driver.course_with_class(
            capacity=shape["capacity"], tuition=shape["tuition"],
            start_in_days=shape["start_in_days"],
            weeks=shape["weeks"], min_ecl=shape["min_ecl"], category=shape["category"],
        )  # fmt: skip
        plan.classes.append({**shape, "id": klass["id"], "masl_id": klass["masl_id"],
                             "fiscal_year": klass["fiscal_year"]})  # fmt: skip
    for country in plan.countries:
        await driver.country(country)
    for klass in plan.classes:
        klass["line_cost"] = str(await _estimate(driver, klass["id"], plan.countries[0]))
    need: dict[str, Decimal] = {}
    for line in plan.lines:
        p, k = plan.persons[line.person], plan.classes[line.klass]
        if not p["denied"]:
            key = f"{p['country']}/{k['fiscal_year']}"
            need[key] = need.get(key, Decimal(0)) + Decimal(k["line_cost"])
    per_year: dict[int, Decimal] = {}
    for key, total in need.items():
        year = int(key.split("/")[1])
        per_year[year] = per_year.get(year, Decimal(0)) + total
    for year, total in per_year.items():
        await driver.appropriation(year, amount=f"{(total * 2).quantize(Decimal('1'))}.00")
    for key, total in sorted(need.items()):
        country, fy = key.split("/")
        amount = (total * Decimal(str(plan.mix.funded))).quantize(Decimal("0.01"))
        made = await driver.allocation(country, int(fy), amount)
        plan.allocations[key] = {"id": made["id"], "amount": str(amount)}
    ids = [k["id"] for k in plan.classes]

    async def all_known() -> bool:
        return await known(ids) == len(ids)

    await until(all_known, what="every class in nomination's read model", timeout=120)


async def _estimate(driver: Driver, class_id: str, country: str) -> Decimal:
    async def probe() -> Decimal | None:
        r = await driver.client.post(
            f"{FUNDING}/estimates", headers=driver.headers("funding_officer"),
            json={"class_id": class_id, "country": country, "with_dependents": False},
        )  # fmt: skip
        return Decimal(r.json()["total"]) if r.status_code == 200 else None

    return await until(probe, what="the class in funding's read model", timeout=120)


def _pick(popularity: list[float], rng: random.Random) -> int:
    return rng.choices(range(len(popularity)), weights=popularity, k=1)[0]


def _course(rng: random.Random) -> dict[str, Any]:
    category, min_ecl, _ = rng.choices(CATEGORIES, weights=[c[2] for c in CATEGORIES], k=1)[0]
    weeks = {"pme": rng.choice((10, 20, 40)), "english_language": rng.choice((8, 12, 24))}.get(
        category, rng.randint(3, 16)
    )
    tuition = Decimal(rng.randint(40, 600) * 100)
    return {"category": category, "min_ecl": min_ecl, "weeks": weeks, "tuition": f"{tuition}.00"}


def _person(country: str, denied: bool, rng: random.Random) -> dict[str, Any]:
    """A unique person: names, birth date and passport never shared with another candidate
    (a shared fingerprint would flag a possible duplicate and stop the approval's reuse)."""
    letters = string.ascii_uppercase
    return {
        "country": country, "denied": denied, "sex": rng.choice("FM"),
        "passport": "P" + "".join(rng.choices(string.digits + letters, k=10)),
        "family_names": "PROGRAM " + "".join(rng.choices(letters, k=10)),
        "given_names": "".join(rng.choices(letters, k=8)).title(),
        "date_of_birth": (date(1975, 1, 1) + timedelta(days=rng.randint(0, 9000))).isoformat(),
    }  # fmt: skip


def _country_codes(n: int, rng: random.Random) -> list[str]:
    """`n` distinct three-letter test codes starting with X (never a real ISO code)."""
    pool = ["X" + a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
    return sorted(rng.sample(pool, n))


def _hex(n: int) -> str:
    return uuid.uuid4().hex[:n]
