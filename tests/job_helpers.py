"""Shared set-up for job tests: a real Nautobot (TestCase, rolled back per test), the fake Dashboard behind respx."""

from __future__ import annotations

import json
from unittest import mock

from django.test import override_settings
from meraki_standin import FakeDashboard
from nautobot.apps.testing import TestCase, get_job_class_and_model, run_job_for_testing
from nautobot.extras.models import JobLogEntry
from nautobot.extras.models import jobs as nautobot_jobs

BASE_URL = "https://api.meraki.com/api/v1"
API_KEY = "5ec12e7a9b0c4d3e8f1a2b3c4d5e6f7a8b9c0d1e"  # a made-up key the fake accepts
JOB_MODULE = "nautobot_meraki_users.jobs"


def app_config(**overrides) -> dict:
    """PLUGINS_CONFIG for the app, pointing at the fake Dashboard."""
    config = {
        "api_key": API_KEY,
        "base_url": BASE_URL,
        "maximum_retries": 3,
        "request_timeout": 5,
        # The shared Redis budget is real here; its own tests use an injected clock. Job tests never wait on it.
        "rate_limit_per_organization": 1_000_000,
        "rate_limit_per_ip": 1_000_000,
    }
    config.update(overrides)
    return {"nautobot_meraki_users": config}


def seed(fake: FakeDashboard) -> None:
    """Three organizations: Acme (two networks, tags), Globex (one network), Initech (no networks)."""
    fake.add_organization("100", "Acme")
    fake.add_network("100", "N_100_1", "HQ", tags=["west", "hq"])
    fake.add_network("100", "N_100_2", "Branch", tags=["east"])
    fake.add_admin("100", "alice@example.com", "Alice", org_access="full")
    fake.add_organization("200", "Globex")
    fake.add_network("200", "N_200_1", "HQ", tags=["west"])
    fake.add_organization("300", "Initech")


class JobTestCase(TestCase):
    """A Nautobot test case that runs jobs in-process, each test in a transaction rolled back after it.

    Nautobot writes job log lines through a second connection (the `job_logs` alias) so that they outlive a rolled
    back job; that connection cannot see this test's uncommitted JobResult. Here the lines go through the default
    connection instead (Nautobot's `JOB_LOGS` switch), so they are rolled back with the test. A rollback costs
    milliseconds where a TransactionTestCase truncates Nautobot's ~500 tables after every test (about 3 s here).
    Tests that need committed data (another process reads it) stay TransactionTestCase.
    """

    def setUp(self):
        super().setUp()
        job_logs = mock.patch.object(nautobot_jobs, "JOB_LOGS", None)
        job_logs.start()
        self.addCleanup(job_logs.stop)


class MerakiJobTestCase(JobTestCase):
    """Runs the app's jobs in-process against a seeded fake Dashboard."""

    config_overrides: dict = {}

    def setUp(self):
        super().setUp()
        self.fake = FakeDashboard(api_key=API_KEY)
        seed(self.fake)
        router = self.fake.mock(BASE_URL)
        router.start()
        self.addCleanup(router.stop)
        self.waits: list[float] = []
        patcher = mock.patch("nautobot_meraki_users.dashboard.client.pause", self.waits.append)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.set_config(**self.config_overrides)

    def set_config(self, **overrides):
        """Replace the app's settings for the rest of the test."""
        settings = override_settings(PLUGINS_CONFIG=app_config(**overrides))
        settings.enable()
        self.addCleanup(settings.disable)

    def add_organizations(self, first: int, count: int, *emails: str) -> list[str]:
        """Add `count` organizations to the fake Dashboard (IDs from `first`, named "Org <ID>"), each with an admin
        of every one of `emails` (full org access, so none is its organization's last); returns their IDs."""
        ids = [str(first + number) for number in range(count)]
        for org_id in ids:
            self.fake.add_organization(org_id, f"Org {org_id}")
            for email in emails:
                self.fake.add_admin(org_id, email, email.split("@")[0].title(), org_access="full")
        return ids

    def look_at_first(self, when, look) -> dict:
        """At the first request for which `when(request)` is true, before the fake answers it, call `look()`.

        Returns a dict that then holds its value under "seen" (what the job had done by then).
        """
        found: dict = {}
        record = self.fake._record

        def watch(request):
            if when(request) and not found:
                found["seen"] = look()
            return record(request)

        self.fake._record = watch
        return found

    def run_job(self, class_name: str, **data):
        """Run a job like a worker would; returns (job_result, result, log lines)."""
        _, job_model = get_job_class_and_model(JOB_MODULE, class_name)
        job_result = run_job_for_testing(job_model, job_kwargs=data)
        job_result.refresh_from_db()
        logs = list(
            JobLogEntry.objects.filter(job_result=job_result).order_by("created").values_list("log_level", "message")
        )
        return job_result, job_result.result, logs

    def assert_no_spec_violations(self):
        self.assertEqual(self.fake.spec_violations, [])

    def assert_key_not_leaked(self, job_result, logs):
        """The API key appears nowhere a user or another process could read it."""
        self.assertNotIn(API_KEY, json.dumps(job_result.result, default=str))
        self.assertNotIn(API_KEY, json.dumps(job_result.task_kwargs, default=str))
        self.assertNotIn(API_KEY, json.dumps(job_result.traceback, default=str))
        for _, message in logs:
            self.assertNotIn(API_KEY, message)

    def outcomes(self, result) -> dict[str, str]:
        """organization_id -> outcome."""
        return {org["organization_id"]: org["outcome"] for org in result["organizations"]}


def post_job_run(token: str, class_name: str, data: dict):
    """POST /api/extras/jobs/<id>/run/ with a token, as a script would (the app's jobs enabled first)."""
    from django.urls import reverse
    from nautobot.extras.models import Job
    from rest_framework.test import APIClient

    Job.objects.filter(module_name=JOB_MODULE).update(enabled=True)
    job = Job.objects.get(module_name=JOB_MODULE, job_class_name=class_name)
    return APIClient().post(
        reverse("extras-api:job-run", kwargs={"pk": job.pk}),
        {"data": data},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_ACCEPT="application/json",
    )


def _enqueue_in_process(original):
    """JobResult.enqueue_job that runs the job at once in this process, like a worker would."""

    def enqueue(cls, *args, **kwargs):
        kwargs["synchronous"] = True
        return original(cls, *args, **kwargs)

    return classmethod(enqueue)


def run_through_rest(token: str, class_name: str, data: dict):
    """A REST run (POST .../run/) with a stand-in worker: the job runs in this process after the 201.

    Returns the response and the run's JobResult (None when the run was refused).
    """
    from nautobot.extras.models import Job, JobResult

    original = JobResult.enqueue_job.__func__
    with (
        mock.patch("nautobot.extras.api.views.get_worker_count", return_value=1),
        mock.patch.object(JobResult, "enqueue_job", _enqueue_in_process(original)),
    ):
        response = post_job_run(token, class_name, data)
    job = Job.objects.get(module_name=JOB_MODULE, job_class_name=class_name)
    job_result = JobResult.objects.filter(job_model=job).order_by("date_created").last()
    if job_result is not None:
        job_result.refresh_from_db()
    return response, job_result
