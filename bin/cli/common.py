"""What every command shares: settings, logging, adapters, dates, paths, errors printed clearly.

Exit codes: 2 for a user error (a bad option, file, range or setting: the message names it),
1 for a failure of the work itself (processors failed, a batch timed out)."""
from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn, overload

import typer
from rich.console import Console
from rich.text import Text

from shared import bootstrap, messages
from shared.catalogue import ML_SYSTEMS, PROP_NAMES, SYSTEM_NAMES
from shared.config import ConfigError, Settings
from shared.errors import BadArgument
from shared.logging import setup_logging
from shared.ports import WarehouseBusy
from shared.timetable import EASTERN

# A fixed width off a terminal keeps tables whole in logs and pipes. Output carries data (names,
# reasons, values a file held): it is printed as it is, never parsed as markup or emoji codes
# nor run through the highlighter, whose regular expressions take seconds on a long line.
console = Console(stderr=False, width=None if sys.stdout.isatty() else 160, markup=False, emoji=False,
                  highlight=False)
err_console = Console(stderr=True, markup=False, emoji=False, highlight=False)
USER_ERROR, WORK_FAILED = 2, 1
# choices --help lists and the parser enforces, from the one catalogue; typer reads the Literal at
# run time, a type checker cannot build one from a tuple and sees the plain string it holds
if TYPE_CHECKING:
    Prop = str
    System = str
    TrainedSystem = str
else:
    Prop = Literal[PROP_NAMES]
    System = Literal[SYSTEM_NAMES]
    TrainedSystem = Literal[ML_SYSTEMS + ("ensemble",)]


def fail(message: str, code: int = USER_ERROR) -> NoReturn:
    print_error(message)
    raise typer.Exit(code)


def refusal(exc: Exception) -> str:
    """A domain error in the CLI's words: a refused argument names the flag it came in."""
    if isinstance(exc, BadArgument):
        return exc.worded("--" + exc.field.replace("_", "-"))
    return str(exc)


def print_unmatched(names: list[str]) -> None:
    if names:
        err_console.print(f"warning: {len(names)} name(s) match no player in the box scores (kept, not used): "
                          f"{', '.join(names[:30])}{' ...' if len(names) > 30 else ''}", highlight=False)


def print_error(message: str) -> None:
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def settings() -> Settings:
    try:
        s = Settings.from_env()
    except ConfigError as exc:
        fail(f"configuration: {exc}")
    if s.backend == "local":
        output_dir(s.home, "PIPELINE_HOME")
    setup_logging("cli", "WARNING" if s.log_level == "INFO" else s.log_level)
    _plain_warnings()
    return s


def _probe_writable(folder: Path) -> None:
    """Create and remove a file: permission bits say nothing for root or read-only mounts."""
    with tempfile.TemporaryFile(dir=folder):
        pass


NOTICES: dict[str, set[str]] = {}   # notice kind -> the models (or other subjects) it was raised for
NOTICE_DETAILS: dict[tuple[str, str], str] = {}   # (kind, model) -> what the notice said about it, the latest


