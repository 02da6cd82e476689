"""Small value types shared by the stand-in: recorded requests, replies and API errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECRET_HEADERS = frozenset({"authorization", "x-cisco-meraki-api-key"})


@dataclass
class RecordedRequest:
    """One request the fake received.

    Attributes:
        method: Upper-case HTTP method.
        path: Path relative to the API root, e.g. ``/organizations/100/admins`` (the full path if outside the root).
        query: Query parameters; keys ending in ``[]`` and repeated keys map to lists, others to a string.
        json: The parsed JSON body, or None when there was none (or it was not JSON).
        headers: Request headers, lower-case names, with API keys redacted.
        url: The full request URL.
        status: The status the fake answered with; None while handling or when a transport error was injected.
        account: Name of the account whose API key the request carried; None when the key matched no account
            (the key itself is never recorded).
    """

    method: str
    path: str
    query: dict[str, str | list[str]]
    json: Any
    headers: dict[str, str] = field(repr=False)
    url: str = field(repr=False)
    status: int | None = None
    account: str | None = None

    @property
    def is_write(self) -> bool:
        """Whether the request could change state (POST, PUT, PATCH, DELETE)."""
        return self.method in WRITE_METHODS


def parse_query(url: httpx.URL) -> dict[str, str | list[str]]:
    """Turn a URL's query string into the ``RecordedRequest.query`` shape."""
    query: dict[str, str | list[str]] = {}
    for key, value in parse_qsl(url.query.decode("ascii"), keep_blank_values=True):
        if key in query or key.endswith("[]"):
            previous = query.get(key, [])
            query[key] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            query[key] = value
    return query


def redacted_headers(headers: httpx.Headers) -> dict[str, str]:
    """Lower-case request headers with API keys replaced by ``<redacted>``."""
    return {name.lower(): "<redacted>" if name.lower() in SECRET_HEADERS else value for name, value in headers.items()}


@dataclass
class Reply:
    """A response before it becomes an ``httpx.Response``.

    Attributes:
        status: HTTP status.
        body: JSON-serialisable body; None for no body. ``str``/``bytes`` are sent as they are.
        headers: Extra response headers.
    """

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self, request: httpx.Request) -> httpx.Response:
        """Build the ``httpx.Response`` for ``request``."""
        headers = dict(self.headers)
        if self.body is None:
            content = b""
        elif isinstance(self.body, bytes | str):
            content = self.body.encode() if isinstance(self.body, str) else self.body
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            content = json.dumps(self.body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return httpx.Response(self.status, headers=headers, content=content, request=request)


class ApiError(Exception):
    """Raised by operation handlers to answer with a Meraki-style error body ``{"errors": [...]}``."""

    def __init__(self, status: int, *messages: str) -> None:
        """Create the error.

        Args:
            status: HTTP status to answer with.
            *messages: The strings for the ``errors`` list.
        """
        super().__init__(f"{status}: {'; '.join(messages)}")
        self.status = status
        self.messages = list(messages)

    def reply(self) -> Reply:
        """The error as a reply."""
        return Reply(self.status, {"errors": self.messages})


def not_found() -> ApiError:
    """Meraki's answer for unknown paths and for organizations the key cannot see."""
    return ApiError(404, "Not found")
