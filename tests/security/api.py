"""The API under test, read from the running stack: the OpenAPI documents, their routes, and
syntactically valid values for path parameters.

`api_spec` is THE one place that says which document describes the public API: the gateway's
aggregated `/openapi.json` (every walk and the schemathesis run follow it).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from imet.stack import Stack
from shared.messaging.dlq.records import ID_PATTERN as DEAD_LETTER_ID
from tests.helpers.timing import scaled

SERVICES = ("catalog", "nomination", "vetting", "funding")
HEALTH_SUFFIXES = ("/healthz", "/readyz")
METHODS = ("get", "put", "post", "patch", "delete")
_PARAM = re.compile(r"{([^}]+)}")
_REF = "#/components/schemas/"


def service_spec(stack: Stack, service: str) -> dict[str, Any]:
    """A service's own OpenAPI document, read from its port (not through the gateway)."""
    response = httpx.get(f"http://127.0.0.1:{stack.options.ports[service]}/openapi.json")
    response.raise_for_status()
    spec: dict[str, Any] = response.json()
    return spec


def api_spec(stack: Stack) -> dict[str, Any]:
    """The public API as its users see it: the gateway's aggregated `/openapi.json`.

    Cross-checked against the services' own documents: every route a service declares is in it
    (an operation the aggregation dropped would escape every walk and the fuzzer).
    """
    deadline = time.monotonic() + scaled(60)
    while True:  # the gateway reports each service's document; a busy one may be late
        response = httpx.get(f"{stack.gateway_url}/openapi.json", timeout=scaled(60.0))
        response.raise_for_status()
        spec: dict[str, Any] = response.json()
        upstreams = spec["info"]["x-upstreams"]
        if all(u["status"] == "ok" for u in upstreams.values()) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    for service in SERVICES:
        own = service_spec(stack, service)["paths"]
        for path, operations in own.items():
            for method in set(operations) & set(METHODS):
                if method not in spec["paths"].get(path, {}):
                    raise AssertionError(f"{method.upper()} {path} of {service} is not documented")
    return spec


@dataclass(frozen=True)
class Route:
    method: str  # upper case
    path: str  # the template, e.g. /api/v1/nominations/{nomination_id}
    parameters: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    @property
    def query_params(self) -> tuple[str, ...]:
        return tuple(p["name"] for p in self.parameters if p["in"] == "query")

    @property
    def is_health(self) -> bool:
        return self.method == "GET" and self.path.endswith(HEALTH_SUFFIXES)

    @property
    def changes_state(self) -> bool:
        return self.method != "GET"

    def param_schema(self, name: str) -> dict[str, Any]:
        for p in self.parameters:
            if p["in"] == "path" and p["name"] == name:
                schema: dict[str, Any] = p.get("schema", {})
                return schema
        raise KeyError(f"{self.key}: no declared path parameter {name!r}")

    def url(self, values: Mapping[str, object]) -> str:
        """The path with each `{name}` replaced by `values[name]` (KeyError if one is missing)."""
        return _PARAM.sub(lambda m: str(values[m.group(1)]), self.path)


def routes(spec: Mapping[str, Any], *, public: bool = False) -> list[Route]:
    """The operations of `spec`; those documented as needing no token (`security: []`: the
    gateway's token endpoint, JWKS and health) only with `public=True` - nothing to authorize."""
    found = []
    for path, item in spec["paths"].items():
        shared = tuple(item.get("parameters", ()))
        for method in METHODS:
            operation = item.get(method)
            if operation is not None and (public or operation.get("security") != []):
                params = shared + tuple(operation.get("parameters", ()))
                found.append(Route(method.upper(), path, params))
    return found


def by_key(items: Iterable[Route]) -> dict[str, Route]:
    return {r.key: r for r in items}


def syntactic_value(route: Route, name: str) -> str:
    """A value the parameter's declared schema accepts, so a request reaches authentication
    (and authorization) instead of failing path validation. Unknown shapes raise: a new kind
    of path parameter must be taught here, never silently skipped."""
    schema = route.param_schema(name)
    pattern = schema.get("pattern")
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if pattern == "^[BDPMZQ][0-9]{6}$":
        return "D123456"
    if pattern == "^[A-Z]{3}$":
        return "GTM"
    if pattern == "^[a-z][a-z0-9_]{2,49}$":
        return "some_name"
    if pattern == DEAD_LETTER_ID:
        return "imet.catalog.events.dlq:0:0"
    if schema.get("type") == "integer":
        return {"fiscal_year": "2026", "version": "1"}[name]
    raise ValueError(f"{route.key}: no syntactically valid value known for {name!r}: {schema}")


def syntactic_url(route: Route) -> str:
    return route.url({name: syntactic_value(route, name) for name in route.path_params})
