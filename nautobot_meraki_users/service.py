"""Runs one admin operation across organizations: read, check, plan, then (unless a dry run) apply.

The order guarantees the issue's promise: every input error, including a network or tag that does not
exist in one of the organizations, is found before the first write anywhere. A failure while reading or
writing one organization is reported for that organization and the others go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from nautobot_meraki_users.admins import (
    AdminRequest,
    Change,
    Organization,
    OrganizationSelector,
    Outcome,
    admin_row,
    check_tags,
    describe_access,
    filter_admins,
    find_admin,
    needs_networks,
    plan_create,
    plan_delete,
    plan_update,
    resolve_networks,
    same_access,
    select_organizations,
)
from nautobot_meraki_users.dashboard import Dashboard
from nautobot_meraki_users.errors import DashboardError, FieldError, InputError


@dataclass
class OrganizationResult:
    """The outcome for one organization, as the job result reports it."""

    organization_id: str
    organization_name: str
    outcome: str
    admin_id: str = ""
    message: str = ""


@dataclass
class Report:
    """What a write job did (or would do): one result per organization."""

    dryrun: bool
    organizations: list[OrganizationResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many organizations ended with each outcome."""
        return dict(Counter(result.outcome for result in self.organizations))

    @property
    def failed(self) -> list[OrganizationResult]:
        """The organizations that failed."""
        return [result for result in self.organizations if result.outcome == Outcome.FAILED]

    def as_dict(self) -> dict:
        """The JSON result a script reads: dryrun, organizations, counts."""
        return {
            "dryrun": self.dryrun,
            "organizations": [asdict(result) for result in self.organizations],
            "counts": self.counts,
        }


# (result, change or None) -> None: the job logs one line per organization and change.
Reporter = Callable[[OrganizationResult], None]


@dataclass
class _OrgWork:
    org: Organization
    change: Change | None = None
    error: str = ""


def _failed(org: Organization, message: str) -> OrganizationResult:
    return OrganizationResult(org.id, org.name, Outcome.FAILED, "", message)


def load_organizations(
    dashboard: Dashboard,
    selector: OrganizationSelector,
    allowed_ids: tuple[str, ...],
    field_name: str = "meraki_org_id",
) -> list[Organization]:
    """The organizations to work on (raises InputError for unknown or disallowed IDs, DashboardError on failure)."""
    visible = dashboard.organizations()
    return select_organizations(selector, visible, allowed_ids, field_name)


def _plan_all(
    dashboard: Dashboard,
    orgs: list[Organization],
    plan: Callable[[Organization, list[dict], list[dict]], tuple[Change, list[FieldError]]],
    with_networks: bool,
) -> list[_OrgWork]:
    work: list[_OrgWork] = []
    input_errors: list[FieldError] = []
    for org in orgs:
        try:
            admins = dashboard.admins(org.id)
            networks = dashboard.networks(org.id) if with_networks else []
        except DashboardError as err:
            work.append(_OrgWork(org, error=f"reading organization {org.id} failed: {err.message}"))
            continue
        change, errors = plan(org, admins, networks)
        input_errors.extend(errors)
        work.append(_OrgWork(org, change=change))
    if input_errors:
        raise InputError(input_errors)
    return work


def _apply_all(
    dashboard: Dashboard,
    work: list[_OrgWork],
    email: str,
    dryrun: bool,
    report: Reporter,
) -> Report:
    result = Report(dryrun=dryrun)
    for item in work:
        org = item.org
        if item.change is None:
            outcome = _failed(org, item.error)
        else:
            outcome = _apply_one(dashboard, org, item.change, email, dryrun)
        result.organizations.append(outcome)
        report(outcome)
    return result


def _apply_one(dashboard: Dashboard, org: Organization, change: Change, email: str, dryrun: bool) -> OrganizationResult:
    if not change.is_write or dryrun:
        prefix = "dry run: would " if dryrun and change.is_write else ""
        return OrganizationResult(org.id, org.name, change.outcome, change.admin_id, prefix + change.message)
    try:
        if change.method == "POST":
            created = dashboard.create_admin(org.id, change.body)
            admin_id = str(created.get("id", ""))
            status = created.get("accountStatus")
            note = f" (account status {status}: the person must confirm by email)" if status == "unverified" else ""
            return OrganizationResult(org.id, org.name, change.outcome, admin_id, f"{change.message}: done{note}")
        if change.method == "PUT":
            dashboard.update_admin(org.id, change.admin_id, change.body)
        else:
            dashboard.delete_admin(org.id, change.admin_id)
    except DashboardError as err:
        if change.method == "POST" and err.status == 400 and "already been taken" in err.message:
            return _confirm_create(dashboard, org, change, email, err)
        return OrganizationResult(
            org.id, org.name, Outcome.FAILED, change.admin_id, f"could not {change.message}: {err.message}"
        )
    return OrganizationResult(org.id, org.name, change.outcome, change.admin_id, f"{change.message}: done")


