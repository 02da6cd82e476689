"""Login security across organizations: read each one, check it against the baseline, and (Enforce) PUT what differs.

Organizations are read concurrently, each once. Enforcing sends one PUT per organization that does not meet the
baseline, carrying only the fields that differ, and never an IP restriction that would lock this Nautobot out
(`login_security.plan_enforcement`). A PUT whose reply was lost is confirmed by reading the settings again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.dashboard.early_reads import EarlyReads, early_or_now
from nautobot_meraki_users.dashboard.fanout import fan_out
from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import DashboardError, failure_message
from nautobot_meraki_users.operations.engine import api_disabled_message
from nautobot_meraki_users.operations.login_security import Rule, as_text, check, flatten, plan_enforcement

COMPLIANT = "compliant"
NON_COMPLIANT = "non-compliant"
UPDATED = "updated"
UNCHANGED = "unchanged"
REFUSED = "refused"
FAILED = "failed"
FAILING = (FAILED, REFUSED)  # outcomes that fail the job


@dataclass
class PostureResult:
    """One organization's login security: the outcome, what fails the baseline, and (Enforce) what was sent."""

    organization_id: str
    organization_name: str
    outcome: str
    message: str = ""
    deviations: list[dict] = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    record: dict | None = field(default=None, repr=False)  # Meraki's settings as last read or written
    dashboard: str = ""

    def as_dict(self, labelled: bool = False) -> dict:
        """The result entry: organization, outcome, deviations, changes sent, message (and `dashboard`)."""
        entry = {
            "organization_id": self.organization_id,
            "organization_name": self.organization_name,
            "outcome": self.outcome,
            "deviations": self.deviations,
            "changes": self.changes,
            "message": self.message,
        }
        if labelled:
            entry["dashboard"] = self.dashboard
        return entry


def counts(results: list[PostureResult]) -> dict[str, int]:
    """How many organizations ended with each outcome."""
    return dict(Counter(result.outcome for result in results))


def _describe(deviations: list[dict]) -> str:
    return "; ".join(f"{d['field']} is {as_text(d['actual'])}, the baseline wants {d['expected']}" for d in deviations)


def _read(dashboard: Dashboards, org: Organization, early: EarlyReads | None = None) -> dict:
    if org.error or not org.api_enabled:
        raise DashboardError(org.error or api_disabled_message(org))
    return early_or_now(early, dashboard, org.id, lambda: dashboard.login_security(org.id))


def _failed(org: Organization, err: BaseException) -> PostureResult:
    message = failure_message(err)
    if org.api_enabled and not org.error:
        message = f"reading the login security of organization {org.id} failed: {message}"
    return PostureResult(org.id, org.name, FAILED, message, dashboard=org.dashboard)


def _checked(org: Organization, record: dict, rules: tuple[Rule, ...]) -> PostureResult:
    deviations = [deviation.as_dict() for deviation in check(record, rules)]
    if not deviations:
        return PostureResult(
            org.id, org.name, COMPLIANT, "meets the baseline", [], record=record, dashboard=org.dashboard
        )
    message = f"{len(deviations)} field(s) fail the baseline: {_describe(deviations)}"
    return PostureResult(org.id, org.name, NON_COMPLIANT, message, deviations, record=record, dashboard=org.dashboard)


def check_organizations(
    dashboard: Dashboards,
    orgs: list[Organization],
    rules: tuple[Rule, ...],
    concurrency: int,
    early: EarlyReads | None = None,
) -> list[PostureResult]:
    """Read each organization's login security and check it: compliant, non-compliant (each failing field), failed.

    `early`: the login security reads begun while the organization list was on its way (dashboard/early_reads).
    """
    return [
        _failed(done.item, done.error) if done.error is not None else _checked(done.item, done.value, rules)
        for done in fan_out(lambda org: _read(dashboard, org, early), orgs, concurrency)
    ]


def _holds(record: dict, body: dict) -> bool:
    """True when the settings hold every field of the PUT body (nested API-key restrictions included)."""
    now = flatten(record)
    return all(now.get(key) == value for key, value in flatten(body).items())


def _enforce_one(
    dashboard: Dashboards,
    org: Organization,
    rules: tuple[Rule, ...],
    caller_addresses: tuple[str, ...],
    dryrun: bool,
    early: EarlyReads | None = None,
) -> PostureResult:
    checked = _checked(org, _read(dashboard, org, early), rules)
    plan = plan_enforcement(checked.record or {}, rules, caller_addresses)
    refused = " ".join(plan.refused)
    if not plan.body:
        if refused:
            return PostureResult(
                org.id, org.name, REFUSED, refused, checked.deviations, record=checked.record, dashboard=org.dashboard
            )
        return PostureResult(
            org.id, org.name, UNCHANGED, "meets the baseline; nothing to change", record=checked.record,
            dashboard=org.dashboard,
        )  # fmt: skip
    fields = ", ".join(sorted(flatten(plan.body)))
    note = f" {refused}" if refused else ""
    if dryrun:
        message = f"dry run: would set {fields}.{note}"
        return PostureResult(
            org.id, org.name, REFUSED if refused else UPDATED, message, checked.deviations, plan.body,
            checked.record, org.dashboard,
        )  # fmt: skip
    try:
        written = dashboard.update_login_security(org.id, plan.body)
        confirmed = ""
    except DashboardError as err:  # the reply may be lost while the change landed: read again
        try:
            written = dashboard.login_security(org.id)
        except DashboardError:
            written = {}
        if not _holds(written, plan.body):
            message = f"could not set {fields}: {err.message}"
            return PostureResult(org.id, org.name, FAILED, message, checked.deviations, dashboard=org.dashboard)
        confirmed = " (confirmed by re-reading)"
    message = f"set {fields}: done{confirmed}.{note}"
    return PostureResult(
        org.id, org.name, REFUSED if refused else UPDATED, message, checked.deviations, plan.body, written,
        org.dashboard,
    )  # fmt: skip


def enforce_organizations(
    dashboard: Dashboards,
    orgs: list[Organization],
    rules: tuple[Rule, ...],
    caller_addresses: tuple[str, ...],
    dryrun: bool,
    concurrency: int,
    early: EarlyReads | None = None,
) -> list[PostureResult]:
    """Bring each organization's login security to the baseline: one PUT of the differing fields.

    None in a dry run; `refused` where an IP restriction would lock Nautobot out (the rest is still set).
    `early`: as for `check_organizations`; each PUT is planned from the organization's read, early or not.
    """
    return [
        _failed(done.item, done.error) if done.error is not None else done.value
        for done in fan_out(
            lambda org: _enforce_one(dashboard, org, rules, caller_addresses, dryrun, early), orgs, concurrency
        )
    ]
