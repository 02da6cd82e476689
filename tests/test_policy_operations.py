"""Operating the access policy's jobs as operators do: daily schedules and an approval workflow in front of Enforce.

Everything goes through Nautobot's own endpoints and views (REST run endpoint, Jobs UI run view, approval workflow
REST API); docs/user/access-policy-approvals.md is the recipe these tests prove.

Nautobot's REST run endpoint refuses with 503 when it finds no Celery worker, before it looks at the schedule or
approvals (nautobot.extras.api.views.JobViewSetBase.run). The tests stand in for the worker by patching
`get_worker_count` and running an enqueued job in this process (`synchronous=True`); for celery beat, by handing a
due ScheduledJob to Nautobot's own scheduler (`NautobotDatabaseScheduler.apply_async`) with the task run here.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from job_helpers import JOB_MODULE, MerakiJobTestCase
from nautobot.core.celery import app as celery_app
from nautobot.core.celery.schedulers import NautobotDatabaseScheduler, NautobotScheduleEntry
from nautobot.extras.choices import ApprovalWorkflowStateChoices, JobResultStatusChoices, ScheduledJobStateChoices
from nautobot.extras.models import (
    ApprovalWorkflow,
    ApprovalWorkflowStage,
    Job,
    JobResult,
    ScheduledJob,
)
from nautobot.users.models import Token, User
from rest_framework.test import APIClient

from nautobot_meraki_users.models import AccessGrant, AccessProfile, MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
APPROVED = ApprovalWorkflowStateChoices.APPROVED
DENIED = ApprovalWorkflowStateChoices.DENIED
PENDING = ApprovalWorkflowStateChoices.PENDING
APPROVERS = "Meraki access approvers"
WORKFLOW = "Meraki access enforcement"
ENFORCE = {"meraki_org_id": "all", "remove_unmanaged": False, "dryrun": False}
CHECK = {"meraki_org_id": "all", "fail_on_drift": True}


def _enqueue_in_process(original):
    """JobResult.enqueue_job that runs the job at once in this process, like a worker would."""

    def enqueue(cls, *args, **kwargs):
        kwargs["synchronous"] = True
        return original(cls, *args, **kwargs)

    return classmethod(enqueue)


@contextmanager
def worker(count: int = 1):
    """A Celery worker as Nautobot's run endpoints see it: counted, and running what is enqueued right here."""
    original = JobResult.enqueue_job.__func__
    with (
        mock.patch("nautobot.extras.api.views.get_worker_count", return_value=count),
        mock.patch("nautobot.extras.views.get_worker_count", return_value=count),
        mock.patch.object(JobResult, "enqueue_job", _enqueue_in_process(original)),
    ):
        yield


def beat(scheduled_job: ScheduledJob) -> JobResult | None:
    """What celery beat does on its next tick with this ScheduledJob; the task runs in this process, not a worker.

    Returns the JobResult beat created, or None when beat would not run the schedule now (not enabled / not due).
    """
    scheduled_job.refresh_from_db()
    if not ScheduledJob.objects.enabled().filter(pk=scheduled_job.pk).exists():  # beat's query of schedules
        return None
    entry = NautobotScheduleEntry(scheduled_job, app=celery_app)
    if not entry.is_due()[0]:
        return None
    scheduler = NautobotDatabaseScheduler(app=celery_app, lazy=True)
    scheduler._finalize.cancel()  # its exit-time sync would touch the database after the test
    task = celery_app.tasks[entry.task]

    def run_here(args=None, kwargs=None, producer=None, task_id=None, **options):
        eager = task.apply(args=args, kwargs=kwargs, task_id=task_id, **options)
        JobResult._sync_eager_result_to_job_result(JobResult.objects.get(pk=task_id), eager)
        return eager

    entry = scheduler.reserve(entry)  # beat counts the run (a one-off is disabled on its next check)
    with mock.patch.object(task, "apply_async", run_here), mock.patch.object(scheduler, "_do_sync"):
        scheduler.apply_async(entry, advance=False)
    entry.save()  # what beat's periodic sync writes back: last_run_at, total_run_count
    job_result = JobResult.objects.filter(scheduled_job=scheduled_job).order_by("date_created").last()
    job_result.refresh_from_db()
    return job_result


