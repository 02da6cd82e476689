"""The app's Jobs: thin adapters that declare variables, check input, call the service and return a summary.

Their data keys are a public REST contract (`POST /api/extras/jobs/<id>/run/`): keep them exactly.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from nautobot.apps.jobs import ChoiceVar, DryRunVar, FileVar, StringVar, register_jobs

from nautobot_meraki_users.csv_safety import to_csv
from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.inventory import sync
from nautobot_meraki_users.jobs.base import (
    GROUPING,
    AdminOperationJob,
    MerakiUsersJob,
    ResultStream,
    as_bool,
    inventory_organizations,
    safe_selector,
)
from nautobot_meraki_users.jobs.fields import NetworksVar, OrganizationsVar, dashboard_var
from nautobot_meraki_users.jobs.policy import POLICY_JOBS, AdoptAccessPolicy, CheckAccessDrift, EnforceAccessPolicy
from nautobot_meraki_users.log_text import log_safe
from nautobot_meraki_users.operations import csv_import, engine, inputs, posture
from nautobot_meraki_users.operations.admins import (
    ORG_ACCESS_LEVELS,
    PRIVILEGE_LEVELS,
    OrganizationSelector,
    list_columns,
)
from nautobot_meraki_users.operations.resources import ADMINS, SAML_ROLES
from nautobot_meraki_users.operations.saml_roles import SAML_NETWORK_LEVELS
from nautobot_meraki_users.settings import AppSettings, connection_names, load_settings

__all__ = ["AdoptAccessPolicy", "CheckAccessDrift", "EnforceAccessPolicy", "jobs", "to_csv"]

name = GROUPING  # the Jobs UI groups this module's jobs under "Meraki Users"

ORG_ACCESS_CHOICES = tuple((level, level) for level in ORG_ACCESS_LEVELS)
PRIVILEGE_CHOICES = tuple((level, level) for level in PRIVILEGE_LEVELS)
KEEP = (("", "(keep current)"),)
ORG_ID_HELP = "One organization ID, several IDs separated by commas, or 'all'."
NETWORK_HELP = "Optional: network IDs or exact names, separated by commas, that get network-level access."
TAGS_HELP = "Optional: network tag names, separated by commas, that get tag-level access."
VIEW_ADMINISTRATORS = "nautobot_meraki_users.view_merakiadministrator"
LIST_PERMISSION_MESSAGE = (
    f"permission: you may not view Meraki administrators ({VIEW_ADMINISTRATORS}), and this job lists them. "
    "Ask a Nautobot administrator to grant you that permission."
)
SYNC_LOG_LINES = 500  # a first sync of a large estate logs its first changes one by one, then a count


class CreateUsers(AdminOperationJob):
    """Create a Meraki dashboard administrator in one, several or all organizations."""

    user_email = StringVar(label="Email", description="The admin's email address (their Meraki login).")
    user_name = StringVar(label="Name", description="The admin's full name.")
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP)
    meraki_access_level = ChoiceVar(
        choices=ORG_ACCESS_CHOICES, default="read-only", label="Organization access", required=False
    )
    meraki_network = NetworksVar(label="Networks", description=NETWORK_HELP, required=False)
    meraki_network_access = ChoiceVar(
        choices=PRIVILEGE_CHOICES, default="read-only", label="Network access", required=False
    )
    meraki_tags = StringVar(label="Tags", description=TAGS_HELP, required=False)
    meraki_tag_access = ChoiceVar(choices=PRIVILEGE_CHOICES, default="read-only", label="Tag access", required=False)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Create Meraki User"
        description = "Create a Meraki dashboard administrator in one, several or all organizations."
        has_sensitive_variables = False
        field_order = [
            "user_email", "user_name", "meraki_org_id", "meraki_access_level", "meraki_network",
            "meraki_network_access", "meraki_tags", "meraki_tag_access", "dashboard", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, AdminRequest)."""
        return inputs.parse_create(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("create", data, dryrun)


class UpdateUsers(AdminOperationJob):
    """Change an existing admin's name or access; blank fields keep their current value."""

    user_email = StringVar(label="Email", description="The admin to change.")
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP)
    user_name = StringVar(label="Name", description="Optional: a new name. Blank keeps it.", required=False)
    meraki_access_level = ChoiceVar(
        choices=KEEP + ORG_ACCESS_CHOICES, default="", label="Organization access", required=False
    )
    meraki_network = NetworksVar(
        label="Networks", description=NETWORK_HELP + " Given: replaces the admin's networks.", required=False
    )
    meraki_network_access = ChoiceVar(
        choices=KEEP + PRIVILEGE_CHOICES,
        default="",
        label="Network access",
        description="Without networks: re-levels the admin's current networks.",
        required=False,
    )
    meraki_tags = StringVar(label="Tags", description=TAGS_HELP + " Given: replaces the admin's tags.", required=False)
    meraki_tag_access = ChoiceVar(
        choices=KEEP + PRIVILEGE_CHOICES,
        default="",
        label="Tag access",
        description="Without tags: re-levels the admin's current tags.",
        required=False,
    )
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Update Meraki User"
        description = "Change an existing Meraki admin's name, organization access, networks or tags."
        has_sensitive_variables = False
        field_order = [
            "user_email", "meraki_org_id", "user_name", "meraki_access_level", "meraki_network",
            "meraki_network_access", "meraki_tags", "meraki_tag_access", "dashboard", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, AdminRequest)."""
        return inputs.parse_update(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("update", data, dryrun)

    def check_report(self, report: engine.Report, email: str) -> None:
        """An update that finds the admin nowhere fails the job (a typo in the email, or already offboarded)."""
        if report.organizations and all(r.outcome == "absent" for r in report.organizations):
            self.fail(f"{email} is not an admin of any of the {len(report.organizations)} organization(s).")


class DeleteUsers(AdminOperationJob):
    """Remove an admin from one, several or all organizations (offboarding)."""

    user_email = StringVar(label="Email", description="The admin to remove.")
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP + " 'all' offboards everywhere.")
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would be removed without removing anything.")

    class Meta:
        name = "Delete Meraki User"
        description = "Remove a Meraki dashboard administrator from one, several or all organizations."
        has_sensitive_variables = False
        field_order = ["user_email", "meraki_org_id", "dashboard", "dryrun"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, email)."""
        return inputs.parse_delete(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("delete", data, dryrun)


class ListUsers(MerakiUsersJob):
    """List the admins of one, several or all organizations as a CSV file and as the job result."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    user_email = StringVar(label="Email", description="Optional: list only this admin.", required=False)
    dashboard = dashboard_var()

    class Meta:
        name = "List Meraki Users"
        description = "List Meraki dashboard administrators with their access, as a CSV file and as JSON rows."
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "user_email", "dashboard"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, email or None)."""
        return inputs.parse_list(data, app_settings)

    def run(self, **data):
        def body():
            if self.user is None or not self.user.has_perm(VIEW_ADMINISTRATORS):
                # The result and the CSV hold the admin directory: only for those who may view the inventory's.
                return self.abort(LIST_PERMISSION_MESSAGE, False, safe_selector(data, default="all"))
            app_settings = load_settings()
            selector, email = self.parse_input(data, app_settings)

            def read(client, org_id: str) -> list[dict]:  # each organization's early read: its admins
                return client.admins(org_id)

            parts: dict[str, str] = {}  # organization ID -> its rows as CSV lines

            def listed(org_rows: list[dict], result: engine.OrganizationResult) -> None:
                # As each organization's admins arrive, while the others are read: its CSV lines, and every
                # ResultStream.BATCH organizations their log lines.
                parts[result.organization_id] = to_csv(org_rows, columns, header=False)
                stream.add([(None, result)])

            with self.open_organizations(app_settings, data, selector, read) as (dashboard, orgs, early):
                columns = list_columns(self.labelled)  # labelled: known once the connections are open
                stream = ResultStream.by_organization(self, False, None, [org.id for org in orgs], upkeep=False)
                rows, results = engine.list_admins(
                    dashboard, orgs, email, app_settings.concurrency, self.labelled, early, on_done=listed
                )
            for org in getattr(orgs, "skipped", []):
                stream.add([(None, engine.skipped_result(org))])
            stream.flush()  # one line per organization, linked to it, one INSERT per batch
            csv_text = to_csv([], columns) + "".join(parts[result.organization_id] for result in results)
            self.create_file(f"meraki-admins-{timezone.now():%Y%m%d-%H%M%S}.csv", csv_text)
            self.conclude(
                [r.organization_id for r in results if r.outcome == "failed"],
                len(results),
                "could not be read",
                f"Listed {len(rows)} admin(s) in {len(results)} organization(s).",
            )
            return rows

        return self.guarded(body, False, lambda: safe_selector(data, default="all"))


class ImportUsers(MerakiUsersJob):
    """Create, update and delete many admins from one CSV file: all rows checked first, then applied concurrently."""

    csv_file = FileVar(
        label="CSV file",
        description="Columns: action (create, update, delete) plus the data keys of those jobs. See the docs.",
    )
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Check every row and report the plan without changing anything in Meraki.")

    class Meta:
        name = "Import Meraki Users"
        description = "Create, update and delete Meraki admins in bulk from a CSV file."
        has_sensitive_variables = False
        field_order = ["csv_file", "dashboard", "dryrun"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Only the file's presence can be checked in the form; its rows are checked in run()."""
        if data.get("csv_file") in (None, ""):
            raise InputError([FieldError("csv_file", "is required. Upload a CSV file.")])

    def run(self, csv_file=None, dryrun=False, dashboard=""):
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            if csv_file is None:
                raise InputError([FieldError("csv_file", "is required. Upload a CSV file.")])
            content = csv_file.read()
            read = csv_import.read_rows(
                content, max_rows=app_settings.import_max_rows, max_field_size=app_settings.import_max_field_size
            )
            rows = csv_import.check_rows(read, app_settings)
            self.logger.info("Checked %d row(s) of %s.", len(rows), log_safe(getattr(csv_file, "name", "the file")))
            with self.open_dashboards(app_settings, {"dashboard": dashboard}) as dashboards:
                named = [org_id for row in rows if not row.selector.all for org_id in row.selector.ids]
                visible = engine.visible_organizations(dashboards, named)
                targets = csv_import.targets_for(rows, visible, app_settings)
                # The inventory upkeep and the lines ("line N create jane@...: ...") follow the results as they come.
                index = {id(target): position for position, target in enumerate(targets)}
                stream = ResultStream(
                    self, dryrun, ADMINS, lambda target, result: index[id(target)], csv_import.line_prefix
                )
                results = engine.execute_targets(
                    dashboards, targets, dryrun, app_settings.concurrency, on_results=stream.add
                )
                stream.flush()
            report = engine.Report(dryrun=dryrun, organizations=results)
            result_rows = csv_import.result_rows(targets, results, self.labelled)
            self.create_file(
                f"meraki-import-result-{timezone.now():%Y%m%d-%H%M%S}.csv",
                to_csv(result_rows, csv_import.result_columns(self.labelled)),
            )
            result = self.finish(report)
            for entry, row in zip(result["organizations"], result_rows, strict=True):
                entry.update(row=row["row"], action=row["action"], user_email=row["user_email"])
            return result

        return self.guarded(body, dryrun)


class SyncInventory(MerakiUsersJob):
    """Make Nautobot's Meraki inventory (organizations, networks, administrators) match the Dashboard."""

    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Count the differences without changing the inventory.")

    class Meta:
        name = "Sync Meraki Inventory"
        description = "Read the allowed organizations, their networks and admins, and update Nautobot's inventory."
        has_sensitive_variables = False
        field_order = ["dashboard", "dryrun"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Nothing to check: the sync reads every allowed organization."""

    def run(self, dryrun=False, dashboard=""):
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            with self.open_dashboards(app_settings, {"dashboard": dashboard}) as dashboards:
                orgs = engine.load_organizations(
                    dashboards, OrganizationSelector(all=True), app_settings.allowed_organization_ids
                )
                read = [client.name for client in dashboards.clients if client.name not in dashboards.failed]
                whole = not dashboards.failed and read == list(connection_names(app_settings))
                stream = sync.SyncStream(dryrun, scope=None if whole else set(read))  # syncs as the reads arrive
                snapshot = sync.read_snapshot(dashboards, orgs, app_settings.concurrency, on_read=stream.add)
            report = stream.finish(snapshot)
            prefix = "dry run: would have " if dryrun else ""
            self.log_lines(
                [(logging.INFO, prefix + log_safe(line), None, "body") for line in report.changes[:SYNC_LOG_LINES]]
            )
            if len(report.changes) > SYNC_LOG_LINES:
                self.logger.info("... and %d more change(s)", len(report.changes) - SYNC_LOG_LINES)
            for note in report.notes:
                self.logger.warning(log_safe(note))
            for org_id, message in report.failed.items():
                self.logger.error(
                    "%s: reading it failed, its inventory was kept as it was: %s", log_safe(org_id), log_safe(message)
                )
            for skipped in report.skipped:
                self.logger.warning(
                    "%s: left out, its inventory was kept as it was: %s",
                    log_safe(skipped["organization_id"]),
                    log_safe(skipped["reason"]),
                )
            self.conclude(
                list(report.failed),
                len(orgs),
                "could not be read",
                f"Synced {len(orgs)} organization(s): "
                + (", ".join(f"{k} {v}" for k, v in report.counts.items()) or "no change"),
            )
            return report.as_dict()

        return self.guarded(body, dryrun)


SAML_ROLE_HELP = "The SAML role's name, matched exactly (case included), as Meraki does."
SAML_NETWORK_CHOICES = tuple((level, level) for level in SAML_NETWORK_LEVELS)


class SamlRoleOperationJob(AdminOperationJob):
    """Create, Update and Delete Meraki SAML Role: the admin jobs' engine, on SAML roles."""

    resource = SAML_ROLES

    @staticmethod
    def key_of(request) -> str:
        """The natural key of a parsed SAML role request: its exact name."""
        return request.role


class CreateSamlRoles(SamlRoleOperationJob):
    """Create a SAML role in one, several or all organizations."""

    saml_role = StringVar(label="SAML role", description=SAML_ROLE_HELP)
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP)
    meraki_access_level = ChoiceVar(
        choices=ORG_ACCESS_CHOICES, default="read-only", label="Organization access", required=False
    )
    meraki_network = NetworksVar(label="Networks", description=NETWORK_HELP, required=False)
    meraki_network_access = ChoiceVar(
        choices=SAML_NETWORK_CHOICES, default="read-only", label="Network access", required=False
    )
    meraki_tags = StringVar(label="Tags", description=TAGS_HELP, required=False)
    meraki_tag_access = ChoiceVar(choices=PRIVILEGE_CHOICES, default="read-only", label="Tag access", required=False)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Create Meraki SAML Role"
        description = "Create a SAML role (the access of people who sign in through SAML) in one or more organizations."
        has_sensitive_variables = False
        field_order = [
            "saml_role", "meraki_org_id", "meraki_access_level", "meraki_network", "meraki_network_access",
            "meraki_tags", "meraki_tag_access", "dashboard", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, RoleRequest)."""
        return inputs.parse_saml_create(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("create", data, dryrun)


class UpdateSamlRoles(SamlRoleOperationJob):
    """Change an existing SAML role's access; blank fields keep their current value."""

    saml_role = StringVar(label="SAML role", description=SAML_ROLE_HELP)
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP)
    meraki_access_level = ChoiceVar(
        choices=KEEP + ORG_ACCESS_CHOICES, default="", label="Organization access", required=False
    )
    meraki_network = NetworksVar(
        label="Networks", description=NETWORK_HELP + " Given: replaces the role's networks.", required=False
    )
    meraki_network_access = ChoiceVar(
        choices=KEEP + SAML_NETWORK_CHOICES, default="", label="Network access", required=False
    )
    meraki_tags = StringVar(label="Tags", description=TAGS_HELP + " Given: replaces the role's tags.", required=False)
    meraki_tag_access = ChoiceVar(choices=KEEP + PRIVILEGE_CHOICES, default="", label="Tag access", required=False)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Update Meraki SAML Role"
        description = "Change an existing SAML role's organization access, networks or tags."
        has_sensitive_variables = False
        field_order = [
            "saml_role", "meraki_org_id", "meraki_access_level", "meraki_network", "meraki_network_access",
            "meraki_tags", "meraki_tag_access", "dashboard", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, RoleRequest)."""
        return inputs.parse_saml_update(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("update", data, dryrun)

    def check_report(self, report: engine.Report, email: str) -> None:
        """An update that finds the role nowhere fails the job (a typo in the name)."""
        if report.organizations and all(r.outcome == "absent" for r in report.organizations):
            self.fail(f"there is no SAML role {email!r} in any of the {len(report.organizations)} organization(s).")


class DeleteSamlRoles(SamlRoleOperationJob):
    """Remove a SAML role from one, several or all organizations."""

    saml_role = StringVar(label="SAML role", description=SAML_ROLE_HELP)
    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would be removed without removing anything.")

    class Meta:
        name = "Delete Meraki SAML Role"
        description = "Remove a SAML role from one, several or all organizations."
        has_sensitive_variables = False
        field_order = ["saml_role", "meraki_org_id", "dashboard", "dryrun"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, role name)."""
        return inputs.parse_saml_delete(data, app_settings)

    def run(self, dryrun=False, **data):
        return self.run_admin_operation("delete", data, dryrun)


POSTURE_COLUMNS = ("organization_id", "organization_name", "outcome", "field", "actual", "expected", "message")
POSTURE_LEVELS = {posture.FAILED: logging.ERROR, posture.REFUSED: logging.ERROR, posture.NON_COMPLIANT: logging.WARNING}


class LoginSecurityJob(MerakiUsersJob):
    """Check and Enforce Meraki Login Security: the organizations chosen, their login security against the baseline."""

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check the organizations and that a baseline is configured; returns the selector."""
        return inputs.parse_login_security(data, app_settings)

    def run_posture(self, data: dict, dryrun: bool | None) -> dict:
        """Read (and, for Enforce, change) each organization; keep the inventory, log, file and result."""

        def body():
            app_settings = load_settings()
            selector = self.parse_input(data, app_settings)

            def read(client, org_id: str) -> dict:  # each organization's early read: its login security
                return client.login_security(org_id)

            with self.open_organizations(app_settings, data, selector, read) as (dashboards, orgs, early):
                rules, concurrency = app_settings.login_security_rules, app_settings.concurrency
                if dryrun is None:
                    results = posture.check_organizations(dashboards, orgs, rules, concurrency, early)
                else:
                    egress = app_settings.egress_addresses
                    results = posture.enforce_organizations(dashboards, orgs, rules, egress, dryrun, concurrency, early)
            if not dryrun:
                records = {r.organization_id: r.record for r in results if r.record is not None}
                try:
                    sync.record_login_security(records)
                except Exception as err:  # noqa: BLE001 - the Meraki side stands; the inventory catches up on a sync
                    self.logger.warning("inventory: login security not stored (%s); run Sync Meraki Inventory.", err)
            self.log_posture(results)
            stamp = f"{timezone.now():%Y%m%d-%H%M%S}"
            columns = (*POSTURE_COLUMNS, "dashboard") if self.labelled else POSTURE_COLUMNS
            self.create_file(
                f"meraki-login-security-{stamp}.csv", to_csv(posture_rows(results, self.labelled), columns)
            )
            counts = posture.counts(results)
            self.conclude(
                [f"{r.organization_id} ({r.outcome})" for r in results if r.outcome in posture.FAILING],
                len(results),
                "failed or were refused",
                "Done: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            )
            result = {"organizations": [r.as_dict(self.labelled) for r in results], "counts": counts}
            return result if dryrun is None else {"dryrun": dryrun, **result}

        return self.guarded(body, bool(dryrun), lambda: safe_selector(data, default="all"))

    def log_posture(self, results: list[posture.PostureResult]) -> None:
        """One line per organization, linked to its inventory row."""
        orgs = inventory_organizations(r.organization_id for r in results)
        lines = []
        for r in results:
            where = self.where(r.organization_id, r.organization_name, r.dashboard)
            line = log_safe(f"{where}: {r.outcome}: {r.message}")
            lines.append(
                (POSTURE_LEVELS.get(r.outcome, logging.INFO), line, orgs.get(r.organization_id), r.organization_id)
            )
        self.log_lines(lines)


def posture_rows(results: list[posture.PostureResult], labelled: bool) -> list[dict]:
    """The CSV rows: one per failing field (one per organization when none fails)."""
    rows = []
    for r in results:
        base = {"organization_id": r.organization_id, "organization_name": r.organization_name, "outcome": r.outcome}
        if labelled:
            base["dashboard"] = r.dashboard
        for deviation in r.deviations or [{"field": "", "actual": "", "expected": ""}]:
            rows.append({**base, **deviation, "message": r.message})
    return rows


class CheckLoginSecurity(LoginSecurityJob):
    """Check each organization's login security against the app's login_security_baseline."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    dashboard = dashboard_var()

    class Meta:
        name = "Check Meraki Login Security"
        description = "Check 2FA, idle timeout, lockout, passwords and IP restrictions against the baseline."
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "dashboard"]

    def run(self, **data):
        return self.run_posture(data, None)


class EnforceLoginSecurity(LoginSecurityJob):
    """Bring each organization's login security to the baseline, never locking this Nautobot out."""

    meraki_org_id = OrganizationsVar(label="Organizations", description=ORG_ID_HELP, default="all", required=False)
    dashboard = dashboard_var()
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Enforce Meraki Login Security"
        description = (
            "Set what fails the login security baseline: one PUT per organization, only the fields that differ."
        )
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "dashboard", "dryrun"]

    def run(self, dryrun=False, **data):
        return self.run_posture(data, as_bool(dryrun))


jobs = [
    CreateUsers, UpdateUsers, DeleteUsers, ListUsers, ImportUsers, SyncInventory, CheckLoginSecurity,
    EnforceLoginSecurity, CreateSamlRoles, UpdateSamlRoles, DeleteSamlRoles, *POLICY_JOBS,
]  # fmt: skip
for _job in POLICY_JOBS:  # defined in jobs/policy.py; one module path for every job (runjob, the Jobs UI, REST)
    _job.__module__ = __name__
register_jobs(*jobs)
