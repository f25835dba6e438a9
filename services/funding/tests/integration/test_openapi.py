"""The funding API describes itself: stable operation ids, the business rule of every route,
examples."""

from __future__ import annotations

from typing import Any


async def test_every_funding_operation_has_a_stable_id_a_description_and_a_response_schema(
    service_client: Any,
) -> None:
    client = await service_client("funding")

    document = (await client.get("/openapi.json")).json()

    operations = [
        (path, method, op)
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/funding/")
        and not path.endswith(("/healthz", "/readyz", "/audit"))
        for method, op in methods.items()
    ]
    assert len(operations) >= 25
    for path, method, op in operations:
        assert op["operationId"].startswith(f"{op['tags'][0]}-"), (path, method)
        assert len(op.get("description", "")) > 20, (path, method)
        first = op["responses"][next(iter(op["responses"]))]
        assert "application/json" in first["content"], (path, method)
    assert len({op["operationId"] for _, _, op in operations}) == len(operations)
    assert "examples" in document["components"]["schemas"]["AllocationCreate"]
