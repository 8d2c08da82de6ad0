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

console = Console(stderr=False)
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
def progress_bar(description: str, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=not sys.stderr.isatty() and total <= 1) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
