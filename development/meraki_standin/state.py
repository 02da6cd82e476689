"""The in-memory Dashboard: organizations, their networks, admins and change log, stored in Meraki's response shape."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .records import ApiError

NETWORK_ACCESS_LEVELS = ("full", "read-only", "guest-ambassador", "monitor-only")
# The account of the key given to ``FakeDashboard(api_key=...)``; organizations are seen by it unless told otherwise.
DEFAULT_ACCOUNT = "default"
# The identity the fake's API key belongs to, as shown in the change log.
KEY_OWNER = {"adminId": "100000", "adminName": "Stand-in API key owner", "adminEmail": "api-owner@standin.example"}


def short_code(value: str) -> str:
    """A stable 6-character code standing in for Meraki's obfuscated ids in dashboard URLs."""
    return hashlib.sha256(value.encode()).hexdigest()[:6]


def iso(moment: datetime) -> str:
    """Format a timestamp the way Meraki does (UTC, ``Z`` suffix)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default_accounts() -> set[str]:
    return {DEFAULT_ACCOUNT}


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
    """

    record: dict[str, Any]
    accessible: bool = True
    accounts: set[str] = field(default_factory=_default_accounts)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    admins: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

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

    def check_privileges(self, networks: list[dict[str, Any]] | None) -> None:
        """Reject network privileges on networks this organization does not have.

        Raises:
            ApiError: 400 naming the first problem.
        """
        for privilege in networks or []:
            if privilege["id"] not in self.networks:
                raise ApiError(400, f"Network with id '{privilege['id']}' not found in this organization")
            if privilege["access"] not in NETWORK_ACCESS_LEVELS:
                allowed = ", ".join(f"'{level}'" for level in NETWORK_ACCESS_LEVELS)
                raise ApiError(400, f"Network access '{privilege['access']}' must be one of {allowed}")


class DashboardState:
    """All organizations plus id allocation. Not thread-safe: ``FakeDashboard`` holds the lock."""

    def __init__(self) -> None:
        """Start empty."""
        self.orgs: dict[str, Organization] = {}
        self._admin_ids: dict[str, str] = {}
        self._next_admin_id = 500001
        self._next_org_id = 900001
        self._next_network = 1

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


def change_entry(
    moment: datetime, label: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> dict[str, Any]:
    """A configuration change log item for an API write (null-valued attributes are left out, see the spec)."""
    entry: dict[str, Any] = {"ts": iso(moment), **KEY_OWNER, "page": "via API", "label": label}
    if old is not None:
        entry["oldValue"] = json.dumps(old, separators=(",", ":"))
    if new is not None:
        entry["newValue"] = json.dumps(new, separators=(",", ":"))
    return entry
