"""The in-memory Dashboard, stored in Meraki's response shape.

Organizations with their networks, admins, SAML settings and roles, login security and change log, plus the owner
of each account's API key.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .records import ApiError

NETWORK_ACCESS_LEVELS = ("full", "read-only", "guest-ambassador", "monitor-only")
# A SAML role's network privileges may also be ``ssid-admin`` (createOrganizationSamlRole in the 1.42 spec); its tag
# privileges take the admins' levels.
SAML_NETWORK_ACCESS_LEVELS = (*NETWORK_ACCESS_LEVELS, "ssid-admin")
# The account of the key given to ``FakeDashboard(api_key=...)``; organizations are seen by it unless told otherwise.
DEFAULT_ACCOUNT = "default"
# Admin ids of the API keys' owners start here (admins created through the fake start at 500001).
FIRST_OWNER_ADMIN_ID = 100000
# GET /organizations/{id}/loginSecurity of a new organization. Every ``enforce*`` switch is off, as in a new Meraki
# organization; the numbers are the values the Dashboard offers when a switch is turned on (the spec's example:
# passwords expire after 90 days, differ from the last 3, accounts lock after 3 failed logins, idle sessions end
# after 30 minutes). They are kept while a switch is off, so turning it on alone is enough.
DEFAULT_LOGIN_SECURITY: dict[str, Any] = {
    "enforcePasswordExpiration": False,
    "passwordExpirationDays": 90,
    "enforceDifferentPasswords": False,
    "numDifferentPasswords": 3,
    "enforceStrongPasswords": False,
    "enforceAccountLockout": False,
    "accountLockoutAttempts": 3,
    "enforceIdleTimeout": False,
    "idleTimeoutMinutes": 30,
    "enforceTwoFactorAuth": False,
    "enforceLoginIpRanges": False,
    "loginIpRanges": [],
    "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": False, "ranges": []}},
}
# Login security numbers that must be at least 1.
LOGIN_SECURITY_COUNTS = (
    "passwordExpirationDays",
    "numDifferentPasswords",
    "accountLockoutAttempts",
    "idleTimeoutMinutes",
)


def short_code(value: str) -> str:
    """A stable 6-character code standing in for Meraki's obfuscated ids in dashboard URLs."""
    return hashlib.sha256(value.encode()).hexdigest()[:6]


def iso(moment: datetime) -> str:
    """Format a timestamp the way Meraki does (UTC, ``Z`` suffix)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default_accounts() -> set[str]:
    return {DEFAULT_ACCOUNT}


def default_login_security() -> dict[str, Any]:
    """A new organization's login security (a fresh copy of ``DEFAULT_LOGIN_SECURITY``)."""
    return copy.deepcopy(DEFAULT_LOGIN_SECURITY)


@dataclass
class KeyOwner:
    """The Dashboard user an account's API key belongs to: GET /administered/identities/me, and the change log.

    Attributes:
        admin_id: Their admin id, the ``adminId`` of the change log entries of the key's writes.
        name: Display name.
        email: Login email.
        last_used_dashboard_at: When they last used the Dashboard UI (ISO 8601); None leaves it out.
        two_factor: Whether they log in with two-factor authentication.
    """

    admin_id: str
    name: str
    email: str
    last_used_dashboard_at: str | None = None
    two_factor: bool = False

    def change_log_fields(self) -> dict[str, str]:
        """The ``adminId``/``adminName``/``adminEmail`` of a change log entry made with the key."""
        return {"adminId": self.admin_id, "adminName": self.name, "adminEmail": self.email}

    def identity(self) -> dict[str, Any]:
        """The GET /administered/identities/me body (an email login; the key exists, it made the call)."""
        record: dict[str, Any] = {"name": self.name, "email": self.email}
        if self.last_used_dashboard_at is not None:
            record["lastUsedDashboardAt"] = self.last_used_dashboard_at
        record["authentication"] = {
            "mode": "email",
            "api": {"key": {"created": True}},
            "twoFactor": {"enabled": self.two_factor},
            "saml": {"enabled": False},
        }
        return record


def default_owner_email(account: str) -> str:
    """The owner email an account gets unless told otherwise, e.g. ``api-owner@default.example``."""
    label = re.sub(r"[^a-z0-9]+", "-", account.lower()).strip("-") or "account"
    return f"api-owner@{label}.example"


def default_owner_name(account: str) -> str:
    """The owner name an account gets unless told otherwise, e.g. ``API key owner (default)``."""
    return f"API key owner ({account})"


