"""The gateway's share of the aggregated OpenAPI document: its own routes and security.

The gateway's own routes (health, the OAuth2 token endpoint, the JWKS and discovery documents)
are read from its FastAPI app, so each is documented as it is declared there, with its form
body and examples. They are public: the gateway authenticates only the requests it forwards.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.docs.merge import SpecPart

TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 (a path, not a secret)

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the gateway's token endpoint or the configured OIDC issuer. "
        "Roles (`sco` with a country, `vetter`, `funding_officer`, `catalog_manager`, "
        "`auditor`, `admin`) are claims of the token; each service authorizes from them.",
    },
    "oauth2": {
        "type": "oauth2",
        "description": "OAuth 2.0 client credentials for agency systems.",
        "flows": {"clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": {}}},
    },
}
GLOBAL_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"oauth2": []}]

DEFAULT_TAGS = (
    {"name": "auth", "description": "Tokens for agency systems and the keys that verify them."},
    {
        "name": "health",
        "description": "Liveness of the gateway (no token). Its readiness and "
        "metrics are on the admin listener, not here.",
    },
)


def gateway_part(app: FastAPI) -> SpecPart:
    """The gateway's own routes: those its app includes in the schema."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        routes=app.routes,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    paths = spec.setdefault("paths", {})
    tags = {tag["name"]: tag for tag in (*DEFAULT_TAGS, *(app.openapi_tags or []))}
    spec["tags"] = list(tags.values())
    # The gateway authenticates only what it forwards: its own routes are public unless one
    # declares a security requirement itself.
    return SpecPart("gateway", "Gateway", spec, frozenset(paths))
