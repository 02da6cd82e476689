"""A write that landed but whose reply was lost (a gateway 502, a timeout) is reported as what happened.

The SDK retries 5xx answers and transport errors for every method, so the retry meets the changed state:
POST gets "Email has already been taken", DELETE gets 404, PUT applies again. Each test runs a real job
against the stand-in, which applies the write and then loses its reply.
"""

import httpx
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_meraki_users.models import MerakiAdministrator

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class LostRepliesTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.leaver = self.fake.add_admin("100", "leaver@example.com", "Leaver", org_access="read-only")
        self.fake.clear_records()

    def assert_one_change_landed(self, org_id: str, method: str):
        """The Dashboard's change log shows the write exactly once: the lost reply did not double anything."""
        changes = [c for c in self.fake.configuration_changes(org_id) if c["label"].startswith(method)]
        self.assertEqual(len(changes), 1, changes)

    def test_create_whose_reply_was_lost_is_created_with_its_admin_id(self):
        self.fake.lose_replies("POST", r"/organizations/100/admins")
        job_result, result, logs = self.run_job(
            "CreateUsers", user_email="jane@example.com", user_name="Jane", meraki_org_id="100",
            meraki_access_level="full", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        [org] = result["organizations"]
        [jane] = [a for a in self.fake.admins("100") if a["email"] == "jane@example.com"]
        self.assertEqual((org["outcome"], org["admin_id"]), ("created", jane["id"]))
        self.assertIn("confirmed by re-reading", org["message"])
        self.assertEqual([w.status for w in self.fake.writes], [502, 400])
        self.assert_one_change_landed("100", "POST")
        self.assert_no_spec_violations()
        self.assert_key_not_leaked(job_result, logs)

    def test_delete_whose_reply_was_lost_is_removed_not_failed(self):
        self.fake.lose_replies("DELETE", r"/organizations/100/admins/.*")
        job_result, result, logs = self.run_job(
            "DeleteUsers", user_email="leaver@example.com", meraki_org_id="100", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        [org] = result["organizations"]
        self.assertEqual((org["outcome"], org["admin_id"]), ("removed", self.leaver["id"]))
        self.assertIn("confirmed by re-reading", org["message"])
        self.assertEqual([w.status for w in self.fake.writes], [502, 404])
        self.assertNotIn("leaver@example.com", [a["email"] for a in self.fake.admins("100")])
        self.assertFalse(MerakiAdministrator.objects.filter(admin_id=self.leaver["id"]).exists())
        self.assertTrue(any("100 (Acme): removed" in message for _, message in logs))
        self.assert_one_change_landed("100", "DELETE")
        self.assert_no_spec_violations()

    def test_delete_that_timed_out_after_it_landed_is_removed(self):
        self.fake.lose_replies("DELETE", r"/organizations/100/admins/.*", exception=httpx.ReadTimeout)
        job_result, result, _ = self.run_job(
            "DeleteUsers", user_email="leaver@example.com", meraki_org_id="100", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "removed"})
        self.assertEqual([w.status for w in self.fake.writes], [None, 404])  # no answer, then 404

    def test_update_whose_reply_was_lost_reports_the_final_state(self):
        self.fake.lose_replies("PUT", r"/organizations/100/admins/.*")
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="leaver@example.com", meraki_org_id="100", meraki_access_level="full",
            dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        [org] = result["organizations"]
        self.assertEqual((org["outcome"], org["admin_id"]), ("updated", self.leaver["id"]))
        [leaver] = [a for a in self.fake.admins("100") if a["email"] == "leaver@example.com"]
        self.assertEqual(leaver["orgAccess"], "full")
        row = MerakiAdministrator.objects.get(organization__organization_id="100", admin_id=self.leaver["id"])
        self.assertEqual(row.org_access, "full")  # the inventory holds the final state

    def test_every_reply_lost_is_confirmed_by_re_reading(self):
        # The gateway loses every attempt's reply (the SDK gives up after 3), yet each write landed.
        self.fake.lose_replies("WRITE", r"/organizations/100/admins.*", times=3)
        _, result, _ = self.run_job(
            "UpdateUsers", user_email="leaver@example.com", meraki_org_id="100", meraki_access_level="full",
            dryrun=False,
        )  # fmt: skip
        [org] = result["organizations"]
        self.assertEqual(org["outcome"], "updated", org)
        self.assertIn("confirmed by re-reading", org["message"])
        self.fake.lose_replies("WRITE", r"/organizations/100/admins.*", times=3, exception=httpx.ReadTimeout)
        _, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100", dryrun=False)
        self.assertEqual(self.outcomes(result), {"100": "removed"}, result)

    def test_a_write_that_did_not_land_stays_failed(self):
        self.fake.fail_next("DELETE", r"/organizations/100/admins/.*", status=502, times=3)  # never applied
        job_result, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100")
        self.assertEqual(job_result.status, FAILURE)
        [org] = result["organizations"]
        self.assertEqual(org["outcome"], "failed")
        self.assertIn("502", org["message"])
        self.assertIn("leaver@example.com", [a["email"] for a in self.fake.admins("100")])
