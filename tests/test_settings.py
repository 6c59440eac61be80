from pathlib import Path

import pytest

from etl.settings import Settings, redact_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_settings_database_urls_use_psycopg3(given: str, expected: str) -> None:
    assert Settings(database_url=given).db_url == expected


def test_settings_default_database_is_sqlite_in_the_warehouse(tmp_path: Path) -> None:
    assert Settings(warehouse=tmp_path, database_url=None).db_url == f"sqlite:///{tmp_path.resolve() / 'news.db'}"


def test_settings_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_MODEL", "some_model")
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "3")
    s = Settings()
    assert (s.model, s.processes) == ("some_model", 3)


def test_settings_redact_url_hides_the_password() -> None:
    assert "hunter2" not in redact_url("postgresql+psycopg://etl:hunter2@db/news")


def test_settings_published_on_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    monkeypatch.delenv("NEWS_ETL_PUBLISHED_ON", raising=False)
    assert Settings().published_on is None
    monkeypatch.setenv("NEWS_ETL_PUBLISHED_ON", "2013-02-26")
    assert Settings().published_on == date(2013, 2, 26)
