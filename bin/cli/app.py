import typer

from bin.cli import data, models, orchestration, processing, ranges, services, training

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="NBA player-prop prediction pipeline. PIPELINE_BACKEND=local|gcp selects the adapters.")
data.register(app)
processing.register(app)
orchestration.register(app)
training.register(app)
services.register(app)
ranges.register(app)
models.register(app)
