"""short_error: one line naming the cause of real failures, never SQL parameters or article text."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from etl.errors import MAX_ERROR_CHARS, WarehouseUnavailable, short_error

ARTICLE = "The minister said the secret report would never be published. " * 40


def _raise(fn):  # type: ignore[no-untyped-def]
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the test wants whatever real exception comes
        return exc
    raise AssertionError("no exception")


def _unique_violation(url: str) -> BaseException:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE articles (article_id TEXT PRIMARY KEY, body_text TEXT)"))
        conn.execute(sa.text("INSERT INTO articles VALUES ('a1', 'first')"))

    def insert_again() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO articles VALUES (:id, :body)"), {"id": "a1", "body": ARTICLE})

    exc = _raise(insert_again)
    engine.dispose()
    return exc


def _assert_safe(message: str) -> None:
    assert "\n" not in message and len(message) <= MAX_ERROR_CHARS
    assert "secret report" not in message and "[parameters" not in message and "[SQL" not in message


def test_errors_unique_violation_sqlite(tmp_path: Path) -> None:
    exc = _unique_violation(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(exc, sa.exc.IntegrityError) and "secret report" in str(exc)  # the raw text leaks
    message = short_error(exc)
    _assert_safe(message)
    assert message == "unique violation: UNIQUE constraint failed: articles.article_id"


def test_errors_unique_violation_postgresql(pg_url: str) -> None:
    exc = _unique_violation(pg_url)
    assert isinstance(exc, sa.exc.IntegrityError) and "secret report" in str(exc)
    message = short_error(exc)
    _assert_safe(message)
    assert message == "unique violation: articles_pkey on table articles"


def test_errors_database_unreachable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://etl:hunter2@127.0.0.1:{port}/news"
    exc = _raise(lambda: sa.create_engine(url).connect())
    message = short_error(exc)
    _assert_safe(message)
    assert message.startswith("database unreachable: ") and "Connection refused" in message
    assert "hunter2" not in message
    # wrapped in the warehouse's own error, the cause is still named
    wrapped = _raise(lambda: _reraise(WarehouseUnavailable("cannot reach the database"), exc))
    assert short_error(wrapped) == message


def _reraise(new: BaseException, cause: BaseException) -> None:
    raise new from cause


def test_errors_postgresql_connection_lost(pg_server: str) -> None:
    from tests import pg

    url = pg.create_database(pg_server)
    engine = sa.create_engine(url)
    with engine.connect() as victim, engine.connect() as killer:
        pid = victim.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        killer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        exc = _raise(lambda: victim.execute(sa.text("SELECT :body"), {"body": ARTICLE}))
    engine.dispose()
    message = short_error(exc)
    _assert_safe(message)
    assert message.startswith("database connection lost: "), message


def test_errors_disk_full_from_dev_full() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")

    def write() -> None:
        with open("/dev/full", "wb") as f:
            f.write(ARTICLE.encode())

    exc = _raise(write)
    assert isinstance(exc, OSError) and exc.errno == errno.ENOSPC
    assert short_error(exc) == "disk full (No space left on device)"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/wh/parquet/x.tmp"),
         "disk full: /wh/parquet/x.tmp (No space left on device)"),
        (OSError(errno.EACCES, os.strerror(errno.EACCES), "/wh/news.db"),
         "permission denied: /wh/news.db (Permission denied)"),
        (OSError(errno.EROFS, os.strerror(errno.EROFS), "/wh"), "permission denied: /wh (Read-only file system)"),
    ],
)  # fmt: skip
def test_errors_os_errors_by_errno(exc: OSError, expected: str) -> None:
    assert short_error(exc) == expected


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://etl:hunter2@db:notaport/news", "nosuchdb://etl:hunter2@db/news", "not a url at all"],
)
def test_errors_malformed_database_url(url: str) -> None:
    message = short_error(_raise(lambda: sa.create_engine(url)))
    assert message.startswith("malformed database URL: ") and "hunter2" not in message


def test_errors_malformed_url() -> None:
    assert short_error(_raise(lambda: urlsplit("http://[::1/story"))) == "malformed URL: Invalid IPv6 URL"


def test_errors_other_errors_keep_type_and_first_line_only() -> None:
    exc = ValueError("first line\n" + ARTICLE)
    assert short_error(exc) == "ValueError: first line"
    long = short_error(RuntimeError("x" * 5000))
    assert len(long) == MAX_ERROR_CHARS and long.endswith("…")
    assert short_error(KeyboardInterrupt()) == "KeyboardInterrupt"
    assert (
        short_error(RuntimeError("see postgresql://etl:hunter2@db/news"))
        == "RuntimeError: see postgresql://etl:***@db/news"
    )
