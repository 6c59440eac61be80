"""One root exception; mixins say whether an orchestrator should retry."""

from __future__ import annotations


class NewsEtlError(Exception):
    """Root of every error news-etl raises on purpose."""


class Terminal:
    """Retrying cannot help: bad configuration, bad arguments."""


class Transient:
    """May succeed on retry: database down, network storage hiccup."""


class ConfigError(NewsEtlError, Terminal):
    pass


class WarehouseUnavailable(NewsEtlError, Transient):
    """The SQL database cannot be reached."""


class DataQualityError(NewsEtlError, Terminal):
    """A loaded batch broke an invariant of the warehouse."""


class WarehouseBusy(NewsEtlError, Transient):
    """Another run holds the warehouse's write lock."""
