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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from nautobot_meraki_users.dashboard.client import Dashboard
from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.dashboard.early_reads import EarlyReads, early_or_now
from nautobot_meraki_users.dashboard.fanout import Done, fan_out
from nautobot_meraki_users.errors import DashboardError, FieldError, InputError, failure_message, on_line
from nautobot_meraki_users.operations.admins import (
    AdminRequest,
    Change,
    Organization,
    OrganizationSelector,
    Outcome,
    admin_row,
    check_tags,
    describe_access,
    filter_admins,
    needs_networks,
    resolve_networks,
    same_access,
    select_organizations,
)
from nautobot_meraki_users.operations.resources import ADMINS, Resource
from nautobot_meraki_users.operations.saml_roles import RoleRequest


@dataclass
class OrganizationResult:
    """The outcome for one organization, as the job result reports it."""

    organization_id: str
    organization_name: str
    outcome: str
    admin_id: str = ""
    message: str = ""
    record: dict | None = field(default=None, repr=False, compare=False)  # Meraki's admin record after a write
    dashboard: str = ""  # the connection it was worked on through
    also_seen_by: tuple[str, ...] = ()  # other connections that see the organization (they left it alone)

    def as_dict(self, labelled: bool = False) -> dict:
        """The five keys of the REST contract.

        `labelled` (several connections): plus `dashboard`, and `also_seen_by` for an organization that other
        connections see too.
        """
        result = {
            "organization_id": self.organization_id,
            "organization_name": self.organization_name,
            "outcome": str(self.outcome),
            "admin_id": self.admin_id,
            "message": self.message,
        }
        if labelled:
            result["dashboard"] = self.dashboard
            if self.also_seen_by:
                result["also_seen_by"] = list(self.also_seen_by)
        return result

    def through(self, org: Organization) -> OrganizationResult:
        """This result, naming the connection the organization was worked on through (and the others that see it)."""
        self.dashboard, self.also_seen_by = org.dashboard, org.also_seen_by
        return self


# One organization's targets with their results, as they come.
ResultsCallback = Callable[[list[tuple["Target", "OrganizationResult"]]], None]


@dataclass
class Report:
    """What a write job did (or would do): one result per organization."""

    dryrun: bool
    organizations: list[OrganizationResult] = field(default_factory=list)
    skipped: list[Organization] = field(default_factory=list)  # left out of `all`: API access disabled

    @property
    def counts(self) -> dict[str, int]:
        """How many organizations ended with each outcome."""
        return dict(Counter(result.outcome for result in self.organizations))

    def as_dict(self, labelled: bool = False) -> dict:
        """The JSON result a script reads: dryrun, organizations, counts (and skipped_organizations, if any).

        `labelled` (several connections): each entry names its connection (`dashboard`).
        """
        result = {
            "dryrun": self.dryrun,
            "organizations": [result.as_dict(labelled) for result in self.organizations],
            "counts": self.counts,
        }
        if self.skipped:
            result["skipped_organizations"] = skipped_entries(self.skipped, labelled)
        return result


class Selection(list):
    """The organizations a job works on (a list), plus `skipped`: those `all` left out (API access disabled)."""

    def __init__(self, orgs: list[Organization], skipped: list[Organization] | None = None):
        """Hold `orgs` as the list's items."""
        super().__init__(orgs)
        self.skipped: list[Organization] = list(skipped or [])


def api_disabled_message(org: Organization) -> str:
    """Why an organization whose Dashboard API access is disabled is not worked on, and how to fix it."""
    return (
        f"API access is disabled for organization {org.name} ({org.id}): enable it in Organization > Settings > "
        "Dashboard API access."
    )


def skipped_entries(skipped: list[Organization], labelled: bool = False) -> list[dict]:
    """The `skipped_organizations` result entries: organization_id, organization_name, reason (and `dashboard`)."""
    entries = [
        {"organization_id": org.id, "organization_name": org.name, "reason": api_disabled_message(org)}
        for org in skipped
    ]
    if labelled:
        for entry, org in zip(entries, skipped, strict=True):
            entry["dashboard"] = org.dashboard
    return entries


