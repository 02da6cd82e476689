"""Job input through the real form paths: the REST run endpoint, the Jobs UI run view, and runjob-style raw data.

The REST endpoint validates the job form before it looks for a Celery worker (nautobot.extras.api.views
JobViewSetBase.run): a 400 needs no worker. Where a test needs the job to actually run after a 201, it stands in
for the worker by patching `get_worker_count` and running the enqueued job in-process (`synchronous=True`).
"""

from __future__ import annotations

import json

from django.urls import reverse
from job_helpers import API_KEY, MerakiJobTestCase, run_through_rest
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import Job, JobResult
from nautobot.users.models import Token, User
from rest_framework.test import APIClient

FAILURE = JobResultStatusChoices.STATUS_FAILURE
SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
JANE = {"user_email": "jane@example.com", "user_name": "Jane Doe", "meraki_org_id": "100", "dryrun": False}
BAD_SETTINGS = {
    "email_regex": ({"email_regex": "[a-z"}, "email_regex: '[a-z' is not a valid regular expression"),
    "base_url": ({"base_url": "api.meraki.com/api/v1"}, "base_url: 'api.meraki.com/api/v1' is not an http(s) URL"),
    "api_key_secrets_group": (
        {"api_key_secrets_group": "No Such Group"},
        "api_key_secrets_group: there is no SecretsGroup named 'No Such Group'",
    ),
}


class FormPathTestCase(MerakiJobTestCase):
    """A superuser with a token, the app's jobs enabled, the fake Dashboard seeded."""

    def setUp(self):
        super().setUp()
        self.user = User.objects.create(username="form-user", is_superuser=True, is_staff=True)
        self.token = Token.objects.create(user=self.user)
        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)

    def job(self, class_name: str) -> Job:
        return Job.objects.get(module_name="nautobot_meraki_users.jobs", job_class_name=class_name)

    def post_run(self, class_name: str, data: dict):
        """POST /api/extras/jobs/<id>/run/ with a token, as a script would."""
        return APIClient().post(
            reverse("extras-api:job-run", kwargs={"pk": self.job(class_name).pk}),
            {"data": data},
            format="json",
            HTTP_AUTHORIZATION=f"Token {self.token.key}",
            HTTP_ACCEPT="application/json",
        )

    def run_through_rest(self, class_name: str, data: dict) -> tuple[int, JobResult | None]:
        """A REST run with a stand-in worker: the job runs in this process after the 201."""
        return run_through_rest(self.token.key, class_name, data)

    def post_ui_form(self, class_name: str, data: dict):
        """POST the Jobs UI run form with the Django test client, as a browser would."""
        self.client.force_login(self.user)
        form = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
        form["_schedule_type"] = "immediately"
        return self.client.post(reverse("extras:job_run", kwargs={"pk": self.job(class_name).pk}), form)


class BadSettingIsAClearErrorTest(FormPathTestCase):
    """Issue item 1: a bad setting is a clear error (400 / form error / FAILURE), never a 500."""

    def test_rest_run_answers_400_naming_the_setting(self):
        for name, (overrides, expected) in BAD_SETTINGS.items():
            with self.subTest(setting=name):
                self.set_config(**overrides)
                response = self.post_run("CreateUsers", JANE)
                self.assertEqual(response.status_code, 400, response.content)
                body = response.json()
                text = json.dumps(body)
                self.assertIn(expected, text)
                self.assertIn(name, json.dumps(body["errors"]))
                self.assertNotIn(API_KEY, text)
                self.assertEqual(JobResult.objects.count(), 0)
                self.assertEqual(self.fake.requests, [])

    def test_ui_form_shows_the_error_instead_of_a_server_error(self):
        for name, (overrides, expected) in BAD_SETTINGS.items():
            with self.subTest(setting=name):
                self.set_config(**overrides)
                response = self.post_ui_form("CreateUsers", JANE)
                self.assertEqual(response.status_code, 200)
                content = response.content.decode()
                self.assertIn(expected.replace("'", "&#x27;"), content)
                self.assertNotIn(API_KEY, content)
                self.assertEqual(JobResult.objects.count(), 0)
                self.assertEqual(self.fake.requests, [])

    def test_runjob_data_ends_failure_with_the_same_message(self):
        for name, (overrides, expected) in BAD_SETTINGS.items():
            with self.subTest(setting=name):
                self.set_config(**overrides)
                job_result, result, logs = self.run_job("CreateUsers", **JANE)
                self.assertEqual(job_result.status, FAILURE)
                self.assertTrue(any(expected in error for error in result["errors"]), result)
                self.assert_key_not_leaked(job_result, logs)
                self.assertEqual(self.fake.requests, [])

    def test_a_good_setting_still_runs_through_the_form(self):
        response, job_result = self.run_through_rest("CreateUsers", {**JANE, "dryrun": True})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(self.fake.writes, [])


class InputThroughTheRestFormTest(FormPathTestCase):
    """Issues items 12 and 16: types, sizes, nulls and unknown organizations through the REST run endpoint."""

    def test_wrong_types_are_refused_per_field_not_stringified(self):
        for field, value in (("user_name", ["x", "y"]), ("meraki_org_id", [1, 2]), ("user_email", 5)):
            with self.subTest(field=field):
                response = self.post_run("CreateUsers", {**JANE, field: value})
                self.assertEqual(response.status_code, 400, response.content)
                errors = response.json()["errors"]
                self.assertIn(field, errors)
                self.assertTrue(any("must be text" in message for message in errors[field]), errors)
                self.assertEqual(JobResult.objects.count(), 0)

    def test_too_long_name_is_refused_naming_the_limit(self):
        response = self.post_run("CreateUsers", {**JANE, "user_name": "x" * 10_000})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("the limit is 255", " ".join(response.json()["errors"]["user_name"]))

    def test_a_null_field_gets_a_per_field_error(self):
        response = self.post_run("CreateUsers", {**JANE, "user_email": None})
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()["errors"]
        self.assertIsInstance(errors, dict)
        self.assertIn("user_email", errors)

    def test_an_update_outside_the_email_policy_passes_the_form(self):
        self.set_config(email_regex=r".*@corp\.example")
        response, job_result = self.run_through_rest(
            "UpdateUsers",
            {"user_email": "alice@example.com", "meraki_org_id": "100", "user_name": "Al", "dryrun": True},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(job_result.status, SUCCESS, job_result.result)

    def test_picked_organizations_as_a_list_of_text_still_run(self):
        response, job_result = self.run_through_rest(
            "CreateUsers", {**JANE, "meraki_org_id": ["100", "200"], "dryrun": True}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        self.assertEqual([o["organization_id"] for o in job_result.result["organizations"]], ["100", "200"])

    def test_an_organization_the_key_cannot_see_fails_after_201_and_changes_nothing(self):
        response, job_result = self.run_through_rest("CreateUsers", {**JANE, "meraki_org_id": "999"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(job_result.status, FAILURE)
        [error] = job_result.result["errors"]
        self.assertTrue(error.startswith("meraki_org_id: organization 999 does not exist"), error)
        self.assertEqual(self.fake.writes, [])
