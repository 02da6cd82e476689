"""The inventory under concurrency: another job's rows appearing between a read and a write never lose a result."""

from contextlib import contextmanager
from unittest import mock

from django.db import DatabaseError, connection
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices, LogLevelChoices

from nautobot_meraki_users.inventory import sync as inventory
from nautobot_meraki_users.models import MerakiAdministrator, MerakiOrganization
from nautobot_meraki_users.operations.admins import Outcome
from nautobot_meraki_users.operations.engine import OrganizationResult

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
ORG_TABLE = MerakiOrganization._meta.db_table


@contextmanager
def another_job_inserts_the_organization_after_the_first_read(org_id: str, name: str):
    """As soon as the code under test has read the organization table, another job stores `org_id` (once)."""
    state = {"done": False}

    def hook(execute, sql, params, many, context):
        answer = execute(sql, params, many, context)
        if not state["done"] and sql.lstrip().upper().startswith("SELECT") and ORG_TABLE in sql:
            state["done"] = True
            MerakiOrganization.objects.bulk_create([MerakiOrganization(organization_id=org_id, name=name)])
        return answer

    with connection.execute_wrapper(hook):
        yield state


def created(org_id: str, name: str, record: dict) -> OrganizationResult:
    return OrganizationResult(org_id, name, Outcome.CREATED, record["id"], "created", record=record)


class RecordChangesRaceTest(MerakiJobTestCase):
    def test_an_organization_row_stored_by_another_job_after_the_read_is_reused(self):
        record = self.fake.add_admin("100", "pat@example.com", "Pat")
        with another_job_inserts_the_organization_after_the_first_read("100", "Acme") as race:
            inventory.record_changes([created("100", "Acme", record)])
        self.assertTrue(race["done"])
        self.assertEqual(MerakiOrganization.objects.filter(organization_id="100").count(), 1)
        pat = MerakiAdministrator.objects.get(admin_id=record["id"])
        self.assertEqual((pat.organization.organization_id, pat.email), ("100", "pat@example.com"))

    def test_a_write_job_keeps_its_result_when_the_inventory_fails(self):
        self.run_job("SyncInventory")
        with mock.patch.object(inventory, "record_changes", side_effect=DatabaseError("the database went away")):
            job_result, result, logs = self.run_job(
                "CreateUsers", user_email="pat@example.com", user_name="Pat", meraki_org_id="100,200"
            )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "created", "200": "created"})
        self.assertTrue(all(org["admin_id"] for org in result["organizations"]))
        self.assertEqual(result["counts"], {"created": 2})
        [warning] = [m for level, m in logs if level == LogLevelChoices.LOG_WARNING and "Sync Meraki Inventory" in m]
        self.assertIn("100, 200", warning)
        self.assertIn("the database went away", warning)

    def test_an_import_keeps_its_result_when_the_inventory_fails(self):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from nautobot.extras.models import FileProxy

        from nautobot_meraki_users.operations.csv_import import IMPORT_COLUMNS

        text = ",".join(IMPORT_COLUMNS) + "\ncreate,jane@example.com,Jane,300,read-only,,,,\n"
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        with mock.patch.object(inventory, "record_changes", side_effect=RuntimeError("boom")):
            job_result, result, logs = self.run_job("ImportUsers", csv_file=upload.pk)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"300": "created"})
        self.assertTrue(
            any(
                "300" in m and "Sync Meraki Inventory" in m for level, m in logs if level == LogLevelChoices.LOG_WARNING
            )
        )

    def test_one_organization_failing_in_the_inventory_does_not_stop_the_others(self):
        good = self.fake.add_admin("100", "pat@example.com", "Pat")
        bad = dict(self.fake.add_admin("200", "pat@example.com", "Pat"), id="9" * 100)  # an ID no column holds
        upkeep = inventory.record_changes([created("100", "Acme", good), created("200", "Globex", bad)])
        self.assertEqual(list(upkeep.failed), ["200"])
        self.assertTrue(MerakiAdministrator.objects.filter(admin_id=good["id"]).exists())


class SyncAfterAWriteTest(MerakiJobTestCase):
    """A write job that stores rows while a sync reads the Dashboard: the sync's older snapshot never undoes them."""

    config_overrides = {"concurrency": 1}  # the organizations are read in the job's thread, one after another

    def test_rows_a_write_job_stored_after_the_snapshot_are_neither_deleted_nor_overwritten(self):
        self.run_job("SyncInventory")
        real_read = inventory.read_organization

        def read_then_a_write_job_runs(dashboard, org):
            snapshot = real_read(dashboard, org)
            if org.id != "100":
                return snapshot
            # Another job changes the Dashboard and records it in the inventory before the sync writes.
            [alice] = self.fake.admins("100")
            pat = self.fake.add_admin("100", "pat@example.com", "Pat")
            alice = self.fake.patch_admin("100", alice["id"], orgAccess="read-only")
            inventory.record_changes([
                created("100", "Acme", pat),
                OrganizationResult("100", "Acme", Outcome.UPDATED, alice["id"], "updated", record=alice),
            ])  # fmt: skip
            return snapshot

        with mock.patch.object(inventory, "read_organization", side_effect=read_then_a_write_job_runs):
            job_result, result, logs = self.run_job("SyncInventory")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertTrue(MerakiAdministrator.objects.filter(email="pat@example.com").exists())
        self.assertEqual(MerakiAdministrator.objects.get(email="alice@example.com").org_access, "read-only")
        self.assertEqual(result["counts"], {"administrators_kept": 2})
        self.assertTrue(any("changed since the snapshot" in m for _, m in logs))

        _, result, _ = self.run_job("SyncInventory")  # the next sync reads the Dashboard as it is now
        self.assertEqual(result["counts"], {})
        self.assertTrue(MerakiAdministrator.objects.filter(email="pat@example.com").exists())
