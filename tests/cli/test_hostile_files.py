"""Files and values no real source sends, through the CLI as a user runs it: one line per
problem naming the file (or option) and the value, exit code 2, nothing written; data is
printed as it is, never read as styling markup nor coloured by the terminal highlighter."""
from __future__ import annotations

import gzip

from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import ROOT, SAMPLE
from tests.support.cli import run

REPORT = "Game Date,Game Time,Matchup,Team,Player Name,Current Status,Reason\n" \
         '"01/16/2024","07:30 (ET)","DEN@PHI","Denver Nuggets","Jokic, Nikola","Out","{reason}"\n'
COLOURED = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": ""}


def refused(out, *fragments):
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr[:2000])
    assert "Traceback" not in out.stderr
    for fragment in fragments:
        assert fragment in out.stderr, out.stderr[:2000]


def injury_rows(home) -> int:
    if not (home / "warehouse.duckdb").exists():
        return 0
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        return wh.count(tables.INJURY_REPORT.fqn)
    finally:
        wh.close()


def sample_lines(n: int) -> list[str]:
    with gzip.open(SAMPLE, "rt") as fh:
        return [next(fh).rstrip("\n") for _ in range(n)]


def test_importing_the_readme_says_it_is_not_a_csv_of_box_scores(tmp_path, elsewhere):
    out = run("import", ROOT / "README.md", home=tmp_path / "home", cwd=elsewhere)
    refused(out, f"{ROOT / 'README.md'}:0:", "not a CSV of box scores", "GAME_ID", "gameId")
    assert "tokenizing" not in out.stderr and "C error" not in out.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


def test_an_as_of_in_year_zero_is_refused_naming_the_option(tmp_path, elsewhere):
    (elsewhere / "report.csv").write_text(REPORT.format(reason="Rest"))
    out = run("import-injuries", "report.csv", "--as-of", "0000-01-01T00:00", home=tmp_path / "home", cwd=elsewhere)
    refused(out, "--as-of '0000-01-01T00:00'", "outside 1946-11-01..")
    assert len(out.stderr.strip().splitlines()) == 1
    assert injury_rows(tmp_path / "home") == 0


def test_a_2_mb_reason_is_refused_in_a_few_lines(tmp_path, elsewhere):
    (elsewhere / "Injury-Report_2024-01-16_05PM.csv").write_text(REPORT.format(reason="x" * 2_000_000))
    out = run("import-injuries", "Injury-Report_2024-01-16_05PM.csv", home=tmp_path / "home", cwd=elsewhere)
    refused(out, "Injury-Report_2024-01-16_05PM.csv:2: column Reason = 'xxxx", "(2,000,000 characters)",
            "longer than the 200 characters allowed")
    assert len(out.stderr) < 1000
    assert injury_rows(tmp_path / "home") == 0


def test_a_value_that_looks_like_markup_is_printed_as_it_is(tmp_path, elsewhere):
    header, *rows = sample_lines(12)
    first, second = rows[3].split(","), rows[4].split(",")
    first[8], second[8] = "[red]CLE[/red] vs. IND", "[/] vs. IND"
    (elsewhere / "logs.csv").write_text("\n".join([header, *rows[:3], ",".join(first), ",".join(second)]) + "\n")
    out = run("import", "logs.csv", home=tmp_path / "home", cwd=elsewhere)
    refused(out, "logs.csv:5: column MATCHUP = '[red]CLE[/red] vs. IND'", "logs.csv:6: column MATCHUP = '[/] vs. IND'")


def test_output_on_a_colour_terminal_is_not_highlighted(tmp_path, elsewhere):
    header, *rows = sample_lines(12)
    (elsewhere / "logs.csv").write_text("\n".join([header, *rows]) + "\n")
    out = run("import", "logs.csv", home=tmp_path / "home", cwd=elsewhere, env=COLOURED)
    assert out.returncode == 0, out.stderr
    assert "imported 1 file(s): 11 player-games" in out.stdout
    assert "\x1b[" not in out.stdout, repr(out.stdout)
