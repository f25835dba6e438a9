"""The Foreign Military Training Report (FMTR) for one fiscal year: the counting rules.

- A student is counted once per country even when trained in several courses: students are
  distinct candidates among the fiscal year's nominations that reached training.
- Trained means the student reported to the school (`in_training`); completing is not needed,
  so a student whose training was terminated counts.
- The cost of a training line is what stayed obligated: obligated minus what was returned to
  the allocation and what lapsed. For a trained student it splits into tuition, travel and the
  living allowance (TLA); when training ended early the tuition is the prorated charge funding
  kept, travel stays whole and the TLA is the rest. A line whose student never trained (withdrawn
  or cancelled after obligation) costs only its cancellation charge: a penalty; a line still
  waiting for its student costs nothing yet.
- A country's total cost is the sum over all its lines of the fiscal year, trained or not.
- Countries excluded by law (NATO members, Australia, Japan, New Zealand: reference data) are
  left out unless `include_excluded`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from reporting.domain.facts import (
    ZERO,
    CountryRef,
    CourseFact,
    LineFact,
    NominationFact,
    unknown_country,
)
from reporting.domain.report import Cell, Report, ReportTable, columns


@dataclass(frozen=True)
class LineCost:
    tuition: Decimal = ZERO
    travel: Decimal = ZERO
    living_allowance: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.tuition + self.travel + self.living_allowance + self.penalties

    def __add__(self, other: LineCost) -> LineCost:
        return LineCost(
            self.tuition + other.tuition,
            self.travel + other.travel,
            self.living_allowance + other.living_allowance,
            self.penalties + other.penalties,
        )


def line_cost(line: LineFact, *, trained: bool) -> LineCost:
    """How a line's final cost splits (see the module's rules)."""
    net = line.net
    if not trained:
        return LineCost(penalties=min(net, line.penalties))
    if line.returned + line.lapsed == ZERO:
        rest = net - line.tuition - line.travel - line.living_allowance
        return LineCost(line.tuition, line.travel, line.living_allowance + rest)
    tuition = min(net, line.penalties)
    travel = min(line.travel, net - tuition)
    return LineCost(tuition, travel, net - tuition - travel)


@dataclass(frozen=True)
class FmtrScope:
    fiscal_year: int
    include_excluded: bool = False
    country: str | None = None
    region: str | None = None

    def admits(self, ref: CountryRef) -> bool:
        if ref.fmtr_excluded and not self.include_excluded:
            return False
        if self.country is not None and ref.code != self.country:
            return False
        return self.region is None or ref.region == self.region


COUNTRY_COLUMNS = columns(
    ("country", "Country", "text"),
    ("country_name", "Country name", "text"),
    ("region", "Region", "text"),
    ("students_trained", "Students trained", "integer"),
    ("training_lines", "Training lines", "integer"),
    ("tuition", "Tuition", "money"),
    ("travel", "Travel", "money"),
    ("living_allowance", "TLA", "money"),
    ("penalties", "Cancellation penalties", "money"),
    ("total_cost", "Total cost", "money"),
)
ACTIVITY_COLUMNS = columns(
    ("country", "Country", "text"),
    ("masl_id", "Course MASL", "text"),
    ("title", "Course title", "text"),
    ("schoolhouse", "Schoolhouse", "text"),
    ("location", "Location", "text"),
    ("number_trained", "Number trained", "integer"),
    ("units", "Units", "list"),
    ("cost", "Cost", "money"),
)


@dataclass(frozen=True)
class FmtrCell:
    """One country and course of the fiscal year: distinct students trained, nominations that
    reached training, the cost of the lines, and the units of the students trained (sorted)."""

    students: int = 0
    trained_lines: int = 0
    cost: LineCost = LineCost()
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class FmtrAggregates:
    """What the FMTR is made of, already confined to the admitted countries: the cells per
    (country, course) and the distinct students per country (a student with two courses is
    in two cells but counts once for the country). Computed from facts here (`aggregate`), or
    by the database (`queries.fmtr_aggregates`) at scale."""

    cells: dict[tuple[str, str], FmtrCell]
    students: dict[str, int]


def aggregate(
    scope: FmtrScope,
    nominations: Iterable[NominationFact],
    lines: Iterable[LineFact],
    countries: Mapping[str, CountryRef],
) -> FmtrAggregates:
    def ref(code: str) -> CountryRef:
        return countries.get(code) or unknown_country(code)

    noms = {
        n.nomination_id: n
        for n in nominations
        if n.fiscal_year == scope.fiscal_year and scope.admits(ref(n.country))
    }
    students: dict[str, set[UUID | str]] = defaultdict(set)
    course_students: dict[tuple[str, str], set[UUID | str]] = defaultdict(set)
    trained_lines: dict[tuple[str, str], int] = defaultdict(int)
    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    for n in noms.values():
        if n.trained:
            who: UUID | str = n.candidate_id or f"nomination:{n.nomination_id}"
            students[n.country].add(who)
            course_students[(n.country, n.masl_id)].add(who)
            trained_lines[(n.country, n.masl_id)] += 1
            if n.unit_name is not None:
                units[(n.country, n.masl_id)].add(n.unit_name)
    course_costs: dict[tuple[str, str], LineCost] = defaultdict(LineCost)
    for line in lines:
        if line.fiscal_year != scope.fiscal_year or not scope.admits(ref(line.country)):
            continue
        nom = noms.get(line.nomination_id)
        cost = line_cost(line, trained=nom is not None and nom.trained)
        course_costs[(line.country, line.masl_id)] += cost
    cells = {
        key: FmtrCell(
            len(course_students[key]),
            trained_lines[key],
            course_costs[key],
            tuple(sorted(units[key])),
        )
        for key in set(course_students) | set(course_costs)
    }
    return FmtrAggregates(cells, {code: len(whos) for code, whos in students.items()})


LineRow = tuple[str, str, str | None, bool, Decimal, Decimal, Decimal, Decimal]
"""(line country, course, its nomination's country or None, trained, tuition, travel, TLA,
penalty kept): the training lines of a fiscal year summed per group."""


def assemble(
    scope: FmtrScope,
    countries: Mapping[str, CountryRef],
    per_cell: Iterable[tuple[str, str, int, int]],
    line_rows: Iterable[LineRow],
    per_country: Iterable[tuple[str, int]],
    per_unit: Iterable[tuple[str, str, str]] = (),
) -> FmtrAggregates:
    """The aggregates of grouped rows (the database's, ADR 0125 and 0140): per (country,
    course) distinct students and trained nominations; the lines' cost split summed per
    group; per country distinct students; the (country, course, unit) of trained students.
    Only the admitted countries are kept; a line counts as trained when its nomination (of
    the same year, of an admitted country) trained."""

    def admitted(code: str) -> bool:
        return scope.admits(countries.get(code) or unknown_country(code))

    counts: dict[tuple[str, str], tuple[int, int]] = {}
    costs: dict[tuple[str, str], LineCost] = {}
    for code, masl, distinct, count in per_cell:
        if admitted(code):
            counts[(code, masl)] = (int(distinct), int(count))
            costs[(code, masl)] = LineCost()
    for code, masl, nom_country, was_trained, tu, tr, tla, kept in line_rows:
        if not admitted(code):
            continue
        as_trained = bool(was_trained) and nom_country is not None and admitted(nom_country)
        cost = LineCost(tu, tr, tla) if as_trained else LineCost(penalties=kept)
        costs[(code, masl)] = costs.get((code, masl), LineCost()) + cost
    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, masl, unit in per_unit:
        units[(code, masl)].add(unit)
    cells = {key: FmtrCell(*counts.get(key, (0, 0)), cost, tuple(sorted(units.get(key, ()))))
             for key, cost in costs.items()}  # fmt: skip
    students = {code: int(count) for code, count in per_country if admitted(code)}
    return FmtrAggregates(cells, students)


def build_fmtr(
    scope: FmtrScope,
    nominations: Iterable[NominationFact],
    lines: Iterable[LineFact],
    courses: Mapping[str, CourseFact],
    countries: Mapping[str, CountryRef],
) -> Report:
    """The FMTR's two tables: per country, and per training activity (country and course)."""
    return fmtr_report(scope, aggregate(scope, nominations, lines, countries), courses, countries)


