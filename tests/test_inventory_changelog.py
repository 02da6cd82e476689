"""Every change the jobs make to the inventory is in Nautobot's change log, attributed to the job run, and reaches
the job hooks, webhooks and event brokers that listen."""

import json
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from job_helpers import MerakiJobTestCase
from nautobot.core.events import EventBroker, deregister_event_broker, register_event_broker
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices, ObjectChangeEventContextChoices
from nautobot.extras.models import ObjectChange, Tag, Webhook

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

    def test_tags_given_in_nautobot_are_in_the_entries_as_nautobot_writes_them(self):
        self.run_job("SyncInventory")
        alice = MerakiAdministrator.objects.get(email="alice@example.com")
        content_type = ContentType.objects.get_for_model(MerakiAdministrator)
        for name in ("vip", "contractor"):
            tag = Tag.objects.create(name=name)
            tag.content_types.set([content_type])
            alice.tags.add(tag)
        alice = MerakiAdministrator.objects.get(pk=alice.pk)
        as_nautobot_writes_it = alice.to_objectchange(DELETE)
        self.assertEqual(len(as_nautobot_writes_it.object_data["tags"]), 2)
        job_result, _, _ = self.run_job("DeleteUsers", user_email="alice@example.com", meraki_org_id="100")
        self.assertEqual(job_result.status, SUCCESS)
        deleted = ObjectChange.objects.get(changed_object_id=alice.pk, action=DELETE)
        self.assertEqual(deleted.object_data, as_nautobot_writes_it.object_data)
        self.assertEqual(deleted.object_data_v2, as_nautobot_writes_it.object_data_v2)

    def test_a_write_job_in_an_organization_never_synced_logs_the_new_organization(self):
        job_result, _, _ = self.run_job(
            "CreateUsers", user_email="pat@example.com", user_name="Pat", meraki_org_id="300"
        )
        self.assertEqual(
            self.changes(job_result),
            [("administrator", CREATE, "pat@example.com (Initech)"), ("organization", CREATE, "Initech")],
        )


