"""The body of POST /start, validated; errors name the field."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, WithJsonSchema

from shared.catalogue import SYSTEM_NAMES
from shared.messages import GameDate, PlayerId, PlayerKey, ProcessorName, PropName

if TYPE_CHECKING:   # the names are data (shared/catalogue.py): a checker sees text, pydantic checks the value
    SystemName = str
else:
    SystemName = Literal[SYSTEM_NAMES]
from shared.timetable import parse_instant

LineValue = Annotated[StrictFloat, Field(ge=0, le=300, description="a sportsbook line")]
# {"2544": {"points": 24.5, "rebounds": 7.5}}, or the older {"2544": 24.5} for points
PlayerLines = LineValue | Annotated[dict[PropName, LineValue], Field(min_length=1)]


class StartRequest(BaseModel):
    """The constraints live in the types so that the JSON schema (and the OpenAPI description
    built from it) says exactly what is accepted."""
    model_config = ConfigDict(extra="forbid")

    game_date: GameDate | None = None
    players: list[PlayerId] | None = Field(default=None, min_length=1, max_length=2000)
    systems: list[SystemName] | None = Field(default=None, min_length=1)
    props: list[PropName] | None = Field(default=None, min_length=1)
    lines: dict[PlayerKey, PlayerLines] | None = Field(default=None, max_length=2000)
    force: StrictBool = False
    correlation_id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=128,
                                pattern=r"^[A-Za-z0-9_.:-]+$")
    # where tonight's availability columns come from; realised reads the night's box scores and is
    # refused unless the caller is a backtest (coordinator.service.start)
    availability: Literal["report", "realised", "none"] = "report"
    degraded: StrictBool = False
    missing_processors: list[ProcessorName] = Field(default_factory=list)


Instant = Annotated[datetime, BeforeValidator(lambda v: parse_instant(v) if isinstance(v, str) else _refuse(v)),
                    WithJsonSchema({"type": "string", "format": "date-time", "description": (
                        "ISO 8601; Eastern when it has no zone")})]


def _refuse(value):
    raise ValueError(f"must be an ISO 8601 date and time written as text, got {str(value)[:40]!r}")


class RefreshRequest(BaseModel):
    """The body of POST /refresh: the newest injury report before ``at`` against what the
    date's predictions last read (coordinator/refresh.py)."""
    model_config = ConfigDict(extra="forbid")

    game_date: GameDate | None = None     # default: today, ET
    at: Instant | None = None             # default: now
    correlation_id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=128,
                                pattern=r"^[A-Za-z0-9_.:-]+$")


def lines_by_prop(lines: dict[int, float | dict] | None) -> dict[int, dict[str, float]]:
    """The manual lines as player -> prop -> line (a bare number is a points line)."""
    return {p: (v if isinstance(v, dict) else {"points": v}) for p, v in (lines or {}).items()}
