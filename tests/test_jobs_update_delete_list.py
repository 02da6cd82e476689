"""UpdateUsers, DeleteUsers and ListUsers through real Nautobot job runs against the fake Dashboard."""

import csv
import io

from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy

from nautobot_meraki_users.operations.admins import LIST_COLUMNS

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class UpdateUsersTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.bob_100 = self.fake.add_admin(
            "100", "bob@example.com", "Bob", org_access="read-only", networks=[{"id": "N_100_1", "access": "full"}]
        )
        self.fake.add_admin(
            "200", "bob@example.com", "Bob", org_access="none", tags=[{"tag": "west", "access": "full"}]
        )
        self.fake.clear_records()

    def test_update_changes_only_what_is_given(self):
        job_result, result, logs = self.run_job(
            "UpdateUsers", user_email="BOB@example.com", meraki_org_id="all", meraki_access_level="full", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "updated", "200": "updated", "300": "absent"})
        puts = [w for w in self.fake.writes if w.method == "PUT"]
        self.assertEqual([w.json for w in puts], [{"orgAccess": "full"}, {"orgAccess": "full"}])
        [bob] = [a for a in self.fake.admins("100") if a["email"] == "bob@example.com"]
        self.assertEqual(bob["networks"], [{"id": "N_100_1", "access": "full"}])  # kept
        self.assertEqual(result["organizations"][0]["admin_id"], self.bob_100["id"])
        self.assert_no_spec_violations()
        self.assert_key_not_leaked(job_result, logs)

    def test_networks_and_tags_given_replace_those_parts(self):
        _, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", meraki_network="Branch",
            meraki_network_access="monitor-only", meraki_tags="west", meraki_tag_access="read-only", dryrun=False,
        )  # fmt: skip
        self.assertEqual(result["counts"], {"updated": 1})
        [bob] = [a for a in self.fake.admins("100") if a["email"] == "bob@example.com"]
        self.assertEqual(bob["networks"], [{"id": "N_100_2", "access": "monitor-only"}])
        self.assertEqual(bob["tags"], [{"tag": "west", "access": "read-only"}])

    def test_no_put_when_nothing_would_change(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", user_name="Bob",
            meraki_access_level="read-only", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"unchanged": 1})
        self.assertEqual(self.fake.writes, [])

    def test_dry_run_sends_no_write(self):
        _, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100,200", user_name="Robert", dryrun=True
        )
        self.assertEqual(result["counts"], {"updated": 2})
        self.assertTrue(result["organizations"][0]["message"].startswith("dry run: would update"))
        self.assertEqual(self.fake.writes, [])

    def test_absent_everywhere_fails(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="nobody@example.com", meraki_org_id="all", meraki_access_level="full"
        )
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(result["counts"], {"absent": 3})

    def test_update_validation_names_the_field(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", meraki_network_access="root"
        )
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(result["errors"][0].startswith("meraki_network_access: 'root' is not a valid choice"))
        self.assertEqual(self.fake.requests, [])


class DeleteUsersTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        for org_id in ("100", "300"):
            self.fake.add_admin(org_id, "leaver@example.com", "Leaver")
        self.fake.clear_records()

    def test_offboarding_from_all_removes_everywhere_and_reports_absent(self):
        job_result, result, logs = self.run_job(
            "DeleteUsers", user_email="Leaver@Example.com", meraki_org_id="all", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(self.outcomes(result), {"100": "removed", "200": "absent", "300": "removed"})
        self.assertEqual(result["counts"], {"removed": 2, "absent": 1})
        self.assertEqual([w.method for w in self.fake.writes], ["DELETE", "DELETE"])
        for org_id in ("100", "300"):
            self.assertNotIn("leaver@example.com", [a["email"] for a in self.fake.admins(org_id)])
        self.assertEqual(sum(1 for _, m in logs if ": removed: " in m or ": absent: " in m), 3)
        self.assert_no_spec_violations()

    def test_dry_run_and_idempotence(self):
        _, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100", dryrun=True)
        self.assertEqual(result["counts"], {"removed": 1})
        self.assertEqual(self.fake.writes, [])
        self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100", dryrun=False)
        job_result, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"absent": 1})
        self.assertEqual(len(self.fake.writes), 1)

    def test_a_failing_organization_does_not_stop_the_others(self):
        self.fake.fail_next("DELETE", "/organizations/100/admins/.*", status=500, times=3)
        job_result, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="all")
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "failed", "200": "absent", "300": "removed"})

    def test_email_policy_does_not_block_offboarding(self):
        self.set_config(email_regex=r".*@corp\.example")
        job_result, result, _ = self.run_job("DeleteUsers", user_email="leaver@example.com", meraki_org_id="100")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"removed": 1})


class ListUsersTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_admin(
            "200", "alice@example.com", "Alice", org_access="none", tags=[{"tag": "west", "access": "full"}]
        )

    def csv_rows(self, job_result):
        [file_proxy] = FileProxy.objects.filter(job_result=job_result)
        self.assertTrue(file_proxy.name.endswith(".csv"))
        return list(csv.DictReader(io.StringIO(file_proxy.file.read().decode())))

    def test_lists_all_organizations_as_rows_and_csv(self):
        job_result, rows, _ = self.run_job("ListUsers", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(
            [(r["organization_id"], r["email"]) for r in rows],
            [("100", "alice@example.com"), ("200", "alice@example.com")],
        )
        self.assertEqual(set(rows[0]), set(LIST_COLUMNS))  # jsonb keeps no key order; the CSV does
        self.assertEqual(rows[1]["tag_privileges"], "west=full")
        self.assertEqual(rows[0]["org_access"], "full")
        csv_rows = self.csv_rows(job_result)
        self.assertEqual(list(csv_rows[0]), list(LIST_COLUMNS))
        self.assertEqual([r["email"] for r in csv_rows], [r["email"] for r in rows])
        self.assertEqual(csv_rows[1]["organization_name"], "Globex")
        self.assertEqual(self.fake.writes, [])

    def test_defaults_to_all_and_filters_by_email(self):
        self.fake.add_admin("100", "zed@example.com", "Zed")
        _, rows, _ = self.run_job("ListUsers", meraki_org_id="", user_email="ZED@example.com")
        self.assertEqual([(r["organization_id"], r["email"]) for r in rows], [("100", "zed@example.com")])

    def test_unreadable_organization_fails_the_job_but_lists_the_others(self):
        self.fake.fail_next("GET", "/organizations/100/admins", status=500, times=3)
        job_result, rows, logs = self.run_job("ListUsers", meraki_org_id="100,200")
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual([r["organization_id"] for r in rows], ["200"])
        self.assertTrue(any(level == "error" and message.startswith("100 (Acme): failed") for level, message in logs))
