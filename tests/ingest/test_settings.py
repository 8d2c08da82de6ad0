"""The feeds' base URLs and the odds API key are settings: read once, checked, the key never shown."""
from __future__ import annotations

import pytest

from shared.config import ConfigError, Settings


def test_defaults_are_the_public_sources():
    s = Settings.from_env({})
    assert (s.stats_url, s.injury_url, s.odds_url, s.odds_api_key) == (
        "https://stats.nba.com/stats", "https://ak-static.cms.nba.com/referee/injury",
        "https://api.the-odds-api.com/v4", None)


def test_the_key_is_read_and_never_shown():
    s = Settings.from_env({"ODDS_API_KEY": "k-81d2e0b77a", "PIPELINE_ODDS_URL": "http://127.0.0.1:9000/v4"})
    assert s.odds_api_key == "k-81d2e0b77a" and s.odds_url == "http://127.0.0.1:9000/v4"
    assert "k-81d2e0b77a" not in repr(s) and "k-81d2e0b77a" not in str(s)


def test_a_url_that_is_not_http_names_the_variable():
    with pytest.raises(ConfigError, match=r"^PIPELINE_STATS_URL='stats\.nba\.com': String should match"):
        Settings.from_env({"PIPELINE_STATS_URL": "stats.nba.com"})


def test_the_feeds_daily_fetches_are_a_comma_separated_setting():
    assert Settings.from_env({}).feeds == ("box_scores", "schedule", "injuries", "lines")
    assert Settings.from_env({"PIPELINE_FEEDS": " Schedule, injuries "}).feeds == ("schedule", "injuries")
    assert Settings.from_env({"PIPELINE_FEEDS": "none"}).feeds == ()
    with pytest.raises(ConfigError, match=r"^PIPELINE_FEEDS='schedule,odds': Input should be 'box_scores'"):
        Settings.from_env({"PIPELINE_FEEDS": "schedule,odds"})
