"""One root exception; mixins say whether an orchestrator should retry; ``short_error`` for one-line messages."""

from __future__ import annotations

import errno
import re
import sqlite3


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


# ---------------------------------------------------------------------------------------------
# one-line messages

MAX_ERROR_CHARS = 300

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
# SQLSTATEs (PostgreSQL): the server going away, and the server's own disk filling up
_CONNECTION_LOST = ("08", "57P01", "57P02", "57P03")
_SQLSTATE_DISK_FULL = ("53100", "53400")
_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def short_error(exc: BaseException) -> str:
    """One line naming why ``exc`` happened, safe to print and to store in ``runs.error``.

    The cause is named first when it is one of: ``database unreachable``, ``database connection
    lost``, ``disk full``, ``permission denied``, ``unique violation``, ``malformed database URL``,
    ``malformed URL``; else the exception's type and the first line of its message. The exception's
    causes (``raise ... from``) are searched for the most specific of these. SQL statements and
    their parameters (which hold article text) never appear: only the driver's own first line is
    kept, passwords in URLs are masked, and the result is at most ``MAX_ERROR_CHARS`` long.
    """
    for cause in _chain(exc):
        message = _known_cause(cause)
        if message is not None:
            return _one_line(message)
    return _one_line(f"{type(exc).__name__}: {_first_line(exc)}" if _first_line(exc) else type(exc).__name__)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, outermost first (no cycles)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _known_cause(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f": {exc.filename}" if exc.filename else ""
        if exc.errno in _DISK_FULL:
            return f"disk full{where} ({exc.strerror})"
        if exc.errno in _DENIED:
            return f"permission denied{where} ({exc.strerror})"
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's exception
    if orig is not None and hasattr(exc, "statement"):
        return _database_cause(orig, invalidated=bool(getattr(exc, "connection_invalidated", False)))
    if _is_driver_error(exc):
        return _database_cause(exc)
    if _raised_in(exc, "sqlalchemy.engine.url") or _is_sqlalchemy(exc, "ArgumentError", "NoSuchModuleError"):
        return f"malformed database URL: {_first_line(exc)}"
    if isinstance(exc, ValueError) and _raised_in(exc, "urllib.parse"):
        return f"malformed URL: {_first_line(exc)}"
    return None


def _database_cause(orig: BaseException, invalidated: bool = False) -> str:
    detail = _first_line(orig)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    name = type(orig).__name__
    if sqlstate == "23505" or (isinstance(orig, sqlite3.IntegrityError) and "UNIQUE" in detail):
        diag = getattr(orig, "diag", None)
        constraint, table = getattr(diag, "constraint_name", None), getattr(diag, "table_name", None)
        if constraint:
            return f"unique violation: {constraint}" + (f" on table {table}" if table else "")
        return f"unique violation: {detail}"
    if sqlstate.startswith(_SQLSTATE_DISK_FULL) or (isinstance(orig, sqlite3.OperationalError) and "full" in detail):
        return f"disk full (database): {detail}"
    if invalidated or sqlstate.startswith(_CONNECTION_LOST):
        return f"database connection lost: {detail}"
    if name == "OperationalError" and not sqlstate:
        # psycopg: connecting failed (no SQLSTATE); sqlite3: the file cannot be opened or is locked
        if isinstance(orig, sqlite3.OperationalError) and "locked" in detail:
            return f"database locked: {detail}"
        return f"database unreachable: {detail}"
    if isinstance(orig, sqlite3.IntegrityError) or sqlstate.startswith("23"):
        return f"constraint violation: {detail}"
    return f"database error: {name}" + (f" ({sqlstate})" if sqlstate else "") + f": {detail}"


def _is_driver_error(exc: BaseException) -> bool:
    """A DB-API exception raised without SQLAlchemy around it (psycopg, sqlite3)."""
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.split(".")[0] == "psycopg"


def _is_sqlalchemy(exc: BaseException, *names: str) -> bool:
    return any(k.__module__.startswith("sqlalchemy") and k.__name__ in names for k in type(exc).__mro__)


def _raised_in(exc: BaseException, module: str) -> bool:
    """True when ``exc`` was raised inside ``module`` (its innermost frame, or any frame of it)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == module:
            return True
        tb = tb.tb_next
    return False


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _one_line(text: str) -> str:
    text = _CONTROL.sub(" ", _PASSWORD.sub(r"\1***@", text)).strip()
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
