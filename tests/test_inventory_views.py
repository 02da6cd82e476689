"""UI of the Meraki inventory: read-only lists and detail pages, the cross-organization view, CSV export, menu."""

import csv
import io
import json

from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from factories import create_audit_inventory
from job_helpers import JobTestCase
from nautobot.apps.testing import TestCase, ViewTestCases, create_job_result_and_run_job
from nautobot.apps.utils import get_filterset_for_model

from nautobot_meraki_users.forms import (
    MerakiAdministratorFilterForm,
    MerakiNetworkFilterForm,
    MerakiOrganizationFilterForm,
    MerakiSamlRoleFilterForm,
)
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization

URL = "plugins:nautobot_meraki_users:{}"


class Page(str):
    """A rendered page whose `in` failures stay short (the full HTML is 400 kB)."""

    def __repr__(self):
        return f"<page of {len(self)} characters>"


class InventoryViewTestMixin:
    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()


class OrganizationViewTest(
    InventoryViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.GetObjectNotesViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = MerakiOrganization


class NetworkViewTest(
    InventoryViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
):
    model = MerakiNetwork


class AdministratorViewTest(
    InventoryViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
):
    model = MerakiAdministrator


@override_settings(EXEMPT_VIEW_PERMISSIONS=["*"])
class InventoryPagesTest(TestCase):
    """What a person sees, with view permission on everything."""

    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()

    def get_ok(self, url, **headers):
        response = self.client.get(url, headers=headers)
        self.assertHttpStatus(response, 200)
        return Page(response.content.decode(response.charset))

    def test_admin_detail_lists_the_same_email_in_every_organization(self):
        admins = self.inventory["admins"]
        body = self.get_ok(admins["jane_a"].get_absolute_url())
        self.assertIn("ACCESS ACROSS ORGANIZATIONS", body.upper())
        # Both rows of Jane (the other one spelled Jane@Example.com), with their organizations and access.
        self.assertIn(admins["jane_b"].get_absolute_url(), body)
        self.assertIn(self.inventory["organizations"]["beta"].get_absolute_url(), body)
        self.assertIn("Unverified", body)
        self.assertIn("Read-only", body)
        # Nobody else, and not Gamma, where Jane is no admin.
        for other in ("bob", "eve", "carol", "dave"):
            self.assertNotIn(admins[other].get_absolute_url(), body)
        self.assertNotIn(self.inventory["organizations"]["gamma"].get_absolute_url(), body)
        list_url = reverse(URL.format("merakiadministrator_list"))
        self.assertIn(f"{list_url}?email=jane%40example.com", body)

    def test_admin_detail_shows_labels_and_a_dash_for_a_blank_status(self):
        admin = self.inventory["admins"]["dave"]
        MerakiAdministrator.objects.filter(pk=admin.pk).update(account_status="")
        body = self.get_ok(admin.get_absolute_url())
        self.assertIn("Enterprise", body)
        compact = "".join(body.split())
        self.assertFalse(">None<" in compact, "a blank account status is shown as None")

    def test_admin_detail_shows_privileges_by_network_name(self):
        body = self.get_ok(self.inventory["admins"]["bob"].get_absolute_url())
        self.assertIn("NETWORK PRIVILEGES", body.upper())
        self.assertIn("HQ (L_1)", body)
        body = self.get_ok(self.inventory["admins"]["eve"].get_absolute_url())
        self.assertIn("TAG PRIVILEGES", body.upper())
        self.assertIn("branch", body)

    def test_organization_detail_lists_its_networks_and_administrators(self):
        inventory = self.inventory
        body = self.get_ok(inventory["organizations"]["acme"].get_absolute_url())
        for key in ("hq", "lab"):
            self.assertIn(inventory["networks"][key].get_absolute_url(), body)
        for key in ("jane_a", "bob"):
            self.assertIn(inventory["admins"][key].get_absolute_url(), body)
        self.assertNotIn(inventory["networks"]["store"].get_absolute_url(), body)
        self.assertNotIn(inventory["admins"]["eve"].get_absolute_url(), body)

    def test_network_detail_lists_admins_with_network_or_tag_privileges(self):
        inventory = self.inventory
        body = self.get_ok(inventory["networks"]["hq"].get_absolute_url())
        self.assertIn("branch, east", body)
        self.assertIn(inventory["admins"]["bob"].get_absolute_url(), body)  # network privilege on L_1
        self.assertNotIn(inventory["admins"]["eve"].get_absolute_url(), body)  # "branch" tag, but in Beta
        body = self.get_ok(inventory["networks"]["store"].get_absolute_url())
        self.assertIn(inventory["admins"]["eve"].get_absolute_url(), body)

    def test_audit_filters_work_in_the_list_view(self):
        url = reverse(URL.format("merakiadministrator_list"))
        response = self.client.get(
            f"{url}?two_factor_auth_enabled=False&inactive_since=2025-01-01", HTTP_HX_REQUEST="true"
        )
        body = response.content.decode(response.charset)
        self.assertIn(self.inventory["admins"]["bob"].get_absolute_url(), body)
        self.assertIn(self.inventory["admins"]["jane_b"].get_absolute_url(), body)
        self.assertNotIn(self.inventory["admins"]["jane_a"].get_absolute_url(), body)

    def test_every_filter_form_field_is_a_working_filter(self):
        forms_and_values = {
            "merakiorganization": (
                MerakiOrganizationFilterForm,
                {
                    "q": "acme",
                    "name": "Acme",
                    "organization_id": "100",
                    "dashboard": "default",
                    "saml_enabled": "True",
                    "login_security_compliant": "True",
                },
            ),
            "merakinetwork": (
                MerakiNetworkFilterForm,
                {
                    "q": "hq",
                    "organization": "100",
                    "dashboard": "default",
                    "name": "HQ",
                    "network_id": "L_1",
                    "network_tags": "branch",
                },
            ),
            "merakiadministrator": (
                MerakiAdministratorFilterForm,
                {
                    "q": "jane",
                    "email": "JANE@example.com",
                    "organization": "100",
                    "dashboard": "default",
                    "org_access": "full",
                    "account_status": "ok",
                    "two_factor_auth_enabled": "True",
                    "inactive_since": "2026-01-01",
                    "email_policy_violation": "False",
                    "two_factor_unprotected": "True",
                    "has_api_key": "False",
                },
            ),
        }
        forms_and_values["merakisamlrole"] = (
            MerakiSamlRoleFilterForm,
            {"q": "noc", "organization": "100", "dashboard": "default", "role": "NOC", "org_access": "read-only"},
        )
        for model, (form_class, values) in forms_and_values.items():
            filterset = get_filterset_for_model(f"nautobot_meraki_users.{model}")
            fields = [name for name in form_class().fields if name not in ("tags", "contacts", "teams")]
            self.assertEqual(sorted(fields), sorted(values), form_class)
            for name, value in values.items():
                with self.subTest(model=model, field=name):
                    self.assertIn(name, filterset.base_filters)
                    url = reverse(URL.format(f"{model}_list"))
                    body = self.get_ok(f"{url}?{name}={value}", HX_Request="true")
                    self.assertNotIn("Invalid filters", body)
                    self.assertIn("<tr", body)
        # The check above does see a bad filter:
        bad = self.get_ok(f"{reverse(URL.format('merakinetwork_list'))}?organization=999", HX_Request="true")
        self.assertIn("Invalid filters", bad)

    def test_list_pages_offer_export_but_no_add_or_import(self):
        body = self.get_ok(reverse(URL.format("merakiadministrator_list")))
        self.assertIn("nautobot.core.jobs.ExportObjectList", body)
        self.assertNotIn("nautobot.core.jobs.ImportObjects", body)
        for action in ("add", "edit", "bulk_edit", "bulk_rename"):
            with self.assertRaises(NoReverseMatch):
                reverse(URL.format(f"merakiadministrator_{action}"), kwargs={} if "bulk" in action else None)

    def test_menu_has_a_meraki_tab_with_the_three_lists(self):
        body = self.get_ok(reverse("home"))
        self.assertIn("Meraki", body)
        for model in ("merakiorganization", "merakinetwork", "merakiadministrator"):
            self.assertIn(reverse(URL.format(f"{model}_list")), body)

    def test_global_search_covers_the_three_models(self):
        body = self.get_ok(f"{reverse('search')}?q=jane")
        for model in ("merakiorganization", "merakinetwork", "merakiadministrator"):
            self.assertIn(f"nautobot_meraki_users.{model}", body)
        search = f"{reverse('search')}?q=jane%40example&model=nautobot_meraki_users.merakiadministrator"
        body = self.get_ok(search, HX_Request="true")
        self.assertIn(self.inventory["admins"]["jane_a"].get_absolute_url(), body)
        self.assertIn(self.inventory["admins"]["jane_b"].get_absolute_url(), body)
        self.assertNotIn(self.inventory["admins"]["bob"].get_absolute_url(), body)


class InventoryCsvExportTest(JobTestCase):
    """The list's Export button runs Nautobot's ExportObjectList job with the list's filters."""

    def setUp(self):
        super().setUp()
        self.inventory = create_audit_inventory()

    def export(self, model, query_string):
        job_result = create_job_result_and_run_job(
            "nautobot.core.jobs",
            "ExportObjectList",
            content_type=ContentType.objects.get_for_model(model).pk,
            query_string=query_string,
        )
        self.assertJobResultStatus(job_result)
        data = job_result.files.first().file.read().decode("utf-8").lstrip("\ufeff")
        return list(csv.DictReader(io.StringIO(data)))

    def test_administrators_export_with_audit_filters(self):
        rows = self.export(MerakiAdministrator, "two_factor_auth_enabled=False&organization=100")
        self.assertEqual([row["email"] for row in rows], ["bob@example.com"])
        row = rows[0]
        self.assertEqual(row["organization__organization_id"], "100")  # the organization by its Meraki ID
        self.assertEqual((row["account_status"], row["two_factor_auth_enabled"]), ("pending", "False"))
        self.assertEqual(json.loads(row["network_privileges"]), [{"id": "L_1", "access": "full"}])
        self.assertEqual(json.loads(row["tag_privileges"]), [])

    def test_organizations_export(self):
        rows = self.export(MerakiOrganization, "")
        self.assertEqual(
            [(r["organization_id"], r["name"]) for r in rows], [("100", "Acme"), ("200", "Beta"), ("300", "Gamma")]
        )


class HostileNamesAreEscapedTest(TestCase):
    """Names come from the Dashboard: HTML in them is shown as text on the inventory's pages."""

    SCRIPT = "<script>alert('admin')</script>"
    IMAGE = '<img src=x onerror="alert(1)">'

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)
        org = MerakiOrganization.objects.create(organization_id="900", name=self.IMAGE)
        self.admin = MerakiAdministrator.objects.create(
            organization=org, admin_id="9001", email="mallory@example.com", name=self.SCRIPT, org_access="full"
        )

    def page(self, url, **headers):
        response = self.client.get(url, headers=headers)
        self.assertHttpStatus(response, 200)
        return Page(response.content.decode(response.charset))

    def assert_escaped(self, body):
        self.assertNotIn(self.SCRIPT, body)
        self.assertNotIn(self.IMAGE, body)
        self.assertNotIn("<img src=x", body)
        self.assertIn("&lt;script&gt;alert(", body)
        self.assertIn("&lt;img src=x onerror=", body)

    def test_administrator_list_escapes_names(self):
        url = reverse(URL.format("merakiadministrator_list"))
        self.assert_escaped(self.page(url, HX_Request="true"))  # the table, as htmx fetches it
        full = self.page(url)
        self.assertNotIn(self.SCRIPT, full)
        self.assertNotIn("<img src=x", full)

    def test_administrator_detail_escapes_names(self):
        self.assert_escaped(self.page(self.admin.get_absolute_url()))


