"""Domain objects -> response models, with personal data withheld from roles that may not see it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from nomination.domain.candidate import PERSONAL_FIELDS, Candidate, missing_fields
from nomination.domain.nomination import HistoryEntry as HistoryRecord
from nomination.domain.nomination import Nomination
from nomination.domain.reference import Country
from nomination.domain.travel_order import OrderStatus, TravelOrder, order_status
from nomination.entrypoints.authorization import sees_personal_data
from nomination.entrypoints.http.schemas.candidates import CandidatePublic
from nomination.entrypoints.http.schemas.common import EnglishTestResult, ScreeningRecord
from nomination.entrypoints.http.schemas.countries import CountryPublic
from nomination.entrypoints.http.schemas.nominations import (
    FundingView,
    HistoryEntry,
    NominationPublic,
    SeatView,
    TrainingView,
    VettingView,
)
from nomination.entrypoints.http.schemas.travel_orders import TravelOrderPublic
from shared.auth.principal import Principal

PREFIX = "/api/v1/nominations"


_CANDIDATE_COLUMNS = set(CandidatePublic.model_fields) - {
    "english_tests", "complete", "missing_fields", "redacted"
}  # fmt: skip


def candidate_public(row: Candidate, principal: Principal) -> CandidatePublic:
    data = row.values()
    redacted = not sees_personal_data(principal)
    if redacted:
        data.update({name: None for name in PERSONAL_FIELDS})
    return CandidatePublic(
        **{k: v for k, v in data.items() if k in _CANDIDATE_COLUMNS},
        english_tests=[EnglishTestResult.model_validate(t) for t in row.english_tests],
        complete=not missing_fields(row.person),
        missing_fields=missing_fields(row.person),
        redacted=redacted,
    )


def _screening(on: Any, reference: Any) -> ScreeningRecord | None:
    if on is None or reference is None:
        return None
    return ScreeningRecord(recorded_on=on, reference=reference)


def nomination_public(
    row: Nomination, principal: Principal, current_ito: str | None = None
) -> NominationPublic:
    redacted = not sees_personal_data(principal)
    return NominationPublic(
        id=row.id,
        country=row.country,
        candidate_id=row.candidate_id,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        funding_source=row.funding_source,
        with_dependents=row.with_dependents,
        status=row.status,
        status_reason=row.status_reason,
        seat=SeatView(
            status=row.seat_status,
            hold_expires_at=row.hold_expires_at,
            waitlist_position=row.waitlist_position,
        ),
        vetting=VettingView(
            status=row.vetting_status,
            case_id=row.vetting_case_id,
            valid_until=row.vetting_valid_until,
        ),
        funding=FundingView(
            status=row.funding_status,
            obligation_id=row.obligation_id,
            obligated_amount=row.obligated_amount,
            penalty_amount=row.penalty_amount,
        ),
        compensations=row.compensations,
        medical_clearance=None
        if redacted
        else _screening(row.medical_cleared_on, row.medical_reference),
        security_screening=None
        if redacted
        else _screening(row.security_screened_on, row.security_reference),
        redacted=redacted,
        data_complete_on=row.data_complete_on,
        training=TrainingView(
            started_on=row.training_started_on,
            ended_on=row.training_ended_on,
            days_attended=row.days_attended,
        ),
        current_ito=current_ito,
        submitted_at=row.submitted_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def history_entry(row: HistoryRecord) -> HistoryEntry:
    return HistoryEntry.model_validate(asdict(row))


def travel_order_public(order: TravelOrder, principal: Principal) -> TravelOrderPublic:
    redacted = not sees_personal_data(principal)
    content = dict(order.content)
    if redacted:
        content["student"] = {
            k: v
            for k, v in content["student"].items()
            if k not in ("date_of_birth", "passport_number")
        }
    status = order_status(order.superseded_at, order.recalled_at)
    detail = order.recall_detail or {}
    return TravelOrderPublic(
        nomination_id=order.nomination_id,
        number=order.number,
        version=order.version,
        current=status is OrderStatus.CURRENT,
        status=status,
        issued_at=order.issued_at,
        issued_by=order.issued_by,
        superseded_at=order.superseded_at,
        recalled_at=order.recalled_at,
        recall_reason=order.recall_reason,
        recall_missing=list(detail.get("missing", [])),
        content=content,
        redacted=redacted,
        pdf=f"{PREFIX}/{order.nomination_id}/ito/{order.version}.pdf",
    )


def country_public(row: Country, cancelled: int | None = None) -> CountryPublic:
    return CountryPublic(
        iso3=row.iso3,
        name=row.name,
        sanctioned=row.sanctioned,
        sanctions_reason=row.sanctions_reason,
        ecl_exempt_fiscal_years=sorted(row.ecl_exempt_fiscal_years),
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        nominations_cancelled=cancelled,
    )
