"""A Publisher that delivers in-process, synchronously, to handlers given per topic: the
coordinator/worker path without HTTP, for predicting whole seasons. Publishing a slate of
requests hands all of it to one handler call; a topic without a handler is kept in
``published`` for the caller to read."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from pydantic import BaseModel

Handler = Callable[[list[BaseModel]], None]


class InlineBus:
    def __init__(self, handlers: Mapping[str, Handler] | None = None):
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.published: dict[str, list[BaseModel]] = defaultdict(list)

    def publish(self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_many(topic, [message], attributes)[0]

    def publish_many(self, topic: str, messages: Iterable[BaseModel],
                     attributes: Mapping[str, str] | None = None) -> list[str]:
        messages = list(messages)
        handler = self.handlers.get(topic)
        if handler is None:
            self.published[topic].extend(messages)
        else:
            handler(messages)
        return [uuid.uuid4().hex for _ in messages]
