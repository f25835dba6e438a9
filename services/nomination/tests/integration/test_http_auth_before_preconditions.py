"""Regression: updates authenticate and authorize BEFORE looking at If-Match.

Both PATCH routes once declared `if_match` before the principal, so a request without a token
(or with a role that may not edit) got 428 `precondition-required` instead of 401/403.
Found by tests/security (defense in depth walk).
"""

from __future__ import annotations

import pytest

from services.nomination.tests.integration.support import BASE, World


@pytest.mark.parametrize("resource", ["nomination", "candidate"])
async def test_an_update_without_a_token_or_if_match_is_a_401_not_a_428(
    world: World, resource: str
) -> None:
    draft = await world.draft()
    paths = {"nomination": f"{BASE}/{draft['id']}",
             "candidate": f"{BASE}/candidates/{draft['candidate_id']}"}  # fmt: skip
    url = paths[resource]

    anonymous = await world.client.patch(url, json={"given_names": "X"})
    auditor = await world.client.patch(url, json={"given_names": "X"}, headers=world.as_("auditor"))

    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert auditor.status_code == 403