class OperationsTestCase(MerakiJobTestCase):
    """The stand-in Dashboard synced into the inventory; a policy whose enforcement creates one admin.

    Seed (job_helpers.seed): Acme (100) alice full; Globex (200); Initech (300). The policy grants alice full in
    Acme (compliant) and erin read-only in Initech (missing): a real Enforce creates erin there, nothing else.
    """

    def setUp(self):
        super().setUp()
        self.run_job("SyncInventory", dryrun=False)
        self.fake.clear_records()
        orgs = {org.organization_id: org for org in MerakiOrganization.objects.all()}
        full = AccessProfile.objects.create(name="Full", org_access="full")
        noc = AccessProfile.objects.create(name="NOC", org_access="read-only")
        alice = AccessGrant.objects.create(email="alice@example.com", profile=full, reason="CHG-1")
        alice.organizations.set([orgs["100"]])
        erin = AccessGrant.objects.create(email="erin@example.com", name="Erin", profile=noc, reason="CHG-2")
        erin.organizations.set([orgs["300"]])
        Job.objects.filter(module_name=JOB_MODULE).update(enabled=True)
        self.operator = User.objects.create(username="operator", is_superuser=True, is_staff=True)
        self.operator_token = Token.objects.create(user=self.operator)

    # ----- helpers -----

    def job(self, class_name: str) -> Job:
        return Job.objects.get(module_name=JOB_MODULE, job_class_name=class_name)

    def api(self, method: str, path: str, token: Token, data: dict | None = None):
        client = APIClient()
        return getattr(client, method)(
            path, data, format="json", HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json"
        )

    def run_over_rest(self, class_name: str, data: dict, schedule: dict | None = None, token: Token | None = None):
        """POST /api/extras/jobs/<id>/run/ as a script would, with a worker up."""
        body = {"data": data} | ({"schedule": schedule} if schedule else {})
        with worker():
            return self.api(
                "post", f"/api/extras/jobs/{self.job(class_name).pk}/run/", token or self.operator_token, body
            )

    def post_job_form(self, class_name: str, form: dict):
        """POST the Jobs UI run form (Jobs > Jobs > job > Run) as a browser would, logged in as the operator."""
        self.client.force_login(self.operator)
        with worker():
            return self.client.post(reverse("extras:job_run", kwargs={"pk": self.job(class_name).pk}), form)

    def results(self, class_name: str) -> list[JobResult]:
        return list(JobResult.objects.filter(job_model=self.job(class_name)).order_by("date_created"))

    def erin(self) -> dict | None:
        return next((a for a in self.fake.admins("300") if a["email"] == "erin@example.com"), None)


