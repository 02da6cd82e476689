"""Planning SAML role changes in one organization (pure: no I/O), in the admin planner's style and words.

A SAML role is matched by its exact name, as Meraki does. Its access has the admins' shape (org access, network
and tag privileges), so the request and the "given parts replace, blank keeps" rules are the admins'. Values Meraki
writes in two ways (`port-tags` / `switchport`) compare equal: they never cause a needless PUT.
"""

from __future__ import annotations

from dataclasses import dataclass

from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.operations.admins import (
    PRIVILEGE_LEVELS,
    AccessRequest,
    Change,
    Outcome,
    desired_privileges,
    is_blank,
)

SAML_ROLE_MAX_LENGTH = 255
# What a SAML role's network privilege may be set to: API v1.42's values, and `port-tags`, which later API versions
# accept (and answer as `port-tags` or `switchport`).
SAML_NETWORK_LEVELS = (*PRIVILEGE_LEVELS, "ssid-admin", "port-tags")
SAME_LEVEL = {"switchport": "port-tags"}  # the API answers either spelling for the same privilege


@dataclass(frozen=True)
class RoleRequest:
    """A checked create or update request for one SAML role name."""

    role: str
    access: AccessRequest


def parse_role_name(value: object, field_name: str = "saml_role") -> str:
    """The SAML role name as given (surrounding spaces dropped; Meraki matches names exactly, case included).

    Example:
        >>> parse_role_name("  NOC read-only ")
        'NOC read-only'
    """
    if is_blank(value):
        raise InputError([FieldError(field_name, "is required. Give the SAML role's name, e.g. NOC read-only.")])
    if not isinstance(value, str):
        raise InputError([FieldError(field_name, 'must be text. Give it as a JSON string, e.g. "NOC read-only".')])
    name = value.strip()
    if len(name) > SAML_ROLE_MAX_LENGTH:
        raise InputError(
            [
                FieldError(
                    field_name, f"is {len(name)} characters long; the limit is {SAML_ROLE_MAX_LENGTH}. Shorten it."
                )
            ]
        )
    return name


def canonical_level(level: object) -> str:
    """A privilege level with Meraki's two spellings of one value made one.

    Example:
        >>> canonical_level("switchport") == canonical_level("port-tags")
        True
    """
    text = str(level)
    return SAME_LEVEL.get(text, text)


def _privileges(items: list[dict] | None, key: str) -> dict[str, str]:
    return {str(item.get(key)): canonical_level(item.get("access")) for item in (items or [])}


def find_role(roles: list[dict], name: str) -> dict | None:
    """The SAML role named exactly `name`, or None."""
    return next((role for role in roles if role.get("role") == name), None)


def describe_role(role: dict) -> str:
    """A short description of a role's access, e.g. `org access none, tags west=full`.

    Example:
        >>> describe_role({"orgAccess": "none", "networks": [], "tags": [{"tag": "west", "access": "full"}]})
        'org access none, tags west=full'
    """
    parts = [f"org access {role.get('orgAccess')}"]
    for key, name in (("networks", "id"), ("tags", "tag")):
        privileges = _privileges(role.get(key), name)
        if privileges:
            parts.append(f"{key} " + ", ".join(f"{k}={v}" for k, v in sorted(privileges.items())))
    return ", ".join(parts)


def _differences(role: dict, org_access: str, networks: list[dict], tags: list[dict]) -> dict:
    """The parts of a PUT body that differ from the role (levels compared in their canonical spelling)."""
    body: dict = {}
    if org_access != role.get("orgAccess"):
        body["orgAccess"] = org_access
    if _privileges(networks, "id") != _privileges(role.get("networks"), "id"):
        body["networks"] = networks
    if _privileges(tags, "tag") != _privileges(role.get("tags"), "tag"):
        body["tags"] = tags
    return body


def role_differences(role: dict, wanted: dict) -> dict:
    """The parts of `wanted` (orgAccess, networks, tags) the role lacks: the PUT body that makes it so; {} if none."""
    return _differences(role, wanted["orgAccess"], wanted["networks"], wanted["tags"])


def plan_create_role(request: RoleRequest, roles: list[dict], network_ids: list[str]) -> Change:
    """Create the role: created, unchanged (it exists with this access) or conflict (it exists with other access)."""
    org_access, networks, tags = desired_privileges(None, request.access, network_ids)
    existing = find_role(roles, request.role)
    wanted = {"role": request.role, "orgAccess": org_access, "networks": networks, "tags": tags}
    if existing is None:
        body = {key: value for key, value in wanted.items() if value or key in ("role", "orgAccess")}
        return Change(
            Outcome.CREATED, f"create SAML role {request.role!r} with {describe_role(body)}", "", "POST", body
        )
    role_id = str(existing.get("id", ""))
    if not _differences(existing, org_access, networks, tags):
        return Change(
            Outcome.UNCHANGED,
            f"SAML role {request.role!r} already exists with {describe_role(existing)}; nothing to do",
            role_id,
        )
    return Change(
        Outcome.CONFLICT,
        f"SAML role {request.role!r} already exists with {describe_role(existing)} "
        f"(requested: {describe_role(wanted)}). Use the Update Meraki SAML Role job to change an existing role.",
        role_id,
    )


def plan_update_role(request: RoleRequest, roles: list[dict], network_ids: list[str]) -> Change:
    """Update the role's given parts: updated (only what differs), unchanged, or absent."""
    existing = find_role(roles, request.role)
    if existing is None:
        return Change(Outcome.ABSENT, f"there is no SAML role {request.role!r} in this organization; nothing to update")
    role_id = str(existing.get("id", ""))
    body = _differences(existing, *desired_privileges(existing, request.access, network_ids))
    if not body:
        return Change(
            Outcome.UNCHANGED,
            f"SAML role {request.role!r} already has {describe_role(existing)}; nothing to change",
            role_id,
        )
    after = describe_role({**existing, **body})
    return Change(Outcome.UPDATED, f"update SAML role {request.role!r}: {after}", role_id, "PUT", body)


def plan_delete_role(name: str, roles: list[dict]) -> Change:
    """Delete the role: removed, or absent."""
    existing = find_role(roles, name)
    if existing is None:
        return Change(Outcome.ABSENT, f"there is no SAML role {name!r} in this organization; nothing to remove")
    return Change(
        Outcome.REMOVED, f"remove SAML role {name!r} ({describe_role(existing)})", str(existing.get("id", "")), "DELETE"
    )