def skipped_result(org: Organization) -> OrganizationResult:
    """The line a job logs for an organization `all` left out (it is not part of the result's organizations)."""
    result = OrganizationResult(org.id, org.name, "skipped", "", api_disabled_message(org) + " It was left out.")
    return result.through(org)


@dataclass(frozen=True)
class Operation:
    """One requested change: create, update or delete one admin, or one SAML role (`resource` SAML_ROLES).

    `email` is the admin's email, or the SAML role's name; `line`: the operation's line in an import file.
    """

    action: str
    email: str
    request: AdminRequest | RoleRequest | None = None
    line: int | None = None
    resource: Resource = ADMINS

    @property
    def needs_networks(self) -> bool:
        """True when planning needs the organization's networks (to resolve networks or tags)."""
        return self.request is not None and needs_networks(self.request.access)

    def plan(self, org: Organization, items: list[dict], networks: list[dict]) -> tuple[Change, list[FieldError]]:
        """The change for this organization, and any input errors found against its state."""
        planner = self.resource.planners[self.action]
        if self.action == "delete":
            return planner(self.email, items), []
        assert self.request is not None
        network_ids, errors = resolve_networks(self.request.access.networks or (), networks, org)
        errors += check_tags(self.request.access.tags or (), networks, org)
        if self.line is not None:
            errors = on_line(self.line, errors)
        return planner(self.request, items, network_ids), errors


@dataclass
class Target:
    """One operation in one organization, with its planned change (or why it could not be planned)."""

    org: Organization
    operation: Operation
    change: Change | None = None
    error: str = ""


def _failed(org: Organization, message: str) -> OrganizationResult:
    return OrganizationResult(org.id, org.name, Outcome.FAILED, "", message)


def visible_organizations(dashboard: Dashboards | Dashboard, named_ids: Iterable[str] = ()) -> list[Organization]:
    """The organizations the connections see; with a failed connection, each named ID none sees fails with its error.

    Such an ID may be the failed connection's: it is reported as failed (the others still run), not as a typo.
    """
    visible = dashboard.organizations()
    failed = getattr(dashboard, "failed", None)  # a single Dashboard client has no failed connections
    if not failed:
        return visible
    seen, why = {org.id for org in visible}, " ".join(failed.values())
    missing = dict.fromkeys(org_id for org_id in named_ids if org_id not in seen)
    return visible + [
        Organization(org_id, "", dashboard="", error=f"no working Dashboard connection sees it. {why}")
        for org_id in missing
    ]


def load_organizations(
    dashboard: Dashboards,
    selector: OrganizationSelector,
    allowed_ids: tuple[str, ...],
    field_name: str = "meraki_org_id",
) -> list[Organization]:
    """The organizations to work on (raises InputError for unknown or disallowed IDs, DashboardError on failure).

    With `all`, organizations whose API access is disabled are left out and listed in the result's `skipped`.
    """
    visible = visible_organizations(dashboard, () if selector.all else selector.ids)
    orgs = select_organizations(selector, visible, allowed_ids, field_name)
    skipped = [
        org for org in visible if selector.all and not org.api_enabled and (not allowed_ids or org.id in allowed_ids)
    ]
    return Selection(orgs, skipped)


def _by_organization(targets: list[Target]) -> dict[str, list[Target]]:
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.org.id, []).append(target)
    return groups


def _read(dashboard: Dashboards, group: list[Target], early: EarlyReads | None = None) -> tuple[list[dict], list[dict]]:
    """One organization's admins (or SAML roles), and its networks when an operation there needs them.

    `early`: reads the job began before the organization list arrived; this organization's is used when there is one.
    """
    org_id, resource = group[0].org.id, group[0].operation.resource
    with_networks = any(t.operation.needs_networks for t in group)
    return early_or_now(early, dashboard, org_id, lambda: resource.read_state(dashboard, org_id, with_networks))


