"""The shared rate budget (real Redis, injected clock) and the concurrent fan-out. No database."""

import threading
import uuid

import pytest
import redis

from nautobot_meraki_users.dashboard.fanout import fan_out
from nautobot_meraki_users.dashboard.ratelimit import Budget, RateLimiter, organization_of


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
    from nautobot_meraki_users.jobs import base as job_base
    from nautobot_meraki_users.settings import settings_from_mapping

    settings = settings_from_mapping({"rate_limit_per_ip": 50})
    limiter = job_base.shared_rate_limiter(settings)
    assert limiter.per_ip.rate == pytest.approx(50 * 0.95)  # 95% of the configured limit
    assert limiter.per_organization.rate == pytest.approx(10 * 0.95)

    def not_redis(alias):
        raise NotImplementedError("This backend does not support this feature")

    monkeypatch.setattr(job_base, "get_redis_connection", not_redis)
    assert job_base.shared_rate_limiter(settings) is None


def test_a_caller_that_always_wakes_up_late_still_gets_through(redis_client):
    # On a busy machine every sleep overshoots while others keep booking the IP budget ahead: the caller gives up
    # at most one slot, then takes the next one whatever its lateness (it used to forfeit slots without end).
    clock = Clock()
    rate = limiter(redis_client, clock, ip=Budget(10))
    rate.reserve("0")  # the next IP slot is at 1000.1, so the caller has to sleep
    sleeps = []

    def always_late(seconds):
        sleeps.append(seconds)
        if len(sleeps) > 10:
            raise AssertionError("acquire keeps forfeiting its slots")
        for n in range(5):  # meanwhile other callers book the next five IP slots
            rate.reserve(f"other-{len(sleeps)}-{n}")
        clock.sleep(seconds + 0.3)

    rate._sleep = always_late
    waited = rate.acquire("1")
    assert sleeps == pytest.approx([0.1, 0.3])  # slot 1000.1 forfeited (woke at 1000.4); slot 1000.7 taken at 1001.0
    assert waited == pytest.approx(1.0)


def test_a_429_pushes_the_organizations_budget_back_for_every_caller(redis_client):
    clock = Clock()
    first = limiter(redis_client, clock)
    other_worker = RateLimiter(redis_client, Budget(10), Budget(100), prefix=first.prefix, clock=clock)
    first.push_back("1", 7)
    reserved, wait = other_worker.reserve("1")
    assert not reserved and wait == pytest.approx(7)  # held back until Retry-After has passed
    assert other_worker.reserve("2") == (True, 0)  # other organizations are not slowed
    first.push_back("1", 2)  # a shorter Retry-After never pulls the wall forward
    assert other_worker.reserve("1") == (False, pytest.approx(7))
    assert first.reserve("1", past_wall=True) == (True, pytest.approx(0.01))  # the caller that waited it out passes
    clock.sleep(7)
    assert other_worker.reserve("1") == (True, 0)


def test_waiting_out_an_organizations_wall_does_not_pass_the_ips_wall(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock)
    rate.push_back("1", 2)  # this caller's own 429, which its SDK sleeps out
    rate.push_back(None, 5)  # meanwhile another caller's 429 walls the whole source IP
    assert rate.reserve("1", past_wall=True) == (False, pytest.approx(5))  # its own wall passed, not the IP's


def test_a_429_without_an_organization_holds_every_request_back(redis_client):
    clock = Clock()
    rate = limiter(redis_client, clock)
    rate.push_back(None, 3)  # e.g. GET /organizations: the source IP's budget
    assert rate.reserve("9") == (False, pytest.approx(3))
    assert rate.reserve(None) == (False, pytest.approx(3))


def _dashboard_with_a_429(redis_client, sdk_sleep_advances_clock: bool):
    from meraki_standin import FakeDashboard

    from nautobot_meraki_users.dashboard.client import Dashboard
    from nautobot_meraki_users.settings import settings_from_mapping

    key = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"
    fake = FakeDashboard(api_key=key)
    fake.add_organization("1", "Org")
    fake.fail_next("GET", "/organizations/1/admins", status=429, headers={"Retry-After": "7"})
    clock = Clock()
    rate = limiter(redis_client, clock)
    other_worker = RateLimiter(redis_client, Budget(10), Budget(100), prefix=rate.prefix, clock=clock)
    seen_while_waiting = []

    def sdk_sleep(seconds):  # the SDK waits Retry-After; meanwhile another worker asks for the same organization
        seen_while_waiting.append((other_worker.reserve("1"), other_worker.reserve("2")[0]))
        if sdk_sleep_advances_clock:
            clock.sleep(seconds)

    settings = settings_from_mapping({"base_url": "https://api.meraki.com/api/v1", "maximum_retries": 3})
    dashboard = Dashboard(settings, key, sleep=sdk_sleep, limiter=rate)
    with fake.mock("https://api.meraki.com/api/v1"):
        assert dashboard.admins("1") == []
    assert [r.status for r in fake.requests] == [429, 200]
    return clock, seen_while_waiting


def test_the_client_pushes_the_shared_budget_back_when_meraki_answers_429(redis_client):
    _, seen_while_waiting = _dashboard_with_a_429(redis_client, sdk_sleep_advances_clock=True)
    [((reserved, wait), other_org_reserved)] = seen_while_waiting
    assert not reserved and wait == pytest.approx(7)  # the other worker does not spend its retries on the wall
    assert other_org_reserved  # another organization goes on


def test_the_caller_that_got_the_429_waits_once_not_twice(redis_client):
    clock, _ = _dashboard_with_a_429(redis_client, sdk_sleep_advances_clock=False)
    # Its retry passed its own wall (the SDK waited Retry-After) and took the next organization slot, 0.1 s on.
    assert clock.now == pytest.approx(1_000.1)


def test_fan_out_hands_each_result_to_the_caller_while_the_others_are_still_running():
    caller, first_seen = threading.get_ident(), threading.Event()
    seen: list[tuple[int, bool]] = []

    def work(item):
        if item == "slow":  # finishes only once the caller has been handed the fast item's result
            assert first_seen.wait(timeout=10), "the caller got no result while this item was running"
        return item

    def on_done(done):
        seen.append((done.value, threading.get_ident() == caller))
        first_seen.set()

    done = fan_out(work, ["slow", "fast"], concurrency=2, on_done=on_done)
    assert [d.value for d in done] == ["slow", "fast"]  # the result keeps the items' order
    assert seen == [("fast", True), ("slow", True)]  # handed over as they finished, in the caller's thread


def test_fan_out_without_concurrency_hands_over_each_result_before_the_next_item():
    order: list[str] = []
    fan_out(lambda item: order.append(f"run {item}"), [1, 2], concurrency=1, on_done=lambda d: order.append("done"))
    assert order == ["run 1", "done", "run 2", "done"]


def test_fan_out_starts_no_more_items_once_the_caller_fails_with_a_result():
    started: list[int] = []
    failing = threading.Event()

    def work(item):
        started.append(item)
        if item:  # every item but the first waits until the caller is failing
            assert failing.wait(timeout=10)
        return item

    def on_done(done):
        failing.set()
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        fan_out(work, range(200), concurrency=2, on_done=on_done)
    assert len(started) < 50, f"{len(started)} of 200 items started"  # the rest were dropped, not run
