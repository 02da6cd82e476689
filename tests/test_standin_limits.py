"""The stand-in's enforcement of Meraki's rate limits (used by the benchmark), with an injected clock."""

from meraki_standin.limits import MerakiRateLimits, organization_in


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_eleventh_request_in_a_second_to_one_organization_gets_429_with_retry_after():
    clock = Clock()
    limits = MerakiRateLimits(per_organization=10, per_ip=100, clock=clock)
    assert [limits.admit("/api/v1/organizations/1/admins") for _ in range(10)] == [None] * 10
    assert limits.admit("/api/v1/organizations/1/admins") == 1
    assert limits.admit("/api/v1/organizations/2/admins") is None  # other organizations are not affected
    clock.now += 1.0
    assert limits.admit("/api/v1/organizations/1/admins") is None


def test_ip_limit_spans_organizations_and_figures_report_peaks():
    clock = Clock()
    limits = MerakiRateLimits(per_organization=10, per_ip=5, clock=clock)
    answers = [limits.admit(f"/api/v1/organizations/{n}/admins") for n in range(7)]
    assert answers == [None] * 5 + [1, 1]
    figures = limits.figures()
    assert (figures.requests, figures.rejected_429, figures.peak_ip_rate, figures.peak_organization_rate) == (
        7,
        2,
        7,
        1,
    )


def test_burst_allows_extra_requests_per_organization():
    limits = MerakiRateLimits(per_organization=2, per_ip=100, burst=1, clock=Clock())
    assert [limits.admit("/organizations/1/admins") for _ in range(4)] == [None, None, None, 1]


def test_organization_in():
    assert organization_in("/api/v1/organizations/42/admins/7?x=1") == "42"
    assert organization_in("/api/v1/organizations") is None
