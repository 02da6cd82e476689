"""UI of the access policy: profiles, grants, exemptions (writeable), findings (read-only), a person's page, menu."""

import csv
import io
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from job_helpers import JobTestCase
from nautobot.apps.testing import TestCase, ViewTestCases, create_job_result_and_run_job, post_data
from nautobot.apps.utils import get_filterset_for_model
from nautobot.extras.models import JobLogEntry
from nautobot.extras.registry import registry
from policy_factories import create_policy

from nautobot_meraki_users.forms import (
    AccessExemptionFilterForm,
    AccessFindingFilterForm,
    AccessGrantFilterForm,
    AccessProfileFilterForm,
)
from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiAdministrator,
)

URL = "plugins:nautobot_meraki_users:{}"


class Page(str):
    """A rendered page whose `in` failures stay short."""

    def __repr__(self):
        return f"<page of {len(self)} characters>"


def person_url(email):
    return reverse(URL.format("person"), kwargs={"email": email})


class PolicyViewTestMixin:
    @classmethod
    def setUpTestData(cls):
        cls.policy = create_policy()
        cls.orgs = cls.policy["organizations"]
        cls.profiles = cls.policy["profiles"]


# ---------------------------------------------------------------------------------------------------------------------
# Nautobot's generic view tests: every page of each model, with and without permission
# ---------------------------------------------------------------------------------------------------------------------


