"""Update with "(keep current)" access keeps each listed network's (tag's) level; `none` clears networks or tags."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy

from nautobot_meraki_users.operations import admins
from nautobot_meraki_users.operations.admins import AdminRequest, Outcome
from nautobot_meraki_users.operations.csv_import import IMPORT_COLUMNS

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
HEADER = ",".join(IMPORT_COLUMNS)


def jane(networks=(), tags=()):
    return {
        "id": "A1",
        "email": "jane@example.com",
        "name": "Jane",
        "orgAccess": "none",
        "networks": [{"id": n, "access": a} for n, a in networks],
        "tags": [{"tag": t, "access": a} for t, a in tags],
    }


def update(**data):
    """An update request parsed like the job parses it (blank access = "(keep current)")."""
    return AdminRequest("jane@example.com", None, admins.parse_access_request(data, defaults=False))


# ------------------------------------------------------------------------------------------- (keep current) keeps


def test_listed_networks_keep_their_level_and_new_ones_get_read_only():
    current = [jane(networks=[("N_1", "full"), ("N_2", "monitor-only"), ("N_9", "full")])]
    change = admins.plan_update(update(meraki_network="N_1,N_2,N_3"), current, ["N_1", "N_2", "N_3"])
    assert change.body == {
        "networks": [
            {"id": "N_1", "access": "full"},  # not downgraded
            {"id": "N_2", "access": "monitor-only"},  # not upgraded
            {"id": "N_3", "access": "read-only"},  # new
        ]
    }
    assert "N_1=full (kept)" in change.message and "N_2=monitor-only (kept)" in change.message
    assert "N_3 (new: read-only)" in change.message


def test_listed_tags_keep_their_level_and_new_ones_get_read_only():
    current = [jane(tags=[("west", "full"), ("east", "monitor-only")])]
    change = admins.plan_update(update(meraki_tags="east,hq"), current, [])
    assert change.body == {"tags": [{"tag": "east", "access": "monitor-only"}, {"tag": "hq", "access": "read-only"}]}
    assert "east=monitor-only (kept)" in change.message and "hq (new: read-only)" in change.message


def test_listing_exactly_the_current_networks_with_keep_changes_nothing():
    current = [jane(networks=[("N_1", "full"), ("N_2", "monitor-only")])]
    change = admins.plan_update(update(meraki_network="N_2,N_1"), current, ["N_2", "N_1"])
    assert change.outcome == Outcome.UNCHANGED and not change.is_write


def test_a_given_level_still_applies_to_every_listed_network():
    current = [jane(networks=[("N_1", "full")])]
    change = admins.plan_update(
        update(meraki_network="N_1,N_2", meraki_network_access="monitor-only"), current, ["N_1", "N_2"]
    )
    assert change.body["networks"] == [{"id": "N_1", "access": "monitor-only"}, {"id": "N_2", "access": "monitor-only"}]


def test_create_with_blank_levels_still_gives_read_only():
    access = admins.parse_access_request({"meraki_network": "N_1"}, defaults=True)
    change = admins.plan_create(AdminRequest("new@example.com", "New", access), [], ["N_1"])
    assert change.body["networks"] == [{"id": "N_1", "access": "read-only"}]


class KeepCurrentJobTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_admin(
            "100", "bob@example.com", "Bob", org_access="none",
            networks=[{"id": "N_100_1", "access": "full"}], tags=[{"tag": "west", "access": "monitor-only"}],
        )  # fmt: skip
        self.fake.clear_records()

    def bob(self):
        [bob] = [a for a in self.fake.admins("100") if a["email"] == "bob@example.com"]
        return bob

    def test_update_with_keep_current_keeps_listed_levels(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", meraki_network="HQ,Branch",
            meraki_network_access="", meraki_tags="west,east", meraki_tag_access="", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        bob = self.bob()
        self.assertEqual(
            bob["networks"], [{"id": "N_100_1", "access": "full"}, {"id": "N_100_2", "access": "read-only"}]
        )
        self.assertEqual(
            bob["tags"], [{"tag": "west", "access": "monitor-only"}, {"tag": "east", "access": "read-only"}]
        )
        message = result["organizations"][0]["message"]
        self.assertIn("N_100_2 (new: read-only)", message)
        self.assertIn("east (new: read-only)", message)
        self.assert_no_spec_violations()

    def test_import_update_row_with_blank_levels_keeps_listed_levels(self):
        text = f"{HEADER}\nupdate,bob@example.com,,100,,HQ,,west,\n"
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"unchanged": 1})
        self.assertEqual(self.fake.writes, [])
        bob = self.bob()
        self.assertEqual(bob["networks"], [{"id": "N_100_1", "access": "full"}])
        self.assertEqual(bob["tags"], [{"tag": "west", "access": "monitor-only"}])


# ------------------------------------------------------------------------------------------- `none` clears


@pytest.mark.parametrize("word", ["none", "None", " NONE "])
def test_none_alone_means_no_networks_or_tags(word):
    access = admins.parse_access_request({"meraki_network": word, "meraki_tags": word}, defaults=False)
    assert (access.networks, access.tags) == ((), ())
    assert not admins.needs_networks(access)  # nothing to resolve: no read of the networks


@pytest.mark.parametrize(("field", "value"), [("meraki_network", "none,HQ"), ("meraki_tags", "west, None")])
def test_none_mixed_with_names_is_a_field_error(field, value):
    with pytest.raises(admins.InputError) as err:
        admins.parse_access_request({field: value}, defaults=False)
    [error] = err.value.errors
    assert error.field == field
    assert "'none' cannot be combined" in error.message and "Give 'none' alone" in error.message
    assert ("use its ID" in error.message) == (field == "meraki_network")


def test_update_with_none_removes_every_network_or_tag_privilege():
    current = [jane(networks=[("N_1", "full")], tags=[("west", "read-only")])]
    change = admins.plan_update(update(meraki_network="none", meraki_tags="none"), current, [])
    assert change.body == {"networks": [], "tags": []}
    assert "networks -> none (every network privilege removed)" in change.message
    assert "tags -> none (every tag privilege removed)" in change.message
    change = admins.plan_update(update(meraki_network="none"), [jane(tags=[("west", "full")])], [])
    assert change.outcome == Outcome.UNCHANGED  # no network to remove: no PUT


def test_create_with_none_has_no_network_privileges():
    access = admins.parse_access_request({"meraki_network": "none", "meraki_tags": "none"}, defaults=True)
    change = admins.plan_create(AdminRequest("new@example.com", "New", access), [], [])
    assert change.body == {"email": "new@example.com", "name": "New", "orgAccess": "read-only"}


class ClearJobTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_admin(
            "100", "bob@example.com", "Bob", org_access="read-only",
            networks=[{"id": "N_100_1", "access": "full"}], tags=[{"tag": "west", "access": "full"}],
        )  # fmt: skip
        self.fake.clear_records()

    def bob(self):
        [bob] = [a for a in self.fake.admins("100") if a["email"] == "bob@example.com"]
        return bob

    def test_update_with_none_clears_networks_and_tags_in_meraki(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", meraki_network="none",
            meraki_tags="NONE", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"updated": 1})
        [put] = [w for w in self.fake.writes if w.method == "PUT"]
        self.assertEqual(put.json, {"networks": [], "tags": []})  # what Meraki's PUT takes to clear them
        self.assertEqual((self.bob()["networks"], self.bob()["tags"]), ([], []))
        self.assertEqual(self.bob()["orgAccess"], "read-only")
        self.assertFalse(any("/networks" in r.path for r in self.fake.requests))  # nothing to resolve
        self.assert_no_spec_violations()

    def test_none_mixed_with_a_network_changes_nothing(self):
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="bob@example.com", meraki_org_id="100", meraki_network="none,HQ", dryrun=False
        )
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(result["errors"][0].startswith("meraki_network: 'none' cannot be combined"), result)
        self.assertEqual(self.fake.requests, [])

    def test_import_update_row_with_none_clears_networks(self):
        text = f"{HEADER}\nupdate,bob@example.com,,100,,none,,,\n"
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.bob()["networks"], [])
        self.assertEqual(self.bob()["tags"], [{"tag": "west", "access": "full"}])  # kept
        self.assert_no_spec_violations()
