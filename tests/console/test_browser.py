"""The console in a real headless browser (Debian's chromium through chromedriver): sign in,
force a batch and watch it finish live on Tonight, filter the slate, and be refused without
the session. Screenshots of each page go to $CONSOLE_SCREENSHOTS when set (docs/console/)."""
from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bin import stack as local
from coordinator.requests import StartRequest
from coordinator.service import start as start_batch
from ingest.importer.injuries import import_injuries
from ingest.importer.lines import import_lines
from modeling.drift import monitor
from modeling.grading import grade
from processors.backfill import backfill
from shared import freshness
from shared.config import Settings
from tests.conftest import SAMPLE
from tests.console.conftest import TOKEN
from tests.support.stack import DAY

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                                  reason="needs Debian's chromium and chromium-driver (.ci/run "
                                                         "installs them)")]
LIVE_S = 180     # the longest a batch of the sample may take to finish on a loaded CI machine


@pytest.fixture
def live(tmp_path, sample_db):
    """The stack with its bus dispatching on its own, as `serve` runs; the week before DAY
    predicted and graded; DAY's injury report and lines imported (the sample's real files) and
    its features computed, but no batch yet (a backfill never publishes)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN}))
    import_injuries(st.warehouse, SAMPLE.parent / f"Injury-Report_{DAY}_05PM.csv")
    import_lines(st.warehouse, SAMPLE.parent / f"odds_{DAY}.json")
    week = [DAY - timedelta(days=n) for n in range(7, 0, -1)]
    backfill(st.warehouse, week[0], DAY)
    chain = local.inline(st.settings, st.warehouse, st.store)   # the week before, predicted as predict-range does
    for day in week:
        start_batch(chain.coordinator, StartRequest(game_date=day), day)
    grade(st.warehouse, week[0], week[-1])
    monitor(st.warehouse, st.store, week[-1])
    yield st
    st.stop()


@pytest.fixture
def driver(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield browser
    browser.quit()


def shoot(driver, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def test_sign_in_force_a_batch_watch_it_finish_and_filter_the_slate(live, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base = live.urls["console"]
    found = lambda element_id, within=30: WebDriverWait(driver, within).until(  # noqa: E731
        ec.presence_of_element_located((By.ID, element_id)))
    driver.get(f"{base}/tonight?date={DAY}")
    assert driver.current_url.startswith(f"{base}/login"), "no session: sent to sign in"
    shoot(driver, "login")
    driver.find_element(By.ID, "name").send_keys("ann")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 30).until(ec.url_to_be(f"{base}/tonight"))   # the page asked for, without its query
    assert TOKEN not in driver.current_url
    freshness.record_success(live.store, "lines", datetime.now(UTC) - timedelta(hours=3), 26, f"{DAY}: 3 events", None)
    driver.get(f"{base}/tonight?date={DAY}")
    WebDriverWait(driver, 30).until(ec.text_to_be_present_in_element((By.ID, "batch-state"), f"no batch for {DAY}"))
    stale = driver.find_element(By.CSS_SELECTOR, "#feeds tr.feed-degraded td")
    assert stale.text == "lines" and stale.value_of_css_property("color") == "rgba(179, 38, 30, 1)", "stale in red"
    cookie = driver.get_cookie("pipeline_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert driver.execute_script("return document.cookie") == "", "the session is out of scripts' reach"

    driver.get(f"{base}/actions")
    form = driver.find_element(By.ID, "action-force")
    date_box = form.find_element(By.NAME, "game_date")
    driver.execute_script("arguments[0].value = arguments[1]", date_box, str(DAY))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert str(DAY) in found("confirm").text
    driver.find_element(By.ID, "confirm-button").click()
    assert "batch" in found("outcome").text
    driver.find_element(By.ID, "watch").click()

    # the page's own script swaps the progress in; no reload from here
    WebDriverWait(driver, 30).until(ec.url_contains("/tonight"))
    WebDriverWait(driver, LIVE_S).until(ec.text_to_be_present_in_element((By.ID, "batch-state"), "finished"))
    reported = driver.find_element(By.ID, "batch-reported").text
    assert int(reported) == live.coordinator.batches.batch(
        live.coordinator.batches.date_pointer(DAY)[0].batch_id)[0].expected
    assert "out:" in driver.find_element(By.ID, "skips").text, "players the report rules out, with its reason"
    assert driver.find_element(By.ID, "batch-report").text == f"{DAY} 17:00 ET", "the report the batch read"
    assert driver.find_element(By.ID, "batch-lines").text == f"{DAY} 13:00 ET", "its line snapshot (18:00Z)"
    shoot(driver, "tonight")
    grade(live.warehouse, DAY, DAY)   # the box scores are in: the accuracy page has a night to show

    driver.get(f"{base}/slate?date={DAY}")
    shoot(driver, "slate")
    Select(driver.find_element(By.ID, "filter-prop")).select_by_value("points")
    team = Select(driver.find_element(By.ID, "filter-team")).options[1].get_attribute("value")
    Select(driver.find_element(By.ID, "filter-team")).select_by_value(team)
    driver.find_element(By.ID, "apply").click()
    WebDriverWait(driver, 30).until(ec.url_contains(f"team={team}"))
    found("slate-points")
    rows = driver.find_elements(By.CSS_SELECTOR, "#slate-points tbody tr")
    assert rows and all(r.find_elements(By.TAG_NAME, "td")[1].text == team for r in rows)
    assert not driver.find_elements(By.ID, "slate-rebounds")

    calls = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#slate-points td[class^=call-]")]
    assert {"OVER", "UNDER"} & set(calls), "the imported lines give calls"

    for page in ("accuracy", "models", "actions"):
        driver.get(f"{base}/{page}")
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith(page.capitalize())
        shoot(driver, page)
    assert "ann" in driver.find_element(By.ID, "audit").text and "force" in driver.find_element(By.ID, "audit").text

    driver.delete_all_cookies()
    driver.get(f"{base}/slate?date={DAY}")
    assert driver.current_url.startswith(f"{base}/login")
