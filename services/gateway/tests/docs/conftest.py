"""Fake upstream services for the documentation tests, and a way to serve them over TCP.

The four fakes are real FastAPI apps (so their documents are what FastAPI generates) that
collide on purpose: every one declares a different `Item` schema and the same `Problem` schema,
and the same operation id `items-list_items`; each also documents routes at its root
(`/healthz`, `/metrics`) that the gateway does not serve.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi import Body, FastAPI, Form
from pydantic import BaseModel, Field, create_model

from gateway.settings import GatewaySettings
from services.gateway.tests.conftest import serve
from shared.http.app import operation_id

PREFIXES = {
    "catalog": "/api/v1/catalog",
    "nomination": "/api/v1/nominations",
    "vetting": "/api/v1/vetting",
    "funding": "/api/v1/funding",
    "reporting": "/api/v1/reports",
}
SCHEMAS = Path(__file__).parent / "schemas"


class Problem(BaseModel):
    type: str
    title: str


def fake_service_app(name: str) -> FastAPI:
    prefix = PREFIXES[name]
    app = FastAPI(
        title=f"Fake {name}",
        version="1.0.0",
        generate_unique_id_function=operation_id,
        openapi_tags=[{"name": "items", "description": f"The {name} items."}],
    )
    item: Any = create_model(
        "Item", **{f"{name}_code": (str, Field(examples=[f"{name}-example-code"]))}
    )

    async def list_items() -> list[Any]:
        return []

    examples = {"typical": {"summary": "A typical item", "value": {f"{name}_code": "A-1"}}}

    async def create_item(body: dict[str, str] = Body(openapi_examples=examples)) -> dict[str, str]:
        return body

    async def own_route() -> dict[str, str]:
        return {}

    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_api_route(
        f"{prefix}/items",
        list_items,
        methods=["GET"],
        tags=["items"],
        response_model=list[item],
        responses={404: {"model": Problem}},
    )
    app.add_api_route(f"{prefix}/items", create_item, methods=["POST"], tags=["items"])
    app.add_api_route(
        f"{prefix}/{name}-only", own_route, methods=["GET"], tags=["items"], name=f"only_{name}"
    )
    app.add_api_route(
        f"{prefix}/healthz", healthz, methods=["GET"], tags=["health"], name="healthz-public"
    )
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["health"])
    app.add_api_route("/metrics", healthz, methods=["GET"], tags=["health"], name="metrics")
    return app


@pytest.fixture(scope="session")
def fake_specs() -> dict[str, dict[str, Any]]:
    """The four fakes' documents, by service name."""
    return {name: fake_service_app(name).openapi() for name in PREFIXES}


@pytest.fixture
def serve_app() -> Callable[[Any], contextlib.AbstractContextManager[str]]:
    """The documentation fakes have no lifespan: served with it off."""
    return functools.partial(serve, lifespan="off")


@pytest.fixture(scope="session")
def openapi_validator() -> Any:
    """The official OpenAPI 3.1 document schema."""
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / "openapi-3.1.json").read_text()))


@pytest.fixture(scope="session")
def asyncapi_validator() -> Any:
    """The official AsyncAPI 3.0.0 JSON Schema."""
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / "asyncapi-3.0.0.json").read_text()))


def schema_errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return [f"{list(e.instance_path)}: {e.message[:300]}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="session")
def errors_of() -> Callable[[Any, dict[str, Any]], list[str]]:
    return schema_errors


def gateway_settings() -> GatewaySettings:
    return GatewaySettings(**{f"{name}_url": f"http://{name}.test" for name in PREFIXES})


def fetch_from(specs: dict[str, dict[str, Any]]) -> Callable[[str], Any]:
    """A fetch that answers `http://<service>.test/openapi.json` from `specs` (no network)."""

    async def fetch(url: str) -> dict[str, Any]:
        name = url.removeprefix("http://").split(".", 1)[0]
        if name not in specs:
            raise ConnectionRefusedError(url)
        return specs[name]

    return fetch


@pytest.fixture
def docs_app(fake_specs: dict[str, dict[str, Any]]) -> Callable[..., tuple[FastAPI, Any]]:
    """`docs_app(specs=None)` -> (a FastAPI app with routes like the gateway's own: health, a
    token endpoint with a form body, a key set; the docs mounted on it, and the DocsState)."""
    from gateway.docs import mount_docs

    def _make(specs: dict[str, dict[str, Any]] | None = None) -> tuple[FastAPI, Any]:
        app = FastAPI(
            openapi_url=None,
            docs_url=None,
            redoc_url=None,
            generate_unique_id_function=operation_id,
        )

        async def healthz() -> dict[str, str]:
            return {"status": "ok"}

        async def token(
            grant_type: str = Form(...), client_id: str = Form(...), client_secret: str = Form(...)
        ) -> dict[str, str]:
            return {}

        async def jwks() -> dict[str, list[str]]:
            return {"keys": []}

        app.add_api_route("/healthz", healthz, methods=["GET"], tags=["health"])
        app.add_api_route("/api/v1/auth/token", token, methods=["POST"], tags=["auth"])
        app.add_api_route("/.well-known/jwks.json", jwks, methods=["GET"], tags=["auth"])
        state = mount_docs(app, gateway_settings(), fetch=fetch_from(specs or fake_specs))
        return app, state

    return _make
