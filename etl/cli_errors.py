"""How the command line reports a failure: one ``error:`` line, the traceback only with ``-v``.

Two places catch errors. ``one_line_errors`` wraps a command: whatever the command raises
(a bad setting, a missing or unreadable path, a query DuckDB rejects, a bug) becomes one line on
stderr and exit code 1; with ``--verbose`` the traceback is printed first. ``run_app`` runs the
Typer app so that a bad flag or option value (Typer's usage errors, normally a boxed panel with
the usage) is one line too, exit code 2.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from etl.errors import ConfigError, NewsEtlError, short_error

F = TypeVar("F", bound=Callable[..., Any])

err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr; the Exit to raise."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code=code)


def describe(exc: BaseException) -> str:
    """One line saying what went wrong, for a person rather than a programmer."""
    if isinstance(exc, NewsEtlError):
        text = str(exc)
    elif isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
        # mkdir(exist_ok=True) fails so only when a file stands where a folder must be
        text = f"{exc.filename} is a file, where a folder is needed"
    else:  # the cause in one line (disk full, database unreachable, ...), never SQL or its parameters
        text = short_error(exc)
    return " ".join(text.split())


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Around writing ``path``: an OSError says which file could not be written, and why."""
    try:
        yield
    except OSError as exc:
        why = describe(exc) if isinstance(exc, FileExistsError | NotADirectoryError) else (exc.strerror or str(exc)).lower()
        raise ConfigError(f"cannot write {path}: {why}") from exc


def one_line_errors(command: F) -> F:
    """Decorate a Typer command: its errors become one line (traceback too with ``verbose=True``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:  # noqa: BLE001 - the point: nothing reaches the user as a traceback
            if kwargs.get("verbose"):
                err.print_exception(show_locals=False)
            raise fail(describe(exc)) from exc

    return wrapper  # type: ignore[return-value]


def run_app(app: typer.Typer, args: Sequence[str] | None = None) -> None:
    """Run ``app`` as the ``news-etl`` program, usage errors as one line."""
    try:
        code = app(args=list(args) if args is not None else None, prog_name="news-etl", standalone_mode=False)
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: Typer has printed the help
            sys.exit(0)
        hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        raise SystemExit(fail(exc.format_message() + hint, getattr(exc, "exit_code", 2)).exit_code) from None
    except typer.Abort:
        err.print("aborted")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
