"""Pure domain logic for Meraki dashboard administrators: parse and check requests, plan changes.

No I/O here: functions take the Dashboard's current state as plain dicts (the shapes of Meraki's
API) and return values. Emails are compared case-insensitively, as the Dashboard does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import FieldError, InputError

ORG_ACCESS_LEVELS = ("full", "read-only", "enterprise", "none")
PRIVILEGE_LEVELS = ("full", "read-only", "guest-ambassador", "monitor-only")
DEFAULT_ACCESS = "read-only"
EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and what the inventory stores
ALL_ORGANIZATIONS = "all"
NO_PRIVILEGES = "none"  # `meraki_network` / `meraki_tags`: remove every network (tag) privilege


class Outcome(StrEnum):
    """What happened (or, in a dry run, would happen) to one admin in one organization."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    ABSENT = "absent"
    CONFLICT = "conflict"
    FAILED = "failed"
    LISTED = "listed"


@dataclass(frozen=True)
class OrganizationSelector:
    """Which organizations a job works on: every visible one (`all`) or explicit IDs."""

    all: bool
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessRequest:
    """The access part of a create or update: org level plus optional network and tag privileges.

    `None` means "not given" (update keeps the admin's current value); an empty tuple of networks (tags) means
    "none": no network (tag) privileges.
    """

    org_access: str | None = None
    networks: tuple[str, ...] | None = None
    network_access: str | None = None
    tags: tuple[str, ...] | None = None
    tag_access: str | None = None


@dataclass(frozen=True)
class AdminRequest:
    """A checked create or update request for one email."""

    email: str
    name: str | None
    access: AccessRequest


@dataclass
class Change:
    """The plan for one organization: the outcome and, for a write, the request to send."""

    outcome: Outcome
    message: str
    admin_id: str = ""
    method: str | None = None
    body: dict = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        """True when applying this change sends a POST, PUT or DELETE."""
        return self.method is not None


# ---------------------------------------------------------------------------------------------------------------------
# Parsing and checking job input
# ---------------------------------------------------------------------------------------------------------------------


def is_blank(value: object) -> bool:
    """True for None, empty strings and strings of spaces (how an omitted REST/form field arrives)."""
    return value is None or (isinstance(value, str) and not value.strip())


def split_list(value: object) -> tuple[str, ...]:
    """Split a comma-separated string (or a list) into stripped, non-empty, de-duplicated items.

    Example:
        >>> split_list(" N_1, HQ ,,N_1")
        ('N_1', 'HQ')
    """
    if is_blank(value):
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def email_errors(
    value: object, email_pattern: re.Pattern[str] | None, field_name: str = "user_email"
) -> list[FieldError]:
    """The problems with an email input: blank, too long, not ASCII, bad syntax, or outside `email_pattern`.

    Pass `email_pattern=None` where the policy must not apply (an admin who already exists may be changed or
    removed whatever their email).
    """
    if is_blank(value):
        return [FieldError(field_name, "is required. Give the admin's email address, e.g. jane@example.com.")]
    email = str(value).strip()
    if len(email) > EMAIL_MAX_LENGTH:
        return [
            FieldError(
                field_name,
                f"is {len(email)} characters long; an email address has at most {EMAIL_MAX_LENGTH}. "
                "Use the admin's real address.",
            )
        ]
    if not email.isascii():
        return [
            FieldError(
                field_name,
                f"{email!r} has non-ASCII characters; Meraki logins are ASCII addresses. Use the ASCII form "
                "(an international domain in its punycode form, e.g. jane@xn--bcher-kva.example).",
            )
        ]
    try:
        validate_email(email)
    except DjangoValidationError:
        return [FieldError(field_name, f"{email!r} is not a valid email address. Use the form name@example.com.")]
    if email_pattern is not None and not email_pattern.fullmatch(email):
        return [
            FieldError(
                field_name,
                f"{email!r} does not match the organisation's email policy (email_regex {email_pattern.pattern!r}). "
                "Use an address the policy allows.",
            )
        ]
    return []


def check_choice(field_name: str, value: object, choices: Iterable[str], default: str | None) -> str | None:
    """Return a valid choice, `default` when blank, or raise InputError listing the allowed values."""
    if is_blank(value):
        return default
    text = str(value).strip()
    choices = tuple(choices)
    if text not in choices:
        raise InputError([FieldError(field_name, f"{text!r} is not a valid choice. Use one of: {', '.join(choices)}.")])
    return text


