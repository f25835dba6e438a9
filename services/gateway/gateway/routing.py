"""Which upstream serves a public path. Paths are forwarded unchanged.

Every proxied prefix is `/api/v1/<segment>`, so a lookup is one `str.find` and one dict get:
`/api/v1/catalog` and `/api/v1/catalog/...` go to catalog; `/api/v1/catalogue` goes nowhere.
Only `<prefix>/healthz` is public (exactly this path, so no other path of a service can slip
past authentication by ending in `/healthz`). `<prefix>/readyz` tells which dependency is
down: it needs a token like any route (and the service answers it to admins only); the
gateway's own readiness probe asks the service's root `/readyz` on its port instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.settings import GatewaySettings

API_ROOT = "/api/v1/"
PUBLIC_SUFFIXES = ("/healthz",)


@dataclass(eq=False)
class Upstream:
    """One service behind the gateway."""

    name: str
    prefix: str
    base_url: str
    public_paths: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        if not self.prefix.startswith(API_ROOT) or "/" in self.prefix[len(API_ROOT) :]:
            raise ValueError(f"a proxied prefix is {API_ROOT}<segment>, got {self.prefix!r}")
        self.public_paths = frozenset(self.prefix + suffix for suffix in PUBLIC_SUFFIXES)

    @property
    def readyz_url(self) -> str:
        """The service's own readiness, at the root of its port (for orchestrators)."""
        return f"{self.base_url}/readyz"


class RouteTable:
    def __init__(self, upstreams: list[Upstream]) -> None:
        self.upstreams = tuple(upstreams)
        self._by_prefix = {upstream.prefix: upstream for upstream in upstreams}
        if len(self._by_prefix) != len(upstreams):
            raise ValueError("two upstreams share a prefix")

    def match(self, path: str) -> Upstream | None:
        if not path.startswith(API_ROOT):
            return None
        end = path.find("/", len(API_ROOT))
        return self._by_prefix.get(path if end < 0 else path[:end])


def route_table(settings: GatewaySettings) -> RouteTable:
    """The five services, each serving its own routes under its public prefix."""
    return RouteTable(
        [
            Upstream("catalog", "/api/v1/catalog", settings.catalog_url),
            Upstream("nomination", "/api/v1/nominations", settings.nomination_url),
            Upstream("vetting", "/api/v1/vetting", settings.vetting_url),
            Upstream("funding", "/api/v1/funding", settings.funding_url),
            Upstream("reporting", "/api/v1/reports", settings.reporting_url),
        ]
    )
