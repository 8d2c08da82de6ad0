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
    with pytest.raises(ConfigError, match="OIDC_AUDIENCE"):
        Settings.from_env({"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "p", "GCS_BUCKET": "b"})
    s = Settings.from_env({"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "p", "GCS_BUCKET": "b",
                           "OIDC_AUDIENCE": "https://coordinator.run.app"})
    assert s.gcp_project == "p" and s.oidc_audience == "https://coordinator.run.app"


def test_token_is_not_in_repr():
    s = Settings.from_env({"PIPELINE_AUTH_TOKEN": "sentinel-secret"})
    assert "sentinel-secret" not in repr(s)
