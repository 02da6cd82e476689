"""Early reads: the organizations the inventory expects are read while the organization list is on its way."""

import threading
from collections import Counter

from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices

from nautobot_meraki_users.dashboard.early_reads import EarlyReads

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS


class Client:
    """A stand-in for a Dashboard connection: EarlyReads only needs its name."""

    def __init__(self, name: str):
        self.name = name


def test_a_read_is_taken_through_the_connection_that_made_it_and_only_once():
    one, two = Client("one"), Client("two")
    with EarlyReads([one, two], {"1": "one", "2": "two"}, lambda client, org: f"{org} via {client.name}", 2) as early:
        assert early.take("1", one) == "1 via one"
        assert early.take("1", one) is None  # taken: the next read is the engine's own
        assert early.take("2", one) is None  # read through another connection than the one that works on it
        assert early.take("3", one) is None  # not expected


def test_a_failed_read_leaves_the_organization_to_the_engine():
    def read(client, org):
        raise RuntimeError("404")

    with EarlyReads([Client("one")], {"1": "one"}, read, 1) as early:
        assert early.take("1", early._reads["1"][0]) is None


def test_an_organization_of_an_unknown_connection_is_not_read():
    read_orgs: list[str] = []
    with EarlyReads([Client("one")], {"1": "one", "2": "gone"}, lambda c, org: read_orgs.append(org), 4):
        pass
    assert read_orgs == ["1"]


def test_organizations_the_job_does_not_work_on_are_cancelled_before_they_are_read():
    first_started, release = threading.Event(), threading.Event()
    read_orgs: list[str] = []

    def read(client, org):
        read_orgs.append(org)
        if org == "1":  # holds the only thread: the others wait in the queue
            first_started.set()
            assert release.wait(timeout=10)
        return org

    client = Client("one")
    with EarlyReads([client], {org: "one" for org in ("1", "2", "3", "4")}, read, concurrency=1) as early:
        assert first_started.wait(timeout=10)
        early.keep(["1", "3"])
        release.set()
        assert (early.take("1", client), early.take("3", client)) == ("1", "3")
    assert read_orgs == ["1", "3"]  # 2 and 4 never sent


def answer_the_list_after_an_early_read(fake, read_path_end: str) -> dict:
    """The fake answers the organization list only once a request ending with `read_path_end` has come.

    Returns a dict whose "overlap" says whether one did (within 10 s): the early read began before the list's reply.
    """
    read, record = threading.Event(), fake._record
    seen: dict[str, bool] = {}

    def watch(request):
        if request.url.path.endswith(read_path_end):
            read.set()
        elif request.url.path.endswith("/organizations") and "overlap" not in seen:
            seen["overlap"] = read.wait(timeout=10)
        return record(request)

    fake._record = watch
    return seen


class EarlyReadsInJobsTest(MerakiJobTestCase):
    def admin_reads(self) -> Counter:
        return Counter(r.path for r in self.fake.requests if r.method == "GET" and r.path.endswith("/admins"))

    def test_the_organizations_admins_are_read_while_the_organization_list_is_asked(self):
        self.run_job("SyncInventory")
        self.fake.clear_records()
        seen = answer_the_list_after_an_early_read(self.fake, "/admins")
        job_result, result, _ = self.run_job("DeleteUsers", user_email="alice@example.com", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "removed", "200": "absent", "300": "absent"})
        self.assertTrue(seen["overlap"], "no admins read began before the organization list was answered")
        reads = self.admin_reads()
        self.assertEqual(set(reads.values()), {1}, f"each organization's admins read once: {reads}")
        self.assertEqual(len(reads), 3)

    def test_a_stale_inventory_changes_nothing_it_should_not(self):
        self.run_job("SyncInventory")
        self.fake.set_accessible("200", False)  # the inventory still lists Globex
        self.fake.add_organization("400", "Umbrella")  # not in the inventory yet
        self.fake.add_admin("400", "alice@example.com", "Alice", org_access="full")
        self.fake.add_admin("400", "bob@example.com", "Bob", org_access="full")
        self.fake.clear_records()
        job_result, result, _ = self.run_job("DeleteUsers", user_email="alice@example.com", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "removed", "300": "absent", "400": "removed"})
        self.assertEqual(
            sorted(r.path.split("/")[2] for r in self.fake.writes),
            ["100", "400"],
            "no write where the key sees nothing",
        )

    def test_list_reads_each_organization_once(self):
        self.run_job("SyncInventory")
        self.fake.clear_records()
        job_result, rows, _ = self.run_job("ListUsers", meraki_org_id="100,300")
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual([row["email"] for row in rows], ["alice@example.com"])
        self.assertEqual(self.admin_reads(), Counter({"/organizations/100/admins": 1, "/organizations/300/admins": 1}))


class LoginSecurityEarlyReadsTest(MerakiJobTestCase):
    config_overrides = {"login_security_baseline": {"enforceTwoFactorAuth": True}}

    def login_security_reads(self) -> Counter:
        return Counter(r.path for r in self.fake.requests if r.method == "GET" and r.path.endswith("/loginSecurity"))

    def test_login_security_is_read_while_the_organization_list_is_asked_and_once(self):
        self.run_job("SyncInventory")
        self.fake.clear_records()
        record = self.fake._record
        seen = answer_the_list_after_an_early_read(self.fake, "/loginSecurity")
        job_result, result, _ = self.run_job("CheckLoginSecurity", meraki_org_id="all")
        self.assertEqual(len(result["organizations"]), 3, result)
        self.assertTrue(seen["overlap"], "no login security read began before the organization list was answered")
        self.assertEqual(set(self.login_security_reads().values()), {1})
        self.assertEqual(len(self.login_security_reads()), 3)

        self.fake._record = record
        self.fake.clear_records()
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="100", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual([org["outcome"] for org in result["organizations"]], ["updated"])
        self.assertEqual(self.fake.login_security("100")["enforceTwoFactorAuth"], True)
        # Planned from one read (early), then the PUT; only the one organization was read.
        self.assertEqual(self.login_security_reads(), Counter({"/organizations/100/loginSecurity": 1}))
