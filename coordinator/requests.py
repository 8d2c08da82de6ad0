"""The body of POST /start, validated; errors name the field."""
from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

SYSTEMS = ("moving_average", "zone_matchup", "similarity", "xgboost", "catboost", "ensemble")
PROCESSOR_NAMES = ("team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache",
                   "player_composite_factors", "ml_feature_store")


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    game_date: date | None = None
    players: list[int] | None = Field(default=None, min_length=1, max_length=2000)
    systems: list[str] | None = Field(default=None, min_length=1)
    lines: dict[int, float] | None = None
    force: bool = False
    correlation_id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=128,
                                pattern=r"^[A-Za-z0-9_.:-]+$")
    degraded: bool = False
    missing_processors: list[str] = Field(default_factory=list)

    @field_validator("players")
    @classmethod
    def _positive(cls, v):
        if v is not None and any(p <= 0 for p in v):
            raise ValueError("player ids are positive integers")
        return v

    @field_validator("systems")
    @classmethod
    def _known_systems(cls, v):
        unknown = [s for s in v or [] if s not in SYSTEMS]
        if unknown:
            raise ValueError(f"unknown systems {unknown}; known: {', '.join(SYSTEMS)}")
        return v

    @field_validator("lines")
    @classmethod
    def _sane_lines(cls, v):
        bad = {p: x for p, x in (v or {}).items() if not 0 <= x <= 200}
        if bad:
            raise ValueError(f"lines must be between 0 and 200 points, got {bad}")
        return v

    @field_validator("missing_processors")
    @classmethod
    def _known_processors(cls, v):
        unknown = [p for p in v if p not in PROCESSOR_NAMES]
        if unknown:
            raise ValueError(f"unknown processors {unknown}")
        return v
