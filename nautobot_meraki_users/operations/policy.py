"""Access policy, the pure part: who *should* have access (grants of profiles) against who has it (pure, no I/O).

The seam for the access-policy feature (Check Meraki Access Drift, Enforce Meraki Access Policy): its jobs give these
functions the policy (as plain values) and one organization's admins and networks, and get the findings back.
Findings speak the write jobs' words (`describe_access`): `missing` (granted, not there), `different` (there with
other access), `unmanaged` (there with no grant and not exempt), `expired` (the grant has expired and the access is
still there), `unresolved` (the profile names a network or tag this organization lacks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.operations.admins import (
    ORG_ACCESS_LEVELS,
    PRIVILEGE_LEVELS,
    check_tags,
    describe_access,
    find_admin,
    resolve_networks,
    same_access,
)
from nautobot_meraki_users.operations.saml_roles import SAML_NETWORK_LEVELS, describe_role, find_role, role_differences

MISSING, DIFFERENT, UNMANAGED, EXPIRED, UNRESOLVED = "missing", "different", "unmanaged", "expired", "unresolved"
FINDINGS = (MISSING, DIFFERENT, UNMANAGED, EXPIRED, UNRESOLVED)
NO_ACCESS = "no access"


def privilege_errors(value: object, key: str) -> list[str]:
    """What is wrong with a profile's privileges: a list of `{key: name, "access": level}` with known levels.

    Example:
        >>> privilege_errors([{"network": "HQ", "access": "full"}], "network")
        []
        >>> privilege_errors([{"network": "HQ", "access": "owner"}], "network")
        ["item 1: access 'owner' is not one of full, read-only, guest-ambassador, monitor-only, ssid-admin, port-tags."]
    """
    if not isinstance(value, list):
        return [f'must be a list of {{"{key}": ..., "access": ...}}, not {type(value).__name__}.']
    errors = []
    seen: set[str] = set()
    for position, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {key, "access"}:
            errors.append(f'item {position}: must be {{"{key}": ..., "access": ...}} (exactly those two keys).')
            continue
        name, level = item[key], item["access"]
        if not isinstance(name, str) or not name.strip():
            errors.append(f"item {position}: {key} must be a non-empty name.")
        elif name.strip().casefold() in seen:
            errors.append(f"item {position}: {key} {name!r} is listed twice.")
        else:
            seen.add(name.strip().casefold())
        levels = SAML_NETWORK_LEVELS if key == "network" else PRIVILEGE_LEVELS  # ssid-admin, port-tags: SAML roles
        if level not in levels:
            errors.append(f"item {position}: access {level!r} is not one of {', '.join(levels)}.")
    return errors


def org_access_error(value: object) -> str | None:
    """Why an org access level is not one Meraki knows, or None."""
    if value in ORG_ACCESS_LEVELS:
        return None
    return f"{value!r} is not one of {', '.join(ORG_ACCESS_LEVELS)}."


@dataclass(frozen=True)
class Profile:
    """A named bundle of access: org access, network privileges (network name or ID, level), tag privileges."""

    name: str
    org_access: str
    networks: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()


def saml_only_levels(profile: Profile) -> list[str]:
    """Why a profile cannot be a person's: network levels that only SAML roles have (ssid-admin, port-tags).

    Example:
        >>> saml_only_levels(Profile("Wi-Fi", "none", networks=(("HQ", "ssid-admin"),)))[0][:64]
        "profile 'Wi-Fi' gives network HQ the level ssid-admin, which onl"
    """
    return [
        f"profile {profile.name!r} gives network {ref} the level {level}, which only SAML roles have; a person needs "
        f"{', '.join(PRIVILEGE_LEVELS[:-1])} or {PRIVILEGE_LEVELS[-1]}."
        for ref, level in profile.networks
        if level not in PRIVILEGE_LEVELS
    ]


@dataclass(frozen=True)
class Grant:
    """A person's profile in some organizations (`organization_ids` None: every organization), until `expires`."""

    key: str  # how the finding names the grant (its id in Nautobot)
    email: str
    profile: Profile
    organization_ids: frozenset[str] | None = None
    expires: date | None = None
    name: str = ""  # the person's name, for an admin that Enforce creates
    saml_role: str = ""  # a grant to a SAML role (its exact name) instead of a person (then `email` is blank)

    def applies_to(self, organization_id: str) -> bool:
        """True when the grant covers the organization."""
        return self.organization_ids is None or organization_id in self.organization_ids

    def expired(self, today: date) -> bool:
        """True once the expiry date has passed (the grant holds through its expiry day)."""
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class Exemption:
    """A person the policy never changes and never reports as unmanaged (`organization_ids` None: everywhere)."""

    email: str
    organization_ids: frozenset[str] | None = None

    def applies_to(self, organization_id: str) -> bool:
        """True when the exemption covers the organization."""
        return self.organization_ids is None or organization_id in self.organization_ids


