"""The revocation list on its own: what it refuses, and what a failed refresh keeps."""

from __future__ import annotations

import pytest

from gateway.revocations import RevocationList
from shared.auth.principal import Principal
from shared.auth.tokens import AuthError
from shared.http.problems import ProblemException

CLIENT = Principal(subject="imet_a", client_id="imet_a")
PERSON = Principal(subject="someone")


class Table:
    """What `ClientStore.revoked_ids` would answer; `down` makes it fail like a lost database."""

    def __init__(self) -> None:
        self.revoked: frozenset[str] = frozenset()
        self.down = False

    async def load(self) -> frozenset[str]:
        if self.down:
            raise ConnectionRefusedError
        return self.revoked


async def test_a_revoked_client_is_refused_once_the_list_is_refreshed() -> None:
    table, forgotten = Table(), []
    revocations = RevocationList(table.load, refresh_seconds=60, on_revoked=forgotten.append)
    await revocations.refresh()
    revocations.check(CLIENT)

    table.revoked = frozenset({"imet_a"})
    await revocations.refresh()

    with pytest.raises(AuthError) as refused:
        revocations.check(CLIENT)
    assert refused.value.reason == "revoked"
    assert forgotten == [frozenset({"imet_a"})]
    revocations.check(PERSON)


async def test_a_failed_refresh_keeps_the_last_list() -> None:
    table = Table()
    table.revoked = frozenset({"imet_a"})
    revocations = RevocationList(table.load, refresh_seconds=60)
    await revocations.refresh()

    table.down = True
    refreshed = await revocations.refresh()

    assert refreshed is False
    with pytest.raises(AuthError):
        revocations.check(CLIENT)


async def test_until_the_first_load_client_tokens_are_refused_and_people_pass() -> None:
    table = Table()
    table.down = True
    revocations = RevocationList(table.load, refresh_seconds=60)
    await revocations.refresh()

    with pytest.raises(ProblemException) as unavailable:
        revocations.check(CLIENT)
    assert unavailable.value.status == 503
    revocations.check(PERSON)