class RecordingBroker(EventBroker):
    """An event broker that keeps the inventory's events Nautobot publishes to it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.published: list[tuple[str, dict]] = []

    def publish(self, *, topic, payload):
        if ".nautobot_meraki_users." in topic:  # the inventory's (a job's start and end are events too)
            self.published.append((topic, json.loads(payload)))


class ChangeLogDispatchTest(MerakiJobTestCase):
    """The inventory's change-log entries reach job hooks, webhooks and event brokers, once each, after the commit."""

    def run_committed(self, class_name: str, **data):
        """Run a job and the callbacks its transaction would run on commit (the test's transaction never commits)."""
        with self.captureOnCommitCallbacks(execute=True):
            return self.run_job(class_name, **data)

    def listen(self, **topics) -> RecordingBroker:
        broker = RecordingBroker(**topics)
        register_event_broker(broker)
        self.addCleanup(deregister_event_broker, broker)
        return broker

    def test_an_event_broker_gets_one_event_per_inventory_change_with_nautobots_payload(self):
        self.run_job("SyncInventory")
        broker = self.listen(include_topics=["nautobot.*.nautobot_meraki_users.*"])
        data = {"user_email": "pat@example.com", "meraki_org_id": "100,200"}
        job_result, result, _ = self.run_committed("CreateUsers", **data, user_name="Pat")
        self.assertEqual(job_result.status, SUCCESS, result)
        topic = "nautobot.create.nautobot_meraki_users.merakiadministrator"
        self.assertEqual([t for t, _ in broker.published], [topic, topic])
        payload = broker.published[0][1]
        self.assertEqual(payload["postchange"]["email"], "pat@example.com")
        self.assertIsNone(payload["prechange"])
        self.assertEqual(payload["context"]["change_context"], "Job")
        self.assertEqual(payload["context"]["change_context_detail"], job_result.job_model.class_path)
        self.assertEqual(payload["context"]["user_name"], job_result.user.username)
        logged = ObjectChange.objects.filter(request_id=payload["context"]["request_id"], action=CREATE)
        self.assertEqual(logged.count(), 2, "the event names the request ID of the run's inventory changes")

        broker.published.clear()
        job_result, _, _ = self.run_committed("DeleteUsers", **data)
        self.assertEqual(job_result.status, SUCCESS)
        delete = "nautobot.delete.nautobot_meraki_users.merakiadministrator"
        self.assertEqual([t for t, _ in broker.published], [delete, delete])  # once each: not again by Nautobot
        self.assertEqual(broker.published[0][1]["prechange"]["email"], "pat@example.com")
        self.assertIsNone(broker.published[0][1]["postchange"])

    def test_a_listener_that_fails_neither_fails_the_job_nor_undoes_the_change_log(self):
        class FailingBroker(RecordingBroker):
            def publish(self, *, topic, payload):
                super().publish(topic=topic, payload=payload)
                if ".nautobot_meraki_users." in topic:
                    raise ConnectionError("the event bus is down")

        broker = FailingBroker()
        register_event_broker(broker)
        self.addCleanup(deregister_event_broker, broker)
        job_result, result, _ = self.run_committed("SyncInventory")  # Django logs the dispatch's error
        self.assertTrue(broker.published, "the dispatch reached the broker, which failed")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(MerakiAdministrator.objects.count(), 1)
        self.assertTrue(ObjectChange.objects.filter(action=CREATE).exists())

    def test_a_broker_that_excludes_the_inventory_gets_nothing_from_it(self):
        broker = self.listen(exclude_topics=["nautobot.*.nautobot_meraki_users.*"])
        self.run_committed("SyncInventory")
        self.assertEqual(broker.published, [])

    def test_webhooks_and_job_hooks_on_the_inventory_are_sent_each_change(self):
        self.run_job("SyncInventory")
        content_type = ContentType.objects.get_for_model(MerakiAdministrator)
        webhook = Webhook.objects.create(
            name="admins gone", type_delete=True, payload_url="http://127.0.0.1:9/hook", enabled=True
        )
        webhook.content_types.set([content_type])
        with mock.patch("nautobot.extras.webhooks.process_webhook.apply_async") as sent:
            job_result, _, _ = self.run_committed("DeleteUsers", user_email="alice@example.com", meraki_org_id="100")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(sent.call_count, 1)
        webhook_pk, data, model_name, action = sent.call_args.kwargs["args"][:4]
        self.assertEqual((webhook_pk, model_name, action), (webhook.pk, "merakiadministrator", DELETE))
        self.assertEqual(data["email"], "alice@example.com")

    def test_nothing_is_sent_before_the_jobs_changes_are_committed(self):
        broker = self.listen()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.run_job("SyncInventory")
        self.assertEqual(broker.published, [], "events for rows a rollback could still take back")
        self.assertTrue(callbacks)

    def test_with_nothing_listening_the_dispatch_does_not_grow_with_the_changes(self):
        def dispatch_queries(count: int) -> int:
            """Queries of the change log's dispatch (Nautobot's walk after run() and ours) for `count` removals."""
            for org in ("100", "200", "300")[:count]:
                self.fake.add_admin(org, f"gone{count}@example.com", "Gone")
            self.run_job("SyncInventory")
            with CaptureQueriesContext(connection) as queries:
                job_result, _, _ = self.run_committed(
                    "DeleteUsers", user_email=f"gone{count}@example.com", meraki_org_id="all"
                )
            self.assertEqual(list(self.outcomes(job_result.result).values()).count("removed"), count)
            touched = ('FROM "extras_objectchange"', 'FROM "extras_jobhook"', 'FROM "extras_webhook"')
            return sum(any(table in q["sql"] for table in touched) for q in queries.captured_queries)

        self.assertEqual(dispatch_queries(1), dispatch_queries(3))
