import pytest

from shared.config import ConfigError, Settings


def test_defaults_are_the_embedded_backend():
    s = Settings.from_env({})
    assert s.backend == "local" and str(s.home) == "var"


def test_a_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="PIPELINE_BACKEND='aws'"):
        Settings.from_env({"PIPELINE_BACKEND": "aws"})


def test_gcp_needs_project_and_bucket():
    with pytest.raises(ConfigError, match="GCP_PROJECT"):
        Settings.from_env({"PIPELINE_BACKEND": "gcp"})
    jobs = Settings.from_env({"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "p", "GCS_BUCKET": "b"})
    from shared import auth

    with pytest.raises(ConfigError, match="coordinator: OIDC_AUDIENCE is required"):   # a service needs it
        auth.from_settings(jobs, "coordinator")
    s = Settings.from_env({"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "p", "GCS_BUCKET": "b",
                           "OIDC_AUDIENCE": "https://coordinator.run.app"})
    assert s.gcp_project == "p" and s.oidc_audience == "https://coordinator.run.app"


def test_token_is_not_in_repr():
    s = Settings.from_env({"PIPELINE_AUTH_TOKEN": "sentinel-secret-0123"})
    assert "sentinel-secret-0123" not in repr(s)


def test_a_short_token_is_refused_without_echoing_it():
    with pytest.raises(ConfigError, match="PIPELINE_AUTH_TOKEN=<1 characters, not shown>.*at least 16") as err:
        Settings.from_env({"PIPELINE_AUTH_TOKEN": "Q"})
    assert "'Q'" not in str(err.value)


@pytest.mark.parametrize("value", ["debug", "Debug", "DEBUG"])
def test_log_level_in_any_case(value):
    assert Settings.from_env({"PIPELINE_LOG_LEVEL": value}).log_level == "DEBUG"


def test_an_unknown_log_level_names_the_variable():
    with pytest.raises(ConfigError, match="PIPELINE_LOG_LEVEL='loud'"):
        Settings.from_env({"PIPELINE_LOG_LEVEL": "loud"})
