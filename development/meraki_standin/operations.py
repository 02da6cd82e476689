"""One handler per spec operation: read the validated call, change the state, return the reply.

Handlers run after authentication, routing, organization lookup and spec validation of the query and body, so they
only implement the Dashboard's own rules (duplicate emails and role names, unknown networks, filters, paging,
login security limits).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .paging import PageLimits, non_paging_params, paginate
from .records import ApiError, Reply
from .state import (
    DEFAULT_ACCOUNT,
    DashboardState,
    KeyOwner,
    Organization,
    admin_record,
    apply_login_security,
    change_entry,
    network_record,
    organization_record,
    saml_role_record,
)

ORGANIZATIONS_LIMITS = PageLimits(3, 9000, 9000)
NETWORKS_LIMITS = PageLimits(3, 100000, 1000)
CHANGES_LIMITS = PageLimits(3, 5000, 5000)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ADMIN_KEYS = ("name", "orgAccess", "tags", "networks")
SAML_ROLE_KEYS = ("role", "orgAccess", "tags", "networks")


@dataclass
class Call:
    """A request that passed authentication, routing and validation.

    Attributes:
        operation_id: The spec operation.
        params: Path parameters.
        query: Declared query parameters, coerced to their types.
        raw_query: The query as received (also holds parameters the 1.42 spec does not declare, like perPage on
            GET /organizations or networkIds[] on GET .../admins, which the current API and SDK use).
        body: Parsed JSON body or None.
        org: The organization named by the path, if the path names one.
        endpoint: URL of the requested path for Link headers (no query string).
        label: ``METHOD /api/v1/...`` as written in the change log.
        now: The current time.
        account: Name of the account whose API key made the request; ``org`` is one it sees.
        owner: The owner of that key (who the change log says made a change).
    """

    operation_id: str
    params: dict[str, str]
    query: dict[str, Any]
    raw_query: dict[str, str | list[str]]
    body: Any
    org: Organization | None
    endpoint: str
    label: str
    now: datetime
    account: str = DEFAULT_ACCOUNT
    owner: KeyOwner | None = None

    @property
    def organization(self) -> Organization:
        """The organization of the path (every org-scoped handler has one)."""
        assert self.org is not None
        return self.org

    @property
    def key_owner(self) -> KeyOwner:
        """The owner of the calling key (every authenticated call has one)."""
        assert self.owner is not None
        return self.owner


Handler = Callable[[DashboardState, Call], Reply]


def _page_reply(call: Call, items: list[dict[str, Any]], key: str, limits: PageLimits) -> Reply:
    page = paginate(
        items,
        key=lambda item: item[key],
        query=call.raw_query,
        limits=limits,
        endpoint=call.endpoint,
        other_params=non_paging_params(call.raw_query),
    )
    return Reply(200, page.items, {"Link": page.link})


def log_change(org: Organization, call: Call, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    """Append a change log entry; timestamps are kept strictly increasing so they can serve as paging tokens."""
    moment = call.now
    if org.changes:
        latest = datetime.strptime(org.changes[-1]["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=moment.tzinfo)
        moment = max(moment, latest + timedelta(microseconds=1))
    org.changes.append(change_entry(moment, call.label, old, new, call.key_owner))


def get_organizations(state: DashboardState, call: Call) -> Reply:
    """GET /organizations: the organizations the calling account can see."""
    visible = [org.record for org in state.listed(call.account)]
    return _page_reply(call, visible, "id", ORGANIZATIONS_LIMITS)


def create_organization(state: DashboardState, call: Call) -> Reply:
    """POST /organizations: the new organization is seen by the calling account."""
    org_id = state.new_org_id()
    org = Organization(organization_record(org_id, call.body["name"]))
    if "management" in call.body:
        org.record["management"] = {"details": list(call.body["management"].get("details", []))}
    state.add_org(org, accounts=(call.account,))
    log_change(org, call, None, org.record)
    return Reply(201, org.record)


def get_organization(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}."""
    return Reply(200, call.organization.record)


def update_organization(state: DashboardState, call: Call) -> Reply:
    """PUT /organizations/{organizationId}: name, management and api.enabled."""
    org = call.organization
    old = dict(org.record)
    body = call.body or {}
    if "name" in body:
        org.record["name"] = body["name"]
    if "management" in body:
        org.record["management"] = {"details": list(body["management"].get("details", []))}
    if "enabled" in body.get("api", {}):
        org.record["api"] = {"enabled": body["api"]["enabled"]}
    log_change(org, call, old, org.record)
    return Reply(200, org.record)


def delete_organization(state: DashboardState, call: Call) -> Reply:
    """DELETE /organizations/{organizationId}."""
    del state.orgs[call.organization.id]
    return Reply(204)


