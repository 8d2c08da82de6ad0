"""Write an evaluation as a Markdown report with PNG plots."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from modeling.evaluation import Evaluation  # noqa: E402


def _table(frame, columns) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = ""
    for r in frame[columns].itertuples(index=False):
        body += "| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r) + " |\n"
    return head + body


def write_report(ev: Evaluation, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    points = ev.main[ev.main["prop"] == "points"]
    base = ev.baselines[ev.baselines["prop"] == "points"]

    fig, ax = plt.subplots(figsize=(8, 4))
    labels = list(points["system"]) + [f"baseline: {b}" for b in base["baseline"]]
    values = list(points["mae"]) + list(base["mae"])
    ax.barh(labels, values, color=["tab:blue"] * len(points) + ["tab:gray"] * len(base))
    ax.set_xlim(min(values) * 0.95, max(values) * 1.02)
    ax.set_xlabel("MAE, points (graded rows)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(out / "mae_by_system.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    below, above = points["below_p10"].to_numpy(), points["above_p90"].to_numpy()
    inside = 1 - below - above
    ax.barh(points["system"], below, label="below p10", color="tab:red")
    ax.barh(points["system"], inside, left=below, label="inside p10-p90", color="tab:green")
    ax.barh(points["system"], above, left=below + inside, label="above p90", color="tab:orange")
    for x in (0.1, 0.9):
        ax.axvline(x, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("share of graded rows (dashed: the nominal 10% / 90%)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "interval_calibration.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    for system, g in ev.by_minutes.groupby("system"):
        ax.plot(g["minutes_bucket"].astype(str), g["mae"], marker="o", label=system)
    ax.set_xlabel("minutes played")
    ax.set_ylabel("MAE, points")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "error_by_minutes.png", dpi=110)
    plt.close(fig)

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
                                                   ["system", "minutes_bucket", "n", "mae"]),
            "## MAE by month", "", _table(ev.by_month, ["system", "month", "n", "mae"]),
            "## Plots", "", "![MAE by system](mae_by_system.png)", "",
            "![Interval calibration](interval_calibration.png)", "", "![Error by minutes](error_by_minutes.png)", ""]
    path = out / "report.md"
    path.write_text("\n".join(text))
    return path
