"""What every command shares: settings, logging, adapters, errors printed clearly."""
from __future__ import annotations

import contextlib
import sys

import typer
from rich.console import Console

from shared import bootstrap
from shared.config import ConfigError, Settings
from shared.logging import setup_logging
from shared.ports import WarehouseBusy

# a fixed width off a terminal keeps tables whole in logs and pipes
console = Console(stderr=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


def settings() -> Settings:
    try:
        s = Settings.from_env()
    except ConfigError as exc:
        fail(f"configuration: {exc}")
    setup_logging("cli", "WARNING" if s.log_level == "INFO" else s.log_level)
    return s


def warehouse(s: Settings, read_only: bool = False):
    try:
        return bootstrap.build_warehouse(s, read_only=read_only)
    except WarehouseBusy as exc:
        fail(str(exc))


def fail(message: str, code: int = 1):
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def progress_bar(description: str):
    """Yields report(done, total); the bar draws on a terminal and stays silent elsewhere."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=not err_console.is_terminal) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
