"""Setting up: our own pyproject.toml builds without a deprecation warning."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_setup_pyproject_builds_without_deprecation_warnings(tmp_path: Path) -> None:
    """Build the package's wheel the way `make setup` does (isolated, newest allowed setuptools), read pip's log."""
    src = tmp_path / "src"
    (src / "etl").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copy(ROOT / "etl" / "__init__.py", src / "etl" / "__init__.py")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "deprecat" not in log.lower(), [line for line in log.splitlines() if "deprecat" in line.lower()]
    assert list((tmp_path / "dist").glob("news_etl-*.whl"))
