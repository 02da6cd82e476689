"""Several Dashboard connections (ExternalIntegrations named in `dashboards`), against two stand-in accounts.

Account A ("Meraki A") sees Acme (100) and Globex (200); account B ("Meraki B") sees Globex (200) and Umbrella (300).
Globex is seen by both and must be worked on once, through A (the first in the setting's order).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from job_helpers import BASE_URL, JobTestCase, MerakiJobTestCase, post_job_run
from meraki_standin import FakeDashboard
from nautobot.extras.choices import (
    JobResultStatusChoices,
    SecretsGroupAccessTypeChoices,
    SecretsGroupSecretTypeChoices,
)
from nautobot.extras.models import ExternalIntegration, FileProxy, Job, Secret, SecretsGroup, SecretsGroupAssociation
from nautobot.users.models import Token, User
from rest_framework.test import APIClient

from nautobot_meraki_users.jobs import DeleteUsers
from nautobot_meraki_users.models import MerakiAdministrator, MerakiOrganization
from nautobot_meraki_users.settings import load_settings

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
KEY_A = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"  # made-up keys of the two stand-in accounts
KEY_B = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
WRONG_KEY = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
A, B = "Meraki A", "Meraki B"
LEAVER = "leaver@example.com"


def make_integration(name: str, variable: str | None) -> ExternalIntegration:
    """An ExternalIntegration to the stand-in whose SecretsGroup reads the key from `variable` (None: no group)."""
    group = None
    if variable is not None:
        secret = Secret.objects.create(
            name=f"{name} key", provider="environment-variable", parameters={"variable": variable}
        )
        group = SecretsGroup.objects.create(name=f"{name} secrets")
        SecretsGroupAssociation.objects.create(
            secrets_group=group,
            secret=secret,
            access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP,
            secret_type=SecretsGroupSecretTypeChoices.TYPE_TOKEN,
        )
    return ExternalIntegration.objects.create(name=name, remote_url=BASE_URL, secrets_group=group, timeout=5)


class TwoAccountsTestCase(MerakiJobTestCase):
    """Two stand-in accounts behind two ExternalIntegrations; the leaver is an admin in every organization."""

    def setUp(self):
        JobTestCase.setUp(self)  # not MerakiJobTestCase's one-account fake: this one has two accounts
        self.waits: list[float] = []
        pause = mock.patch("nautobot_meraki_users.dashboard.client.pause", self.waits.append)
        pause.start()
        self.addCleanup(pause.stop)
        self.fake = FakeDashboard(api_key=KEY_A)
        self.fake.add_account("second", KEY_B)
        self.fake.add_organization("100", "Acme")
        self.fake.add_network("100", "N_100_1", "HQ", tags=["west"])
        self.fake.add_organization("200", "Globex", accounts=("default", "second"))
        self.fake.add_network("200", "N_200_1", "HQ", tags=["west"])
        self.fake.add_organization("300", "Umbrella", accounts=("second",))
        self.fake.add_network("300", "N_300_1", "Lab", tags=["lab"])
        for org_id in ("100", "200", "300"):
            self.fake.add_admin(org_id, LEAVER, "Leaver", org_access="read-only")
            self.fake.add_admin(org_id, f"owner{org_id}@example.com", "Owner", org_access="full")
        router = self.fake.mock(BASE_URL)
        router.start()
        self.addCleanup(router.stop)
        environment = mock.patch.dict(os.environ, {"TEST_MERAKI_KEY_A": KEY_A, "TEST_MERAKI_KEY_B": KEY_B})
        environment.start()
        self.addCleanup(environment.stop)
        self.integration_a = make_integration(A, "TEST_MERAKI_KEY_A")
        self.integration_b = make_integration(B, "TEST_MERAKI_KEY_B")
        self.set_config(dashboards=[A, B], api_key=None)

    def by_org(self, result) -> dict[str, dict]:
        return {entry["organization_id"]: entry for entry in result["organizations"]}

    def writes_into(self, org_id: str) -> list:
        return [r for r in self.fake.writes if r.path.startswith(f"/organizations/{org_id}/")]

    def assert_keys_not_leaked(self, job_result, logs):
        text = json.dumps([job_result.result, job_result.task_kwargs, job_result.traceback, logs], default=str)
        for key in (KEY_A, KEY_B, WRONG_KEY):
            self.assertNotIn(key, text)


class AllAcrossConnectionsTest(TwoAccountsTestCase):
    def test_all_offboards_through_both_connections_and_the_shared_organization_once(self):
        job_result, result, logs = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        orgs = self.by_org(result)
        self.assertEqual(
            {k: v["outcome"] for k, v in orgs.items()}, {"100": "removed", "200": "removed", "300": "removed"}
        )
        self.assertEqual({k: v["dashboard"] for k, v in orgs.items()}, {"100": A, "200": A, "300": B})
        self.assertEqual(orgs["200"]["also_seen_by"], [B])
        self.assertNotIn("also_seen_by", orgs["100"])
        self.assertEqual([(r.method, r.account) for r in self.writes_into("200")], [("DELETE", "default")])
        self.assertEqual([r.account for r in self.writes_into("300")], ["second"])
        self.assertEqual(
            [r.account for r in self.fake.requests if r.path.startswith("/organizations/200/")], ["default", "default"]
        )
        for org_id in ("100", "200", "300"):
            self.assertIsNone(next((a for a in self.fake.admins(org_id) if a["email"] == LEAVER), None))
        lines = [html.unescape(message) for _, message in logs]
        self.assertTrue(any("300 (Umbrella) via dashboard Meraki B: removed" in line for line in lines), lines)
        self.assertTrue(any("also seen by Meraki B: worked on once, through Meraki A" in line for line in lines))
        self.assert_keys_not_leaked(job_result, logs)
        self.assert_no_spec_violations()

    def test_a_dry_run_across_both_connections_writes_nothing(self):
        job_result, result, _ = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="all", dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"removed": 3})
        self.assertEqual(self.fake.writes, [])

    def test_the_dashboard_input_narrows_to_one_connection(self):
        job_result, result, _ = self.run_job(
            "DeleteUsers", user_email=LEAVER, meraki_org_id="all", dashboard=B, dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        orgs = self.by_org(result)
        self.assertEqual(set(orgs), {"200", "300"})
        self.assertEqual({v["dashboard"] for v in orgs.values()}, {B})
        self.assertNotIn("also_seen_by", orgs["200"])  # A was not selected: B alone works on Globex
        self.assertEqual({r.account for r in self.fake.requests}, {"second"})
        self.assertIsNotNone(next((a for a in self.fake.admins("100") if a["email"] == LEAVER), None))

    def test_an_unknown_dashboard_name_is_an_input_error(self):
        job_result, result, _ = self.run_job(
            "DeleteUsers", user_email=LEAVER, meraki_org_id="all", dashboard="Meraki C", dryrun=False
        )
        self.assertEqual(job_result.status, FAILURE)
        [error] = result["errors"]
        self.assertTrue(error.startswith("dashboard: 'Meraki C' is not a configured Dashboard connection"), error)
        self.assertIn("'Meraki A', 'Meraki B'", error)
        self.assertEqual(self.fake.requests, [])

    def test_create_by_id_goes_through_the_connection_that_sees_the_organization(self):
        job_result, result, _ = self.run_job(
            "CreateUsers", user_email="jane@example.com", user_name="Jane", meraki_org_id="300,100",
            meraki_network="Lab,HQ", dryrun=False,
        )  # fmt: skip
        self.assertEqual(job_result.status, FAILURE, result)  # "Lab" is only in 300, "HQ" only in 100
        self.assertEqual(self.fake.writes, [])
        job_result, result, _ = self.run_job(
            "CreateUsers", user_email="jane@example.com", user_name="Jane", meraki_org_id="300,100", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(
            [(e["organization_id"], e["dashboard"]) for e in result["organizations"]], [("300", B), ("100", A)]
        )
        self.assertEqual(
            sorted((r.path, r.account) for r in self.fake.writes),
            [("/organizations/100/admins", "default"), ("/organizations/300/admins", "second")],
        )


class SharedRateBudgetTest(TwoAccountsTestCase):
    def test_every_connection_spends_from_one_rate_budget(self):
        """One per-IP budget for all connections (they leave from one Nautobot); per organization whatever the key."""
        job = DeleteUsers()
        with job.open_dashboards(load_settings(), {}) as dashboards:
            limiters = {id(client._transport._limiter) for client in dashboards.clients}
            self.assertEqual([client.name for client in dashboards.clients], [A, B])
        self.assertEqual(len(limiters), 1)


class FailedConnectionTest(TwoAccountsTestCase):
    def test_a_rejected_key_fails_only_its_own_organizations(self):
        self.run_job("SyncInventory", dryrun=False)  # the inventory learns that Umbrella is B's
        os.environ["TEST_MERAKI_KEY_B"] = WRONG_KEY
        job_result, result, logs = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        orgs = self.by_org(result)
        self.assertEqual(
            {k: v["outcome"] for k, v in orgs.items()}, {"100": "removed", "200": "removed", "300": "failed"}
        )
        self.assertIn("dashboard Meraki B: Meraki rejected the API key (401 Unauthorized)", orgs["300"]["message"])
        self.assertIn("ExternalIntegration 'Meraki B'", orgs["300"]["message"])
        self.assertEqual(list(result["failed_dashboards"]), [B])
        self.assertEqual(self.writes_into("300"), [])
        self.assertTrue(any("Meraki B" in message and level == "error" for level, message in logs))
        self.assert_keys_not_leaked(job_result, logs)

    def test_a_connection_without_a_key_fails_with_a_message_naming_it_and_the_others_run(self):
        self.integration_b.secrets_group = None
        self.integration_b.validated_save()
        job_result, result, _ = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(result["counts"], {"removed": 2})
        self.assertIn(
            "dashboard Meraki B: ExternalIntegration 'Meraki B' has no SecretsGroup", result["failed_dashboards"][B]
        )
        self.assertEqual({r.account for r in self.fake.requests}, {"default"})

    def test_a_named_organization_no_working_connection_sees_fails_and_the_others_run(self):
        ExternalIntegration.objects.filter(name=B).delete()
        job_result, result, _ = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="100,300", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        orgs = self.by_org(result)
        self.assertEqual(orgs["100"]["outcome"], "removed")
        self.assertEqual(orgs["300"]["outcome"], "failed")
        self.assertIn("there is no ExternalIntegration named 'Meraki B'", orgs["300"]["message"])

    def test_when_every_connection_fails_the_job_fails_before_any_request(self):
        os.environ["TEST_MERAKI_KEY_A"] = WRONG_KEY
        os.environ["TEST_MERAKI_KEY_B"] = WRONG_KEY
        job_result, result, _ = self.run_job("DeleteUsers", user_email=LEAVER, meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        [error] = result["errors"]
        self.assertIn("dashboard Meraki A: Meraki rejected the API key", error)
        self.assertIn("dashboard Meraki B: Meraki rejected the API key", error)
        self.assertEqual(self.fake.writes, [])


class ListImportAndSyncTest(TwoAccountsTestCase):
    def file_rows(self, job_result) -> list[dict]:
        [proxy] = FileProxy.objects.filter(job_result=job_result)
        return list(csv.DictReader(io.StringIO(proxy.file.read().decode())))

    def test_list_rows_and_csv_name_the_connection(self):
        job_result, rows, _ = self.run_job("ListUsers", meraki_org_id="all", user_email=LEAVER)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(
            sorted((r["organization_id"], r["dashboard"]) for r in rows), [("100", A), ("200", A), ("300", B)]
        )
        self.assertEqual(
            sorted((r["organization_id"], r["dashboard"]) for r in self.file_rows(job_result)),
            [("100", A), ("200", A), ("300", B)],
        )

    def test_import_result_csv_names_the_connection(self):
        content = f"action,user_email,meraki_org_id\ndelete,{LEAVER},all\n".encode()
        upload = FileProxy.objects.create(name="offboard.csv", file=SimpleUploadedFile("offboard.csv", content))
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(sorted((r["organization_id"], r["dashboard"]) for r in self.file_rows(job_result)), [
            ("100", A), ("200", A), ("300", B),
        ])  # fmt: skip
        self.assertEqual(len(self.writes_into("200")), 1)

    def test_sync_records_the_connection_and_keeps_a_failed_connections_organizations(self):
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(
            dict(MerakiOrganization.objects.values_list("organization_id", "dashboard")),
            {"100": A, "200": A, "300": B},
        )
        self.assertEqual(MerakiAdministrator.objects.filter(organization__dashboard=B).count(), 2)

        os.environ["TEST_MERAKI_KEY_B"] = WRONG_KEY  # B fails: Umbrella's rows stay
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertIn("300", result["failed_organizations"])
        self.assertIn(B, result["failed_dashboards"])
        self.assertEqual(MerakiAdministrator.objects.filter(organization__organization_id="300").count(), 2)

        os.environ["TEST_MERAKI_KEY_B"] = KEY_B
        self.fake.revoke("300", "second")  # no connection sees Umbrella any more: the sync removes it
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertFalse(MerakiOrganization.objects.filter(organization_id="300").exists())

    def test_a_sync_of_one_connection_leaves_the_others_organizations_alone(self):
        self.run_job("SyncInventory", dryrun=False)
        self.fake.revoke("200", "second")
        job_result, result, _ = self.run_job("SyncInventory", dashboard=B, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(
            set(MerakiOrganization.objects.values_list("organization_id", flat=True)), {"100", "200", "300"}
        )

    def test_a_sync_of_the_second_connection_keeps_a_shared_organization_with_the_first(self):
        self.run_job("SyncInventory", dryrun=False)
        job_result, result, _ = self.run_job("SyncInventory", dashboard=B, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(MerakiOrganization.objects.get(organization_id="200").dashboard, A)  # A comes first
        self.assertNotIn("organizations_updated", result["counts"])

    def test_the_inventory_filters_by_connection(self):
        self.run_job("SyncInventory", dryrun=False)
        user = User.objects.create(username="viewer", is_superuser=True)
        token = Token.objects.create(user=user)
        client = APIClient()
        answers = {}
        for name, kind in (("merakiorganization", "organization_id"), ("merakiadministrator", "email")):
            url = reverse(f"plugins-api:nautobot_meraki_users-api:{name}-list")
            response = client.get(url, {"dashboard": B}, HTTP_AUTHORIZATION=f"Token {token.key}")
            self.assertEqual(response.status_code, 200, response.content)
            answers[name] = sorted(row[kind] for row in response.json()["results"])
        self.assertEqual(answers["merakiorganization"], ["300"])
        self.assertEqual(answers["merakiadministrator"], [LEAVER, "owner300@example.com"])
        self.client.force_login(user)
        url = reverse("plugins:nautobot_meraki_users:merakiorganization_list")
        page = self.client.get(url, {"dashboard": A}, headers={"HX-Request": "true"})  # the table, as htmx loads it
        self.assertEqual(page.status_code, 200)
        body = page.content.decode()
        self.assertIn("Globex", body, "the list filtered by connection shows its organizations")
        self.assertNotIn("Umbrella", body, "and not the other connection's")


class FormPathTest(TwoAccountsTestCase):
    def setUp(self):
        super().setUp()
        self.user = User.objects.create(username="form-user", is_superuser=True, is_staff=True)
        self.token = Token.objects.create(user=self.user)
        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)

    def post_run(self, class_name: str, data: dict):
        return post_job_run(self.token.key, class_name, data)

    def test_rest_refuses_an_unknown_connection_naming_the_field(self):
        response = self.post_run("DeleteUsers", {"user_email": LEAVER, "meraki_org_id": "all", "dashboard": "Nope"})
        self.assertEqual(response.status_code, 400, response.content)
        [message] = response.json()["errors"]["dashboard"]
        self.assertIn("'Nope' is not a configured Dashboard connection", message)

    def test_rest_refuses_when_no_selected_connection_has_a_key(self):
        self.integration_b.secrets_group = None
        self.integration_b.validated_save()
        response = self.post_run("SyncInventory", {"dashboard": B})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("ExternalIntegration 'Meraki B' has no SecretsGroup", json.dumps(response.json()))
        self.assertEqual(self.fake.requests, [])

    def test_the_jobs_ui_offers_the_configured_connections_and_refuses_an_unknown_one(self):
        self.client.force_login(self.user)
        job = Job.objects.get(module_name="nautobot_meraki_users.jobs", job_class_name="DeleteUsers")
        url = reverse("extras:job_run", kwargs={"pk": job.pk})
        page = self.client.get(url).content.decode()
        select = page[page.index('<select name="dashboard"') :]
        select = select[: select.index("</select>")]
        self.assertEqual(re.findall(r'<option value="([^"]*)"', select), ["", A, B])
        self.assertIn("Every configured connection", select)
        form = {"user_email": LEAVER, "meraki_org_id": "all", "dashboard": "Nope", "_schedule_type": "immediately"}
        answer = self.client.post(url, form).content.decode()
        self.assertIn("is not a configured Dashboard connection", html.unescape(answer))
        self.assertEqual(self.fake.requests, [])
