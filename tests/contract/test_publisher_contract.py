"""Publish -> push delivery contract, against the local bus and the official Pub/Sub
emulator with push subscriptions created from shared.topology."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from shared import topology
from shared.adapters.local_bus import LocalBus
from shared.messages import PredictionRequest
from tests.support.http_receiver import Receiver


def request(player_id: int) -> PredictionRequest:
    return PredictionRequest(batch_id="b1" * 16, game_date=date(2024, 1, 15), player_id=player_id)


class LocalSide:
    def __init__(self, tmp_path, receiver):
        self.bus = LocalBus(tmp_path / "bus.sqlite", endpoints={"worker": receiver.url})
        self.publisher = self.bus

    def settle(self, receiver, predicate):
        self.bus.drain()
        return predicate(receiver)


class EmulatorSide:
    def __init__(self, receiver):
        from shared.adapters.pubsub_publisher import PubSubPublisher, ensure_topology

        project = f"contract-{uuid.uuid4().hex[:8]}"
        ensure_topology(project, {"worker": receiver.url})
        self.publisher = PubSubPublisher(project)

    def settle(self, receiver, predicate):
        return receiver.wait_for(predicate, timeout=90)


@pytest.fixture(params=["local", pytest.param("pubsub", marks=pytest.mark.emulator)])
def side(request, tmp_path):
    if request.param == "pubsub":
        request.getfixturevalue("pubsub_emulator")
    return lambda receiver: LocalSide(tmp_path, receiver) if request.param == "local" else EmulatorSide(receiver)


def test_publish_delivers_the_push_envelope_with_attributes(side):
    with Receiver() as receiver:
        s = side(receiver)
        s.publisher.publish(topology.PREDICTION_REQUEST, request(7), {"origin": "contract"})
        assert s.settle(receiver, lambda r: len(r.deliveries) >= 1)
    d = receiver.deliveries[0]
    assert d["path"] == "/predict"
    assert d["payload"]["player_id"] == 7 and d["payload"]["batch_id"] == "b1" * 16
    assert d["attributes"] == {"origin": "contract"}


def test_a_500_is_redelivered_and_a_204_is_not(side):
    script = lambda payload, attempt: 500 if payload["player_id"] == 1 and attempt == 1 else 204  # noqa: E731
    with Receiver(script) as receiver:
        s = side(receiver)
        s.publisher.publish(topology.PREDICTION_REQUEST, request(1))
        assert s.settle(receiver, lambda r: any(d["status"] == 204 for d in r.deliveries))
        # a later message arriving proves the channel kept flowing after the ack
        s.publisher.publish(topology.PREDICTION_REQUEST, request(2))
        assert s.settle(receiver, lambda r: any(d["payload"]["player_id"] == 2 for d in r.deliveries))
    first = [d["status"] for d in receiver.deliveries if d["payload"]["player_id"] == 1]
    assert first == [500, 204]


def test_publish_many_delivers_each_message_once(side):
    with Receiver() as receiver:
        s = side(receiver)
        s.publisher.publish_many(topology.PREDICTION_REQUEST, [request(i) for i in range(1, 51)])
        assert s.settle(receiver, lambda r: len({d["payload"]["player_id"] for d in r.deliveries}) == 50)
    assert sorted(d["payload"]["player_id"] for d in receiver.deliveries) == list(range(1, 51))


def test_local_bus_dead_letters_after_max_attempts(tmp_path):
    with Receiver(lambda payload, attempt: 500) as receiver:
        bus = LocalBus(tmp_path / "bus.sqlite", endpoints={"worker": receiver.url})
        bus.publish(topology.PREDICTION_REQUEST, request(3))
        stats = bus.drain()
    sub = next(s for s in topology.SUBSCRIPTIONS if s.topic == topology.PREDICTION_REQUEST)
    assert len(receiver.deliveries) == sub.max_delivery_attempts
    assert stats.dead_lettered == 1
    assert [m["player_id"] for m in bus.messages(sub.dead_letter_topic)] == [3]
    assert bus.delivery_counts() == {"dead": 1}


def test_local_bus_loses_nothing_when_the_process_dies(tmp_path):
    short = [topology.Subscription("prediction-request-worker", topology.PREDICTION_REQUEST, "worker", "/predict",
                                   ack_deadline_s=0, max_delivery_attempts=5, min_backoff_s=0, max_backoff_s=0)]
    dead = LocalBus(tmp_path / "bus.sqlite", endpoints={"worker": "http://127.0.0.1:9"}, subscriptions=short)
    dead.publish_many(topology.PREDICTION_REQUEST, [request(i) for i in (1, 2, 3)])
    dead._claim(float("inf"), 10)  # leased, then the process "dies" before recording anything
    with Receiver() as receiver:
        revived = LocalBus(tmp_path / "bus.sqlite", endpoints={"worker": receiver.url}, subscriptions=short)
        revived.drain()
    assert sorted(d["payload"]["player_id"] for d in receiver.deliveries) == [1, 2, 3]
    assert revived.pending() == 0


def test_unknown_topic_is_refused(tmp_path):
    bus = LocalBus(tmp_path / "bus.sqlite")
    with pytest.raises(ValueError, match="unknown topic"):
        bus.publish("no-such-topic", request(1))