def _readable(group: list[Target]) -> bool:
    """False for an organization that cannot be called (API access disabled, or its connection failed).

    Its targets fail now, and it is never called.
    """
    org = group[0].org
    if org.api_enabled and not org.error:
        return True
    for target in group:
        target.error = org.error or api_disabled_message(org)
    return False


def _plan_group(done: Done, input_errors: list[FieldError]) -> None:
    """Plan every target of one organization from its read (or mark them failed when the read failed)."""
    if done.error is not None:
        message = failure_message(done.error)
        for target in done.item:
            target.error = f"reading organization {target.org.id} failed: {message}"
        return
    admins, networks = done.value
    for target in done.item:
        target.change, errors = target.operation.plan(target.org, admins, networks)
        input_errors.extend(errors)


def plan_targets(
    dashboard: Dashboards, targets: list[Target], concurrency: int, early: EarlyReads | None = None
) -> None:
    """Read each organization once (concurrently) and plan every target against it.

    Raises:
        InputError: every network or tag that does not exist where it is requested; nothing has been changed.
    """
    input_errors: list[FieldError] = []
    groups = [group for group in _by_organization(targets).values() if _readable(group)]
    for done in fan_out(lambda group: _read(dashboard, group, early), groups, concurrency):
        _plan_group(done, input_errors)
    if input_errors:
        raise InputError(input_errors)


def _apply_group(dashboard: Dashboards, group: list[Target], dryrun: bool) -> list[OrganizationResult]:
    """Apply one organization's planned changes in order."""
    return [
        _failed(t.org, t.error) if t.change is None else _apply_one(dashboard, t.org, t.change, t.operation, dryrun)
        for t in group
    ]


def _group_results(done: Done) -> list[tuple[Target, OrganizationResult]]:
    """One organization's targets with their results; a group that raised (a bug) fails its targets."""
    pairs = []
    for position, target in enumerate(done.item):
        if done.error is not None:
            result = _failed(target.org, f"unexpected error: {done.error!r}")
        else:
            result = done.value[position]
        pairs.append((target, result.through(target.org)))
    return pairs


def _collect_results(targets: list[Target], groups: list[Done]) -> list[OrganizationResult]:
    """The groups' results back in the targets' order."""
    by_target = {id(target): result for done in groups for target, result in _group_results(done)}
    return [by_target[id(target)] for target in targets]


def _streamed(on_results: ResultsCallback | None):
    """fan_out's `on_done` for a caller that takes each organization's results as they come (or None)."""
    if on_results is None:
        return None
    return lambda done: on_results(_group_results(done))


def apply_targets(
    dashboard: Dashboards,
    targets: list[Target],
    dryrun: bool,
    concurrency: int,
    on_results: ResultsCallback | None = None,
) -> list[OrganizationResult]:
    """Apply the planned changes (none in a dry run): organizations concurrently, one organization's in order.

    Returns one result per target, in the targets' order. `on_results` gets each organization's targets and
    results as soon as they are there, in the caller's thread (see fan_out).
    """
    groups = list(_by_organization(targets).values())
    done = fan_out(lambda group: _apply_group(dashboard, group, dryrun), groups, concurrency, _streamed(on_results))
    return _collect_results(targets, done)


