"""The domain's reason codes are the contracts' (adapters/publishing.py carries them unchanged)."""

from __future__ import annotations

from typing import get_args

from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from shared.contracts.nomination import v1


def test_the_domain_and_the_contracts_list_the_same_withdrawal_reasons() -> None:
    assert get_args(WithdrawalReason) == get_args(v1.WithdrawalReason)


def test_the_domain_and_the_contracts_list_the_same_cancel_reasons_and_initiators() -> None:
    fields = v1.NominationCancelledV1.model_fields

    assert set(get_args(CancelReason)) == set(get_args(fields["reason"].annotation))
    assert set(get_args(Initiator)) == set(get_args(fields["initiated_by"].annotation))
