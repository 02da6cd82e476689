"""A request-rate budget shared by every job and every Celery worker, kept in Redis.

Meraki allows 10 requests per second per organization and 100 per second per source IP, shared by every
client of that organization. Each request first reserves a slot in both budgets (its organization's and
the IP's) with the Generic Cell Rate Algorithm: one Redis key per budget holds the "theoretical arrival
time" of the next request; a Lua script schedules the request at the first moment both budgets allow and
advances both keys atomically, so workers on several hosts never overshoot together and no slot is lost
while a caller sleeps. A 429 with Retry-After raises a "wall" before the budget it hit, so every other caller
waits it out too instead of spending its retries on the same limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# KEYS[1]: the IP budget, KEYS[2]: the IP's wall, then optionally KEYS[3]: the organization's budget, KEYS[4]: its
# wall. ARGV[1]: now in seconds (negative: use Redis' clock); ARGV[2]: the index in KEYS of a wall the caller
# already waited out ("0": none), which it may pass; then per budget: interval, tolerance.
# A wall (set after a 429, see _PUSH_BACK) holds every request back until it has passed; nothing is reserved.
# If the organization's budget is exhausted, nothing is reserved: returns {0, seconds until it has room}.
# Otherwise the request is scheduled at the first free slot of the IP budget, that slot is reserved in both
# budgets, and it returns {1, seconds until the slot}. IP slots are handed out in order, none is lost to a
# sleeping caller, and a request held back by its organization takes no IP slot from the others.
_GCRA = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
for i = 2, #KEYS, 2 do
  if tostring(i) ~= ARGV[2] then
    local wall = tonumber(redis.call('GET', KEYS[i]) or '0')
    if wall > now then return {0, string.format('%.6f', wall - now)} end
  end
end
local function tat_of(key)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  return tat
end
local ip_tat = tat_of(KEYS[1])
local at = math.max(now, ip_tat - tonumber(ARGV[4]))
local org_tat = nil
if KEYS[3] then
  org_tat = tat_of(KEYS[3])
  local org_at = org_tat - tonumber(ARGV[6])
  if org_at > now then return {0, string.format('%.6f', org_at - now)} end
end
local function advance(key, tat, interval)
  local next_tat = math.max(tat, at) + interval
  redis.call('SET', key, string.format('%.6f', next_tat), 'PX', math.ceil((next_tat - now) * 1000) + 1000)
end
advance(KEYS[1], ip_tat, tonumber(ARGV[3]))
if KEYS[3] then advance(KEYS[3], org_tat, tonumber(ARGV[5])) end
return {1, string.format('%.6f', at - now)}
"""

# After a 429 with Retry-After: raise the wall in KEYS[1] to now + ARGV[2] seconds (ARGV[1]: now, negative: Redis'
# clock). A wall is never lowered, and it expires once it has passed.
_PUSH_BACK = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local wall = now + tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') < wall then
  redis.call('SET', KEYS[1], string.format('%.6f', wall), 'PX', math.ceil((wall - now) * 1000) + 1000)
end
return 1
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


# The budgets aim a little below the configured limits: requests leave on schedule but arrive with some
# jitter, and Meraki counts arrivals. Measured with `invoke bench`: at 100% of the limit bunched arrivals
# drew 429s; at 95% none did (with no garbage-collector pause in the stand-in).
TARGET_SHARE_OF_LIMIT = 0.95
# Seconds after its slot that a request may still go. A late request goes closer to the next one: at 95% of the limit,
# 25 ms late at most keeps any one second under 97.4% of it (50 ms reached 100% when the job's thread was busy
# storing results while its requests were in flight).
MAX_LATENESS = 0.025


def budgets(per_organization: float, per_ip: float, burst: int) -> tuple[Budget, Budget]:
    """The (organization, IP) budgets for configured limits in requests per second."""
    return (
        Budget(per_organization * TARGET_SHARE_OF_LIMIT, burst),
        Budget(per_ip * TARGET_SHARE_OF_LIMIT, burst),
    )


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
        self._push_back = redis_client.register_script(_PUSH_BACK)
        self.per_organization = per_organization
        self.per_ip = per_ip
        self.prefix = prefix
        self._clock = clock
        self._sleep = sleep

    def reserve(self, organization_id: str | None, past_wall: bool = False) -> tuple[bool, float]:
        """Try to reserve the request's slot: (True, seconds until the slot) or (False, seconds to try again).

        `past_wall`: the caller already waited out the 429 that raised this request's own wall (the SDK slept its
        Retry-After): that one wall is passed (the organization's, or the IP's for a path without one); any other
        wall still holds the request back.
        """
        keys = [f"{self.prefix}:ip", f"{self.prefix}:wall:ip"]
        now = self._clock() if self._clock else -1.0
        skipped_wall = ("4" if organization_id else "2") if past_wall else "0"  # the index in KEYS of that wall
        args: list[float | str] = [now, skipped_wall, self.per_ip.interval, self.per_ip.tolerance]
        if organization_id:
            keys += [f"{self.prefix}:org:{organization_id}", f"{self.prefix}:wall:org:{organization_id}"]
            args += [self.per_organization.interval, self.per_organization.tolerance]
        reserved, seconds = self._script(keys=keys, args=args)
        return bool(int(reserved)), float(seconds)

    def acquire(self, organization_id: str | None, past_wall: bool = False) -> float:
        """Wait until the request's slot; returns the seconds waited.

        A caller that wakes up well after its slot (a paused process) gives the slot up and takes a new one,
        so a pause never turns into a burst of late requests. It gives up one slot at most: the next one is
        taken whatever the lateness, so a busy machine that oversleeps every time cannot loop for ever.
        """
        clock = self._clock or time.monotonic
        started = clock()
        forfeited = False
        while True:
            reserved, seconds = self.reserve(organization_id, past_wall)
            due = clock() + seconds
            if seconds > 0:
                self._sleep(seconds)
            if reserved and (forfeited or clock() - due <= MAX_LATENESS):
                return clock() - started
            forfeited = forfeited or reserved

    def push_back(self, organization_id: str | None, seconds: float) -> None:
        """After a 429 with Retry-After: no caller (thread, job or worker) gets a slot before `seconds` from now.

        The wall stands before the organization's budget, or before the IP's for a request outside any
        organization. Only the caller that got the 429 passes it (`past_wall`): the SDK already made it wait.
        """
        wall = f"{self.prefix}:wall:org:{organization_id}" if organization_id else f"{self.prefix}:wall:ip"
        self._push_back(keys=[wall], args=[self._clock() if self._clock else -1.0, max(0.0, seconds)])


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
