"""Box-score values no real file holds are refused like any other bad value, naming file,
line, column and value (or its length), and nothing is written: names too long or carrying
control characters, dates outside the league's life, a game dated two ways, a file too big
to validate in memory, a file that is not a CSV of box scores at all."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ingest.importer import ImportValidationError, import_files
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import PLAYOFF_FIXTURE, ROOT, SAMPLE

NAME, GAME_DATE = 2, 7    # columns of the player-log layout
ROW = 150                 # Chris Boucher, TOR vs. PHI, game 0022300092 on 2023-10-28 (19 more rows in the slice)


@pytest.fixture(scope="module")
def sample_rows() -> list[str]:
    with gzip.open(SAMPLE, "rt") as fh:
        return fh.read().splitlines()[:200]


@pytest.fixture
def warehouse(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.ensure_tables()
    yield wh
    wh.close()


def with_cell(tmp_path: Path, rows: list[str], column: int, value: str, row: int = ROW) -> Path:
    lines = list(rows)
    cells = lines[row].split(",")
    cells[column] = value
    lines[row] = ",".join(cells)
    path = tmp_path / "logs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(warehouse, path: Path, *fragments: str) -> str:
    with pytest.raises(ImportValidationError) as info:
        import_files(warehouse, [path])
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert warehouse.count(tables.PLAYER_GAME_SUMMARY.fqn) == 0
    return message


@pytest.mark.parametrize("name, code", [("Chris\x00Boucher", "U+0000"), ("Chris\x1b[31mBoucher", "U+001B"),
                                        ("Chris \u202eBoucher", "U+202E"), ("Chris\u200bBoucher", "U+200B")])
def test_a_control_character_in_a_player_name_is_refused(tmp_path, warehouse, sample_rows, name, code):
    refused(warehouse, with_cell(tmp_path, sample_rows, NAME, name),
            f"logs.csv:{ROW + 1}: column PLAYER_NAME = {name!r}: contains the control character {code}")


def test_a_player_name_over_64_characters_is_refused_naming_its_length(tmp_path, warehouse, sample_rows):
    message = refused(warehouse, with_cell(tmp_path, sample_rows, NAME, "B" * 5000),
                      f"logs.csv:{ROW + 1}: column PLAYER_NAME = 'BBBB", "(5,000 characters)",
                      "longer than the 64 characters allowed")
    assert "B" * 200 not in message                     # the value is named, not echoed whole


def test_a_player_name_of_64_characters_imports(tmp_path, warehouse, sample_rows):
    import_files(warehouse, [with_cell(tmp_path, sample_rows, NAME, "B" * 64)])
    names = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn)["player_name"]
    assert ("B" * 64) in set(names)


@pytest.mark.parametrize("comment, reason", [("DNP - " + "x" * 300, "longer than the 200 characters allowed"),
                                             ("DNP - Coach's\x00 Decision", "contains the control character U+0000")])
def test_a_playoff_dnp_comment_is_capped_like_any_free_text(tmp_path, warehouse, comment, reason):
    with gzip.open(PLAYOFF_FIXTURE, "rt") as fh:
        header, first, *rest = fh.read().splitlines()
    assert first.split(",")[11] == "DNP - Coach's Decision"
    (tmp_path / "playoffs.csv").write_text("\n".join([header, first.replace("DNP - Coach's Decision", comment),
                                                      *rest]) + "\n")
    refused(warehouse, tmp_path / "playoffs.csv", "playoffs.csv:2: column comment = ", reason)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0000-01-01", "1946-10-31"])
def test_a_date_outside_the_leagues_life_is_refused(tmp_path, warehouse, sample_rows, day):
    refused(warehouse, with_cell(tmp_path, sample_rows, GAME_DATE, day),
            f"logs.csv:{ROW + 1}: column GAME_DATE = '{day}': outside 1946-11-01..")


def test_a_row_dated_apart_from_the_rest_of_its_game_is_refused(tmp_path, warehouse, sample_rows):
    refused(warehouse, with_cell(tmp_path, sample_rows, GAME_DATE, "2023-10-29"),
            f"logs.csv:{ROW + 1}: column GAME_DATE = '2023-10-29'",
            "game 0022300092 is dated 2023-10-28 on its other rows")


def test_a_game_dated_two_ways_across_two_files_is_refused(tmp_path, warehouse, sample_rows):
    header, game = sample_rows[0], [r for r in sample_rows[1:] if r.split(",")[6] == "0022300092"]
    (tmp_path / "a.csv").write_text("\n".join([header, *game[:-1]]) + "\n")
    moved = game[-1].split(",")
    moved[GAME_DATE] = "2023-11-28"
    (tmp_path / "b.csv").write_text("\n".join([header, ",".join(moved)]) + "\n")
    with pytest.raises(ImportValidationError, match=r"b.csv:2: column GAME_DATE = '2023-11-28'.*dated 2023-10-28"):
        import_files(warehouse, [tmp_path / "a.csv", tmp_path / "b.csv"])
    assert warehouse.count(tables.PLAYER_GAME_SUMMARY.fqn) == 0


def test_a_file_over_64_mib_is_refused_before_it_is_read(tmp_path, warehouse, sample_rows):
    body = ("\n".join(sample_rows[1:]) + "\n").encode()
    with gzip.open(tmp_path / "huge.csv.gz", "wb", compresslevel=1) as fh:
        fh.write(sample_rows[0].encode() + b"\n")
        for _ in range(64 * 2**20 // len(body) + 1):
            fh.write(body)
    assert (tmp_path / "huge.csv.gz").stat().st_size < 8 * 2**20      # small on disk, big once read
    refused(warehouse, tmp_path / "huge.csv.gz", "huge.csv.gz:0:", "over 64 MiB uncompressed",
            "more than the 64 MiB an import reads from one file: split it")


@pytest.mark.parametrize("name, text", [
    ("README.md", (ROOT / "README.md").read_text()),
    ("notes.txt", "just some words\nwith no commas at all\n"),
    ("people.csv", "name,age\nAda,36\n"),
])
def test_a_file_that_is_not_box_scores_says_so_in_one_line(tmp_path, warehouse, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(ImportValidationError) as info:
        import_files(warehouse, [tmp_path / name])
    assert len(info.value.problems) == 1
    problem = str(info.value.problems[0])
    assert problem.startswith(f"{tmp_path / name}:") and "not a CSV of box scores" in problem, problem
    assert "GAME_ID" in problem and "gameId" in problem                  # the layouts it expected
    assert "tokenizing" not in problem and "C error" not in problem
