"""Which upstream a path goes to, and which paths are public."""

from __future__ import annotations

import pytest

from gateway.routing import RouteTable, Upstream, route_table
from gateway.settings import GatewaySettings


@pytest.fixture
def table() -> RouteTable:
    return route_table(GatewaySettings())


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/api/v1/catalog", "catalog"),
        ("/api/v1/catalog/courses/D177014", "catalog"),
        ("/api/v1/nominations", "nomination"),
        ("/api/v1/nominations/123/history", "nomination"),
        ("/api/v1/vetting/cases", "vetting"),
        ("/api/v1/funding/allocations", "funding"),
    ],
)
def test_each_prefix_routes_to_its_service(table: RouteTable, path: str, upstream: str) -> None:
    matched = table.match(path)

    assert matched is not None
    assert matched.name == upstream


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/api/v1/catalogue", "/api/v1/nominationsX", "/api/v2/catalog/x"]
)
def test_other_paths_are_not_proxied(table: RouteTable, path: str) -> None:
    assert table.match(path) is None


def test_only_the_exact_health_paths_are_public(table: RouteTable) -> None:
    catalog = table.match("/api/v1/catalog")

    assert catalog is not None
    assert catalog.public_paths == {"/api/v1/catalog/healthz"}


def test_a_prefix_deeper_than_one_segment_is_refused() -> None:
    with pytest.raises(ValueError, match="segment"):
        Upstream("x", "/api/v1/a/b", "http://127.0.0.1:1")


def test_upstream_urls_lose_their_trailing_slash() -> None:
    settings = GatewaySettings(catalog_url="http://catalog:8001/")

    assert settings.catalog_url == "http://catalog:8001"
