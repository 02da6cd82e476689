"""A write job's bookkeeping costs a few statements per job, not a few per organization."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import ObjectChangeActionChoices, ObjectChangeEventContextChoices
from nautobot.extras.context_managers import web_request_context
from nautobot.extras.models import ObjectChange

from nautobot_meraki_users.inventory import sync as inventory
from nautobot_meraki_users.models import MerakiAdministrator
from nautobot_meraki_users.operations.admins import Outcome
from nautobot_meraki_users.operations.engine import OrganizationResult


class RecordChangesCostTest(MerakiJobTestCase):
    def upkeep_queries(self, count: int) -> int:
        """Queries of one upkeep that creates `count` admins and removes `count` synced ones, in a job's context."""
        for number in range(count):
            self.fake.add_admin("100", f"gone{count}-{number}@example.com", "Gone")
        self.run_job("SyncInventory")
        gone = MerakiAdministrator.objects.filter(email__startswith=f"gone{count}-")
        results = [
            OrganizationResult("100", "Acme", Outcome.REMOVED, row.admin_id, "removed") for row in gone
        ]  # fmt: skip
        for number in range(count):
            record = self.fake.add_admin("200", f"new{count}-{number}@example.com", "New")
            results.append(OrganizationResult("200", "Globex", Outcome.CREATED, record["id"], "created", record=record))
        expected = {row.pk: row.to_objectchange(ObjectChangeActionChoices.ACTION_DELETE).object_data for row in gone}
        user = get_user_model().objects.create(username=f"job-user-{count}")
        job = ObjectChangeEventContextChoices.CONTEXT_JOB
        with web_request_context(user, context_detail="t", context=job), CaptureQueriesContext(connection) as queries:
            upkeep = inventory.record_changes(results)
        self.assertEqual(upkeep.failed, {})
        self.assertFalse(MerakiAdministrator.objects.filter(email__startswith=f"gone{count}-").exists())
        self.assertEqual(MerakiAdministrator.objects.filter(email__startswith=f"new{count}-").count(), count)
        deleted = ObjectChange.objects.filter(user=user, action=ObjectChangeActionChoices.ACTION_DELETE)
        self.assertEqual({c.changed_object_id: c.object_data for c in deleted}, expected)
        created = ObjectChange.objects.filter(user=user, action=ObjectChangeActionChoices.ACTION_CREATE)
        self.assertEqual(created.count(), count)
        return len(queries)

    def test_the_upkeep_of_many_organizations_costs_what_the_upkeep_of_one_does(self):
        few, many = self.upkeep_queries(1), self.upkeep_queries(15)
        self.assertEqual(many, few, "the inventory upkeep should not grow with the number of admins it changes")


class LogLinesCostTest(MerakiJobTestCase):
    # Job tests write log entries through the default connection (JobTestCase switches JOB_LOGS off).
    def log_inserts(self, **data) -> tuple[int, list]:
        """INSERTs into the job log while a DeleteUsers job runs, and the job's log lines."""
        with CaptureQueriesContext(connection) as queries:
            _, result, logs = self.run_job("DeleteUsers", user_email="nobody@example.com", **data)
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "extras_joblogentry"')]
        return len(inserts), result, logs

    def test_the_per_organization_lines_are_written_together(self):
        one, result, _ = self.log_inserts(meraki_org_id="100")
        self.assertEqual(len(result["organizations"]), 1)
        three, result, logs = self.log_inserts(meraki_org_id="all")
        self.assertEqual([org["outcome"] for org in result["organizations"]], ["absent"] * 3)
        self.assertEqual(three, one, "one INSERT for all the organizations' lines")
        lines = [message for _, message in logs if ": absent: " in message]
        self.assertEqual([line.split(" ")[0] for line in lines], ["100", "200", "300"])  # in the result's order

    def test_a_sync_writes_its_change_lines_together(self):
        def sync() -> tuple[int, list]:
            with CaptureQueriesContext(connection) as queries:
                _, _, logs = self.run_job("SyncInventory")
            return sum(q["sql"].startswith('INSERT INTO "extras_joblogentry"') for q in queries.captured_queries), logs

        changes, logs = sync()  # the first sync creates 7 rows: one line each
        self.assertEqual(len([m for _, m in logs if m.startswith("created ")]), 7)
        nothing, _ = sync()
        self.assertLessEqual(changes, nothing + 1, "one INSERT for all the change lines")
