"""The app's error types: each carries a message a person can act on, never the API key."""

from __future__ import annotations

from dataclasses import dataclass


class MerakiUsersError(Exception):
    """Base class of the app's errors."""


class ConfigurationError(MerakiUsersError):
    """The app's settings or the API key source are wrong or missing."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one job input, shown as `field: what is wrong. How to fix it.`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def on_line(line: int, errors: list[FieldError]) -> list[FieldError]:
    """The errors of one row of an import file, each named `line N: field`.

    Example:
        >>> [str(e) for e in on_line(3, [FieldError("user_email", "is required.")])]
        ['line 3: user_email: is required.']
    """
    return [FieldError(f"line {line}: {error.field}", error.message) for error in errors]


class InputError(MerakiUsersError):
    """The job's input is invalid; nothing was changed."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


def failure_message(err: BaseException) -> str:
    """What to report for an error caught around one organization: a DashboardError's message, else its type."""
    return getattr(err, "message", None) or f"unexpected error: {type(err).__name__}"


class DashboardError(MerakiUsersError):
    """A call to the Meraki Dashboard failed; `message` says what happened and what to do."""

    def __init__(self, message: str, status: int | None = None):
        self.message = message
        self.status = status
        super().__init__(message)
