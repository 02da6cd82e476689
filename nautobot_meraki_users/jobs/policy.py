"""The access policy's jobs: Check Meraki Access Drift, Enforce Meraki Access Policy, Adopt Current Meraki Access.

Their data keys and result shapes are a public REST contract: keep them exactly.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from nautobot.apps.jobs import BooleanVar, DryRunVar, StringVar

from nautobot_meraki_users.csv_safety import to_csv
from nautobot_meraki_users.inventory import policy_store, sync
from nautobot_meraki_users.jobs.base import MerakiUsersJob, as_bool, inventory_organizations, safe_selector
from nautobot_meraki_users.jobs.fields import OrganizationsVar, dashboard_var
from nautobot_meraki_users.log_text import log_safe
from nautobot_meraki_users.operations import adoption, drift, enforcement, engine, inputs
from nautobot_meraki_users.settings import AppSettings, load_settings

ORG_ID_HELP = "One organization ID, several IDs separated by commas, or 'all' (blank: all)."
FINDING_COLUMNS = (
    "organization_id", "organization_name", "email", "saml_role", "finding", "expected", "actual", "grant", "message",
)  # fmt: skip
CHANGE_COLUMNS = ("organization_id", "organization_name", "email", "saml_role", "action", "admin_id", "message")
FINDING_LEVELS = {"missing": logging.WARNING, "different": logging.WARNING, "unmanaged": logging.WARNING,
                  "expired": logging.WARNING, "unresolved": logging.ERROR}  # fmt: skip
FINDING_LOG_LINES = 500  # a large drift logs its first findings one by one, then counts per organization
CHANGE_LEVELS = {enforcement.FAILED: logging.ERROR, enforcement.SKIPPED: logging.WARNING}


class PolicyJob(MerakiUsersJob):
    """What the three policy jobs share: the organizations and optional email, the policy, the organizations' rows."""

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Organizations (blank: all) and an optional email; returns (selector, email or None)."""
        return inputs.parse_list(data, app_settings)

    def read_drift(
        self, app_settings: AppSettings, selector, email: str | None
    ) -> tuple[list[drift.OrganizationDrift], drift.Policy]:
        """Read every chosen organization and compare it with the policy (through `self.dashboards`, left open)."""
        policy = policy_store.load_policy(timezone.localdate(), email)
        orgs = engine.load_organizations(self.dashboards, selector, app_settings.allowed_organization_ids)
        return drift.read_drift(self.dashboards, orgs, policy, app_settings.concurrency), policy


class CheckAccessDrift(PolicyJob):
    """Compare the live Dashboard with the access policy; store and report every finding."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    user_email = StringVar(label="Email", description="Optional: check only this person.", required=False)
    fail_on_drift = BooleanVar(
        label="Fail on drift", description="Any finding makes the job fail (for alerts on failed scheduled jobs).",
        default=False,
    )  # fmt: skip
    dashboard = dashboard_var()

    class Meta:
        name = "Check Meraki Access Drift"
        description = "Read every organization's admins live and report where they differ from the access policy."
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "user_email", "fail_on_drift", "dashboard"]

    def run(self, fail_on_drift=False, **data):  # noqa: D102
        def body():
            app_settings = load_settings()
            selector, email = self.parse_input(data, app_settings)
            with self.open_dashboards(app_settings, data):
                drifts, _ = self.read_drift(app_settings, selector, email)
            # After the reads, not while they are in flight: database work in this thread then delays the reading
            # threads' paced requests into bunches that can pass Meraki's per-IP limit (429s were measured).
            stored, unknown = policy_store.store_findings(drifts, timezone.now(), email)
            self.log_drift(drifts)
            if unknown:
                self.logger.warning(
                    "The findings of %d organization(s) the inventory does not know yet were not stored (%s): run "
                    "Sync Meraki Inventory.", len(unknown), log_safe(", ".join(unknown)),
                )  # fmt: skip
            counts = drift.counts(drifts)
            rows = [
                {"organization_id": d.org.id, "organization_name": d.org.name, "saml_role": "", **finding.as_dict()}
                | ({"dashboard": d.org.dashboard} if self.labelled else {})
                for d in drifts
                for finding in d.findings
            ]
            columns = (*FINDING_COLUMNS, "dashboard") if self.labelled else FINDING_COLUMNS
            self.create_file(f"meraki-access-drift-{timezone.now():%Y%m%d-%H%M%S}.csv", to_csv(rows, columns))
            unread = [d.org.id for d in drifts if d.error]
            total = sum(counts.values())
            summary = f"Checked {len(drifts)} organization(s): " + (
                ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no drift"
            ) + f"; {stored} finding(s) stored."  # fmt: skip
            if as_bool(fail_on_drift) and total and not unread:
                self.fail(f"{total} finding(s) (fail_on_drift is on). {summary}")
            else:
                self.conclude(unread, len(drifts), "could not be read", summary)
            return {"organizations": [d.as_dict(self.labelled) for d in drifts], "counts": counts}

        return self.guarded(body, False, lambda: safe_selector(data, default="all"))

    def log_drift(self, drifts: list[drift.OrganizationDrift]) -> None:
        """One line per finding (emails masked by Nautobot) up to FINDING_LOG_LINES, then one per organization.

        The organization lines give its counts: every finding is in the result, the CSV and the findings list.
        One INSERT.
        """
        rows = inventory_organizations(d.org.id for d in drifts)
        lines, budget = [], FINDING_LOG_LINES
        for d in drifts:
            where, row = self.where(d.org.id, d.org.name, d.org.dashboard), rows.get(d.org.id)
            if d.error:
                lines.append((logging.ERROR, log_safe(f"{where}: failed: {d.error}"), row, d.org.id))
            elif not d.findings:
                lines.append((logging.INFO, log_safe(f"{where}: no drift"), row, d.org.id))
            elif len(d.findings) > budget:
                budget = 0
                counts = drift.counts([d])
                text = f"{where}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
                text += " (listed in the result, the CSV and Meraki > Policy > Findings)"
                level = max(FINDING_LEVELS[f.finding] for f in d.findings)
                lines.append((level, log_safe(text), row, d.org.id))
            else:
                budget -= len(d.findings)
                for f in d.findings:
                    who = f.email or f"SAML role {f.saml_role}"
                    text = f"{where}: {f.finding} {who}: expected {f.expected}; actual {f.actual}. {f.message}"
                    lines.append((FINDING_LEVELS[f.finding], log_safe(text), row, d.org.id))
        self.log_lines(lines)