@dataclass(frozen=True)
class Finding:
    """One difference between the policy and an organization, in the result's words.

    `admin` (the admin as read) and `wanted` (the access the grant means, Meraki's shape) are what Enforce plans
    from; `name` is the grant's name for the person.
    """

    email: str
    finding: str
    expected: str
    actual: str
    grant: str = ""
    message: str = ""
    saml_role: str = ""  # a SAML role's finding: its name (and `email` is blank)
    admin: dict | None = field(default=None, compare=False, repr=False)
    wanted: dict | None = field(default=None, compare=False, repr=False)
    name: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict:
        """The result entry: email, finding, expected, actual, grant, message (and `saml_role` for a SAML role)."""
        entry = {
            "email": self.email,
            "finding": self.finding,
            "expected": self.expected,
            "actual": self.actual,
            "grant": self.grant,
            "message": self.message,
        }
        if self.saml_role:
            entry["saml_role"] = self.saml_role
        return entry


def desired_access(profile: Profile, networks: list[dict], org: Organization) -> tuple[dict | None, list[str]]:
    """The access a profile means in this organization (Meraki's shape), or None and why when it cannot resolve.

    Example:
        >>> org, nets = Organization("1", "Acme"), [{"id": "N_1", "name": "HQ", "tags": ["west"]}]
        >>> desired_access(Profile("NOC", "none", networks=(("HQ", "full"),)), nets, org)[0]
        {'orgAccess': 'none', 'networks': [{'id': 'N_1', 'access': 'full'}], 'tags': []}
    """
    levels: dict[str, str] = {}
    errors = check_tags(tuple(tag for tag, _ in profile.tags), networks, org)
    for ref, level in profile.networks:
        ids, problems = resolve_networks((ref,), networks, org)
        errors += problems
        levels.update(dict.fromkeys(ids, level))
    if errors:
        return None, [error.message for error in errors]
    return {
        "orgAccess": profile.org_access,
        "networks": [{"id": network_id, "access": level} for network_id, level in levels.items()],
        "tags": [{"tag": tag, "access": level} for tag, level in profile.tags],
    }, []


