"""Organizations whose Dashboard API access is disabled: left out of `all` with a note, failed when named."""

import html

from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_meraki_users.models import MerakiAdministrator, MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
ENABLE_HINT = "enable it in Organization > Settings > Dashboard API access"


class DisabledOrganizationsTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_organization("400", "Umbrella", api_enabled=False)
        for org_id in ("100", "300"):
            self.fake.add_admin(org_id, "leaver@example.com", "Leaver")
        self.fake.clear_records()

    def requests_into(self, org_id: str) -> list:
        return [r for r in self.fake.requests if r.path.startswith(f"/organizations/{org_id}/")]

    def test_all_leaves_the_organization_out_with_a_note(self):
        job_result, result, logs = self.run_job(
            "DeleteUsers", user_email="leaver@example.com", meraki_org_id="all", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "removed", "200": "absent", "300": "removed"})
        [skipped] = result["skipped_organizations"]
        self.assertEqual((skipped["organization_id"], skipped["organization_name"]), ("400", "Umbrella"))
        self.assertIn(ENABLE_HINT, skipped["reason"])
        [line] = [html.unescape(m) for _, m in logs if "400 (Umbrella)" in m]  # one log line says so (escaped text)
        self.assertIn("skipped", line)
        self.assertIn(ENABLE_HINT, line)
        self.assertEqual(self.requests_into("400"), [])
        self.assert_no_spec_violations()

    def test_an_explicit_id_fails_for_that_organization_before_any_write_while_others_run(self):
        job_result, result, _ = self.run_job(
            "CreateUsers", user_email="jane@example.com", user_name="Jane", meraki_org_id="100,400",
            meraki_network="HQ", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "created", "400": "failed"})
        message = result["organizations"][1]["message"]
        self.assertIn("API access is disabled for organization Umbrella (400)", message)
        self.assertIn(ENABLE_HINT, message)
        self.assertEqual(self.requests_into("400"), [])  # never read, never written
        self.assertNotIn("skipped_organizations", result)

    def test_list_leaves_it_out_and_says_so(self):
        job_result, rows, logs = self.run_job("ListUsers", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual({row["organization_id"] for row in rows}, {"100", "300"})
        self.assertEqual(len([m for _, m in logs if "400 (Umbrella)" in m and ENABLE_HINT in html.unescape(m)]), 1)
        self.assertEqual(self.requests_into("400"), [])

    def test_sync_keeps_the_inventory_of_an_organization_that_lost_api_access(self):
        self.fake.set_api_enabled("400", True)
        self.fake.add_admin("400", "umbrella@example.com", "U")
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertTrue(MerakiAdministrator.objects.filter(organization__organization_id="400").exists())

        self.fake.set_api_enabled("400", False)
        job_result, result, logs = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertTrue(MerakiOrganization.objects.filter(organization_id="400").exists())
        self.assertTrue(MerakiAdministrator.objects.filter(organization__organization_id="400").exists())
        self.assertEqual([s["organization_id"] for s in result["skipped_organizations"]], ["400"])  # noted, kept
        self.assertEqual(len([m for _, m in logs if "400" in m and ENABLE_HINT in html.unescape(m)]), 1)
