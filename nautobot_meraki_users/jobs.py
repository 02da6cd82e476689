"""The app's Jobs: thin adapters that declare variables, check input, call the service and return a summary.

Their data keys are a public REST contract (`POST /api/extras/jobs/<id>/run/`): keep them exactly.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from nautobot.apps.jobs import ChoiceVar, DryRunVar, StringVar, register_jobs

from nautobot_meraki_users import service
from nautobot_meraki_users.admins import (
    LIST_COLUMNS,
    ORG_ACCESS_LEVELS,
    PRIVILEGE_LEVELS,
    AdminRequest,
    OrganizationSelector,
    check_allowed,
    email_errors,
    is_blank,
    parse_access_request,
    parse_organization_selector,
)
from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.job_base import GROUPING, MerakiUsersJob, as_bool, required_text
from nautobot_meraki_users.settings import AppSettings, load_settings

name = GROUPING  # the Jobs UI groups this module's jobs under "Meraki Users"

ORG_ACCESS_CHOICES = tuple((level, level) for level in ORG_ACCESS_LEVELS)
PRIVILEGE_CHOICES = tuple((level, level) for level in PRIVILEGE_LEVELS)
KEEP = (("", "(keep current)"),)
ORG_ID_HELP = "One organization ID, several IDs separated by commas, or 'all'."
NETWORK_HELP = "Optional: network IDs or exact names, separated by commas, that get network-level access."
TAGS_HELP = "Optional: network tag names, separated by commas, that get tag-level access."


def _collect(*checks) -> None:
    """Run each check (a list of FieldErrors, or a callable that may raise InputError) and raise them all at once."""
    errors: list[FieldError] = []
    for check in checks:
        try:
            errors.extend(check() if callable(check) else check)
        except InputError as err:
            errors.extend(err.errors)
    if errors:
        raise InputError(errors)


def _selector(data: dict, app_settings: AppSettings) -> OrganizationSelector:
    selector = parse_organization_selector(data.get("meraki_org_id"))
    check_allowed(selector, app_settings.allowed_organization_ids)
    return selector


def _parse_admin_request(data: dict, app_settings: AppSettings, *, create: bool):
    parsed: dict = {}

    def email():
        return email_errors(data.get("user_email"), app_settings.email_pattern)

    def orgs():
        parsed["selector"] = _selector(data, app_settings)
        return []

    def access():
        parsed["access"] = parse_access_request(data, defaults=create)
        return []

    def name_check():
        return required_text(data, "user_name", "Give the admin's full name, e.g. Jane Doe.") if create else []

    _collect(email, name_check, orgs, access)
    request = AdminRequest(
        email=str(data["user_email"]).strip(),
        name=None if is_blank(data.get("user_name")) else str(data["user_name"]).strip(),
        access=parsed["access"],
    )
    return parsed["selector"], request


class CreateUsers(MerakiUsersJob):
    """Create a Meraki dashboard administrator in one, several or all organizations."""

    user_email = StringVar(label="Email", description="The admin's email address (their Meraki login).")
    user_name = StringVar(label="Name", description="The admin's full name.")
    meraki_org_id = StringVar(label="Organization ID(s)", description=ORG_ID_HELP)
    meraki_access_level = ChoiceVar(
        choices=ORG_ACCESS_CHOICES, default="read-only", label="Organization access", required=False
    )
    meraki_network = StringVar(label="Networks", description=NETWORK_HELP, required=False)
    meraki_network_access = ChoiceVar(
        choices=PRIVILEGE_CHOICES, default="read-only", label="Network access", required=False
    )
    meraki_tags = StringVar(label="Tags", description=TAGS_HELP, required=False)
    meraki_tag_access = ChoiceVar(choices=PRIVILEGE_CHOICES, default="read-only", label="Tag access", required=False)
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Create Meraki User"
        description = "Create a Meraki dashboard administrator in one, several or all organizations."
        has_sensitive_variables = False
        field_order = [
            "user_email", "user_name", "meraki_org_id", "meraki_access_level", "meraki_network",
            "meraki_network_access", "meraki_tags", "meraki_tag_access", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, AdminRequest)."""
        return _parse_admin_request(data, app_settings, create=True)

    def run(self, dryrun=False, **data):  # noqa: D102
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, request = self.parse_input(data, app_settings)
            with self.open_dashboard(app_settings) as dashboard:
                orgs = service.load_organizations(dashboard, selector, app_settings.allowed_organization_ids)
                operation = service.Operation("create", request.email, request)
                return self.finish(self.run_operation(dashboard, orgs, operation, dryrun, app_settings))

        return self.guarded(body, dryrun, _safe_selector(data))


