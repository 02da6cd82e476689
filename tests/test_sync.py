"""Sync Meraki Inventory, and the write jobs keeping the inventory current, against the fake Dashboard."""

from unittest import mock

from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_meraki_users.inventory.sync import SyncStream
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

    def test_rows_that_changed_differently_each_keep_their_other_values(self):
        [alice] = self.fake.admins("100")
        pat = self.fake.add_admin("100", "pat@example.com", "Pat", org_access="read-only")
        sam = self.fake.add_admin("100", "sam@example.com", "Sam", org_access="read-only")
        self.sync()
        before = {row.email: row for row in MerakiAdministrator.objects.all()}
        self.fake.patch_admin("100", alice["id"], lastActive="2026-12-01T10:00:00Z")  # only "last active" moved
        self.fake.patch_admin("100", pat["id"], name="Pat Doe", orgAccess="full")
        _, result, _ = self.sync()
        self.assertEqual(result["counts"], {"administrators_updated": 2})
        after = {row.email: row for row in MerakiAdministrator.objects.all()}
        self.assertEqual(after["alice@example.com"].last_active.isoformat(), "2026-12-01T10:00:00+00:00")
        self.assertEqual((after["alice@example.com"].name, after["alice@example.com"].org_access), ("Alice", "full"))
        self.assertEqual((after["pat@example.com"].name, after["pat@example.com"].org_access), ("Pat Doe", "full"))
        self.assertEqual(after["pat@example.com"].last_active, before["pat@example.com"].last_active)
        for email in ("alice@example.com", "pat@example.com"):  # changed: both times move
            self.assertGreater(after[email].last_updated, before[email].last_updated)
            self.assertGreater(after[email].last_seen, before[email].last_seen)
        self.assertEqual(after["sam@example.com"].last_updated, before["sam@example.com"].last_updated)
        self.assertGreater(after["sam@example.com"].last_seen, before["sam@example.com"].last_seen)
        self.assertEqual(sam["id"], after["sam@example.com"].admin_id)

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
        with mock.patch("nautobot_meraki_users.dashboard.client.NETWORKS_PER_PAGE", 3):
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


