"""What the write engine can change in an organization: its admins (keyed by email) or its SAML roles (by name).

A Resource tells the engine how to read the items, find one by its key, plan each action and send each write; the
engine's order (check everything first), idempotence, concurrency and lost-reply confirmation stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.operations.admins import find_admin, plan_create, plan_delete, plan_update
from nautobot_meraki_users.operations.saml_roles import find_role, plan_create_role, plan_delete_role, plan_update_role


@dataclass(frozen=True)
class Resource:
    """One kind of thing an operation changes; `noun` names it in messages, `update_job` is the job that changes it."""

    noun: str
    update_job: str
    read_state: Callable[[Dashboards, str, bool], tuple[list[dict], list[dict]]]  # (items, networks if asked)
    read: Callable[[Dashboards, str], list[dict]]
    find: Callable[[list[dict], str], dict | None]
    planners: dict[str, Callable]  # create / update: (request, items, network IDs); delete: (key, items)
    create: Callable[[Dashboards, str, dict], dict]
    update: Callable[[Dashboards, str, str, dict], dict]
    delete: Callable[[Dashboards, str, str], None]


ADMINS = Resource(
    noun="admin",
    update_job="Update Meraki User",
    read_state=lambda dashboard, org_id, with_networks: dashboard.organization_state(org_id, with_networks),
    read=lambda dashboard, org_id: dashboard.admins(org_id),
    find=find_admin,
    planners={"create": plan_create, "update": plan_update, "delete": plan_delete},
    create=lambda dashboard, org_id, body: dashboard.create_admin(org_id, body),
    update=lambda dashboard, org_id, item_id, body: dashboard.update_admin(org_id, item_id, body),
    delete=lambda dashboard, org_id, item_id: dashboard.delete_admin(org_id, item_id),
)

SAML_ROLES = Resource(
    noun="SAML role",
    update_job="Update Meraki SAML Role",
    read_state=lambda dashboard, org_id, with_networks: (
        dashboard.saml_roles(org_id),
        dashboard.networks(org_id) if with_networks else [],
    ),
    read=lambda dashboard, org_id: dashboard.saml_roles(org_id),
    find=find_role,
    planners={"create": plan_create_role, "update": plan_update_role, "delete": plan_delete_role},
    create=lambda dashboard, org_id, body: dashboard.create_saml_role(org_id, body),
    update=lambda dashboard, org_id, item_id, body: dashboard.update_saml_role(org_id, item_id, body),
    delete=lambda dashboard, org_id, item_id: dashboard.delete_saml_role(org_id, item_id),
)
