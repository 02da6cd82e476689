"""REST API (read-only) and GraphQL of the Meraki inventory."""

from django.test import override_settings
from django.urls import reverse
from factories import MerakiNetworkFactory, create_audit_inventory
from nautobot.apps.testing import APITestCase, APIViewTestCases
from nautobot.core.graphql import execute_query
from rest_framework import status

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization

API = "plugins-api:nautobot_meraki_users-api:{}"


class InventoryAPITestMixin:
    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()


class OrganizationAPITest(
    InventoryAPITestMixin, APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase
):
    model = MerakiOrganization


class NetworkAPITest(
    InventoryAPITestMixin, APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase
):
    model = MerakiNetwork


class AdministratorAPITest(
    InventoryAPITestMixin, APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase
):
    model = MerakiAdministrator


@override_settings(EXEMPT_VIEW_PERMISSIONS=["*"])
class InventoryAPIContractTest(InventoryAPITestMixin, APITestCase):
    """What the lead's form pickers and scripts rely on."""

    model = MerakiOrganization

    def get_json(self, name, params=None):
        response = self.client.get(reverse(API.format(name)), params or {}, **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        return response.json()

    def test_urls(self):
        self.assertEqual(reverse(API.format("merakiorganization-list")), "/api/plugins/meraki-users/organizations/")
        self.assertEqual(reverse(API.format("merakinetwork-list")), "/api/plugins/meraki-users/networks/")
        self.assertEqual(reverse(API.format("merakiadministrator-list")), "/api/plugins/meraki-users/administrators/")

    def test_a_custom_field_added_between_two_requests_is_in_the_second(self):
        from django.contrib.contenttypes.models import ContentType
        from nautobot.extras.models import CustomField

        before = self.get_json("merakiadministrator-list")["results"][0]["custom_fields"]
        self.assertNotIn("badge_number", before)
        field = CustomField.objects.create(key="badge_number", label="Badge number", type="text")
        field.content_types.set([ContentType.objects.get_for_model(MerakiAdministrator)])
        rows = self.get_json("merakiadministrator-list")["results"]
        self.assertTrue(rows)
        self.assertTrue(all("badge_number" in row["custom_fields"] for row in rows), "keys are read once per request")

    def test_natural_slug_and_composite_key_are_nautobots(self):
        from nautobot.core.api.utils import get_serializer_for_model
        from nautobot.core.models.utils import construct_composite_key, construct_natural_slug

        for name, model in (("merakiadministrator", MerakiAdministrator), ("merakinetwork", MerakiNetwork)):
            row = self.get_json(f"{name}-list", {"depth": 1})["results"][0]
            instance = model.objects.get(pk=row["id"])
            self.assertEqual(row["natural_slug"], construct_natural_slug(instance.natural_key(), pk=instance.pk))
            serializer = get_serializer_for_model(model)(context={"request": None})
            self.assertEqual(serializer.get_composite_key(instance), construct_composite_key(instance.natural_key()))
            organization = row["organization"]
            self.assertEqual(organization["natural_slug"], instance.organization.natural_slug)

    def test_urls_of_every_row_are_the_routes_of_its_id(self):
        from nautobot.core.utils.lookup import get_route_for_model

        for name, model in (("merakiadministrator", MerakiAdministrator), ("merakinetwork", MerakiNetwork)):
            rows = self.get_json(f"{name}-list", {"depth": 1})["results"]
            self.assertGreater(len(rows), 1)
            for row in rows:
                detail = reverse(get_route_for_model(model, "detail", api=True), kwargs={"pk": row["id"]})
                notes = reverse(get_route_for_model(model, "notes", api=True), args=[row["id"]])
                server = "http://nautobot.example.com"  # the test client's host
                self.assertEqual(row["url"], f"{server}{detail}")
                self.assertEqual(row["notes_url"], f"{server}{notes}")
                organization = model.objects.get(pk=row["id"]).organization
                detail = reverse(API.format("merakiorganization-detail"), kwargs={"pk": organization.pk})
                self.assertEqual(row["organization"]["url"], f"{server}{detail}")

    def test_organizations_search_returns_meraki_id_and_display(self):
        data = self.get_json("merakiorganization-list", {"q": "acm"})
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["results"][0]["organization_id"], "100")
        self.assertEqual(data["results"][0]["display"], "Acme")
        self.assertEqual(self.get_json("merakiorganization-list", {"q": "300"})["results"][0]["name"], "Gamma")

    def test_networks_of_one_organization_by_meraki_id(self):
        data = self.get_json("merakinetwork-list", {"organization": "100"})
        self.assertEqual(sorted(n["name"] for n in data["results"]), ["HQ", "Lab"])
        network = next(n for n in data["results"] if n["name"] == "HQ")
        self.assertEqual(network["network_id"], "L_1")
        self.assertEqual(network["network_tags"], ["branch", "east"])
        self.assertEqual(network["organization"]["id"], str(self.inventory["organizations"]["acme"].pk))

    def test_unknown_organization_is_a_400(self):
        response = self.client.get(reverse(API.format("merakinetwork-list")), {"organization": "999"}, **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn("organization", response.json())

    def test_administrators_with_audit_filters(self):
        def emails(params):
            return sorted(a["email"] for a in self.get_json("merakiadministrator-list", params)["results"])

        self.assertEqual(emails({"email": "JANE@EXAMPLE.COM"}), ["Jane@Example.com", "jane@example.com"])
        self.assertEqual(emails({"two_factor_auth_enabled": "false"}), ["Jane@Example.com", "bob@example.com"])
        self.assertEqual(emails({"inactive_since": "2025-01-01"}), ["Jane@Example.com", "bob@example.com"])
        self.assertEqual(emails({"account_status": ["locked", "pending"]}), ["bob@example.com", "eve@gmail.com"])
        self.assertEqual(emails({"organization": "300", "org_access": "none"}), ["carol@example.com"])
        with override_settings(PLUGINS_CONFIG={"nautobot_meraki_users": {"email_regex": r".*@example\.com"}}):
            self.assertEqual(
                emails({"email_policy_violation": "true"}),
                ["Jane@Example.com", "dave@corp.example.com", "eve@gmail.com"],
            )

    def test_administrator_fields(self):
        data = self.get_json("merakiadministrator-list", {"email": "bob@example.com"})["results"][0]
        for field in ("admin_id", "org_access", "account_status", "two_factor_auth_enabled", "has_api_key"):
            self.assertIn(field, data)
        self.assertEqual(data["network_privileges"], [{"id": "L_1", "access": "full"}])
        self.assertEqual(data["org_access"], "read-only")  # plain strings, as Meraki sends them
        self.assertEqual(data["last_active"], "2024-01-01T12:00:00Z")

    def test_csv_keeps_the_access_level_of_network_privileges(self):
        response = self.client.get(
            reverse(API.format("merakiadministrator-list")),
            {"email": "bob@example.com", "format": "csv"},
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertIn('"[{""id"": ""L_1"", ""access"": ""full""}]"', response.content.decode())


class InventoryAPIIsReadOnlyTest(InventoryAPITestMixin, APITestCase):
    """The Dashboard owns the inventory: every write is refused, even for a superuser."""

    model = MerakiAdministrator

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def test_writes_are_refused_with_405(self):
        admin = self.inventory["admins"]["bob"]
        org = self.inventory["organizations"]["acme"]
        cases = {
            "merakiorganization": org,
            "merakinetwork": self.inventory["networks"]["hq"],
            "merakiadministrator": admin,
        }
        for name, instance in cases.items():
            list_url = reverse(API.format(f"{name}-list"))
            detail_url = reverse(API.format(f"{name}-detail"), kwargs={"pk": instance.pk})
            with self.subTest(name):
                self.assertHttpStatus(self.client.post(list_url, {"name": "x"}, format="json", **self.header), 405)
                self.assertHttpStatus(self.client.put(list_url, [], format="json", **self.header), 405)
                self.assertHttpStatus(self.client.delete(list_url, [], format="json", **self.header), 405)
                self.assertHttpStatus(self.client.patch(detail_url, {"name": "x"}, format="json", **self.header), 405)
                self.assertHttpStatus(self.client.put(detail_url, {"name": "x"}, format="json", **self.header), 405)
                self.assertHttpStatus(self.client.delete(detail_url, **self.header), 405)
                self.assertHttpStatus(self.client.get(detail_url, **self.header), 200)
        self.assertEqual(MerakiAdministrator.objects.count(), 6)
        admin.refresh_from_db()
        self.assertEqual(admin.name, "Bob Smith")

    def test_options_lists_only_safe_methods(self):
        response = self.client.options(reverse(API.format("merakiadministrator-list")), **self.header)
        self.assertEqual(sorted(m.strip() for m in response["Allow"].split(",")), ["GET", "HEAD", "OPTIONS"])


class InventoryGraphQLTest(InventoryAPITestMixin, APITestCase):
    model = MerakiAdministrator

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def query(self, text, variables=None):
        result = execute_query(text, variables=variables, user=self.user)
        self.assertIsNone(result.errors, result.errors)
        return result.data

    def test_administrators_with_their_organization(self):
        data = self.query(
            "query ($email: [String]) { meraki_administrators(email: $email) "
            "{ email org_access organization { name organization_id } } }",
            variables={"email": ["jane@example.com"]},
        )
        self.assertEqual(
            sorted((a["email"], a["organization"]["name"]) for a in data["meraki_administrators"]),
            [("Jane@Example.com", "Beta"), ("jane@example.com", "Acme")],
        )

    def test_audit_filters_and_the_other_models(self):
        data = self.query("{ meraki_administrators(two_factor_auth_enabled: false) { email } }")
        self.assertEqual(
            sorted(a["email"] for a in data["meraki_administrators"]), ["Jane@Example.com", "bob@example.com"]
        )
        data = self.query(
            '{ meraki_organizations(organization_id: "100") { name networks { name network_tags } '
            "administrators { email } } }"
        )
        acme = data["meraki_organizations"][0]
        self.assertEqual(sorted(n["name"] for n in acme["networks"]), ["HQ", "Lab"])
        self.assertEqual(len(acme["administrators"]), 2)
        store = self.inventory["networks"]["store"]
        data = self.query(f'{{ meraki_network(id: "{store.pk}") {{ name organization {{ name }} }} }}')
        self.assertEqual(data["meraki_network"], {"name": "Store", "organization": {"name": "Beta"}})

    def test_over_http(self):
        query = "{ meraki_administrators { email organization { name } } }"
        response = self.client.post(reverse("graphql-api"), {"query": query}, format="json", **self.header)
        self.assertHttpStatus(response, 200)
        self.assertEqual(len(response.json()["data"]["meraki_administrators"]), 6)


class NetworkPickerQueryTest(APITestCase):
    """The job form's network picker asks for `organization=<picked ids>`; `all` means every organization."""

    def test_all_means_no_organization_filter(self):
        networks = MerakiNetworkFactory.create_batch(3)
        self.add_permissions("nautobot_meraki_users.view_merakinetwork")
        url = reverse(API.format("merakinetwork-list"))
        response = self.client.get(f"{url}?organization=all", **self.header)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["count"], len(networks))
        one = networks[0].organization.organization_id
        response = self.client.get(f"{url}?organization={one}", **self.header)
        self.assertEqual(response.json()["count"], 1)


class OrganizationUrlFieldsTest(APITestCase):
    """`url` stays the API link of the record, as everywhere in Nautobot; the Dashboard URL is `dashboard_url`."""

    def test_url_is_the_api_link_and_dashboard_url_the_dashboard(self):
        org = MerakiOrganization.objects.create(
            organization_id="42", name="Acme", dashboard_url="https://n1.meraki.com/o/x/manage/organization/overview"
        )
        self.add_permissions("nautobot_meraki_users.view_merakiorganization")
        response = self.client.get(
            reverse(API.format("merakiorganization-detail"), kwargs={"pk": org.pk}), **self.header
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertTrue(body["url"].endswith(f"/api/plugins/meraki-users/organizations/{org.pk}/"))
        self.assertEqual(body["dashboard_url"], org.dashboard_url)
