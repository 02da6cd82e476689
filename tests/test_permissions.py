"""Permissions: the job form's pickers and List Meraki Users follow the user's view permissions on the inventory."""

import re

from django.urls import reverse
from job_helpers import JOB_MODULE, MerakiJobTestCase
from nautobot.apps.testing import get_job_class_and_model, run_job_for_testing
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import JobLogEntry

from nautobot_meraki_users.models import MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class PermissionsTest(MerakiJobTestCase):
    """`self.user` is a plain (not super) user who may run the jobs; each test grants what it needs."""

    def setUp(self):
        super().setUp()
        MerakiOrganization.objects.create(organization_id="100", name="Acme")
        MerakiOrganization.objects.create(organization_id="200", name="Globex")
        self.add_permissions("extras.view_job", "extras.run_job")

    def organization_options(self, class_name: str) -> list[str]:
        """The values the Organizations picker of the job's run form offers this user (the page as rendered)."""
        _, job_model = get_job_class_and_model(JOB_MODULE, class_name)
        response = self.client.get(reverse("extras:job_run", kwargs={"pk": job_model.pk}))
        self.assertEqual(response.status_code, 200)
        select = re.search(r'<select name="meraki_org_id".*?</select>', response.content.decode(), re.S)
        self.assertIsNotNone(select, "no organization picker on the page")
        return re.findall(r'<option value="([^"]*)"', select.group(0))

    def run_as_user(self, class_name: str, **data):
        _, job_model = get_job_class_and_model(JOB_MODULE, class_name)
        job_result = run_job_for_testing(job_model, username=self.user.username, job_kwargs=data)
        job_result.refresh_from_db()
        messages = list(JobLogEntry.objects.filter(job_result=job_result).values_list("message", flat=True))
        return job_result, messages

    def test_picker_shows_no_organization_without_view_permission(self):
        self.assertEqual(self.organization_options("CreateUsers"), ["all"])

    def test_picker_shows_the_organizations_the_user_may_view(self):
        self.add_permissions("nautobot_meraki_users.view_merakiorganization", constraints={"organization_id": "100"})
        self.assertEqual(self.organization_options("DeleteUsers"), ["all", "100"])

    def test_list_refuses_a_user_who_may_not_view_administrators_before_any_request(self):
        self.add_permissions("nautobot_meraki_users.view_merakiorganization")
        job_result, messages = self.run_as_user("ListUsers", meraki_org_id="all")
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(any("nautobot_meraki_users.view_merakiadministrator" in m for m in messages), messages)
        self.assertEqual(self.fake.requests, [])
        self.assertEqual(job_result.result["organizations"], [])
        self.assertIn("view_merakiadministrator", job_result.result["errors"][0])

    def test_list_works_with_the_view_permission(self):
        self.add_permissions("nautobot_meraki_users.view_merakiadministrator")
        job_result, _ = self.run_as_user("ListUsers", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual([row["email"] for row in job_result.result], ["alice@example.com"])
