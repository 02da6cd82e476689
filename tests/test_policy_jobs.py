"""The access policy's jobs (Check Meraki Access Drift, Enforce Meraki Access Policy, Adopt Current Meraki Access)
run as a worker runs them, against the stand-in Dashboard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest import mock

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from job_helpers import MerakiJobTestCase, run_through_rest
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy
from nautobot.users.models import Token, User
from rest_framework.test import APIClient

from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiAdministrator,
    MerakiOrganization,
    MerakiSamlRole,
)

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE
KEY_OWNER = "api-owner@default.example"  # the stand-in's default key owner


class PolicyJobTestCase(MerakiJobTestCase):
    """Seed: Acme (100) alice full, bob read-only; Globex (200) carol full, dave read-only; Initech (300) gina."""

    def setUp(self):
        super().setUp()
        self.fake.add_admin("100", "bob@example.com", "Bob", org_access="read-only")
        self.fake.add_admin("200", "carol@example.com", "Carol", org_access="full")
        self.fake.add_admin("200", "dave@example.com", "Dave", org_access="read-only")
        self.fake.add_admin("300", "gina@example.com", "Gina", org_access="full")
        self.run_job("SyncInventory", dryrun=False)
        self.fake.clear_records()
        self.orgs = {org.organization_id: org for org in MerakiOrganization.objects.all()}
        self.full = AccessProfile.objects.create(name="Full", org_access="full")
        self.noc = AccessProfile.objects.create(name="NOC", org_access="read-only")
        self.west = AccessProfile.objects.create(
            name="West", org_access="none", tag_privileges=[{"tag": "west", "access": "full"}]
        )
        self.lab = AccessProfile.objects.create(
            name="Lab", org_access="none", network_privileges=[{"network": "Lab", "access": "full"}]
        )

    def grant(self, email, profile, org_ids=(), expires=None, name=""):
        grant = AccessGrant.objects.create(
            email=email, name=name, profile=profile, all_organizations=not org_ids, expires=expires, reason="test"
        )
        grant.organizations.set([self.orgs[org_id] for org_id in org_ids])
        return grant

    def exempt(self, email, org_ids=()):
        exemption = AccessExemption.objects.create(email=email, all_organizations=not org_ids, reason="break-glass")
        exemption.organizations.set([self.orgs[org_id] for org_id in org_ids])
        return exemption

    def drift_policy(self):
        """alice compliant, bob different, carol expired, frank unresolved, dave unmanaged, erin missing, gina exempt"""
        yesterday = timezone.localdate() - timedelta(days=1)
        self.grants = {
            "alice": self.grant("alice@example.com", self.full, ["100"]),
            "bob": self.grant("bob@example.com", self.west, ["100"]),
            "carol": self.grant("carol@example.com", self.full, ["200"], expires=yesterday),
            "frank": self.grant("frank@example.com", self.lab, ["200"]),
            "erin": self.grant("erin@example.com", self.noc, ["300"], name="Erin"),
        }
        self.exempt("gina@example.com")

    def admin(self, org_id: str, email: str) -> dict | None:
        """The stand-in's admin with this email in the organization, or None."""
        return next((a for a in self.fake.admins(org_id) if a["email"] == email), None)

    @staticmethod
    def findings(result) -> dict[tuple[str, str], dict]:
        return {
            (org["organization_id"], finding["email"]): finding
            for org in result["organizations"]
            for finding in org["findings"]
        }

    @staticmethod
    def changes(result) -> dict[tuple[str, str], dict]:
        return {(change["organization_id"], change["email"]): change for change in result["changes"]}

    def file_rows(self, job_result) -> list[dict]:
        [proxy] = FileProxy.objects.filter(job_result=job_result)
        return list(csv.DictReader(io.StringIO(proxy.file.read().decode())))


