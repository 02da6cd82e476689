"""CreateUsers through a real Nautobot job run against the fake Dashboard."""

import httpx
from job_helpers import API_KEY, MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.choices import SecretsGroupAccessTypeChoices as Access
from nautobot.extras.choices import SecretsGroupSecretTypeChoices as SecretType
from nautobot.extras.models import Secret, SecretsGroup, SecretsGroupAssociation

JANE = {"user_email": "jane@example.com", "user_name": "Jane Doe", "meraki_org_id": "100"}
SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class CreateUsersTest(MerakiJobTestCase):
    def test_creates_admin_and_returns_the_documented_result(self):
        job_result, result, logs = self.run_job(
            "CreateUsers", **JANE, meraki_access_level="full", meraki_network="HQ", meraki_network_access="full",
            meraki_tags="east", meraki_tag_access="monitor-only", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(set(result), {"dryrun", "organizations", "counts"})
        self.assertEqual(result["dryrun"], False)
        self.assertEqual(result["counts"], {"created": 1})
        [org] = result["organizations"]
        self.assertEqual(set(org), {"organization_id", "organization_name", "outcome", "admin_id", "message"})
        self.assertEqual((org["organization_id"], org["organization_name"], org["outcome"]), ("100", "Acme", "created"))
        [admin] = [a for a in self.fake.admins("100") if a["email"] == "jane@example.com"]
        self.assertEqual(org["admin_id"], admin["id"])
        self.assertEqual(admin["orgAccess"], "full")
        self.assertEqual(admin["networks"], [{"id": "N_100_1", "access": "full"}])
        self.assertEqual(admin["tags"], [{"tag": "east", "access": "monitor-only"}])
        self.assertEqual(admin["accountStatus"], "unverified")
        self.assertIn("must confirm by email", org["message"])
        self.assertTrue(any("100 (Acme): created" in message for _, message in logs))
        self.assert_no_spec_violations()
        self.assert_key_not_leaked(job_result, logs)

    def test_dry_run_sends_no_write_and_reports_the_plan(self):
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "all"}, dryrun=True)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["dryrun"], True)
        self.assertEqual(self.outcomes(result), {"100": "created", "200": "created", "300": "created"})
        self.assertTrue(all(o["message"].startswith("dry run: would create") for o in result["organizations"]))
        self.assertEqual(self.fake.writes, [])
        self.assertNotIn("jane@example.com", [a["email"] for a in self.fake.admins("100")])

    def test_second_run_is_unchanged_and_sends_no_write(self):
        self.run_job("CreateUsers", **JANE, dryrun=False)
        writes_before = len(self.fake.writes)
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "user_email": "JANE@Example.com"}, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"unchanged": 1})
        self.assertEqual(len(self.fake.writes), writes_before)

    def test_existing_admin_with_other_access_is_a_conflict_pointing_to_update(self):
        job_result, result, _ = self.run_job(
            "CreateUsers", user_email="alice@example.com", user_name="Alice", meraki_org_id="100,200",
            meraki_access_level="read-only", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "conflict", "200": "created"})
        conflict = result["organizations"][0]["message"]
        self.assertIn("org access full", conflict)
        self.assertIn("Update Meraki User", conflict)
        self.assertEqual([w.method for w in self.fake.writes], ["POST"])

    def test_several_organizations_and_all_keep_the_dashboard_order(self):
        _, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "300, 100"}, dryrun=False)
        self.assertEqual([o["organization_id"] for o in result["organizations"]], ["300", "100"])
        _, result, _ = self.run_job("CreateUsers", **{**JANE, "user_email": "joe@example.com", "meraki_org_id": "all"})
        self.assertEqual(self.outcomes(result), {"100": "created", "200": "created", "300": "created"})

    def test_allow_list_limits_all_and_refuses_other_ids_before_any_request(self):
        self.set_config(allowed_organization_ids=["100", "300"])
        _, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "all"}, dryrun=True)
        self.assertEqual(list(self.outcomes(result)), ["100", "300"])
        self.fake.clear_records()
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "200"}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertIn("meraki_org_id: organization 200 is not allowed", result["errors"][0])
        self.assertEqual(self.fake.requests, [])


