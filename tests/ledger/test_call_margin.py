"""The call rule's threshold is a setting: PIPELINE_CALL_MARGIN reaches the worker's pricing,
and a bad value is refused at start-up naming the variable."""
from __future__ import annotations

import pytest

from shared.config import ConfigError, Settings
from shared.pricing import CALL_MARGIN, judge
from worker.main import build_deps


def test_the_margin_decides_between_a_call_and_a_pass():
    # P(over) about 0.549 at -110 (break-even 0.524): an edge of 2.5 points, under the default 3
    p10, p50, p90, line = 11.0, 21.5, 32.0, 20.5
    assert judge(p10, p50, p90, line, margin=0.0)["recommendation"] == "OVER"
    assert judge(p10, p50, p90, line)["recommendation"] == "PASS"


def test_the_setting_reaches_the_worker(tmp_path):
    assert Settings.from_env({}).call_margin == CALL_MARGIN
    settings = Settings.from_env({"PIPELINE_HOME": str(tmp_path), "PIPELINE_CALL_MARGIN": "0.05"})
    assert build_deps(settings, publisher=object()).call_margin == 0.05


@pytest.mark.parametrize("value", ["-0.01", "0.6", "three"])
def test_a_bad_margin_names_the_variable(value):
    with pytest.raises(ConfigError, match="PIPELINE_CALL_MARGIN"):
        Settings.from_env({"PIPELINE_CALL_MARGIN": value})