class DashboardValuesThatDoNotFitTest(MerakiJobTestCase):
    """A Dashboard value longer than its inventory column is cut to the column, with a note: it never fails a job."""

    def test_a_sync_stores_long_values_cut_to_their_columns(self):
        name_limit = MerakiAdministrator._meta.get_field("name").max_length
        email_limit = MerakiAdministrator._meta.get_field("email").max_length
        long_email = "x" * 300 + "@example.com"
        self.fake.add_organization("400", "O" * 600)
        self.fake.add_network("400", "N_400_1", "W" * 1000)
        long_name = self.fake.add_admin("400", "long@example.com", "N" * 10_000)
        long_email_admin = self.fake.add_admin("400", long_email, "Long Email")
        job_result, result, logs = self.run_job("SyncInventory")
        self.assertEqual(job_result.status, SUCCESS, result)
        org = MerakiOrganization.objects.get(organization_id="400")
        self.assertEqual(org.name, "O" * MerakiOrganization._meta.get_field("name").max_length)
        self.assertEqual(MerakiNetwork.objects.get(network_id="N_400_1").name, "W" * 255)
        self.assertEqual(MerakiAdministrator.objects.get(admin_id=long_name["id"]).name, "N" * name_limit)
        self.assertEqual(
            MerakiAdministrator.objects.get(admin_id=long_email_admin["id"]).email, long_email[:email_limit]
        )
        notes = result["notes"]
        self.assertIn(
            f"administrator {long_name['id']} in organization 400: name is 10000 characters long; "
            f"the inventory keeps the first {name_limit}.",
            notes,
        )
        self.assertTrue(any(n.startswith("organization 400: name is 600 characters long") for n in notes), notes)
        self.assertTrue(any(n.startswith("network N_400_1: name is 1000") for n in notes), notes)
        self.assertTrue(any(f"administrator {long_email_admin['id']} in organization 400: email" in n for n in notes))
        self.assertEqual(sum(1 for _, m in logs if "characters long; the inventory keeps the first" in m), len(notes))

        job_result, result, _ = self.run_job("SyncInventory")  # the cut values are the inventory's: no change
        self.assertEqual((job_result.status, result["counts"]), (SUCCESS, {}))

    def test_a_value_meraki_may_add_later_is_kept_whole_or_cut(self):
        from nautobot_meraki_users.inventory import sync as inventory
        from nautobot_meraki_users.operations.admins import Organization

        status_limit = MerakiAdministrator._meta.get_field("account_status").max_length
        record = {"id": "77", "email": "new@example.com", "name": "New", "orgAccess": "future-access-level",
                  "accountStatus": "s" * 40, "authenticationMethod": "m" * 70}  # fmt: skip
        snapshot = inventory.Snapshot(
            organizations=[Organization("500", "Umbrella")], networks={"500": []}, admins={"500": [record]}
        )
        report = inventory.sync_inventory(snapshot, dryrun=False)
        row = MerakiAdministrator.objects.get(admin_id="77")
        self.assertEqual((row.org_access, row.account_status), ("future-access-level", "s" * status_limit))
        self.assertEqual(
            len(row.authentication_method), MerakiAdministrator._meta.get_field("authentication_method").max_length
        )
        self.assertEqual(len(report.notes), 2)

    def test_a_record_without_an_id_is_skipped_with_a_note(self):
        from nautobot_meraki_users.inventory import sync as inventory
        from nautobot_meraki_users.operations.admins import Organization

        snapshot = inventory.Snapshot(
            organizations=[Organization("500", "Umbrella")],
            networks={"500": [{"name": "No ID"}]},
            admins={"500": [{"email": "ghost@example.com", "name": "Ghost", "orgAccess": "full"}]},
        )
        report = inventory.sync_inventory(snapshot, dryrun=False)
        self.assertFalse(MerakiAdministrator.objects.filter(email="ghost@example.com").exists())
        self.assertFalse(MerakiNetwork.objects.filter(name="No ID").exists())
        self.assertEqual(len([n for n in report.notes if "without a Meraki ID" in n]), 2)

    def test_record_changes_stores_a_long_name_cut_to_its_column(self):
        from nautobot_meraki_users.inventory import sync as inventory
        from nautobot_meraki_users.operations.admins import Outcome
        from nautobot_meraki_users.operations.engine import OrganizationResult

        record = self.fake.add_admin("100", "long@example.com", "N" * 10_000)
        upkeep = inventory.record_changes(
            [OrganizationResult("100", "A" * 600, Outcome.CREATED, record["id"], "created", record=record)]
        )
        self.assertEqual(MerakiAdministrator.objects.get(admin_id=record["id"]).name, "N" * 255)
        self.assertEqual(MerakiOrganization.objects.get(organization_id="100").name, "A" * 255)
        self.assertEqual(upkeep.failed, {})
        self.assertEqual(len(upkeep.notes), 2)
        self.assertTrue(
            any(f"administrator {record['id']} in organization 100: name is 10000" in n for n in upkeep.notes)
        )

    def test_a_write_job_with_a_long_name_from_the_dashboard_succeeds_and_says_so(self):
        [alice] = self.fake.admins("100")
        self.fake.patch_admin("100", alice["id"], name="N" * 10_000)  # someone set it in the Dashboard
        job_result, result, logs = self.run_job(
            "UpdateUsers", user_email="alice@example.com", meraki_org_id="100", meraki_access_level="read-only"
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "updated"})
        self.assertEqual(MerakiAdministrator.objects.get(admin_id=alice["id"]).name, "N" * 255)
        self.assertTrue(any("name is 10000 characters long" in m for _, m in logs))


