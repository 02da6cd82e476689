"""Check and Enforce Meraki Login Security, run as a worker runs them, against the stand-in Dashboard."""

from __future__ import annotations

import csv
import io

from job_helpers import MerakiJobTestCase, post_job_run
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy
from nautobot.users.models import Token, User

from nautobot_meraki_users.models import MerakiOrganization

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
BASELINE = {
    "enforceTwoFactorAuth": True,
    "enforceIdleTimeout": True,
    "idleTimeoutMinutes": {"max": 30},
    "accountLockoutAttempts": {"max": 5},
}
COMPLIANT = {"enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": 15}
NAUTOBOT = "198.51.100.7"


class LoginSecurityJobTestCase(MerakiJobTestCase):
    config_overrides = {"login_security_baseline": BASELINE}

    def setUp(self):
        super().setUp()
        for org_id in ("100", "200", "300"):
            self.fake.set_login_security(org_id, accountLockoutAttempts=5)
        self.fake.set_login_security("100", **COMPLIANT)
        self.fake.set_login_security("300", enforceTwoFactorAuth=True, idleTimeoutMinutes=60)
        self.fake.clear_records()

    def by_org(self, result) -> dict[str, dict]:
        return {entry["organization_id"]: entry for entry in result["organizations"]}

    def file_rows(self, job_result) -> list[dict]:
        [proxy] = FileProxy.objects.filter(job_result=job_result)
        return list(csv.DictReader(io.StringIO(proxy.file.read().decode())))


class CheckLoginSecurityTest(LoginSecurityJobTestCase):
    def test_each_organization_is_compliant_or_lists_every_failing_field(self):
        job_result, result, logs = self.run_job("CheckLoginSecurity", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS, result)
        orgs = self.by_org(result)
        self.assertEqual({k: v["outcome"] for k, v in orgs.items()}, {
            "100": "compliant", "200": "non-compliant", "300": "non-compliant",
        })  # fmt: skip
        self.assertEqual(orgs["300"]["deviations"], [
            {"field": "enforceIdleTimeout", "actual": False, "expected": "true"},
            {"field": "idleTimeoutMinutes", "actual": 60, "expected": "at most 30"},
        ])  # fmt: skip
        self.assertEqual(result["counts"], {"compliant": 1, "non-compliant": 2})
        self.assertEqual(self.fake.writes, [])
        rows = self.file_rows(job_result)
        self.assertIn(
            {"organization_id": "300", "organization_name": "Initech", "outcome": "non-compliant",
             "field": "idleTimeoutMinutes", "actual": "60", "expected": "at most 30"},
            [{k: v for k, v in row.items() if k != "message"} for row in rows],
        )  # fmt: skip
        self.assertTrue(any("300 (Initech): non-compliant" in message for _, message in logs))
        self.assert_no_spec_violations()

    def test_the_check_keeps_the_inventory_and_its_filter_current(self):
        self.run_job("SyncInventory", dryrun=False)
        self.fake.set_login_security("200", **COMPLIANT)
        self.run_job("CheckLoginSecurity", meraki_org_id="all")
        self.assertEqual(MerakiOrganization.objects.get(organization_id="200").login_security["idleTimeoutMinutes"], 15)

    def test_without_a_baseline_the_job_fails_before_any_request(self):
        self.set_config(login_security_baseline={})
        job_result, result, _ = self.run_job("CheckLoginSecurity", meraki_org_id="all")
        self.assertEqual(job_result.status, FAILURE)
        [error] = result["errors"]
        self.assertTrue(error.startswith("login_security_baseline: is empty"), error)
        self.assertEqual(self.fake.requests, [])


class EnforceLoginSecurityTest(LoginSecurityJobTestCase):
    def test_a_dry_run_reports_the_changes_and_writes_nothing(self):
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="all", dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["dryrun"], True)
        orgs = self.by_org(result)
        self.assertEqual(orgs["300"]["changes"], {"enforceIdleTimeout": True, "idleTimeoutMinutes": 30})
        self.assertTrue(orgs["300"]["message"].startswith("dry run: would set"))
        self.assertEqual(orgs["100"]["outcome"], "unchanged")
        self.assertEqual(self.fake.writes, [])

    def test_one_put_per_organization_with_only_the_differing_fields_then_nothing(self):
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"unchanged": 1, "updated": 2})
        puts = {r.path: r.json for r in self.fake.writes}
        self.assertEqual(puts, {
            "/organizations/200/loginSecurity": {"enforceTwoFactorAuth": True, "enforceIdleTimeout": True},
            "/organizations/300/loginSecurity": {"enforceIdleTimeout": True, "idleTimeoutMinutes": 30},
        })  # fmt: skip
        self.fake.clear_records()
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="all", dryrun=False)
        self.assertEqual(result["counts"], {"unchanged": 3})
        self.assertEqual(self.fake.writes, [])
        self.assert_no_spec_violations()

    def test_an_ip_restriction_that_would_lock_nautobot_out_is_refused_and_the_rest_is_set(self):
        baseline = {**BASELINE, "enforceLoginIpRanges": True, "loginIpRanges": ["192.0.2.0/24"]}
        self.set_config(login_security_baseline=baseline, egress_addresses=[NAUTOBOT])
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="300", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        [org] = result["organizations"]
        self.assertEqual(org["outcome"], "refused")
        self.assertIn("would lock Nautobot out", org["message"])
        self.assertIn(NAUTOBOT, org["message"])
        [put] = self.fake.writes
        self.assertEqual(put.json, {"enforceIdleTimeout": True, "idleTimeoutMinutes": 30})
        self.assertFalse(self.fake.login_security("300")["enforceLoginIpRanges"])

    def test_an_ip_restriction_that_keeps_nautobot_in_is_set(self):
        baseline = {"enforceLoginIpRanges": True, "loginIpRanges": ["198.51.100.0/24"]}
        self.set_config(login_security_baseline=baseline, egress_addresses=[NAUTOBOT])
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="300", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.fake.login_security("300")["loginIpRanges"], ["198.51.100.0/24"])
        self.assertTrue(self.fake.login_security("300")["enforceLoginIpRanges"])

    def test_a_lost_reply_is_confirmed_by_reading_again(self):
        self.fake.lose_replies("PUT", "/organizations/300/loginSecurity", times=5)
        job_result, result, _ = self.run_job("EnforceLoginSecurity", meraki_org_id="300", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        [org] = result["organizations"]
        self.assertEqual(org["outcome"], "updated")
        self.assertIn("confirmed by re-reading", org["message"])


class LoginSecurityFormTest(LoginSecurityJobTestCase):
    def test_rest_refuses_a_bad_baseline_or_none_naming_the_setting(self):
        token = Token.objects.create(user=User.objects.create(username="form-user", is_superuser=True))
        for baseline, expected in (
            ({"minimumPasswordLength": {"min": 12}}, "login_security_baseline: minimumPasswordLength:"),
            ({}, "login_security_baseline: is empty"),
        ):
            with self.subTest(baseline=baseline):
                self.set_config(login_security_baseline=baseline)
                response = post_job_run(token.key, "EnforceLoginSecurity", {"meraki_org_id": "all", "dryrun": True})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(expected, str(response.json()["errors"]))
        self.assertEqual(self.fake.requests, [])