def execute_targets(
    dashboard: Dashboards,
    targets: list[Target],
    dryrun: bool,
    concurrency: int,
    on_results: ResultsCallback | None = None,
    early: EarlyReads | None = None,
) -> list[OrganizationResult]:
    """Read, plan and apply the targets with the fewest round trips that keep "check everything first".

    When no operation needs networks, reading an organization cannot reveal an input error, so each
    organization is read, planned and changed in one go (no wait for the slowest read before the first
    write). Otherwise every organization is read and planned first, and only then changed. `on_results`: see
    apply_targets; `early`: see _read.
    """
    if any(target.operation.needs_networks for target in targets):
        plan_targets(dashboard, targets, concurrency, early)
        return apply_targets(dashboard, targets, dryrun, concurrency, on_results)

    def read_plan_apply(group: list[Target]) -> list[OrganizationResult]:
        if not _readable(group):
            return _apply_group(dashboard, group, dryrun)
        try:
            read = Done(group, value=_read(dashboard, group, early))
        except Exception as err:  # noqa: BLE001 - reported on this organization's targets
            read = Done(group, error=err)
        _plan_group(read, [])  # without networks or tags to resolve, planning finds no input error
        return _apply_group(dashboard, group, dryrun)

    groups = list(_by_organization(targets).values())
    return _collect_results(targets, fan_out(read_plan_apply, groups, concurrency, _streamed(on_results)))


def run_operation(
    dashboard: Dashboards,
    orgs: list[Organization],
    operation: Operation,
    dryrun: bool,
    concurrency: int = 1,
    on_results: ResultsCallback | None = None,
    early: EarlyReads | None = None,
) -> Report:
    """Run one operation in every organization (see execute_targets; `on_results` and `early` there).

    Organizations that `all` left out (a Selection's `skipped`) are listed in the result.
    """
    targets = [Target(org, operation) for org in orgs]
    organizations = execute_targets(dashboard, targets, dryrun, concurrency, on_results, early)
    result = Report(dryrun=dryrun, organizations=organizations)
    result.skipped = list(getattr(orgs, "skipped", []))
    return result


def _apply_one(
    dashboard: Dashboards, org: Organization, change: Change, operation: Operation, dryrun: bool
) -> OrganizationResult:
    if not change.is_write or dryrun:
        prefix = "dry run: would " if dryrun and change.is_write else ""
        return OrganizationResult(org.id, org.name, change.outcome, change.admin_id, prefix + change.message)
    try:
        if change.method == "POST":
            created = operation.resource.create(dashboard, org.id, change.body)
            admin_id = str(created.get("id", ""))
            status = created.get("accountStatus")
            note = f" (account status {status}: the person must confirm by email)" if status == "unverified" else ""
            return OrganizationResult(
                org.id, org.name, change.outcome, admin_id, f"{change.message}: done{note}", record=created
            )
        if change.method == "PUT":
            updated = operation.resource.update(dashboard, org.id, change.admin_id, change.body)
            return OrganizationResult(
                org.id, org.name, change.outcome, change.admin_id, f"{change.message}: done", record=updated
            )
        operation.resource.delete(dashboard, org.id, change.admin_id)
    except DashboardError as err:
        if _may_have_landed(change.method, err):
            return _confirm_by_rereading(dashboard, org, change, operation, err)
        return OrganizationResult(
            org.id, org.name, Outcome.FAILED, change.admin_id, f"could not {change.message}: {err.message}"
        )
    return OrganizationResult(org.id, org.name, change.outcome, change.admin_id, f"{change.message}: done")


def _may_have_landed(method: str | None, err: DashboardError) -> bool:
    """True when a failed write may have been applied all the same: its reply (or a retry's) was lost.

    The SDK retries 5xx answers and transport errors for every method, so a retry meets the changed state:
    POST answers "Email (Role) has already been taken", DELETE answers 404. A 5xx or transport error (no status) that
    outlasted every retry leaves the outcome unknown too.
    """
    if err.status is None or err.status >= 500:
        return True
    if method == "POST":
        return err.status == 400 and "already been taken" in err.message
    return method == "DELETE" and err.status == 404


def _has_fields(admin: dict, body: dict) -> bool:
    """True when the admin (or SAML role) holds every part of a PUT body (name, org access, networks, tags)."""
    return body.get("name", admin.get("name")) == admin.get("name") and same_access(
        admin,
        body.get("orgAccess", admin.get("orgAccess")),
        body.get("networks", admin.get("networks") or []),
        body.get("tags", admin.get("tags") or []),
    )


