"""Units' identity rules: linking free text, which listings cover a unit, registry suspension."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from vetting.domain.case import VettingCase
from vetting.domain.decision import DecisionPolicy, Result
from vetting.domain.moment import Moment
from vetting.domain.units import Link, Listing, UnitMatch, covering, link_by_name

WHEN = Moment(datetime(2026, 12, 2, 15, tzinfo=UTC), date(2026, 12, 2))
POLICY = DecisionPolicy()


def test_free_text_links_only_to_the_one_unit_of_that_name() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()

    assert link_by_name([one]) == Link(one, UnitMatch.BY_NAME)
    assert link_by_name([one, two]) == Link(None, UnitMatch.AMBIGUOUS)
    assert link_by_name([]) == Link(None, UnitMatch.UNREGISTERED)


def test_an_entry_covers_its_unit_and_its_subunits_only_when_it_says_so() -> None:
    brigade, battalion, company = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lineage = [company, battalion, brigade]
    on_brigade = Listing(uuid.uuid4(), brigade, include_subunits=False)
    on_brigade_and_below = Listing(uuid.uuid4(), brigade, include_subunits=True)
    on_company = Listing(uuid.uuid4(), company, include_subunits=False)

    assert covering([on_brigade], lineage) is None
    assert covering([on_brigade], [brigade]) == on_brigade.entry_id
    assert covering([on_brigade_and_below], lineage) == on_brigade_and_below.entry_id
    assert covering([on_company, on_brigade_and_below], lineage) == on_company.entry_id
    assert covering([], lineage) is None


def _case() -> VettingCase:
    return VettingCase.open(
        nomination_id=uuid.uuid4(), candidate_id=uuid.uuid4(), person_fingerprint="f",
        country="GTM", unit_name="Batallón 1", class_id=uuid.uuid4(),
        report_date=date(2027, 3, 1), when=WHEN, policy=POLICY,
    )  # fmt: skip


def test_a_listing_suspends_an_approval_and_names_its_entry() -> None:
    case = _case()
    case.decide(
        result=Result.APPROVED, reason_code="cleared", rationale="ok", by="v", when=WHEN,
        policy=POLICY, blocking_entry_id=None,
    )  # fmt: skip
    entry = uuid.uuid4()

    decision = case.suspend_for_listing(entry_id=entry, by="system", when=WHEN)

    assert decision is not None
    assert (case.status.value, decision.reason_code) == ("suspended", "unit_listed")
    assert decision.registry_entry_id == entry
    assert decision.automatic


def test_a_listing_leaves_an_undecided_or_denied_case_alone() -> None:
    open_case, denied = _case(), _case()
    denied.decide(
        result=Result.DENIED, reason_code="derogatory_information", rationale="no", by="v",
        when=WHEN, policy=POLICY, blocking_entry_id=None,
    )  # fmt: skip

    assert open_case.suspend_for_listing(entry_id=uuid.uuid4(), by="s", when=WHEN) is None
    assert denied.suspend_for_listing(entry_id=uuid.uuid4(), by="s", when=WHEN) is None
    assert (open_case.status.value, denied.status.value) == ("open", "denied")
