"""Where a verifier finds the public keys of the tokens it accepts: a JWKS file or a JWKS URL.

Services and the gateway only verify tokens: this is all of the key handling they need.
Signing keys (creating, rotating, staging, promoting) belong to the issuer alone - the
gateway's token endpoint and the CLI (`services/gateway/gateway/signing/`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import jwt

from shared.observability import get_logger

PUBLIC_JWKS_FILE = "jwks.json"
DEFAULT_KEY_DIR = Path("var") / "keys"

log = get_logger("auth.jwks")


def default_key_dir(project_root: Path) -> Path:
    """`var/keys/` under the project root: where `make run` keeps the dev signing keys."""
    return project_root / DEFAULT_KEY_DIR


class JwksSource(Protocol):
    """Where a verifier finds public keys by `kid`."""

    def cached_key(self, kid: str) -> jwt.PyJWK | None:
        """The key if it is at hand without network I/O; None otherwise."""

    def fetch_key(self, kid: str) -> jwt.PyJWK | None:
        """The key, fetching if needed (may block on the network: call it off the event loop)."""


class FileJwksSource:
    """A JWKS file, re-read when it changes, so a rotation needs no restart.

    The file is stat'ed on each lookup; lookups happen only when the verifier's cache misses.
    A missing or unparsable file keeps the keys last read (an editor's partial write must not
    lock everyone out).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._signature: tuple[int, int, int] | None = None
        self._keys: dict[str, jwt.PyJWK] = {}

    def cached_key(self, kid: str) -> jwt.PyJWK | None:
        self._reload_if_changed()
        return self._keys.get(kid)

    def fetch_key(self, kid: str) -> jwt.PyJWK | None:
        return self.cached_key(kid)

    def _reload_if_changed(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if signature == self._signature:
            return
        try:
            jwk_set = jwt.PyJWKSet.from_json(self.path.read_text())
        except (OSError, ValueError, jwt.PyJWTError) as exc:
            log.warning("auth.jwks_unreadable", path=str(self.path), error=type(exc).__name__)
            return
        self._keys = {key.key_id: key for key in jwk_set if key.key_id}
        self._signature = signature
        log.info("auth.jwks_loaded", path=str(self.path), kids=sorted(self._keys))


class UrlJwksSource:
    """A JWKS URL (the gateway's own or an external OIDC issuer's) through PyJWT's client.

    The set is cached for `lifespan` seconds; an unknown kid forces a refetch at most once per
    `cooldown` seconds (PyJWKClient's rate limit), so random kids cannot flood the issuer.
    When a fetch fails (issuer down), keys resolved before keep serving.
    """

    def __init__(
        self, url: str, *, lifespan: float = 300.0, cooldown: float = 30.0, timeout: float = 5.0
    ) -> None:
        self.client = jwt.PyJWKClient(
            url, cache_jwk_set=True, lifespan=lifespan, cooldown_duration=cooldown, timeout=timeout
        )
        self._last_known: dict[str, jwt.PyJWK] = {}

    def cached_key(self, kid: str) -> jwt.PyJWK | None:
        cache = self.client.jwk_set_cache
        jwk_set = cache.get() if cache is not None else None
        if jwk_set is None:
            return None
        return next((key for key in jwk_set if key.key_id == kid), None)

    def fetch_key(self, kid: str) -> jwt.PyJWK | None:
        try:
            key = self.client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("auth.jwks_fetch_failed", url=self.client.uri, error=str(exc))
            return self._last_known.get(kid)
        except jwt.PyJWTError:  # no such kid, or an unusable set
            return None
        self._last_known[kid] = key
        return key
