"""Write an evaluation as a Markdown report with PNG plots."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from modeling.evaluation import Evaluation  # noqa: E402
from shared.catalogue import PROP_NAMES  # noqa: E402


def _table(frame, columns) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = ""
    for r in frame[columns].itertuples(index=False):
        body += "| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r) + " |\n"
    return head + body


def mae_figure(ev: Evaluation, prop: str = "points"):
    """Bars from zero with their values printed, and the EWMA baseline as a line: a 0.1 gap
    between 4.5 and 4.6 must look like the 2 % it is."""
    systems = ev.main[ev.main["prop"] == prop]
    base = ev.baselines[ev.baselines["prop"] == prop]
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = list(systems["system"]) + [f"baseline: {b}" for b in base["baseline"]]
    values = list(systems["mae"]) + list(base["mae"])
    bars = ax.barh(labels, values, color=["tab:blue"] * len(systems) + ["tab:gray"] * len(base))
    ax.bar_label(bars, fmt="%.3f", padding=3, fontsize=8)
    ewma = base.loc[base["baseline"] == "ewma", "mae"]
    if len(ewma):
        ax.axvline(float(ewma.iloc[0]), color="black", linestyle="--", linewidth=1, label="EWMA baseline")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, max(values) * 1.15)
    ax.set_xlabel(f"MAE, {prop} (graded rows; lower is better)")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def calibration_figure(ev: Evaluation, prop: str = "points"):
    systems = ev.main[ev.main["prop"] == prop]
    fig, ax = plt.subplots(figsize=(8, 4))
    below, above = systems["below_p10"].to_numpy(), systems["above_p90"].to_numpy()
    inside = 1 - below - above
    ax.barh(systems["system"], below, label="below p10", color="tab:red")
    middle = ax.barh(systems["system"], inside, left=below, label="inside p10-p90", color="tab:green")
    ax.bar_label(middle, labels=[f"{v:.1%}" for v in inside], label_type="center", fontsize=8, color="white")
    ax.barh(systems["system"], above, left=below + inside, label="above p90", color="tab:orange")
    for x in (0.1, 0.9):
        ax.axvline(x, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("share of graded rows (dashed: the nominal 10% / 90%)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def minutes_figure(ev: Evaluation, prop: str = "points"):
    """One panel per system: the others in light grey behind it, so no line hides another."""
    by_minutes = ev.by_minutes[ev.by_minutes["prop"] == prop]
    systems = sorted(by_minutes["system"].unique())
    cols = min(3, len(systems)) or 1
    rows = -(-len(systems) // cols) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), sharex=True, sharey=True, squeeze=False)
    frames = {system: g for system, g in by_minutes.groupby("system")}
    for ax, system in zip(axes.flat, systems, strict=False):
        for other, g in frames.items():
            if other != system:
                ax.plot(g["minutes_bucket"].astype(str), g["mae"], color="lightgray", linewidth=1)
        g = frames[system]
        ax.plot(g["minutes_bucket"].astype(str), g["mae"], marker="o", color="tab:blue")
        for x, y in zip(g["minutes_bucket"].astype(str), g["mae"], strict=True):
            ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
        ax.set_title(system, fontsize=9)
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(systems):]:
        ax.set_visible(False)
    fig.supxlabel("minutes played")
    fig.supylabel(f"MAE, {prop}")
    fig.tight_layout()
    return fig


def write_report(ev: Evaluation, out: Path) -> Path:
    """report.md and three plots per prop evaluated (``mae_by_system_points.png`` ...)."""
    out.mkdir(parents=True, exist_ok=True)
    props = [p for p in PROP_NAMES if p in set(ev.main["prop"])]
    plots = []
    for prop in props:
        for name, title, fig in (("mae_by_system", "MAE by system", mae_figure(ev, prop)),
                                 ("interval_calibration", "Interval calibration", calibration_figure(ev, prop)),
                                 ("error_by_minutes", "Error by minutes", minutes_figure(ev, prop))):
            fig.savefig(out / f"{name}_{prop}.png", dpi=110)
            plt.close(fig)
            plots += [f"![{title}, {prop}]({name}_{prop}.png)", ""]

    cols = ["system", "prop", "n", "mae", "rmse", "bias", "within_3", "within_5", "interval_coverage",
            "coverage_15min"]
    text = [f"# Evaluation {ev.start} .. {ev.end}", "",
            "Graded rows: players who played, with at least 10 earlier games that season, predicted by every "
            "system; the baselines are computed on exactly those rows.", "",
            "## Systems (graded rows)", "", _table(ev.main, cols),
            "## Naive baselines (same rows)", "", _table(ev.baselines, ["prop", "baseline", "n", "mae", "rmse",
                                                                          "bias", "within_3", "within_5"]),
            "## Champion vs challenger (the same rows)", "",
            _table(ev.challengers, ["system", "prop", "champion_version", "challenger_version", "n", "champion_mae",
                                    "challenger_mae"]) if ev.challengers is not None and len(ev.challengers)
            else "No challenger predictions in this range.\n",
            "## Every predicted player who played", "", _table(ev.all_played, cols[:-1]),
            "## MAE by minutes played", "", _table(ev.by_minutes.astype({"minutes_bucket": str}),
                                                   ["prop", "system", "minutes_bucket", "n", "mae"]),
            "## By expected minutes (last-10 average): MAE and p10-p90 coverage", "",
            _table(ev.by_expected_minutes, ["prop", "system", "expected_minutes", "n", "mae", "interval_coverage"])
            if ev.by_expected_minutes is not None and len(ev.by_expected_minutes) else "No graded rows.\n",
            "## MAE by month", "", _table(ev.by_month, ["prop", "system", "month", "n", "mae"]),
            "## Plots", "", *plots]
    path = out / "report.md"
    path.write_text("\n".join(text))
    return path
