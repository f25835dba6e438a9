"""Fixtures of the auth tests: a fresh key directory, an issuer and a verifier over its JWKS."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import KeySet, SigningKey, ensure_dev_keys
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier

ISSUER = "imet-test-issuer"
AUDIENCE = "imet-pipeline"


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keyset(key_dir: Path) -> KeySet:
    return ensure_dev_keys(key_dir)


@pytest.fixture
def issuer(keyset: KeySet) -> TokenIssuer:
    return TokenIssuer(keyset.current, ISSUER, AUDIENCE, ttl_seconds=600)


@pytest.fixture
def verifier(key_dir: Path, keyset: KeySet) -> TokenVerifier:
    return TokenVerifier(FileJwksSource(key_dir / "jwks.json"), ISSUER, AUDIENCE, leeway_seconds=0)


@pytest.fixture
def claims() -> Callable[..., dict[str, Any]]:
    """Valid claims for ISSUER/AUDIENCE, overridable: `claims(exp=..., roles=[...])`."""

    def _claims(**overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "nbf": now,
                "exp": now + 600, "jti": "j-1", "roles": ["vetter"]}  # fmt: skip
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    return _claims


@pytest.fixture
def sign() -> Callable[[dict[str, Any], SigningKey], str]:
    def _sign(payload: dict[str, Any], key: SigningKey) -> str:
        return jwt.encode(
            payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid}
        )

    return _sign


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def unsigned_token() -> Callable[[dict[str, Any], dict[str, Any]], str]:
    """A JWS put together by hand (header and payload as given, empty signature)."""

    def _token(header: dict[str, Any], payload: dict[str, Any]) -> str:
        return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."

    return _token


class JwksServer:
    """Serves whatever `document` holds at /jwks and counts the fetches."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks"


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)
