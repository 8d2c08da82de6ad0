"""The report's plots say what they show (range and rows), make a 0.02 MAE gap visible, and
keep every label readable: none crosses a reference line, sits under a legend or leaves its panel."""
from __future__ import annotations

from datetime import date

import matplotlib
import pandas as pd
import pytest

from modeling.evaluation import Evaluation
from modeling.report import calibration_figure, mae_figure, minutes_figure

matplotlib.use("Agg")
ROWS = 4321
BUCKETS = ["0-10", "10-20", "20-30", "30-40", "40-80"]


def evaluation() -> Evaluation:
    systems = {"ensemble": 4.500, "xgboost": 4.520, "catboost": 4.540, "moving_average": 4.575,
               "zone_matchup": 4.580, "similarity": 4.590}
    main = pd.DataFrame([{"system": s, "prop": "points", "n": ROWS, "mae": m, "below_p10": 0.10 + i / 100,
                          "above_p90": 0.09 + i / 200} for i, (s, m) in enumerate(systems.items())])
    baselines = pd.DataFrame([{"prop": "points", "baseline": b, "n": ROWS, "mae": m}
                              for b, m in (("season_avg", 4.62), ("last10", 4.70), ("ewma", 4.585))])
    by_minutes = pd.DataFrame([{"prop": "points", "system": s, "minutes_bucket": b, "n": 500,
                                "mae": 2.6 + 1.3 * i + (0.02 * j)} for j, s in enumerate(systems)
                               for i, b in enumerate(BUCKETS)])
    empty = pd.DataFrame()
    return Evaluation(date(2024, 2, 1), date(2024, 2, 29), main, baselines, empty, by_minutes, empty, empty)


def drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def titles(fig) -> str:
    found = [ax.get_title() for ax in fig.axes] + ([fig._suptitle.get_text()] if fig._suptitle else [])
    return " | ".join(found)


@pytest.mark.parametrize("figure", [mae_figure, calibration_figure, minutes_figure])
def test_every_plot_names_its_range_and_rows(figure):
    text = titles(figure(evaluation()))
    assert "2024-02-01..2024-02-29" in text and f"{ROWS:,} graded rows" in text and "points" in text


def test_a_two_hundredths_gap_between_systems_is_visible():
    fig = mae_figure(evaluation())
    renderer, ax = drawn(fig), fig.axes[0]
    ends = {}
    for patch, label in zip(ax.patches, [t.get_text() for t in ax.get_yticklabels()], strict=True):
        box = patch.get_window_extent(renderer)
        ends[label] = box.x0 if patch.get_width() < 0 else box.x1
    axis = ax.get_window_extent(renderer).width
    # 4.500 vs 4.520: 3% of the axis or more (bars from zero drew it as 0.4%)
    assert abs(ends["ensemble"] - ends["xgboost"]) > 0.03 * axis
    labels = [t.get_text() for t in ax.texts]
    assert "4.500 (-0.085)" in labels and "4.585 (the reference)" in labels


def crosses(text_box, line, renderer) -> bool:
    xs = set(line.get_xdata())
    if len(xs) != 1:
        return False
    x = line.get_transform().transform((float(next(iter(xs))), 0))[0]
    return text_box.x0 < x < text_box.x1


@pytest.mark.parametrize("figure", [mae_figure, calibration_figure, minutes_figure])
def test_no_value_label_crosses_a_reference_line_sits_under_the_legend_or_leaves_its_panel(figure):
    fig = figure(evaluation())
    renderer = drawn(fig)
    for ax in (a for a in fig.axes if a.get_visible()):
        panel = ax.get_window_extent(renderer)
        legend = ax.get_legend()
        legend_box = legend.get_window_extent(renderer) if legend is not None else None
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert not any(crosses(box, line, renderer) for line in ax.lines), text.get_text()
            assert panel.x0 <= box.x0 and box.x1 <= panel.x1 and panel.y0 <= box.y0 and box.y1 <= panel.y1, \
                f"{text.get_text()!r} leaves its panel"
            assert legend_box is None or not legend_box.overlaps(box), f"the legend covers {text.get_text()!r}"
        if legend_box is not None:
            assert not any(legend_box.overlaps(p.get_window_extent(renderer)) for p in ax.patches), \
                "the legend covers a bar"
