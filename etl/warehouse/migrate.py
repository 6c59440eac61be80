"""Versioned schema migrations (Alembic); scripts live in ``sql/migrations``, views in ``sql/views``."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from etl.errors import ConfigError

# pg_advisory_xact_lock key for schema migrations ("mig" in ASCII)
MIGRATION_LOCK = 0x6D6967


def sql_dir() -> Path:
    """The project's sql/ folder (override with NEWS_ETL_SQL_DIR for installed copies)."""
    override = os.environ.get("NEWS_ETL_SQL_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "sql"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    scripts = sql_dir() / "migrations"
    if not (scripts / "env.py").exists():
        raise ConfigError(f"no migrations at {scripts}: set NEWS_ETL_SQL_DIR to the project's sql/ folder")
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema; on PostgreSQL under an advisory lock, so runs started together never race."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)


def view_sql(name: str) -> str:
    return (sql_dir() / "views" / f"{name}.sql").read_text()
