"""REST API and GraphQL of the access policy: profiles, grants and exemptions (writeable), findings (read-only)."""

import csv
import io

from django.test import override_settings
from django.urls import reverse
from nautobot.apps.testing import APITestCase, APIViewTestCases
from nautobot.core.graphql import execute_query
from policy_factories import create_policy
from rest_framework import status

from nautobot_meraki_users.models import AccessExemption, AccessFinding, AccessGrant, AccessProfile

API = "plugins-api:nautobot_meraki_users-api:{}"


class PolicyAPITestMixin:
    @classmethod
    def setUpTestData(cls):
        cls.policy = create_policy()
        cls.orgs = cls.policy["organizations"]
        cls.profiles = cls.policy["profiles"]


# ---------------------------------------------------------------------------------------------------------------------
# Nautobot's generic API tests: CRUD, permissions, depth, CSV export and re-import, notes
# ---------------------------------------------------------------------------------------------------------------------


class AccessProfileAPITest(PolicyAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = AccessProfile
    choices_fields = ["org_access"]
    update_data = {"description": "Changed", "tag_privileges": [{"tag": "lab", "access": "read-only"}]}
    bulk_update_data = {"description": "Bulk changed"}
    create_data = [
        {
            "name": "Guests",
            "org_access": "none",
            "network_privileges": [{"network": "HQ", "access": "guest-ambassador"}],
        },
        {"name": "Owners", "org_access": "full", "description": "Everything"},
        {"name": "Enterprise", "org_access": "enterprise", "tag_privileges": [{"tag": "east", "access": "full"}]},
    ]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for name in ("Unused 1", "Unused 2", "Unused 3"):  # deletable: no grant protects them
            AccessProfile.objects.create(name=name, org_access="read-only")


class AccessGrantAPITest(PolicyAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = AccessGrant
    update_data = {"reason": "CHG-2", "name": "Renamed"}
    bulk_update_data = {"reason": "Quarterly review"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        acme, beta = cls.orgs["acme"].pk, cls.orgs["beta"].pk
        cls.create_data = [
            {"email": "new1@example.com", "profile": cls.profiles["readers"].pk, "organizations": [acme]},
            {"email": "new2@example.com", "profile": cls.profiles["admins"].pk, "organizations": [acme, beta]},
            {"email": "new3@example.com", "profile": cls.profiles["readers"].pk, "all_organizations": True},
        ]


class AccessExemptionAPITest(PolicyAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = AccessExemption
    update_data = {"reason": "service account"}
    bulk_update_data = {"reason": "reviewed"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        acme = cls.orgs["acme"].pk
        AccessExemption.objects.create(email="svc1@example.com", all_organizations=True)
        AccessExemption.objects.create(email="svc2@example.com", all_organizations=True)
        cls.create_data = [
            {"email": "robot1@example.com", "organizations": [acme], "reason": "monitoring"},
            {"email": "robot2@example.com", "all_organizations": True},
            {"email": "robot3@example.com", "organizations": [acme]},
        ]


class AccessFindingAPITest(
    PolicyAPITestMixin, APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase
):
    model = AccessFinding


# ---------------------------------------------------------------------------------------------------------------------
# The contract scripts rely on
# ---------------------------------------------------------------------------------------------------------------------


class PolicyAPIContractTest(PolicyAPITestMixin, APITestCase):
    model = AccessGrant

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def url(self, name, pk=None):
        return reverse(API.format(name), kwargs={"pk": pk} if pk else None)

    def post(self, name, data):
        return self.client.post(self.url(f"{name}-list"), data, format="json", **self.header)

    def assert_refused(self, response, field, *words):
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        body = response.json()
        if isinstance(body, list):  # a list or CSV request: the errors of each row
            body = next(row for row in body if row)
        self.assertIn(field, body, body)
        text = " ".join(str(message) for message in body[field])
        for word in words:
            self.assertIn(word, text)
        return text

    def test_urls(self):
        for name, path in (
            ("accessprofile", "access-profiles"),
            ("accessgrant", "access-grants"),
            ("accessexemption", "access-exemptions"),
            ("accessfinding", "access-findings"),
        ):
            self.assertEqual(self.url(f"{name}-list"), f"/api/plugins/meraki-users/{path}/")

    def test_create_a_profile_and_a_grant_by_natural_keys(self):
        response = self.post(
            "accessprofile",
            {
                "name": "Branch operators",
                "description": "Stores",
                "org_access": "none",
                "network_privileges": [{"network": "L_1", "access": "read-only"}],
                "tag_privileges": [{"tag": "branch", "access": "full"}],
            },
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        profile = response.json()
        self.assertEqual(profile["org_access"], "none")  # a plain string, as on administrators
        self.assertEqual(profile["network_privileges"], [{"network": "L_1", "access": "read-only"}])

        response = self.post(
            "accessgrant",
            {
                "email": "Sam@Example.com",
                "name": "Sam",
                "profile": {"name": "Branch operators"},
                "organizations": [{"organization_id": "100"}, {"organization_id": "300"}],
                "expires": "2026-06-30",
                "reason": "CHG-7",
            },
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        body = response.json()
        self.assertEqual(body["profile"]["id"], profile["id"])
        self.assertEqual(body["expires"], "2026-06-30")
        self.assertFalse(body["all_organizations"])
        grant = AccessGrant.objects.get(pk=body["id"])
        self.assertEqual(sorted(grant.organizations.values_list("name", flat=True)), ["Acme", "Gamma"])
        self.assertEqual(str(grant.profile), "Branch operators")

    def test_an_exemption_by_meraki_organization_id(self):
        response = self.post(
            "accessexemption", {"email": "svc@example.com", "organizations": [{"organization_id": "200"}]}
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        exemption = AccessExemption.objects.get(pk=response.json()["id"])
        self.assertEqual([org.name for org in exemption.organizations.all()], ["Beta"])

    def test_unknown_access_levels_are_refused(self):
        base = {"name": "Bad", "org_access": "full"}
        self.assert_refused(
            self.post("accessprofile", {**base, "org_access": "owner"}), "org_access", "'owner'", "full"
        )
        text = self.assert_refused(
            self.post("accessprofile", {**base, "network_privileges": [{"network": "HQ", "access": "owner"}]}),
            "network_privileges",
            "'owner'",
        )
        self.assertIn("monitor-only", text)  # it says which levels exist
        self.assert_refused(
            self.post("accessprofile", {**base, "tag_privileges": [{"tag": "branch"}]}), "tag_privileges", "access"
        )
        self.assert_refused(
            self.post("accessprofile", {**base, "tag_privileges": "branch"}), "tag_privileges", "must be a list"
        )
        self.assertFalse(AccessProfile.objects.filter(name="Bad").exists())

    def test_an_email_that_is_not_one_is_refused(self):
        for name, extra in (("accessgrant", {"profile": {"name": "Readers"}}), ("accessexemption", {})):
            with self.subTest(name):
                response = self.post(name, {"email": "not-an-email", "all_organizations": True, **extra})
                self.assert_refused(response, "email", "not-an-email", "not an email address")

    def test_neither_or_both_organizations_and_all_organizations_are_refused(self):
        for name, extra in (("accessgrant", {"profile": {"name": "Readers"}}), ("accessexemption", {})):
            with self.subTest(name):
                neither = self.post(name, {"email": "kim@example.com", **extra})
                self.assert_refused(neither, "organizations", "all_organizations")
                both = self.post(
                    name,
                    {
                        "email": "kim@example.com",
                        "organizations": [{"organization_id": "100"}],
                        "all_organizations": True,
                        **extra,
                    },
                )
                self.assert_refused(both, "all_organizations", "Drop one")
        self.assertFalse(AccessGrant.objects.filter(email="kim@example.com").exists())

    def test_a_second_grant_for_the_same_person_and_organization_is_refused(self):
        jane = self.policy["grants"]["jane"]
        response = self.post(
            "accessgrant",
            {
                "email": "JANE@example.com",  # the same person in other capitals
                "profile": {"name": "Readers"},
                "organizations": [{"organization_id": "200"}, {"organization_id": "300"}],
            },
        )
        text = self.assert_refused(
            response, "organizations", str(jane.pk), "jane@example.com", "Network admins", "Beta"
        )
        self.assertNotIn("Gamma", text)  # only the shared organization is named
        # Where Jane has no grant, a second grant is fine.
        ok = self.post(
            "accessgrant",
            {
                "email": "jane@example.com",
                "profile": {"name": "Readers"},
                "organizations": [{"organization_id": "300"}],
            },
        )
        self.assertHttpStatus(ok, status.HTTP_201_CREATED)

    def test_all_organizations_collides_with_any_grant_of_the_person(self):
        bob = self.policy["grants"]["bob"]  # all organizations
        response = self.post(
            "accessgrant",
            {
                "email": "bob@example.com",
                "profile": {"name": "Monitors"},
                "organizations": [{"organization_id": "300"}],
            },
        )
        self.assert_refused(response, "organizations", str(bob.pk), "every organization")
        response = self.post(
            "accessgrant", {"email": "jane@example.com", "profile": {"name": "Readers"}, "all_organizations": True}
        )
        self.assert_refused(response, "all_organizations", str(self.policy["grants"]["jane"].pk))

    def test_editing_a_grant_does_not_collide_with_itself_but_with_others(self):
        jane = self.policy["grants"]["jane"]
        url = self.url("accessgrant-detail", jane.pk)
        response = self.client.patch(url, {"reason": "CHG-9"}, format="json", **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        carol = self.policy["grants"]["carol"]
        response = self.client.patch(
            self.url("accessgrant-detail", carol.pk),
            {"email": "jane@example.com", "organizations": [{"organization_id": "100"}]},
            format="json",
            **self.header,
        )
        self.assert_refused(response, "organizations", str(jane.pk), "Acme")
        carol.refresh_from_db()
        self.assertEqual(carol.email, "carol@example.com")

    def test_two_colliding_grants_in_one_request_are_both_refused(self):
        rows = [
            {"email": "lee@example.com", "profile": {"name": "Readers"}, "organizations": [{"organization_id": "100"}]},
            {
                "email": "LEE@example.com",
                "profile": {"name": "Monitors"},
                "organizations": [{"organization_id": "100"}],
            },
        ]
        self.assert_refused(self.post("accessgrant", rows), "organizations", "lee@example.com", "Acme")
        self.assertFalse(AccessGrant.objects.filter(email__iexact="lee@example.com").exists())

    def test_a_duplicate_exemption_is_refused(self):
        dave = self.policy["exemptions"]["dave"]
        response = self.post(
            "accessexemption", {"email": "Dave@corp.example.com", "organizations": [{"organization_id": "100"}]}
        )
        self.assert_refused(response, "organizations", str(dave.pk), "exemption")

    def test_csv_import_of_grants_by_natural_keys(self):
        data = (
            "email,name,profile,organizations,all_organizations,expires,reason\n"
            'amy@example.com,Amy,Readers,"100,200",false,2026-09-30,CHG-11\n'
            "ben@example.com,Ben,Network admins,,true,,\n"
        )
        response = self.client.post(self.url("accessgrant-list"), data, content_type="text/csv", **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED, data)
        amy = AccessGrant.objects.get(email="amy@example.com")
        self.assertEqual(sorted(amy.organizations.values_list("organization_id", flat=True)), ["100", "200"])
        self.assertEqual((amy.profile.name, str(amy.expires), amy.reason), ("Readers", "2026-09-30", "CHG-11"))
        ben = AccessGrant.objects.get(email="ben@example.com")
        self.assertTrue(ben.all_organizations)
        self.assertIsNone(ben.expires)

    def test_csv_import_refuses_a_colliding_row(self):
        data = "email,profile,organizations\njane@example.com,Readers,100\n"
        response = self.client.post(self.url("accessgrant-list"), data, content_type="text/csv", **self.header)
        self.assert_refused(response, "organizations", str(self.policy["grants"]["jane"].pk))

    def test_csv_import_of_profiles_and_exemptions(self):
        profiles = (
            "name,org_access,network_privileges,tag_privileges\n"
            'Ops,none,"[{""network"": ""HQ"", ""access"": ""full""}]",[]\n'
        )
        response = self.client.post(self.url("accessprofile-list"), profiles, content_type="text/csv", **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED, profiles)
        self.assertEqual(
            AccessProfile.objects.get(name="Ops").network_privileges, [{"network": "HQ", "access": "full"}]
        )
        exemptions = "email,organizations,all_organizations,reason\nbot@example.com,300,false,robot\n"
        response = self.client.post(
            self.url("accessexemption-list"), exemptions, content_type="text/csv", **self.header
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED, exemptions)
        self.assertEqual(AccessExemption.objects.get(email="bot@example.com").organizations.get().name, "Gamma")

    def test_csv_export_lists_organizations_and_is_formula_safe(self):
        jane = self.policy["grants"]["jane"]
        AccessGrant.objects.filter(pk=jane.pk).update(name='=HYPERLINK("http://evil")')
        response = self.client.get(
            self.url("accessgrant-list"), {"email": "jane@example.com", "format": "csv"}, **self.header
        )
        self.assertHttpStatus(response, status.HTTP_200_OK)
        rows = list(csv.DictReader(io.StringIO(response.content.decode(response.charset))))
        self.assertEqual(rows[0]["organizations"], "100,200")
        self.assertEqual(rows[0]["profile__name"], "Network admins")
        self.assertEqual(rows[0]["name"], '\'=HYPERLINK("http://evil")')


@override_settings(EXEMPT_VIEW_PERMISSIONS=["*"])
class AccessFindingAPITestContract(PolicyAPITestMixin, APITestCase):
    model = AccessFinding

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.list_url = reverse(API.format("accessfinding-list"))

    def emails(self, params):
        response = self.client.get(self.list_url, params, **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        return sorted(f["email"] for f in response.json()["results"])

    def test_findings_are_read_only(self):
        finding = self.policy["findings"]["eve_beta"]
        detail = reverse(API.format("accessfinding-detail"), kwargs={"pk": finding.pk})
        data = {"organization": str(finding.organization.pk), "email": "x@example.com", "finding": "missing"}
        self.assertHttpStatus(self.client.post(self.list_url, data, format="json", **self.header), 405)
        self.assertHttpStatus(self.client.patch(detail, {"email": "x@example.com"}, format="json", **self.header), 405)
        self.assertHttpStatus(self.client.put(detail, data, format="json", **self.header), 405)
        self.assertHttpStatus(self.client.delete(detail, **self.header), 405)
        allowed = self.client.options(self.list_url, **self.header)["Allow"]
        self.assertEqual(sorted(m.strip() for m in allowed.split(",")), ["GET", "HEAD", "OPTIONS"])
        self.assertEqual(AccessFinding.objects.get(pk=finding.pk).email, "eve@gmail.com")

    def test_finding_fields(self):
        finding = self.policy["findings"]["jane_beta"]
        body = self.client.get(
            reverse(API.format("accessfinding-detail"), kwargs={"pk": finding.pk}), **self.header
        ).json()
        self.assertEqual((body["finding"], body["expected"], body["actual"]), ("different", "full", "read-only"))
        self.assertEqual(body["organization"]["id"], str(self.orgs["beta"].pk))
        self.assertEqual(body["grant"]["id"], str(self.policy["grants"]["jane"].pk))
        self.assertEqual(body["found"], "2026-02-01T12:00:00Z")
        self.assertIn("message", body)

    def test_filters(self):
        everyone = ["Jane@Example.com", "carol@example.com", "eve@gmail.com"]
        self.assertEqual(self.emails({}), everyone)
        self.assertEqual(self.emails({"organization": "200"}), ["Jane@Example.com", "eve@gmail.com"])
        self.assertEqual(self.emails({"organization": str(self.orgs["gamma"].pk)}), ["carol@example.com"])
        self.assertEqual(self.emails({"finding": ["missing", "unmanaged"]}), ["carol@example.com", "eve@gmail.com"])
        self.assertEqual(self.emails({"email": "jane@EXAMPLE.com"}), ["Jane@Example.com"])
        self.assertEqual(self.emails({"email__ic": "example"}), ["Jane@Example.com", "carol@example.com"])
        self.assertEqual(self.emails({"grant": str(self.policy["grants"]["carol"].pk)}), ["carol@example.com"])
        self.assertEqual(self.emails({"profile": "Network admins"}), ["Jane@Example.com"])
        self.assertEqual(self.emails({"profile": str(self.profiles["monitors"].pk)}), ["carol@example.com"])
        self.assertEqual(self.emails({"found__gte": "2026-01-15"}), ["Jane@Example.com", "carol@example.com"])
        self.assertEqual(self.emails({"found__lt": "2026-01-15"}), ["eve@gmail.com"])
        response = self.client.get(self.list_url, {"finding": "bogus"}, **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn("finding", response.json())

    def test_csv_export_is_formula_safe(self):
        AccessFinding.objects.filter(pk=self.policy["findings"]["eve_beta"].pk).update(actual="=cmd|' /C calc'!A0")
        response = self.client.get(self.list_url, {"email": "eve@gmail.com", "format": "csv"}, **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        rows = list(csv.DictReader(io.StringIO(response.content.decode(response.charset))))
        self.assertEqual(rows[0]["actual"], "'=cmd|' /C calc'!A0")
        self.assertEqual(rows[0]["finding"], "unmanaged")


class PolicyGraphQLTest(PolicyAPITestMixin, APITestCase):
    model = AccessGrant

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def query(self, text):
        result = execute_query(text, user=self.user)
        self.assertIsNone(result.errors, result.errors)
        return result.data

    def test_grants_profiles_exemptions_and_findings(self):
        data = self.query(
            '{ access_grants(email: ["jane@example.com"]) { email all_organizations profile { name org_access } '
            "organizations { organization_id } } }"
        )
        grant = data["access_grants"][0]
        self.assertEqual(grant["profile"]["name"], "Network admins")
        self.assertEqual(sorted(o["organization_id"] for o in grant["organizations"]), ["100", "200"])
        data = self.query(
            '{ access_findings(finding: ["unmanaged"]) { email finding organization { name } grant { id } } }'
        )
        self.assertEqual(
            data["access_findings"],  # Nautobot's GraphQL gives a choice as its enum name
            [{"email": "eve@gmail.com", "finding": "UNMANAGED", "organization": {"name": "Beta"}, "grant": None}],
        )
        data = self.query("{ access_profiles { name } access_exemptions { email all_organizations } }")
        self.assertEqual(len(data["access_profiles"]), 3)
        self.assertEqual(data["access_exemptions"], [{"email": "dave@corp.example.com", "all_organizations": True}])
