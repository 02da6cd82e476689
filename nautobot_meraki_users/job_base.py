"""What every Meraki Users job shares: settings, the Dashboard client, form checks, logging and the result."""

from __future__ import annotations

from django_redis import get_redis_connection
from nautobot.apps.jobs import Job
from nautobot.extras.jobs import JobForm

from nautobot_meraki_users import inventory, service
from nautobot_meraki_users.admins import OrganizationSelector, Outcome
from nautobot_meraki_users.dashboard import Dashboard
from nautobot_meraki_users.errors import ConfigurationError, DashboardError, InputError
from nautobot_meraki_users.ratelimit import RateLimiter, budgets
from nautobot_meraki_users.service import OrganizationResult, Report
from nautobot_meraki_users.settings import AppSettings, load_settings, resolve_api_key

GROUPING = "Meraki Users"


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


class _CheckedJobForm(JobForm):
    """A job form that runs the job's own input checks, so the UI and REST API reject bad input early."""

    job_class: type[MerakiUsersJob]

    def clean(self):
        cleaned = super().clean()
        try:
            app_settings = load_settings()
        except ConfigurationError as err:
            raise self.error_class([str(err)]) from None
        try:
            self.job_class.parse_input(dict(cleaned), app_settings)
        except InputError as err:
            for error in err.errors:
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
    def parse_input(cls, data: dict, app_settings: AppSettings):
        """Check the job's inputs without any remote call; raise InputError naming each bad field."""
        raise NotImplementedError

    # ----- helpers used by run() -----

    def open_dashboard(self, app_settings: AppSettings) -> Dashboard:
        """Resolve the API key and build the client (raises ConfigurationError or DashboardError)."""
        limiter = shared_rate_limiter(app_settings)
        if limiter is None:
            self.logger.warning(
                "Nautobot's default cache is not Redis: no request budget is shared with other jobs and workers; "
                "Meraki's 429 + Retry-After alone will pace this job."
            )
        return Dashboard(app_settings, resolve_api_key(app_settings), limiter=limiter)

    def run_operation(self, dashboard: Dashboard, orgs, operation, dryrun: bool, app_settings: AppSettings) -> Report:
        """Run one operation in every organization, log one line per organization, keep the inventory current."""
        report = service.run_operation(dashboard, orgs, operation, dryrun, self.log_result, app_settings.concurrency)
        if not dryrun:  # an inventory problem is a warning: the Meraki changes and their results stand
            inventory.record_changes_or_warn(report.organizations, self.logger)
        return report

    def log_result(self, result: OrganizationResult, prefix: str = "") -> None:
        """One log line per organization: what happened there."""
        line = f"{prefix}{result.organization_id} ({result.organization_name}): {result.outcome}: {result.message}"
        extra = {"grouping": result.organization_id}
        if result.outcome == Outcome.FAILED:
            self.logger.error(line, extra=extra)
        elif result.outcome == Outcome.CONFLICT:
            self.logger.warning(line, extra=extra)
        else:
            self.logger.info(line, extra=extra)

    def finish(self, report: Report) -> dict:
        """Fail the job if any organization failed (or conflicted), and return the JSON result."""
        result = report.as_dict()
        bad = [r for r in report.organizations if r.outcome in (Outcome.FAILED, Outcome.CONFLICT)]
        if bad:
            self.fail(
                f"{len(bad)} of {len(report.organizations)} organization(s) failed: "
                + ", ".join(f"{r.organization_id} ({r.outcome})" for r in bad)
            )
        else:
            self.logger.info("Done: %s", ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "nothing")
        return result

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

    def guarded(self, body, dryrun: bool, selector: OrganizationSelector | None = None) -> dict:
        """Run `body()` and turn configuration and Dashboard errors into a failed job with a clear message."""
        try:
            return body()
        except InputError as err:
            return self.abort_on_input(err, dryrun)
        except (ConfigurationError, DashboardError) as err:
            return self.abort(str(err), dryrun, selector)
