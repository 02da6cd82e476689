"""The shared rate budget (real Redis, injected clock) and the concurrent fan-out. No database."""

import threading
import uuid

import pytest
import redis

from nautobot_meraki_users.fanout import fan_out
from nautobot_meraki_users.ratelimit import Budget, RateLimiter, organization_of


class Clock:
    def __init__(self, now=1_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def redis_client():
    client = redis.Redis(host="127.0.0.1", port=6379, db=15)
    yield client
    client.close()


def limiter(redis_client, clock, org=Budget(10), ip=Budget(100)):
    prefix = f"test-rate:{uuid.uuid4()}"  # a fresh budget per test
    return RateLimiter(redis_client, org, ip, prefix=prefix, clock=clock, sleep=clock.sleep)


def test_organization_budget_holds_a_request_back_without_reserving(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock)
    assert rate.reserve("1") == (True, 0)
    reserved, wait = rate.reserve("1")
    assert not reserved and wait == pytest.approx(0.1)  # 10/s per organization: come back in 0.1 s
    assert rate.reserve("2") == (True, pytest.approx(0.01))  # another organization: the next IP slot
    clock.sleep(0.1)
    assert rate.reserve("1") == (True, 0)


def test_ip_slots_are_handed_out_in_order_and_none_is_lost(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock, ip=Budget(4))
    assert [rate.reserve(str(org)) for org in range(4)] == [(True, pytest.approx(s)) for s in (0, 0.25, 0.5, 0.75)]
    clock = Clock()
    rate = limiter(redis_client, clock, ip=Budget(4))
    waits = [rate.acquire(str(org)) for org in range(8)]
    assert clock.now == pytest.approx(1_000 + 7 * 0.25)  # 8 requests at 4/s: the last goes 1.75 s after the first
    assert waits == pytest.approx([0] + [0.25] * 7)


def test_burst_then_rate(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock, org=Budget(10, burst=3), ip=Budget(1000, burst=10))
    assert [rate.reserve("1")[0] for _ in range(5)] == [True, True, True, True, False]


def test_acquire_waits_for_the_organization_then_its_ip_slot(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock, org=Budget(2))
    assert [rate.acquire("1") for _ in range(3)] == pytest.approx([0, 0.5, 0.5])
    assert clock.now == pytest.approx(1_001.0)


def test_two_limiters_share_one_budget_like_two_workers(redis_client):
    clock = Clock()
    first = limiter(redis_client, clock, org=Budget(10))
    second = RateLimiter(redis_client, Budget(10), Budget(100), prefix=first.prefix, clock=clock, sleep=clock.sleep)
    assert first.reserve("1") == (True, 0)
    assert second.reserve("1") == (False, pytest.approx(0.1))
    assert second.reserve("2") == (True, pytest.approx(0.01))


def test_redis_clock_is_used_without_an_injected_clock(redis_client):
    rate = RateLimiter(redis_client, Budget(0.5), Budget(100), prefix=f"test-rate:{uuid.uuid4()}")
    assert rate.reserve("1") == (True, 0)
    reserved, wait = rate.reserve("1")
    assert not reserved and 1.9 < wait <= 2.0


@pytest.mark.parametrize(
    ("path", "org"),
    [("/api/v1/organizations", None), ("/api/v1/organizations/123/admins", "123"), ("/organizations/9", "9")],
)
def test_organization_of(path, org):
    assert organization_of(path) == org


def test_fan_out_keeps_order_and_isolates_errors():
    def work(item):
        if item == 3:
            raise ValueError("boom")
        return item * 10

    done = fan_out(work, [5, 3, 1, 4], concurrency=3)
    assert [d.item for d in done] == [5, 3, 1, 4]
    assert [d.value for d in done] == [50, None, 10, 40]
    assert isinstance(done[1].error, ValueError) and done[0].error is None


def test_fan_out_runs_items_concurrently_up_to_the_limit():
    barrier = threading.Barrier(3, timeout=5)
    active, peak, lock = [0], [0], threading.Lock()

    def work(item):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if item < 3:
            barrier.wait()  # the first three can only pass together: proves they ran at once
        with lock:
            active[0] -= 1
        return item

    assert [d.value for d in fan_out(work, range(6), concurrency=3)] == list(range(6))
    assert peak[0] == 3


def test_a_caller_that_wakes_up_late_takes_a_new_slot_instead_of_bursting(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock, ip=Budget(10))
    rate.reserve("0")  # the IP slot at 1000.0 is taken: the next one is at 1000.1
    oversleeps = [0.3]

    def late_sleep(seconds):  # the first sleep overshoots by 0.3 s, as in a paused process
        clock.sleep(seconds + (oversleeps.pop() if oversleeps else 0))

    rate._sleep = late_sleep
    waited = rate.acquire("1")
    # It slept to 1000.4, 0.3 s after its slot at 1000.1: it gave that slot up and took a fresh one (now free).
    assert waited == pytest.approx(0.4)
    assert rate.reserve("2") == (True, pytest.approx(0.1))  # and that fresh slot was really taken


def test_jobs_share_the_budget_through_nautobots_redis_and_cope_without_it(monkeypatch):
    from nautobot_meraki_users import job_base
    from nautobot_meraki_users.settings import settings_from_mapping

    settings = settings_from_mapping({"rate_limit_per_ip": 50})
    limiter = job_base.shared_rate_limiter(settings)
    assert limiter.per_ip.rate == pytest.approx(50 * 0.95)  # 95% of the configured limit
    assert limiter.per_organization.rate == pytest.approx(10 * 0.95)

    def not_redis(alias):
        raise NotImplementedError("This backend does not support this feature")

    monkeypatch.setattr(job_base, "get_redis_connection", not_redis)
    assert job_base.shared_rate_limiter(settings) is None
