"""What every Meraki Users job shares: settings, the Dashboard client, form checks, logging and the result."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.utils import timezone
from django_redis import get_redis_connection
from nautobot.apps.jobs import Job
from nautobot.core.utils.logging import sanitize
from nautobot.extras.constants import (
    JOB_LOG_MAX_ABSOLUTE_URL_LENGTH,
    JOB_LOG_MAX_GROUPING_LENGTH,
    JOB_LOG_MAX_LOG_OBJECT_LENGTH,
)
from nautobot.extras.jobs import JobForm
from nautobot.extras.models import JobLogEntry
from nautobot.extras.models import jobs as nautobot_job_models

from nautobot_meraki_users.dashboard.client import Dashboard
from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.dashboard.early_reads import EarlyReads
from nautobot_meraki_users.dashboard.ratelimit import RateLimiter, budgets
from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import ConfigurationError, DashboardError, FieldError, InputError
from nautobot_meraki_users.inventory import sync
from nautobot_meraki_users.log_text import log_safe
from nautobot_meraki_users.models import MerakiAdministrator, MerakiOrganization
from nautobot_meraki_users.operations import engine, inputs
from nautobot_meraki_users.operations.admins import OrganizationSelector, Outcome, is_blank, parse_organization_selector
from nautobot_meraki_users.operations.engine import OrganizationResult, Report
from nautobot_meraki_users.operations.resources import ADMINS, SAML_ROLES
from nautobot_meraki_users.settings import AppSettings, ConnectionSetup, load_settings, resolve_connections

GROUPING = "Meraki Users"
ONE_MICROSECOND = timedelta(microseconds=1)


def _result_line(
    result: OrganizationResult, prefix: str, admin_name: str, labelled: bool, noun: str = "admin"
) -> tuple[int, str]:
    """The log level and the escaped line (`log_safe`: it carries Dashboard and user text) of one result.

    `labelled` (several connections): the line names the connection, and the others that see the organization.
    `noun`: what the result's ID is of (an admin, or a SAML role).
    """
    where = ""
    if labelled and result.dashboard:
        where = f" via dashboard {result.dashboard}"
        if result.also_seen_by:
            where += f" (also seen by {', '.join(result.also_seen_by)}: worked on once, through {result.dashboard})"
    line = f"{prefix}{result.organization_id} ({result.organization_name}){where}: {result.outcome}: {result.message}"
    if result.admin_id and noun != "admin":
        line += f" ({noun} Meraki ID {result.admin_id})"
    elif result.admin_id:  # the email is masked in log lines: name the admin another way
        who = f"admin {admin_name}, Meraki ID" if admin_name else "Meraki admin ID"
        line += f" ({who} {result.admin_id})"
    levels = {Outcome.FAILED: logging.ERROR, Outcome.CONFLICT: logging.WARNING}
    return levels.get(result.outcome, logging.INFO), log_safe(line)


def inventory_organizations(org_ids) -> dict[str, MerakiOrganization]:
    """The inventory's rows of these organization IDs, by ID (one query): what a job's log lines link to."""
    return {o.organization_id: o for o in MerakiOrganization.objects.filter(organization_id__in=set(org_ids))}


def inventory_admins(results: list[OrganizationResult]) -> dict[tuple[str, str], MerakiAdministrator]:
    """The inventory's rows of the results' admins, keyed by (organization ID, admin ID): one query."""
    keys = {(result.organization_id, result.admin_id) for result in results if result.admin_id}
    if not keys:
        return {}
    rows = MerakiAdministrator.objects.filter(
        organization__organization_id__in={org_id for org_id, _ in keys}, admin_id__in={a for _, a in keys}
    ).select_related("organization")
    return {key: row for row in rows if (key := (row.organization.organization_id, row.admin_id)) in keys}


def removed_admins(results: list[OrganizationResult], dryrun: bool) -> dict[tuple[str, str], MerakiAdministrator]:
    """The rows the inventory upkeep will delete (none in a dry run): read them first, to name them in the log."""
    return {} if dryrun else inventory_admins([result for result in results if result.outcome == Outcome.REMOVED])


class ResultStream:
    """Keeps the inventory current and logs the lines of an operation's results in batches, as the results come.

    The engine hands over each organization's targets and results as soon as they are there (in the job's own
    thread, where its database connection and change context are); every `BATCH` organizations their inventory
    rows are updated and their lines written, while the other organizations' requests are in flight. So little is
    left for after the last reply. Within a batch, lines keep the order `position` gives (the job result's).
    """

    BATCH = 10  # organizations: a few statements each time (a job of up to 10 writes once); at most 10 wait at the end

    def __init__(
        self,
        job: MerakiUsersJob,
        dryrun: bool,
        resource,
        position: Callable[[engine.Target | None, OrganizationResult], int],
        prefix: Callable[[engine.Target], str] | None = None,
        upkeep: bool = True,
    ):
        """`position(target, result)`: where the result stands in the job's result; `prefix`: each line's start.

        `upkeep` False: only the lines (a job that changes nothing, such as List).
        """
        self.job, self.dryrun, self.resource = job, dryrun, resource
        self.position, self.prefix, self.upkeep = position, prefix, upkeep
        self.pending: list[tuple[engine.Target | None, OrganizationResult]] = []
        self.organizations = 0

    @classmethod
    def by_organization(
        cls, job: MerakiUsersJob, dryrun: bool, resource, order: list[str], upkeep: bool = True
    ) -> ResultStream:
        """A stream whose lines follow `order`, the organization IDs in the order the job's result lists them."""
        index = {org_id: position for position, org_id in enumerate(order)}
        return cls(
            job, dryrun, resource, lambda target, result: index.get(result.organization_id, len(index)), upkeep=upkeep
        )

    def add(self, pairs: list[tuple[engine.Target | None, OrganizationResult]]) -> None:
        """One organization's (target, result) pairs, or skipped organizations' (None, entry); writes a full batch."""
        self.pending += pairs
        self.organizations += 1
        if self.organizations >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Update the inventory for the waiting results (not in a dry run), then log their lines."""
        pairs = sorted(self.pending, key=lambda pair: self.position(*pair))
        self.pending, self.organizations = [], 0
        if not pairs:
            return
        results = [result for _, result in pairs]
        if self.resource is SAML_ROLES:
            if not self.dryrun and self.upkeep:
                sync.record_role_changes_or_warn(results, self.job.logger)
            self.job.log_results(results, noun=SAML_ROLES.noun)
            return
        before = removed_admins(results, self.dryrun or not self.upkeep)  # read before the upkeep deletes them
        # An inventory problem is a warning: the Meraki changes and their results stand.
        if not self.dryrun and self.upkeep:
            sync.record_changes_or_warn(results, self.job.logger)
        prefixes = [self.prefix(target) if target else "" for target, _ in pairs] if self.prefix else None
        self.job.log_results(results, before, prefixes)


def shared_rate_limiter(app_settings: AppSettings) -> RateLimiter | None:
    """The rate budget in Nautobot's Redis, shared by every job and Celery worker.

    None when Nautobot's `default` cache is not Redis (the jobs then rely on 429 + Retry-After alone).
    """
    per_organization, per_ip = budgets(
        app_settings.rate_limit_per_organization, app_settings.rate_limit_per_ip, app_settings.rate_limit_burst
    )
    try:
        connection = get_redis_connection("default")
    except NotImplementedError:  # django-redis raises this for a cache backend that is not Redis
        return None
    return RateLimiter(connection, per_organization, per_ip)


def as_bool(value: object) -> bool:
    """Read a boolean job input that may arrive as a bool or as text (runjob --data, REST)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def check_connections(setups: list[ConnectionSetup]) -> None:
    """Raise ConfigurationError (every connection's problem) when no selected connection can be used."""
    if setups and all(setup.error for setup in setups):
        raise ConfigurationError(" ".join(setup.error for setup in setups))


def known_organizations(names: list[str]) -> dict[str, list[Organization]]:
    """The inventory's organizations of the named connections (they fail with their connection, not vanish)."""
    known: dict[str, list[Organization]] = {}
    for row in MerakiOrganization.objects.filter(dashboard__in=names).order_by("name"):
        org = Organization(row.organization_id, row.name, row.dashboard_url, dashboard=row.dashboard)
        known.setdefault(row.dashboard, []).append(org)
    return known


class _CheckedJobForm(JobForm):
    """A job form that runs the job's own input checks, so the UI and REST API reject bad input early."""

    job_class: type[MerakiUsersJob]

    def clean(self):
        """Refuse a bad setting or a missing API key (naming the setting), then check the job's inputs."""
        cleaned = super().clean()
        try:
            app_settings = load_settings()
        except ConfigurationError as err:
            raise ValidationError(str(err)) from None
        data = dict(cleaned)
        if not hasattr(self.data, "getlist"):  # REST: check the JSON values as sent, not the text the fields made
            data.update(
                (name, value)
                for name, value in self.data.items()
                if name in inputs.TEXT_FIELDS and value is not None and not isinstance(value, str)
            )
        errors: list = []
        names = None
        if not hasattr(self.data, "getlist") and "dryrun" in self.data and not isinstance(self.data["dryrun"], bool):
            # Nautobot decides from the value as sent whether a run is a dry run (which skips approval workflows),
            # while the form reads "false" or "0" as False: text would let a real run skip its approval.
            errors.append(FieldError("dryrun", 'must be a JSON boolean, true or false (not text such as "false").'))
        try:
            names = inputs.parse_dashboard(data, app_settings)
            # A missing key (SecretsGroup, integration) is refused here, before a job is queued, when no selected
            # connection could run; with several connections, one without a key fails only its own organizations.
            check_connections(resolve_connections(app_settings, names))
        except ConfigurationError as err:
            raise ValidationError(str(err)) from None  # the message never contains the key
        except InputError as err:
            errors += err.errors
        try:
            self.job_class.parse_input(data, app_settings)
        except InputError as err:
            errors += err.errors
        for error in errors:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message if field else str(error))
        return cleaned


