"""Stored JSON documents as typed models: the one way a document is read from and written to
the object store. Each document's model lives with the component that writes it (the batch
document in shared/batch_docs.py, the coordinator's own in coordinator/documents.py, the
orchestration state in orchestrator/state.py); every reader goes through it.

Writes keep the bytes of the dicts written before the models: keys sorted, and only the keys
a writer set (``exclude_unset``), so a document read and written back keeps its shape and a
field added later does not appear in documents that never had it."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError

from shared import cas
from shared.ports import NotFound, ObjectStore

D = TypeVar("D", bound="Document")
T = TypeVar("T")

# a time written with datetime.isoformat() ("+00:00", not pydantic's "Z"), as the documents hold them
Stamp = Annotated[datetime, PlainSerializer(lambda at: at.isoformat(), return_type=str, when_used="json")]


class StoredDocumentError(ValueError):
    """A stored document that does not match its model: names the document and the field."""


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


def parse(model: type[D], key: str, raw: bytes | str | dict[str, Any]) -> D:
    """``raw`` (the stored bytes, or their decoded JSON) as ``model``; a mismatch is one line
    naming the document's key and the field."""
    try:
        return model.model_validate(json.loads(raw) if isinstance(raw, bytes | str) else raw)
    except json.JSONDecodeError as exc:
        raise StoredDocumentError(f"{key}: not JSON: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(the document)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise StoredDocumentError(f"{key}: field {field}: {first['msg']}{more}") from None


def encode(doc: Document) -> bytes:
    return json.dumps(doc.as_json(), sort_keys=True).encode()


def read(store: ObjectStore, key: str, model: type[D]) -> tuple[D, int] | None:
    """The document and its generation; None when there is none."""
    try:
        blob = store.read(key)
    except NotFound:
        return None
    return parse(model, key, blob.data), blob.generation


def write(store: ObjectStore, key: str, doc: Document, generation: int | None) -> int:
    return store.write(key, encode(doc), if_generation_match=generation)


def update(store: ObjectStore, key: str, model: type[D], mutate: Callable[[D], T],
           initial: Callable[[], D] | None = None) -> T:
    """Change the document by compare-and-swap (shared.cas); ``mutate`` changes the model in
    place and returns a result. A mutation that leaves the document equal writes nothing."""
    def apply(raw: dict[str, Any]) -> T:
        doc = parse(model, key, raw)
        result = mutate(doc)
        raw.clear()
        raw.update(doc.as_json())
        return result
    return cas.update(store, key, apply, initial=(lambda: initial().as_json()) if initial else None)


def load(store: ObjectStore, key: str, model: type[D], initial: Callable[[], D]) -> tuple[D, int]:
    """The document and its generation; a missing one is ``initial()`` at generation 0."""
    found = read(store, key, model)
    return found if found is not None else (initial(), 0)
