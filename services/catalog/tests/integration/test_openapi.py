"""The OpenAPI document shows every catalog route with a description and examples."""

from __future__ import annotations

from typing import Any

from shared.http.app import create_service_app
from shared.runtime import ServiceRuntime

API = "/api/v1/catalog"


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _has_examples(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(spec, schema)
    if "examples" in schema or "example" in schema:
        return True
    items = schema.get("properties", {}).get("items")
    return bool(items and _has_examples(spec, items.get("items", {})))


async def test_every_catalog_route_is_documented_with_examples(make_runtime: Any) -> None:
    runtime: ServiceRuntime[Any, Any] = await make_runtime("catalog")

    spec = create_service_app(runtime).openapi()

    operations = {
        (method.upper(), path): op
        for path, ops in spec["paths"].items()
        if path.startswith(API) and not path.endswith(("healthz", "readyz", "audit"))
        for method, op in ops.items()
    }
    assert len(operations) == 16
    for (method, path), op in operations.items():
        assert op.get("description"), f"{method} {path} has no description"
        assert op["operationId"].split("-", 1)[0] in {"institutions", "courses", "classes"}
        success = next(code for code in op["responses"] if code.startswith("2"))
        content = op["responses"][success].get("content", {}).get("application/json")
        if content is not None:
            assert _has_examples(spec, content["schema"]), f"{method} {path} answer has no example"
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert _has_examples(spec, body["schema"]), f"{method} {path} body has no example"
        assert "422" in op["responses"] or method == "GET"