class DashboardUrlIsNeverAScriptLinkTest(TestCase):
    """An organization's URL comes from the Dashboard: only an http(s) URL becomes a link."""

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)
        MerakiOrganization.objects.create(
            organization_id="901", name="Evil", dashboard_url="javascript:alert(document.cookie)"
        )
        MerakiOrganization.objects.create(
            organization_id="902", name="Good", dashboard_url="https://n1.meraki.com/o/abc/manage/organization/overview"
        )

    def test_the_organization_table_links_only_http_urls(self):
        from nautobot_meraki_users.tables import MerakiOrganizationTable

        table = MerakiOrganizationTable(MerakiOrganization.objects.all())
        evil = str(table.render_dashboard_url("javascript:alert(document.cookie)"))
        self.assertNotIn("<a", evil)
        self.assertIn("javascript:alert(document.cookie)", evil)  # shown as text
        good = str(table.render_dashboard_url("https://n1.meraki.com/o/abc/manage/organization/overview"))
        self.assertIn('href="https://n1.meraki.com/o/abc/manage/organization/overview"', good)

    def test_the_organization_page_never_links_a_script_url(self):
        evil = MerakiOrganization.objects.get(organization_id="901")
        response = self.client.get(evil.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertNotIn('href="javascript:', response.content.decode(response.charset))
