"""Create, Update and Delete Meraki SAML Role, run as a worker runs them, against the stand-in Dashboard."""

from __future__ import annotations

from job_helpers import MerakiJobTestCase, post_job_run
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.users.models import Token, User

from nautobot_meraki_users.models import MerakiSamlRole

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
NOC = {"saml_role": "NOC", "meraki_org_id": "all", "meraki_access_level": "read-only"}


class SamlRoleJobTestCase(MerakiJobTestCase):
    def roles(self, org_id: str) -> dict[str, dict]:
        return {role["role"]: role for role in self.fake.saml_roles(org_id)}

    def outcomes(self, result) -> dict[str, str]:
        return {org["organization_id"]: org["outcome"] for org in result["organizations"]}


class CreateSamlRolesTest(SamlRoleJobTestCase):
    def test_creates_everywhere_then_is_unchanged(self):
        west = {**NOC, "meraki_org_id": "100,200", "meraki_tags": "west"}  # Initech (300) has no network tagged west
        job_result, result, logs = self.run_job("CreateSamlRoles", **west, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "created", "200": "created"})
        role = self.roles("100")["NOC"]
        self.assertEqual((role["orgAccess"], role["tags"]), ("read-only", [{"tag": "west", "access": "read-only"}]))
        self.assertEqual(result["organizations"][0]["admin_id"], role["id"])
        self.assertEqual(MerakiSamlRole.objects.filter(role="NOC").count(), 2)
        self.assertTrue(any("100 (Acme): created: create SAML role 'NOC'" in m for _, m in logs))
        self.fake.clear_records()
        job_result, result, _ = self.run_job("CreateSamlRoles", **west, dryrun=False)
        self.assertEqual(self.outcomes(result), {"100": "unchanged", "200": "unchanged"})
        self.assertEqual(self.fake.writes, [])
        self.assert_no_spec_violations()

    def test_a_dry_run_sends_no_write(self):
        job_result, result, _ = self.run_job("CreateSamlRoles", **NOC, dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"created": 3})
        self.assertEqual(self.fake.writes, [])
        self.assertFalse(MerakiSamlRole.objects.exists())

    def test_an_existing_role_with_other_access_is_a_conflict(self):
        self.fake.add_saml_role("200", "NOC", "full")
        job_result, result, _ = self.run_job("CreateSamlRoles", **NOC, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result)["200"], "conflict")
        self.assertIn("Update Meraki SAML Role", result["organizations"][1]["message"])
        self.assertEqual(self.roles("200")["NOC"]["orgAccess"], "full")

    def test_names_resolve_per_organization_and_a_missing_one_stops_every_write(self):
        job_result, result, _ = self.run_job(
            "CreateSamlRoles", **NOC, meraki_network="Branch", meraki_network_access="ssid-admin", dryrun=False
        )  # Branch exists in Acme only
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(any(error.startswith("meraki_network: no network 'Branch'") for error in result["errors"]))
        self.assertEqual(self.fake.writes, [])
        job_result, result, _ = self.run_job(
            "CreateSamlRoles", **{**NOC, "meraki_org_id": "100"}, meraki_network="Branch",
            meraki_network_access="ssid-admin", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.roles("100")["NOC"]["networks"], [{"id": "N_100_2", "access": "ssid-admin"}])

    def test_a_lost_reply_is_confirmed_by_reading_again(self):
        self.fake.lose_replies("POST", "/organizations/100/samlRoles")
        job_result, result, _ = self.run_job("CreateSamlRoles", **{**NOC, "meraki_org_id": "100"}, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        [org] = result["organizations"]
        self.assertEqual((org["outcome"], org["admin_id"]), ("created", self.roles("100")["NOC"]["id"]))
        self.assertIn("confirmed by re-reading", org["message"])
        self.assertEqual(len(self.fake.saml_roles("100")), 1)


class UpdateAndDeleteSamlRolesTest(SamlRoleJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_saml_role("100", "NOC", "read-only", tags=[{"tag": "west", "access": "full"}])
        self.fake.add_saml_role("200", "NOC", "read-only", tags=[{"tag": "west", "access": "full"}])
        self.run_job("SyncInventory", dryrun=False)
        self.fake.clear_records()

    def test_update_sends_only_what_differs_and_blank_keeps(self):
        job_result, result, _ = self.run_job(
            "UpdateSamlRoles", saml_role="NOC", meraki_org_id="all", meraki_tag_access="monitor-only", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "updated", "200": "updated", "300": "absent"})
        self.assertEqual(
            [w.json for w in self.fake.writes], [{"tags": [{"tag": "west", "access": "monitor-only"}]}] * 2
        )
        self.assertEqual(self.roles("100")["NOC"]["orgAccess"], "read-only")
        row = MerakiSamlRole.objects.get(organization__organization_id="100", role="NOC")
        self.assertEqual(row.tag_privileges, [{"tag": "west", "access": "monitor-only"}])

    def test_update_of_a_role_that_exists_nowhere_fails_the_job(self):
        job_result, result, _ = self.run_job(
            "UpdateSamlRoles", saml_role="noc", meraki_org_id="all", meraki_access_level="full", dryrun=False
        )  # names match exactly: "noc" is not "NOC"
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(set(self.outcomes(result).values()), {"absent"})
        self.assertEqual(self.fake.writes, [])

    def test_delete_removes_where_it_exists_and_keeps_the_inventory_current(self):
        job_result, result, _ = self.run_job("DeleteSamlRoles", saml_role="NOC", meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.outcomes(result), {"100": "removed", "200": "removed", "300": "absent"})
        self.assertEqual(self.fake.saml_roles("100"), [])
        self.assertFalse(MerakiSamlRole.objects.exists())


class SamlRoleFormTest(SamlRoleJobTestCase):
    def test_bad_input_is_answered_400_per_field_before_any_request(self):
        token = Token.objects.create(user=User.objects.create(username="form-user", is_superuser=True))
        data = {"saml_role": "  ", "meraki_org_id": "all", "meraki_network_access": "owner", "dryrun": True}
        response = post_job_run(token.key, "CreateSamlRoles", data)
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()["errors"]
        self.assertIn("saml_role", errors)
        self.assertIn("meraki_network_access", errors)
        self.assertEqual(self.fake.requests, [])

    def test_runjob_style_data_is_checked_too(self):
        job_result, result, _ = self.run_job("DeleteSamlRoles", saml_role=5, meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(result["errors"][0].startswith("saml_role: must be text"), result["errors"])
        self.assertEqual(self.fake.requests, [])
