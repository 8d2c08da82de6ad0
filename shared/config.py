"""Typed settings, read once from the environment at start-up.

This is the only module that reads ``os.environ``; everything else receives a Settings.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.pricing import CALL_MARGIN

MIN_TOKEN = 16   # a bearer token shorter than this is guessable


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


# environment variable -> Settings field
_ENV = {
    "PIPELINE_BACKEND": "backend",
    "PIPELINE_HOME": "home",
    "PIPELINE_LOG_LEVEL": "log_level",
    "GCP_PROJECT": "gcp_project",
    "GCS_BUCKET": "gcs_bucket",
    "BQ_LOCATION": "bq_location",
    "BIGQUERY_API_ENDPOINT": "bigquery_api_endpoint",
    "PIPELINE_AUTH_TOKEN": "auth_token",
    "PIPELINE_METRICS_TOKEN": "metrics_token",
    "PIPELINE_AUTH": "auth",
    "COORDINATOR_URL": "coordinator_url",
    "WORKER_URL": "worker_url",
    "ORCHESTRATOR_URL": "orchestrator_url",
    "ORCHESTRATOR_MAX_EVENT_AGE_S": "max_event_age_s",
    "COORDINATOR_FINALISE_LEASE_S": "finalise_lease_s",
    "OIDC_AUDIENCE": "oidc_audience",
    "OIDC_SERVICE_ACCOUNTS": "oidc_service_accounts",
    "OIDC_CERTS_URL": "oidc_certs_url",
    "PIPELINE_CONSOLE_SECRET": "console_secret",
    "IAP_AUDIENCE": "iap_audience",
    "IAP_CERTS_URL": "iap_certs_url",
    "PIPELINE_SCHEDULE_URL": "schedule_url",
    "PIPELINE_STATS_URL": "stats_url",
    "PIPELINE_INJURY_URL": "injury_url",
    "PIPELINE_ODDS_URL": "odds_url",
    "ODDS_API_KEY": "odds_api_key",
    "PIPELINE_FEEDS": "feeds",
    "PIPELINE_PROCESS_LEAD_MINUTES": "process_lead_minutes",
    "PIPELINE_CALL_MARGIN": "call_margin",
}
Feed = Literal["box_scores", "schedule", "injuries", "lines"]   # shared.freshness.FEEDS


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["local", "gcp"] = "local"
    home: Path = Path("var")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    gcp_project: str | None = None
    gcs_bucket: str | None = None
    bq_location: str = "US"
    bigquery_api_endpoint: str | None = None
    auth: Literal["on", "off"] = "on"
    auth_token: str | None = Field(default=None, repr=False, min_length=MIN_TOKEN)
    metrics_token: str | None = Field(default=None, repr=False, min_length=MIN_TOKEN)
    coordinator_url: str | None = None
    worker_url: str | None = None
    orchestrator_url: str | None = None
    max_event_age_s: int = Field(default=6 * 3600, gt=0)
    finalise_lease_s: int = Field(default=300, gt=0)   # a finaliser silent this long is presumed dead
    oidc_audience: str | None = None           # the URL of this service, as push subscriptions sign it
    oidc_service_accounts: str | None = None   # comma-separated emails allowed to call
    oidc_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    # the console: signs its session cookies with this (locally derived from the token when unset)
    console_secret: str | None = Field(default=None, repr=False, min_length=MIN_TOKEN)
    # on GCP the console sits behind IAP: /projects/NUMBER/locations/REGION/services/console
    iap_audience: str | None = None
    iap_certs_url: str = "https://www.gstatic.com/iap/verify/public_key"
    schedule_url: str = Field(default="https://cdn.nba.com/static/json/staticData/scheduleLeagueV2.json",
                              pattern=r"^https?://")
    # the public feeds (docs/INGEST.md); tests point them at recorded responses served locally
    stats_url: str = Field(default="https://stats.nba.com/stats", pattern=r"^https?://")
    injury_url: str = Field(default="https://ak-static.cms.nba.com/referee/injury", pattern=r"^https?://")
    odds_url: str = Field(default="https://api.the-odds-api.com/v4", pattern=r"^https?://")
    odds_api_key: str | None = Field(default=None, repr=False, min_length=1)
    # the feeds `daily` fetches before its night (comma-separated, or `none`); lines also need the key
    feeds: tuple[Feed, ...] = ("box_scores", "schedule", "injuries", "lines")
    # the night's processors may run this long before its first tip-off (shared/timetable.py)
    process_lead_minutes: int = Field(default=120, ge=20, le=720)
    # a call needs P(side) this far above the price's break-even (shared/pricing.py, docs/LEDGER.md)
    call_margin: float = Field(default=CALL_MARGIN, ge=0, le=0.5)

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value):
        return value.upper() if isinstance(value, str) else value

    @field_validator("feeds", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if not isinstance(value, str):
            return value
        names = [name.strip().lower() for name in value.split(",") if name.strip()]
        return () if names == ["none"] else tuple(names)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {field: env[var] for var, field in _ENV.items() if env.get(var, "") != ""}
        try:
            settings = cls.model_validate(values)
        except ValidationError as exc:
            field_to_var = {f: v for v, f in _ENV.items()}
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else "?"
            var = field_to_var.get(field, field)
            secret = field.endswith(("_token", "_secret", "_key"))
            shown = f"<{len(env.get(var, ''))} characters, not shown>" if secret else repr(env.get(var))
            raise ConfigError(f"{var}={shown}: {err['msg']}") from None
        if settings.backend == "gcp":
            for var, field in (("GCP_PROJECT", "gcp_project"), ("GCS_BUCKET", "gcs_bucket")):
                if not getattr(settings, field):
                    raise ConfigError(f"{var} is required when PIPELINE_BACKEND=gcp")
        return settings

    @property
    def process_lead(self) -> timedelta:
        return timedelta(minutes=self.process_lead_minutes)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def objects_path(self) -> Path:
        return self.home / "objects"

    @property
    def bus_path(self) -> Path:
        return self.home / "bus.sqlite"

    def need(self, field: str) -> str:
        """An optional setting that the caller cannot do without (the project on gcp, the
        coordinator's URL for a caller of it): its value, or one line naming the variable."""
        value = getattr(self, field)
        if not value:
            var = next((v for v, f in _ENV.items() if f == field), field)
            raise ConfigError(f"{var} is required here (PIPELINE_BACKEND={self.backend})")
        return str(value)
