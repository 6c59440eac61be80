"""Background servers the distributed test starts: each in its own process group, cwd and log file.

A ``Service`` is one long-running command (Redis, an Airflow component, a Celery worker). ``stop``
ends its whole process group (TERM, then KILL); ``kill`` is the crash the test inflicts: SIGKILL to
the group at once, as when a worker machine dies (the Celery pool children and the task
supervisors they fork go with it, nothing is cleaned up).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Service:
    """One command running in the background, in a new session (its own process group)."""

    def __init__(self, name: str, argv: list[str], *, cwd: Path, env: dict[str, str], log: Path):
        self.name, self.argv, self.cwd, self.env, self.log_path = name, argv, cwd, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        logger.info("started %s (pid %d): %s", self.name, self.proc.pid, " ".join(self.argv))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was not started"
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, chars: int = 3000) -> str:
        try:
            return f"--- {self.name} ({self.log_path}):\n" + self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return f"--- {self.name}: no log"

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.alive():
                raise RuntimeError(f"{self.name} exited ({self.proc and self.proc.returncode}) before {what}\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no {what} within {timeout:.0f}s\n{self.tail()}")
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the crash, with no chance to clean up."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        assert self.proc is not None
        self.proc.wait(timeout=30)

    def stop(self, grace: float = 20) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._reap_group()
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            self.proc.wait(timeout=grace)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        self._reap_group()

    def _reap_group(self) -> None:
        """KILL whatever is left of the group (children outliving their parent, e.g. the log server)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            logger.warning("%s (pid %d) did not exit", self.name, self.pid)


@contextmanager
def running(*services: Service) -> Iterator[tuple[Service, ...]]:
    """Start the services in order; stop them in reverse order, whatever happens."""
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
        yield services
    finally:
        for service in reversed(started):
            service.stop()


def redis_server(folder: Path) -> tuple[Service, str]:
    """Debian's redis-server on a free port, no persistence; the service and its broker URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is not installed: `make redis` (Debian's redis-server package)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(folder), "--protected-mode", "yes"]
    service = Service("redis", argv, cwd=folder, env=dict(os.environ), log=folder / "redis.log")
    return service, f"redis://127.0.0.1:{port}/0"