class CheckAccessDriftTest(PolicyJobTestCase):
    def test_each_finding_kind_is_reported_stored_and_written_to_the_csv(self):
        self.drift_policy()
        job_result, result, logs = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS, result)
        found = self.findings(result)
        self.assertEqual({key: f["finding"] for key, f in found.items()}, {
            ("100", "bob@example.com"): "different",
            ("200", "carol@example.com"): "expired",
            ("200", "frank@example.com"): "unresolved",
            ("200", "dave@example.com"): "unmanaged",
            ("300", "erin@example.com"): "missing",
        })  # fmt: skip
        bob = found[("100", "bob@example.com")]
        self.assertEqual((bob["expected"], bob["actual"]), ("org access none, tags west=full", "org access read-only"))
        self.assertEqual(bob["grant"], str(self.grants["bob"].pk))
        self.assertIn("no network 'Lab'", found[("200", "frank@example.com")]["message"])
        self.assertEqual(found[("300", "erin@example.com")]["expected"], "org access read-only")
        self.assertEqual(
            result["counts"], {"missing": 1, "different": 1, "unmanaged": 1, "expired": 1, "unresolved": 1}
        )
        self.assertEqual(self.fake.writes, [])
        stored = {(f.organization.organization_id, f.email, f.finding) for f in AccessFinding.objects.all()}
        self.assertEqual(stored, {(k[0], k[1], f["finding"]) for k, f in found.items()})
        self.assertEqual(AccessFinding.objects.get(email="bob@example.com").grant, self.grants["bob"])
        rows = self.file_rows(job_result)
        self.assertEqual(len(rows), 5)
        self.assertIn({"organization_id": "300", "organization_name": "Initech", "email": "erin@example.com",
                       "saml_role": "", "finding": "missing", "expected": "org access read-only", "actual": "no access",
                       "grant": str(self.grants["erin"].pk), "message": "granted, not there"}, rows)  # fmt: skip
        self.assertTrue(any("200 (Globex): unmanaged" in message for _, message in logs), logs)
        self.assert_no_spec_violations()

    def test_the_check_reads_one_admins_list_per_organization_and_networks_only_where_a_grant_names_them(self):
        self.drift_policy()
        self.run_job("CheckAccessDrift", meraki_org_id="all")
        paths = [request.path for request in self.fake.requests if request.method == "GET"]
        self.assertEqual(sorted(p for p in paths if p.endswith("/admins")), [
            "/organizations/100/admins", "/organizations/200/admins", "/organizations/300/admins",
        ])  # fmt: skip
        # bob's profile names a tag in Acme, frank's a network in Globex; Initech's grant names neither.
        self.assertEqual(sorted(p for p in paths if p.endswith("/networks")), [
            "/organizations/100/networks", "/organizations/200/networks",
        ])  # fmt: skip

    def test_a_new_check_replaces_the_findings_of_the_organizations_it_read(self):
        self.drift_policy()
        self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.fake.add_admin("300", "erin@example.com", "Erin", org_access="read-only")
        _, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="300")
        self.assertEqual(result["counts"]["missing"], 0)
        self.assertFalse(AccessFinding.objects.filter(organization__organization_id="300").exists())
        self.assertEqual(AccessFinding.objects.filter(organization__organization_id="200").count(), 3)

    def test_one_person_only(self):
        self.drift_policy()
        _, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="all", user_email="Dave@Example.com")
        self.assertEqual(list(self.findings(result)), [("200", "dave@example.com")])

    def test_fail_on_drift_makes_any_finding_a_failure(self):
        self.drift_policy()
        job_result, result, logs = self.run_job("CheckAccessDrift", meraki_org_id="all", fail_on_drift=True)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(result["counts"]["missing"], 1)
        self.assertTrue(any("5 finding(s) (fail_on_drift is on)" in message for _, message in logs), logs)

    def test_an_organization_that_cannot_be_read_fails_the_job_and_the_others_are_still_reported(self):
        self.drift_policy()
        self.fake.fail_next("GET", "/organizations/200/admins", status=403, times=10)
        job_result, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(job_result.status, FAILURE)
        by_org = {org["organization_id"]: org for org in result["organizations"]}
        self.assertIn("reading organization 200 failed", by_org["200"]["error"])
        self.assertEqual([f["finding"] for f in by_org["300"]["findings"]], ["missing"])
        self.assertEqual(AccessFinding.objects.filter(organization__organization_id="300").count(), 1)

    def test_exempt_people_are_never_reported_as_unmanaged(self):
        self.exempt("dave@example.com", ["200"])
        _, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="200")
        self.assertNotIn(("200", "dave@example.com"), self.findings(result))
        self.assertIn(("200", "carol@example.com"), self.findings(result))

    def test_bad_input_is_refused_before_any_request(self):
        job_result, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="all", user_email="not-an-email")
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(any(error.startswith("user_email") for error in result["errors"]), result)
        self.assertEqual(self.fake.requests, [])