class MerakiUsersJob(Job):
    """Base class of the app's jobs; subclasses define variables, `parse_input` and `execute`."""

    @classmethod
    def as_form_class(cls):
        """The generated job form, plus the job's own checks in `clean()`."""
        form_class = super().as_form_class()
        return type("MerakiUsersJobForm", (_CheckedJobForm, form_class), {"job_class": cls})

    @classmethod
    def deserialize_data(cls, data):
        """Nautobot's deserialization, with a null value taken as "not given".

        Nautobot refuses a null required field with a bare message (`{"errors": ["... is a required field"]}`);
        without the null the form answers per field, like every other error.
        """
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value is not None}
        return super().deserialize_data(data)

    @classmethod
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check the job's inputs without any remote call; raise InputError naming each bad field."""
        raise NotImplementedError

    # ----- helpers used by run() -----

    dashboards: Dashboards | None = None  # the connections of this run, set by open_dashboards
    labelled = False  # several connections are configured: log lines name theirs

    def where(self, org_id: str, name: str, dashboard: str) -> str:
        """How a log line names an organization: `ID (name)`, and its connection when several are configured."""
        via = f" via dashboard {dashboard}" if self.labelled and dashboard else ""
        return f"{org_id} ({name}){via}"

    def open_dashboards(self, app_settings: AppSettings, data: dict) -> Dashboards:
        """The connections `data["dashboard"]` selects (all when blank), with one rate budget shared by all of them.

        Raises ConfigurationError when none can be used (a missing key); a connection that cannot be used while
        others can is kept in `failed`: its organizations fail, the others run.
        """
        setups = resolve_connections(app_settings, inputs.parse_dashboard(data, app_settings))
        check_connections(setups)
        limiter = shared_rate_limiter(app_settings)
        if limiter is None:
            self.logger.warning(
                "Nautobot's default cache is not Redis: no request budget is shared with other jobs and workers; "
                "Meraki's 429 + Retry-After alone will pace this job."
            )
        clients, failed = [], {}
        for setup in setups:
            if setup.error:
                failed[setup.connection.name] = setup.error
                continue
            try:
                clients.append(Dashboard(app_settings, setup.api_key, limiter=limiter, connection=setup.connection))
            except DashboardError as err:
                failed[setup.connection.name] = f"dashboard {setup.connection.name}: {err.message}"
        self.labelled = bool(app_settings.dashboards)
        self.dashboards = Dashboards(clients, failed, known_organizations)
        return self.dashboards

    @contextmanager
    def open_organizations(
        self, app_settings: AppSettings, data: dict, selector: OrganizationSelector, read: Callable
    ) -> Iterator[tuple[Dashboards, list[Organization], EarlyReads]]:
        """The run's connections, the organizations it works on, and its early reads (`read(client, org_id)`).

        The early reads begin before the organization list is asked for; once it is there, those of organizations
        the run does not work on are cancelled. Everything is closed when the block ends.
        """
        with (
            self.open_dashboards(app_settings, data) as dashboards,
            self.early_reads(dashboards, selector, app_settings, read) as early,
        ):
            orgs = engine.load_organizations(dashboards, selector, app_settings.allowed_organization_ids)
            early.keep(org.id for org in orgs)
            yield dashboards, orgs, early

    def early_reads(
        self, dashboards: Dashboards, selector: OrganizationSelector, app_settings: AppSettings, read: Callable
    ) -> EarlyReads:
        """Begin `read(client, organization_id)` for the organizations the inventory expects this run to work on.

        They are the inventory's organizations of the selected connections (the named ones, or all), within the
        allow-list; each is read through the connection the inventory last reached it through. See
        dashboard/early_reads: the reads overlap the round trip of the organization list.
        """
        rows = MerakiOrganization.objects.filter(dashboard__in=[client.name for client in dashboards.clients])
        if not selector.all:
            rows = rows.filter(organization_id__in=selector.ids)
        if app_settings.allowed_organization_ids:
            rows = rows.filter(organization_id__in=app_settings.allowed_organization_ids)
        expected = dict(rows.values_list("organization_id", "dashboard"))
        return EarlyReads(dashboards.clients, expected, read, app_settings.concurrency)

    def run_operation(
        self,
        dashboard: Dashboards,
        orgs,
        operation,
        dryrun: bool,
        app_settings: AppSettings,
        early: EarlyReads | None = None,
    ) -> Report:
        """Run one operation in every organization, keep the inventory current, log one line per organization.

        The inventory upkeep and the lines follow the results as they come (`ResultStream`), while the requests of
        the other organizations are still in flight.
        """
        stream = ResultStream.by_organization(self, dryrun, operation.resource, [org.id for org in orgs])
        report = engine.run_operation(
            dashboard, orgs, operation, dryrun, app_settings.concurrency, on_results=stream.add, early=early
        )
        stream.add([(None, engine.skipped_result(org)) for org in report.skipped])  # left out of `all`: a line each
        stream.flush()
        return report

    def log_results(
        self,
        results: list[OrganizationResult],
        before: dict | None = None,
        prefixes: list[str] | None = None,
        noun: str = "admin",
    ) -> None:
        """Log one line per result, each linked to its admin (or organization) in the inventory as it is now.

        `before`: `removed_admins(results, dryrun)`, read before the inventory upkeep, for the removed admins' names.
        `noun`: what the results' IDs are of; SAML role results are linked to their organization.
        """
        admins = inventory_admins(results) if noun == "admin" else {}
        orgs = inventory_organizations(result.organization_id for result in results)
        lines = []
        for position, result in enumerate(results):
            key = (result.organization_id, result.admin_id)
            admin = admins.get(key)
            known = admin or (before or {}).get(key)
            name = (result.record or {}).get("name") or (known.name if known else "")
            prefix = prefixes[position] if prefixes else ""
            level, line = _result_line(result, prefix, str(name), self.labelled, noun)
            lines.append((level, line, admin or orgs.get(result.organization_id), result.organization_id))
        self.log_lines(lines)

    def log_lines(self, lines: list[tuple[int, str, Model | None, str]]) -> None:
        """Log `lines` (level, message, linked object, grouping) with one INSERT of their JobLogEntry rows.

        Each line still goes through the job's logger (the worker's console and any other handler), marked with
        Nautobot's `skip_db_logging` so that its database handler does not write it again; the rows are the ones
        `JobResult.log` writes (the message sanitized; grouping, object name and link cut to their columns).
        """
        job_result = getattr(self, "job_result", None)
        entries, last, urls = [], None, {}
        for level, message, subject, grouping in lines:
            extra = {"grouping": grouping, "object": subject}
            if job_result is None or not self.logger.isEnabledFor(level):
                self.logger.log(level, message, extra=extra)
                continue
            self.logger.log(level, message, extra={**extra, "skip_db_logging": True})
            if id(subject) not in urls:  # many lines link to one organization: reverse its URL once
                urls[id(subject)] = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
            url = urls[id(subject)]
            # The page lists entries by their time: each line a microsecond after the one before keeps their order.
            last = max(timezone.now(), last + ONE_MICROSECOND) if last else timezone.now()
            entries.append(
                JobLogEntry(
                    job_result=job_result,
                    log_level=logging.getLevelName(level).lower(),
                    grouping=grouping[:JOB_LOG_MAX_GROUPING_LENGTH],
                    message=sanitize(message),
                    created=last,
                    log_object=str(subject)[:JOB_LOG_MAX_LOG_OBJECT_LENGTH] if subject else "",
                    absolute_url=url[:JOB_LOG_MAX_ABSOLUTE_URL_LENGTH],
                )
            )
        if entries:
            job_logs = nautobot_job_models.JOB_LOGS  # read now: JobResult.log reads it the same way
            database = job_logs if job_result.use_job_logs_db and job_logs else DEFAULT_DB_ALIAS
            JobLogEntry.objects.using(database).bulk_create(entries)

    def finish(self, report: Report) -> dict:
        """Fail the job if any organization failed (or conflicted), and return the JSON result."""
        bad = [r for r in report.organizations if r.outcome in (Outcome.FAILED, Outcome.CONFLICT)]
        self.conclude(
            [f"{r.organization_id} ({r.outcome})" for r in bad],
            len(report.organizations),
            "failed",
            "Done: " + (", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "nothing"),
        )
        return report.as_dict(self.labelled)

    def failed_dashboards(self) -> dict[str, str]:
        """The connections of this run that could not be used: name -> why (the message names the connection)."""
        return dict(self.dashboards.failed) if self.dashboards is not None else {}

    def conclude(self, failures: list[str], total: int, what_failed: str, summary: str) -> None:
        """The one place that decides a run's status: FAILURE naming each failed organization and connection.

        Otherwise `summary` is logged.
        """
        connections = self.failed_dashboards()
        for name, message in connections.items():
            self.logger.error(log_safe(message), extra={"grouping": f"dashboard {name}"})
        problems = []
        if failures:
            problems.append(f"{len(failures)} of {total} organization(s) {what_failed}: {', '.join(failures)}")
        if connections:
            problems.append(f"{len(connections)} Dashboard connection(s) failed: {', '.join(connections)}")
        if problems:
            self.fail("; ".join(problems))
        else:
            self.logger.info(summary)

    def abort(self, message: str, dryrun: bool, selector: OrganizationSelector | None = None) -> dict:
        """End the job without any change: log the reason and report each named organization as failed."""
        self.fail(message)
        report = Report(dryrun=dryrun)
        if selector is not None and not selector.all:
            report.organizations = [
                OrganizationResult(org_id, "", Outcome.FAILED, "", message) for org_id in selector.ids
            ]
        result = report.as_dict()
        result["errors"] = [message]
        return result

    def abort_on_input(self, err: InputError, dryrun: bool) -> dict:
        """End the job on invalid input: every problem, each naming its field; nothing was changed."""
        for error in err.errors:
            self.logger.error(str(error), extra={"grouping": "validation"})
        self.fail(f"Invalid input, nothing was changed: {err}")
        result = Report(dryrun=dryrun).as_dict()
        result["errors"] = [str(error) for error in err.errors]
        return result

    def guarded(self, body, dryrun: bool, selector: Callable[[], OrganizationSelector | None] | None = None) -> dict:
        """Run `body()` and turn configuration and Dashboard errors into a failed job with a clear message.

        `selector` is called only when the job stops early, to report each named organization as failed.
        """
        try:
            result = body()
        except InputError as err:
            return self.abort_on_input(err, dryrun)
        except (ConfigurationError, DashboardError) as err:
            return self.abort(str(err), dryrun, selector() if selector else None)
        if isinstance(result, dict) and self.failed_dashboards():
            result["failed_dashboards"] = self.failed_dashboards()
        return result


class AdminOperationJob(MerakiUsersJob):
    """Create, Update and Delete (of an admin, or of a SAML role): one operation for one key in the organizations."""

    resource = ADMINS

    @staticmethod
    def key_of(request) -> str:
        """The natural key of a parsed create or update request: the admin's email."""
        return request.email

    def run_admin_operation(self, action: str, data: dict, dryrun) -> dict:
        """Check the input, pick the organizations, run the operation in each, return the result."""
        dryrun = as_bool(dryrun)

        def body():
            app_settings = load_settings()
            selector, parsed = self.parse_input(data, app_settings)
            request = None if isinstance(parsed, str) else parsed  # delete parses to the key alone
            email = parsed if request is None else self.key_of(request)
            operation = engine.Operation(action, email, request, resource=self.resource)

            def read(client, org_id: str):
                return self.resource.read_state(client, org_id, operation.needs_networks)

            with self.open_organizations(app_settings, data, selector, read) as (dashboard, orgs, early):
                report = self.run_operation(dashboard, orgs, operation, dryrun, app_settings, early)
            self.check_report(report, email)
            return self.finish(report)

        return self.guarded(body, dryrun, lambda: safe_selector(data))

    def check_report(self, report: engine.Report, email: str) -> None:
        """A job's own verdict on the report before it finishes (nothing by default)."""


def safe_selector(data: dict, default: str | None = None) -> OrganizationSelector | None:
    """The organization selector if it parses, for reporting per organization when the job stops early."""
    value = data.get("meraki_org_id")
    try:
        return parse_organization_selector(default if is_blank(value) and default else value)
    except InputError:
        return None
