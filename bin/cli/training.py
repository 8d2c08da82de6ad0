"""`train`: fit a model on the feature store, register it behind the validation gate."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from bin.cli.common import Prop, TrainedSystem, console, fail, parse_date, progress_bar, refusal, settings, warehouse
from shared import bootstrap
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.models import BUNDLED as BUNDLE_DIR


def train_command(
    system: Optional[TrainedSystem] = typer.Option(None, "--system", help="the model to fit; ensemble fits the blend "
                                                   "weights of the registered xgboost and catboost models"),
    every: bool = typer.Option(False, "--all", help="every system of every prop, ensembles last (ignores --prop)"),
    prop: Prop = typer.Option("points", "--prop", help="the stat the model predicts"),
    train_start: Optional[str] = typer.Option(None, "--train-start", help="first game date of the training window"),
    train_end: Optional[str] = typer.Option(None, "--train-end", help="last game date of the training window"),
    valid_start: Optional[str] = typer.Option(None, "--valid-start",
                                              help="first game date of the validation window (early stopping, "
                                                   "the gate)"),
    valid_end: Optional[str] = typer.Option(None, "--valid-end", help="last game date of the validation window"),
    force: bool = typer.Option(False, "--force", help="become champion even without beating it (logged)"),
    bundle: bool = typer.Option(False, "--bundle", help=f"also write the model as the worker's bundled fallback "
                                                         f"({BUNDLE_DIR.relative_to(BUNDLE_DIR.parents[1])}) "
                                                         f"when it becomes champion"),
    bundle_dir: Optional[Path] = typer.Option(None, "--bundle-dir", help="write the bundled copy to this folder "
                                                                          "instead (implies --bundle)"),
) -> None:
    """Train on a chronological split, report metrics against the naive baselines, register.
    Windows left out are derived from the data present: with three seasons or more, the last
    stays unseen, the one before validates and the earlier ones train; one season splits 60/40."""
    if every == (system is not None):
        fail("give --system NAME, or --all")
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    wh.ensure_tables()
    windows = _windows(wh, train_start, train_end, valid_start, valid_end)
    jobs = [(p, m) for p in PROP_NAMES for m in (*ML_SYSTEMS, "ensemble")] if every else [(prop, system)]
    for i, (job_prop, job_system) in enumerate(jobs, 1):
        step = f" ({i}/{len(jobs)})" if len(jobs) > 1 else ""
        if job_system == "ensemble":
            _ensemble(wh, store, job_prop, windows, bundle, bundle_dir, step)
        else:
            _model(wh, store, job_system, job_prop, windows, force, bundle, bundle_dir, alone=not every, step=step)


FLAGS = "--train-start, --train-end, --valid-start and --valid-end"


def _windows(wh, train_start, train_end, valid_start, valid_end):
    from dataclasses import replace

    from modeling.windows import EmptyWindow, Windows, derived

    flags = {"train_start": (train_start, "--train-start"), "train_end": (train_end, "--train-end"),
             "valid_start": (valid_start, "--valid-start"), "valid_end": (valid_end, "--valid-end")}
    given = {k: parse_date(v, flag) for k, (v, flag) in flags.items() if v is not None}
    try:
        base = derived(wh) if len(given) < 4 else Windows()
    except EmptyWindow as exc:
        fail(f"no windows to derive: {exc}; or give {FLAGS}")
    windows = replace(base, **given)
    try:
        windows.check()
    except ValueError as exc:
        fail(f"{exc} (derived from the data: {base.describe()}; the flags given replace its ends)")
    source = "given" if len(given) == 4 else "derived from the data present" if not given else \
        "derived from the data present, with the ends given"
    console.print(f"windows ({source}): {windows.describe()}", highlight=False)
    return windows


def _model(wh, store, system, prop, windows, force, bundle, bundle_dir, alone: bool, step: str = "") -> None:
    from modeling.train import train
    from modeling.windows import EmptyWindow

    target = bundle_dir or (BUNDLE_DIR if bundle else None)
    try:
        with progress_bar(f"training {prop} {system}{step}: boosting rounds") as report:
            result = train(wh, store, system, prop, windows, force=force, bundle_dir=target, progress=report)
    except EmptyWindow as exc:
        fail(f"{exc}: set {FLAGS} inside it, or leave them out to split the data present")
    except ValueError as exc:
        fail(refusal(exc))
    m = result.metrics
    table = Table("predictor (validation rows)", "MAE", "RMSE", "bias", "within 3", "within 5")
    rows = [(f"{result.name} v{result.version}", m["valid"])] + [(f"baseline: {k}", v) for k, v in
                                                                   m["baselines"].items()]
    for label, v in rows:
        table.add_row(label, f"{v['mae']:.3f}", f"{v['rmse']:.3f}", f"{v['bias']:+.3f}", f"{v['within_3']:.1%}",
                      f"{v['within_5']:.1%}")
    console.print(table)
    console.print(f"p10-p90 coverage on validation: {m['valid']['interval_coverage']:.1%}; "
                  f"rows train {m['rows']['train']:,}, valid {m['rows']['valid']:,}; best iteration "
                  f"{m['best_iteration']}")
    bundled = (f"; bundled to {result.bundled_to}" if result.bundled_to
               else "; not bundled (only a champion is)" if target is not None else "")
    console.print(f"{result.name} v{result.version} {'PROMOTED' if result.promoted else 'not promoted'}: "
                  f"{result.reason}{bundled}", highlight=False)
    if result.promoted and alone:
        console.print(f"note: the {prop} ensemble's weights were fitted for the {system} model served before; "
                      f"refit them for this one: bin/pipeline train --system ensemble --prop {prop}"
                      + (" --bundle" if target is not None else ""), highlight=False)


def _ensemble(wh, store, prop, windows, bundle, bundle_dir, step: str = "") -> None:
    from modeling.ensemble import fit

    try:
        with progress_bar(f"fitting {prop} ensemble{step}: weights") as report:
            report(0, 1)
            doc = fit(wh, store, prop, windows, bundle_dir=bundle_dir or (BUNDLE_DIR if bundle else None))
            report(1, 1)
    except ValueError as exc:
        fail(refusal(exc))
    table = Table("member", "weight", "validation MAE")
    for name, w in doc.weights.items():
        table.add_row(name, f"{w:.2f}", f"{doc.members_valid_mae[name]:.3f}")
    console.print(table)
    console.print(f"{prop}_ensemble {doc.version}: validation MAE {doc.valid_mae:.3f} on {doc.rows:,} rows")


def calibrate_command(
    props: Optional[list[str]] = typer.Option(None, "--prop", metavar="PROP",
                                              help=f"a prop to calibrate (repeatable; all when absent): "
                                                   f"{', '.join(PROP_NAMES)}"),
    bundle: bool = typer.Option(False, "--bundle", help=f"the bundled copies "
                                                         f"({BUNDLE_DIR.relative_to(BUNDLE_DIR.parents[1])}) "
                                                         f"instead of what the registry serves"),
) -> None:
    """Refit the served models' predictive distributions (19 residual quantiles per expected-minutes
    bucket) on each model's own validation window, without retraining: every xgboost and catboost
    model, then each prop's ensemble."""
    from modeling.calibrate import calibrate

    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    chosen = list(dict.fromkeys(props)) if props else list(PROP_NAMES)
    for p in chosen:
        if p not in PROP_NAMES:
            fail(f"--prop {p[:40]!r}: one of {', '.join(PROP_NAMES)}")
    try:
        with progress_bar(f"calibrating {len(chosen)} prop(s)") as report:
            report(0, 1)
            done = calibrate(wh, None if bundle else bootstrap.build_store(s), chosen)
            report(1, 1)
    except ValueError as exc:
        fail(refusal(exc))
    table = Table("model", "served", "validation window", "rows", "pinball before", "pinball after", "p10-p90",
                  title="predictive distributions refitted (mean pinball loss over the 19 quantiles)")
    for c in done:
        table.add_row(c.name, c.source, c.window, f"{c.rows:,}", f"{c.pinball_before:.4f}", f"{c.pinball_after:.4f}",
                      f"{c.coverage_after:.1%}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("calibrate")(calibrate_command)
