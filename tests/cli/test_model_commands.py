"""`promote` and `monitor` as a user types them: a version as the tools print it, a misspelt
name answered with the names there are, and drift output that says which features alert."""
from __future__ import annotations

import json
import shutil
from datetime import date

from shared.adapters.directory_store import DirectoryStore
from shared.catalogue import DRIFT_KEY_FEATURES, MODEL_NAMES
from shared.models import BUNDLED
from shared.models.registry import Registry
from tests.support.cli import invoke as run


def registered(home) -> Registry:
    """A home whose registry holds points_xgboost v1 (the bundled model's bytes)."""
    registry = Registry(DirectoryStore(home / "objects"))
    folder = BUNDLED / "points_xgboost"
    version = registry.claim_version("points_xgboost")
    registry.put("points_xgboost", version, "xgboost", (folder / "model.ubj").read_bytes(),
                 json.loads((folder / "metrics.json").read_text()), json.loads((folder / "schema.json").read_text()))
    return registry


def test_promote_takes_the_version_as_printed_or_as_a_number(tmp_path, elsewhere):
    home = tmp_path / "home"
    registry = registered(home)
    out = run("promote", "points_xgboost", "v1", "--reason", "as train printed it", home=home, cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    assert "points_xgboost: latest is now v1 (was unset)" in out.stdout
    again = run("promote", "points_xgboost", "1", "--reason", "a number", home=home, cwd=elsewhere)
    assert again.returncode == 0 and "latest is now v1 (was v1)" in again.stdout
    assert [e["reason"] for e in registry.history("points_xgboost")] == ["as train printed it", "a number"]


def refused(out) -> str:
    assert out.returncode == 2 and "Traceback" not in out.stderr, (out.returncode, out.stderr)
    return " ".join(out.stderr.split())


def test_promote_refusals_name_what_is_wrong_and_move_nothing(tmp_path, elsewhere):
    home = tmp_path / "home"
    registry = registered(home)
    misspelt = refused(run("promote", "point_xgboost", "v1", "--reason", "r", home=home, cwd=elsewhere))
    assert "model 'point_xgboost' is unknown: one of " + ", ".join(MODEL_NAMES) in misspelt
    assert "points_ensemble" in misspelt
    absent = refused(run("promote", "points_xgboost", "v7", "--reason", "r", home=home, cwd=elsewhere))
    assert "points_xgboost v7 is not in the registry" in absent and "registered versions: v1" in absent
    assert "version 'seven': a registered version such as v3 (or 3)" in refused(
        run("promote", "points_xgboost", "seven", "--reason", "r", home=home, cwd=elsewhere))
    assert registry.pointer("points_xgboost") is None and registry.history("points_xgboost") == []


def test_monitor_lists_the_alerting_features_first_and_says_the_others_do_not_alert(sample_db, tmp_path,
                                                                                   elsewhere):
    from processors.runner import nightly
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    nightly(wh, None, date(2024, 1, 16))
    wh.close()
    out = run("monitor", "--date", "2024-01-16", home=home, cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    rows = [line.split("│")[1:4] for line in out.stdout.splitlines() if line.startswith("│")]
    rows = [[cell.strip() for cell in row] for row in rows]
    assert [r[0] for r in rows[:len(DRIFT_KEY_FEATURES)]] == list(DRIFT_KEY_FEATURES)
    assert {r[2] for r in rows[:len(DRIFT_KEY_FEATURES)]} <= {"key: calm", "ALERT"}
    others = rows[len(DRIFT_KEY_FEATURES):]
    assert others and {r[2] for r in others} == {"not alerted"}
    assert float(others[0][1]) > 0.25              # a team- or date-level feature far past the threshold ...
    text = " ".join(out.stdout.split())
    alerting = [r[0] for r in rows[:len(DRIFT_KEY_FEATURES)] if r[2] == "ALERT"]
    said = ", ".join(alerting) if alerting else "none"
    assert f"drift alerts (key features above 0.25): {said}" in text   # ... that is not an alert, and says why
    assert "features are measured, not alerted" in text
