"""A throwaway PostgreSQL cluster for the test session (or the server NEWS_ETL_TEST_DATABASE_URL names).

initdb refuses to run as root, so as root the cluster is made and run as the ``postgres`` user in a
temporary folder it owns. The server listens on 127.0.0.1 on a free port and is stopped at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ENV_URL = "NEWS_ETL_TEST_DATABASE_URL"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")


class Cluster:
    """A throwaway cluster the test controls: its URL, and stop/start for outage tests."""

    def __init__(self, url: str, pg_ctl: list[str]):
        self.url = url
        self._pg_ctl = pg_ctl

    def stop(self) -> None:
        subprocess.run([*self._pg_ctl, "-m", "fast", "-w", "stop"], check=True, capture_output=True)

    def start(self) -> None:
        subprocess.run([*self._pg_ctl, "-w", "-t", "60", "start"], check=True, capture_output=True)


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield a server URL (database ``postgres``) for a new cluster; remove it afterwards."""
    with throwaway_server() as cluster:
        yield cluster.url


@contextmanager
def throwaway_server() -> Iterator[Cluster]:
    """A new cluster (its URL and controls); removed afterwards."""
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="news-etl-pg-"))
    data = base / "data"
    prefix: list[str] = []
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    log = base / "server.log"
    try:
        subprocess.run(
            [*prefix, _bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, text=True,
        )
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*prefix, _bin("pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start"],
            check=True, capture_output=True, text=True,
        )
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr or ""
        if log.exists():
            detail += log.read_text()[-2000:]
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"could not start a throwaway PostgreSQL: {detail}") from exc
    try:
        ctl = [*prefix, _bin("pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log)]
        yield Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ctl)
    finally:
        subprocess.run([*prefix, _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    url = os.environ.get(ENV_URL)
    if url:
        yield url
    else:
        with throwaway_cluster() as started:
            yield started


def create_database(server: str, prefix: str = "t") -> str:
    """A new, empty database on the server; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
