"""The job-run REST endpoint (the "custom API endpoint"): bad input is refused with 400 before anything runs."""

from django.test import override_settings
from django.urls import reverse
from job_helpers import app_config
from nautobot.apps.testing import TestCase
from nautobot.extras.models import Job, JobResult
from nautobot.users.models import Token, User
from rest_framework.test import APIClient


@override_settings(PLUGINS_CONFIG=app_config(email_regex=r".*@example\.com", allowed_organization_ids=["100", "200"]))
class JobRunApiValidationTest(TestCase):
    def setUp(self):
        super().setUp()
        user = User.objects.create(username="api-user", is_superuser=True)
        self.token = Token.objects.create(user=user)
        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)

    def post_run(self, job_name, data):
        job = Job.objects.get(module_name="nautobot_meraki_users.jobs", job_class_name=job_name)
        return APIClient().post(
            reverse("extras-api:job-run", kwargs={"pk": job.pk}),
            {"data": data},
            format="json",
            HTTP_AUTHORIZATION=f"Token {self.token.key}",
            HTTP_ACCEPT="application/json",
        )

    def test_jobs_are_registered_with_their_names_and_grouping(self):
        jobs = Job.objects.filter(module_name="nautobot_meraki_users.jobs").order_by("name")
        self.assertEqual(
            [(j.job_class_name, j.name, j.grouping) for j in jobs],
            [
                ("AdoptAccessPolicy", "Adopt Current Meraki Access", "Meraki Users"),
                ("CheckAccessDrift", "Check Meraki Access Drift", "Meraki Users"),
                ("CheckLoginSecurity", "Check Meraki Login Security", "Meraki Users"),
                ("CreateSamlRoles", "Create Meraki SAML Role", "Meraki Users"),
                ("CreateUsers", "Create Meraki User", "Meraki Users"),
                ("DeleteSamlRoles", "Delete Meraki SAML Role", "Meraki Users"),
                ("DeleteUsers", "Delete Meraki User", "Meraki Users"),
                ("EnforceAccessPolicy", "Enforce Meraki Access Policy", "Meraki Users"),
                ("EnforceLoginSecurity", "Enforce Meraki Login Security", "Meraki Users"),
                ("ImportUsers", "Import Meraki Users", "Meraki Users"),
                ("ListUsers", "List Meraki Users", "Meraki Users"),
                ("SyncInventory", "Sync Meraki Inventory", "Meraki Users"),
                ("UpdateSamlRoles", "Update Meraki SAML Role", "Meraki Users"),
                ("UpdateUsers", "Update Meraki User", "Meraki Users"),
            ],
        )
        read_only = ("ListUsers", "CheckLoginSecurity", "CheckAccessDrift")
        self.assertTrue(all(j.supports_dryrun for j in jobs if j.job_class_name not in read_only))
        self.assertFalse(any(j.has_sensitive_variables for j in jobs))

    def test_bad_input_is_answered_400_per_field(self):
        response = self.post_run(
            "CreateUsers",
            {"user_email": "jane@gmail.com", "user_name": "Jane", "meraki_org_id": "100,300", "dryrun": True},
        )
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()["errors"]
        self.assertIn("email policy", errors["user_email"][0])
        self.assertIn("organization 300 is not allowed", errors["meraki_org_id"][0])
        self.assertEqual(JobResult.objects.count(), 0)

    def test_bad_choice_and_missing_required_field(self):
        response = self.post_run("UpdateUsers", {"user_email": "jane@example.com", "meraki_access_level": "owner"})
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()["errors"]
        self.assertIn("meraki_org_id", errors)
        self.assertIn("meraki_access_level", errors)

    def test_unknown_data_key_is_refused(self):
        response = self.post_run(
            "DeleteUsers", {"user_email": "jane@example.com", "meraki_org_id": "100", "commit": True}
        )
        self.assertEqual(response.status_code, 400, response.content)
