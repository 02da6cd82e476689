"""The other ways into an organization in the inventory: SAML on/off, SAML roles, login security and the filters."""

from __future__ import annotations

import html

import httpx
from django.test import override_settings
from django.urls import reverse
from job_helpers import API_KEY, BASE_URL, MerakiJobTestCase, app_config
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.users.models import Token, User
from rest_framework.test import APIClient

from nautobot_meraki_users.errors import ConfigurationError
from nautobot_meraki_users.models import MerakiOrganization, MerakiSamlRole
from nautobot_meraki_users.settings import settings_from_mapping

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
BASELINE = {"enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": {"max": 30}}
HOSTILE = '<img src=x onerror="alert(1)">'


class AccessSettingsSyncTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.set_saml("100", True)
        self.noc = self.fake.add_saml_role("100", "NOC", "read-only", tags=[{"tag": "west", "access": "full"}])
        self.fake.add_saml_role("100", HOSTILE, "none", networks=[{"id": "N_100_1", "access": "monitor-only"}])
        self.fake.set_login_security("100", enforceTwoFactorAuth=True, enforceIdleTimeout=True, idleTimeoutMinutes=15)
        self.user = User.objects.create(username="auditor", is_superuser=True)
        self.token = Token.objects.create(user=self.user)

    def sync(self):
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        return result

    def api(self, name: str, **query) -> list[dict]:
        url = reverse(f"plugins-api:nautobot_meraki_users-api:{name}-list")
        response = APIClient().get(url, query, HTTP_AUTHORIZATION=f"Token {self.token.key}")
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["results"]

    def test_the_sync_stores_saml_roles_saml_and_login_security(self):
        result = self.sync()
        self.assertEqual(result["counts"]["saml_roles_created"], 2)
        acme, globex = (
            MerakiOrganization.objects.get(organization_id="100"),
            MerakiOrganization.objects.get(organization_id="200"),
        )
        self.assertEqual((acme.saml_enabled, globex.saml_enabled), (True, False))
        self.assertEqual(acme.login_security, self.fake.login_security("100"))  # every field, as Meraki sends it
        self.assertIs(globex.login_security["enforceTwoFactorAuth"], False)
        noc = MerakiSamlRole.objects.get(role="NOC")
        self.assertEqual(
            (noc.organization, noc.role_id, noc.org_access, noc.tag_privileges),
            (acme, self.noc["id"], "read-only", [{"tag": "west", "access": "full"}]),
        )
        per_org = [r.path for r in self.fake.requests if r.path.startswith("/organizations/300/")]
        self.assertEqual(
            sorted(per_org),
            sorted(f"/organizations/300/{p}" for p in ("admins", "networks", "saml", "samlRoles", "loginSecurity")),
        )
        self.assert_no_spec_violations()

    def test_a_later_sync_updates_and_removes_roles(self):
        self.sync()
        self.fake.clear_records()
        noc_id = self.noc["id"]
        self.fake.set_login_security("100", enforceTwoFactorAuth=False)
        headers = {"X-Cisco-Meraki-API-Key": API_KEY}  # someone deletes the role in the Dashboard
        deleted = httpx.delete(f"{BASE_URL}/organizations/100/samlRoles/{noc_id}", headers=headers)
        self.assertEqual(deleted.status_code, 204, deleted.text)
        result = self.sync()
        self.assertEqual(result["counts"].get("saml_roles_deleted"), 1)
        self.assertFalse(MerakiSamlRole.objects.filter(role_id=noc_id).exists())
        self.assertIs(
            MerakiOrganization.objects.get(organization_id="100").login_security["enforceTwoFactorAuth"], False
        )

    def test_rest_lists_saml_roles_read_only_and_filters_them(self):
        self.sync()
        self.assertEqual(sorted(r["role"] for r in self.api("merakisamlrole")), sorted(["NOC", HOSTILE]))
        self.assertEqual([r["role"] for r in self.api("merakisamlrole", role="NOC")], ["NOC"])
        self.assertEqual(self.api("merakisamlrole", organization="200"), [])
        url = reverse("plugins-api:nautobot_meraki_users-api:merakisamlrole-list")
        refused = APIClient().post(url, {"role": "x"}, format="json", HTTP_AUTHORIZATION=f"Token {self.token.key}")
        self.assertEqual(refused.status_code, 405)

    def test_graphql_lists_saml_roles_with_their_organization(self):
        self.sync()
        query = '{ meraki_saml_roles(role: "NOC") { role org_access organization { name saml_enabled } } }'
        response = APIClient().post(
            "/api/graphql/", {"query": query}, format="json", HTTP_AUTHORIZATION=f"Token {self.token.key}"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            response.json()["data"]["meraki_saml_roles"],
            [{"role": "NOC", "org_access": "read-only", "organization": {"name": "Acme", "saml_enabled": True}}],
        )

    def test_the_login_security_and_two_factor_filters(self):
        self.sync()
        with override_settings(PLUGINS_CONFIG=app_config(login_security_baseline=BASELINE)):
            compliant = [o["organization_id"] for o in self.api("merakiorganization", login_security_compliant="true")]
            failing = [o["organization_id"] for o in self.api("merakiorganization", login_security_compliant="false")]
        self.assertEqual(compliant, ["100"])
        self.assertEqual(sorted(failing), ["200", "300"])
        self.fake.add_admin("200", "no2fa@example.com", "No 2FA")  # Globex does not enforce 2FA
        self.fake.add_admin("100", "covered@example.com", "Covered")  # Acme enforces it
        self.sync()
        flagged = [a["email"] for a in self.api("merakiadministrator", two_factor_unprotected="true")]
        self.assertIn("no2fa@example.com", flagged)
        self.assertNotIn("covered@example.com", flagged)

    def test_the_organization_page_shows_its_saml_roles_escaped(self):
        self.sync()
        self.client.force_login(self.user)
        acme = MerakiOrganization.objects.get(organization_id="100")
        page = self.client.get(acme.get_absolute_url()).content.decode()
        self.assertIn("SAML roles", page)
        self.assertIn(">NOC<", page)
        self.assertNotIn(HOSTILE, page)
        self.assertIn(html.escape(HOSTILE, quote=False), page.replace("&quot;", '"').replace("&#x27;", "'"))


def test_a_bad_baseline_is_a_configuration_error_naming_the_key():
    try:
        settings_from_mapping({"login_security_baseline": {"idleTimeoutMinutes": {"max": "thirty"}}})
    except ConfigurationError as err:
        assert str(err).startswith("login_security_baseline: idleTimeoutMinutes:")
    else:
        raise AssertionError("a bad baseline must be refused")


def test_egress_addresses_must_be_ip_addresses():
    assert settings_from_mapping({"egress_addresses": ["198.51.100.7", "2001:db8::7"]}).egress_addresses == (
        "198.51.100.7",
        "2001:db8::7",
    )
    try:
        settings_from_mapping({"egress_addresses": ["nautobot.example.com"]})
    except ConfigurationError as err:
        assert str(err).startswith("egress_addresses: 'nautobot.example.com' is not an IP address.")
    else:
        raise AssertionError("a name is not an address")
