"""Per-date orchestration state in the object store (OrchestrationState), changed only by
compare-and-swap. The orchestrator writes it; the CLI and the console read it through the model."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal, TypeVar

from pydantic import Field

from shared import documents
from shared.catalogue import PROCESSOR_NAMES
from shared.documents import Document, Stamp
from shared.messages import ProcessorStatus
from shared.ports import ObjectStore

PREFIX = "orchestration/phase4/"
T = TypeVar("T")
TriggerState = Literal["pending", "claimed", "triggered", "refused"]


class Completion(Document):
    """The last completion that counts for one processor (a success is never overwritten by a
    later failure of an older run)."""
    status: ProcessorStatus
    run_id: str
    rows: int
    rows_rejected: int = 0
    error: str | None = None
    finished_at: Stamp
    recorded_at: Stamp
    correlation_id: str


class Recorded(Completion):
    """One entry of the date's history: every completion seen, reruns included."""
    processor: str


class Trigger(Document):
    """The date's one /start: pending, claimed by an invocation (``claim``, its token), then
    triggered (``batch_id``) or refused (the coordinator's answer in ``last_error``)."""
    state: TriggerState = "pending"
    attempts: int = 0
    claim: str | None = None
    claimed_at: Stamp | None = None
    degraded: bool = False
    missing: list[str] = Field(default_factory=list)
    triggered_at: Stamp | None = None
    batch_id: str | None = None
    refused_at: Stamp | None = None
    last_error: str | None = None


class OrchestrationState(Document):
    """``orchestration/phase4/{date}.json``."""
    game_date: date
    expected: list[str]
    processors: dict[str, Completion] = Field(default_factory=dict)
    history: list[Recorded] = Field(default_factory=list)
    trigger: Trigger = Field(default_factory=lambda: Trigger(state="pending", attempts=0))
    alerts: list[str] = Field(default_factory=list)

    def done(self, expected: tuple[str, ...] | list[str] | None = None) -> list[str]:
        """The expected processors whose last completion succeeded."""
        return [p for p in (expected or self.expected) if p in self.processors
                and self.processors[p].status == "success"]


def key_for(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}.json"


def empty(day: date) -> OrchestrationState:
    return OrchestrationState(game_date=day, expected=list(PROCESSOR_NAMES), processors={}, history=[],
                              trigger=Trigger(state="pending", attempts=0), alerts=[])


def load(store: ObjectStore, day: date) -> tuple[OrchestrationState, int]:
    """The date's state and its generation; a date without events is ``empty`` at generation 0."""
    return documents.load(store, key_for(day), OrchestrationState, initial=lambda: empty(day))


def update(store: ObjectStore, day: date, mutate: Callable[[OrchestrationState], T]) -> T:
    """Change the date's state by compare-and-swap (shared.cas); ``mutate`` changes the model,
    returns a result, and signals "no change" by leaving the state equal."""
    return documents.update(store, key_for(day), OrchestrationState, mutate, initial=lambda: empty(day))


def list_dates(store: ObjectStore) -> list[str]:
    return sorted(k[len(PREFIX):-len(".json")] for k in store.list(PREFIX) if k.endswith(".json"))
