"""Runs admin operations across organizations: read, check, plan, then (unless a dry run) apply.

The order guarantees the issue's promise: every input error, including a network or tag that does not
exist in one of the organizations, is found before the first write anywhere. A failure while reading or
writing one organization is reported for that organization and the others go on.

Organizations are read and changed concurrently (at most `concurrency` at once); each organization is read
once, however many operations touch it, and its own operations run one after another. Results keep the
order of the request.
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
from nautobot_meraki_users.fanout import fan_out


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


@dataclass(frozen=True)
class Operation:
    """One requested change for one email: create, update or delete (with `label`, e.g. "line 4", for imports)."""

    action: str
    email: str
    request: AdminRequest | None = None
    label: str = ""

    @property
    def needs_networks(self) -> bool:
        """True when planning needs the organization's networks (to resolve networks or tags)."""
        return self.request is not None and needs_networks(self.request.access)

    def plan(self, org: Organization, admins: list[dict], networks: list[dict]) -> tuple[Change, list[FieldError]]:
        """The change for this organization, and any input errors found against its state."""
        if self.action == "delete":
            return plan_delete(self.email, admins), []
        assert self.request is not None
        network_ids, errors = resolve_networks(self.request.access.networks or (), networks, org)
        errors += check_tags(self.request.access.tags or (), networks, org)
        planner = plan_create if self.action == "create" else plan_update
        if self.label:
            errors = [FieldError(f"{self.label}: {e.field}", e.message) for e in errors]
        return planner(self.request, admins, network_ids), errors


@dataclass
class Target:
    """One operation in one organization, with its planned change (or why it could not be planned)."""

    org: Organization
    operation: Operation
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


def _by_organization(targets: list[Target]) -> dict[str, list[Target]]:
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.org.id, []).append(target)
    return groups


def plan_targets(dashboard: Dashboard, targets: list[Target], concurrency: int) -> None:
    """Read each organization once (concurrently) and plan every target against it.

    Raises:
        InputError: every network or tag that does not exist where it is requested; nothing has been changed.
    """
    groups = _by_organization(targets)

    def read(org_targets: list[Target]) -> tuple[list[dict], list[dict]]:
        org = org_targets[0].org
        admins = dashboard.admins(org.id)
        networks = dashboard.networks(org.id) if any(t.operation.needs_networks for t in org_targets) else []
        return admins, networks

    input_errors: list[FieldError] = []
    for done in fan_out(read, list(groups.values()), concurrency):
        if done.error is not None:
            message = getattr(done.error, "message", None) or f"unexpected error: {type(done.error).__name__}"
            for target in done.item:
                target.error = f"reading organization {target.org.id} failed: {message}"
            continue
        admins, networks = done.value
        for target in done.item:
            target.change, errors = target.operation.plan(target.org, admins, networks)
            input_errors.extend(errors)
    if input_errors:
        raise InputError(input_errors)


def apply_targets(
    dashboard: Dashboard, targets: list[Target], dryrun: bool, concurrency: int
) -> list[OrganizationResult]:
    """Apply the planned changes (none in a dry run): organizations concurrently, one organization's in order.

    Returns one result per target, in the targets' order.
    """
    results: dict[int, OrganizationResult] = {}
    index = {id(target): position for position, target in enumerate(targets)}

    def apply(org_targets: list[Target]) -> None:
        for target in org_targets:
            if target.change is None:
                outcome = _failed(target.org, target.error)
            else:
                outcome = _apply_one(dashboard, target.org, target.change, target.operation.email, dryrun)
            results[index[id(target)]] = outcome

    for done in fan_out(apply, list(_by_organization(targets).values()), concurrency):
        if done.error is not None:  # a bug, not a Dashboard error: report it on every target left
            for target in done.item:
                results.setdefault(index[id(target)], _failed(target.org, f"unexpected error: {done.error!r}"))
    return [results[position] for position in range(len(targets))]


def run_operation(
    dashboard: Dashboard,
    orgs: list[Organization],
    operation: Operation,
    dryrun: bool,
    report: Reporter,
    concurrency: int = 1,
) -> Report:
    """Plan one operation in every organization, then apply it unless this is a dry run."""
    targets = [Target(org, operation) for org in orgs]
    plan_targets(dashboard, targets, concurrency)
    result = Report(dryrun=dryrun, organizations=apply_targets(dashboard, targets, dryrun, concurrency))
    for outcome in result.organizations:
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


def list_admins(
    dashboard: Dashboard, orgs: list[Organization], email: str | None, report: Reporter, concurrency: int = 1
) -> tuple[list[dict], list[OrganizationResult]]:
    """The admin rows of every organization (filtered by email), and one result per organization."""
    rows: list[dict] = []
    results: list[OrganizationResult] = []
    for done in fan_out(lambda org: filter_admins(dashboard.admins(org.id), email), orgs, concurrency):
        org = done.item
        if done.error is not None:
            message = getattr(done.error, "message", None) or f"unexpected error: {type(done.error).__name__}"
            outcome = _failed(org, f"reading organization {org.id} failed: {message}")
        else:
            rows.extend(admin_row(org, admin) for admin in done.value)
            outcome = OrganizationResult(org.id, org.name, Outcome.LISTED, "", f"{len(done.value)} admin(s)")
        results.append(outcome)
        report(outcome)
    return rows, results
