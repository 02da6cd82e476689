"""Adopt Current Meraki Access, the pure part: today's access described as profiles and grants.

Every admin the policy does not cover yet (no grant, no exemption in that organization) gets a grant of the profile
that describes their access exactly; identical access is one profile (an existing profile with the same access is
reused). A network is named by its name when that name is unique in its organization, by its ID otherwise, so that
the same access in several organizations is one profile. One grant per person and profile, over the organizations
where the person has that access: grants never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.operations.admins import email_errors
from nautobot_meraki_users.operations.policy import Profile, desired_access, org_access_error, privilege_errors
from nautobot_meraki_users.operations.saml_roles import canonical_level

PROFILE_NAME_LENGTH = 255


@dataclass
class ProposedGrant:
    """A grant that describes one person's access in some organizations."""

    email: str
    name: str
    profile: str
    organization_ids: list[str] = field(default_factory=list)
    saml_role: str = ""  # a grant to a SAML role (then `email` is blank)


@dataclass
class Adoption:
    """The profiles (new ones, and existing ones reused) and grants that describe today's access."""

    new_profiles: list[Profile] = field(default_factory=list)
    reused_profiles: list[str] = field(default_factory=list)
    grants: list[ProposedGrant] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # access no profile can describe, and why (left ungranted)


def access_of(
    admin: dict, networks: list[dict]
) -> tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """An admin's access as a profile's parts: org access, networks (by unique name, else ID), tags; sorted.

    Example:
        >>> nets = [{"id": "N_1", "name": "HQ"}, {"id": "N_2", "name": "Lab"}, {"id": "N_3", "name": "Lab"}]
        >>> access_of({"orgAccess": "none", "networks": [{"id": "N_1", "access": "full"},
        ...            {"id": "N_3", "access": "read-only"}], "tags": [{"tag": "west", "access": "read-only"}]}, nets)
        ('none', (('HQ', 'full'), ('N_3', 'read-only')), (('west', 'read-only'),))
    """
    folded = [str(net.get("name")).casefold() for net in networks]  # a profile's names are unique in any case
    by_id = {str(net.get("id")): str(net.get("name")) for net in networks}
    refs = []
    for item in admin.get("networks") or []:
        network_id, level = str(item.get("id")), canonical_level(item.get("access"))
        name = by_id.get(network_id)
        refs.append((name if name is not None and folded.count(name.casefold()) == 1 else network_id, level))
    tags = tuple(sorted((str(t.get("tag")), canonical_level(t.get("access"))) for t in admin.get("tags") or []))
    return str(admin.get("orgAccess")), tuple(sorted(refs)), tags


def profile_name(org_access: str, networks: tuple, tags: tuple) -> str:
    """A readable name for adopted access, e.g. `Adopted: org read-only; tags branch=full`.

    Example:
        >>> profile_name("full", (), ())
        'Adopted: org full'
    """
    parts = [f"org {org_access}"]
    if networks:
        parts.append("networks " + ", ".join(f"{ref}={level}" for ref, level in networks))
    if tags:
        parts.append("tags " + ", ".join(f"{tag}={level}" for tag, level in tags))
    return ("Adopted: " + "; ".join(parts))[:PROFILE_NAME_LENGTH]


def _unique_name(wanted: str, taken: set[str]) -> str:
    name, number = wanted, 2
    while name.casefold() in taken:
        suffix = f" #{number}"
        name, number = wanted[: PROFILE_NAME_LENGTH - len(suffix)] + suffix, number + 1
    return name


def propose(
    reads: list[tuple[Organization, list[dict], list[dict], list[dict]]],
    covered: dict[str, set[str]],
    profiles: list[Profile],
    covered_roles: dict[str, set[str]] | None = None,
) -> Adoption:
    """The adoption of every uncovered admin and SAML role in the organizations read.

    `reads`: (organization, admins, SAML roles, networks) per organization.
    `covered`: organization ID -> casefolded emails a grant or an exemption already covers there (left alone);
    `covered_roles`: organization ID -> SAML role names a grant already covers there; `profiles`: the existing
    profiles (one with identical access is reused, and their names are taken).

    Example:
        >>> org = Organization("1", "Acme")
        >>> adoption = propose([(org, [{"email": "a@x.org", "name": "A", "orgAccess": "full"}], [], [])], {}, [])
        >>> [p.name for p in adoption.new_profiles], [(g.email, g.profile, g.organization_ids) for g in adoption.grants]
        (['Adopted: org full'], [('a@x.org', 'Adopted: org full', ['1'])])
    """
    adoption = Adoption()
    by_access = {(p.org_access, tuple(sorted(p.networks)), tuple(sorted(p.tags))): p.name for p in profiles}
    taken = {p.name.casefold() for p in profiles}
    grants: dict[tuple[str, str, str], ProposedGrant] = {}

    def problem(org: Organization, access: tuple, networks: list[dict]) -> str:
        """Why this access cannot become a profile that resolves in this organization ("" when it can)."""
        networks_given = [{"network": ref, "access": level} for ref, level in access[1]]
        tags_given = [{"tag": tag, "access": level} for tag, level in access[2]]
        errors = [
            org_access_error(access[0]) or "",
            *privilege_errors(networks_given, "network"),
            *privilege_errors(tags_given, "tag"),
        ]
        if not any(errors):
            errors = desired_access(Profile("", *access), networks, org)[1]
        return " ".join(error for error in errors if error)

    def profile_for(item: dict, networks: list[dict], org: Organization, who: str) -> str | None:
        access = access_of(item, networks)
        why = problem(org, access, networks)
        if why:
            adoption.left_out.append(f"{org.id} ({org.name}): {who}: left ungranted, no profile describes it: {why}")
            return None
        if access not in by_access:
            name = _unique_name(profile_name(*access), taken)
            taken.add(name.casefold())
            by_access[access] = name
            adoption.new_profiles.append(Profile(name, access[0], access[1], access[2]))
        elif by_access[access] not in adoption.reused_profiles and all(
            p.name != by_access[access] for p in adoption.new_profiles
        ):
            adoption.reused_profiles.append(by_access[access])
        return by_access[access]

    for org, admins, roles, networks in reads:
        for admin in admins:
            email = str(admin.get("email", ""))
            if not email or email.casefold() in covered.get(org.id, set()):
                continue
            if email_errors(email, None):
                adoption.left_out.append(
                    f"{org.id} ({org.name}): {email}: left ungranted, not an email Nautobot accepts"
                )
                continue
            profile = profile_for(admin, networks, org, email)
            if profile is None:
                continue
            grant = grants.setdefault(
                (email.casefold(), "", profile), ProposedGrant(email, str(admin.get("name") or ""), profile)
            )
            grant.organization_ids.append(org.id)
        for role in roles:
            name = str(role.get("role", ""))
            if not name or name in (covered_roles or {}).get(org.id, set()):
                continue
            profile = profile_for(role, networks, org, f"SAML role {name}")
            if profile is None:
                continue
            grant = grants.setdefault(("", name, profile), ProposedGrant("", "", profile, saml_role=name))
            grant.organization_ids.append(org.id)
    adoption.grants = list(grants.values())
    return adoption