@dataclass
class Organization:
    """One organization and everything in it; ``record`` is the GET /organizations/{id} body.

    Attributes:
        record: The GET /organizations/{id} body.
        accessible: False hides the organization from every key.
        accounts: Names of the accounts (API keys) that see the organization.
        networks: Network records by id.
        admins: Admin records by id.
        changes: The configuration change log, oldest first.
        saml_enabled: GET /organizations/{id}/saml ``enabled``.
        saml_roles: SAML role records by id.
        login_security: The GET /organizations/{id}/loginSecurity body.
    """

    record: dict[str, Any]
    accessible: bool = True
    accounts: set[str] = field(default_factory=_default_accounts)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    admins: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    saml_enabled: bool = False
    saml_roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    login_security: dict[str, Any] = field(default_factory=default_login_security)

    @property
    def id(self) -> str:
        """The organization id."""
        return self.record["id"]

    @property
    def api_enabled(self) -> bool:
        """Organization > Settings > Dashboard API access (``api.enabled`` in GET /organizations)."""
        return bool(self.record.get("api", {}).get("enabled", True))

    def listed_for(self, account: str | None) -> bool:
        """Whether GET /organizations by this account lists the organization (API access disabled or not)."""
        return self.accessible and account in self.accounts

    def reachable_by(self, account: str | None) -> bool:
        """Whether this account may call into the organization: listed for it and API access enabled."""
        return self.listed_for(account) and self.api_enabled

    def admin_by_email(self, email: str) -> dict[str, Any] | None:
        """The admin with this email (compared case-insensitively), if any."""
        wanted = email.casefold()
        return next((admin for admin in self.admins.values() if admin["email"].casefold() == wanted), None)

    def check_privileges(
        self, networks: list[dict[str, Any]] | None, levels: tuple[str, ...] = NETWORK_ACCESS_LEVELS
    ) -> None:
        """Reject network privileges on networks this organization does not have.

        Args:
            networks: Privileges ``[{"id": ..., "access": ...}]``.
            levels: The access levels allowed (an admin's by default; SAML roles also allow ``ssid-admin``).

        Raises:
            ApiError: 400 naming the first problem.
        """
        for privilege in networks or []:
            if privilege["id"] not in self.networks:
                raise ApiError(400, f"Network with id '{privilege['id']}' not found in this organization")
            if privilege["access"] not in levels:
                allowed = ", ".join(f"'{level}'" for level in levels)
                raise ApiError(400, f"Network access '{privilege['access']}' must be one of {allowed}")

    def saml_role_by_name(self, role: str) -> dict[str, Any] | None:
        """The SAML role with this name (compared case-insensitively), if any."""
        wanted = role.casefold()
        return next((found for found in self.saml_roles.values() if found["role"].casefold() == wanted), None)

    def check_saml_role(self, role: str | None, networks: list[dict[str, Any]] | None, role_id: str = "") -> None:
        """Apply the Dashboard's rules to a SAML role about to be stored (the spec has checked the shapes).

        Role names are unique in an organization; they are compared case-insensitively, the safe assumption for
        a value matched against an identity provider's assertion.

        Args:
            role: The role name, or None when it does not change.
            networks: The network privileges, or None when they do not change.
            role_id: The id of the role being updated (empty for a new role).

        Raises:
            ApiError: 400 naming the first problem.
        """
        if role is not None:
            if not role.strip():
                raise ApiError(400, "Role can't be blank")
            taken = self.saml_role_by_name(role)
            if taken is not None and taken["id"] != role_id:
                raise ApiError(400, "Role has already been taken")
        self.check_privileges(networks, SAML_NETWORK_ACCESS_LEVELS)