class AccessProfileViewTest(
    PolicyViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.GetObjectNotesViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.CreateObjectViewTestCase,
    ViewTestCases.EditObjectViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = AccessProfile
    form_data = {"name": "UI profile", "org_access": "read-only", "description": "From the form"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for name in ("Unused 1", "Unused 2", "Unused 3"):  # deletable: no grant protects them
            AccessProfile.objects.create(name=name, org_access="read-only")


class AccessGrantViewTest(
    PolicyViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.GetObjectNotesViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.CreateObjectViewTestCase,
    ViewTestCases.EditObjectViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = AccessGrant

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.form_data = {
            "email": "new@example.com",
            "name": "New Person",
            "profile": cls.profiles["readers"].pk,
            "organizations": [cls.orgs["acme"].pk, cls.orgs["beta"].pk],
            "expires": date(2026, 5, 1),
            "reason": "CHG-3",
        }
        # The first grant is Bob's (all organizations); the edit keeps it his.
        cls.update_data = {
            "email": "bob@example.com",
            "name": "Robert Smith",
            "profile": cls.profiles["readers"].pk,
            "all_organizations": True,
            "reason": "renamed",
        }


class AccessExemptionViewTest(
    PolicyViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.GetObjectNotesViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.CreateObjectViewTestCase,
    ViewTestCases.EditObjectViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = AccessExemption

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        AccessExemption.objects.create(email="svc1@example.com", all_organizations=True)
        AccessExemption.objects.create(email="svc2@example.com", all_organizations=True)
        cls.form_data = {"email": "robot@example.com", "organizations": [cls.orgs["gamma"].pk], "reason": "monitoring"}
        # The first exemption is Dave's (all organizations).
        cls.update_data = {"email": "dave@corp.example.com", "all_organizations": True, "reason": "reviewed"}


class AccessFindingViewTest(
    PolicyViewTestMixin, ViewTestCases.GetObjectViewTestCase, ViewTestCases.ListObjectsViewTestCase
):
    model = AccessFinding


# ---------------------------------------------------------------------------------------------------------------------
# What a person sees
# ---------------------------------------------------------------------------------------------------------------------


class PolicyPagesTest(TestCase):
    """Pages with every permission (a superuser)."""

    @classmethod
    def setUpTestData(cls):
        cls.policy = create_policy()
        robot = AccessExemption.objects.create(email="robot@example.com", reason="monitoring")
        robot.organizations.set([cls.policy["organizations"]["acme"]])
        cls.policy["exemptions"]["robot"] = robot

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)

    def get_ok(self, url, **headers):
        response = self.client.get(url, headers=headers)
        self.assertHttpStatus(response, 200)
        return Page(response.content.decode(response.charset))

    def test_a_colliding_grant_is_refused_by_the_form(self):
        jane = self.policy["grants"]["jane"]
        data = {
            "email": "Jane@Example.com",  # the same person in other capitals
            "profile": self.policy["profiles"]["readers"].pk,
            "organizations": [self.policy["organizations"]["beta"].pk],
        }
        response = self.client.post(reverse(URL.format("accessgrant_add")), post_data(data))
        self.assertHttpStatus(response, 200)  # the form again, with the error
        body = Page(response.content.decode(response.charset))
        self.assertIn(f"collides with grant {jane.pk} (jane@example.com, profile Network admins) in Beta", body)
        self.assertEqual(AccessGrant.objects.filter(email__iexact="jane@example.com").count(), 1)

    def test_the_form_says_to_pick_organizations_or_all(self):
        url = reverse(URL.format("accessgrant_add"))
        profile = self.policy["profiles"]["readers"].pk
        body = Page(self.client.post(url, post_data({"email": "kim@example.com", "profile": profile})).content.decode())
        self.assertIn("name at least one organization, or set all_organizations", body)
        both = {"email": "kim@example.com", "profile": profile, "all_organizations": True}
        both["organizations"] = [self.policy["organizations"]["acme"].pk]
        body = Page(self.client.post(url, post_data(both)).content.decode())
        self.assertIn("cannot be set together with organizations. Drop one", body)
        body = Page(
            self.client.post(
                url, post_data({"email": "kim", "profile": profile, "all_organizations": True})
            ).content.decode()
        )
        self.assertIn("is not an email address", body)
        self.assertFalse(AccessGrant.objects.filter(email__startswith="kim").exists())

    def test_an_exemption_form_refuses_a_duplicate(self):
        dave = self.policy["exemptions"]["dave"]
        data = {"email": "dave@corp.example.com", "organizations": [self.policy["organizations"]["acme"].pk]}
        response = self.client.post(reverse(URL.format("accessexemption_add")), post_data(data))
        self.assertIn(f"collides with exemption {dave.pk}", response.content.decode())
        self.assertEqual(AccessExemption.objects.filter(email__iexact="dave@corp.example.com").count(), 1)

    def test_the_profile_form_checks_the_privileges(self):
        url = reverse(URL.format("accessprofile_add"))
        data = {"name": "Ops", "org_access": "none", "network_privileges": '[{"network": "HQ", "access": "owner"}]'}
        body = Page(self.client.post(url, post_data(data)).content.decode())
        self.assertIn("access &#x27;owner&#x27; is not one of full, read-only", body)
        data["network_privileges"] = '[{"network": "HQ", "access": "monitor-only"}]'
        self.assertHttpStatus(self.client.post(url, post_data(data)), 302)
        profile = AccessProfile.objects.get(name="Ops")
        self.assertEqual(
            (profile.network_privileges, profile.tag_privileges), ([{"network": "HQ", "access": "monitor-only"}], [])
        )
        body = self.get_ok(profile.get_absolute_url())
        self.assertIn("NETWORK PRIVILEGES", body.upper())
        self.assertIn("monitor-only", body)

    def test_profile_detail_lists_its_grants(self):
        body = self.get_ok(self.policy["profiles"]["readers"].get_absolute_url())
        self.assertIn(self.policy["grants"]["bob"].get_absolute_url(), body)
        self.assertNotIn(self.policy["grants"]["jane"].get_absolute_url(), body)

    def test_grant_list_shows_email_link_profile_scope_expiry_and_reason(self):
        body = self.get_ok(reverse(URL.format("accessgrant_list")), HX_Request="true")
        self.assertIn(f'href="{person_url("jane@example.com")}"', body)
        self.assertIn(self.policy["profiles"]["admins"].get_absolute_url(), body)
        compact = "".join(body.split())
        self.assertIn(">All<", compact)  # Bob: every organization
        self.assertIn(">2<", compact)  # Jane: two organizations
        self.assertIn("contractor", body)
        self.assertIn("2026", body)  # Carol's expiry

    def test_grant_detail_links_the_person_and_lists_organizations_and_findings(self):
        grant = self.policy["grants"]["jane"]
        body = self.get_ok(grant.get_absolute_url())
        self.assertIn(f'href="{person_url("jane@example.com")}"', body)
        self.assertIn(self.policy["organizations"]["beta"].get_absolute_url(), body)
        self.assertIn(self.policy["findings"]["jane_beta"].get_absolute_url(), body)
        self.assertNotIn(self.policy["findings"]["eve_beta"].get_absolute_url(), body)

    def test_administrator_detail_links_the_person(self):
        body = self.get_ok(self.policy["admins"]["jane_b"].get_absolute_url())
        self.assertIn(f'href="{person_url("Jane@Example.com")}"', body)

    def test_finding_list_filters_and_links_the_person(self):
        url = reverse(URL.format("accessfinding_list"))
        body = self.get_ok(f"{url}?finding=unmanaged", HX_Request="true")
        self.assertIn(f'href="{person_url("eve@gmail.com")}"', body)
        self.assertIn(self.policy["findings"]["eve_beta"].get_absolute_url(), body)
        self.assertNotIn(self.policy["findings"]["carol_gamma"].get_absolute_url(), body)
        body = self.get_ok(f"{url}?profile=Monitors", HX_Request="true")
        self.assertIn(self.policy["findings"]["carol_gamma"].get_absolute_url(), body)
        self.assertNotIn(self.policy["findings"]["jane_beta"].get_absolute_url(), body)

    def test_finding_detail_shows_the_difference(self):
        body = self.get_ok(self.policy["findings"]["jane_beta"].get_absolute_url())
        self.assertIn("Different (there with other access)", body)
        self.assertIn("Jane has read-only in Beta; the grant says full.", body)
        self.assertIn(self.policy["grants"]["jane"].get_absolute_url(), body)

    def test_findings_have_no_add_edit_or_delete(self):
        body = self.get_ok(reverse(URL.format("accessfinding_list")))
        self.assertIn("nautobot.core.jobs.ExportObjectList", body)
        self.assertNotIn("nautobot.core.jobs.ImportObjects", body)
        pk = self.policy["findings"]["eve_beta"].pk
        for action in ("add", "bulk_delete", "bulk_edit", "import"):
            with self.assertRaises(NoReverseMatch):
                reverse(URL.format(f"accessfinding_{action}"))
        for action in ("edit", "delete", "changelog", "notes"):
            with self.assertRaises(NoReverseMatch):
                reverse(URL.format(f"accessfinding_{action}"), kwargs={"pk": pk})

    def test_writeable_lists_offer_add_import_and_export(self):
        for model in ("accessprofile", "accessgrant", "accessexemption"):
            with self.subTest(model):
                body = self.get_ok(reverse(URL.format(f"{model}_list")))
                self.assertIn(reverse(URL.format(f"{model}_add")), body)
                self.assertIn("nautobot.core.jobs.ImportObjects", body)
                self.assertIn("nautobot.core.jobs.ExportObjectList", body)
                self.assertNotIn(f"{model}_bulk_edit", body)
                self.get_ok(reverse(URL.format(f"{model}_import")))  # the legacy import page still answers

    def test_menu_has_a_policy_group(self):
        body = self.get_ok(reverse("home"))
        self.assertIn("Policy", body)
        for model in ("accessprofile", "accessgrant", "accessexemption", "accessfinding"):
            self.assertIn(reverse(URL.format(f"{model}_list")), body)
        # Add buttons are declared on the writeable items (Nautobot 3.2's side menu does not draw item buttons).
        items = registry["nav_menu"]["tabs"]["Meraki"]["groups"]["Policy"]["items"]
        for model in ("accessprofile", "accessgrant", "accessexemption"):
            buttons = items[reverse(URL.format(f"{model}_list"))]["buttons"]
            self.assertEqual(buttons["Add"]["link"], URL.format(f"{model}_add"))
        self.assertEqual(items[reverse(URL.format("accessfinding_list"))]["buttons"], {})

    def test_global_search_finds_grants_and_profiles(self):
        body = self.get_ok(
            f"{reverse('search')}?q=contractor&model=nautobot_meraki_users.accessgrant", HX_Request="true"
        )
        self.assertIn(self.policy["grants"]["carol"].get_absolute_url(), body)
        body = self.get_ok(
            f"{reverse('search')}?q=auditors&model=nautobot_meraki_users.accessprofile", HX_Request="true"
        )
        self.assertIn(self.policy["profiles"]["readers"].get_absolute_url(), body)

    def test_every_filter_form_field_is_a_working_filter(self):
        policy = self.policy
        cases = {  # model: (filter form, {field: (value, a record it keeps, a record it drops)})
            "accessprofile": (
                AccessProfileFilterForm,
                {
                    "q": ("auditors", policy["profiles"]["readers"], policy["profiles"]["admins"]),
                    "name": ("Readers", policy["profiles"]["readers"], policy["profiles"]["admins"]),
                    "org_access": ("none", policy["profiles"]["monitors"], policy["profiles"]["readers"]),
                },
            ),
            "accessgrant": (
                AccessGrantFilterForm,
                {
                    "q": ("contractor", policy["grants"]["carol"], policy["grants"]["jane"]),
                    "email": ("JANE@example.com", policy["grants"]["jane"], policy["grants"]["bob"]),
                    "profile": ("Network admins", policy["grants"]["jane"], policy["grants"]["carol"]),
                    "organizations": ("300", policy["grants"]["carol"], policy["grants"]["jane"]),
                    "all_organizations": ("True", policy["grants"]["bob"], policy["grants"]["jane"]),
                },
            ),
            "accessexemption": (
                AccessExemptionFilterForm,
                {
                    "q": ("break-glass", policy["exemptions"]["dave"], policy["exemptions"]["robot"]),
                    "email": ("Dave@corp.example.com", policy["exemptions"]["dave"], policy["exemptions"]["robot"]),
                    "organizations": ("100", policy["exemptions"]["robot"], policy["exemptions"]["dave"]),
                    "all_organizations": ("True", policy["exemptions"]["dave"], policy["exemptions"]["robot"]),
                },
            ),
            "accessfinding": (
                AccessFindingFilterForm,
                {
                    "q": ("gamma", policy["findings"]["carol_gamma"], policy["findings"]["eve_beta"]),
                    "organization": ("200", policy["findings"]["eve_beta"], policy["findings"]["carol_gamma"]),
                    "finding": ("different", policy["findings"]["jane_beta"], policy["findings"]["eve_beta"]),
                    "email": ("jane@example.com", policy["findings"]["jane_beta"], policy["findings"]["eve_beta"]),
                    "profile": ("Monitors", policy["findings"]["carol_gamma"], policy["findings"]["jane_beta"]),
                },
            ),
        }
        for model, (form_class, values) in cases.items():
            filterset = get_filterset_for_model(f"nautobot_meraki_users.{model}")
            fields = [name for name in form_class().fields if name not in ("tags", "contacts", "teams")]
            self.assertEqual(sorted(fields), sorted(values), form_class)
            for name, (value, kept, dropped) in values.items():
                with self.subTest(model=model, field=name):
                    self.assertIn(name, filterset.base_filters)
                    body = self.get_ok(f"{reverse(URL.format(f'{model}_list'))}?{name}={value}", HX_Request="true")
                    self.assertNotIn("Invalid filters", body)
                    self.assertIn(kept.get_absolute_url(), body)
                    self.assertNotIn(dropped.get_absolute_url(), body)


# ---------------------------------------------------------------------------------------------------------------------
# A person's page
# ---------------------------------------------------------------------------------------------------------------------


class PersonPageTest(TestCase):
    SCRIPT = "<script>alert('x')</script>"

    @classmethod
    def setUpTestData(cls):
        cls.policy = create_policy()

    def page(self, email):
        response = self.client.get(person_url(email))
        self.assertHttpStatus(response, 200)
        return Page(response.content.decode(response.charset))

    def grant_all(self):
        self.user.is_superuser = True
        self.user.save()

    def test_url(self):
        self.assertEqual(person_url("jane@example.com"), "/plugins/meraki-users/people/jane@example.com/")

    def test_shows_grants_admin_rows_and_findings_of_the_email_in_any_case(self):
        self.grant_all()
        policy = self.policy
        body = self.page("JANE@example.com")
        self.assertIn("JANE@example.com", body)
        self.assertIn("Jane Doe", body)
        self.assertIn(policy["grants"]["jane"].get_absolute_url(), body)
        self.assertIn(policy["profiles"]["admins"].get_absolute_url(), body)
        for key in ("jane_a", "jane_b"):  # Acme and Beta, the second spelled Jane@Example.com
            self.assertIn(policy["admins"][key].get_absolute_url(), body)
        self.assertIn(policy["organizations"]["acme"].get_absolute_url(), body)
        self.assertIn(policy["findings"]["jane_beta"].get_absolute_url(), body)
        self.assertIn("Different (there with other access)", body)
        for other in ("bob", "carol"):
            self.assertNotIn(policy["grants"][other].get_absolute_url(), body)
        self.assertNotIn(policy["admins"]["eve"].get_absolute_url(), body)
        self.assertNotIn(policy["findings"]["eve_beta"].get_absolute_url(), body)
        self.assertIn(f"{reverse(URL.format('accessgrant_add'))}?email=JANE%40example.com", body)

    def test_a_person_with_access_but_no_grant(self):
        self.grant_all()
        body = self.page("eve@gmail.com")
        self.assertIn(self.policy["admins"]["eve"].get_absolute_url(), body)
        self.assertIn(self.policy["findings"]["eve_beta"].get_absolute_url(), body)
        self.assertIn("Unmanaged (there with no grant)", body)

    def test_escapes_hostile_names(self):
        self.grant_all()
        org = self.policy["organizations"]["beta"]
        MerakiAdministrator.objects.create(
            organization=org, admin_id="666", email="mallory@example.com", name=self.SCRIPT, org_access="full"
        )
        grant = AccessGrant.objects.create(
            email="mallory@example.com",
            name=self.SCRIPT,
            reason=self.SCRIPT,
            profile=self.policy["profiles"]["readers"],
        )
        grant.organizations.set([self.policy["organizations"]["acme"]])
        body = self.page("mallory@example.com")
        self.assertNotIn(self.SCRIPT, body)
        self.assertIn("&lt;script&gt;alert(", body)
        hostile_email = "<img src=x onerror=alert(1)>@example.com"
        body = self.page(hostile_email)
        self.assertNotIn("<img src=x", body)
        self.assertIn("&lt;img src=x", body)

    def test_needs_login_and_view_permissions(self):
        self.client.logout()
        response = self.client.get(person_url("jane@example.com"))
        self.assertHttpStatus(response, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.client.force_login(self.user)
        with override_settings(EXEMPT_VIEW_PERMISSIONS=[]):
            self.assertHttpStatus(self.client.get(person_url("jane@example.com")), 403)
            self.add_permissions(
                "nautobot_meraki_users.view_accessgrant",
                "nautobot_meraki_users.view_merakiadministrator",
                "nautobot_meraki_users.view_accessfinding",
            )
            body = self.page("jane@example.com")
        self.assertIn(self.policy["grants"]["jane"].get_absolute_url(), body)
        self.assertNotIn(f"{reverse(URL.format('accessgrant_add'))}?email=", body)  # no add permission


# ---------------------------------------------------------------------------------------------------------------------
# Import and export through Nautobot's system jobs (the list's Import and Export buttons)
# ---------------------------------------------------------------------------------------------------------------------


class PolicyImportExportTest(JobTestCase):
    def setUp(self):
        super().setUp()
        self.policy = create_policy()

    def run_system_job(self, name, model, **kwargs):
        job_result = create_job_result_and_run_job(
            "nautobot.core.jobs", name, content_type=ContentType.objects.get_for_model(model).pk, **kwargs
        )
        return job_result

    def test_import_grants_with_the_import_objects_job(self):
        data = (
            "email,name,profile,organizations,all_organizations,expires,reason\n"
            'amy@example.com,Amy,Readers,"100,300",false,2026-09-30,CHG-11\n'
            "jane@example.com,Jane,Readers,200,false,,\n"  # collides with Jane's grant in Beta
        )
        job_result = self.run_system_job("ImportObjects", AccessGrant, csv_data=data)
        amy = AccessGrant.objects.get(email="amy@example.com")
        self.assertEqual(sorted(amy.organizations.values_list("name", flat=True)), ["Acme", "Gamma"])
        self.assertEqual(AccessGrant.objects.filter(email="jane@example.com").count(), 1)
        errors = " ".join(
            JobLogEntry.objects.filter(job_result=job_result, log_level="error").values_list("message", flat=True)
        )
        self.assertIn("Row 2", errors)
        self.assertIn(f"collides with grant {self.policy['grants']['jane'].pk}", errors)

    def test_exported_grants_import_again(self):
        job_result = self.run_system_job("ExportObjectList", AccessGrant, query_string="email=jane@example.com")
        self.assertJobResultStatus(job_result)
        exported = job_result.files.first().file.read().decode("utf-8").lstrip("\ufeff")
        row = next(csv.DictReader(io.StringIO(exported)))
        self.assertEqual(
            (row["email"], row["organizations"], row["profile__name"]),
            ("jane@example.com", "100,200", "Network admins"),
        )
        AccessGrant.objects.filter(email="jane@example.com").delete()
        job_result = self.run_system_job("ImportObjects", AccessGrant, csv_data=exported)
        self.assertJobResultStatus(job_result)
        grant = AccessGrant.objects.get(email="jane@example.com")
        self.assertEqual(sorted(grant.organizations.values_list("organization_id", flat=True)), ["100", "200"])

    def test_findings_export_is_formula_safe(self):
        AccessFinding.objects.filter(pk=self.policy["findings"]["eve_beta"].pk).update(message="@SUM(1+1)")
        job_result = self.run_system_job("ExportObjectList", AccessFinding, query_string="finding=unmanaged")
        self.assertJobResultStatus(job_result)
        rows = list(csv.DictReader(io.StringIO(job_result.files.first().file.read().decode("utf-8").lstrip("\ufeff"))))
        self.assertEqual([(r["email"], r["message"]) for r in rows], [("eve@gmail.com", "'@SUM(1+1)")])
