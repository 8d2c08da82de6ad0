"""bin/bench NAME [--data DIR]: benchmarks that print figures and ratios."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchmarks.common import TEAM_DATA

BENCHES = {
    "import": "benchmarks.import_bench",
    "processors": "benchmarks.processors_bench",
    "chain": "benchmarks.chain_bench",
    "worker": "benchmarks.worker_bench",
    "faults": "benchmarks.faults_bench",
    "load": "benchmarks.load_bench",
    "console": "benchmarks.console_bench",
    "features": "benchmarks.feature_experiments",
    "tuning": "benchmarks.tuning",
    "feeds": "benchmarks.feeds_bench",
    "availability": "benchmarks.availability_bench",
    "call-margin": "benchmarks.call_margin",
    "news": "benchmarks.news_bench",
}


PROFILED = ("chain", "worker")   # the benchmarks that take --profile

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command()
def bench(name: Annotated[str, typer.Argument(help=f"one of: {', '.join(sorted(BENCHES))}")],
          data: Annotated[Path, typer.Option(help="folder with player_logs/ (team data)")] = TEAM_DATA,
          profile: Annotated[bool, typer.Option(help=f"py-spy flame graph and time per stage ({', '.join(PROFILED)})")]
          = False) -> None:
    """Run one benchmark and print its figures."""
    if name not in BENCHES:
        raise typer.BadParameter(f"{name!r} is not a benchmark; choose from {', '.join(sorted(BENCHES))}",
                                 param_hint="NAME")
    if profile and name not in PROFILED:
        raise typer.BadParameter(f"--profile is for {' and '.join(PROFILED)}, not {name!r}", param_hint="--profile")
    module = __import__(BENCHES[name], fromlist=["run"])
    if profile:
        module.run(data, profile=True)
    else:
        module.run(data)


def main() -> None:
    app(prog_name="bin/bench")


if __name__ == "__main__":
    main()
