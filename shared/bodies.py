"""Untrusted JSON: size and nesting are checked before parsing, so a hostile body is a
clear refusal rather than a RecursionError deep inside json or pydantic. Every HTTP body
and every Pub/Sub ``data`` payload goes through ``load``."""
from __future__ import annotations

import json
import re

MAX_BYTES = 1_000_000
MAX_DEPTH = 20            # our deepest document (a push envelope, lines per prop) is 4 levels

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")


class BodyError(ValueError):
    """The body can never be parsed into a message: too big, too deep, or not JSON."""


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings."""
    brackets = _STRING.sub(b'""', raw).translate(None, _NOT_BRACKET)
    level = deepest = 0
    for c in brackets:
        level += 1 if c in b"[{" else -1
        if level > deepest:
            deepest = level
            if deepest > MAX_DEPTH:   # no need to walk the rest of a hostile body
                break
    return deepest


def check(raw: bytes | str, what: str = "body", max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> bytes:
    """The body as bytes, or BodyError when it is too big or too deep to parse safely."""
    data = raw.encode() if isinstance(raw, str) else bytes(raw)
    if len(data) > max_bytes:
        raise BodyError(f"{what} of {len(data):,} bytes exceeds the limit of {max_bytes:,}")
    if depth(data) > max_depth:
        raise BodyError(f"{what} nests deeper than {max_depth} levels")
    return data


class DuplicateKey(BodyError):
    """An object names one key twice: JSON leaves the meaning open (Python keeps the last value)."""

    def __init__(self, key: str):
        super().__init__(f"key {key[:60]!r} appears twice in one object; send it once")
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def load(raw: bytes | str, what: str = "body", max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
         unique_keys: bool = False):
    data = check(raw, what, max_bytes, max_depth)
    try:
        return json.loads(data, object_pairs_hook=_unique_keys if unique_keys else None)
    except DuplicateKey:
        raise
    except (ValueError, RecursionError) as exc:
        raise BodyError(f"{what} is not JSON: {exc}") from None


class Refused(BodyError):
    """A request body a JSON route cannot take; ``status`` is the HTTP answer (415 or 400) and
    ``field`` what to name in it (the body as a whole unless one key is at fault)."""

    def __init__(self, message: str, status: int, field: str = "<body>"):
        super().__init__(message)
        self.status = status
        self.field = field


def json_object(request) -> dict:
    """A Flask request's body as a JSON object, or Refused: not sent as application/json (415),
    too big, too deep or not JSON, a key given twice, or not an object (400)."""
    if not request.is_json:
        raise Refused("Content-Type must be application/json", 415)
    try:
        body = load(request.get_data(), unique_keys=True)
    except DuplicateKey as exc:
        raise Refused(str(exc), 400, exc.key[:60]) from None
    except BodyError as exc:
        raise Refused(str(exc), 400) from None
    if not isinstance(body, dict):
        raise Refused("body must be a JSON object", 400)
    return body
