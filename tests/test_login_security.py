"""The login security baseline: parsing (bad settings name the key), checking, and the lock-out-safe plan."""

import pytest

from nautobot_meraki_users.errors import ConfigurationError
from nautobot_meraki_users.operations.login_security import check, parse_baseline, plan_enforcement, ranges_include

BASELINE = {
    "enforceTwoFactorAuth": True,
    "enforceIdleTimeout": True,
    "idleTimeoutMinutes": {"max": 30},
    "enforceAccountLockout": True,
    "accountLockoutAttempts": {"max": 5},
    "passwordExpirationDays": {"min": 30, "max": 90},
}
MERAKI_DEFAULTS = {
    "enforcePasswordExpiration": False,
    "passwordExpirationDays": 365,
    "enforceDifferentPasswords": False,
    "numDifferentPasswords": 3,
    "enforceStrongPasswords": False,
    "enforceAccountLockout": False,
    "accountLockoutAttempts": 10,
    "enforceIdleTimeout": False,
    "idleTimeoutMinutes": 60,
    "enforceTwoFactorAuth": False,
    "enforceLoginIpRanges": False,
    "loginIpRanges": [],
    "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": False, "ranges": []}},
}
NAUTOBOT = ("198.51.100.7",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("strict", "login_security_baseline: 'strict' is not a mapping"),
        ({"minimumPasswordLength": {"min": 12}}, "minimumPasswordLength: is not a field of Meraki's login security"),
        ({"enforceTwoFactorAuth": "yes"}, "enforceTwoFactorAuth: 'yes' is not true or false"),
        ({"idleTimeoutMinutes": {"max": "30"}}, "idleTimeoutMinutes: max '30' is not a whole number"),
        ({"idleTimeoutMinutes": {"most": 30}}, "idleTimeoutMinutes: {'most': 30} is not a number or bounds"),
        ({"accountLockoutAttempts": {"min": 9, "max": 3}}, "accountLockoutAttempts: min 9 is more than max 3"),
        ({"enforceTwoFactorAuth": {"min": 1}}, "enforceTwoFactorAuth: min / max bounds apply only to numbers"),
        ({"loginIpRanges": ["10.0.0.0/33"]}, "loginIpRanges: '10.0.0.0/33' is not an IP address"),
    ],
)
def test_a_bad_baseline_names_the_key_and_the_fix(raw, message):
    with pytest.raises(ConfigurationError) as raised:
        parse_baseline(raw)
    assert message in str(raised.value)
    assert 'PLUGINS_CONFIG["nautobot_meraki_users"]' in str(raised.value)


def test_check_lists_each_failing_field_with_its_value_and_the_rule():
    deviations = [d.as_dict() for d in check(MERAKI_DEFAULTS, parse_baseline(BASELINE))]
    assert deviations == [
        {"field": "enforceTwoFactorAuth", "actual": False, "expected": "true"},
        {"field": "enforceIdleTimeout", "actual": False, "expected": "true"},
        {"field": "idleTimeoutMinutes", "actual": 60, "expected": "at most 30"},
        {"field": "enforceAccountLockout", "actual": False, "expected": "true"},
        {"field": "accountLockoutAttempts", "actual": 10, "expected": "at most 5"},
        {"field": "passwordExpirationDays", "actual": 365, "expected": "between 30 and 90"},
    ]


def test_a_compliant_record_has_no_deviation_and_no_plan():
    record = {**MERAKI_DEFAULTS, "enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": 15}
    record.update(enforceAccountLockout=True, accountLockoutAttempts=5, passwordExpirationDays=60)
    rules = parse_baseline(BASELINE)
    assert check(record, rules) == []
    assert plan_enforcement(record, rules, NAUTOBOT).body == {}


def test_the_plan_carries_only_the_differing_fields_at_the_nearest_allowed_value():
    record = {**MERAKI_DEFAULTS, "enforceTwoFactorAuth": True, "passwordExpirationDays": 10}
    plan = plan_enforcement(record, parse_baseline(BASELINE), NAUTOBOT)
    assert plan.body == {
        "enforceIdleTimeout": True,
        "idleTimeoutMinutes": 30,
        "enforceAccountLockout": True,
        "accountLockoutAttempts": 5,
        "passwordExpirationDays": 30,
    }
    assert plan.refused == []


@pytest.mark.parametrize(
    ("ranges", "refused"),
    [
        (["198.51.100.0/24"], False),
        (["198.51.100.1-198.51.100.9"], False),
        (["192.0.2.0/24"], True),
        ([], True),
    ],
)
def test_login_ip_ranges_are_turned_on_only_when_they_keep_nautobot_in(ranges, refused):
    rules = parse_baseline({"enforceLoginIpRanges": True, "loginIpRanges": ranges, "enforceTwoFactorAuth": True})
    plan = plan_enforcement(MERAKI_DEFAULTS, rules, NAUTOBOT)
    assert plan.body.get("enforceTwoFactorAuth") is True  # the rest is still enforced
    assert ("enforceLoginIpRanges" in plan.body) is not refused
    assert ("loginIpRanges" in plan.body) is not refused
    if refused:
        [message] = plan.refused
        assert message.startswith("enforceLoginIpRanges: not enforced:")
        assert "198.51.100.7" in message and "lock Nautobot out" in message


def test_api_key_restrictions_are_sent_whole_and_refused_without_known_addresses():
    rules = parse_baseline(
        {"apiAuthentication": {"ipRestrictionsForKeys": {"enabled": True, "ranges": ["198.51.100.7"]}}}
    )
    plan = plan_enforcement(MERAKI_DEFAULTS, rules, NAUTOBOT)
    assert plan.body == {"apiAuthentication": {"ipRestrictionsForKeys": {"enabled": True, "ranges": ["198.51.100.7"]}}}
    unknown = plan_enforcement(MERAKI_DEFAULTS, rules, ())
    assert unknown.body == {}
    assert "not known" in unknown.refused[0]


def test_turning_a_restriction_off_is_always_allowed():
    record = {**MERAKI_DEFAULTS, "enforceLoginIpRanges": True, "loginIpRanges": ["192.0.2.0/24"]}
    plan = plan_enforcement(record, parse_baseline({"enforceLoginIpRanges": False}), ())
    assert plan.body == {"enforceLoginIpRanges": False}


def test_ranges_include_understands_addresses_ranges_and_subnets():
    assert ranges_include(["198.51.100.7"], "198.51.100.7")
    assert ranges_include(["2001:db8::/32"], "2001:db8::1")
    assert not ranges_include(["2001:db8::/32", "garbage"], "198.51.100.7")
