"""Fan-in of processor completions: record each, and once every expected processor
succeeded for a date, start its prediction batch exactly once.

The trigger is claimed by CAS with a unique token, then /start is called; the date is
marked triggered only after a 2xx. On failure the claim is released and the error raised,
so the event is redelivered and a later invocation claims and calls /start again."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from orchestrator import state as st
from shared.catalogue import PROCESSOR_NAMES, QUORUM
from shared.coordinator_client import StartRefused
from shared.messages import ProcessorCompleted
from shared.ports import ObjectStore

log = logging.getLogger(__name__)
ERROR_CHARS = 500   # error text kept in the date's state document, which must stay small
HISTORY = 200       # completions kept per date (five processors, reruns included)

CLAIM_LEASE = timedelta(minutes=5)


class Starter(Protocol):
    def start(self, body: dict) -> dict: ...


@dataclass
class Orchestrator:
    store: ObjectStore
    starter: Starter
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    expected: tuple[str, ...] = PROCESSOR_NAMES

    # -- completions ----------------------------------------------------------------------
    def handle(self, event: ProcessorCompleted) -> str:
        """Record one completion; trigger when complete. Returns what happened."""
        day = event.game_date
        now = self.clock()

        def record(s: st.OrchestrationState) -> str:
            entry = st.Completion(status=event.status, run_id=event.run_id, rows=event.rows,
                                  rows_rejected=event.rows_rejected,
                                  error=event.error and event.error[:ERROR_CHARS], finished_at=event.finished_at,
                                  recorded_at=now, correlation_id=event.correlation_id)
            seen = {(h.processor, h.run_id, h.status) for h in s.history}
            if (event.processor, event.run_id, event.status) in seen:
                return "duplicate"
            s.history = [*s.history, st.Recorded(processor=event.processor, **entry.model_dump())][-HISTORY:]
            current = s.processors.get(event.processor)
            # a success is never overwritten by a later failure of an older run
            if current is None or current.status != "success" or event.status == "success":
                s.processors[event.processor] = entry
            return "rerun_after_trigger" if s.trigger.state == "triggered" else "recorded"

        outcome = st.update(self.store, day, record)
        log.info("completion %s for %s: %s (%s)", event.processor, day, outcome, event.status,
                 extra={"game_date": str(day), "processor": event.processor, "status": event.status,
                        "outcome": outcome, "correlation_id": event.correlation_id})
        # no_data is an off day's normal answer (the deadline check alarms if a game day stays short)
        if event.status == "failed":
            log.warning("processor %s reported %s for %s: %s", event.processor, event.status, day, event.error,
                        extra={"game_date": str(day), "processor": event.processor})
        return self._maybe_trigger(day, event.correlation_id, degraded=False) or outcome

    def _done(self, s: st.OrchestrationState) -> list[str]:
        return s.done(self.expected)

    def _maybe_trigger(self, day: date, correlation_id: str, degraded: bool) -> str | None:
        token = uuid.uuid4().hex
        now = self.clock()

        def claim(s: st.OrchestrationState) -> st.Trigger | None:
            trig = s.trigger
            if trig.state in ("triggered", "refused"):
                return None
            done = self._done(s)
            missing = [p for p in self.expected if p not in done]
            if missing and not (degraded and all(p in done for p in QUORUM)):
                return None
            if trig.state == "claimed" and trig.claimed_at is not None and trig.claimed_at > now - CLAIM_LEASE:
                return None     # another invocation holds a live claim; it calls /start
            s.trigger = trig.model_copy(update={"state": "claimed", "claim": token, "claimed_at": now,
                                                "degraded": bool(missing), "missing": missing})
            return s.trigger.model_copy()

        claimed = st.update(self.store, day, claim)
        if claimed is None:
            return None
        body: dict[str, object] = {"game_date": day.isoformat(), "correlation_id": correlation_id}
        if claimed.degraded:
            body.update(degraded=True, missing_processors=claimed.missing)
        try:
            answer = self.starter.start(body)
        except StartRefused as exc:   # no retry can change the answer: record it on the date, alert once, ack
            reason = str(exc)[:ERROR_CHARS]

            def refuse(s: st.OrchestrationState) -> None:
                if s.trigger.claim == token:
                    s.trigger = s.trigger.model_copy(update={"state": "refused", "claim": None,
                                                             "refused_at": self.clock(), "last_error": reason})
            st.update(self.store, day, refuse)
            log.error("the coordinator refused the batch for %s; not retried: %s", day, reason,
                      extra={"game_date": str(day), "alert": "orchestrator_start_refused"})
            return "refused"
        except Exception as exc:   # any other failure: give the claim back so the redelivery can retry
            error = str(exc)[:ERROR_CHARS]

            def release(s: st.OrchestrationState) -> None:
                if s.trigger.claim == token:
                    s.trigger = s.trigger.model_copy(update={"state": "pending", "claim": None,
                                                             "attempts": s.trigger.attempts + 1, "last_error": error})
            st.update(self.store, day, release)
            log.error("starting the batch for %s failed; the event will be retried: %s", day, exc,
                      extra={"game_date": str(day), "alert": "orchestrator_start_failed"})
            raise

        def mark(s: st.OrchestrationState) -> None:
            s.trigger = s.trigger.model_copy(update={"state": "triggered", "triggered_at": self.clock(),
                                                     "batch_id": answer.get("batch_id"),
                                                     "attempts": s.trigger.attempts + 1})
        st.update(self.store, day, mark)
        log.info("started the prediction batch for %s", day,
                 extra={"game_date": str(day), "batch_id": answer.get("batch_id"), "degraded": claimed.degraded})
        return "triggered_degraded" if claimed.degraded else "triggered"

    # -- deadlines --------------------------------------------------------------------------
    def check_deadlines(self, days: Iterable[date], has_games: Callable[[date], bool]) -> dict[str, str]:
        """Past the deadline: trigger with a quorum (degraded), or raise an alarm."""
        results = {}
        for day in days:
            s, _ = st.load(self.store, day)
            if s.trigger.state in ("triggered", "refused"):
                results[str(day)] = f"already_{s.trigger.state}"
                continue
            if not has_games(day):
                results[str(day)] = "no_games"
                continue
            if not s.processors:
                log.error("no processor completed for %s by the deadline", day,
                          extra={"alert": "phase4_no_completions", "game_date": str(day)})
                results[str(day)] = "alarm_no_completions"
                continue
            outcome = self._maybe_trigger(day, uuid.uuid4().hex, degraded=True)
            if outcome is None:
                done = self._done(s)
                log.error("processors incomplete for %s by the deadline: done %s", day, done,
                          extra={"alert": "phase4_incomplete", "game_date": str(day),
                                 "missing": [p for p in self.expected if p not in done]})
                outcome = "alarm_incomplete"
            results[str(day)] = outcome
        return results
