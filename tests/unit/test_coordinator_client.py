"""One choice of credentials for every caller of the coordinator (the orchestrator, the
console, the local stack): none with auth off (the console used to fetch a Google token on GCP
even then, which fails against the emulators); on GCP a Google ID token for the coordinator's
URL; on one machine the shared bearer token."""
from __future__ import annotations

import google.oauth2.id_token

from shared.config import Settings
from shared.coordinator_client import token_for

URL = "https://coordinator-abc-uc.a.run.app"


def test_gcp_presents_a_google_token_for_the_coordinator_and_nothing_with_auth_off(monkeypatch):
    asked = []
    monkeypatch.setattr(google.oauth2.id_token, "fetch_id_token", lambda request, audience: asked.append(audience)
                        or "google-signed")
    gcp = {"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "p", "GCS_BUCKET": "b", "COORDINATOR_URL": URL}
    assert token_for(Settings.from_env({**gcp, "PIPELINE_AUTH": "on"}))() == "google-signed"
    assert token_for(Settings.from_env({**gcp, "PIPELINE_AUTH": "off"}))() is None
    assert asked == [URL]


def test_one_machine_presents_the_shared_token_or_nothing_with_auth_off(tmp_path):
    on = Settings.from_env({"PIPELINE_AUTH_TOKEN": "t" * 32, "COORDINATOR_URL": "http://127.0.0.1:1"})
    off = Settings.from_env({"PIPELINE_AUTH": "off", "COORDINATOR_URL": "http://127.0.0.1:1"})
    assert token_for(on)() == "t" * 32
    assert token_for(off)() is None
