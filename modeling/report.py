"""Write an evaluation as a Markdown report with PNG plots."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from modeling.calibration import worst_bin  # noqa: E402
from modeling.evaluation import Evaluation  # noqa: E402
from shared.catalogue import PROP_NAMES  # noqa: E402


def _table(frame, columns) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = ""
    for r in frame[columns].itertuples(index=False):
        body += "| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r) + " |\n"
    return head + body


def _rows(ev: Evaluation, prop: str) -> int:
    """Graded rows of a prop (every system is measured on the same rows)."""
    n = ev.main.loc[ev.main["prop"] == prop, "n"]
    return int(n.max()) if len(n) else 0


def _title(what: str, ev: Evaluation, prop: str) -> str:
    return f"{what}, {prop}: {ev.start}..{ev.end}, {_rows(ev, prop):,} graded rows"


def mae_figure(ev: Evaluation, prop: str = "points"):
    """Each system's MAE minus the EWMA baseline's on the same rows, so a 0.02 gap between two
    systems is as visible as it is decisive; every bar is labelled with its MAE and the difference."""
    systems = ev.main[ev.main["prop"] == prop]
    base = ev.baselines[ev.baselines["prop"] == prop]
    reference = "ewma" if (base["baseline"] == "ewma").any() else base.sort_values("mae")["baseline"].iloc[0]
    ref_mae = float(base.loc[base["baseline"] == reference, "mae"].iloc[0])
    labels = list(systems["system"]) + [f"baseline: {b}" for b in base["baseline"]]
    values = [float(v) for v in (*systems["mae"], *base["mae"])]
    delta = [v - ref_mae for v in values]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.6))
    bars = ax.barh(labels, delta, color=["tab:blue"] * len(systems) + ["tab:gray"] * len(base))
    texts = [f"{v:.3f} (the reference)" if lab == f"baseline: {reference}" else f"{v:.3f} ({d:+.3f})"
             for lab, v, d in zip(labels, values, delta, strict=True)]
    ax.bar_label(bars, labels=texts, padding=4, fontsize=8)
    ax.axvline(0, color="black", linewidth=1)
    low, high = min(min(delta), 0.0), max(max(delta), 0.0)
    room = max(high - low, 0.01) * 0.6          # the labels sit beyond the bar ends, inside the axes
    ax.set_xlim(low - room, high + room)
    ax.set_xlabel(f"MAE minus the {reference.upper() if reference == 'ewma' else reference} baseline's "
                  f"({ref_mae:.3f}) on the same rows; left of 0 is better")
    ax.set_title(_title("MAE by system", ev, prop), fontsize=10)
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def calibration_figure(ev: Evaluation, prop: str = "points"):
    systems = ev.main[ev.main["prop"] == prop]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(systems) + 2.0))
    below, above = systems["below_p10"].to_numpy(), systems["above_p90"].to_numpy()
    inside = 1 - below - above
    shares = (("below p10", below, 0, "tab:red"), ("inside p10-p90", inside, below, "tab:green"),
              ("above p90", above, below + inside, "tab:orange"))
    for label, width, left, color in shares:
        bars = ax.barh(systems["system"], width, left=left, label=label, color=color)
        ax.bar_label(bars, labels=[f"{v:.1%}" for v in width], label_type="center", fontsize=7, color="white")
    for x in (0.1, 0.9):
        ax.axvline(x, color="black", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of graded rows (dashed: the nominal 10% / 90%)")
    ax.set_title(_title("Interval calibration", ev, prop), fontsize=10)
    # below the axes, never over a bar
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def minutes_figure(ev: Evaluation, prop: str = "points"):
    """One panel per system: the others in light grey behind it, so no line hides another."""
    by_minutes = ev.by_minutes[ev.by_minutes["prop"] == prop]
    systems = sorted(by_minutes["system"].unique())
    cols = min(3, len(systems)) or 1
    rows = -(-len(systems) // cols) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    frames = {system: g for system, g in by_minutes.groupby("system")}
    top = float(by_minutes["mae"].max()) if len(by_minutes) else 1.0
    for ax, system in zip(axes.flat, systems, strict=False):
        for other, g in frames.items():
            if other != system:
                ax.plot(g["minutes_bucket"].astype(str), g["mae"], color="lightgray", linewidth=1)
        g = frames[system]
        ax.plot(g["minutes_bucket"].astype(str), g["mae"], marker="o", color="tab:blue")
        for x, y in zip(g["minutes_bucket"].astype(str), g["mae"], strict=True):
            ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
        ax.set_title(system, fontsize=9)
        ax.set_ylim(0, top * 1.2)            # head room for the highest value's label
        ax.margins(x=0.12)                   # and side room for the first and last
    for ax in list(axes.flat)[len(systems):]:
        ax.set_visible(False)
    fig.suptitle(_title("MAE by minutes played", ev, prop), fontsize=10)
    fig.supxlabel("minutes played")
    fig.supylabel(f"MAE, {prop}")
    fig.tight_layout()
    return fig


PLOTTED_BIN_ROWS = 30      # a bin with fewer rows is noise on the plot (the tables keep it)


def reliability_figure(ev: Evaluation, prop: str = "points", lines: str = "proxy"):
    """P(over) against the share that went over, in ten bins, per system and for the last-10
    baseline; each point's size follows its rows, and the diagonal is perfect calibration."""
    rel = ev.distribution.reliability if ev.distribution is not None else None
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], color="black", linewidth=1, linestyle="--")
    if rel is not None and len(rel):
        rel = rel[(rel["prop"] == prop) & (rel["lines"] == lines) & (rel["n"] >= PLOTTED_BIN_ROWS)]
        for system, g in rel.groupby("system", sort=False):
            baseline = system.startswith("baseline")
            ax.plot(g["mean_p"], g["observed"], marker="s" if baseline else "o", linewidth=1,
                    color="gray" if baseline else None, label=system, markersize=4)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    where = "line proxy (last-10 mean, nearest half point)" if lines == "proxy" else "posted line"
    ax.set_xlabel(f"P(over) at the {where}")
    ax.set_ylabel(f"share over (pushes left out; bins of {PLOTTED_BIN_ROWS}+ rows)")
    ax.set_title(_title("P(over) reliability", ev, prop), fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def _distribution_sections(ev: Evaluation) -> list[str]:
    d = ev.distribution
    if d is None or d.pinball.empty:
        return ["## Predictive distributions", "", "No graded rows.\n"]
    shares = d.quantiles.assign(level=(d.quantiles["level"] * 100).round().astype(int))
    worst = shares.groupby(["system", "prop"])["miss"].max().rename("worst_quantile_miss").reset_index()
    pin = d.pinball.merge(worst, on=["system", "prop"])
    served = shares[shares["system"] == "ensemble"] if (shares["system"] == "ensemble").any() else shares
    text = ["## Predictive distributions: pinball loss over the 19 quantiles", "",
            "`pinball_normal`: the normal through the same rows' p10/p50/p90 (how P(over) was read before the 19 "
            "quantiles). `worst_quantile_miss`: the largest distance of a level outside [share below, share at or "
            "below] its count quantile (0.02 is 2 points).", "",
            _table(pin, ["system", "prop", "n", "pinball", "pinball_normal", "worst_quantile_miss"]),
            "## Share of outcomes below each quantile (ensemble)", "",
            _table(served, ["system", "prop", "level", "below", "at_or_below", "miss"])]
    if len(d.scores):
        scores = d.scores.copy()
        scores["worst_bin_500"] = [worst_bin(d.reliability, r.system, r.prop, r.lines)
                                   for r in scores.itertuples()]
        text += ["## P(over): Brier score and log loss against the last-10 baseline (same rows)", "",
                 "`proxy`: the player's last-10 mean rounded to the nearest half point; `posted`: the row's line. "
                 "`worst_bin_500`: the largest gap to the diagonal among reliability bins of 500+ rows.", "",
                 _table(scores, ["system", "prop", "lines", "n", "brier", "brier_normal", "brier_last10", "log_loss",
                                 "log_loss_last10", "worst_bin_500"]),
                 "## P(over) reliability (ten bins)", "",
                 _table(d.reliability, ["system", "prop", "lines", "bin", "n", "mean_p", "observed"])]
    return text


def write_report(ev: Evaluation, out: Path) -> Path:
    """report.md and three plots per prop evaluated (``mae_by_system_points.png`` ...)."""
    out.mkdir(parents=True, exist_ok=True)
    props = [p for p in PROP_NAMES if p in set(ev.main["prop"])]
    plots = []
    for prop in props:
        for name, title, fig in (("mae_by_system", "MAE by system", mae_figure(ev, prop)),
                                 ("interval_calibration", "Interval calibration", calibration_figure(ev, prop)),
                                 ("error_by_minutes", "Error by minutes", minutes_figure(ev, prop)),
                                 ("p_over_reliability", "P(over) reliability", reliability_figure(ev, prop))):
            fig.savefig(out / f"{name}_{prop}.png", dpi=110, bbox_inches="tight")
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
            *_distribution_sections(ev),
            "## Plots", "", *plots]
    path = out / "report.md"
    path.write_text("\n".join(text))
    return path
