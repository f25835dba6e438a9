"""One retry on an upstream connection failure, only for requests safe to repeat.

The flaky upstream below hangs up without answering on the first N connections that ask for a
path containing `fail-N` (the gateway sees a disconnected server), then answers 200.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from imet.infra.process import free_port
from tests.helpers.timing import scaled


class FlakyUpstream:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.attempts: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flaky-upstream", daemon=True)

    def __enter__(self) -> FlakyUpstream:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("flaky upstream did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        method, path = head.split(" ", 2)[:2]
        length = re.search(r"(?im)^content-length:\s*(\d+)", head)
        if length:
            await reader.readexactly(int(length.group(1)))
        self.attempts[path] += 1
        failures = re.search(r"fail-(\d+)", path)
        if failures and self.attempts[path] <= int(failures.group(1)):
            writer.transport.abort()  # hang up: no status line, connection reset
            return
        body = f'{{"attempt": {self.attempts[path]}, "method": "{method}"}}'.encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode()
                     + b"\r\n\r\n" + body)  # fmt: skip
        await writer.drain()
        writer.close()


@pytest.fixture(scope="module")
def flaky() -> Iterator[FlakyUpstream]:
    with FlakyUpstream() as upstream:
        yield upstream


@pytest.fixture(scope="module")
def flaky_gateway(start_gateway: Any, flaky: FlakyUpstream) -> Iterator[str]:
    with start_gateway(catalog_url=flaky.url) as url:
        yield url


@pytest.fixture
async def http(flaky_gateway: str) -> Any:
    async with httpx.AsyncClient(base_url=flaky_gateway, timeout=scaled(10)) as client:
        yield client


def _path(failures: int) -> str:
    return f"/api/v1/catalog/fail-{failures}/{uuid.uuid4().hex}"


async def test_a_get_is_retried_once_after_a_connection_failure(
    http: httpx.AsyncClient, auth: dict[str, str], flaky: FlakyUpstream
) -> None:
    path = _path(1)

    response = await http.get(path, headers=auth)

    assert response.status_code == 200
    assert flaky.attempts[path] == 2


async def test_a_get_that_fails_twice_is_a_502_after_exactly_one_retry(
    http: httpx.AsyncClient, auth: dict[str, str], flaky: FlakyUpstream
) -> None:
    path = _path(5)

    response = await http.get(path, headers=auth)

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert flaky.attempts[path] == 2


async def test_a_post_without_idempotency_key_is_not_retried(
    http: httpx.AsyncClient, auth: dict[str, str], flaky: FlakyUpstream
) -> None:
    path = _path(1)

    response = await http.post(path, json={"value": 1}, headers=auth)

    assert response.status_code == 502
    assert flaky.attempts[path] == 1


async def test_a_post_with_an_idempotency_key_is_retried(
    http: httpx.AsyncClient, auth: dict[str, str], flaky: FlakyUpstream
) -> None:
    path = _path(1)

    response = await http.post(
        path, json={"value": 1}, headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
    )

    assert response.status_code == 200
    assert response.json() == {"attempt": 2, "method": "POST"}


async def test_a_streamed_body_is_not_retried_even_with_an_idempotency_key(
    http: httpx.AsyncClient, auth: dict[str, str], flaky: FlakyUpstream
) -> None:
    path = _path(1)

    async def body() -> Any:
        yield b"x" * 1024

    response = await http.put(
        path, content=body(), headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
    )

    assert response.status_code == 502
    assert flaky.attempts[path] == 1
