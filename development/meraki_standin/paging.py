"""Meraki-style pagination: ``perPage``/``startingAfter``/``endingBefore`` and the ``Link`` response header.

Items are ordered by a string key (their id); ``startingAfter=X`` returns items whose key sorts after X and
``endingBefore=X`` the last ``perPage`` items whose key sorts before X. The Link header carries ``rel=first``,
``rel=prev`` (when earlier items exist), ``rel=next`` (when later items exist) and ``rel=last``, each URL repeating
the request's other query parameters followed by ``perPage`` and the token, e.g.
``<https://api.meraki.com/api/v1/organizations/1/networks?perPage=3&startingAfter=N_3>; rel=next``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .records import ApiError

FIRST_TOKEN = "0000000000"
LAST_TOKEN = "zzzzzzzzzz"
PAGING_KEYS = frozenset({"perPage", "startingAfter", "endingBefore"})


@dataclass(frozen=True)
class PageLimits:
    """The perPage range of one endpoint."""

    minimum: int
    maximum: int
    default: int


@dataclass
class Page:
    """One page of results and its ``Link`` header value."""

    items: list[Any]
    link: str


def _per_page(query: dict[str, Any], limits: PageLimits) -> int:
    raw = query.get("perPage")
    if raw is None or raw == "":
        return limits.default
    try:
        per_page = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, f"'perPage' must be an integer between {limits.minimum} and {limits.maximum}") from None
    if not limits.minimum <= per_page <= limits.maximum:
        raise ApiError(400, f"'perPage' must be an integer between {limits.minimum} and {limits.maximum}")
    return per_page


def _window(ordered: list[Any], key: Callable[[Any], str], query: dict[str, Any], per_page: int) -> list[Any]:
    starting_after = query.get("startingAfter")
    ending_before = query.get("endingBefore")
    if starting_after not in (None, "", FIRST_TOKEN):
        return [item for item in ordered if key(item) > starting_after][:per_page]
    if ending_before not in (None, ""):
        before = ordered if ending_before == LAST_TOKEN else [item for item in ordered if key(item) < ending_before]
        return before[-per_page:]
    return ordered[:per_page]


def paginate(
    items: Sequence[Any],
    *,
    key: Callable[[Any], str],
    query: dict[str, Any],
    limits: PageLimits,
    endpoint: str,
    other_params: Sequence[tuple[str, str]] = (),
) -> Page:
    """Cut one page out of ``items``.

    Args:
        items: All matching items, in any order.
        key: The sort key and token of an item (usually its id).
        query: The request's query (``perPage``, ``startingAfter``, ``endingBefore`` are read from it).
        limits: The endpoint's perPage range.
        endpoint: URL the Link header points at, without query string.
        other_params: The request's non-paging query parameters, repeated in every link.

    Returns:
        The page.

    Raises:
        ApiError: 400 when perPage is out of range.
    """
    per_page = _per_page(query, limits)
    ordered = sorted(items, key=key)
    page = _window(ordered, key, query, per_page)

    def link(rel: str, token_name: str, token: str) -> str:
        params = [*other_params, ("perPage", str(per_page)), (token_name, token)]
        return f"<{endpoint}?{urlencode(params, safe='[]')}>; rel={rel}"

    links = [link("first", "startingAfter", FIRST_TOKEN)]
    if page and key(page[0]) > key(ordered[0]):
        links.append(link("prev", "endingBefore", key(page[0])))
    if page and key(page[-1]) < key(ordered[-1]):
        links.append(link("next", "startingAfter", key(page[-1])))
    links.append(link("last", "endingBefore", LAST_TOKEN))
    return Page(page, ", ".join(links))


def non_paging_params(raw_query: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    """The request's query parameters other than the paging ones, flattened for repeating in links."""
    pairs: list[tuple[str, str]] = []
    for name, value in raw_query.items():
        if name in PAGING_KEYS:
            continue
        pairs.extend((name, item) for item in (value if isinstance(value, list) else [value]))
    return pairs