def fmtr_report(
    scope: FmtrScope,
    agg: FmtrAggregates,
    courses: Mapping[str, CourseFact],
    countries: Mapping[str, CountryRef],
) -> Report:
    """The report of its aggregates."""

    def ref(code: str) -> CountryRef:
        return countries.get(code) or unknown_country(code)

    costs: dict[str, LineCost] = defaultdict(LineCost)
    trained_lines: dict[str, int] = defaultdict(int)
    for (code, _), cell in agg.cells.items():
        costs[code] += cell.cost
        trained_lines[code] += cell.trained_lines
    students = agg.students
    country_rows: list[tuple[Cell, ...]] = []
    total = LineCost()
    for code in sorted(set(students) | set(costs)):
        c, r = costs[code], ref(code)
        total += c
        country_rows.append(
            (code, r.name, r.region, students.get(code, 0), trained_lines[code], c.tuition,
             c.travel, c.living_allowance, c.penalties, c.total)
        )  # fmt: skip
    totals: tuple[Cell, ...] = ("Total", None, None, sum(students.values()),
                                sum(trained_lines.values()), total.tuition, total.travel,
                                total.living_allowance, total.penalties, total.total)  # fmt: skip
    activity_rows: list[tuple[Cell, ...]] = []
    for key in sorted(agg.cells):
        code, masl = key
        course = courses.get(masl)
        activity_rows.append((
            code, masl, course.title if course else None,
            course.institution if course else None, course.location if course else None,
            agg.cells[key].students, agg.cells[key].units, agg.cells[key].cost.total,
        ))  # fmt: skip
    return Report(
        kind="fmtr",
        title=f"Foreign Military Training Report, fiscal year {scope.fiscal_year}",
        tables=(
            ReportTable(
                "countries",
                "Students trained and cost per country",
                COUNTRY_COLUMNS,
                tuple(country_rows),
                totals,
            ),
            ReportTable(
                "activities", "Training activities", ACTIVITY_COLUMNS, tuple(activity_rows)
            ),
        ),
        filters={
            "fiscal_year": scope.fiscal_year,
            "include_excluded": scope.include_excluded,
            "country": scope.country,
            "region": scope.region,
        },
        notes=(
            "A student counts once per country however many courses they attended.",
            "Countries excluded by law (NATO, Australia, Japan, New Zealand) are left out "
            "unless include_excluded=true.",
        ),
    )
