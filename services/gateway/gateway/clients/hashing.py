"""Client secrets are stored as argon2id hashes (argon2-cffi), never in clear.

Parameters: OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane), about 35 ms per check on the
reference box. Secrets are 256 random bits, so the hash guards a stolen table rather than weak
secrets; the cost is what every token request pays, and what bounds an online guesser beside
the token endpoint's rate limit. Hashing runs in a worker thread, at most `concurrency` at a
time, so a burst of token requests can neither block the event loop nor take all memory.
A hash made with older parameters is upgraded after a successful check.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class SecretHasher:
    def __init__(self, *, concurrency: int = 2) -> None:
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        self._slots = asyncio.Semaphore(concurrency)
        # Checked against when the client is unknown, so that answer takes as long as the
        # others and does not tell which client ids exist.
        self._dummy = self._hasher.hash("imet-no-such-client")

    async def hash(self, secret: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, secret)

    async def verify(self, stored: str | None, secret: str) -> bool:
        """True when `secret` matches `stored`; with `stored` None, spends the same time."""
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored, secret)

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)

    def _verify(self, stored: str | None, secret: str) -> bool:
        try:
            self._hasher.verify(stored or self._dummy, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return stored is not None