class DashboardState:
    """All organizations plus id allocation. Not thread-safe: ``FakeDashboard`` holds the lock."""

    def __init__(self) -> None:
        """Start empty."""
        self.orgs: dict[str, Organization] = {}
        self.owners: dict[str, KeyOwner] = {}  # account name -> the owner of its API key
        self._admin_ids: dict[str, str] = {}
        self._next_admin_id = 500001
        self._next_owner_id = FIRST_OWNER_ADMIN_ID
        self._next_org_id = 900001
        self._next_network = 1
        self._next_saml_role = 1400000000001

    def org(self, org_id: str, *, visible: bool = True, account: str | None = DEFAULT_ACCOUNT) -> Organization:
        """An organization by id.

        Args:
            org_id: The id.
            visible: Treat organizations ``account`` cannot see, or whose API access is disabled, as missing.
            account: The calling account (ignored when ``visible`` is False); None sees nothing.

        Raises:
            ApiError: 404 Not found, as Meraki answers for missing and inaccessible organizations. An organization
                with API access disabled is still listed by GET /organizations (``api.enabled`` false), but every
                call into it answers 404 too: Meraki answers 404 rather than 403 so as not to reveal resources
                to a key that may not use them, as it does for a key without access.
        """
        org = self.orgs.get(org_id)
        if org is None or (visible and not org.reachable_by(account)):
            raise ApiError(404, "Not found")
        return org

    def listed(self, account: str | None) -> list[Organization]:
        """The organizations GET /organizations shows this account, in insertion order."""
        return [org for org in self.orgs.values() if org.listed_for(account)]

    def add_org(self, org: Organization, accounts: Iterable[str] | None = None) -> None:
        """Store an organization seen by ``accounts`` (None: the default account only).

        Raises:
            ValueError: The id is taken, or ``accounts`` is a single string (a likely mistake for a tuple).
        """
        if org.id in self.orgs:
            raise ValueError(f"organization {org.id!r} already exists")
        if isinstance(accounts, str):
            raise ValueError(f"accounts must be a collection of names, not the string {accounts!r}")
        org.accounts = set(accounts) if accounts is not None else _default_accounts()
        self.orgs[org.id] = org

    def new_org_id(self) -> str:
        """An unused organization id."""
        while str(self._next_org_id) in self.orgs:
            self._next_org_id += 1
        return str(self._next_org_id)

    def new_network_id(self) -> str:
        """An unused network id (``L_`` + digits, like Meraki's)."""
        taken = {net_id for org in self.orgs.values() for net_id in org.networks}
        while f"L_{self._next_network:012d}" in taken:
            self._next_network += 1
        return f"L_{self._next_network:012d}"

    def new_saml_role_id(self) -> str:
        """An unused SAML role id (digits, like Meraki's)."""
        while self.saml_role_id_taken(str(self._next_saml_role)):
            self._next_saml_role += 1
        return str(self._next_saml_role)

    def saml_role_id_taken(self, role_id: str) -> bool:
        """Whether any organization has a SAML role with this id (ids are unique across organizations)."""
        return any(role_id in org.saml_roles for org in self.orgs.values())

    def add_owner(self, account: str, email: str, name: str, last_used_dashboard_at: str | None) -> KeyOwner:
        """Record the owner of an account's API key; an email that is an admin already keeps its admin id.

        Args:
            account: The account name.
            email: The owner's email.
            name: The owner's name.
            last_used_dashboard_at: When they last used the Dashboard UI (ISO 8601), or None.

        Returns:
            The owner.
        """
        key = email.casefold()
        if key not in self._admin_ids:
            taken = set(self._admin_ids.values())
            while str(self._next_owner_id) in taken:
                self._next_owner_id += 1
            self._admin_ids[key] = str(self._next_owner_id)
        owner = KeyOwner(self._admin_ids[key], name, email, last_used_dashboard_at)
        self.owners[account] = owner
        return owner

    def admin_id_for(self, email: str) -> str:
        """The admin id of an email: one account per email, so the same id in every organization."""
        key = email.casefold()
        if key not in self._admin_ids:
            taken = set(self._admin_ids.values())
            while str(self._next_admin_id) in taken:
                self._next_admin_id += 1
            self._admin_ids[key] = str(self._next_admin_id)
        return self._admin_ids[key]

    def claim_admin_id(self, email: str, admin_id: str) -> None:
        """Bind an explicit admin id to an email (for seeding)."""
        owner = next((mail for mail, known in self._admin_ids.items() if known == admin_id), None)
        if owner not in (None, email.casefold()):
            raise ValueError(f"admin id {admin_id} already belongs to {owner}")
        self._admin_ids[email.casefold()] = admin_id


def organization_record(org_id: str, name: str) -> dict[str, Any]:
    """A GET /organizations/{id} body."""
    return {
        "id": org_id,
        "name": name,
        "url": f"https://n1.meraki.com/o/{short_code(org_id)}/manage/organization/overview",
        "api": {"enabled": True},
        "licensing": {"model": "co-term"},
        "cloud": {"region": {"name": "North America"}},
        "management": {"details": []},
    }


