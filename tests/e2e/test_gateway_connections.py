"""The gateway process as clients meet it: an idle keep-alive connection is not closed under them.

A client pool (httpx keeps idle connections 5 s, aiohttp 15 s, a load balancer 60 s) reuses a
connection it believes open; if the server closed it meanwhile, the request fails with a
connection reset. The gateway must therefore keep idle connections longer than its clients.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from imet.stack import Stack

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nConnection: keep-alive\r\n\r\n"


async def _answer(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head.split(b"\r\n", 1)[0]


async def test_an_idle_client_connection_outlives_the_clients_own_idle_timeout(
    stack: Stack,
) -> None:
    url = urlsplit(stack.gateway_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(REQUEST)
        first = await _answer(reader)
        await asyncio.sleep(6.5)  # longer than uvicorn's default 5 s keep-alive
        writer.write(REQUEST)
        await writer.drain()
        second = await _answer(reader)
    finally:
        writer.close()

    assert first == second == b"HTTP/1.1 200 OK"