class SyncAsTheReadsArriveTest(MerakiJobTestCase):
    """A sync stores organizations' rows as their reads arrive, while other organizations are still to be read."""

    config_overrides = {"concurrency": 1}  # one organization after another: the order of events is certain

    def test_the_first_organizations_are_stored_before_the_last_one_is_read(self):
        orgs = self.add_organizations(3000, 15, "pat@example.com")
        # Login security is read in the job's own thread (admins and networks, at once, in two others).
        stored = self.look_at_first(
            lambda request: request.url.path.endswith(f"/organizations/{orgs[-1]}/loginSecurity"),
            lambda: set(
                MerakiAdministrator.objects.filter(email="pat@example.com").values_list(
                    "organization__organization_id", flat=True
                )
            ),
        )
        job_result, result, logs = self.run_job("SyncInventory")
        self.assertEqual(job_result.status, SUCCESS, result)
        # Every full batch of the 17 organizations read before it (Acme, Globex, Initech, then these) was stored.
        synced = 17 // SyncStream.BATCH * SyncStream.BATCH
        self.assertGreater(synced, 3)
        self.assertEqual(stored["seen"], set(orgs[: synced - 3]))
        self.assertEqual(MerakiAdministrator.objects.filter(email="pat@example.com").count(), 15)
        kinds = [m.split(" ")[1] for _, m in logs if m.startswith("created ")]
        # organizations first, then networks and administrators, as one listing: the batches do not show
        self.assertEqual(kinds, sorted(kinds, key=["organization", "network", "administrator"].index))
        self.assertEqual(kinds.count("organization"), 18)

    def test_a_dry_run_of_many_organizations_counts_them_all_and_writes_nothing(self):
        for number in range(25):
            self.fake.add_organization(str(4000 + number), f"Org {number}")
            self.fake.add_admin(str(4000 + number), "pat@example.com", "Pat")
        job_result, result, _ = self.run_job("SyncInventory", dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"]["organizations_created"], 28)
        self.assertEqual(result["counts"]["administrators_created"], 26)
        self.assertEqual(MerakiOrganization.objects.count(), 0)
        self.assertEqual(MerakiAdministrator.objects.count(), 0)


class SyncStreamOrderTest(MerakiJobTestCase):
    """The change lines and notes follow the organization list, in whatever order the reads arrive."""

    def test_reads_arriving_backwards_give_the_same_lines_as_a_sync_read_beforehand(self):
        from nautobot_meraki_users.inventory import sync as inventory
        from nautobot_meraki_users.operations.admins import Organization

        orgs = [Organization(str(600 + number), f"Org {number}") for number in range(12)]
        snapshot = inventory.Snapshot(
            organizations=orgs,
            networks={org.id: [{"id": f"N_{org.id}", "name": "Net"}] for org in orgs},
            admins={org.id: [{"id": f"A{org.id}", "email": "x@example.com", "name": "N" * 300}] for org in orgs},
        )
        expected = inventory.sync_inventory(snapshot, dryrun=True)
        stream = inventory.SyncStream(dryrun=True)
        for org in reversed(orgs):
            stream.add(snapshot, org)
        report = stream.finish(snapshot)
        self.assertEqual(report.changes, expected.changes)
        self.assertEqual(report.changes[0], "created organization Org 0 (600)")
        self.assertEqual(report.changes[12], "created network Net (N_600)")
        self.assertEqual(report.notes, expected.notes)
        self.assertEqual(
            [note.split(":")[0] for note in report.notes],
            [f"administrator A{o.id} in organization {o.id}" for o in orgs],
        )
        self.assertEqual(report.counts, expected.counts)


class SyncStopsWhenTheInventoryFailsTest(MerakiJobTestCase):
    config_overrides = {"concurrency": 2}

    def test_a_database_failure_stops_the_reads_not_yet_begun(self):
        from django.db import DatabaseError

        for number in range(30):
            self.fake.add_organization(str(5000 + number), f"Org {number}")
        with mock.patch.object(SyncStream, "_sync", side_effect=DatabaseError("the database went away")):
            job_result, _, _ = self.run_job("SyncInventory")
        self.assertEqual(job_result.status, FAILURE)
        reads = [r for r in self.fake.requests if r.path.endswith("/loginSecurity")]
        self.assertLess(len(reads), 33, "the organizations not yet read when the first batch failed were not read")
        self.assertEqual(MerakiOrganization.objects.count(), 0)
