"""The three ports every cloud service sits behind, and the errors they raise."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import pandas as pd
from pydantic import BaseModel


class NotFound(KeyError):
    """The object or table does not exist."""


class PreconditionFailed(RuntimeError):
    """An if_generation_match precondition did not hold (GCS answers 412)."""


class WarehouseBusy(RuntimeError):
    """Another process holds the embedded warehouse file."""


class InvalidKey(ValueError):
    """An object key that could escape its bucket or directory."""


@dataclass(frozen=True)
class Blob:
    key: str
    data: bytes
    generation: int


class Warehouse(Protocol):
    def ensure_tables(self) -> None: ...

    def read(self, table: str, start: date | None = None, end: date | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame: ...

    def replace_partitions(self, table: str, frame: pd.DataFrame, start: date, end: date) -> int: ...

    def append(self, table: str, frame: pd.DataFrame) -> int: ...

    def merge(self, source: str, target: str, source_filter: Mapping[str, Any] | None = None) -> int: ...

    def merge_frame(self, table: str, frame: pd.DataFrame) -> int: ...

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame: ...

    def count(self, table: str) -> int: ...


class ObjectStore(Protocol):
    def read(self, key: str) -> Blob: ...

    def write(self, key: str, data: bytes, if_generation_match: int | None = None) -> int: ...

    def list(self, prefix: str = "") -> list[str]: ...

    def delete(self, key: str) -> None: ...


class Publisher(Protocol):
    def publish(self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None) -> str: ...

    def publish_many(self, topic: str, messages: Iterable[BaseModel],
                     attributes: Mapping[str, str] | None = None) -> list[str]: ...


_FORBIDDEN = set('\\\x00') | {chr(c) for c in range(32)} | {"\x7f"}


def validate_key(key: str) -> str:
    """Refuse keys that could escape the store root or confuse a bucket listing."""
    if not isinstance(key, str) or not key or len(key) > 1024:
        raise InvalidKey(f"object key {key!r}: must be a non-empty string of at most 1024 characters")
    if key.startswith("/") or any(ch in _FORBIDDEN for ch in key):
        raise InvalidKey(f"object key {key!r}: absolute path or control character")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidKey(f"object key {key!r}: empty, '.' or '..' path segment")
    return key
