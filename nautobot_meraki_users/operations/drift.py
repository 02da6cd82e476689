"""The access policy against the live Dashboard: read each organization once, find the drift, enforce it.

Reads: one admins list per organization, and its networks only where a grant that applies there names networks or
tags. Enforce writes through the write engine's `apply_targets` (rate budget, lost-reply confirmation, dry run):
it costs the check's reads plus one write per change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.dashboard.fanout import fan_out
from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import DashboardError, failure_message
from nautobot_meraki_users.operations import enforcement
from nautobot_meraki_users.operations.admins import Outcome
from nautobot_meraki_users.operations.engine import (
    Operation,
    OrganizationResult,
    Target,
    api_disabled_message,
    apply_targets,
)
from nautobot_meraki_users.operations.policy import (
    FINDINGS,
    Exemption,
    Finding,
    Grant,
    check_organization,
    check_saml_roles,
)
from nautobot_meraki_users.operations.resources import ADMINS, SAML_ROLES

WRITE_ACTIONS = {"POST": "create", "PUT": "update", "DELETE": "delete"}
ENGINE_ACTIONS = {Outcome.ABSENT: enforcement.UNCHANGED, Outcome.CONFLICT: enforcement.FAILED}


@dataclass(frozen=True)
class Policy:
    """The policy as values: the grants and exemptions, and the day it is judged on (`email`: one person only)."""

    grants: list[Grant]
    exemptions: list[Exemption]
    today: date
    email: str | None = None

    def grants_in(self, org_id: str) -> list[Grant]:
        """The grants that apply to the organization."""
        return [grant for grant in self.grants if grant.applies_to(org_id)]

    def exempt_in(self, org_id: str) -> set[str]:
        """The casefolded emails exempt in the organization."""
        return {e.email.casefold() for e in self.exemptions if e.applies_to(org_id)}

    def checks_saml_roles(self, org_id: str) -> bool:
        """True where a grant to a SAML role applies: there the SAML roles are read and checked too.

        A check of one person (`email`) leaves SAML roles out.
        """
        return self.email is None and any(grant.saml_role for grant in self.grants_in(org_id))

    def needs_networks(self, org_id: str) -> bool:
        """True when a live grant there names networks or tags (resolving them needs the networks)."""
        return any((g.profile.networks or g.profile.tags) and not g.expired(self.today) for g in self.grants_in(org_id))


@dataclass
class OrganizationDrift:
    """One organization as the check read it: its findings, or why it could not be read."""

    org: Organization
    findings: list[Finding] = field(default_factory=list)
    admins: list[dict] = field(default_factory=list)
    compliant: list[str] = field(default_factory=list)  # granted emails whose access matches
    error: str = ""
    compliant_roles: list[str] = field(default_factory=list)  # granted SAML roles whose access matches

    def as_dict(self, labelled: bool = False) -> dict:
        """The result entry: organization_id, organization_name, findings (and `error`, `dashboard` when so)."""
        entry = {
            "organization_id": self.org.id,
            "organization_name": self.org.name,
            "findings": [finding.as_dict() for finding in self.findings],
        }
        if self.error:
            entry["error"] = self.error
        if labelled:
            entry["dashboard"] = self.org.dashboard
        return entry


def counts(drifts: list[OrganizationDrift]) -> dict[str, int]:
    """How many findings of each kind (every kind listed, zero included)."""
    tally = dict.fromkeys(FINDINGS, 0)
    for drift in drifts:
        for finding in drift.findings:
            tally[finding.finding] += 1
    return tally


def _check(
    org: Organization, admins: list[dict], networks: list[dict], policy: Policy, roles: list[dict] | None = None
) -> OrganizationDrift:
    """One organization's findings (its SAML roles' too, when read) and who already matches the policy."""
    findings = check_organization(org, admins, networks, policy.grants_in(org.id), policy.exemptions, policy.today)
    if policy.email is not None:
        findings = [f for f in findings if f.email.casefold() == policy.email.casefold()]
    with_findings = {f.email.casefold() for f in findings}
    present = {str(a.get("email", "")).casefold() for a in admins}
    compliant = [
        g.email
        for g in policy.grants_in(org.id)
        if not g.expired(policy.today)
        and g.email.casefold() in present - with_findings
        and (policy.email is None or g.email.casefold() == policy.email.casefold())
    ]
    drift = OrganizationDrift(org, findings, admins, list(dict.fromkeys(compliant)))
    if roles is not None:
        role_findings = check_saml_roles(org, roles, networks, policy.grants_in(org.id), policy.today)
        named = {str(role.get("role", "")) for role in roles} - {f.saml_role for f in role_findings}
        drift.findings += role_findings
        drift.compliant_roles = list(dict.fromkeys(
            g.saml_role for g in policy.grants_in(org.id) if g.saml_role in named and not g.expired(policy.today)
        ))  # fmt: skip
    return drift


def read_drift(
    dashboards: Dashboards, orgs: list[Organization], policy: Policy, concurrency: int
) -> list[OrganizationDrift]:
    """Read every organization (concurrently) and compare it with the policy; a failed read is reported on it."""

    def read(org: Organization) -> OrganizationDrift:
        if org.error or not org.api_enabled:
            return OrganizationDrift(org, error=org.error or api_disabled_message(org))
        admins, networks = dashboards.organization_state(org.id, policy.needs_networks(org.id))
        roles = dashboards.saml_roles(org.id) if policy.checks_saml_roles(org.id) else None
        return _check(org, admins, networks, policy, roles)

    return [
        OrganizationDrift(done.item, error=f"reading organization {done.item.id} failed: {failure_message(done.error)}")
        if done.error is not None
        else done.value
        for done in fan_out(read, orgs, concurrency)
    ]


@dataclass
class PolicyChange:
    """One entry of Enforce's result: a person in an organization, what was (or would be) done, and why."""

    org: Organization
    email: str
    action: str
    admin_id: str = ""
    message: str = ""
    saml_role: str = ""  # a SAML role's change (`email` blank; `admin_id` is the role's Meraki ID)

    def as_dict(self, labelled: bool = False) -> dict:
        """organization_id, organization_name, email, action, admin_id, message (and `saml_role`, `dashboard`)."""
        entry = {
            "organization_id": self.org.id,
            "organization_name": self.org.name,
            "email": self.email,
            "action": self.action,
            "admin_id": self.admin_id,
            "message": self.message,
        }
        if self.saml_role:
            entry["saml_role"] = self.saml_role
        if labelled:
            entry["dashboard"] = self.org.dashboard
        return entry