class DailyScheduleTest(OperationsTestCase):
    """Check Meraki Access Drift scheduled daily, through REST and through the Jobs UI form."""

    def test_rest_accepts_a_daily_check_schedule(self):
        start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
        schedule = {"name": "Daily Meraki access drift", "interval": "daily", "start_time": start.isoformat()}
        response = self.run_over_rest("CheckAccessDrift", CHECK, schedule)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertIsNone(body["job_result"])
        self.assertEqual(body["scheduled_job"]["state"]["value"], ScheduledJobStateChoices.ACTIVE)
        scheduled = ScheduledJob.objects.get(pk=body["scheduled_job"]["id"])
        self.assertEqual(scheduled.name, "Daily Meraki access drift")
        self.assertEqual((scheduled.interval, scheduled.one_off, scheduled.enabled), ("daily", False, True))
        self.assertEqual(scheduled.start_time, start)
        self.assertEqual(scheduled.job_model, self.job("CheckAccessDrift"))
        self.assertEqual(scheduled.user, self.operator)
        self.assertEqual(
            scheduled.kwargs, {"meraki_org_id": "all", "user_email": "", "fail_on_drift": True, "dashboard": ""}
        )
        self.assertEqual(scheduled.to_cron().hour, {start.astimezone(scheduled.time_zone).hour})
        self.assertFalse(scheduled.associated_approval_workflows.exists())
        self.assertEqual(self.results("CheckAccessDrift"), [])  # nothing runs before the first start time
        self.assertEqual(self.fake.requests, [])  # the form checked the input without calling Meraki
        self.assertIsNone(beat(scheduled))  # not due yet

    def test_a_rest_schedule_is_refused_with_503_when_no_worker_is_seen(self):
        start = timezone.now() + timedelta(hours=2)
        with mock.patch("nautobot.extras.api.views.get_worker_count", return_value=0):
            response = self.api(
                "post",
                f"/api/extras/jobs/{self.job('CheckAccessDrift').pk}/run/",
                self.operator_token,
                {"data": CHECK, "schedule": {"name": "x", "interval": "daily", "start_time": start.isoformat()}},
            )
        self.assertEqual(response.status_code, 503, response.content)
        self.assertFalse(ScheduledJob.objects.exists())

    def test_rest_refuses_bad_input_in_a_schedule_before_creating_it(self):
        start = timezone.now() + timedelta(hours=2)
        schedule = {"name": "Daily drift", "interval": "daily", "start_time": start.isoformat()}
        response = self.run_over_rest("CheckAccessDrift", {**CHECK, "user_email": "not-an-email"}, schedule)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("user_email", response.json()["errors"])
        self.assertFalse(ScheduledJob.objects.exists())

    def test_the_jobs_ui_form_creates_a_daily_check_schedule(self):
        start = timezone.localtime() + timedelta(days=1)
        form = {
            "meraki_org_id": "all",
            "fail_on_drift": "on",
            "_schedule_type": "daily",
            "_schedule_name": "Daily Meraki access drift (UI)",
            "_schedule_start_time": start.strftime("%Y-%m-%d %H:%M:%S"),
        }
        response = self.post_job_form("CheckAccessDrift", form)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.assertEqual(response.url, reverse("extras:scheduledjob_list"))
        scheduled = ScheduledJob.objects.get(name="Daily Meraki access drift (UI)")
        self.assertEqual((scheduled.interval, scheduled.enabled), ("daily", True))
        self.assertEqual(scheduled.state, ScheduledJobStateChoices.ACTIVE)
        self.assertEqual(scheduled.start_time, start.replace(microsecond=0))
        self.assertEqual(
            scheduled.kwargs, {"meraki_org_id": "all", "user_email": "", "fail_on_drift": True, "dashboard": ""}
        )
        self.assertEqual(self.results("CheckAccessDrift"), [])

    def test_the_ui_form_shows_the_apps_input_error_and_creates_no_schedule(self):
        form = {
            "meraki_org_id": "all",
            "user_email": "not-an-email",
            "_schedule_type": "daily",
            "_schedule_name": "Daily drift",
            "_schedule_start_time": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
        }
        response = self.post_job_form("CheckAccessDrift", form)
        self.assertEqual(response.status_code, 200)
        self.assertIn("user_email", response.context["job_form"].errors)
        self.assertFalse(ScheduledJob.objects.exists())

    def test_a_daily_check_runs_when_beat_finds_it_due(self):
        start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
        schedule = {"name": "Daily Meraki access drift", "interval": "daily", "start_time": start.isoformat()}
        response = self.run_over_rest("CheckAccessDrift", CHECK, schedule)
        scheduled = ScheduledJob.objects.get(pk=response.json()["scheduled_job"]["id"])
        ScheduledJob.objects.filter(pk=scheduled.pk).update(start_time=timezone.now() - timedelta(days=1))
        with mock.patch.object(NautobotScheduleEntry, "is_due", return_value=(True, 60)):  # the time of day came
            job_result = beat(scheduled)
        self.assertEqual(job_result.user, self.operator)
        # erin is missing in Initech and fail_on_drift is on: the daily check fails, which is what alerts key on.
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_FAILURE, job_result.result)
        self.assertEqual(job_result.result["counts"]["missing"], 1)
        self.assertEqual(self.fake.writes, [])


