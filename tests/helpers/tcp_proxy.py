"""A small TCP proxy for fault injection: cut, restore, delay connections to a real server.

Runs in its own thread with its own event loop, so tests of any kind (sync, async, subprocess
based) can cut a connection while their own code is blocked in I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

from imet.infra.process import free_port


@dataclass
class TcpProxy:
    upstream_host: str
    upstream_port: int
    port: int = 0
    delay_seconds: float = 0.0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _cut: bool = False
    _frozen: bool = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> TcpProxy:
        self.port = self.port or free_port()
        started = threading.Event()

        def _run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._listen())
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=_run, name=f"tcp-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not started.wait(5):
            raise RuntimeError("proxy did not start")
        return self

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
        except OSError:
            writer.close()
            return
        self._writers.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self._cut:
                data = await reader.read(65536)
                if not data:
                    break
                if self.delay_seconds:
                    await asyncio.sleep(self.delay_seconds)
                while self._frozen and not self._cut:
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def _call(self, fn: object) -> None:
        assert self._loop is not None
        fut = asyncio.run_coroutine_threadsafe(fn, self._loop)  # type: ignore[arg-type]
        fut.result(5)

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until `restore()`."""

        async def _cut() -> None:
            self._cut = True
            for w in list(self._writers):
                with contextlib.suppress(Exception):
                    w.transport.abort()
            self._writers.clear()

        self._call(_cut())

    def freeze(self) -> None:
        """Stop forwarding but keep every connection open: a peer that vanished without a FIN
        (a pod gone with its network), as opposed to `cut()`, which resets connections."""

        async def _freeze() -> None:
            self._frozen = True

        self._call(_freeze())

    def restore(self) -> None:
        async def _restore() -> None:
            self._cut = False
            self._frozen = False

        self._call(_restore())

    def stop(self) -> None:
        if self._loop is None:
            return

        async def _stop() -> None:
            self._cut = True
            for w in list(self._writers):
                with contextlib.suppress(Exception):
                    w.transport.abort()
            if self._server is not None:
                self._server.close()

        with contextlib.suppress(Exception):
            self._call(_stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None
