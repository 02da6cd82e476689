"""Several Dashboard connections (Meraki accounts, clouds) seen as one: each organization reached through one client.

`Dashboards` offers the `Dashboard` methods the engine and the sync use, and routes each organization's calls to
the connection that reaches it: the first connection, in the settings' order, that sees it. An organization that
another connection sees too is worked on once, and says so (`Organization.also_seen_by`). A connection that could
not be set up (no key) or whose organization list failed (a rejected key) fails only its own organizations: those
the caller knew it by (`known`, from the inventory) are kept with their `error`, so that a job reports them as
failed and the sync keeps their rows; the connection itself is listed in `failed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from nautobot_meraki_users.dashboard.client import Dashboard
from nautobot_meraki_users.dashboard.fanout import fan_out
from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import DashboardError, failure_message


class Dashboards:
    """The selected Dashboard connections, in the settings' order, used as one client."""

    def __init__(
        self,
        clients: list[Dashboard],
        failed: dict[str, str] | None = None,
        known: Callable[[list[str]], dict[str, list[Organization]]] | None = None,
    ):
        """Use `clients` (open connections); `failed`: connection name -> why it could not be opened.

        `known(names)`: connection name -> the organizations it was last seen to reach (the inventory's), asked only
        when a connection failed: they are reported as failed with their connection's error.
        """
        self.clients = list(clients)
        self.failed: dict[str, str] = dict(failed or {})
        self._known = known or (lambda names: {})
        self._route: dict[str, Dashboard] = {}
        self._organizations: list[Organization] | None = None
        self._owners: dict[int, str] = {}

    def close(self) -> None:
        """Release every connection's HTTP connections."""
        for client in self.clients:
            client.close()

    def __enter__(self) -> Dashboards:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def organizations(self) -> list[Organization]:
        """Every organization the connections see (read once, concurrently), each once, in the connections' order.

        Raises:
            DashboardError: no connection could list its organizations (the message names each one's problem).
        """
        if self._organizations is not None:
            return self._organizations
        listed: dict[str, list[Organization]] = {}
        for done in fan_out(lambda client: client.organizations(), self.clients, len(self.clients)):
            if done.error is None:
                listed[done.item.name] = done.value
            else:
                self.failed[done.item.name] = failure_message(done.error)
        if not listed and self.failed:
            errors = list(self.failed.values())
            raise DashboardError(errors[0] if len(errors) == 1 else " ".join(errors))
        self._organizations = self._merge(listed)
        return self._organizations

    def _merge(self, listed: dict[str, list[Organization]]) -> list[Organization]:
        """One entry per organization: the first connection that sees it works on it; the others are noted."""
        seen_by: dict[str, list[str]] = {}
        first: dict[str, Organization] = {}
        for client in self.clients:
            for org in listed.get(client.name, []):
                seen_by.setdefault(org.id, []).append(client.name)
                if org.id not in first:
                    first[org.id] = org
                    self._route[org.id] = client
        merged = [replace(org, also_seen_by=tuple(seen_by[org.id][1:])) for org in first.values()]
        known = self._known(list(self.failed)) if self.failed else {}
        for name, error in self.failed.items():  # a failed connection's organizations, as last known, fail
            for org in known.get(name, []):
                if org.id not in first:
                    first[org.id] = org
                    merged.append(replace(org, dashboard=name, error=error))
        return merged

    def client_for(self, organization_id: str) -> Dashboard:
        """The connection that works on the organization (after `organizations()`)."""
        try:
            return self._route[organization_id]
        except KeyError:
            raise DashboardError(f"organization {organization_id}: no Dashboard connection reaches it.") from None

    def key_owner(self, organization_id: str) -> str:
        """The email of the person whose API key reaches the organization (`GET /administered/identities/me`).

        Read once per connection. Raises DashboardError when it cannot be read, or when Meraki names no email.
        """
        client = self.client_for(organization_id)
        if id(client) not in self._owners:
            email = str(client.identity().get("email") or "")
            if not email:
                raise DashboardError(f"dashboard {client.name}: the API key's owner has no email in Meraki's answer.")
            self._owners[id(client)] = email
        return self._owners[id(client)]

    # The Dashboard methods the engine and the sync call, each routed to the organization's connection.

    def admins(self, organization_id: str) -> list[dict]:
        """The organization's dashboard administrators."""
        return self.client_for(organization_id).admins(organization_id)

    def networks(self, organization_id: str) -> list[dict]:
        """All networks of the organization."""
        return self.client_for(organization_id).networks(organization_id)

    def organization_state(self, organization_id: str, with_networks: bool = True) -> tuple[list[dict], list[dict]]:
        """The organization's admins and (when asked) networks."""
        return self.client_for(organization_id).organization_state(organization_id, with_networks)

    def create_admin(self, organization_id: str, body: dict) -> dict:
        """POST a new admin."""
        return self.client_for(organization_id).create_admin(organization_id, body)

    def update_admin(self, organization_id: str, admin_id: str, body: dict) -> dict:
        """PUT the given parts of an admin."""
        return self.client_for(organization_id).update_admin(organization_id, admin_id, body)

    def delete_admin(self, organization_id: str, admin_id: str) -> None:
        """DELETE an admin from the organization."""
        self.client_for(organization_id).delete_admin(organization_id, admin_id)

    def saml_enabled(self, organization_id: str) -> bool:
        """Whether SAML single sign-on is on for the organization."""
        return self.client_for(organization_id).saml_enabled(organization_id)

    def saml_roles(self, organization_id: str) -> list[dict]:
        """The organization's SAML roles."""
        return self.client_for(organization_id).saml_roles(organization_id)

    def login_security(self, organization_id: str) -> dict:
        """The organization's login security settings."""
        return self.client_for(organization_id).login_security(organization_id)

    def update_login_security(self, organization_id: str, body: dict) -> dict:
        """PUT the given login security fields."""
        return self.client_for(organization_id).update_login_security(organization_id, body)

    def create_saml_role(self, organization_id: str, body: dict) -> dict:
        """POST a new SAML role."""
        return self.client_for(organization_id).create_saml_role(organization_id, body)

    def update_saml_role(self, organization_id: str, role_id: str, body: dict) -> dict:
        """PUT the given parts of a SAML role."""
        return self.client_for(organization_id).update_saml_role(organization_id, role_id, body)

    def delete_saml_role(self, organization_id: str, role_id: str) -> None:
        """DELETE a SAML role."""
        self.client_for(organization_id).delete_saml_role(organization_id, role_id)