def parse_organization_selector(value: object, field_name: str = "meraki_org_id") -> OrganizationSelector:
    """Parse `meraki_org_id`: one ID, several comma-separated IDs, or `all`.

    Example:
        >>> parse_organization_selector("123, 456")
        OrganizationSelector(all=False, ids=('123', '456'))
    """
    ids = split_list(value)
    if not ids:
        raise InputError(
            [FieldError(field_name, "is empty. Give an organization ID, several IDs separated by commas, or 'all'.")]
        )
    if any(item.lower() == ALL_ORGANIZATIONS for item in ids):
        if len(ids) > 1:
            raise InputError(
                [FieldError(field_name, "'all' cannot be combined with organization IDs. Give 'all' or a list of IDs.")]
            )
        return OrganizationSelector(all=True)
    bad = [item for item in ids if not re.fullmatch(r"[A-Za-z0-9_-]+", item)]
    if bad:
        raise InputError(
            [
                FieldError(
                    field_name,
                    f"{', '.join(repr(b) for b in bad)} is not an organization ID. Organization IDs are numbers like "
                    "'123456' (see Organization > Settings in the Dashboard, or run List Meraki Users with 'all').",
                )
            ]
        )
    return OrganizationSelector(all=False, ids=ids)


def check_allowed(
    selector: OrganizationSelector, allowed_ids: tuple[str, ...], field_name: str = "meraki_org_id"
) -> None:
    """Raise InputError when explicit organization IDs fall outside `allowed_organization_ids`."""
    if selector.all or not allowed_ids:
        return
    disallowed = [org_id for org_id in selector.ids if org_id not in allowed_ids]
    if disallowed:
        raise InputError(
            [
                FieldError(
                    field_name,
                    f"organization {', '.join(disallowed)} is not allowed for this app "
                    f"(allowed_organization_ids: {', '.join(allowed_ids)}). Use an allowed organization, or ask a "
                    "Nautobot administrator to add it to the allow-list.",
                )
            ]
        )


def select_organizations(
    selector: OrganizationSelector,
    visible: list[Organization],
    allowed_ids: tuple[str, ...],
    field_name: str = "meraki_org_id",
) -> list[Organization]:
    """Pick the organizations a job works on, in the order requested (or the Dashboard's order for `all`).

    `all` leaves out organizations whose API access is disabled; an explicit ID of one is kept (the engine
    reports it as failed without calling it). Explicit IDs were checked against `allowed_ids` when the input
    was parsed (`operations.inputs.parse_selector`), once.

    Raises:
        InputError: an explicit ID is not visible to the API key.
    """
    if selector.all:
        return [org for org in visible if org.api_enabled and (not allowed_ids or org.id in allowed_ids)]
    by_id = {org.id: org for org in visible}
    unknown = [org_id for org_id in selector.ids if org_id not in by_id]
    if unknown:
        raise InputError(
            [
                FieldError(
                    field_name,
                    f"organization {', '.join(unknown)} does not exist or this API key cannot see it. Check the ID, "
                    "or use 'all' to work on every organization the key can see.",
                )
            ]
        )
    return [by_id[org_id] for org_id in selector.ids]


def parse_access_request(
    data: dict,
    *,
    defaults: bool,
    network_levels: tuple[str, ...] = PRIVILEGE_LEVELS,
) -> AccessRequest:
    """Check the access inputs of a create (`defaults=True`: blanks become read-only) or an update (blank keeps).

    `network_levels`: the levels a network privilege may have (a SAML role's also include `ssid-admin`).

    Raises:
        InputError: every invalid access value, each naming its field.
    """
    default = DEFAULT_ACCESS if defaults else None
    errors: list[FieldError] = []
    values: dict[str, str | None] = {}
    for field_name, choices in (
        ("meraki_access_level", ORG_ACCESS_LEVELS),
        ("meraki_network_access", network_levels),
        ("meraki_tag_access", PRIVILEGE_LEVELS),
    ):
        try:
            values[field_name] = check_choice(field_name, data.get(field_name), choices, default)
        except InputError as err:
            errors.extend(err.errors)
    networks = _privilege_list(data, "meraki_network", "network", errors)
    tags = _privilege_list(data, "meraki_tags", "tag", errors)
    if errors:
        raise InputError(errors)
    return AccessRequest(
        org_access=values["meraki_access_level"],
        networks=networks,
        network_access=values["meraki_network_access"],
        tags=tags,
        tag_access=values["meraki_tag_access"],
    )