def _key_owners(dashboards: Dashboards, drifts: list[OrganizationDrift]) -> dict[str, str]:
    """Organization ID -> the email of its connection's key owner (read once per connection); errors in `error`."""
    owners = {}
    for drift in drifts:
        if drift.error:
            continue
        try:
            owners[drift.org.id] = dashboards.key_owner(drift.org.id)
        except DashboardError as err:
            drift.error = f"who owns the API key could not be read, so nothing was changed here: {err.message}"
    return owners


def enforce(
    dashboards: Dashboards,
    drifts: list[OrganizationDrift],
    policy: Policy,
    remove_unmanaged: bool,
    dryrun: bool,
    concurrency: int,
) -> tuple[list[PolicyChange], list[OrganizationResult], list[OrganizationResult]]:
    """Plan every organization (guard rails included) and apply the writes (none in a dry run).

    Returns the result's changes, and the engine's results of the writes to admins and to SAML roles (for the
    inventory upkeep).
    """
    owners = _key_owners(dashboards, drifts)
    changes: list[PolicyChange] = []
    targets: list[tuple[Target, int]] = []
    for drift in drifts:
        if drift.error:
            changes.append(PolicyChange(drift.org, "", enforcement.FAILED, "", drift.error))
            continue
        people = [f for f in drift.findings if not f.saml_role]
        steps = enforcement.plan_organization(
            people,
            drift.admins,
            drift.compliant,
            owners[drift.org.id],
            policy.exempt_in(drift.org.id),
            remove_unmanaged,
        ) + enforcement.plan_saml_roles(
            [f for f in drift.findings if f.saml_role], drift.compliant_roles, remove_unmanaged
        )
        for step in steps:
            admin_id = step.change.admin_id if step.change else ""
            changes.append(PolicyChange(drift.org, step.email, step.action, admin_id, step.message, step.saml_role))
            if step.change is not None:
                action = WRITE_ACTIONS[step.change.method or "DELETE"]
                resource = SAML_ROLES if step.saml_role else ADMINS
                operation = Operation(action, step.saml_role or step.email, resource=resource)
                targets.append((Target(drift.org, operation, step.change), len(changes) - 1))
    results = apply_targets(dashboards, [target for target, _ in targets], dryrun, concurrency)
    admin_results, role_results = [], []
    for (target, position), result in zip(targets, results, strict=True):
        change = changes[position]
        change.action = ENGINE_ACTIONS.get(result.outcome, str(result.outcome))
        change.admin_id, change.message = result.admin_id or change.admin_id, result.message
        (role_results if target.operation.resource is SAML_ROLES else admin_results).append(result)
    return changes, admin_results, role_results


def change_counts(changes: list[PolicyChange]) -> dict[str, int]:
    """How many changes of each action."""
    return dict(Counter(change.action for change in changes))


def read_access(
    dashboards: Dashboards, orgs: list[Organization], concurrency: int
) -> tuple[list[tuple[Organization, list[dict], list[dict], list[dict]]], dict[str, str]]:
    """Each organization's admins and SAML roles, and its networks when one of them has network privileges.

    Returns the reads (organization, admins, SAML roles, networks), and organization ID -> why it could not be read.
    """

    def read(org: Organization) -> tuple[Organization, list[dict], list[dict], list[dict]]:
        if org.error or not org.api_enabled:
            raise DashboardError(org.error or api_disabled_message(org))
        admins, roles = dashboards.admins(org.id), dashboards.saml_roles(org.id)
        privileged = any(item.get("networks") or item.get("tags") for item in admins + roles)
        networks = dashboards.networks(org.id) if privileged else []  # to name networks and check the tags
        return org, admins, roles, networks

    reads, failed = [], {}
    for done in fan_out(read, orgs, concurrency):
        if done.error is not None:
            failed[done.item.id] = f"reading organization {done.item.id} failed: {failure_message(done.error)}"
        else:
            reads.append(done.value)
    return reads, failed