class EnforceAccessPolicy(PolicyJob):
    """Bring the Dashboard to the access policy, never locking anyone out."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    user_email = StringVar(label="Email", description="Optional: enforce only this person.", required=False)
    remove_unmanaged = BooleanVar(
        label="Remove unmanaged admins",
        description="Also remove admins that no grant covers and no exemption protects.",
        default=False,
    )
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Enforce Meraki Access Policy"
        description = (
            "Create missing admins, fix different access, remove expired (and, when asked, unmanaged) access; never "
            "the API key's owner, the last full admin or an exempt person."
        )
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "user_email", "remove_unmanaged", "dashboard", "dryrun"]

    def run(self, dryrun=False, remove_unmanaged=False, **data):  # noqa: D102
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, email = self.parse_input(data, app_settings)
            with self.open_dashboards(app_settings, data) as dashboards:
                drifts, policy = self.read_drift(app_settings, selector, email)
                changes, results, role_results = drift.enforce(
                    dashboards, drifts, policy, as_bool(remove_unmanaged), dryrun, app_settings.concurrency
                )
            if not dryrun:
                sync.record_changes_or_warn(results, self.logger)
                sync.record_role_changes_or_warn(role_results, self.logger)
            self.log_changes(changes)
            rows = [change.as_dict(self.labelled) for change in changes]
            csv_rows = [{"saml_role": "", **row} for row in rows]
            columns = (*CHANGE_COLUMNS, "dashboard") if self.labelled else CHANGE_COLUMNS
            self.create_file(f"meraki-access-enforce-{timezone.now():%Y%m%d-%H%M%S}.csv", to_csv(csv_rows, columns))
            counts = drift.change_counts(changes)
            failed = sorted({f"{c.org.id} ({c.action})" for c in changes if c.action == enforcement.FAILED})
            self.conclude(
                failed,
                len(drifts),
                "failed",
                ("Dry run: " if dryrun else "Done: ")
                + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"),
            )
            return {"dryrun": dryrun, "changes": rows, "counts": counts}

        return self.guarded(body, dryrun, lambda: safe_selector(data, default="all"))

    def log_changes(self, changes: list[drift.PolicyChange]) -> None:
        """One line per change, linked to the organization; one INSERT."""
        rows = inventory_organizations(c.org.id for c in changes)
        lines = []
        for c in changes:
            who = f" {c.email}" if c.email else (f" SAML role {c.saml_role}" if c.saml_role else "")
            text = f"{self.where(c.org.id, c.org.name, c.org.dashboard)}:{who}: {c.action}: {c.message}"
            if c.admin_id:
                text += f" (Meraki admin ID {c.admin_id})"
            lines.append((CHANGE_LEVELS.get(c.action, logging.INFO), log_safe(text), rows.get(c.org.id), c.org.id))
        self.log_lines(lines)


class AdoptAccessPolicy(PolicyJob):
    """Describe today's access as profiles and grants, so that a team starts from reality and then tightens."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report the profiles and grants it would create, without creating them.")

    class Meta:
        name = "Adopt Current Meraki Access"
        description = (
            "Read the organizations and create the profiles and grants that describe today's access exactly "
            "(admins already granted or exempt are left alone)."
        )
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "dashboard", "dryrun"]

    def run(self, dryrun=False, **data):  # noqa: D102
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, _ = self.parse_input(data, app_settings)
            with self.open_dashboards(app_settings, data) as dashboards:
                orgs = engine.load_organizations(dashboards, selector, app_settings.allowed_organization_ids)
                reads, failed = drift.read_access(dashboards, orgs, app_settings.concurrency)
            existing = policy_store.profiles()
            emails, roles = policy_store.covered([read[0].id for read in reads])
            proposal = adoption.propose(reads, emails, existing, roles)
            if not dryrun:
                reason = f"Adopted from the Dashboard on {timezone.localdate()} (Adopt Current Meraki Access)."
                policy_store.save_adoption(proposal, {read[0].id: read[0] for read in reads}, reason)
            result = self.adoption_result(proposal, dryrun)
            self.log_adoption(result, dryrun)
            for why in proposal.left_out:
                self.logger.warning(log_safe(why), extra={"grouping": "left out"})
            for org_id, message in failed.items():
                self.logger.error(log_safe(message), extra={"grouping": org_id})
            self.conclude(
                list(failed),
                len(orgs),
                "could not be read",
                ("Dry run: would create " if dryrun else "Created ")
                + f"{len(proposal.new_profiles)} profile(s) and {len(proposal.grants)} grant(s)"
                + (
                    f"; reused {len(proposal.reused_profiles)} existing profile(s)."
                    if proposal.reused_profiles
                    else "."
                ),
            )
            return result

        return self.guarded(body, dryrun, lambda: safe_selector(data, default="all"))

    @staticmethod
    def adoption_result(proposal: adoption.Adoption, dryrun: bool) -> dict:
        """dryrun, profiles (each new or reused), grants, counts."""
        profiles = [
            {
                "name": p.name,
                "org_access": p.org_access,
                "network_privileges": [{"network": ref, "access": level} for ref, level in p.networks],
                "tag_privileges": [{"tag": tag, "access": level} for tag, level in p.tags],
                "action": "created",
            }
            for p in proposal.new_profiles
        ] + [{"name": name, "action": "reused"} for name in proposal.reused_profiles]
        grants = [
            {"email": g.email, "name": g.name, "profile": g.profile, "organizations": g.organization_ids,
             "action": "created"} | ({"saml_role": g.saml_role} if g.saml_role else {})
            for g in proposal.grants
        ]  # fmt: skip
        return {
            "dryrun": dryrun,
            "profiles": profiles,
            "grants": grants,
            "counts": {"profiles": len(proposal.new_profiles), "grants": len(proposal.grants)},
            "left_out": list(proposal.left_out),
        }

    def log_adoption(self, result: dict, dryrun: bool) -> None:
        """One line per profile and grant."""
        verb = "would create" if dryrun else "created"
        lines = []
        for p in result["profiles"]:
            text = f"profile {p['name']}: " + ("reused (same access)" if p["action"] == "reused" else verb)
            lines.append((logging.INFO, log_safe(text), None, "profiles"))
        for g in result["grants"]:
            who = g["email"] or f"SAML role {g.get('saml_role', '')}"
            text = f"grant {who}: {g['profile']} in {', '.join(g['organizations'])}: {verb}"
            lines.append((logging.INFO, log_safe(text), None, "grants"))
        self.log_lines(lines)


POLICY_JOBS = [CheckAccessDrift, EnforceAccessPolicy, AdoptAccessPolicy]