class EnforceAccessPolicyTest(PolicyJobTestCase):
    def test_a_dry_run_reports_every_change_and_sends_no_write(self):
        self.drift_policy()
        job_result, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="all", dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertTrue(result["dryrun"])
        changes = self.changes(result)
        self.assertEqual({key: c["action"] for key, c in changes.items()}, {
            ("100", "alice@example.com"): "unchanged",
            ("100", "bob@example.com"): "updated",
            ("200", "carol@example.com"): "skipped",  # the last full admin of Globex
            ("200", "frank@example.com"): "skipped",  # unresolved
            ("200", "dave@example.com"): "skipped",  # unmanaged, remove_unmanaged off
            ("300", "erin@example.com"): "created",
        })  # fmt: skip
        self.assertIn("dry run: would create erin@example.com", changes[("300", "erin@example.com")]["message"])
        self.assertIn("last admin with full org access", changes[("200", "carol@example.com")]["message"])
        self.assertEqual(self.fake.writes, [])

    def test_enforce_then_check_finds_nothing(self):
        self.drift_policy()
        self.grants["frank"].delete()
        self.grant("henry@example.com", self.full, ["200"])  # a second full admin: carol's expired access can go
        self.fake.add_admin("200", "henry@example.com", "Henry", org_access="full")
        job_result, result, _ = self.run_job(
            "EnforceAccessPolicy", meraki_org_id="all", remove_unmanaged=True, dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        changes = self.changes(result)
        self.assertEqual(changes[("200", "carol@example.com")]["action"], "removed")
        self.assertEqual(changes[("200", "dave@example.com")]["action"], "removed")
        self.assertEqual(changes[("300", "erin@example.com")]["action"], "created")
        self.assertTrue(changes[("300", "erin@example.com")]["admin_id"])
        self.assertEqual(result["counts"], {"unchanged": 2, "updated": 1, "removed": 2, "created": 1})
        self.assertEqual(len(self.fake.writes), 4)
        self.assertEqual(self.admin("300", "erin@example.com")["name"], "Erin")
        # The inventory is kept current.
        self.assertFalse(MerakiAdministrator.objects.filter(email="dave@example.com").exists())
        self.assertTrue(MerakiAdministrator.objects.filter(email="erin@example.com").exists())
        _, check, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(sum(check["counts"].values()), 0, check)
        self.assert_no_spec_violations()

    def test_the_key_owner_is_never_removed_in_a_real_run_or_a_dry_run(self):
        self.fake.add_admin("100", KEY_OWNER, "Key owner", org_access="full")
        self.grant("alice@example.com", self.full, ["100"])
        self.grant("bob@example.com", self.noc, ["100"])
        for dryrun in (True, False):
            _, result, _ = self.run_job(
                "EnforceAccessPolicy", meraki_org_id="100", remove_unmanaged=True, dryrun=dryrun
            )
            owner = self.changes(result)[("100", KEY_OWNER)]
            self.assertEqual(owner["action"], "skipped")
            self.assertIn("owns the API key in use", owner["message"])
        self.assertIsNotNone(self.admin("100", KEY_OWNER))
        self.assertEqual(self.fake.writes, [])

    def test_the_key_owner_is_never_downgraded(self):
        self.fake.add_admin("100", KEY_OWNER, "Key owner", org_access="full")
        self.grant(KEY_OWNER, self.noc, ["100"])
        _, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="100", dryrun=False)
        self.assertEqual(self.changes(result)[("100", KEY_OWNER)]["action"], "skipped")
        self.assertEqual(self.admin("100", KEY_OWNER)["orgAccess"], "full")

    def test_the_last_full_admin_is_never_removed_or_downgraded(self):
        self.grant("carol@example.com", self.noc, ["200"])  # would downgrade Globex's only full admin
        for dryrun in (True, False):
            _, result, _ = self.run_job(
                "EnforceAccessPolicy", meraki_org_id="200", remove_unmanaged=True, dryrun=dryrun
            )
            carol = self.changes(result)[("200", "carol@example.com")]
            self.assertEqual(carol["action"], "skipped", result)
            self.assertIn("last admin with full org access", carol["message"])
        self.assertEqual(self.admin("200", "carol@example.com")["orgAccess"], "full")

    def test_an_exempt_person_is_never_changed(self):
        yesterday = timezone.localdate() - timedelta(days=1)
        self.grant("gina@example.com", self.noc, ["300"], expires=yesterday)
        self.fake.add_admin("300", "ivan@example.com", "Ivan", org_access="full")
        self.exempt("gina@example.com", ["300"])
        for dryrun in (True, False):
            _, result, _ = self.run_job(
                "EnforceAccessPolicy", meraki_org_id="300", remove_unmanaged=True, dryrun=dryrun
            )
            gina = self.changes(result)[("300", "gina@example.com")]
            self.assertEqual(gina["action"], "skipped", result)
            self.assertIn("exempt", gina["message"])
        self.assertIsNotNone(self.admin("300", "gina@example.com"))

    def test_expired_access_is_removed(self):
        yesterday = timezone.localdate() - timedelta(days=1)
        self.grant("dave@example.com", self.noc, ["200"], expires=yesterday)
        _, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="200", dryrun=False)
        self.assertEqual(self.changes(result)[("200", "dave@example.com")]["action"], "removed")
        self.assertIsNone(self.admin("200", "dave@example.com"))