class CreateUsersValidationTest(MerakiJobTestCase):
    def assert_rejected(self, data, field, fragment, requests_allowed=False):
        job_result, result, logs = self.run_job("CreateUsers", **{**JANE, **data, "dryrun": False})
        self.assertEqual(job_result.status, FAILURE, result)
        self.assertTrue(
            any(error.startswith(f"{field}: ") and fragment in error for error in result["errors"]), result["errors"]
        )
        self.assertEqual(self.fake.writes, [])
        if not requests_allowed:
            self.assertEqual(self.fake.requests, [])
        self.assertTrue(any(level == "error" and message.startswith(f"{field}: ") for level, message in logs))

    def test_bad_email(self):
        self.assert_rejected({"user_email": "jane.example.com"}, "user_email", "not a valid email address")

    def test_email_policy_regex(self):
        self.set_config(email_regex=r".*@corp\.example")
        self.assert_rejected({}, "user_email", "does not match the organisation's email policy")

    def test_missing_name(self):
        self.assert_rejected({"user_name": ""}, "user_name", "is required")

    def test_bad_access_values(self):
        self.assert_rejected({"meraki_access_level": "admin"}, "meraki_access_level", "Use one of: full")
        self.assert_rejected({"meraki_tag_access": "owner"}, "meraki_tag_access", "guest-ambassador")

    def test_empty_organization(self):
        self.assert_rejected({"meraki_org_id": " "}, "meraki_org_id", "is empty")

    def test_unknown_organization_changes_nothing(self):
        self.assert_rejected({"meraki_org_id": "100,999"}, "meraki_org_id", "999 does not exist", requests_allowed=True)

    def test_unknown_network_or_tag_in_one_organization_changes_nothing_anywhere(self):
        # HQ exists in 100 and 200; Initech (300) has no networks: nothing may be created in 100 or 200 either.
        self.assert_rejected(
            {"meraki_org_id": "100,200,300", "meraki_network": "HQ"}, "meraki_network", "organization 300",
            requests_allowed=True,
        )  # fmt: skip
        self.assert_rejected(
            {"meraki_org_id": "100", "meraki_tags": "North"}, "meraki_tags", "'North'", requests_allowed=True
        )


class CreateUsersFaultTest(MerakiJobTestCase):
    def test_meraki_4xx_fails_that_organization_and_the_others_go_on(self):
        self.fake.fail_next("POST", "/organizations/100/admins", status=400, body={"errors": ["Name is too long"]})
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "100,200"}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "failed", "200": "created"})
        self.assertIn("Name is too long", result["organizations"][0]["message"])
        self.assertEqual(result["counts"], {"failed": 1, "created": 1})

    def test_429_with_retry_after_is_honoured_then_succeeds(self):
        self.fake.fail_next("POST", "/organizations/100/admins", status=429, headers={"Retry-After": "2"})
        job_result, result, _ = self.run_job("CreateUsers", **JANE, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"created": 1})
        self.assertEqual(self.waits, [2])

    def test_fractional_retry_after_is_rounded_up_not_a_crash(self):
        self.fake.fail_next("GET", "/organizations", status=429, headers={"Retry-After": "0.2"})
        job_result, _, _ = self.run_job("CreateUsers", **JANE, dryrun=True)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(self.waits, [1])

    def test_5xx_after_all_retries_is_a_clear_failure(self):
        self.fake.fail_next("POST", "/organizations/200/admins", status=503, times=3)
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "100,200"}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "created", "200": "failed"})
        self.assertIn("Meraki answered 503", result["organizations"][1]["message"])
        self.assertIn("after 3 attempts", result["organizations"][1]["message"])

    def test_timeout_and_refused_connection(self):
        self.fake.fail_next("POST", "/organizations/100/admins", exception=httpx.ReadTimeout, times=3)
        self.fake.fail_next("GET", "/organizations/200/admins", exception=httpx.ConnectError, times=3)
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "100,200"}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        messages = {o["organization_id"]: o["message"] for o in result["organizations"]}
        self.assertIn("no answer from api.meraki.com within 5 s", messages["100"])
        self.assertIn("could not connect to api.meraki.com", messages["200"])

    def test_lost_reply_to_a_create_is_confirmed_by_re_reading(self):
        # The POST lands but its reply is lost; the SDK retries and Meraki answers "Email has already been taken".
        self.fake.fail_next("POST", "/organizations/100/admins", exception=httpx.ReadTimeout, after=True)
        job_result, result, _ = self.run_job("CreateUsers", **JANE, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"created": 1})
        self.assertIn("confirmed by re-reading", result["organizations"][0]["message"])

    def test_missing_api_key_fails_each_named_organization_clearly(self):
        self.set_config(api_key=None)
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "meraki_org_id": "100,200"}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(self.outcomes(result), {"100": "failed", "200": "failed"})
        self.assertIn("api_key: no Meraki API key is configured", result["organizations"][0]["message"])
        self.assertEqual(self.fake.requests, [])

    def test_wrong_api_key_is_reported_without_the_key(self):
        wrong = "0000000000000000000000000000000000000bad"
        self.set_config(api_key=wrong)
        job_result, result, logs = self.run_job("CreateUsers", **JANE, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertIn("Meraki rejected the API key (401 Unauthorized)", result["errors"][0])
        self.assertNotIn(wrong, str(result) + str(logs) + str(job_result.traceback))

    def test_key_from_a_secrets_group(self):
        secret = Secret.objects.create(
            name="meraki", provider="environment-variable", parameters={"variable": "TEST_MERAKI_KEY"}
        )
        group = SecretsGroup.objects.create(name="Meraki API")
        SecretsGroupAssociation.objects.create(
            secrets_group=group, secret=secret, access_type=Access.TYPE_HTTP, secret_type=SecretType.TYPE_TOKEN
        )
        self.set_config(api_key="wrong-key-that-must-not-be-used", api_key_secrets_group="Meraki API")
        with self.settings():
            import os

            os.environ["TEST_MERAKI_KEY"] = API_KEY
            self.addCleanup(os.environ.pop, "TEST_MERAKI_KEY", None)
            job_result, result, logs = self.run_job("CreateUsers", **JANE, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"created": 1})
        self.assert_key_not_leaked(job_result, logs)
