"""The four real services' documents aggregate into one valid document."""

from __future__ import annotations

from collections import Counter
from typing import Any

import jsonschema_rs

from gateway.docs.merge import operations
from gateway.docs.refs import unresolved_refs
from services.gateway.tests.docs.real import real_document


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


async def test_the_real_services_aggregate_with_unique_ids_and_paths_under_their_prefix(
    make_runtime: Any, openapi_validator: Any, errors_of: Any
) -> None:
    document, specs, upstreams = await real_document(make_runtime)

    ids = Counter(operation["operationId"] for _, _, operation in operations(document))
    assert [op_id for op_id, count in ids.items() if count > 1] == []
    for upstream in upstreams:
        served = {p for p in specs[upstream.name]["paths"] if under(p, upstream.prefix)}
        merged = {p for p in document["paths"] if under(p, upstream.prefix)}
        assert served, upstream.name
        assert merged == served, upstream.name
        assert document["paths"][f"{upstream.prefix}/healthz"]["get"]["security"] == []
        # Dependency state is not public: it needs a token (and the service wants an admin).
        assert "security" not in document["paths"][f"{upstream.prefix}/readyz"]["get"]
    others = {p for p in document["paths"] if not any(under(p, u.prefix) for u in upstreams)}
    assert "/healthz" in others
    assert not {"/readyz", "/metrics"} & others  # the admin listener's, not the public door's
    for path in others:
        assert all(op["security"] == [] for op in document["paths"][path].values()), path
    assert unresolved_refs(document) == []
    assert errors_of(openapi_validator, document) == []
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
