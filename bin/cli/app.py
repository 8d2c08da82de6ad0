"""The `pipeline` command: subcommands from each module, help that reads like a Unix tool,
and one place that turns an unexpected exception into one line (a traceback with --debug)."""
from __future__ import annotations

import functools
import os
import signal
import sys
import typing
from pathlib import Path

import typer
from typer.core import TyperArgument, TyperGroup

from bin.cli import (
    data,
    feeds,
    ledger,
    models,
    news,
    night,
    orchestration,
    processing,
    ranges,
    services,
    slate,
    training,
)
from bin.cli.common import WORK_FAILED, err_console, interrupted, print_error

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="NBA player-prop prediction pipeline. PIPELINE_BACKEND=local|gcp selects the adapters; "
                       "PIPELINE_HOME (default ./var beside bin/) holds the embedded backend's state.")
_debug = {"on": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="print the traceback of an unexpected error")) -> None:
    _debug["on"] = debug


for module in (data, slate, feeds, processing, night, news, orchestration, training, services, ranges, ledger,
               models):
    module.register(app)


def _metavar(param) -> str | None:
    """What an option's value looks like in --help: choices, DATE, FILE, N, instead of type tags."""
    annotation = param.type_descriptor.annotation
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is typing.Literal:
        return "|".join(map(str, typing.get_args(annotation)))
    if annotation is Path:
        return "PATH"
    if annotation is int:
        return "N"
    if param.name.split("_")[-1] in ("date", "day", "start", "end"):
        return "DATE"
    return param.name.upper().replace("_", "-")


INTERRUPTED = 130   # what a shell reports for a process ended by SIGINT
RESUME = "interrupted; rerun the same command to resume"
# commands whose work is kept as it goes, and what a rerun does with it
RESUMABLE = {
    "backfill": f"{RESUME} (finished dates are skipped)",
    "predict-range": f"{RESUME} (dates with a finished batch are kept, an unfinished one is repaired)",
    "run": f"{RESUME} (the date's unfinished batch is repaired)",
    "daily": f"{RESUME} (the date's unfinished batch is repaired)",
    "grade": f"{RESUME} (a date graded again replaces its grades)",
    "import": "interrupted; nothing was imported (an import is all or nothing): rerun the same command",
}


def interrupted_line(name: str, params: dict) -> str:
    if params.get("force") and name in ("predict-range", "run"):
        return "interrupted; rerun without --force to resume (with it, every date gets a new batch again)"
    return RESUMABLE.get(name, "interrupted")


def _on_sigint(signum, frame) -> None:
    interrupted.set()
    raise KeyboardInterrupt


def _interruptible(name: str, callback):
    """Ctrl-C ends the command with one line saying what a rerun does, and exit code 130, also
    when the work swallowed the KeyboardInterrupt and ended otherwise (see common.interrupted)."""
    @functools.wraps(callback)
    def run(**params):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:   # not where SIGINT is ignored
            signal.signal(signal.SIGINT, _on_sigint)
        try:
            result = callback(**params)
        except KeyboardInterrupt:
            pass
        except Exception:   # typer.Exit included: a step that failed because it was interrupted
            if not interrupted.is_set():
                raise
        else:
            if not interrupted.is_set():
                return result
        err_console.print(interrupted_line(name, params), highlight=False, soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    return run


def command():
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)   # an app of several commands
    for name, sub in group.commands.items():
        sub.callback = _interruptible(name, sub.callback)
    for sub in [group, *group.commands.values()]:
        for param in sub.params:
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = _metavar(param)
            if isinstance(param, TyperArgument):   # the name already says what it is; no type tag after it
                # typer offers no setting for it; the method is looked up on the instance
                param.display_type_rich = lambda ctx: None   # type: ignore[method-assign]
    return group


def entry() -> None:
    """The installed `pipeline` command: like bin/pipeline, its default PIPELINE_HOME is var/ beside bin/."""
    os.environ.setdefault("PIPELINE_HOME", str(Path(__file__).resolve().parents[2] / "var"))
    main()


def main(argv: list[str] | None = None) -> None:
    try:
        command().main(args=argv, prog_name="pipeline", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:   # anything a command did not turn into a message is a defect: say so in one line
        if _debug["on"]:
            raise
        print_error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(WORK_FAILED)