class _PlainWarnings(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _plain_warnings() -> None:
    """On a terminal a person reads the CLI: log records print as one plain line each, and
    notices a command explains itself (the bundled-model fallback) are left to it."""
    root = logging.getLogger()
    if root.level < logging.WARNING:   # PIPELINE_LOG_LEVEL=DEBUG asks for the JSON records
        return
    def explained_later(record: logging.LogRecord) -> bool:
        kind = getattr(record, "notice", None)
        if kind:
            model = str(getattr(record, "model", ""))
            NOTICES.setdefault(kind, set()).add(model)
            detail = getattr(record, "detail", None)   # set through `extra`, so not a LogRecord attribute
            if detail:
                NOTICE_DETAILS[(kind, model)] = str(detail)
        return not kind

    for handler in root.handlers:
        handler.setLevel(logging.WARNING)   # loggers a command turns up (serve's batch lines) print their own way
        handler.setFormatter(_PlainWarnings())
        handler.addFilter(explained_later)


def print_notices() -> None:
    models = sorted(NOTICES.pop("bundled_model", set()))
    if models:
        console.print(f"note: no champion registered for {', '.join(models)}: the models bundled with the code "
                      "served\n      (model source 'bundled'); `bin/pipeline train` registers your own",
                      highlight=False)
    for system in sorted(NOTICES.pop("system_fallback", set())):   # once per batch in the logs; once here
        detail = NOTICE_DETAILS.pop(("system_fallback", system), "players with too little history")
        console.print(f"note: {system} used its simple forecast (rows with model_source=fallback) for {detail}",
                      highlight=False)


def warehouse(s: Settings, read_only: bool = False):
    try:
        return bootstrap.build_warehouse(s, read_only=read_only)
    except WarehouseBusy as exc:
        if read_only:
            from bin.warehouse_reader import connect

            remote = connect(s)
            if remote is not None:
                return remote
        fail(str(exc), WORK_FAILED)


def read_only_warehouse(s: Settings):
    """For commands that only read: a read-only connection, the running `serve`'s reader when
    it holds the file, or (a fresh PIPELINE_HOME) a new warehouse with its empty tables."""
    if s.backend == "local" and not s.warehouse_path.exists():
        wh = warehouse(s)
        wh.ensure_tables()
        return wh
    return warehouse(s, read_only=True)


def parse_date(value: str, option: str) -> date:
    """YYYY-MM-DD, or today / yesterday in US/Eastern (the schedule's time zone)."""
    if value in ("today", "yesterday"):
        today = datetime.now(EASTERN).date()
        return today if value == "today" else today - timedelta(days=1)
    try:
        return messages.parse_date(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date (YYYY-MM-DD, today or yesterday)")


@overload
def parse_range(start: str, end: str) -> tuple[date, date]: ...
@overload
def parse_range(start: str | None, end: str | None) -> tuple[date | None, date | None]: ...
def parse_range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """Both ends are required unless the command gives None as a default (an open end)."""
    d1 = parse_date(start, "--start") if start is not None else None
    d2 = parse_date(end, "--end") if end is not None else None
    if d1 and d2 and d2 < d1:
        fail(f"--start {d1} is after --end {d2}: the range is empty")
    return d1, d2


def output_file(path: Path, option: str = "--out") -> Path:
    """A file the command may create or replace; refused before any work is done."""
    if path.is_dir():
        fail(f"{option} {str(path)!r} is a directory; give a file name")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        fail(f"{option} {str(path)!r}: {str(blocking)!r} is a file, not a folder")
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a"):
            pass
    except OSError as exc:
        fail(f"{option} {str(path)!r} cannot be written ({exc.strerror})")
    if not existed:
        path.unlink()
    return path


def output_dir(path: Path, option: str = "--out") -> Path:
    """A folder the command writes into (created if missing); also how PIPELINE_HOME is checked."""
    if path.exists() and not path.is_dir():
        fail(f"{option} {str(path)!r} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        _probe_writable(path)
    except OSError as exc:
        fail(f"{option} {str(path)!r} is not a directory this user can write to ({exc.strerror})")
    return path


Report = Callable[[int, int | None], None]   # report(done, total): what a long command hands its work
PROGRESS_EVERY_S = 30   # off a terminal, a line at least this often between tenths (checked at each step)
# set by Ctrl-C (app.py): a library may turn the KeyboardInterrupt into an ordinary error that the
# work records and goes past (DuckDB does, mid-write), so each reported step checks it again
interrupted = threading.Event()


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Report]:
    """Yields report(done, total). On a terminal a bar on stderr; elsewhere (a pipe, cron's log)
    a plain stderr line at the start, at every tenth of the way and at least every
    PROGRESS_EVERY_S seconds, so long work is never silent. After Ctrl-C, report raises
    KeyboardInterrupt: the work stops at its next step even if the first one was swallowed."""
    if not err_console.is_terminal:
        yield _stoppable(_ProgressLines(description).report)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console) as bar:
        task = bar.add_task(description, total=None)
        yield _stoppable(lambda done, total: bar.update(task, completed=done, total=total))


def _stoppable(report: Report) -> Report:
    def checked(done: int, total: int | None) -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt
        report(done, total)
    return checked


class _ProgressLines:
    def __init__(self, description: str):
        self.description = description
        self.began = self.last = time.monotonic()
        self.tenth = -1

    def report(self, done: int, total: int | None) -> None:
        tenth = 10 * done // total if total else 0
        now = time.monotonic()
        if tenth <= self.tenth and now - self.last < PROGRESS_EVERY_S:
            return
        self.tenth, self.last = max(tenth, self.tenth), now
        of = f"/{total}" if total else ""
        err_console.print(f"{self.description}: {done}{of} ({now - self.began:.0f}s)", highlight=False, soft_wrap=True)