class UpdateUsers(MerakiUsersJob):
    """Change an existing admin's name or access; blank fields keep their current value."""

    user_email = StringVar(label="Email", description="The admin to change.")
    meraki_org_id = StringVar(label="Organization ID(s)", description=ORG_ID_HELP)
    user_name = StringVar(label="Name", description="Optional: a new name. Blank keeps it.", required=False)
    meraki_access_level = ChoiceVar(
        choices=KEEP + ORG_ACCESS_CHOICES, default="", label="Organization access", required=False
    )
    meraki_network = StringVar(
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
    dryrun = DryRunVar(description="Report what would change without changing anything in Meraki.")

    class Meta:
        name = "Update Meraki User"
        description = "Change an existing Meraki admin's name, organization access, networks or tags."
        has_sensitive_variables = False
        field_order = [
            "user_email", "meraki_org_id", "user_name", "meraki_access_level", "meraki_network",
            "meraki_network_access", "meraki_tags", "meraki_tag_access", "dryrun",
        ]  # fmt: skip

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, AdminRequest)."""
        return _parse_admin_request(data, app_settings, create=False)

    def run(self, dryrun=False, **data):  # noqa: D102
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, request = self.parse_input(data, app_settings)
            with self.open_dashboard(app_settings) as dashboard:
                orgs = service.load_organizations(dashboard, selector, app_settings.allowed_organization_ids)
                operation = service.Operation("update", request.email, request)
                report = self.run_operation(dashboard, orgs, operation, dryrun, app_settings)
            if report.organizations and all(r.outcome == "absent" for r in report.organizations):
                self.fail(f"{request.email} is not an admin of any of the {len(report.organizations)} organization(s).")
            return self.finish(report)

        return self.guarded(body, dryrun, _safe_selector(data))


class DeleteUsers(MerakiUsersJob):
    """Remove an admin from one, several or all organizations (offboarding)."""

    user_email = StringVar(label="Email", description="The admin to remove.")
    meraki_org_id = StringVar(label="Organization ID(s)", description=ORG_ID_HELP + " 'all' offboards everywhere.")
    dryrun = DryRunVar(description="Report what would be removed without removing anything.")

    class Meta:
        name = "Delete Meraki User"
        description = "Remove a Meraki dashboard administrator from one, several or all organizations."
        has_sensitive_variables = False
        field_order = ["user_email", "meraki_org_id", "dryrun"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, email)."""
        parsed: dict = {}

        def orgs():
            parsed["selector"] = _selector(data, app_settings)
            return []

        # The email policy guards new admins; offboarding must reach any existing address.
        _collect(lambda: email_errors(data.get("user_email"), None), orgs)
        return parsed["selector"], str(data["user_email"]).strip()

    def run(self, dryrun=False, **data):  # noqa: D102
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, email = self.parse_input(data, app_settings)
            with self.open_dashboard(app_settings) as dashboard:
                orgs = service.load_organizations(dashboard, selector, app_settings.allowed_organization_ids)
                operation = service.Operation("delete", email)
                return self.finish(self.run_operation(dashboard, orgs, operation, dryrun, app_settings))

        return self.guarded(body, dryrun, _safe_selector(data))


class ListUsers(MerakiUsersJob):
    """List the admins of one, several or all organizations as a CSV file and as the job result."""

    meraki_org_id = StringVar(label="Organization ID(s)", description=ORG_ID_HELP, default="all", required=False)
    user_email = StringVar(label="Email", description="Optional: list only this admin.", required=False)

    class Meta:
        name = "List Meraki Users"
        description = "List Meraki dashboard administrators with their access, as a CSV file and as JSON rows."
        has_sensitive_variables = False
        field_order = ["meraki_org_id", "user_email"]

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check every input; returns (selector, email or None)."""
        data = dict(data)
        if is_blank(data.get("meraki_org_id")):
            data["meraki_org_id"] = "all"
        parsed: dict = {}

        def orgs():
            parsed["selector"] = _selector(data, app_settings)
            return []

        email = data.get("user_email")
        _collect(lambda: [] if is_blank(email) else email_errors(email, None), orgs)
        return parsed["selector"], None if is_blank(email) else str(email).strip()

    def run(self, **data):  # noqa: D102
        def body():
            app_settings = load_settings()
            selector, email = self.parse_input(data, app_settings)
            with self.open_dashboard(app_settings) as dashboard:
                orgs = service.load_organizations(dashboard, selector, app_settings.allowed_organization_ids)
                rows, results = service.list_admins(dashboard, orgs, email, self.log_result, app_settings.concurrency)
            self.create_file(f"meraki-admins-{timezone.now():%Y%m%d-%H%M%S}.csv", rows_to_csv(rows))
            failed = [r for r in results if r.outcome == "failed"]
            if failed:
                self.fail(
                    f"{len(failed)} of {len(results)} organization(s) could not be read: "
                    + ", ".join(r.organization_id for r in failed)
                )
            else:
                self.logger.info("Listed %d admin(s) in %d organization(s).", len(rows), len(results))
            return rows

        result = self.guarded(body, False, _safe_selector(data, default="all"))
        return result


def rows_to_csv(rows: list[dict]) -> str:
    """The admin rows as CSV text with a header line (LIST_COLUMNS)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _safe_selector(data: dict, default: str | None = None) -> OrganizationSelector | None:
    """The organization selector if it parses, for reporting per organization when the job stops early."""
    value = data.get("meraki_org_id")
    try:
        return parse_organization_selector(default if is_blank(value) and default else value)
    except InputError:
        return None


jobs = [CreateUsers, UpdateUsers, DeleteUsers, ListUsers]
register_jobs(*jobs)