def check_organization(
    org: Organization,
    admins: list[dict],
    networks: list[dict],
    grants: list[Grant],
    exemptions: list[Exemption],
    today: date,
) -> list[Finding]:
    """Every finding in one organization: each grant against the admins there, then the admins nobody granted.

    Example:
        >>> noc = Profile("NOC", "read-only")
        >>> admins = [{"email": "ann@x.org", "orgAccess": "full"}, {"email": "bob@x.org", "orgAccess": "full"}]
        >>> found = check_organization(
        ...     Organization("1", "Acme"), admins, [], [Grant("g1", "Ann@x.org", noc)], [], date(2026, 1, 1)
        ... )
        >>> [(f.email, f.finding, f.expected) for f in found]
        [('Ann@x.org', 'different', 'org access read-only'), ('bob@x.org', 'unmanaged', 'no access')]
    """
    findings: list[Finding] = []
    granted: set[str] = set()
    for grant in (g for g in grants if g.applies_to(org.id) and not g.saml_role):
        granted.add(grant.email.casefold())
        admin = find_admin(admins, grant.email)
        if grant.expired(today):
            if admin is not None:
                why = f"the grant of {grant.profile.name!r} expired on {grant.expires}; the access is still there"
                findings.append(
                    Finding(grant.email, EXPIRED, NO_ACCESS, describe_access(admin), grant.key, why, admin=admin)
                )
            continue
        wanted, problems = desired_access(grant.profile, networks, org)
        problems += saml_only_levels(grant.profile)
        if wanted is None or problems:
            findings.append(
                Finding(grant.email, UNRESOLVED, f"profile {grant.profile.name!r}",
                        describe_access(admin) if admin else NO_ACCESS, grant.key, " ".join(problems), admin=admin)
            )  # fmt: skip
            continue
        expected = describe_access(wanted)
        if admin is None:
            findings.append(
                Finding(grant.email, MISSING, expected, NO_ACCESS, grant.key, "granted, not there",
                        wanted=wanted, name=grant.name)
            )  # fmt: skip
        elif not same_access(admin, wanted["orgAccess"], wanted["networks"], wanted["tags"]):
            findings.append(
                Finding(grant.email, DIFFERENT, expected, describe_access(admin), grant.key, "there with other access",
                        admin=admin, wanted=wanted)
            )  # fmt: skip
    exempt = {e.email.casefold() for e in exemptions if e.applies_to(org.id)}
    for admin in admins:
        email = str(admin.get("email", ""))
        if email.casefold() not in granted | exempt:
            findings.append(
                Finding(email, UNMANAGED, NO_ACCESS, describe_access(admin), "", "there with no grant", admin=admin)
            )
    return findings


def check_saml_roles(
    org: Organization, roles: list[dict], networks: list[dict], grants: list[Grant], today: date
) -> list[Finding]:
    """Every SAML role finding in one organization: each role grant against the roles there, then the ungranted roles.

    Names match exactly, as Meraki's do; `port-tags` and `switchport` compare equal.

    Example:
        >>> noc = Profile("NOC", "read-only")
        >>> roles = [{"id": "1", "role": "NOC", "orgAccess": "full"}, {"id": "2", "role": "Ops", "orgAccess": "full"}]
        >>> found = check_saml_roles(Organization("1", "Acme"), roles, [], [Grant("g1", "", noc, saml_role="NOC")],
        ...                          date(2026, 1, 1))
        >>> [(f.saml_role, f.finding, f.expected) for f in found]
        [('NOC', 'different', 'org access read-only'), ('Ops', 'unmanaged', 'no access')]
    """
    findings: list[Finding] = []
    granted: set[str] = set()
    for grant in (g for g in grants if g.applies_to(org.id) and g.saml_role):
        granted.add(grant.saml_role)
        role = find_role(roles, grant.saml_role)
        actual = describe_role(role) if role else NO_ACCESS
        if grant.expired(today):
            if role is not None:
                why = f"the grant of {grant.profile.name!r} expired on {grant.expires}; the role is still there"
                findings.append(Finding("", EXPIRED, NO_ACCESS, actual, grant.key, why, grant.saml_role, admin=role))
            continue
        wanted, problems = desired_access(grant.profile, networks, org)
        if wanted is None:
            findings.append(Finding("", UNRESOLVED, f"profile {grant.profile.name!r}", actual, grant.key,
                                    " ".join(problems), grant.saml_role, admin=role))  # fmt: skip
        elif role is None:
            findings.append(Finding("", MISSING, describe_role(wanted), NO_ACCESS, grant.key, "granted, not there",
                                    grant.saml_role, wanted=wanted))  # fmt: skip
        elif role_differences(role, wanted):
            findings.append(Finding("", DIFFERENT, describe_role(wanted), actual, grant.key,
                                    "there with other access", grant.saml_role, admin=role, wanted=wanted))  # fmt: skip
    for role in roles:
        name = str(role.get("role", ""))
        if name not in granted:
            findings.append(Finding("", UNMANAGED, NO_ACCESS, describe_role(role), "", "there with no grant", name,
                                    admin=role))  # fmt: skip
    return findings
