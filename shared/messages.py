"""Versioned message models for every topic. Unknown or invalid fields are errors that
name the field; every message carries a correlation_id."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Final, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError, WithJsonSchema

from shared import topology
from shared.catalogue import PROCESSOR_NAMES, PROP_NAMES
from shared.features import TONIGHT_NAMES

SCHEMA_VERSION: Final = 1

if TYPE_CHECKING:   # the names are data (shared/catalogue.py): a checker sees text, pydantic checks the value
    ProcessorName = str
    PropName = str
    TonightName = str
else:
    ProcessorName = Literal[PROCESSOR_NAMES]
    PropName = Literal[PROP_NAMES]
    TonightName = Literal[TONIGHT_NAMES]
ProcessorStatus = Literal["success", "partial", "no_data", "failed"]
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
BATCH_ID_PATTERN = r"^[a-f0-9]{32}$"
PLAYER_KEY_PATTERN = r"^[1-9][0-9]{0,8}$"


def parse_date(value: object) -> date:
    """The one date parser of every request, message and query string: a ``YYYY-MM-DD``
    string (or a date from our own code); timestamps, datetimes and numbers are refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN[1:-1], value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}"[:120])


def _player_key(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(PLAYER_KEY_PATTERN[1:-1], value):
        return int(value)
    raise ValueError(f"must be a player id written as digits without sign, spaces or leading zeros, got {value!r}")


GameDate = Annotated[date, BeforeValidator(parse_date),
                     WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN})]
PlayerId = Annotated[StrictInt, Field(gt=0, lt=2**31, description="NBA player id")]
PlayerKey = Annotated[int, BeforeValidator(_player_key),
                      WithJsonSchema({"type": "string", "pattern": PLAYER_KEY_PATTERN})]
BatchId = Annotated[str, Field(pattern=BATCH_ID_PATTERN, description="32 lowercase hex digits")]


def new_id() -> str:
    return uuid.uuid4().hex



class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    correlation_id: str = Field(default_factory=new_id, min_length=1, max_length=128)


class ProcessorCompleted(Message):
    processor: ProcessorName
    game_date: GameDate
    status: ProcessorStatus
    rows: int = Field(ge=0)
    rows_rejected: int = Field(default=0, ge=0)
    run_id: str = Field(min_length=1, max_length=128)
    started_at: datetime
    finished_at: datetime
    error: str | None = None


class Line(BaseModel):
    """A sportsbook line for one prop, with the book's decimal prices when known."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    line: float = Field(ge=0, le=300)
    book: str | None = Field(default=None, max_length=64)
    over: float | None = Field(default=None, gt=1, le=1000)
    under: float | None = Field(default=None, gt=1, le=1000)


class PredictionRequest(Message):
    batch_id: BatchId
    game_date: GameDate
    player_id: PlayerId
    systems: tuple[str, ...] | None = None
    props: tuple[PropName, ...] | None = None          # None: every prop
    lines: dict[PropName, Line] = Field(default_factory=dict)
    availability: str | None = Field(default=None, max_length=32)   # the injury report's status
    # tonight's availability columns (shared/availability.py), None where unknown, and their source
    tonight: dict[TonightName, float | None] = Field(default_factory=dict)
    availability_source: Literal["report", "realised", "none"] = "none"


class PredictionReady(Message):
    batch_id: BatchId
    game_date: GameDate
    player_id: PlayerId
    status: Literal["completed", "skipped", "failed"]
    reason: str | None = None
    n_rows: int = Field(default=0, ge=0)


class PredictionsComplete(Message):
    batch_id: BatchId
    game_date: GameDate
    expected: int = Field(ge=0)
    completed: int = Field(ge=0)
    skipped: int = Field(ge=0)
    failed: int = Field(ge=0)
    missing: tuple[int, ...] = ()
    rows: int = Field(ge=0)
    degraded: bool = False


TOPIC_MODELS: dict[str, type[Message]] = {
    topology.PRECOMPUTE_COMPLETE: ProcessorCompleted,
    topology.PREDICTION_REQUEST: PredictionRequest,
    topology.PREDICTION_READY: PredictionReady,
    topology.PREDICTIONS_COMPLETE: PredictionsComplete,
}


class MessageError(ValueError):
    """A message that will never validate; the text names the field and value."""


def describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "<message>"
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        parts.append(f"field {field!r} = {shown}: {err['msg']}")
    return "; ".join(parts)


AnyMessage = TypeVar("AnyMessage", bound=Message)


def parse(model: type[AnyMessage], data: dict) -> AnyMessage:
    if not isinstance(data, dict):
        raise MessageError(f"message must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MessageError(f"{model.__name__}: {describe(exc)}") from None
