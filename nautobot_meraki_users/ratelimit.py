"""A request-rate budget shared by every job and every Celery worker, kept in Redis.

Meraki allows 10 requests per second per organization and 100 per second per source IP, shared by every
client of that organization. Each request first reserves a slot in both budgets (its organization's and
the IP's) with the Generic Cell Rate Algorithm: one Redis key per budget holds the "theoretical arrival
time" of the next request; a Lua script checks and advances both keys atomically, so workers on several
hosts never overshoot together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# KEYS: budget keys. ARGV[1]: now in seconds (negative: use Redis' clock); then per key: interval, tolerance.
# Returns "0" when the request may go (and reserves it in every budget), else the seconds to wait.
_GCRA = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local wait = 0
local next_tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local allowed_at = tat - tolerance
  if allowed_at > now and allowed_at - now > wait then wait = allowed_at - now end
  next_tats[i] = tat + interval
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local ttl = math.ceil((next_tats[i] - now) * 1000) + 1000
  redis.call('SET', key, string.format('%.6f', next_tats[i]), 'PX', ttl)
end
return '0'
"""


@dataclass(frozen=True)
class Budget:
    """A rate in requests per second plus how many requests may go at once above it."""

    rate: float
    burst: int = 0

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate."""
        return 1.0 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady schedule a request may go (the burst)."""
        return self.burst * self.interval


class RateLimiter:
    """Waits until a request fits both its organization's budget and the source IP's budget."""

    def __init__(
        self,
        redis_client,
        per_organization: Budget,
        per_ip: Budget,
        prefix: str = "nautobot_meraki_users:rate",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        """Use `redis_client` (redis-py); `clock` None means Redis' own clock, shared by every worker."""
        self._redis = redis_client
        self._script = redis_client.register_script(_GCRA)
        self.per_organization = per_organization
        self.per_ip = per_ip
        self.prefix = prefix
        self._clock = clock
        self._sleep = sleep

    def reserve(self, organization_id: str | None) -> float:
        """Reserve a slot now if both budgets allow it (returns 0.0), else return the seconds to wait."""
        keys = [f"{self.prefix}:ip"]
        args: list[float] = [self._clock() if self._clock else -1.0, self.per_ip.interval, self.per_ip.tolerance]
        if organization_id:
            keys.append(f"{self.prefix}:org:{organization_id}")
            args += [self.per_organization.interval, self.per_organization.tolerance]
        return float(self._script(keys=keys, args=args))

    def acquire(self, organization_id: str | None) -> float:
        """Block until the request may go; returns the seconds waited."""
        waited = 0.0
        while (wait := self.reserve(organization_id)) > 0:
            self._sleep(wait)
            waited += wait
        return waited


def organization_of(path: str) -> str | None:
    """The organization a Dashboard API path belongs to, if any.

    Example:
        >>> organization_of("/api/v1/organizations/123/admins/9")
        '123'
    """
    parts = [part for part in path.split("/") if part]
    for index, part in enumerate(parts[:-1]):
        if part == "organizations":
            return parts[index + 1]
    return None
