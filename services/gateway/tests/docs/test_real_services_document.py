"""The four real services' documents aggregate into one valid document."""

from __future__ import annotations

from collections import Counter
from typing import Any

import jsonschema_rs

from gateway.admin import create_admin_app
from gateway.docs.merge import operations
from gateway.docs.openapi import OpenApiAggregator
from gateway.docs.refs import unresolved_refs
from gateway.routing import route_table
from gateway.settings import GatewaySettings
from gateway.upstreams import UpstreamPool
from imet.services import DOMAIN_SERVICES
from shared.http.app import create_service_app


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


async def test_the_real_services_aggregate_with_unique_ids_and_paths_under_their_prefix(
    make_runtime: Any, openapi_validator: Any, errors_of: Any
) -> None:
    specs = {}
    for name in DOMAIN_SERVICES:
        specs[name] = create_service_app(await make_runtime(name)).openapi()

    async def fetch(url: str) -> dict[str, Any]:
        return specs[url.removeprefix("http://").split(".", 1)[0]]

    settings = GatewaySettings(**{f"{name}_url": f"http://{name}.test" for name in specs})
    upstreams = list(route_table(settings).upstreams)
    gateway_app = create_admin_app(UpstreamPool(route_table(settings), settings))
    docs = OpenApiAggregator(gateway_app, upstreams, fetch)
    await docs.refresh()

    document = docs.build()

    ids = Counter(operation["operationId"] for _, _, operation in operations(document))
    assert [op_id for op_id, count in ids.items() if count > 1] == []
    for upstream in upstreams:
        served = {p for p in specs[upstream.name]["paths"] if under(p, upstream.prefix)}
        merged = {p for p in document["paths"] if under(p, upstream.prefix)}
        assert served, upstream.name
        assert merged == served, upstream.name
        assert document["paths"][f"{upstream.prefix}/healthz"]["get"]["security"] == []
    others = {p for p in document["paths"] if not any(under(p, u.prefix) for u in upstreams)}
    assert {"/healthz", "/readyz"} <= others
    for path in others:
        assert all(op["security"] == [] for op in document["paths"][path].values()), path
    assert unresolved_refs(document) == []
    assert errors_of(openapi_validator, document) == []
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
