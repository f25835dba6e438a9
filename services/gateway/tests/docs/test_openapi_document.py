"""The aggregated OpenAPI document, built from four fake services' documents (no network)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema_rs
from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer

from gateway.docs.merge import SpecPart, merge, operations
from gateway.docs.refs import resolve, unresolved_refs

PREFIXES = {
    "catalog": "/api/v1/catalog",
    "nomination": "/api/v1/nominations",
    "vetting": "/api/v1/vetting",
    "funding": "/api/v1/funding",
    "reporting": "/api/v1/reports",
}
DocsApp = Callable[..., tuple[FastAPI, Any]]


async def fetch_document(app: FastAPI, path: str = "/openapi.json") -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as c:
        response = await c.get(path)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_the_four_services_and_the_gateway_merge_into_one_document(
    docs_app: DocsApp, fake_specs: dict[str, dict[str, Any]]
) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/", "description": "This gateway"}]
    for name, prefix in PREFIXES.items():
        for path in fake_specs[name]["paths"]:
            if path.startswith(prefix):
                assert path in document["paths"], path
    assert {"/healthz", "/api/v1/auth/token", "/.well-known/jwks.json"} <= set(document["paths"])


async def test_differing_schemas_of_one_name_are_prefixed_with_their_service(
    docs_app: DocsApp,
) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    schemas = document["components"]["schemas"]
    assert "Item" not in schemas
    for name, prefix in PREFIXES.items():
        assert set(schemas[f"{name}.Item"]["properties"]) == {f"{name}_code"}
        answer = document["paths"][f"{prefix}/items"]["get"]["responses"]["200"]
        item_ref = answer["content"]["application/json"]["schema"]["items"]["$ref"]
        assert resolve(document, item_ref) == schemas[f"{name}.Item"]


async def test_identical_schemas_of_one_name_are_kept_once(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    names = document["components"]["schemas"]
    assert "Problem" in names
    assert not [name for name in names if name.endswith(".Problem")]


def test_an_identical_schema_that_points_at_a_renamed_one_is_renamed_too() -> None:
    def part(name: str, item_type: str) -> SpecPart:
        spec = {
            "paths": {
                f"/{name}": {
                    "get": {
                        "operationId": f"{name}-get",
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {
                                        "schema": {"$ref": "#/components/schemas/Page"}
                                    }
                                },
                            }
                        },
                    }
                }
            },
            "components": {
                "schemas": {
                    "Page": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                    "Item": {"type": item_type},
                }
            },
        }
        return SpecPart(name, name.capitalize(), spec)

    document = merge([part("a", "string"), part("b", "integer")], {"openapi": "3.1.0"})

    schemas = document["components"]["schemas"]
    assert set(schemas) == {"a.Page", "a.Item", "b.Page", "b.Item"}
    page_b = document["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"]
    assert resolve(document, resolve(document, page_b["schema"]["$ref"])["items"]["$ref"]) == {
        "type": "integer"
    }
    assert unresolved_refs(document) == []


async def test_every_reference_of_the_document_resolves(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    assert unresolved_refs(document) == []


async def test_operation_ids_are_unique_and_colliding_ones_name_their_service(
    docs_app: DocsApp,
) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    ids = Counter(op["operationId"] for _, _, op in operations(document))
    assert max(ids.values()) == 1
    for name, prefix in PREFIXES.items():
        assert document["paths"][f"{prefix}/items"]["get"]["operationId"] == (
            f"{name}.items-list_items"
        )
        assert document["paths"][f"{prefix}/{name}-only"]["get"]["operationId"] == (
            f"items-only_{name}"
        )


async def test_security_is_declared_once_and_required_everywhere_but_on_public_routes(
    docs_app: DocsApp,
) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        **schemes["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert schemes["oauth2"]["flows"] == {
        "clientCredentials": {"tokenUrl": "/api/v1/auth/token", "scopes": {}}
    }
    assert document["security"] == [{"bearerAuth": []}, {"oauth2": []}]
    public = {f"{prefix}/healthz" for prefix in PREFIXES.values()} | {
        "/healthz",
        "/api/v1/auth/token",
        "/.well-known/jwks.json",
    }
    for path, method, operation in operations(document):
        if path in public:
            assert operation["security"] == [], f"{method} {path} should be public"
        else:
            assert "security" not in operation, f"{method} {path} should need a token"


async def test_routes_at_a_service_root_are_not_in_the_document(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    assert "/metrics" not in document["paths"]
    assert document["paths"]["/healthz"]["get"]["tags"] == ["gateway.health"]
    assert {path for path in document["paths"] if not path.startswith("/api/v1/")} == {
        "/healthz",
        "/.well-known/jwks.json",
    }


async def test_examples_of_the_services_are_kept(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    body = document["paths"]["/api/v1/vetting/items"]["post"]["requestBody"]
    example = body["content"]["application/json"]["examples"]["typical"]
    assert example["value"] == {"vetting_code": "A-1"}
    item = document["components"]["schemas"]["funding.Item"]
    assert item["properties"]["funding_code"]["examples"] == ["funding-example-code"]


async def test_tags_are_qualified_and_grouped_per_service_for_redoc(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    groups = {group["name"]: group["tags"] for group in document["x-tagGroups"]}
    assert list(groups) == ["Catalog", "Nominations", "Vetting", "Funding", "Reports", "Gateway"]
    assert groups["Catalog"] == ["catalog.items", "catalog.health"]
    assert groups["Gateway"] == ["gateway.auth", "gateway.health"]
    tags = {tag["name"]: tag for tag in document["tags"]}
    assert tags["catalog.items"]["description"] == "The catalog items."
    assert tags["catalog.items"]["x-displayName"] == "items"
    used = {tag for _, _, op in operations(document) for tag in op["tags"]}
    assert used <= set(tags)


async def test_the_document_is_valid_openapi_3_1(
    docs_app: DocsApp, openapi_validator: Any, errors_of: Any
) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    assert errors_of(openapi_validator, document) == []
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_the_openapi_schema_used_to_validate_rejects_a_broken_document(
    openapi_validator: Any, errors_of: Any
) -> None:
    broken = {"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"no-slash": {}}}

    assert len(errors_of(openapi_validator, broken)) >= 2


async def test_the_token_endpoint_is_documented_with_its_form_body(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = await fetch_document(app)

    token = document["paths"]["/api/v1/auth/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert set(resolve(document, form["schema"]["$ref"])["properties"]) == {
        "grant_type",
        "client_id",
        "client_secret",
    }
    assert token["tags"] == ["gateway.auth"]
    assert token["operationId"] == "auth-token"


async def test_a_gateway_route_that_declares_its_own_security_keeps_it(
    docs_app: DocsApp, openapi_validator: Any, errors_of: Any
) -> None:
    app, _ = docs_app()

    async def clients(_: Any = Depends(HTTPBearer())) -> list[str]:
        return []

    app.add_api_route("/admin/clients", clients, methods=["GET"], tags=["admin"])

    document = await fetch_document(app)

    operation = document["paths"]["/admin/clients"]["get"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert errors_of(openapi_validator, document) == []
