"""The `pipeline` command: subcommands from each module, help that reads like a Unix tool,
and one place that turns an unexpected exception into one line (a traceback with --debug)."""
from __future__ import annotations

import sys
import typing
from pathlib import Path

import typer
from typer.core import TyperArgument

from bin.cli import data, feeds, models, night, orchestration, processing, ranges, services, slate, training
from bin.cli.common import WORK_FAILED, print_error

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="NBA player-prop prediction pipeline. PIPELINE_BACKEND=local|gcp selects the adapters; "
                       "PIPELINE_HOME (default ./var beside bin/) holds the embedded backend's state.")
_debug = {"on": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="print the traceback of an unexpected error")) -> None:
    _debug["on"] = debug


for module in (data, slate, feeds, processing, night, orchestration, training, services, ranges, models):
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


def command():
    group = typer.main.get_command(app)
    for sub in [group, *group.commands.values()]:
        for param in sub.params:
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = _metavar(param)
            if isinstance(param, TyperArgument):   # the name already says what it is; no type tag after it
                param.display_type_rich = lambda ctx: None
    return group


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
