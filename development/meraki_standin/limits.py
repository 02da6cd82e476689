"""Meraki's rate limits for the HTTP stand-in, and the traffic figures a benchmark reads back.

Meraki allows 10 requests per second per organization and 100 per second per source IP; a request over
either limit is answered 429 with a Retry-After header. Here both are sliding one-second windows over the
requests that were let through.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

_ORG_PATH = re.compile(r"/organizations/([^/?]+)")


def organization_in(path: str) -> str | None:
    """The organization ID in a request path, if any."""
    match = _ORG_PATH.search(path)
    return match.group(1) if match else None


@dataclass(frozen=True)
class TrafficFigures:
    """What a client sent: requests, 429s, and its peak rates (most requests in any one-second window)."""

    requests: int
    rejected_429: int
    peak_ip_rate: int
    peak_organization_rate: int
    busiest_organization_requests: int


class MerakiRateLimits:
    """Sliding-window limits per organization and per source IP; thread-safe."""

    def __init__(
        self,
        per_organization: int = 10,
        per_ip: int = 100,
        burst: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`burst` extra requests per organization are allowed in any second, like Meraki's short burst."""
        self.per_organization = per_organization + burst
        self.per_ip = per_ip
        self._clock = clock
        self._lock = threading.Lock()
        self._accepted_ip: deque[float] = deque()
        self._accepted_org: dict[str, deque[float]] = defaultdict(deque)
        self._seen_ip: list[float] = []
        self._seen_org: dict[str, list[float]] = defaultdict(list)
        self._rejected = 0

    def admit(self, path: str, source: str = "", at: float | None = None) -> int | None:
        """Record a request that arrived `at` (default: now); None when it may go, else its 429's Retry-After."""
        org = organization_in(path)
        with self._lock:
            now = self._clock() if at is None else at
            self._seen_ip.append(now)
            if org:
                self._seen_org[org].append(now)
            windows = [(self._accepted_ip, self.per_ip)]
            if org:
                windows.append((self._accepted_org[org], self.per_organization))
            retry_after = 0.0
            for window, limit in windows:
                while window and window[0] <= now - 1.0:
                    window.popleft()
                if len(window) >= limit:
                    retry_after = max(retry_after, window[0] + 1.0 - now)
            if retry_after > 0:
                self._rejected += 1
                return max(1, math.ceil(retry_after))
            for window, _ in windows:
                window.append(now)
            return None

    def figures(self) -> TrafficFigures:
        """The traffic seen so far."""
        with self._lock:
            org_peaks = [_peak(times) for times in self._seen_org.values()]
            return TrafficFigures(
                requests=len(self._seen_ip),
                rejected_429=self._rejected,
                peak_ip_rate=_peak(self._seen_ip),
                peak_organization_rate=max(org_peaks, default=0),
                busiest_organization_requests=max((len(t) for t in self._seen_org.values()), default=0),
            )


def _peak(times: list[float]) -> int:
    """The most timestamps in any half-open one-second window."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
