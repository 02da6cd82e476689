"""Job log lines: each links to the inventory object it is about, and Dashboard or user text never becomes markup."""

import csv
import doctest
import io
import math
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags
from job_helpers import MerakiJobTestCase
from nautobot.extras.models import FileProxy, JobLogEntry
from nautobot.extras.tables import JobLogEntryTable

from nautobot_meraki_users import log_text
from nautobot_meraki_users.jobs.base import ResultStream
from nautobot_meraki_users.models import MerakiAdministrator, MerakiOrganization
from nautobot_meraki_users.operations.csv_import import IMPORT_COLUMNS

HOSTILE = (
    '<img src="https://evil.example/x.png"><a href="https://evil.example/">click</a> '
    "![pic](https://evil.example/p.png) [link](https://evil.example/) `code` *bold* _it_"
)


def test_log_safe_doctest():
    assert doctest.testmod(log_text).failed == 0


class LogLinesLinkTheirObjectTest(MerakiJobTestCase):
    """Nautobot masks emails in log lines: the line's object (a link in the Logs table) says who."""

    def org_entries(self, job_result) -> dict[str, JobLogEntry]:
        """organization_id -> its one log entry."""
        entries = JobLogEntry.objects.filter(job_result=job_result, grouping__in=["100", "200", "300"])
        by_org = {entry.grouping: entry for entry in entries}
        self.assertEqual(len(by_org), entries.count())
        return by_org

    def assert_links(self, entry: JobLogEntry, obj) -> None:
        self.assertEqual((entry.log_object, entry.absolute_url), (str(obj), obj.get_absolute_url()))

    def test_created_admins_are_linked_after_the_inventory_upkeep(self):
        job_result, result, _ = self.run_job(
            "CreateUsers", user_email="pat@example.com", user_name="Pat Doe", meraki_org_id="all", dryrun=False
        )
        self.assertEqual(result["counts"], {"created": 3})
        entries = self.org_entries(job_result)
        for org_result in result["organizations"]:
            org_id = org_result["organization_id"]
            admin = MerakiAdministrator.objects.get(
                organization__organization_id=org_id, admin_id=org_result["admin_id"]
            )
            self.assert_links(entries[org_id], admin)
            self.assertIn("pat@example.com", entries[org_id].log_object)  # who, although the message masks it
            self.assertIn(f"admin Pat Doe, Meraki ID {org_result['admin_id']}", entries[org_id].message)
            self.assertEqual(org_result["message"].split(" with ")[0], "create pat@example.com")  # result: full email

    def test_update_links_the_admin_and_absent_links_the_organization(self):
        self.run_job("SyncInventory")
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="alice@example.com", meraki_org_id="all", user_name="Alice B", dryrun=False
        )
        self.assertEqual(self.outcomes(result), {"100": "updated", "200": "absent", "300": "absent"})
        entries = self.org_entries(job_result)
        self.assert_links(entries["100"], MerakiAdministrator.objects.get(email="alice@example.com"))
        self.assertIn("admin Alice B, Meraki ID", entries["100"].message)
        for org_id in ("200", "300"):
            self.assert_links(entries[org_id], MerakiOrganization.objects.get(organization_id=org_id))

    def test_an_offboarding_line_names_the_removed_admin_and_links_the_organization(self):
        self.run_job("SyncInventory")
        alice = MerakiAdministrator.objects.get(email="alice@example.com")
        job_result, result, _ = self.run_job(
            "DeleteUsers", user_email="alice@example.com", meraki_org_id="all", dryrun=False
        )
        self.assertEqual(self.outcomes(result), {"100": "removed", "200": "absent", "300": "absent"})
        self.assertFalse(MerakiAdministrator.objects.filter(pk=alice.pk).exists())
        entries = self.org_entries(job_result)
        for org_id in ("100", "200", "300"):
            self.assert_links(entries[org_id], MerakiOrganization.objects.get(organization_id=org_id))
        self.assertIn(f"admin Alice, Meraki ID {alice.admin_id}", entries["100"].message)

    def test_a_dry_run_links_the_existing_admin(self):
        self.run_job("SyncInventory")
        job_result, _, _ = self.run_job("DeleteUsers", user_email="alice@example.com", meraki_org_id="100", dryrun=True)
        self.assert_links(
            self.org_entries(job_result)["100"], MerakiAdministrator.objects.get(email="alice@example.com")
        )

    def test_list_lines_link_their_organization(self):
        self.run_job("SyncInventory")
        job_result, _, _ = self.run_job("ListUsers", meraki_org_id="all")
        for org_id, entry in self.org_entries(job_result).items():
            self.assert_links(entry, MerakiOrganization.objects.get(organization_id=org_id))

    def test_linking_costs_a_constant_number_of_queries(self):
        for org_id in range(400, 420):
            self.fake.add_organization(str(org_id), f"Org {org_id}")
            self.fake.add_admin(str(org_id), "alice@example.com", "Alice")
        self.run_job("SyncInventory")
        with CaptureQueriesContext(connection) as queries:
            job_result, result, _ = self.run_job(
                "DeleteUsers", user_email="alice@example.com", meraki_org_id="all", dryrun=True
            )
        self.assertEqual(result["counts"], {"removed": 21, "absent": 2})
        links = JobLogEntry.objects.filter(job_result=job_result, absolute_url__contains="/administrators/")
        self.assertEqual(links.count(), 21)  # a dry run links the admins it would remove
        # The lines are written as the results come, a batch of organizations at a time: one read per batch, not
        # one per organization.
        batches = math.ceil(23 / ResultStream.BATCH)
        admin_reads = [q["sql"] for q in queries if '"nautobot_meraki_users_merakiadministrator"' in q["sql"]]
        self.assertLessEqual(len(admin_reads), batches, admin_reads)
        org_reads = [q["sql"] for q in queries if 'FROM "nautobot_meraki_users_merakiorganization"' in q["sql"]]
        self.assertLessEqual(len(org_reads), batches + 1, org_reads)  # + 1: the organizations to read early


