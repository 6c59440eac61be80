"""Fault injection with real parts: runs started together, a full disk.

(Kills, crashes at chosen points and a PostgreSQL restart are in tests/test_ledger.py.)
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.pipeline import run
from etl.settings import Settings
from tests.warehouse_checks import snapshot, write

CLI = [sys.executable, "-m", "etl.cli", "run"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWS_ETL_DATABASE_URL"}
    return {**env, "NEWS_ETL_PROCESSES": "1", **extra}


def test_faults_two_runs_started_together_on_a_fresh_warehouse_one_loads_the_other_refuses_in_one_line(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write(inputs, range(0, 3))
    warehouse = tmp_path / "w"
    procs = [
        subprocess.Popen([*CLI, str(inputs), "--warehouse", str(warehouse)], env=_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    _, _, refused = next(r for r in results if r[0] == 1)
    assert "Traceback" not in refused
    errors = [line for line in refused.splitlines() if "error:" in line]
    assert len(errors) == 1 and "another run is writing" in errors[0]
    assert len(snapshot(Settings(warehouse=warehouse))["articles"]) == 3


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs (the test runs as root, as CI does)."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test (run as root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_faults_disk_full_fails_in_one_line_loses_nothing_and_the_rerun_completes(tmp_path: Path, small_disk: Path) -> None:
    inputs = tmp_path / "in"
    write(inputs, range(0, 3))
    warehouse = small_disk / "w"
    first = subprocess.run([*CLI, str(inputs), "--warehouse", str(warehouse)], env=_env(), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = snapshot(Settings(warehouse=warehouse))
    # the disk is nearly full (a ballast file leaves 256 kB), and a second folder of long stories comes
    ballast = small_disk / "ballast"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    with open(ballast, "wb") as fh:
        fh.truncate(0)
        fh.write(b"\0" * (free - 256 * 1024))
    more = tmp_path / "more"
    more.mkdir()
    rng = random.Random(7)
    vocabulary = [f"{a}{b}" for a in ("road", "bridge", "school", "market", "river", "park", "library", "harbour")
                  for b in ("side", "gate", "field", "way", "ford", "ton", "ham", "bury", "wick", "stead")]
    for n in range(8):
        sentences = (f"The council said the {rng.choice(vocabulary)} plan would cost {rng.randint(2, 90)} million." for _ in range(400))
        (more / f"long_{n:02d}.txt").write_text(f"Long story {n}\n\n" + " ".join(sentences), encoding="utf-8")
    full = subprocess.run([*CLI, str(inputs), str(more), "--warehouse", str(warehouse)], env=_env(), capture_output=True, text=True)
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    errors = [line for line in full.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and ("disk full" in errors[0].lower() or "no space left" in errors[0].lower()), full.stderr
    # more room, and the next run completes; nothing loaded before was lost
    ballast.unlink()
    settings = Settings(warehouse=warehouse)
    after_full = snapshot(settings)
    assert set(before["articles"]) <= set(after_full["articles"])
    summary = run([inputs, more], settings)
    assert summary.status == "succeeded"
    clean = Settings(warehouse=tmp_path / "clean")
    run([inputs, more], clean)
    assert snapshot(settings) == snapshot(clean)
    assert not list(settings.parquet_root.path.rglob("*.tmp"))