def _privilege_list(data: dict, field_name: str, kind: str, errors: list[FieldError]) -> tuple[str, ...] | None:
    """`meraki_network` / `meraki_tags`: None when blank, () for `none` (remove them all), else the items.

    Example:
        >>> _privilege_list({"meraki_tags": "None"}, "meraki_tags", "tag", [])
        ()
    """
    items = split_list(data.get(field_name))
    if not any(item.lower() == NO_PRIVILEGES for item in items):
        return items or None
    if len(items) > 1:
        hint = " (for a network named 'none', use its ID)" if kind == "network" else ""
        errors.append(
            FieldError(
                field_name,
                f"'none' cannot be combined with {kind} names. Give 'none' alone to remove every {kind} privilege, "
                f"or list the {kind}s{hint}.",
            )
        )
    return ()


# ---------------------------------------------------------------------------------------------------------------------
# Resolving names against one organization's state
# ---------------------------------------------------------------------------------------------------------------------


def find_admin(admins: list[dict], email: str) -> dict | None:
    """The admin with this email (case-insensitive), or None."""
    wanted = email.strip().casefold()
    return next((admin for admin in admins if str(admin.get("email", "")).casefold() == wanted), None)


def resolve_networks(
    refs: tuple[str, ...], networks: list[dict], org: Organization
) -> tuple[list[str], list[FieldError]]:
    """Turn network IDs or exact names into network IDs of this organization.

    Returns:
        The IDs found (in the order given) and one FieldError per reference that matches nothing or
        more than one network.
    """
    by_id = {str(net.get("id")): net for net in networks}
    ids: list[str] = []
    errors: list[FieldError] = []
    for ref in refs:
        if ref in by_id:
            ids.append(ref)
            continue
        named = [str(net.get("id")) for net in networks if net.get("name") == ref]
        if len(named) == 1:
            ids.append(named[0])
        elif not named:
            errors.append(
                FieldError(
                    "meraki_network",
                    f"no network {ref!r} in organization {org.id} ({org.name}). Use a network ID or the exact name "
                    "of a network in that organization.",
                )
            )
        else:
            errors.append(
                FieldError(
                    "meraki_network",
                    f"{len(named)} networks are named {ref!r} in organization {org.id} ({org.name}). Use the network "
                    f"ID instead: {', '.join(named)}.",
                )
            )
    return list(dict.fromkeys(ids)), errors


def check_tags(tags: tuple[str, ...], networks: list[dict], org: Organization) -> list[FieldError]:
    """One FieldError per tag that no network of this organization carries."""
    known = {str(tag) for net in networks for tag in (net.get("tags") or [])}
    return [
        FieldError(
            "meraki_tags",
            f"no network in organization {org.id} ({org.name}) has the tag {tag!r}. Tag a network with it in the "
            "Dashboard first, or use an existing tag (tags are case-sensitive).",
        )
        for tag in tags
        if tag not in known
    ]


def needs_networks(access: AccessRequest) -> bool:
    """True when checking this request needs the organization's networks (to resolve networks or tags)."""
    return bool(access.networks or access.tags)


# ---------------------------------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------------------------------


def privilege_map(items: list[dict] | None, key: str) -> dict[str, str]:
    """Privileges as {network ID or tag: level}."""
    return {str(item.get(key)): str(item.get("access")) for item in (items or [])}


def describe_access(admin: dict) -> str:
    """A short human description of an admin's access, for messages.

    Example:
        >>> describe_access({"orgAccess": "none", "networks": [{"id": "N_1", "access": "full"}], "tags": []})
        'org access none, networks N_1=full'
    """
    parts = [f"org access {admin.get('orgAccess')}"]
    networks = privilege_map(admin.get("networks"), "id")
    tags = privilege_map(admin.get("tags"), "tag")
    if networks:
        parts.append("networks " + ", ".join(f"{k}={v}" for k, v in sorted(networks.items())))
    if tags:
        parts.append("tags " + ", ".join(f"{k}={v}" for k, v in sorted(tags.items())))
    return ", ".join(parts)