class LogTextIsNeverMarkupTest(MerakiJobTestCase):
    """Nautobot renders log messages as Markdown and keeps <img> and <a href>: Dashboard text must show literally."""

    def setUp(self):
        super().setUp()
        self.fake.add_organization("400", f"Evil {HOSTILE}")
        self.fake.add_network("400", "N_400_1", f"Net {HOSTILE}")
        self.fake.add_admin("400", "mallory@example.com", f"Mallory {HOSTILE}")

    def assert_literal(self, job_result) -> None:
        """Every log line renders without a tag from the text, and the text shows as typed."""
        table = JobLogEntryTable([])
        messages = JobLogEntry.objects.filter(job_result=job_result).values_list("message", flat=True)
        hostile = [m for m in messages if "evil.example" in m]
        self.assertTrue(hostile, "no log line carried the Dashboard text")
        for message in hostile:
            html = str(table.render_message(message))
            for tag in ("<img", "<a ", "<code", "<em", "<strong"):
                self.assertNotIn(tag, html, message)
            self.assertIn(HOSTILE, unescape(strip_tags(html)))

    def test_list_lines(self):
        job_result, _, _ = self.run_job("ListUsers", meraki_org_id="400")
        self.assert_literal(job_result)

    def test_sync_change_lines(self):
        job_result, _, _ = self.run_job("SyncInventory")
        self.assert_literal(job_result)

    def test_update_lines_with_a_hostile_new_name(self):
        job_result, _, _ = self.run_job(
            "UpdateUsers", user_email="mallory@example.com", meraki_org_id="400", user_name=f"New {HOSTILE}",
            dryrun=False,
        )  # fmt: skip
        self.assert_literal(job_result)

    def test_import_lines(self):
        quoted = HOSTILE.replace('"', '""')
        content = f'action,user_email,user_name,meraki_org_id\nupdate,mallory@example.com,"Mal {quoted}",400\n'
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", content.encode()))
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=True)
        self.assertEqual(result["counts"], {"updated": 1}, result)
        self.assert_literal(job_result)


