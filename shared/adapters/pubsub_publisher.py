"""Publisher on Pub/Sub, and the admin call that creates topics and push subscriptions
from ``shared.topology`` (used by tests against the emulator and by bin/deploy)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel

from shared import topology


class PubSubPublisher:
    def __init__(self, project: str, client=None):
        import google.cloud.pubsub_v1 as pubsub_v1  # this form: mypy resolves it beside bigquery's typed package

        self.project = project
        self.client = client or pubsub_v1.PublisherClient(
            batch_settings=pubsub_v1.types.BatchSettings(max_messages=500, max_latency=0.01))

    def publish(self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_many(topic, [message], attributes)[0]

    def publish_many(self, topic: str, messages: Iterable[BaseModel],
                     attributes: Mapping[str, str] | None = None) -> list[str]:
        if topic not in topology.ALL_TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        path = self.client.topic_path(self.project, topic)
        attrs = dict(attributes or {})
        futures = [self.client.publish(path, m.model_dump_json().encode(), **attrs) for m in messages]
        return [f.result(timeout=60) for f in futures]


def ensure_topology(project: str, endpoints: Mapping[str, str], publisher=None, subscriber=None,
                    oidc_service_account: str | None = None,
                    subscriptions: Sequence[topology.Subscription] = topology.SUBSCRIPTIONS) -> list[str]:
    """Create (or leave as they are) every topic and push subscription. Returns what it created."""
    import google.cloud.pubsub_v1 as pubsub_v1
    from google.api_core import exceptions
    from google.protobuf import duration_pb2

    publisher = publisher or pubsub_v1.PublisherClient()
    subscriber = subscriber or pubsub_v1.SubscriberClient()
    created = []
    for topic in topology.ALL_TOPICS:
        try:
            publisher.create_topic(name=publisher.topic_path(project, topic))
            created.append(f"topic {topic}")
        except exceptions.AlreadyExists:
            pass
    for sub in subscriptions:
        if sub.service not in endpoints:
            continue
        push: dict[str, object] = {"push_endpoint": endpoints[sub.service].rstrip("/") + sub.path}
        if oidc_service_account:
            push["oidc_token"] = {"service_account_email": oidc_service_account,
                                  "audience": endpoints[sub.service]}
        request = {
            "name": subscriber.subscription_path(project, sub.name),
            "topic": publisher.topic_path(project, sub.topic),
            "push_config": push,
            "ack_deadline_seconds": sub.ack_deadline_s,
            "dead_letter_policy": {
                "dead_letter_topic": publisher.topic_path(project, sub.dead_letter_topic),
                "max_delivery_attempts": sub.max_delivery_attempts,
            },
            "retry_policy": {
                "minimum_backoff": duration_pb2.Duration(seconds=int(sub.min_backoff_s)),
                "maximum_backoff": duration_pb2.Duration(seconds=int(sub.max_backoff_s)),
            },
        }
        try:
            subscriber.create_subscription(request=request)
            created.append(f"subscription {sub.name}")
        except exceptions.AlreadyExists:
            pass
    return created