def desired_privileges(
    current: dict | None, access: AccessRequest, network_ids: list[str]
) -> tuple[str, list[dict], list[dict]]:
    """The org access and network/tag privileges an admin should end with.

    Given parts replace the current ones; parts not given keep the current value. An access level given
    without its networks (or tags) re-levels the admin's current networks (or tags). Networks (or tags) given
    without a level keep the level the admin has on them; new ones get read-only.
    """
    current = current or {}
    org_access = access.org_access or current.get("orgAccess") or DEFAULT_ACCESS
    current_networks = [{"id": str(n.get("id")), "access": str(n.get("access"))} for n in current.get("networks") or []]
    current_tags = [{"tag": str(t.get("tag")), "access": str(t.get("access"))} for t in current.get("tags") or []]
    had_networks = privilege_map(current_networks, "id")
    had_tags = privilege_map(current_tags, "tag")
    if access.networks is not None and not access.networks:
        networks = []
    elif access.networks:
        networks = [
            {"id": net_id, "access": access.network_access or had_networks.get(net_id, DEFAULT_ACCESS)}
            for net_id in network_ids
        ]
    elif access.network_access:
        networks = [{"id": n["id"], "access": access.network_access} for n in current_networks]
    else:
        networks = current_networks
    if access.tags is not None and not access.tags:
        tags = []
    elif access.tags:
        tags = [{"tag": tag, "access": access.tag_access or had_tags.get(tag, DEFAULT_ACCESS)} for tag in access.tags]
    elif access.tag_access:
        tags = [{"tag": t["tag"], "access": access.tag_access} for t in current_tags]
    else:
        tags = current_tags
    return org_access, networks, tags


def same_access(admin: dict, org_access: str, networks: list[dict], tags: list[dict]) -> bool:
    """True when the admin already has exactly this org access and these network and tag privileges."""
    return (
        admin.get("orgAccess") == org_access
        and privilege_map(admin.get("networks"), "id") == privilege_map(networks, "id")
        and privilege_map(admin.get("tags"), "tag") == privilege_map(tags, "tag")
    )


def plan_create(request: AdminRequest, admins: list[dict], network_ids: list[str]) -> Change:
    """Plan creating an admin in one organization: create, unchanged (same access) or conflict."""
    org_access, networks, tags = desired_privileges(None, request.access, network_ids)
    existing = find_admin(admins, request.email)
    if existing is None:
        body: dict = {"email": request.email, "name": request.name or request.email, "orgAccess": org_access}
        if networks:
            body["networks"] = networks
        if tags:
            body["tags"] = tags
        return Change(
            Outcome.CREATED,
            f"create {request.email} with {describe_access(body)}",
            method="POST",
            body=body,
        )
    admin_id = str(existing.get("id", ""))
    if same_access(existing, org_access, networks, tags):
        return Change(
            Outcome.UNCHANGED,
            f"{request.email} already exists with {describe_access(existing)}; nothing to do",
            admin_id=admin_id,
        )
    wanted = describe_access({"orgAccess": org_access, "networks": networks, "tags": tags})
    return Change(
        Outcome.CONFLICT,
        f"{request.email} already exists with {describe_access(existing)} (requested: {wanted}). "
        "Use the Update Meraki User job to change an existing admin.",
        admin_id=admin_id,
    )


def plan_update(request: AdminRequest, admins: list[dict], network_ids: list[str]) -> Change:
    """Plan updating an admin in one organization: updated (only the changed parts), unchanged or absent."""
    existing = find_admin(admins, request.email)
    if existing is None:
        return Change(Outcome.ABSENT, f"{request.email} is not an admin of this organization; nothing to update")
    admin_id = str(existing.get("id", ""))
    org_access, networks, tags = desired_privileges(existing, request.access, network_ids)
    body: dict = {}
    if request.name and request.name != existing.get("name"):
        body["name"] = request.name
    if org_access != existing.get("orgAccess"):
        body["orgAccess"] = org_access
    if privilege_map(networks, "id") != privilege_map(existing.get("networks"), "id"):
        body["networks"] = networks
    if privilege_map(tags, "tag") != privilege_map(existing.get("tags"), "tag"):
        body["tags"] = tags
    if not body:
        return Change(
            Outcome.UNCHANGED,
            f"{request.email} already has {describe_access(existing)}; nothing to change",
            admin_id=admin_id,
        )
    levels_given = {"networks": request.access.network_access, "tags": request.access.tag_access}
    changed = ", ".join(
        f"{key} {existing.get(key)!r} -> {value!r}"
        if key in ("name", "orgAccess")
        else f"{key} -> {_describe_privileges(value, existing.get(key), key, levels_given[key])}"
        for key, value in body.items()
    )
    return Change(Outcome.UPDATED, f"update {request.email}: {changed}", admin_id=admin_id, method="PUT", body=body)