class LinesFollowTheResultsTest(MerakiJobTestCase):
    """Lines and inventory rows are written as the results come, while other organizations' requests are to go."""

    config_overrides = {"concurrency": 1}  # one organization after another: the order of events is certain

    def test_the_first_organizations_are_logged_and_stored_before_the_last_one_is_changed(self):
        orgs = self.add_organizations(1000, 15, "leaver@example.com", "stays@example.com")  # not the last full admin
        self.run_job("SyncInventory")

        def logged_and_stored() -> dict:
            lines = JobLogEntry.objects.filter(message__contains=": removed: ").values_list("message", flat=True)
            stored = MerakiAdministrator.objects.filter(email="leaver@example.com")
            return {
                "logged": sorted(line.split(" ")[0] for line in lines),
                "stored": set(stored.values_list("organization__organization_id", flat=True)),
            }

        last_change = f"/organizations/{orgs[-1]}/"
        found = self.look_at_first(
            lambda request: request.method == "DELETE" and last_change in request.url.path, logged_and_stored
        )
        _, result, logs = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id=",".join(orgs))
        seen_when_last_asked = found["seen"]
        self.assertEqual(set(self.outcomes(result).values()), {"removed"})
        self.assertEqual(seen_when_last_asked["logged"], orgs[:10], "the first 10 organizations' lines were written")
        self.assertEqual(seen_when_last_asked["stored"], set(orgs[10:]), "and their inventory rows deleted")
        lines = [message.split(" ")[0] for _, message in logs if ": removed: " in message]
        self.assertEqual(lines, orgs)  # every line once, in the organizations' order
        self.assertFalse(MerakiAdministrator.objects.filter(email="leaver@example.com").exists())

    def test_a_list_logs_its_lines_as_it_goes_and_its_file_keeps_the_organizations_order(self):
        orgs = self.add_organizations(5000, 15)
        for org_id in orgs:
            self.fake.add_admin(org_id, f"pat@{org_id}.example", "Pat")
        # An empty inventory: no early reads, every organization read in the job's thread.
        logged = self.look_at_first(
            lambda request: request.url.path.endswith(f"/organizations/{orgs[-1]}/admins"),
            lambda: JobLogEntry.objects.filter(message__contains=" admin(s)").count(),
        )
        job_result, rows, logs = self.run_job("ListUsers", meraki_org_id="all")
        self.assertEqual(logged["seen"], 10, "the first 10 organizations' lines were written while the rest were read")
        listed = [message.split(" ")[0] for _, message in logs if ": listed: " in message]
        self.assertEqual(listed, ["100", "200", "300", *orgs])  # every line once, in the organizations' order
        [proxy] = FileProxy.objects.filter(job_result=job_result)
        emails = [row["email"] for row in csv.DictReader(io.StringIO(proxy.file.read().decode()))]
        self.assertEqual(emails, [row["email"] for row in rows])
        self.assertEqual(emails[-15:], [f"pat@{org_id}.example" for org_id in orgs])

    def test_an_import_logs_its_lines_and_stores_its_rows_as_it_goes(self):
        orgs = self.add_organizations(2000, 12)
        self.run_job("SyncInventory")
        text = (
            ",".join(IMPORT_COLUMNS) + "\n" + "".join(f"create,pat@example.com,Pat,{o},read-only,,,,\n" for o in orgs)
        )

        def logged_and_stored() -> dict:
            lines = JobLogEntry.objects.filter(message__contains=": created: ").values_list("message", flat=True)
            return {
                "logged": sorted(line.split(" ")[1] for line in lines),  # "line N create ..."
                "stored": MerakiAdministrator.objects.filter(email="pat@example.com").count(),
            }

        last_create = f"/organizations/{orgs[-1]}/"
        found = self.look_at_first(
            lambda request: request.method == "POST" and last_create in request.url.path, logged_and_stored
        )
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        _, result, logs = self.run_job("ImportUsers", csv_file=upload.pk)
        seen = found["seen"]
        self.assertEqual([org["outcome"] for org in result["organizations"]], ["created"] * 12)
        self.assertEqual(seen["logged"], sorted(str(line) for line in range(2, 12)), "lines 2 to 11 written")
        self.assertEqual(seen["stored"], 10, "and their admins stored")
        lines = [message.split(" ")[1] for _, message in logs if ": created: " in message]
        self.assertEqual(lines, [str(line) for line in range(2, 14)])  # every row once, in the file's order
