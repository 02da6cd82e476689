"""Every change the jobs make to the inventory is in Nautobot's change log, attributed to the job run."""

from django.contrib.contenttypes.models import ContentType
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices, ObjectChangeEventContextChoices
from nautobot.extras.models import ObjectChange

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
CREATE = ObjectChangeActionChoices.ACTION_CREATE
UPDATE = ObjectChangeActionChoices.ACTION_UPDATE
DELETE = ObjectChangeActionChoices.ACTION_DELETE
MODELS = {"organization": MerakiOrganization, "network": MerakiNetwork, "administrator": MerakiAdministrator}


class ChangeLogTest(MerakiJobTestCase):
    def changes(self, job_result):
        """The ObjectChanges a job run made: (kind, action, object_repr), after checking their attribution."""
        started, done = job_result.date_started, job_result.date_done
        changes = list(ObjectChange.objects.filter(time__gte=started, time__lte=done).order_by("time"))
        for change in changes:
            self.assertEqual(change.user, job_result.user)
            self.assertEqual(change.user_name, job_result.user.username)
            self.assertEqual(change.change_context, ObjectChangeEventContextChoices.CONTEXT_JOB)
            self.assertEqual(change.change_context_detail, job_result.job_model.class_path)
        self.assertLessEqual(len({c.request_id for c in changes}), 1, "one run, one request ID")
        kinds = {ContentType.objects.get_for_model(model).pk: kind for kind, model in MODELS.items()}
        return sorted((kinds[c.changed_object_type_id], c.action, c.object_repr) for c in changes)

    def test_a_sync_logs_every_create_update_and_delete(self):
        job_result, result, _ = self.run_job("SyncInventory")
        self.assertEqual(job_result.status, SUCCESS, result)
        first = self.changes(job_result)
        self.assertEqual(first, [
            ("administrator", CREATE, "alice@example.com (Acme)"),
            ("network", CREATE, "Branch"), ("network", CREATE, "HQ"), ("network", CREATE, "HQ"),
            ("organization", CREATE, "Acme"), ("organization", CREATE, "Globex"), ("organization", CREATE, "Initech"),
        ])  # fmt: skip
        alice = MerakiAdministrator.objects.get(email="alice@example.com")
        [created] = ObjectChange.objects.filter(changed_object_id=alice.pk)
        self.assertEqual(created.object_data["email"], "alice@example.com")
        self.assertEqual(created.object_data_v2["admin_id"], alice.admin_id)
        self.assertEqual(created.changed_object, alice)
        as_nautobot_writes_it = alice.to_objectchange(CREATE)  # the data Nautobot's own change logging would store
        self.assertEqual(created.object_data, as_nautobot_writes_it.object_data)
        self.assertEqual(created.object_data_v2, as_nautobot_writes_it.object_data_v2)
        network = MerakiNetwork.objects.get(network_id="N_100_1")
        [created] = ObjectChange.objects.filter(changed_object_id=network.pk)
        self.assertEqual(created.object_data_v2, network.to_objectchange(CREATE).object_data_v2)

        job_result, _, _ = self.run_job("SyncInventory")  # nothing changed: nothing logged, last_seen aside
        self.assertEqual(self.changes(job_result), [])

        self.fake.patch_admin("100", alice.admin_id, orgAccess="read-only")
        self.fake.add_network("200", "N_200_2", "Lab")
        job_result, _, _ = self.run_job("SyncInventory")
        self.assertEqual(
            self.changes(job_result),
            [("administrator", UPDATE, "alice@example.com (Acme)"), ("network", CREATE, "Lab")],
        )
        update = ObjectChange.objects.get(changed_object_id=alice.pk, action=UPDATE)
        self.assertEqual(update.object_data["org_access"], "read-only")
        snapshots = update.get_snapshots()
        self.assertEqual(snapshots["differences"]["added"].get("org_access"), "read-only")
        self.assertEqual(snapshots["differences"]["removed"].get("org_access"), "full")

        self.fake.set_accessible("100", False)
        job_result, _, _ = self.run_job("SyncInventory")
        self.assertEqual(self.changes(job_result), [
            ("administrator", DELETE, "alice@example.com (Acme)"),
            ("network", DELETE, "Branch"), ("network", DELETE, "HQ"),
            ("organization", DELETE, "Acme"),
        ])  # fmt: skip

    def test_a_dry_run_logs_nothing(self):
        job_result, _, _ = self.run_job("SyncInventory", dryrun=True)
        self.assertEqual(self.changes(job_result), [])
        self.assertFalse(ObjectChange.objects.exists())

    def test_the_write_jobs_log_the_rows_they_keep_current(self):
        self.run_job("SyncInventory")
        data = {"user_email": "pat@example.com", "meraki_org_id": "100"}
        job_result, result, _ = self.run_job("CreateUsers", **data, user_name="Pat")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.changes(job_result), [("administrator", CREATE, "pat@example.com (Acme)")])

        job_result, _, _ = self.run_job("UpdateUsers", **data, meraki_access_level="full")
        self.assertEqual(self.changes(job_result), [("administrator", UPDATE, "pat@example.com (Acme)")])

        job_result, _, _ = self.run_job("DeleteUsers", **data)
        self.assertEqual(self.changes(job_result), [("administrator", DELETE, "pat@example.com (Acme)")])

    def test_a_write_job_in_an_organization_never_synced_logs_the_new_organization(self):
        job_result, _, _ = self.run_job(
            "CreateUsers", user_email="pat@example.com", user_name="Pat", meraki_org_id="300"
        )
        self.assertEqual(
            self.changes(job_result),
            [("administrator", CREATE, "pat@example.com (Initech)"), ("organization", CREATE, "Initech")],
        )