class ApprovalWorkflowTestCase(OperationsTestCase):
    """An approval workflow definition for Enforce Meraki Access Policy, made over REST as an administrator would."""

    def setUp(self):
        super().setUp()
        self.admin_token = self.operator_token  # a superuser sets the workflow up
        response = self.api("post", "/api/users/groups/", self.admin_token, {"name": APPROVERS})
        self.assertEqual(response.status_code, 201, response.content)
        self.group = Group.objects.get(name=APPROVERS)
        self.approver = User.objects.create_user(username="approver", password="approver-password-1")
        self.approver_token = Token.objects.create(user=self.approver)
        response = self.api(
            "patch", f"/api/users/users/{self.approver.pk}/", self.admin_token, {"groups": [self.group.pk]}
        )
        self.assertEqual(response.status_code, 200, response.content)
        response = self.api(
            "post",
            "/api/users/permissions/",
            self.admin_token,
            {
                "name": "Approve Meraki access enforcement",
                "object_types": [
                    "extras.approvalworkflow",
                    "extras.approvalworkflowstage",
                    "extras.approvalworkflowstageresponse",
                    "extras.scheduledjob",
                ],
                "actions": ["view", "change"],
                "groups": [self.group.pk],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        response = self.api(
            "post",
            "/api/extras/approval-workflow-definitions/",
            self.admin_token,
            {
                "name": WORKFLOW,
                "model_content_type": "extras.scheduledjob",
                "model_constraints": {
                    "job_model__module_name": JOB_MODULE,
                    "job_model__job_class_name": "EnforceAccessPolicy",
                },
                "weight": 500,  # unique per model; Nautobot's seeded example for scheduled jobs has 100
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.definition_id = response.json()["id"]
        response = self.api(
            "post",
            "/api/extras/approval-workflow-stage-definitions/",
            self.admin_token,
            {
                "approval_workflow_definition": self.definition_id,
                "sequence": 10,
                "name": "Access owner",
                "min_approvers": 1,
                "approver_group": APPROVERS,
                "denial_message": "Enforcement refused: fix the policy, run a dry run, submit again.",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)

    def submit_enforce(self, data=ENFORCE, **kwargs) -> ScheduledJob:
        """A real Enforce run over REST; asserts Nautobot holds it for approval and returns its ScheduledJob."""
        response = self.run_over_rest("EnforceAccessPolicy", data, **kwargs)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertIsNone(body["job_result"])
        self.assertEqual(body["scheduled_job"]["state"]["value"], ScheduledJobStateChoices.PENDING)
        scheduled_id = body["scheduled_job"]["id"]
        # The request's workflow and its stage, as a script finds them.
        response = self.api(
            "get", f"/api/extras/approval-workflows/?object_under_review_object_id={scheduled_id}", self.operator_token
        )
        self.assertEqual(response.status_code, 200, response.content)
        [workflow] = response.json()["results"]
        self.assertEqual(workflow["current_state"], PENDING)
        response = self.api(
            "get", f"/api/extras/approval-workflow-stages/?approval_workflow={workflow['id']}", self.operator_token
        )
        [stage] = response.json()["results"]
        self.assertEqual(stage["state"], PENDING)
        return ScheduledJob.objects.get(pk=body["scheduled_job"]["id"])

    def pending_stage_id(self, token: Token) -> str:
        """The approver's view: GET /api/extras/approval-workflow-stages/?pending_my_approvals=true."""
        response = self.api("get", "/api/extras/approval-workflow-stages/?pending_my_approvals=true", token)
        self.assertEqual(response.status_code, 200, response.content)
        [stage] = response.json()["results"]
        return stage["id"]


class EnforceApprovalTest(ApprovalWorkflowTestCase):
    def test_a_real_run_waits_for_approval_then_beat_runs_it(self):
        submitted = timezone.now()
        scheduled = self.submit_enforce(schedule={"name": "CHG-2 erin joins the NOC", "interval": "immediately"})
        self.assertEqual(scheduled.name, "CHG-2 erin joins the NOC")  # what approvers see in their dashboard
        self.assertEqual((scheduled.enabled, scheduled.interval, scheduled.one_off), (False, "future", True))
        self.assertLess(abs((scheduled.start_time - submitted).total_seconds()), 60)  # "now": past due on approval
        self.assertEqual(scheduled.kwargs, {**ENFORCE, "user_email": "", "dashboard": ""})
        workflow = ApprovalWorkflow.objects.get(object_under_review_object_id=scheduled.pk)
        self.assertEqual((workflow.approval_workflow_definition.name, workflow.user), (WORKFLOW, self.operator))
        self.assertEqual(self.results("EnforceAccessPolicy"), [])
        self.assertIsNone(beat(scheduled))  # beat skips a schedule pending approval
        self.assertEqual(self.fake.requests, [])
        self.assertIsNone(self.erin())

        # The approver finds the request, reads what it would run, approves it.
        stage_id = self.pending_stage_id(self.approver_token)
        response = self.api("get", f"/api/extras/scheduled-jobs/{scheduled.pk}/", self.approver_token)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["kwargs"]["dryrun"], False)
        response = self.api(
            "post",
            f"/api/extras/approval-workflow-stages/{stage_id}/approve/",
            self.approver_token,
            {"comments": "CHG-2: erin joins the NOC"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], APPROVED)
        self.assertEqual([r["comments"] for r in response.json()["responses"]], ["CHG-2: erin joins the NOC"])
        scheduled.refresh_from_db()
        workflow.refresh_from_db()
        self.assertEqual(workflow.current_state, APPROVED)
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.ACTIVE, True))
        self.assertIsNotNone(scheduled.decision_date)
        self.assertEqual(self.results("EnforceAccessPolicy"), [])  # approval hands the run to beat; it does not run it
        self.assertEqual(self.fake.writes, [])

        job_result = beat(scheduled)
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        self.assertEqual((job_result.scheduled_job, job_result.user), (scheduled, self.operator))
        self.assertFalse(job_result.result["dryrun"])
        self.assertEqual(job_result.result["counts"].get("created"), 1, job_result.result)
        self.assertEqual(self.erin()["orgAccess"], "read-only")
        response = self.api("get", f"/api/extras/job-results/?scheduled_job={scheduled.pk}", self.operator_token)
        [found] = response.json()["results"]
        self.assertEqual((found["id"], found["status"]["value"]), (str(job_result.pk), SUCCESS))
        self.assertIsNone(beat(scheduled))  # a one-off runs once
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.COMPLETED, False))

    def test_the_approver_can_dry_run_the_request_before_deciding(self):
        scheduled = self.submit_enforce()
        job_model = self.job("EnforceAccessPolicy")
        response = self.api(
            "post",
            "/api/users/permissions/",
            self.admin_token,
            {"name": "Run Enforce", "object_types": ["extras.job"], "actions": ["view", "run"],
             "groups": [self.group.pk], "constraints": {"pk": str(job_model.pk)}},
        )  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        with worker():
            response = self.api("post", f"/api/extras/scheduled-jobs/{scheduled.pk}/dry-run/", self.approver_token)
        self.assertEqual(response.status_code, 200, response.content)
        job_result = JobResult.objects.get(pk=response.json()["id"])
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        self.assertTrue(job_result.result["dryrun"])
        self.assertEqual(job_result.result["counts"].get("created"), 1, job_result.result)
        self.assertEqual(self.fake.writes, [])
        scheduled.refresh_from_db()
        self.assertEqual(scheduled.state, ScheduledJobStateChoices.PENDING)  # still waiting for the decision

    def test_a_dry_run_needs_no_approval_and_runs_at_once(self):
        response = self.run_over_rest("EnforceAccessPolicy", {**ENFORCE, "dryrun": True})
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertIsNone(body["scheduled_job"])
        job_result = JobResult.objects.get(pk=body["job_result"]["id"])
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        self.assertTrue(job_result.result["dryrun"])
        self.assertEqual(job_result.result["counts"].get("created"), 1, job_result.result)
        self.assertFalse(ScheduledJob.objects.exists())
        self.assertFalse(ApprovalWorkflow.objects.exists())
        self.assertEqual(self.fake.writes, [])

    def test_a_scheduled_dry_run_still_needs_approval(self):
        start = timezone.now() + timedelta(hours=2)
        schedule = {"name": "Nightly enforcement preview", "interval": "daily", "start_time": start.isoformat()}
        scheduled = self.submit_enforce({**ENFORCE, "dryrun": True}, schedule=schedule)
        self.assertEqual(scheduled.interval, "daily")
        self.assertTrue(scheduled.kwargs["dryrun"])
        self.submit_enforce()  # a second request: each lookup above still finds exactly its own workflow and stage
        self.assertEqual(ApprovalWorkflow.objects.filter(current_state=PENDING).count(), 2)

    def test_an_approved_daily_schedule_runs_every_day_without_new_approvals(self):
        start = timezone.now() + timedelta(hours=2)
        schedule = {"name": "Nightly enforcement", "interval": "daily", "start_time": start.isoformat()}
        scheduled = self.submit_enforce(schedule=schedule)
        stage_id = self.pending_stage_id(self.approver_token)
        response = self.api("post", f"/api/extras/approval-workflow-stages/{stage_id}/approve/", self.approver_token)
        self.assertEqual(response.status_code, 200, response.content)
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.ACTIVE, True))
        ScheduledJob.objects.filter(pk=scheduled.pk).update(start_time=timezone.now() - timedelta(days=2))
        with mock.patch.object(NautobotScheduleEntry, "is_due", return_value=(True, 60)):
            first = beat(scheduled)
            second = beat(scheduled)
        self.assertEqual([first.status, second.status], [SUCCESS, SUCCESS])
        self.assertEqual(first.result["counts"].get("created"), 1, first.result)
        self.assertEqual(second.result["counts"].get("created"), None, second.result)  # erin is there now
        self.assertEqual(ApprovalWorkflow.objects.count(), 1)

    def test_a_denied_run_never_runs(self):
        scheduled = self.submit_enforce()
        stage_id = self.pending_stage_id(self.approver_token)
        response = self.api(
            "post",
            f"/api/extras/approval-workflow-stages/{stage_id}/deny/",
            self.approver_token,
            {"comments": "no change ticket"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], DENIED)
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.DENIED, False))
        self.assertIsNone(beat(scheduled))
        self.assertEqual(self.fake.requests, [])

    def test_the_submitter_can_cancel_a_pending_request(self):
        scheduled = self.submit_enforce()
        workflow = ApprovalWorkflow.objects.get(object_under_review_object_id=scheduled.pk)
        response = self.api(
            "post", f"/api/extras/approval-workflows/{workflow.pk}/cancel/", self.operator_token, {"comments": "typo"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["current_state"], ApprovalWorkflowStateChoices.CANCELED)
        scheduled.refresh_from_db()
        self.assertEqual((scheduled.state, scheduled.enabled), (ScheduledJobStateChoices.CANCELED, False))
        self.assertIsNone(beat(scheduled))

    def test_only_members_of_the_approver_group_may_approve_over_rest_even_a_superuser(self):
        self.submit_enforce()
        stage = ApprovalWorkflowStage.objects.get()
        response = self.api("post", f"/api/extras/approval-workflow-stages/{stage.pk}/approve/", self.operator_token)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(response.json()["detail"], "You do not have permission to approve this stage.")
        stage.refresh_from_db()
        self.assertEqual(stage.state, PENDING)

    def test_an_approver_needs_change_permission_on_scheduled_jobs_too(self):
        self.submit_enforce()
        stage = ApprovalWorkflowStage.objects.get()
        permission = self.group.object_permissions.get()
        permission.object_types.set(
            ContentType.objects.filter(app_label="extras", model__in=["approvalworkflow", "approvalworkflowstage"])
        )  # like Nautobot's seeded nautobot-default-scheduledjob-approver group: no extras.scheduledjob
        response = self.api("post", f"/api/extras/approval-workflow-stages/{stage.pk}/approve/", self.approver_token)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(response.json()["detail"], "You do not have 'change' permission on extras.scheduledjob.")
        stage.refresh_from_db()
        self.assertEqual(stage.state, PENDING)

    def test_nautobot_does_not_stop_a_submitter_in_the_approver_group_approving_their_own_run(self):
        self.operator.groups.add(self.group)
        self.submit_enforce()
        stage_id = self.pending_stage_id(self.operator_token)
        response = self.api("post", f"/api/extras/approval-workflow-stages/{stage_id}/approve/", self.operator_token)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], APPROVED)

    def test_with_two_approvers_required_a_submitter_in_the_group_cannot_approve_alone(self):
        response = self.api(
            "get", f"/api/extras/approval-workflow-stage-definitions/?approval_workflow_definition={WORKFLOW}",
            self.admin_token,
        )  # fmt: skip
        [stage_definition] = response.json()["results"]
        response = self.api(
            "patch",
            f"/api/extras/approval-workflow-stage-definitions/{stage_definition['id']}/",
            self.admin_token,
            {"min_approvers": 2},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.operator.groups.add(self.group)
        scheduled = self.submit_enforce()
        stage_id = self.pending_stage_id(self.operator_token)
        approve = f"/api/extras/approval-workflow-stages/{stage_id}/approve/"
        response = self.api("post", approve, self.operator_token)
        self.assertEqual((response.status_code, response.json()["state"]), (200, PENDING))
        response = self.api("post", approve, self.operator_token)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()["detail"], "You have already approved to this stage.")
        scheduled.refresh_from_db()
        self.assertEqual(scheduled.state, ScheduledJobStateChoices.PENDING)
        response = self.api("post", approve, self.approver_token)
        self.assertEqual((response.status_code, response.json()["state"]), (200, APPROVED))
        scheduled.refresh_from_db()
        self.assertEqual(scheduled.state, ScheduledJobStateChoices.ACTIVE)

    def test_the_workflow_leaves_the_other_policy_jobs_alone(self):
        check = self.run_over_rest("CheckAccessDrift", {"meraki_org_id": "all"})
        self.assertEqual(check.status_code, 201, check.content)
        self.assertIsNotNone(check.json()["job_result"])
        start = timezone.now() + timedelta(hours=2)
        schedule = {"name": "Daily drift", "interval": "daily", "start_time": start.isoformat()}
        daily = self.run_over_rest("CheckAccessDrift", CHECK, schedule)
        self.assertEqual(daily.json()["scheduled_job"]["state"]["value"], ScheduledJobStateChoices.ACTIVE)
        adopt = self.run_over_rest("AdoptAccessPolicy", {"meraki_org_id": "all", "dryrun": False})
        self.assertEqual(adopt.status_code, 201, adopt.content)
        self.assertIsNotNone(adopt.json()["job_result"])
        self.assertFalse(ApprovalWorkflow.objects.exists())

    def test_a_text_dryrun_is_refused_so_a_real_run_never_skips_its_approval(self):
        """Nautobot 3.2 skips approval when the raw REST value of `dryrun` is truthy (JobViewSetBase.run reads
        `data.get("dryrun")`), while a job form reads the text "false" or "0" as False: the app answers 400 to any
        `dryrun` that is not a JSON boolean.
        """
        for value in ("false", "False", "0", "true"):
            with self.subTest(dryrun=value):
                response = self.run_over_rest("EnforceAccessPolicy", {**ENFORCE, "dryrun": value})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("must be a JSON boolean", str(response.json()["errors"]["dryrun"]))
                self.assertEqual(self.fake.writes, [])
                self.assertFalse(ScheduledJob.objects.exists())