def _describe_privileges(wanted: list[dict], had: list[dict] | None, key: str, level_given: str | None) -> str:
    """The network (tag) privileges an update sends, e.g. `N_1=full (kept), N_2 (new: read-only)`.

    Without a given level, a network the admin had keeps its level ("kept") and a new one gets read-only.
    """
    if not wanted:
        return f"none (every {key[:-1]} privilege removed)"
    name = "id" if key == "networks" else "tag"
    before = privilege_map(had, name)
    parts = []
    for item in wanted:
        ref, level = str(item[name]), str(item["access"])
        if level_given:
            parts.append(f"{ref}={level}")
        elif ref in before:
            parts.append(f"{ref}={level} (kept)")
        else:
            parts.append(f"{ref} (new: {level})")
    return ", ".join(parts)


def plan_delete(email: str, admins: list[dict]) -> Change:
    """Plan removing an admin from one organization: removed or absent."""
    existing = find_admin(admins, email)
    if existing is None:
        return Change(Outcome.ABSENT, f"{email} is not an admin of this organization; nothing to remove")
    admin_id = str(existing.get("id", ""))
    return Change(
        Outcome.REMOVED,
        f"remove {email} ({describe_access(existing)})",
        admin_id=admin_id,
        method="DELETE",
    )


# ---------------------------------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------------------------------

LIST_COLUMNS = (
    "organization_id",
    "organization_name",
    "admin_id",
    "email",
    "name",
    "org_access",
    "account_status",
    "two_factor_auth_enabled",
    "has_api_key",
    "last_active",
    "authentication_method",
    "network_privileges",
    "tag_privileges",
)
DASHBOARD_COLUMN = "dashboard"  # last column of the job files when several Dashboard connections are configured


def list_columns(labelled: bool) -> tuple[str, ...]:
    """The List file's columns: LIST_COLUMNS, plus `dashboard` with several connections (`labelled`)."""
    return (*LIST_COLUMNS, DASHBOARD_COLUMN) if labelled else LIST_COLUMNS


def admin_values(admin: dict) -> dict:
    """The fields of a Meraki admin record under the app's names (the inventory's columns), typed.

    `last_active` stays Meraki's ISO text ("" when never active); privileges stay lists of dicts.
    """
    return {
        "email": str(admin.get("email", "")),
        "name": str(admin.get("name", "")),
        "org_access": str(admin.get("orgAccess", "")),
        "account_status": str(admin.get("accountStatus", "")),
        "two_factor_auth_enabled": bool(admin.get("twoFactorAuthEnabled", False)),
        "has_api_key": bool(admin.get("hasApiKey", False)),
        "last_active": str(admin.get("lastActive") or ""),
        "authentication_method": str(admin.get("authenticationMethod", "")),
        "network_privileges": [{"id": k, "access": v} for k, v in privilege_map(admin.get("networks"), "id").items()],
        "tag_privileges": [{"tag": k, "access": v} for k, v in privilege_map(admin.get("tags"), "tag").items()],
    }


def admin_row(org: Organization, admin: dict, labelled: bool = False) -> dict:
    """One row of the admin listing (the CSV columns, in `list_columns(labelled)` order).

    Network and tag privileges are written `ID=access` / `tag=access`, separated by `; `.
    """
    values = admin_values(admin)
    values["network_privileges"] = "; ".join(f"{p['id']}={p['access']}" for p in values["network_privileges"])
    values["tag_privileges"] = "; ".join(f"{p['tag']}={p['access']}" for p in values["tag_privileges"])
    row = {
        "organization_id": org.id,
        "organization_name": org.name,
        "admin_id": str(admin.get("id", "")),
        "dashboard": org.dashboard,
    }
    return {column: row[column] if column in row else values[column] for column in list_columns(labelled)}


def filter_admins(admins: list[dict], email: str | None) -> list[dict]:
    """The admins whose email equals `email` (case-insensitive); all of them when `email` is None."""
    if not email:
        return list(admins)
    wanted = email.casefold()
    return [admin for admin in admins if str(admin.get("email", "")).casefold() == wanted]