def _confirm_create(
    dashboard: Dashboard, org: Organization, change: Change, email: str, err: DashboardError
) -> OrganizationResult:
    """After "Email has already been taken": a retried POST whose first reply was lost, or a concurrent create.

    Re-read the admins: if the admin now exists with the requested access, the create did happen.
    """
    try:
        existing = find_admin(dashboard.admins(org.id), email)
    except DashboardError:
        existing = None
    body = change.body
    if existing is not None and same_access(
        existing, body["orgAccess"], body.get("networks", []), body.get("tags", [])
    ):
        return OrganizationResult(
            org.id,
            org.name,
            change.outcome,
            str(existing.get("id", "")),
            f"{change.message}: done (confirmed by re-reading)",
        )
    if existing is not None:
        return OrganizationResult(
            org.id,
            org.name,
            Outcome.CONFLICT,
            str(existing.get("id", "")),
            f"{email} was created meanwhile by someone else with {describe_access(existing)}. "
            "Use the Update Meraki User job to change it.",
        )
    return OrganizationResult(org.id, org.name, Outcome.FAILED, "", f"could not {change.message}: {err.message}")


def create_admin(
    dashboard: Dashboard, orgs: list[Organization], request: AdminRequest, dryrun: bool, report: Reporter
) -> Report:
    """Create the admin in each organization (unchanged where it exists alike, conflict where it differs)."""

    def plan(org: Organization, admins: list[dict], networks: list[dict]) -> tuple[Change, list[FieldError]]:
        network_ids, errors = resolve_networks(request.access.networks or (), networks, org)
        errors += check_tags(request.access.tags or (), networks, org)
        return plan_create(request, admins, network_ids), errors

    work = _plan_all(dashboard, orgs, plan, needs_networks(request.access))
    return _apply_all(dashboard, work, request.email, dryrun, report)


def update_admin(
    dashboard: Dashboard, orgs: list[Organization], request: AdminRequest, dryrun: bool, report: Reporter
) -> Report:
    """Update the admin where it exists; no PUT where nothing would change."""

    def plan(org: Organization, admins: list[dict], networks: list[dict]) -> tuple[Change, list[FieldError]]:
        network_ids, errors = resolve_networks(request.access.networks or (), networks, org)
        errors += check_tags(request.access.tags or (), networks, org)
        return plan_update(request, admins, network_ids), errors

    work = _plan_all(dashboard, orgs, plan, needs_networks(request.access))
    return _apply_all(dashboard, work, request.email, dryrun, report)


def delete_admin(dashboard: Dashboard, orgs: list[Organization], email: str, dryrun: bool, report: Reporter) -> Report:
    """Remove the admin from each organization where it exists."""

    def plan(org: Organization, admins: list[dict], networks: list[dict]) -> tuple[Change, list[FieldError]]:
        return plan_delete(email, admins), []

    work = _plan_all(dashboard, orgs, plan, with_networks=False)
    return _apply_all(dashboard, work, email, dryrun, report)


def list_admins(
    dashboard: Dashboard, orgs: list[Organization], email: str | None, report: Reporter
) -> tuple[list[dict], list[OrganizationResult]]:
    """The admin rows of every organization (filtered by email), and one result per organization."""
    rows: list[dict] = []
    results: list[OrganizationResult] = []
    for org in orgs:
        try:
            admins = filter_admins(dashboard.admins(org.id), email)
        except DashboardError as err:
            outcome = _failed(org, f"reading organization {org.id} failed: {err.message}")
        else:
            rows.extend(admin_row(org, admin) for admin in admins)
            outcome = OrganizationResult(org.id, org.name, Outcome.LISTED, "", f"{len(admins)} admin(s)")
        results.append(outcome)
        report(outcome)
    return rows, results
