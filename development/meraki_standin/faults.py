"""Injected faults: canned error responses or transport exceptions for matching requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from .records import WRITE_METHODS, Reply

DEFAULT_MESSAGES = {429: "API rate limit exceeded for organization"}
ANY_WRITE = "WRITE"  # a fault's method that matches POST, PUT, PATCH and DELETE


@dataclass
class Fault:
    """One injected fault.

    Attributes:
        method: Upper-case method to match, ``*`` for any, or ``WRITE`` for any write (POST, PUT, PATCH, DELETE).
        path: Regex fully matched against the path relative to the API root.
        status: Status to answer with (when not raising).
        headers: Response headers.
        body: Response body; None means ``{"errors": [<default message>]}``.
        exception: Exception class or instance to raise instead of answering.
        times: How many more matching requests this fault applies to.
        after: Handle the request first (state changes happen), then replace its response with the fault.
    """

    method: str
    path: re.Pattern[str]
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    exception: type[BaseException] | BaseException | None = None
    times: int = 1
    after: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to a request."""
        wanted = self.method in ("*", method) or (self.method == ANY_WRITE and method in WRITE_METHODS)
        return self.times > 0 and wanted and self.path.fullmatch(path) is not None

    def reply(self) -> Reply:
        """The canned response (for status faults)."""
        assert self.status is not None
        body = self.body
        if body is None:
            message = DEFAULT_MESSAGES.get(self.status) or httpx.codes.get_reason_phrase(self.status) or "Error"
            body = {"errors": [message]}
        return Reply(self.status, body, dict(self.headers))

    def raise_for(self, request: httpx.Request) -> None:
        """Raise the configured exception, bound to ``request`` when it is an httpx error class."""
        exc = self.exception
        if isinstance(exc, BaseException):
            raise exc
        assert exc is not None
        if issubclass(exc, httpx.RequestError):
            raise exc(f"Injected {exc.__name__}", request=request)
        raise exc(f"Injected {exc.__name__}")


def make_fault(
    method: str,
    path: str,
    status: int | None,
    headers: dict[str, str] | None,
    body: Any,
    exception: type[BaseException] | BaseException | None,
    times: int,
    after: bool,
) -> Fault:
    """Validate ``fail_next`` arguments and build the fault (a 429 gets ``Retry-After: 1`` unless headers are given)."""
    if (status is None) == (exception is None):
        raise ValueError("give exactly one of status or exception")
    if times < 1:
        raise ValueError("times must be at least 1")
    if headers is None:
        headers = {"Retry-After": "1"} if status == 429 else {}
    return Fault(method.upper(), re.compile(path), status, dict(headers), body, exception, times, after)


class FaultQueue:
    """Faults in the order they were added; the first one matching a request is used."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching the request, if any."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Drop all pending faults."""
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults that still have uses left."""
        return list(self._faults)
