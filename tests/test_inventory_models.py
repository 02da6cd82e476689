"""The Meraki inventory models: identities, uniqueness, defaults, cascades and the case-insensitive email index."""

from django.db import IntegrityError, connection, transaction
from factories import MerakiAdministratorFactory, MerakiNetworkFactory, MerakiOrganizationFactory
from nautobot.apps.testing import TestCase

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization


class OrganizationModelTest(TestCase):
    def test_str_is_the_name_and_natural_key_is_the_meraki_id(self):
        org = MerakiOrganizationFactory(organization_id="123", name="Acme")
        self.assertEqual(str(org), "Acme")
        self.assertEqual(MerakiOrganization.natural_key_field_lookups, ["organization_id"])
        self.assertEqual(MerakiOrganization.objects.get_by_natural_key("123"), org)

    def test_meraki_id_is_unique(self):
        MerakiOrganizationFactory(organization_id="123")
        with self.assertRaises(IntegrityError), transaction.atomic():
            MerakiOrganization.objects.create(organization_id="123", name="Duplicate")

    def test_ordered_by_name(self):
        for name in ("Zulu", "Alpha", "Mike"):
            MerakiOrganizationFactory(name=name)
        self.assertEqual(list(MerakiOrganization.objects.values_list("name", flat=True)), ["Alpha", "Mike", "Zulu"])

    def test_only_id_and_name_are_required(self):
        org = MerakiOrganization(organization_id="9", name="Minimal")
        org.full_clean()
        org.save()
        self.assertEqual(org.dashboard_url, "")
        self.assertIsNone(org.last_seen)

    def test_deleting_an_organization_deletes_its_networks_and_admins(self):
        org = MerakiOrganizationFactory()
        MerakiNetworkFactory(organization=org)
        MerakiAdministratorFactory(organization=org)
        org.delete()
        self.assertFalse(MerakiNetwork.objects.exists())
        self.assertFalse(MerakiAdministrator.objects.exists())


class NetworkModelTest(TestCase):
    def test_meraki_id_is_unique_across_organizations(self):
        MerakiNetworkFactory(network_id="L_1")
        with self.assertRaises(IntegrityError), transaction.atomic():
            MerakiNetworkFactory(network_id="L_1")

    def test_json_lists_default_to_new_empty_lists(self):
        org = MerakiOrganizationFactory()
        first = MerakiNetwork.objects.create(network_id="N_1", organization=org, name="One")
        second = MerakiNetwork.objects.create(network_id="N_2", organization=org, name="Two")
        first.network_tags.append("lab")
        self.assertEqual(second.network_tags, [])
        self.assertEqual(second.product_types, [])

    def test_ordered_by_organization_then_name_and_reachable_from_the_organization(self):
        beta, acme = MerakiOrganizationFactory(name="Beta"), MerakiOrganizationFactory(name="Acme")
        MerakiNetworkFactory(organization=beta, name="A")
        MerakiNetworkFactory(organization=acme, name="Z")
        MerakiNetworkFactory(organization=acme, name="B")
        self.assertEqual(
            [(n.organization.name, n.name) for n in MerakiNetwork.objects.all()],
            [("Acme", "B"), ("Acme", "Z"), ("Beta", "A")],
        )
        self.assertEqual(acme.networks.count(), 2)
        self.assertEqual(str(acme.networks.first()), "B")


class AdministratorModelTest(TestCase):
    def test_str_names_email_and_organization(self):
        admin = MerakiAdministratorFactory(email="jane@example.com", organization__name="Acme")
        self.assertEqual(str(admin), "jane@example.com (Acme)")

    def test_admin_id_is_unique_per_organization_only(self):
        acme, beta = MerakiOrganizationFactory(), MerakiOrganizationFactory()
        MerakiAdministratorFactory(organization=acme, admin_id="42")
        MerakiAdministratorFactory(organization=beta, admin_id="42")  # same Meraki ID in another org: allowed
        with self.assertRaises(IntegrityError), transaction.atomic():
            MerakiAdministratorFactory(organization=acme, admin_id="42")
        self.assertEqual(MerakiAdministrator.natural_key_field_lookups, ["organization__organization_id", "admin_id"])

    def test_defaults_of_the_fields_the_sync_may_leave_out(self):
        org = MerakiOrganizationFactory()
        admin = MerakiAdministrator.objects.create(
            organization=org, admin_id="1", email="x@example.com", org_access="none"
        )
        admin.refresh_from_db()
        self.assertFalse(admin.two_factor_auth_enabled)
        self.assertFalse(admin.has_api_key)
        self.assertIsNone(admin.last_active)
        self.assertEqual((admin.network_privileges, admin.tag_privileges), ([], []))
        self.assertEqual((admin.name, admin.account_status, admin.authentication_method), ("", "", ""))
        self.assertEqual(list(org.administrators.all()), [admin])

    def test_privileges_round_trip_as_lists_of_objects(self):
        admin = MerakiAdministratorFactory(
            network_privileges=[{"id": "L_1", "access": "full"}], tag_privileges=[{"tag": "lab", "access": "guest"}]
        )
        admin.refresh_from_db()
        self.assertEqual(admin.network_privileges, [{"id": "L_1", "access": "full"}])
        self.assertEqual(admin.tag_privileges, [{"tag": "lab", "access": "guest"}])

    def test_an_unknown_meraki_value_is_stored_as_sent(self):
        admin = MerakiAdministratorFactory(org_access="some-new-level", account_status="suspended")
        admin.refresh_from_db()
        self.assertEqual((admin.org_access, admin.account_status), ("some-new-level", "suspended"))

    def test_emails_are_indexed_case_insensitively(self):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, MerakiAdministrator._meta.db_table)
        self.assertIn("nautobot_meraki_users_email_ci", constraints)
        self.assertTrue(constraints["nautobot_meraki_users_email_ci"]["index"])
