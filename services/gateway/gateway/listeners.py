"""Several uvicorn servers on one event loop: the gateway's public door and its admin listener.

They share the gateway's resources (the upstream sessions belong to one event loop), so they
run in one loop, not in threads. Signals are handled once for all of them: SIGTERM/SIGINT
stop every server gracefully; when any server ends (or cannot bind its port), the others are
stopped too.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import uvicorn

from shared.observability import get_logger

log = get_logger("gateway")


class Listeners:
    def __init__(self, *configs: uvicorn.Config) -> None:
        self.servers = [uvicorn.Server(config) for config in configs]
        for server in self.servers:
            # We own the signals for all: uvicorn's own handler would stop one and re-raise.
            server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]

    @property
    def started(self) -> bool:
        return all(server.started for server in self.servers)

    def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True

    async def run(self, *, handle_signals: bool = True) -> bool:
        """Serve until a signal or until one server ends; True when all started and ended
        cleanly. `handle_signals=False` where the loop is not the main thread's (tests)."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stop)
        tasks = [asyncio.ensure_future(server.serve()) for server in self.servers]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        self.stop()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        failed = [repr(result) for result in results if result is not None]
        if failed:
            log.error("gateway.listener_failed", errors=failed)
        return not failed and self.started
