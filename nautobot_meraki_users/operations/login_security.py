"""An organization's login security against a baseline: parse the baseline, check, and plan the PUT that meets it.

Pure functions, no I/O. A baseline names fields of Meraki's `loginSecurity` record (nested API-key restrictions as
`apiAuthentication.ipRestrictionsForKeys.enabled` / `.ranges`) with an exact value, or `min` / `max` bounds for a
number. Enforcing never turns on an IP restriction (Dashboard login or API keys) whose ranges leave out an address
this Nautobot calls Meraki from: that would lock the app out, so that part is refused with a message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from nautobot_meraki_users.errors import ConfigurationError

SETTING = "login_security_baseline"
BOOLEAN_FIELDS = (
    "enforcePasswordExpiration",
    "enforceDifferentPasswords",
    "enforceStrongPasswords",
    "enforceAccountLockout",
    "enforceIdleTimeout",
    "enforceTwoFactorAuth",
    "enforceLoginIpRanges",
    "apiAuthentication.ipRestrictionsForKeys.enabled",
)
NUMBER_FIELDS = ("passwordExpirationDays", "numDifferentPasswords", "accountLockoutAttempts", "idleTimeoutMinutes")
RANGE_FIELDS = ("loginIpRanges", "apiAuthentication.ipRestrictionsForKeys.ranges")
# Each IP restriction and the ranges it admits: turning one on must keep this Nautobot's addresses inside.
RESTRICTIONS = {
    "enforceLoginIpRanges": "loginIpRanges",
    "apiAuthentication.ipRestrictionsForKeys.enabled": "apiAuthentication.ipRestrictionsForKeys.ranges",
}
KNOWN_FIELDS = BOOLEAN_FIELDS + NUMBER_FIELDS + RANGE_FIELDS
API_KEY_RESTRICTIONS = "apiAuthentication"


@dataclass(frozen=True)
class Rule:
    """One baseline field: an exact value, or bounds for a number (`minimum` / `maximum`, either may be None)."""

    field: str
    exact: object = None
    minimum: int | None = None
    maximum: int | None = None

    def admits(self, value: object) -> bool:
        """True when `value` meets the rule (ranges compare as sets)."""
        if self.exact is not None:
            if isinstance(self.exact, list):
                return isinstance(value, list) and sorted(map(str, value)) == sorted(map(str, self.exact))
            return value == self.exact and type(value) is type(self.exact)
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)

    def describe(self) -> str:
        """The rule as a person reads it, e.g. `true`, `at most 30`, `between 5 and 10`."""
        if self.exact is not None:
            return as_text(self.exact)
        if self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        return f"at least {self.minimum}" if self.minimum is not None else f"at most {self.maximum}"

    def target(self, value: object) -> object:
        """The value to set so that the rule holds, as close to `value` as the rule allows."""
        if self.exact is not None:
            return self.exact
        if self.minimum is not None and (not isinstance(value, int) or value < self.minimum):
            return self.minimum
        return self.maximum


@dataclass(frozen=True)
class Deviation:
    """A field that does not meet the baseline: its value now and what the baseline asks."""

    field: str
    actual: object
    expected: str

    def as_dict(self) -> dict:
        """`field`, `actual` (Meraki's value), `expected` (the rule in words)."""
        return {"field": self.field, "actual": self.actual, "expected": self.expected}


@dataclass
class EnforcementPlan:
    """The PUT body that meets the baseline (only the fields that differ), and the parts refused with why."""

    body: dict = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def as_text(value: object) -> str:
    """A login security value as a person reads it (JSON's words: true, false, [ranges]).

    Example:
        >>> as_text(False), as_text(["192.0.2.0/24"])
        ('false', '[192.0.2.0/24]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _problem(key: str, message: str) -> ConfigurationError:
    return ConfigurationError(f'{SETTING}: {key}: {message} Fix PLUGINS_CONFIG["nautobot_meraki_users"]["{SETTING}"].')


def flatten(record: dict) -> dict[str, object]:
    """A login security record (or a baseline) with the nested API-key restrictions as dotted keys.

    Example:
        >>> flatten({"enforceTwoFactorAuth": True, "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": False}}})
        {'enforceTwoFactorAuth': True, 'apiAuthentication.ipRestrictionsForKeys.enabled': False}
    """
    flat = {key: value for key, value in record.items() if key != API_KEY_RESTRICTIONS}
    nested = record.get(API_KEY_RESTRICTIONS)
    if isinstance(nested, dict):
        for outer, inner in nested.items():
            if isinstance(inner, dict):
                flat.update({f"{API_KEY_RESTRICTIONS}.{outer}.{key}": value for key, value in inner.items()})
            else:
                flat[f"{API_KEY_RESTRICTIONS}.{outer}"] = inner
    elif API_KEY_RESTRICTIONS in record:
        flat[API_KEY_RESTRICTIONS] = nested
    return flat


def _check_range(key: str, entry: object) -> None:
    if not isinstance(entry, str) or not entry.strip():
        raise _problem(key, f"{entry!r} is not an IP address, range (a-b) or CIDR subnet.")
    try:
        _network_bounds(entry)
    except ValueError:
        raise _problem(key, f"{entry!r} is not an IP address, range (a-b) or CIDR subnet.") from None


def _rule(key: str, value: object) -> Rule:
    if key in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise _problem(key, f"{value!r} is not true or false.")
        return Rule(key, exact=value)
    if key in RANGE_FIELDS:
        if not isinstance(value, list):
            raise _problem(key, f"{value!r} is not a list of IP addresses, ranges or CIDR subnets.")
        for entry in value:
            _check_range(key, entry)
        return Rule(key, exact=[entry.strip() for entry in value])
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _problem(key, f"{value} is negative.")
        return Rule(key, exact=value)
    if not isinstance(value, dict) or not value or set(value) - {"min", "max"}:
        raise _problem(key, f'{value!r} is not a number or bounds like {{"min": 5}} / {{"max": 30}}.')
    bounds = {name: value.get(name) for name in ("min", "max")}
    for name, bound in bounds.items():
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool) or bound < 0):
            raise _problem(key, f"{name} {bound!r} is not a whole number of at least 0.")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise _problem(key, f"min {bounds['min']} is more than max {bounds['max']}.")
    return Rule(key, minimum=bounds["min"], maximum=bounds["max"])


def parse_baseline(raw: object) -> tuple[Rule, ...]:
    """Check the `login_security_baseline` setting and return its rules (empty: no baseline).

    Raises:
        ConfigurationError: the message names the key and the fix.

    Example:
        >>> [r.describe() for r in parse_baseline({"enforceTwoFactorAuth": True, "idleTimeoutMinutes": {"max": 30}})]
        ['true', 'at most 30']
    """
    if raw in (None, ""):
        return ()
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f'{SETTING}: {raw!r} is not a mapping of login security fields. Set it like {{"enforceTwoFactorAuth": '
            f'true, "idleTimeoutMinutes": {{"max": 30}}}} in PLUGINS_CONFIG["nautobot_meraki_users"].'
        )
    rules = []
    for key, value in flatten(raw).items():
        if key not in KNOWN_FIELDS:
            raise _problem(
                key,
                "is not a field of Meraki's login security settings. Use one of: " + ", ".join(KNOWN_FIELDS) + ".",
            )
        if key not in NUMBER_FIELDS and isinstance(value, dict):
            raise _problem(key, "min / max bounds apply only to numbers.")
        rules.append(_rule(key, value))
    return tuple(rules)


def check(record: dict, rules: tuple[Rule, ...]) -> list[Deviation]:
    """Every baseline field the organization's login security record does not meet.

    Example:
        >>> rules = parse_baseline({"enforceTwoFactorAuth": True, "accountLockoutAttempts": {"max": 5}})
        >>> [d.as_dict() for d in check({"enforceTwoFactorAuth": True, "accountLockoutAttempts": 10}, rules)]
        [{'field': 'accountLockoutAttempts', 'actual': 10, 'expected': 'at most 5'}]
    """
    values = flatten(record)
    return [
        Deviation(rule.field, values.get(rule.field), rule.describe())
        for rule in rules
        if not rule.admits(values.get(rule.field))
    ]


def _network_bounds(entry: str) -> tuple[ipaddress._BaseAddress, ipaddress._BaseAddress]:
    """The first and last address of an entry: one address, a range `a-b`, or a CIDR subnet (ValueError if none)."""
    text = entry.strip()
    if "-" in text:
        first, last = (ipaddress.ip_address(part.strip()) for part in text.split("-", 1))
        return first, last
    network = ipaddress.ip_network(text, strict=False)
    return network[0], network[-1]


def ranges_include(ranges: list[str], address: str) -> bool:
    """True when one of Meraki's range entries (address, `a-b` range or CIDR subnet) includes `address`.

    Example:
        >>> ranges_include(["192.0.2.0/24", "198.51.100.10-198.51.100.20"], "198.51.100.15")
        True
    """
    wanted = ipaddress.ip_address(address)
    for entry in ranges:
        try:
            first, last = _network_bounds(str(entry))
        except ValueError:
            continue
        if first.version == wanted.version and first <= wanted <= last:
            return True
    return False


def plan_enforcement(record: dict, rules: tuple[Rule, ...], caller_addresses: tuple[str, ...]) -> EnforcementPlan:
    """The PUT body (Meraki's shape) with only the fields that differ, and no IP restriction that locks Nautobot out.

    An IP restriction (login or API keys) is turned on, or its ranges changed while on, only when every address in
    `caller_addresses` (where this Nautobot calls Meraki from) stays inside its ranges; otherwise that part is left
    out and `refused` says why.
    """
    values = flatten(record)
    wanted = {
        rule.field: rule.target(values.get(rule.field)) for rule in rules if not rule.admits(values.get(rule.field))
    }
    plan = EnforcementPlan()
    for switch, ranges_field in RESTRICTIONS.items():
        touched = switch in wanted or ranges_field in wanted
        on_after = wanted.get(switch, values.get(switch)) is True
        if not touched or not on_after:
            continue
        ranges = list(wanted.get(ranges_field, values.get(ranges_field)) or [])
        outside = [address for address in caller_addresses if not ranges_include(ranges, address)]
        if caller_addresses and not outside:
            continue
        wanted.pop(switch, None)
        wanted.pop(ranges_field, None)
        reason = (
            f"its ranges {as_text(ranges)} leave out {', '.join(outside)}, an address this Nautobot calls Meraki from"
            if caller_addresses
            else "the addresses this Nautobot calls Meraki from are not known (setting egress_addresses)"
        )
        plan.refused.append(
            f"{switch}: not enforced: {reason}, so it would lock Nautobot out. Add them to {ranges_field} in {SETTING}."
        )
    for key, value in wanted.items():
        if key.startswith(API_KEY_RESTRICTIONS + "."):
            _, outer, inner = key.split(".", 2)
            nested = plan.body.setdefault(API_KEY_RESTRICTIONS, {}).setdefault(outer, {})
            nested[inner] = value
        else:
            plan.body[key] = value
    restrictions = plan.body.get(API_KEY_RESTRICTIONS, {}).get("ipRestrictionsForKeys")
    if restrictions is not None:  # Meraki takes the object whole: send both parts
        restrictions.setdefault("enabled", values.get("apiAuthentication.ipRestrictionsForKeys.enabled", False))
        restrictions.setdefault("ranges", values.get("apiAuthentication.ipRestrictionsForKeys.ranges") or [])
    return plan
