"""Opening, cancelling and re-opening cases, on the fakes (no PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from vetting.domain.decision import CaseStatus, DecisionPolicy
from vetting.domain.validity import approval_valid_until, lapses_on
from vetting.service_layer.cases import cancel_case_for_nomination, open_case
from vetting.service_layer.reopening import (
    CandidateChange,
    reopen_for_change,
    reopen_lapsing_approvals,
)

from .arrange import DAY, NOW, POLICY, decided, listed, opened, submission, uow
from .factories import moment
from .fakes import VettingStore


async def test_a_case_opens_once_however_often_the_submission_arrives() -> None:
    store, command = VettingStore(), submission()

    first = await opened(store, command)
    async with uow(store) as work:
        again = await open_case(work, command, POLICY, NOW)

    assert again is None
    assert [c.id for c in store.cases.values()] == [first.id]
    assert store.types() == ["case_opened"]
    body = store.published()[0][1]
    assert (body["case_id"], body["due_on"]) == (str(first.id), first.due_on.isoformat())


async def test_a_still_valid_approval_of_the_same_person_is_reused_automatically() -> None:
    store = VettingStore()
    earlier = submission()
    prior = await opened(store, earlier)
    await decided(store, prior.id)
    later = submission(
        candidate_id=earlier.candidate_id,
        person_fingerprint=earlier.person_fingerprint,
        unit_name=earlier.unit_name.upper(),
    )

    case = await opened(store, later)

    assert case.status is CaseStatus.APPROVED
    assert case.standing.reused_from_case_id == prior.id
    assert case.standing.reason_code == "prior_approval_reused"
    (_, opened_), (approved_type, approved) = store.published()[-2:]
    assert (opened_["case_id"], approved_type) == (str(case.id), "imet.vetting.approved.v1")
    assert approved["automatic"] is True
    assert approved["reused_from_case_id"] == str(prior.id)
    assert approved["valid_until"] == approval_valid_until(DAY, 12).isoformat()


async def test_a_unit_on_the_registry_denies_a_new_case_or_holds_it_for_review() -> None:
    store = VettingStore()
    denied_command = submission()
    entry = await listed(store, "GTM", f"  {denied_command.unit_name.lower()} ")
    reviewed_command = submission(unit_name=denied_command.unit_name)

    denied = await opened(store, denied_command)
    held = await opened(store, reviewed_command, policy=DecisionPolicy(unit_block_policy="review"))

    assert (denied.status, held.status) == (CaseStatus.DENIED, CaseStatus.SUSPENDED)
    assert denied.standing.registry_entry_id == entry.id
    denial = [b for t, b in store.published() if t == "imet.vetting.denied.v1"]
    assert [(b["reason_code"], b["registry_entry_id"]) for b in denial] == [
        ("unit_blocked", str(entry.id))
    ]


async def test_the_same_fingerprint_under_another_candidate_is_flagged_and_not_approved() -> None:
    store = VettingStore()
    earlier = submission()
    prior = await opened(store, earlier)
    await decided(store, prior.id)

    other = await opened(store, submission(person_fingerprint=earlier.person_fingerprint))

    assert other.status is CaseStatus.OPEN
    assert other.possible_duplicate_of == prior.id
    assert store.published()[-1][1]["flagged_possible_duplicate"] is True


async def test_a_withdrawal_cancels_an_undecided_case_and_leaves_an_approved_one() -> None:
    store = VettingStore()
    undecided, approved = await opened(store), await opened(store)
    await decided(store, approved.id)

    for case in (undecided, approved):
        async with uow(store) as work:
            await cancel_case_for_nomination(
                work,
                case.nomination_id,
                reason_code="nomination_withdrawn",
                closed_as="withdrawn",
                now=NOW,
            )

    assert store.cases[undecided.id].status is CaseStatus.CANCELLED
    assert store.cases[approved.id].status is CaseStatus.APPROVED
    cancelled = [(b["case_id"], b["reason_code"]) for t, b in store.published() if "cancel" in t]
    assert cancelled == [(str(undecided.id), "nomination_withdrawn")]


async def test_a_withdrawal_that_overtakes_the_submission_leaves_no_case() -> None:
    store, command = VettingStore(), submission()
    async with uow(store) as work:
        await cancel_case_for_nomination(
            work, command.nomination_id, reason_code="x", closed_as="withdrawn", now=NOW
        )

    async with uow(store) as work:
        late = await open_case(work, command, POLICY, NOW)

    assert late is None
    assert store.cases == {}
    assert store.outbox == []


async def test_an_approval_lapsing_before_the_report_date_reopens_the_case_once() -> None:
    store = VettingStore()
    decided_on = DAY - timedelta(days=400)
    case = await opened(
        store, submission(report_date=DAY + timedelta(days=30)), now=moment(decided_on)
    )
    await decided(store, case.id, now=moment(decided_on))
    valid_until = approval_valid_until(decided_on, 12)

    counts = []
    for _ in range(2):
        async with uow(store) as work:
            counts.append(
                await reopen_lapsing_approvals(work, POLICY, lead_days=30, batch_size=10, now=NOW)
            )

    assert counts == [1, 0]
    reopened = store.cases[case.id]
    assert (reopened.status, reopened.standing.reason_code) == (CaseStatus.OPEN, "approval_lapsed")
    assert reopened.cycle_started_on == DAY
    assert store.types().count("expired") == 1
    expired = store.published()[-1][1]
    assert expired["lapsed_on"] == lapses_on(valid_until).isoformat()
    assert expired["report_date"] == reopened.report_date.isoformat()


async def test_the_lapsing_approval_of_a_withdrawn_nomination_is_not_reopened() -> None:
    store = VettingStore()
    decided_on = DAY - timedelta(days=400)
    case = await opened(
        store, submission(report_date=DAY + timedelta(days=30)), now=moment(decided_on)
    )
    await decided(store, case.id, now=moment(decided_on))
    async with uow(store) as work:
        await cancel_case_for_nomination(
            work, case.nomination_id, reason_code="x", closed_as="withdrawn", now=NOW
        )

    async with uow(store) as work:
        count = await reopen_lapsing_approvals(work, POLICY, lead_days=30, batch_size=10, now=NOW)

    assert count == 0
    assert store.cases[case.id].status is CaseStatus.APPROVED


async def test_changed_facts_reopen_an_approved_case_and_a_listed_unit_then_denies_it() -> None:
    store = VettingStore()
    command = submission()
    case = await opened(store, command)
    await decided(store, case.id)
    new_unit = f"{command.unit_name} (renamed)"
    await listed(store, "GTM", new_unit)
    change = CandidateChange(
        nomination_id=command.nomination_id,
        candidate_id=command.candidate_id,
        person_fingerprint=command.person_fingerprint,
        unit_name=new_unit,
        changed_fields=["unit_name"],
        vetted_revision=1,
    )

    async with uow(store) as work:
        await reopen_for_change(work, change, POLICY, NOW)

    after = store.cases[case.id]
    assert (after.status, after.unit_name, after.vetted_revision) == (
        CaseStatus.DENIED,
        new_unit,
        1,
    )
    assert store.types()[-2:] == ["case_reopened", "denied"]
    reopened = store.published()[-2][1]
    assert (reopened["changed_fields"], reopened["vetted_revision"]) == (["unit_name"], 1)


async def test_a_repeated_or_older_change_changes_nothing() -> None:
    store = VettingStore()
    command = submission(vetted_revision=2)
    case = await opened(store, command)
    change = CandidateChange(
        nomination_id=command.nomination_id,
        candidate_id=command.candidate_id,
        person_fingerprint="another",
        unit_name="another unit",
        changed_fields=["family_names"],
        vetted_revision=2,
    )

    for revision in (2, 1):
        async with uow(store) as work:
            await reopen_for_change(work, replace(change, vetted_revision=revision), POLICY, NOW)

    assert store.cases[case.id].person_fingerprint == command.person_fingerprint
    assert store.types() == ["case_opened"]