class AdoptAccessPolicyTest(PolicyJobTestCase):
    def test_adopt_then_check_finds_nothing(self):
        AccessProfile.objects.all().delete()
        self.fake.add_admin("200", "olga@example.com", "Olga", org_access="none",
                            tags=[{"tag": "west", "access": "read-only"}])  # fmt: skip
        job_result, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=True)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(AccessGrant.objects.count(), 0)
        self.assertEqual(result["counts"], {"profiles": 3, "grants": 6})
        job_result, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(AccessGrant.objects.count(), 6)
        full = AccessProfile.objects.get(name="Adopted: org full")
        self.assertEqual(sorted(g.email for g in full.grants.all()), [
            "alice@example.com", "carol@example.com", "gina@example.com",
        ])  # fmt: skip
        olga = AccessGrant.objects.get(email="olga@example.com")
        self.assertEqual(olga.profile.tag_privileges, [{"tag": "west", "access": "read-only"}])
        self.assertEqual([o.organization_id for o in olga.organizations.all()], ["200"])
        self.assertEqual(self.fake.writes, [])
        _, check, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(sum(check["counts"].values()), 0, check)

    def test_people_already_granted_or_exempt_are_left_alone_and_identical_profiles_reused(self):
        self.grant("alice@example.com", self.full, ["100"])
        self.exempt("gina@example.com")
        _, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=False)
        self.assertEqual(sorted(g["email"] for g in result["grants"]), [
            "bob@example.com", "carol@example.com", "dave@example.com",
        ])  # fmt: skip
        self.assertEqual(AccessGrant.objects.get(email="carol@example.com").profile, self.full)
        self.assertIn({"name": "NOC", "action": "reused"}, result["profiles"])


