"""Client registration rules: human roles only, sco needs a country, well-formed scopes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.clients.model import Client, ClientSpec, InvalidClient, granted_scopes


def test_a_registration_normalises_roles_country_and_scopes() -> None:
    spec = ClientSpec.of(" Embassy GTM ", ["sco", "sco", "auditor"], "gtm", ["b a", "a"])

    assert spec == ClientSpec("Embassy GTM", ("auditor", "sco"), "GTM", ("a", "b"))


def test_an_sco_client_without_a_country_is_refused() -> None:
    with pytest.raises(InvalidClient, match="country"):
        ClientSpec.of("Embassy", ["sco"], None)


@pytest.mark.parametrize("role", ["service", "superuser"])
def test_a_role_that_is_not_a_human_role_is_refused(role: str) -> None:
    with pytest.raises(InvalidClient, match="unknown role"):
        ClientSpec.of("System", [role], None)


def test_a_client_needs_a_role() -> None:
    with pytest.raises(InvalidClient, match="at least one role"):
        ClientSpec.of("System", [], None)


def test_a_malformed_scope_is_refused() -> None:
    with pytest.raises(InvalidClient, match="scope"):
        ClientSpec.of("System", ["auditor"], None, ['read"all'])


def _client(*scopes: str) -> Client:
    return Client("imet_x", "X", ("auditor",), None, scopes, "active",
                  datetime.now(UTC), "operator:test")  # fmt: skip


def test_a_token_request_without_scope_gets_every_allowed_scope() -> None:
    assert granted_scopes(_client("a", "b"), None) == ("a", "b")


def test_a_token_request_may_narrow_the_scopes() -> None:
    assert granted_scopes(_client("a", "b"), "b") == ("b",)


def test_a_token_request_for_a_scope_not_allowed_gets_none() -> None:
    assert granted_scopes(_client("a"), "a c") is None
