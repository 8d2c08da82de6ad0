"""Query parameters, checked once for the API and the pages: a bad one raises BadQuery
naming the parameter and the value (a 400 either way)."""
from __future__ import annotations

from flask import request

from shared.messages import parse_date


class BadQuery(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def day(name: str, required: bool = False, args=None):
    value = (args if args is not None else request.args).get(name)
    if value is None:
        if required:
            raise BadQuery(name, f"{name} is required (YYYY-MM-DD)")
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise BadQuery(name, f"{name} {exc}") from None


def choice(name: str, allowed: tuple[str, ...], args=None) -> str | None:
    value = (args if args is not None else request.args).get(name)
    if value is not None and value not in allowed:
        raise BadQuery(name, f"{name} {value[:40]!r}: one of {', '.join(allowed)}")
    return value


def player_key(value: str) -> int:
    # the length first: int() of a 4,301-digit string raises (Python's digit limit) rather than answering
    if not value.isascii() or not value.isdigit() or len(value) > 9 or not 0 < int(value) < 10**9:
        raise BadQuery("player_id", f"player_id {value[:20]!r}: a positive whole number below 1000000000")
    return int(value)


def player(name: str, args=None) -> int | None:
    value = (args if args is not None else request.args).get(name)
    return None if value is None else player_key(value)


def team(name: str, args=None) -> str | None:
    value = (args if args is not None else request.args).get(name)
    if value is not None and not (value.isascii() and value.isalpha() and 2 <= len(value) <= 4):
        raise BadQuery(name, f"{name} {value[:20]!r}: a team abbreviation such as BOS")
    return value.upper() if value else None


def only(*known: str) -> None:
    """A parameter the route does not take is a mistake worth naming (a typo reads as "any")."""
    for name in request.args:
        if name not in known:
            raise BadQuery(name or "<query>", f"unknown parameter {name[:40]!r}; this route takes "
                                               f"{', '.join(known) or 'none'}")
