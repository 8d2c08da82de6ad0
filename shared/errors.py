"""The errors domain code raises, in no caller's words. Each caller words them its own way:
the CLI names its flags (bin/cli/common.py `refusal`), a push endpoint acks or asks for a
redelivery (shared/pubsub.py `handle_push`)."""
from __future__ import annotations


class BadArgument(ValueError):
    """A value a caller passed that the domain refuses, named by the parameter it came in."""

    def __init__(self, field: str, value: object, why: str):
        self.field, self.value, self.why = field, value, why
        super().__init__(self.worded(field))

    def worded(self, name: str) -> str:
        """The same refusal under the caller's name for the field."""
        shown = repr(self.value) if isinstance(self.value, str) else str(self.value)
        return f"{name} {shown}: {self.why}"


class PermanentError(Exception):
    """Retrying will not help: the message is acknowledged and the reason logged."""


class TransientError(Exception):
    """Retrying may help: the message is redelivered."""