def _confirm_by_rereading(
    dashboard: Dashboards, org: Organization, change: Change, operation: Operation, err: DashboardError
) -> OrganizationResult:
    """After a write whose outcome is unknown (see _may_have_landed): re-read, and report what happened.

    The admins (or SAML roles) are read again. The planned change is reported as done when the Dashboard now holds
    it (the item exists with the requested access, holds the updated parts, or is gone); otherwise the write failed
    with its own error.
    """
    failed = OrganizationResult(
        org.id, org.name, Outcome.FAILED, change.admin_id, f"could not {change.message}: {err.message}"
    )
    try:
        admins = operation.resource.read(dashboard, org.id)
    except DashboardError:
        return failed
    existing = operation.resource.find(admins, operation.email)
    if change.method == "DELETE":
        gone = existing is None and not any(str(a.get("id", "")) == change.admin_id for a in admins)
        if not gone:
            return failed
        return OrganizationResult(
            org.id, org.name, change.outcome, change.admin_id, f"{change.message}: done (confirmed by re-reading)"
        )
    if change.method == "PUT":
        if existing is None or str(existing.get("id", "")) != change.admin_id or not _has_fields(existing, change.body):
            return failed
        return OrganizationResult(
            org.id,
            org.name,
            change.outcome,
            change.admin_id,
            f"{change.message}: done (confirmed by re-reading)",
            record=existing,
        )
    return _confirm_create(org, change, operation, existing, failed)


def _confirm_create(
    org: Organization, change: Change, operation: Operation, existing: dict | None, failed: OrganizationResult
) -> OrganizationResult:
    """A POST whose outcome is unknown: a retried POST whose first reply was lost, or a concurrent create.

    If the admin now exists with the requested access, the create did happen.
    """
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
            record=existing,
        )
    if existing is not None:
        return OrganizationResult(
            org.id,
            org.name,
            Outcome.CONFLICT,
            str(existing.get("id", "")),
            f"{operation.email} was created meanwhile by someone else with {describe_access(existing)}. "
            f"Use the {operation.resource.update_job} job to change it.",
        )
    return replace(failed, admin_id="")


def list_admins(
    dashboard: Dashboards,
    orgs: list[Organization],
    email: str | None,
    concurrency: int = 1,
    labelled: bool = False,
    early: EarlyReads | None = None,
    on_done: Callable[[list[dict], OrganizationResult], None] | None = None,
) -> tuple[list[dict], list[OrganizationResult]]:
    """The admin rows of every organization (filtered by email), and one result per organization, in `orgs` order.

    `labelled` (several connections): each row names its connection (`dashboard`). `early`: see _read.
    `on_done(rows, result)`: called in the caller's thread with each organization's rows and result as they come.
    """
    listed: dict[int, tuple[list[dict], OrganizationResult]] = {}  # by position in `orgs`

    def read(number: int) -> list[dict]:
        org = orgs[number]
        if org.error or not org.api_enabled:
            raise DashboardError(org.error or api_disabled_message(org))
        return filter_admins(early_or_now(early, dashboard, org.id, lambda: dashboard.admins(org.id)), email)

    def done_with(done: Done) -> None:
        org, rows = orgs[done.item], []
        if done.error is not None and (org.error or not org.api_enabled):
            outcome = _failed(org, failure_message(done.error))
        elif done.error is not None:
            message = failure_message(done.error)
            outcome = _failed(org, f"reading organization {org.id} failed: {message}")
        else:
            rows = [admin_row(org, admin, labelled) for admin in done.value]
            outcome = OrganizationResult(org.id, org.name, Outcome.LISTED, "", f"{len(done.value)} admin(s)")
        listed[done.item] = (rows, outcome.through(org))
        if on_done is not None:
            on_done(*listed[done.item])

    fan_out(read, range(len(orgs)), concurrency, on_done=done_with)
    in_order = [listed[number] for number in range(len(orgs))]
    return [row for rows, _ in in_order for row in rows], [result for _, result in in_order]