class PolicyThroughRestTest(PolicyJobTestCase):
    """The path a script takes: the policy written over REST, then the check run through the REST job API."""

    def setUp(self):
        super().setUp()
        self.user = User.objects.create(username="policy-admin", is_superuser=True, is_staff=True)
        self.token = Token.objects.create(user=self.user)

    def post(self, route: str, body: dict):
        url = reverse(f"plugins-api:nautobot_meraki_users-api:{route}-list")
        return APIClient().post(url, body, format="json", HTTP_AUTHORIZATION=f"Token {self.token.key}",
                                HTTP_ACCEPT="application/json")  # fmt: skip

    def test_a_profile_and_a_grant_made_over_rest_then_a_check_through_the_rest_job_api(self):
        response = self.post("accessprofile", {
            "name": "Branch engineer", "org_access": "none", "network_privileges": [],
            "tag_privileges": [{"tag": "west", "access": "full"}],
        })  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        response = self.post("accessgrant", {
            "email": "bob@example.com", "name": "Bob", "profile": {"name": "Branch engineer"},
            "organizations": [{"organization_id": "100"}], "all_organizations": False, "expires": None,
            "reason": "CHG-1",
        })  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        response, job_result = run_through_rest(
            self.token.key, "CheckAccessDrift", {"meraki_org_id": "100", "user_email": "bob@example.com"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(job_result.status, SUCCESS, job_result.result)
        [finding] = job_result.result["organizations"][0]["findings"]
        self.assertEqual(
            (finding["finding"], finding["expected"], finding["actual"]),
            ("different", "org access none, tags west=full", "org access read-only"),
        )
        url = reverse("plugins-api:nautobot_meraki_users-api:accessfinding-list")
        auth = {"HTTP_AUTHORIZATION": f"Token {self.token.key}", "HTTP_ACCEPT": "application/json"}
        listed = APIClient().get(url, {"email": "bob@example.com", "finding": "different"}, **auth)
        self.assertEqual(listed.status_code, 200, listed.content)
        self.assertEqual([row["finding"] for row in listed.json()["results"]], ["different"])

    def test_rest_refuses_bad_job_input_naming_the_field(self):
        response, job_result = run_through_rest(self.token.key, "EnforceAccessPolicy", {
            "meraki_org_id": "all", "user_email": "nobody", "dryrun": True,
        })  # fmt: skip
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("user_email", response.json()["errors"])
        self.assertIsNone(job_result)
        self.assertEqual(self.fake.requests, [])

    def test_the_jobs_ui_form_shows_a_bad_email_on_its_field_and_sends_nothing(self):
        from nautobot.extras.models import Job, JobResult

        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)
        job = Job.objects.get(module_name="nautobot_meraki_users.jobs", job_class_name="CheckAccessDrift")
        self.client.force_login(self.user)
        url = reverse("extras:job_run", kwargs={"pk": job.pk})
        form = {"meraki_org_id": "all", "user_email": "not an email", "_schedule_type": "immediately"}
        page = self.client.post(url, form)
        self.assertEqual(page.status_code, 200)
        self.assertIn("not a valid email", page.content.decode().lower())
        self.assertEqual(JobResult.objects.filter(job_model=job).count(), 0)
        self.assertEqual(self.fake.requests, [])

    def test_a_grant_to_a_saml_role_over_rest(self):
        body = {"profile": {"name": "NOC"}, "all_organizations": True, "reason": "CHG-2"}
        response = self.post("accessgrant", {**body, "saml_role": "NOC"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["email"], response.json()["saml_role"]), ("", "NOC"))
        response = self.post("accessgrant", {**body, "saml_role": "NOC"})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("collides with grant", str(response.json()))
        response = self.post("accessgrant", {**body, "saml_role": "Ops", "email": "x@example.com"})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("saml_role", response.json())


class SamlRolePolicyTest(PolicyJobTestCase):
    """A profile granted to a SAML role: the role is checked, enforced and adopted like a person."""

    def setUp(self):
        super().setUp()
        self.fake.set_saml("100", True)
        self.fake.add_saml_role("100", "NOC", org_access="full")
        self.fake.add_saml_role("100", "Contractors", org_access="read-only")
        self.fake.add_saml_role("200", "Old", org_access="read-only")
        self.fake.clear_records()

    def role_grant(self, role, profile, org_ids, expires=None):
        grant = AccessGrant.objects.create(
            saml_role=role, profile=profile, all_organizations=not org_ids, expires=expires, reason="test"
        )
        grant.organizations.set([self.orgs[org_id] for org_id in org_ids])
        return grant

    def role_policy(self):
        """NOC different in Acme, Contractors unmanaged in Acme, Old expired in Globex, Branch missing in Initech."""
        yesterday = timezone.localdate() - timedelta(days=1)
        self.role_grant("NOC", self.noc, ["100"])
        self.role_grant("Old", self.noc, ["200"], expires=yesterday)
        self.role_grant("Branch", self.noc, ["300"])
        for email, org_id in (("alice@example.com", "100"), ("bob@example.com", "100"), ("carol@example.com", "200"),
                              ("dave@example.com", "200"), ("gina@example.com", "300")):  # fmt: skip
            self.grant(email, self.full if email in ("alice@example.com", "carol@example.com", "gina@example.com")
                       else self.noc, [org_id])  # fmt: skip

    def role_findings(self, result) -> dict[tuple[str, str], str]:
        return {
            (org["organization_id"], finding["saml_role"]): finding["finding"]
            for org in result["organizations"]
            for finding in org["findings"]
            if finding.get("saml_role")
        }

    def test_check_reports_saml_roles_missing_different_unmanaged_and_expired(self):
        self.role_policy()
        job_result, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(self.role_findings(result), {
            ("100", "NOC"): "different", ("100", "Contractors"): "unmanaged", ("200", "Old"): "expired",
            ("300", "Branch"): "missing",
        })  # fmt: skip
        self.assertEqual(result["counts"]["unmanaged"], 1, "only the SAML role: every person is granted")
        stored = AccessFinding.objects.get(saml_role="NOC")
        self.assertEqual(
            (stored.email, stored.expected, stored.actual), ("", "org access read-only", "org access full")
        )
        self.assert_no_spec_violations()

    def test_without_a_saml_role_grant_no_saml_role_is_read(self):
        self.grant("alice@example.com", self.full, ["100"])
        self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertFalse([r for r in self.fake.requests if r.path.endswith("/samlRoles")])

    def test_enforce_then_check_finds_nothing(self):
        self.role_policy()
        _, dry, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="all", remove_unmanaged=True, dryrun=True)
        self.assertEqual(self.fake.writes, [])
        job_result, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="all", remove_unmanaged=True,
                                             dryrun=False)  # fmt: skip
        self.assertEqual(job_result.status, SUCCESS, result)
        actions = {(c["organization_id"], c["saml_role"]): c["action"] for c in result["changes"] if c.get("saml_role")}
        self.assertEqual(actions, {
            ("100", "NOC"): "updated", ("100", "Contractors"): "removed", ("200", "Old"): "removed",
            ("300", "Branch"): "created",
        })  # fmt: skip
        self.assertEqual(
            {(c["organization_id"], c["saml_role"]): c["action"] for c in dry["changes"] if c.get("saml_role")},
            actions,
        )
        self.assertEqual([r["role"] for r in self.fake.saml_roles("100")], ["NOC"])
        self.assertEqual(self.fake.saml_roles("100")[0]["orgAccess"], "read-only")
        self.assertEqual([r["role"] for r in self.fake.saml_roles("300")], ["Branch"])
        self.assertEqual(set(MerakiSamlRole.objects.values_list("role", flat=True)), {"NOC", "Branch"})
        _, check, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(sum(check["counts"].values()), 0, check)
        self.assert_no_spec_violations()

    def test_adopt_covers_saml_roles_and_check_then_finds_nothing(self):
        AccessProfile.objects.all().delete()
        _, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=False)
        roles = sorted((g["saml_role"], g["profile"]) for g in result["grants"] if g.get("saml_role"))
        self.assertEqual(roles, [
            ("Contractors", "Adopted: org read-only"), ("NOC", "Adopted: org full"), ("Old", "Adopted: org read-only"),
        ])  # fmt: skip
        self.assertEqual(AccessGrant.objects.filter(saml_role="NOC").get().email, "")
        _, check, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(sum(check["counts"].values()), 0, check)

    def test_a_grant_needs_an_email_or_a_saml_role_not_both(self):
        from django.core.exceptions import ValidationError

        for values in ({"email": "", "saml_role": ""}, {"email": "x@example.com", "saml_role": "NOC"}):
            grant = AccessGrant(profile=self.noc, all_organizations=True, **values)
            with self.assertRaises(ValidationError):
                grant.full_clean()


