"""The `/ops` pages of the gateway over real TCP and PostgreSQL (ADR 0100): the login form
runs the token endpoint's client check, the session cookie's attributes, who gets in, the
pages' security headers, cross-site posts, logout. The upstreams are echo servers here, so
the panels say "unavailable" (the figures are tested in tests/e2e/test_ops_dashboard.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.clients.model import Client, ClientSpec
from gateway.clients.store import ClientStore
from gateway.ops_dashboard.routes import PAGE_CSP
from gateway.signing.keys import ensure_dev_keys
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from shared.settings import PlatformSettings
from tests.helpers.timing import scaled

Register = Callable[..., Awaitable[tuple[Client, str]]]


@pytest.fixture(scope="module")
def ops_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ops-keys")
    ensure_dev_keys(directory)
    return directory


@pytest.fixture(scope="module")
def ops_gateway(start_gateway: Any, gateway_db: str, ops_keys: Path) -> Iterator[str]:
    platform = PlatformSettings()
    verifier = TokenVerifier(FileJwksSource(ops_keys / "jwks.json"), platform.auth_issuer,
                             platform.auth_audience)  # fmt: skip
    with start_gateway(with_verifier=verifier, database_url=gateway_db, key_dir=ops_keys) as url:
        yield url


@pytest.fixture
async def http(ops_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ops_gateway, timeout=scaled(15)) as client:
        yield client


@pytest.fixture(scope="module")
async def store(gateway_db: str) -> AsyncIterator[ClientStore]:
    clients = ClientStore.from_url(gateway_db, pool_size=2)
    yield clients
    await clients.aclose()


@pytest.fixture
def register(store: ClientStore) -> Register:
    async def _register(*roles: str) -> tuple[Client, str]:
        country = "GTM" if "sco" in roles else None
        spec = ClientSpec.of(f"ops test {uuid.uuid4().hex[:6]}", roles, country, ())
        return await store.create(spec, actor="operator:test")

    return _register


async def _login(http: httpx.AsyncClient, client_id: str, secret: str,
                 **headers: str) -> httpx.Response:  # fmt: skip
    return await http.post("/ops/login", data={"client_id": client_id, "client_secret": secret},
                           headers=headers)  # fmt: skip


def _assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


async def test_without_a_session_every_page_sends_to_the_login_form(
    http: httpx.AsyncClient,
) -> None:
    answers = [await http.get(p) for p in ("/ops", "/ops/panels", "/ops/dlq?topic=x",
                                            "/ops/dlq/x.dlq:0:1")]  # fmt: skip
    form = await http.get("/ops/login")
    async with httpx.AsyncClient(base_url=str(http.base_url), cookies={"imet_ops": "a.b.c"},
                                 timeout=scaled(15)) as forger:  # fmt: skip
        forged = await forger.get("/ops")

    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, "/ops/login")] * 4
    assert forged.status_code == 303
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    _assert_page_headers(form)
    assert 'name="client_secret" type="password"' in form.text


async def test_an_admin_signs_in_with_a_cookie_scoped_to_ops_and_signs_out(
    http: httpx.AsyncClient, register: Register, capfd: pytest.CaptureFixture[str]
) -> None:
    client, secret = await register("admin")

    login = await _login(http, client.client_id, secret)
    cookie = login.headers["set-cookie"]
    token = cookie.split(";")[0].removeprefix("imet_ops=")
    dashboard = await http.get("/ops")
    panels = await http.get("/ops/panels")
    logout = await http.post("/ops/logout")
    after = await http.get("/ops")

    assert login.status_code == 303
    assert login.headers["location"] == "/ops"
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert attributes["httponly"] == "HttpOnly"
    assert attributes["path"] == "Path=/ops"
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["max-age"] == "Max-Age=900"
    assert "secure" not in attributes  # plain http here; https requests get Secure
    assert token.count(".") == 2
    assert dashboard.status_code == 200
    _assert_page_headers(dashboard)
    assert client.client_id in dashboard.text
    assert token not in dashboard.text
    assert 'id="panels"' in dashboard.text
    assert "Unavailable" in dashboard.text  # the echo upstreams serve no metrics
    assert panels.status_code == 200
    assert panels.text.startswith('<div id="panels"')
    assert logout.status_code == 303
    assert 'imet_ops=""' in logout.headers["set-cookie"]
    assert "Max-Age=0" in logout.headers["set-cookie"]
    assert after.status_code == 303
    out, err = capfd.readouterr()
    assert token not in out + err
    assert secret not in out + err
    assert "ops.login" in out + err  # the login was logged, without the token


async def test_an_auditor_sees_the_dashboard_but_not_the_dead_letters(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register("auditor")

    login = await _login(http, client.client_id, secret)
    dashboard = await http.get("/ops")
    letters = await http.get("/ops/dlq", params={"topic": "imet.catalog.events"})
    letter = await http.get("/ops/dlq/imet.catalog.events.dlq:0:1")

    assert login.status_code == 303
    assert dashboard.status_code == 200
    assert (letters.status_code, letter.status_code) == (403, 403)
    _assert_page_headers(letter)
    assert "for admins" in letter.text


@pytest.mark.parametrize("role", ["sco", "vetter", "funding_officer", "catalog_manager"])
async def test_other_roles_get_a_403_page_and_no_cookie(
    http: httpx.AsyncClient, register: Register, role: str
) -> None:
    client, secret = await register(role)

    login = await _login(http, client.client_id, secret)

    assert login.status_code == 403
    assert "set-cookie" not in login.headers
    assert "for admins and auditors" in login.text


async def test_a_wrong_secret_a_missing_field_and_a_cross_site_post_are_refused(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register("admin")

    wrong = await _login(http, client.client_id, secret + "x")
    missing = await http.post("/ops/login", data={"client_id": client.client_id})
    cross = await _login(http, client.client_id, secret, **{"Sec-Fetch-Site": "cross-site"})
    other_origin = await _login(http, client.client_id, secret, Origin="https://evil.example")
    json_body = await http.post("/ops/login", json={"client_id": "x", "client_secret": "y"})

    assert wrong.status_code == 401
    assert "Wrong client id or secret" in wrong.text
    assert missing.status_code == 400
    assert (cross.status_code, other_origin.status_code) == (403, 403)
    assert json_body.status_code == 400
    for answer in (wrong, missing, cross, other_origin, json_body):
        assert "set-cookie" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
        _assert_page_headers(answer)


async def test_the_static_files_are_served_by_the_gateway_and_the_pages_are_undocumented(
    http: httpx.AsyncClient,
) -> None:
    css = await http.get("/ops/static/ops.css")
    js = await http.get("/ops/static/ops.js")
    missing = await http.get("/ops/static/nope.js")
    document = (await http.get("/openapi.json")).json()

    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["content-type"].startswith("text/javascript")
    assert "fetch(" in js.text
    assert missing.status_code == 404
    assert not [p for p in document["paths"] if p.startswith("/ops")]
