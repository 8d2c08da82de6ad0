"""Every user error is one line naming the option and value, exit code 2, no traceback;
an unexpected error is one line too, with the traceback behind --debug."""
from __future__ import annotations

import gzip
import shutil
import socket

import pytest

from devsupport.emulators import free_port_run
from shared import tables
from tests.conftest import SAMPLE
from tests.support.cli import invoke as run

RANGE = ["--start", "2024-01-31", "--end", "2024-01-01"]


def refused(out, *fragments):
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    message = " ".join(out.stderr.split())
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("command", [["export-predictions", *RANGE, "--out", "x.csv"], ["predict-range", *RANGE],
                                     ["evaluate", *RANGE], ["grade", *RANGE], ["backfill", *RANGE]])
def test_a_reversed_range_is_refused(command, tmp_path, elsewhere):
    out = run(*command, home=tmp_path / "home", cwd=elsewhere)
    refused(out, "--start 2024-01-31 is after --end 2024-01-01")
    assert not (elsewhere / "x.csv").exists()


@pytest.mark.parametrize("args", [[], ["--start", "2024-01-01"], ["--date", "2024-01-01", "--end", "2024-01-02"]])
def test_grade_takes_one_date_or_both_ends_of_a_range(args, tmp_path, elsewhere):
    refused(run("grade", *args, home=tmp_path / "home", cwd=elsewhere), "give --date D, or --start D1 and --end D2")


def test_export_out_a_directory_or_under_a_file(tmp_path, elsewhere):
    refused(run("export-predictions", "--start", "2024-01-01", "--end", "2024-01-02", "--out", tmp_path,
                home=tmp_path / "home", cwd=elsewhere), f"--out '{tmp_path}' is a directory")
    (tmp_path / "a_file").write_text("x")
    refused(run("export-predictions", "--start", "2024-01-01", "--end", "2024-01-02", "--out",
                tmp_path / "a_file" / "p.csv", home=tmp_path / "home", cwd=elsewhere),
            f"'{tmp_path / 'a_file'}' is a file, not a folder")
    refused(run("export-predictions", "--start", "2024-01-01", "--end", "2024-01-02", "--out", "/proc/p.csv",
                home=tmp_path / "home", cwd=elsewhere), "--out '/proc/p.csv' cannot be written")


def test_evaluate_out_an_existing_file(tmp_path, elsewhere):
    (elsewhere / "report").write_text("mine")
    refused(run("evaluate", "--start", "2024-01-01", "--end", "2024-01-02", "--out", "report",
                home=tmp_path / "home", cwd=elsewhere), "--out 'report' exists and is not a directory")
    assert (elsewhere / "report").read_text() == "mine"


def test_pipeline_home_a_file_or_not_writable(tmp_path, elsewhere):
    (tmp_path / "home").write_text("")
    refused(run("counts", home=tmp_path / "home", cwd=elsewhere),
            f"PIPELINE_HOME '{tmp_path / 'home'}' exists and is not a directory")
    refused(run("counts", home="/proc/sys/pipeline", cwd=elsewhere),
            "PIPELINE_HOME '/proc/sys/pipeline' is not a directory this user can write to")


def test_serve_port_out_of_range(tmp_path, elsewhere):
    refused(run("serve", "--port", "99999", home=tmp_path / "home", cwd=elsewhere), "'--port'", "65531")


def test_serve_with_a_busy_port_in_its_range_names_it_and_the_range(tmp_path, elsewhere):
    first = free_port_run(5)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first + 1))
        busy.listen()
        out = run("serve", "--port", first, home=tmp_path / "home", cwd=elsewhere)
    refused(out, f"--port {first}: port {first + 1} (worker) is in use",
            f"serve needs {first}..{first + 4} free on 127.0.0.1", "choose another --port")
    assert "by another program" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not (tmp_path / "home" / "serve.json").exists()


def test_predict_range_without_games_says_so_and_one_not_backfilled_says_backfill(sample_db, tmp_path, elsewhere):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    june = run("predict-range", "--start", "2024-06-01", "--end", "2024-06-30", home=home, cwd=elsewhere)
    refused(june, "no games between 2024-06-01 and 2024-06-30 in the imported box scores or schedule: nothing to "
                  "predict (the imported box scores cover 2023-10-24..2024-04-14)")
    assert "backfill" not in june.stderr
    january = run("predict-range", "--start", "2024-01-01", "--end", "2024-01-02", home=home, cwd=elsewhere)
    refused(january, "no feature-store rows for the 2 game date(s) between 2024-01-01 and 2024-01-02: run "
                     "`bin/pipeline backfill --start 2024-01-01 --end 2024-01-02` first")


def test_header_only_csv_and_a_directory(tmp_path, elsewhere):
    with gzip.open(SAMPLE, "rt") as fh:
        (elsewhere / "empty.csv").write_text(fh.readline())
    refused(run("import", "empty.csv", home=tmp_path / "home", cwd=elsewhere), "empty.csv", "no rows after the header")
    refused(run("import", elsewhere, home=tmp_path / "home", cwd=elsewhere), f"{elsewhere}: a directory")


def test_tokens_too_short_or_empty(tmp_path, elsewhere):
    out = run("counts", home=tmp_path / "home", cwd=elsewhere, env={"PIPELINE_AUTH_TOKEN": "Q"})
    refused(out, "PIPELINE_AUTH_TOKEN=<1 characters, not shown>", "at least 16 characters")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "auth_token").write_text("\n")
    refused(run("serve", "--port", free_port_run(5), home=tmp_path / "home", cwd=elsewhere),
            "auth_token holds no token", "delete it to have one generated")


def test_log_level_in_lower_case_is_accepted(tmp_path, elsewhere):
    out = run("counts", home=tmp_path / "home", cwd=elsewhere, env={"PIPELINE_LOG_LEVEL": "debug"})
    assert out.returncode == 0 and f"{len(tables.CATALOG)} tables" in out.stdout, out.stderr


def test_relative_paths_start_where_the_user_stands(tmp_path, elsewhere):
    (elsewhere / "logs.csv.gz").write_bytes(SAMPLE.read_bytes())
    assert run("import", "logs.csv.gz", home=tmp_path / "home", cwd=elsewhere).returncode == 0
    out = run("export-predictions", "--start", "2024-01-01", "--end", "2024-01-02", "--out", "rel.csv",
              home=tmp_path / "home", cwd=elsewhere)
    assert out.returncode == 0 and (elsewhere / "rel.csv").is_file(), out.stderr


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(tmp_path, elsewhere):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "warehouse.duckdb").write_bytes(b"not a database" * 100)
    out = run("counts", home=tmp_path / "home", cwd=elsewhere)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "--debug" in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 2, out.stderr
    debug = run("--debug", "counts", home=tmp_path / "home", cwd=elsewhere)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.parametrize("args, fragment", [
    (["train"], "give --system NAME, or --all"),
    (["train", "--system", "xgboost", "--all"], "give --system NAME, or --all"),
    (["batches", "--start", "2024-01-31", "--end", "2024-01-01"], "--start 2024-01-31 is after --end 2024-01-01"),
    (["batches", "--start", "20240131"], "--start '20240131' is not a date"),
    (["backfill", "--start", "2024-01-01", "--end", "2024-01-31", "--chunk-dates", "0"], "--chunk-dates"),
])
def test_training_and_batch_listing_refuse_what_they_cannot_do(args, fragment, tmp_path, elsewhere):
    refused(run(*args, home=tmp_path / "home", cwd=elsewhere), fragment)