class LargeDriftLogTest(PolicyJobTestCase):
    def test_past_the_line_budget_an_organization_gets_one_line_with_its_counts(self):
        for n in range(6):
            self.fake.add_admin("200", f"temp{n}@example.com", f"Temp {n}", org_access="read-only")
        with mock.patch("nautobot_meraki_users.jobs.policy.FINDING_LOG_LINES", 3):
            _, result, logs = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(result["counts"]["unmanaged"], 11)  # 2 in Acme (logged one by one), 8 in Globex, 1 in Initech
        messages = [message for _, message in logs]
        self.assertTrue(any("200 (Globex): unmanaged 8" in m and "Findings" in m for m in messages), messages)
        self.assertFalse(any("temp" in m for m in messages))
        self.assertTrue(any("100 (Acme): unmanaged (redacted)@example.com" in m for m in messages), messages)


class ReviewedEdgesTest(PolicyJobTestCase):
    """Dashboard data and policies that once slipped past: each is reported, never a crash or a lock-out."""

    def test_adopt_leaves_out_what_no_profile_can_describe_and_adopts_the_rest(self):
        AccessProfile.objects.all().delete()
        self.fake.add_network("200", "N_200_2", "lab")
        self.fake.add_network("200", "N_200_3", "Lab")
        self.fake.add_admin("200", "lena@example.com", "Lena", org_access="none",
                            networks=[{"id": "N_200_3", "access": "full"}])  # fmt: skip
        self.fake.add_admin("300", "tom@example.com", "Tom", org_access="none",
                            tags=[{"tag": "nowhere", "access": "read-only"}])  # fmt: skip
        job_result, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        lena = AccessGrant.objects.get(email="lena@example.com").profile
        self.assertEqual(lena.network_privileges, [{"network": "N_200_3", "access": "full"}])  # "Lab" vs "lab"
        [left_out] = result["left_out"]
        self.assertIn("300 (Initech): tom@example.com: left ungranted", left_out)
        self.assertIn("'nowhere'", left_out)
        _, check, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual({f["email"] for org in check["organizations"] for f in org["findings"]}, {"tom@example.com"})

    def test_adopt_is_all_or_nothing_when_a_grant_collides_with_one_made_meanwhile(self):
        self.grant("alice@example.com", self.full, ["100"])
        nothing = ({org_id: set() for org_id in ("100", "200", "300")},) * 2
        with mock.patch("nautobot_meraki_users.inventory.policy_store.covered", return_value=nothing):
            job_result, result, _ = self.run_job("AdoptAccessPolicy", meraki_org_id="all", dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertIn("nothing was adopted: alice@example.com: collides with grant", result["errors"][0])
        self.assertEqual(AccessGrant.objects.count(), 1)

    def test_a_person_cannot_be_granted_a_saml_only_level_and_an_old_such_grant_is_unresolved(self):
        wifi = AccessProfile.objects.create(
            name="Wi-Fi", org_access="none", network_privileges=[{"network": "HQ", "access": "ssid-admin"}]
        )
        grant = AccessGrant(email="bob@example.com", profile=wifi, all_organizations=True)
        with self.assertRaisesRegex(ValidationError, "only SAML roles have"):
            grant.full_clean()
        AccessGrant.objects.bulk_create([grant])  # as if made before the rule
        _, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="100", dryrun=False)
        [bob] = [c for c in result["changes"] if c["email"] == "bob@example.com"]
        self.assertEqual(bob["action"], "skipped")
        self.assertIn("only SAML roles have", bob["message"])
        self.assertEqual(self.fake.writes, [])

    def test_an_upgrade_planned_in_the_same_run_does_not_count_as_the_full_admin_that_stays(self):
        self.grant("bob@example.com", self.full, ["100"])  # bob read-only -> full, planned before alice's removal
        _, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="100", remove_unmanaged=True, dryrun=False)
        changes = self.changes(result)
        self.assertEqual(changes[("100", "bob@example.com")]["action"], "updated")
        self.assertEqual(changes[("100", "alice@example.com")]["action"], "skipped")
        self.assertIn("last admin with full org access", changes[("100", "alice@example.com")]["message"])
        _, again, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="100", remove_unmanaged=True, dryrun=False)
        self.assertEqual(self.changes(again)[("100", "alice@example.com")]["action"], "removed")

    def test_saml_roles_are_read_only_where_a_saml_role_grant_applies(self):
        grant = AccessGrant.objects.create(saml_role="NOC", profile=self.noc, reason="test")
        grant.organizations.set([self.orgs["100"]])
        self.run_job("CheckAccessDrift", meraki_org_id="all")
        read = sorted(r.path for r in self.fake.requests if r.path.endswith("/samlRoles"))
        self.assertEqual(read, ["/organizations/100/samlRoles"])