class EnforceApprovalThroughTheUiTest(ApprovalWorkflowTestCase):
    def test_a_real_run_from_the_ui_goes_to_its_approval_page(self):
        response = self.post_job_form("EnforceAccessPolicy", {"meraki_org_id": "all", "_schedule_type": "immediately"})
        scheduled = ScheduledJob.objects.get()
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.assertEqual(response.url, reverse("extras:scheduledjob_approvalworkflow", args=[scheduled.pk]))
        self.assertEqual(scheduled.state, ScheduledJobStateChoices.PENDING)
        self.assertEqual(self.results("EnforceAccessPolicy"), [])

    def test_a_dry_run_from_the_ui_runs_at_once(self):
        form = {"meraki_org_id": "all", "dryrun": "on", "_schedule_type": "immediately"}
        response = self.post_job_form("EnforceAccessPolicy", form)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        [job_result] = self.results("EnforceAccessPolicy")
        self.assertEqual(response.url, reverse("extras:jobresult", kwargs={"pk": job_result.pk}))
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        self.assertTrue(job_result.result["dryrun"])
        self.assertFalse(ScheduledJob.objects.exists())
        self.assertEqual(self.fake.writes, [])

    def test_the_approver_approves_in_the_ui(self):
        self.submit_enforce()
        stage = ApprovalWorkflowStage.objects.get()
        self.client.force_login(self.approver)
        page = self.client.get(reverse("extras:approvalworkflowstage_approve", kwargs={"pk": stage.pk}))
        self.assertEqual(page.status_code, 200)
        self.assertIn("It will run immediately after approval.", page.content.decode())  # a run-now request
        response = self.client.post(
            reverse("extras:approvalworkflowstage_approve", kwargs={"pk": stage.pk}), {"comments": "ok"}
        )
        self.assertEqual(response.status_code, 302)
        stage.refresh_from_db()
        self.assertEqual(stage.state, APPROVED)
        self.assertEqual(ScheduledJob.objects.get().state, ScheduledJobStateChoices.ACTIVE)
