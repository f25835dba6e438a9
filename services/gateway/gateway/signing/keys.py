"""The issuer's signing keys on disk: created, rotated, staged and promoted here only.

Key directory layout (dev and the gateway's own issuer; production may use an external OIDC
issuer instead):

- `private_jwks.json` (mode 0600): the private JWKs, CURRENT KEY FIRST, at most `keep` keys.
- `jwks.json` (mode 0644): the same keys without their private parts.

Invariants:
- A key's `kid` is its RFC 7638 thumbprint, so the same key always has the same id.
- Rotation writes `jwks.json` BEFORE `private_jwks.json`: no token can be signed by a key that
  verifiers cannot yet find. The previous keys stay published so tokens they signed stay valid
  until they expire.
- Writers hold an exclusive `flock` on `.lock`, so processes starting together create one key.
  Readers take no lock and write nothing: a directory mounted read-only (a Kubernetes Secret)
  works as long as it holds keys.
- Rotation in one step (`rotate_keys`) suits one signing process. Several signers (gateway
  replicas that see a changed Secret at different moments) rotate in two: `stage_key`
  publishes the new key without signing with it, `promote_key` makes it current once every
  replica and every JWKS cache has seen it.
- Nothing here reads the environment; callers pass the directory.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from shared.auth.jwks import PUBLIC_JWKS_FILE
from shared.observability import get_logger

PRIVATE_JWKS_FILE = "private_jwks.json"
KeyAlgorithm = Literal["EdDSA", "RS256"]
PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey

# RFC 7638: the members that define a public key, per key type.
log = get_logger("auth.keys")

_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}
_SIGNING_ALGORITHMS: dict[str, KeyAlgorithm] = {"EdDSA": "EdDSA", "RS256": "RS256"}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


@dataclass(frozen=True)
class SigningKey:
    """One private key with its key id and JWS algorithm."""

    kid: str
    algorithm: KeyAlgorithm
    private_key: PrivateKey

    def private_jwk(self) -> dict[str, Any]:
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            jwk = OKPAlgorithm.to_jwk(self.private_key, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(self.private_key, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_jwk(self) -> dict[str, Any]:
        return {k: v for k, v in self.private_jwk().items() if k not in _PRIVATE_MEMBERS}


@dataclass(frozen=True)
class KeySet:
    """The keys of a key directory; `keys[0]` is the current signing key."""

    keys: tuple[SigningKey, ...]

    @property
    def current(self) -> SigningKey:
        return self.keys[0]

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def jwk_thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url without padding)."""
    members = _THUMBPRINT_MEMBERS[public_jwk["kty"]]
    canonical = json.dumps({m: public_jwk[m] for m in members}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def generate_key(algorithm: KeyAlgorithm = "EdDSA") -> SigningKey:
    """A fresh key; Ed25519 by default, RSA-2048 for issuers that must speak RS256."""
    private: PrivateKey
    if algorithm == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        public = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return SigningKey(kid=jwk_thumbprint(public), algorithm=algorithm, private_key=private)


def load_private_keys(key_dir: Path) -> KeySet:
    """The key set of `key_dir`; FileNotFoundError when no key was created there yet."""
    data = json.loads((key_dir / PRIVATE_JWKS_FILE).read_text())
    keys = tuple(_signing_key_from_jwk(jwk) for jwk in data["keys"])
    if not keys:
        raise ValueError(f"{key_dir / PRIVATE_JWKS_FILE} holds no keys")
    return KeySet(keys)


def public_jwks(key_dir: Path) -> dict[str, Any]:
    """The public JWKS document of `key_dir` (what `/.well-known/jwks.json` would serve)."""
    return load_private_keys(key_dir).public_jwks()


def ensure_dev_keys(key_dir: Path, algorithm: KeyAlgorithm = "EdDSA") -> KeySet:
    """The key set of `key_dir`, creating a first signing key when there is none.

    Existing keys are read without the lock (nothing is written then), so a read-only
    directory with keys in it is fine.
    """
    try:
        return load_private_keys(key_dir)
    except FileNotFoundError:
        pass
    with _locked(key_dir):
        try:
            return load_private_keys(key_dir)
        except FileNotFoundError:
            keyset = KeySet((generate_key(algorithm),))
            _write(key_dir, keyset)
            return keyset


def rotate_keys(key_dir: Path, algorithm: KeyAlgorithm = "EdDSA", keep: int = 3) -> KeySet:
    """Make a new current key; keep the newest `keep - 1` previous keys published.

    Keep the previous keys at least as long as the longest token lifetime, or tokens they
    signed stop verifying before they expire.
    """
    if keep < 2:
        raise ValueError("keep at least 2 keys, or tokens signed before rotation break at once")
    with _locked(key_dir):
        try:
            previous = load_private_keys(key_dir).keys
        except FileNotFoundError:
            previous = ()
        keyset = KeySet((generate_key(algorithm), *previous[: keep - 1]))
        _write(key_dir, keyset)
        return keyset


def stage_key(key_dir: Path, algorithm: KeyAlgorithm = "EdDSA", keep: int = 3) -> KeySet:
    """Publish a new key second, behind the current one: verifiers learn it, nobody signs yet.

    Promote it (`promote_key`) once every signer and verifier has seen the new JWKS.
    """
    if keep < 2:
        raise ValueError("keep at least 2 keys: the current one and the staged one")
    with _locked(key_dir):
        current, *older = load_private_keys(key_dir).keys
        keyset = KeySet((current, generate_key(algorithm), *older[: keep - 2]))
        _write(key_dir, keyset)
        return keyset


def promote_key(key_dir: Path, kid: str) -> KeySet:
    """Make the published key `kid` the current signing key; the others stay published."""
    with _locked(key_dir):
        keys = load_private_keys(key_dir).keys
        chosen = next((key for key in keys if key.kid == kid), None)
        if chosen is None:
            raise KeyError(f"no key {kid!r} in {key_dir}")
        keyset = KeySet((chosen, *(key for key in keys if key.kid != kid)))
        _write(key_dir, keyset)
        return keyset


class KeyDirectory:
    """The private keys of a key directory, re-read whenever the file changes.

    What a signer holds (the gateway's token endpoint and JWKS): a rotation (`imet keys
    rotate`, or a Kubernetes Secret swapped by the kubelet) takes effect at the next call, with
    no restart. Only reads: no lock, no write. An unreadable new file keeps the keys read last.
    """

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._signature: tuple[int, int, int] | None = None
        self._keyset: KeySet | None = None

    def keyset(self) -> KeySet:
        """The current key set; FileNotFoundError when the directory never held keys."""
        path = self.key_dir / PRIVATE_JWKS_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            if self._keyset is None:
                raise
            return self._keyset
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if signature != self._signature or self._keyset is None:
            try:
                self._keyset = load_private_keys(self.key_dir)
            except (OSError, ValueError, KeyError, jwt.PyJWTError) as exc:
                if self._keyset is None:
                    raise
                log.warning("auth.keys_unreadable", path=str(path), error=type(exc).__name__)
                return self._keyset
            self._signature = signature
            log.info("auth.keys_loaded", path=str(path), kids=[k.kid for k in self._keyset.keys])
        return self._keyset

    @property
    def current(self) -> SigningKey:
        return self.keyset().current


def _signing_key_from_jwk(jwk: dict[str, Any]) -> SigningKey:
    parsed = jwt.PyJWK(jwk)
    algorithm = _SIGNING_ALGORITHMS.get(parsed.algorithm_name)
    if algorithm is None:
        raise ValueError(f"unsupported algorithm {parsed.algorithm_name!r} in key {jwk.get('kid')}")
    private = parsed.key
    if not isinstance(private, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"key {jwk.get('kid')} is not a private key")
    return SigningKey(kid=str(jwk["kid"]), algorithm=algorithm, private_key=private)


_thread_lock = threading.Lock()


@contextlib.contextmanager
def _locked(key_dir: Path) -> Iterator[None]:
    # flock serializes processes; the thread lock serializes threads of one process, which
    # share the process's flock and would not exclude each other through it.
    key_dir.mkdir(parents=True, exist_ok=True)
    with _thread_lock, (key_dir / ".lock").open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _write(key_dir: Path, keyset: KeySet) -> None:
    public = json.dumps(keyset.public_jwks(), indent=2).encode()
    private = json.dumps({"keys": [k.private_jwk() for k in keyset.keys]}, indent=2).encode()
    _write_atomic(key_dir / PUBLIC_JWKS_FILE, public, 0o644)
    _write_atomic(key_dir / PRIVATE_JWKS_FILE, private, 0o600)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write a sibling temp file with its final mode, then rename it over `path`.

    The mode is set at creation (and again after, against the umask), so a private key is
    never readable by others, not even for an instant; readers see the old or the new file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(fd, mode)
        out.write(data)
        out.flush()
        os.fsync(fd)
    os.replace(tmp, path)
