"""Domain errors. Every rule the training boards follow raises one of these, with a message
that names the rule, so the edge (API, CLI) can show it as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a command was refused because it would break a rule of the domain."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(DomainError):
    """A value given to a command breaks a rule about that value (the field is named)."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class TransitionRefused(DomainError):
    """The aggregate is in a state where this step of its lifecycle is not allowed."""


class NotFound(DomainError):
    """No aggregate of that kind has this id."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class DuplicateKey(DomainError):
    """A natural key (a group's code, a facility's name at its site, a cycle's name) is taken."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} is already registered")
        self.kind = kind
        self.key = key


class VersionConflict(DomainError):
    """The caller read an older version than the one stored: their change is not applied."""

    def __init__(self, kind: str, key: object, expected: int | None, actual: int | None) -> None:
        super().__init__(
            f"{kind} {key} has changed since it was read: "
            f"expected version {expected}, stored version is {actual}"
        )
        self.kind = kind
        self.key = key
        self.expected = expected
        self.actual = actual
