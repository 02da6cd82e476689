"""Sync Meraki Inventory, and the write jobs keeping the inventory current, against the fake Dashboard."""

from unittest import mock

from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class SyncInventoryTest(MerakiJobTestCase):
    def sync(self, dryrun=False):
        job_result, result, logs = self.run_job("SyncInventory", dryrun=dryrun)
        return job_result, result, logs

    def test_first_sync_creates_everything_and_a_second_changes_nothing(self):
        job_result, result, logs = self.sync()
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(
            result["counts"],
            {"administrators_created": 1, "networks_created": 3, "organizations_created": 3},
        )
        acme = MerakiOrganization.objects.get(organization_id="100")
        self.assertEqual(acme.name, "Acme")
        self.assertEqual(
            sorted(MerakiNetwork.objects.filter(organization=acme).values_list("name", flat=True)), ["Branch", "HQ"]
        )
        alice = MerakiAdministrator.objects.get(email="alice@example.com")
        self.assertEqual((alice.organization, alice.org_access, alice.account_status), (acme, "full", "ok"))
        self.assertIsNotNone(alice.last_seen)
        # Nautobot masks the part of an email before "@" in log lines; the inventory holds it whole.
        self.assertTrue(any("created administrator" in m and "@example.com in organization 100" in m for _, m in logs))
        self.assertEqual(self.fake.writes, [])

        job_result, result, _ = self.sync()
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {})

    def test_dry_run_counts_without_writing(self):
        job_result, result, _ = self.sync(dryrun=True)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["dryrun"], True)
        self.assertEqual(result["counts"]["organizations_created"], 3)
        self.assertEqual(MerakiOrganization.objects.count(), 0)

    def test_updates_and_deletes_follow_the_dashboard(self):
        self.sync()
        [alice] = self.fake.admins("100")
        self.fake.patch_admin("100", alice["id"], orgAccess="read-only", twoFactorAuthEnabled=True)
        self.fake.add_network("200", "N_200_2", "Lab", tags=["lab"])
        bob = self.fake.add_admin("300", "bob@example.com", "Bob")
        _, result, _ = self.sync()
        self.assertEqual(
            result["counts"], {"administrators_created": 1, "administrators_updated": 1, "networks_created": 1}
        )
        alice_row = MerakiAdministrator.objects.get(email="alice@example.com")
        self.assertEqual((alice_row.org_access, alice_row.two_factor_auth_enabled), ("read-only", True))
        self.assertTrue(MerakiAdministrator.objects.filter(admin_id=bob["id"], organization__organization_id="300"))

    def test_organization_the_key_lost_access_to_is_removed_with_its_rows(self):
        self.sync()
        self.fake.set_accessible("100", False)
        _, result, _ = self.sync()
        self.assertEqual(result["counts"]["organizations_deleted"], 1)
        self.assertFalse(MerakiOrganization.objects.filter(organization_id="100").exists())
        self.assertFalse(MerakiNetwork.objects.filter(network_id="N_100_1").exists())
        self.assertFalse(MerakiAdministrator.objects.filter(email="alice@example.com").exists())
        self.assertTrue(MerakiOrganization.objects.filter(organization_id="200").exists())

    def test_networks_of_every_page_are_synced(self):
        for index in range(7):
            self.fake.add_network("300", f"N_300_{index}", f"Store {index}", tags=["store"])
        with mock.patch("nautobot_meraki_users.dashboard.NETWORKS_PER_PAGE", 3):
            self.sync()
        self.assertEqual(MerakiNetwork.objects.filter(organization__organization_id="300").count(), 7)
        pages = [r for r in self.fake.requests if r.path == "/organizations/300/networks"]
        self.assertEqual(len(pages), 3)

    def test_an_unreadable_organization_keeps_its_rows_and_fails_the_job(self):
        self.sync()
        self.fake.fail_next("GET", "/organizations/100/admins", status=500, times=3)
        self.fake.add_admin("200", "new@example.com", "New")
        job_result, result, _ = self.sync()
        self.assertEqual(job_result.status, FAILURE)
        self.assertIn("100", result["failed_organizations"])
        self.assertTrue(MerakiAdministrator.objects.filter(email="alice@example.com").exists())  # kept
        self.assertTrue(MerakiAdministrator.objects.filter(email="new@example.com").exists())  # others synced

    def test_allow_list_limits_the_inventory(self):
        self.set_config(allowed_organization_ids=["200"])
        self.sync()
        self.assertEqual(list(MerakiOrganization.objects.values_list("organization_id", flat=True)), ["200"])


class WriteJobsKeepInventoryCurrentTest(MerakiJobTestCase):
    def test_create_update_delete_update_the_rows(self):
        self.run_job("SyncInventory")
        data = {"user_email": "pat@example.com", "meraki_org_id": "100,200"}
        self.run_job("CreateUsers", **data, user_name="Pat", meraki_access_level="none", meraki_network="HQ")
        rows = MerakiAdministrator.objects.filter(email="pat@example.com").order_by("organization__organization_id")
        self.assertEqual([r.organization.organization_id for r in rows], ["100", "200"])
        self.assertEqual(rows[0].network_privileges, [{"id": "N_100_1", "access": "read-only"}])
        self.assertEqual(rows[0].account_status, "unverified")

        self.run_job("UpdateUsers", **data, meraki_access_level="full")
        self.assertEqual(set(rows.values_list("org_access", flat=True)), {"full"})

        self.run_job("CreateUsers", **data, user_name="Pat", dryrun=True)  # a dry run changes no row
        self.run_job("DeleteUsers", user_email="pat@example.com", meraki_org_id="100")
        self.assertEqual([r.organization.organization_id for r in rows.all()], ["200"])