def get_organization_admins(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/admins, optionally filtered by ``networkIds[]``."""
    admins = list(call.organization.admins.values())
    wanted = call.raw_query.get("networkIds[]", call.raw_query.get("networkIds"))
    if wanted is not None:
        ids = set(wanted if isinstance(wanted, list) else [wanted])
        admins = [admin for admin in admins if ids & {privilege["id"] for privilege in admin["networks"]}]
    return Reply(200, admins)


def create_organization_admin(state: DashboardState, call: Call) -> Reply:
    """POST /organizations/{organizationId}/admins: a new admin stays ``unverified`` until they confirm by email."""
    org = call.organization
    body = call.body
    if not EMAIL_PATTERN.fullmatch(body["email"]):
        raise ApiError(400, "Email is invalid")
    if org.admin_by_email(body["email"]) is not None:
        raise ApiError(400, "Email has already been taken")
    org.check_privileges(body.get("networks"))
    admin = admin_record(
        state.admin_id_for(body["email"]),
        body["email"],
        body["name"],
        body["orgAccess"],
        tags=body.get("tags"),
        networks=body.get("networks"),
        authentication_method=body.get("authenticationMethod", "Email"),
    )
    org.admins[admin["id"]] = admin
    log_change(org, call, None, admin)
    return Reply(201, admin)


def _admin(org: Organization, admin_id: str) -> dict[str, Any]:
    admin = org.admins.get(admin_id)
    if admin is None:
        raise ApiError(404, "Not found")
    return admin


def update_organization_admin(state: DashboardState, call: Call) -> Reply:
    """PUT /organizations/{organizationId}/admins/{adminId}: only the keys given change; lists are replaced."""
    org = call.organization
    admin = _admin(org, call.params["adminId"])
    body = call.body or {}
    org.check_privileges(body.get("networks"))
    old = dict(admin)
    for key in ADMIN_KEYS:
        if key in body:
            admin[key] = copy.deepcopy(body[key])
    log_change(org, call, old, admin)
    return Reply(200, admin)


def delete_organization_admin(state: DashboardState, call: Call) -> Reply:
    """DELETE /organizations/{organizationId}/admins/{adminId}."""
    org = call.organization
    admin = _admin(org, call.params["adminId"])
    del org.admins[admin["id"]]
    log_change(org, call, admin, None)
    return Reply(204)


def _parse_time(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"'{name}' must be an ISO 8601 timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_organization_configuration_changes(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/configurationChanges: filters t0/t1/timespan, networkId, adminId."""
    end = _parse_time("t1", call.query["t1"]) if "t1" in call.query else None
    if "t0" in call.query:
        start = _parse_time("t0", call.query["t0"])
    else:
        start = (end or call.now) - timedelta(seconds=call.query.get("timespan", 365 * 24 * 3600))
    changes = [
        change
        for change in call.organization.changes
        if start <= _parse_time("ts", change["ts"]) <= (end or _parse_time("ts", change["ts"]))
        and call.query.get("networkId") in (None, change.get("networkId"))
        and call.query.get("adminId") in (None, change.get("adminId"))
    ]
    return _page_reply(call, changes, "ts", CHANGES_LIMITS)


def get_organization_networks(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/networks: filters tags[]/tagsFilterType, productTypes[], config templates."""
    networks = list(call.organization.networks.values())
    if "configTemplateId" in call.query or call.query.get("isBoundToConfigTemplate") is True:
        networks = []  # the fake has no configuration templates
    if call.query.get("tags"):
        tags = set(call.query["tags"])
        match_all = call.query.get("tagsFilterType") == "withAllTags"
        networks = [net for net in networks if (tags <= set(net["tags"]) if match_all else tags & set(net["tags"]))]
    product_types = call.raw_query.get("productTypes[]")
    if product_types:
        wanted = set(product_types if isinstance(product_types, list) else [product_types])
        networks = [net for net in networks if wanted & set(net["productTypes"])]
    return _page_reply(call, networks, "id", NETWORKS_LIMITS)


def create_organization_network(state: DashboardState, call: Call) -> Reply:
    """POST /organizations/{organizationId}/networks."""
    org = call.organization
    body = call.body
    source = body.get("copyFromNetworkId")
    if source is not None and source not in org.networks:
        raise ApiError(400, f"Network with id '{source}' not found in this organization")
    network = network_record(
        org.id,
        state.new_network_id(),
        body["name"],
        body.get("tags", []),
        body["productTypes"],
        body.get("timeZone", "America/Los_Angeles"),
        body.get("notes", ""),
    )
    org.networks[network["id"]] = network
    log_change(org, call, None, network)
    return Reply(201, network)


def get_organization_saml(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/saml."""
    return Reply(200, {"enabled": call.organization.saml_enabled})


def update_organization_saml(state: DashboardState, call: Call) -> Reply:
    """PUT /organizations/{organizationId}/saml: ``enabled`` when given (an empty body changes nothing)."""
    org = call.organization
    old = {"enabled": org.saml_enabled}
    org.saml_enabled = (call.body or {}).get("enabled", org.saml_enabled)
    new = {"enabled": org.saml_enabled}
    log_change(org, call, old, new)
    return Reply(200, new)


def get_organization_saml_roles(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/samlRoles (no paging, as in the spec)."""
    return Reply(200, list(call.organization.saml_roles.values()))


def create_organization_saml_role(state: DashboardState, call: Call) -> Reply:
    """POST /organizations/{organizationId}/samlRoles: role names are unique; networks must exist."""
    org = call.organization
    body = call.body
    org.check_saml_role(body["role"], body.get("networks"))
    role = saml_role_record(
        state.new_saml_role_id(), body["role"], body["orgAccess"], body.get("networks"), body.get("tags")
    )
    org.saml_roles[role["id"]] = role
    log_change(org, call, None, role)
    return Reply(201, role)


def _saml_role(org: Organization, role_id: str) -> dict[str, Any]:
    role = org.saml_roles.get(role_id)
    if role is None:
        raise ApiError(404, "Not found")
    return role


def get_organization_saml_role(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/samlRoles/{samlRoleId}."""
    return Reply(200, _saml_role(call.organization, call.params["samlRoleId"]))


def update_organization_saml_role(state: DashboardState, call: Call) -> Reply:
    """PUT /organizations/{organizationId}/samlRoles/{samlRoleId}: only the keys given change; lists are replaced."""
    org = call.organization
    role = _saml_role(org, call.params["samlRoleId"])
    body = call.body or {}
    org.check_saml_role(body.get("role"), body.get("networks"), role["id"])
    old = copy.deepcopy(role)
    for key in SAML_ROLE_KEYS:
        if key in body:
            role[key] = copy.deepcopy(body[key])
    log_change(org, call, old, role)
    return Reply(200, role)


def delete_organization_saml_role(state: DashboardState, call: Call) -> Reply:
    """DELETE /organizations/{organizationId}/samlRoles/{samlRoleId}."""
    org = call.organization
    role = _saml_role(org, call.params["samlRoleId"])
    del org.saml_roles[role["id"]]
    log_change(org, call, role, None)
    return Reply(204)


def get_organization_login_security(state: DashboardState, call: Call) -> Reply:
    """GET /organizations/{organizationId}/loginSecurity."""
    return Reply(200, call.organization.login_security)


def update_organization_login_security(state: DashboardState, call: Call) -> Reply:
    """PUT /organizations/{organizationId}/loginSecurity: only the keys given change (objects merge key by key)."""
    org = call.organization
    old = org.login_security
    org.login_security = apply_login_security(old, call.body or {})
    log_change(org, call, old, org.login_security)
    return Reply(200, org.login_security)


def get_administered_identities_me(state: DashboardState, call: Call) -> Reply:
    """GET /administered/identities/me: the owner of the calling key (no organization, so no per-org limit)."""
    return Reply(200, call.key_owner.identity())


HANDLERS: dict[str, Handler] = {
    "getOrganizations": get_organizations,
    "createOrganization": create_organization,
    "getOrganization": get_organization,
    "updateOrganization": update_organization,
    "deleteOrganization": delete_organization,
    "getOrganizationAdmins": get_organization_admins,
    "createOrganizationAdmin": create_organization_admin,
    "updateOrganizationAdmin": update_organization_admin,
    "deleteOrganizationAdmin": delete_organization_admin,
    "getOrganizationConfigurationChanges": get_organization_configuration_changes,
    "getOrganizationNetworks": get_organization_networks,
    "createOrganizationNetwork": create_organization_network,
    "getOrganizationSaml": get_organization_saml,
    "updateOrganizationSaml": update_organization_saml,
    "getOrganizationSamlRoles": get_organization_saml_roles,
    "createOrganizationSamlRole": create_organization_saml_role,
    "getOrganizationSamlRole": get_organization_saml_role,
    "updateOrganizationSamlRole": update_organization_saml_role,
    "deleteOrganizationSamlRole": delete_organization_saml_role,
    "getOrganizationLoginSecurity": get_organization_login_security,
    "updateOrganizationLoginSecurity": update_organization_login_security,
    "getAdministeredIdentitiesMe": get_administered_identities_me,
}