def network_record(
    org_id: str,
    network_id: str,
    name: str,
    tags: list[str],
    product_types: list[str],
    time_zone: str = "America/Los_Angeles",
    notes: str = "",
) -> dict[str, Any]:
    """A GET /organizations/{id}/networks item (``enrollmentString`` is left out: Meraki sends null there)."""
    return {
        "id": network_id,
        "organizationId": org_id,
        "name": name,
        "productTypes": sorted(product_types),
        "timeZone": time_zone,
        "tags": list(tags),
        "url": f"https://n1.meraki.com/{short_code(network_id)}/n/{short_code(name)}/manage/usage/list",
        "notes": notes,
        "isBoundToConfigTemplate": False,
    }


def admin_record(
    admin_id: str,
    email: str,
    name: str,
    org_access: str,
    *,
    tags: list[dict[str, str]] | None = None,
    networks: list[dict[str, str]] | None = None,
    account_status: str = "unverified",
    two_factor: bool = False,
    has_api_key: bool = False,
    last_active: str | None = None,
    authentication_method: str = "Email",
) -> dict[str, Any]:
    """A GET /organizations/{id}/admins item; ``lastActive`` is omitted when unknown (the spec wants a date-time)."""
    record: dict[str, Any] = {
        "id": admin_id,
        "name": name,
        "email": email,
        "orgAccess": org_access,
        "accountStatus": account_status,
        "twoFactorAuthEnabled": two_factor,
        "hasApiKey": has_api_key,
        "lastActive": last_active,
        "tags": copy.deepcopy(tags or []),
        "networks": copy.deepcopy(networks or []),
        "authenticationMethod": authentication_method,
    }
    if last_active is None:
        del record["lastActive"]
    return record


def saml_role_record(
    role_id: str,
    role: str,
    org_access: str,
    networks: list[dict[str, str]] | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A GET /organizations/{id}/samlRoles item.

    The 1.42 spec has no ``camera`` privileges on SAML roles (later API versions add them), so there are none.
    """
    return {
        "id": role_id,
        "role": role,
        "orgAccess": org_access,
        "networks": copy.deepcopy(networks or []),
        "tags": copy.deepcopy(tags or []),
    }


def merge_settings(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``current`` with the keys of ``changes`` applied: objects merge key by key, other values replace."""
    merged = copy.deepcopy(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_settings(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _valid_ip_range(entry: str) -> bool:
    """Whether ``entry`` is an IP address, a CIDR subnet or a range ``first-last`` (of one IP version)."""
    try:
        if "-" in entry:
            first, last = (ipaddress.ip_address(part.strip()) for part in entry.split("-", 1))
            return first.version == last.version and first <= last
        ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return False
    return True


def apply_login_security(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The login security after a PUT of ``changes`` (only the keys given change), checked by the Dashboard's rules.

    Args:
        current: The organization's login security.
        changes: The PUT body (the spec has checked its shape).

    Returns:
        The new login security (``current`` is not modified).

    Raises:
        ApiError: 400 naming the problems: a count below 1, an entry that is no IP address, range or CIDR subnet,
            or an IP restriction switched on with no ranges.
    """
    problems = [f"'{name}' must be greater than 0" for name in LOGIN_SECURITY_COUNTS if changes.get(name, 1) < 1]
    restrictions = changes.get("apiAuthentication", {}).get("ipRestrictionsForKeys", {})
    for where, entries in (("loginIpRanges", changes.get("loginIpRanges")), ("ranges", restrictions.get("ranges"))):
        problems += [
            f"'{entry}' in '{where}' is not a valid IP address, IP range or CIDR subnet"
            for entry in entries or []
            if not _valid_ip_range(entry)
        ]
    merged = merge_settings(current, changes)
    if merged["enforceLoginIpRanges"] and not merged["loginIpRanges"]:
        problems.append("'loginIpRanges' must not be empty while 'enforceLoginIpRanges' is true")
    keys = merged["apiAuthentication"]["ipRestrictionsForKeys"]
    if keys["enabled"] and not keys["ranges"]:
        problems.append("'apiAuthentication.ipRestrictionsForKeys.ranges' must not be empty while it is enabled")
    if problems:
        raise ApiError(400, *problems)
    return merged


def change_entry(
    moment: datetime,
    label: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    owner: KeyOwner,
) -> dict[str, Any]:
    """A configuration change log item for an API write by ``owner``'s key (null-valued attributes are left out)."""
    entry: dict[str, Any] = {"ts": iso(moment), **owner.change_log_fields(), "page": "via API", "label": label}
    if old is not None:
        entry["oldValue"] = json.dumps(old, separators=(",", ":"))
    if new is not None:
        entry["newValue"] = json.dumps(new, separators=(",", ":"))
    return entry
