"""Access policy, the pure part: who *should* have access (grants of profiles) against who has it (pure, no I/O).

The seam for the access-policy feature (Check Meraki Access Drift, Enforce Meraki Access Policy): its jobs give these
functions the policy (as plain values) and one organization's admins and networks, and get the findings back.
Findings speak the write jobs' words (`describe_access`): `missing` (granted, not there), `different` (there with
other access), `unmanaged` (there with no grant and not exempt), `expired` (the grant has expired and the access is
still there), `unresolved` (the profile names a network or tag this organization lacks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.operations.admins import (
    check_tags,
    describe_access,
    find_admin,
    resolve_networks,
    same_access,
)

MISSING, DIFFERENT, UNMANAGED, EXPIRED, UNRESOLVED = "missing", "different", "unmanaged", "expired", "unresolved"
FINDINGS = (MISSING, DIFFERENT, UNMANAGED, EXPIRED, UNRESOLVED)
NO_ACCESS = "no access"


@dataclass(frozen=True)
class Profile:
    """A named bundle of access: org access, network privileges (network name or ID, level), tag privileges."""

    name: str
    org_access: str
    networks: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Grant:
    """A person's profile in some organizations (`organization_ids` None: every organization), until `expires`."""

    key: str  # how the finding names the grant (its id in Nautobot)
    email: str
    profile: Profile
    organization_ids: frozenset[str] | None = None
    expires: date | None = None

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
    """One difference between the policy and an organization, in the result's words."""

    email: str
    finding: str
    expected: str
    actual: str
    grant: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        """The result entry: email, finding, expected, actual, grant, message."""
        return {
            "email": self.email,
            "finding": self.finding,
            "expected": self.expected,
            "actual": self.actual,
            "grant": self.grant,
            "message": self.message,
        }


def desired_access(profile: Profile, networks: list[dict], org: Organization) -> tuple[dict | None, list[str]]:
    """The access a profile means in this organization (Meraki's shape), or None and why when it cannot resolve.

    Example:
        >>> org, nets = Organization("1", "Acme"), [{"id": "N_1", "name": "HQ", "tags": ["west"]}]
        >>> desired_access(Profile("NOC", "none", networks=(("HQ", "full"),)), nets, org)[0]
        {'orgAccess': 'none', 'networks': [{'id': 'N_1', 'access': 'full'}], 'tags': []}
    """
    ids, errors = resolve_networks(tuple(ref for ref, _ in profile.networks), networks, org)
    errors += check_tags(tuple(tag for tag, _ in profile.tags), networks, org)
    if errors:
        return None, [error.message for error in errors]
    levels = [level for _, level in profile.networks]
    return {
        "orgAccess": profile.org_access,
        "networks": [{"id": network_id, "access": level} for network_id, level in zip(ids, levels, strict=True)],
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
    for grant in (g for g in grants if g.applies_to(org.id)):
        granted.add(grant.email.casefold())
        admin = find_admin(admins, grant.email)
        if grant.expired(today):
            if admin is not None:
                why = f"the grant of {grant.profile.name!r} expired on {grant.expires}; the access is still there"
                findings.append(Finding(grant.email, EXPIRED, NO_ACCESS, describe_access(admin), grant.key, why))
            continue
        wanted, problems = desired_access(grant.profile, networks, org)
        if wanted is None:
            findings.append(
                Finding(grant.email, UNRESOLVED, f"profile {grant.profile.name!r}",
                        describe_access(admin) if admin else NO_ACCESS, grant.key, " ".join(problems))
            )  # fmt: skip
            continue
        expected = describe_access(wanted)
        if admin is None:
            findings.append(Finding(grant.email, MISSING, expected, NO_ACCESS, grant.key, "granted, not there"))
        elif not same_access(admin, wanted["orgAccess"], wanted["networks"], wanted["tags"]):
            findings.append(
                Finding(grant.email, DIFFERENT, expected, describe_access(admin), grant.key, "there with other access")
            )
    exempt = {e.email.casefold() for e in exemptions if e.applies_to(org.id)}
    for admin in admins:
        email = str(admin.get("email", ""))
        if email.casefold() not in granted | exempt:
            findings.append(Finding(email, UNMANAGED, NO_ACCESS, describe_access(admin), "", "there with no grant"))
    return findings
