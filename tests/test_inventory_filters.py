"""FilterSets of the Meraki inventory, above all the audit filters on administrators."""

import re
from datetime import date

from django.test import override_settings
from factories import create_audit_inventory
from nautobot.apps.testing import FilterTestCases

from nautobot_meraki_users.filters import (
    MerakiAdministratorFilterSet,
    MerakiNetworkFilterSet,
    MerakiOrganizationFilterSet,
)
from nautobot_meraki_users.inventory.email_policy import database_accepts, full_match_pattern, is_portable
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization


def email_policy(regex):
    return override_settings(PLUGINS_CONFIG={"nautobot_meraki_users": {"email_regex": regex}})


class OrganizationFilterTest(FilterTestCases.FilterTestCase):
    queryset = MerakiOrganization.objects.all()
    filterset = MerakiOrganizationFilterSet
    generic_filter_tests = (["name"], ["organization_id"])

    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()

    def names(self, params):
        return sorted(self.filterset(params, self.queryset).qs.values_list("name", flat=True))

    def test_q_searches_name_and_meraki_id(self):
        self.assertEqual(self.names({"q": "acm"}), ["Acme"])
        self.assertEqual(self.names({"q": "200"}), ["Beta"])


class NetworkFilterTest(FilterTestCases.FilterTestCase):
    queryset = MerakiNetwork.objects.all()
    filterset = MerakiNetworkFilterSet
    generic_filter_tests = (
        ["name"],
        ["network_id"],
        ["organization", "organization__organization_id"],
        ["organization", "organization__id"],
    )

    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()

    def names(self, params):
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return sorted(filterset.qs.values_list("name", flat=True))

    def test_organization_by_meraki_id_or_pk(self):
        acme = self.inventory["organizations"]["acme"]
        self.assertEqual(self.names({"organization": ["100"]}), ["HQ", "Lab"])
        self.assertEqual(self.names({"organization": [str(acme.pk)]}), ["HQ", "Lab"])
        self.assertEqual(self.names({"organization": ["100", "300"]}), ["DC", "HQ", "Lab"])

    def test_unknown_organization_is_an_invalid_filter(self):
        self.assertFalse(self.filterset({"organization": ["999"]}, self.queryset).is_valid())

    def test_network_tags_contains_every_given_tag(self):
        self.assertEqual(self.names({"network_tags": ["branch"]}), ["HQ", "Store"])
        self.assertEqual(self.names({"network_tags": ["branch", "east"]}), ["HQ"])
        self.assertEqual(self.names({"network_tags": ["nowhere"]}), [])

    def test_q_searches_name_meraki_id_and_organization(self):
        self.assertEqual(self.names({"q": "stor"}), ["Store"])
        self.assertEqual(self.names({"q": "L_4"}), ["DC"])
        self.assertEqual(self.names({"q": "acme"}), ["HQ", "Lab"])


class AdministratorFilterTest(FilterTestCases.FilterTestCase):
    queryset = MerakiAdministrator.objects.all()
    filterset = MerakiAdministratorFilterSet
    generic_filter_tests = (
        ["admin_id"],
        ["name"],
        ["org_access"],
        ["account_status"],
        ["organization", "organization__organization_id"],
        ["organization", "organization__id"],
    )

    @classmethod
    def setUpTestData(cls):
        cls.inventory = create_audit_inventory()

    def keys(self, params):
        """The inventory keys (jane_a, bob, ...) of the admins the filter returns."""
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        by_pk = {admin.pk: key for key, admin in self.inventory["admins"].items()}
        return sorted(by_pk[pk] for pk in filterset.qs.values_list("pk", flat=True))

    def test_email_is_exact_and_case_insensitive(self):
        self.assertEqual(self.keys({"email": ["JANE@example.COM"]}), ["jane_a", "jane_b"])
        self.assertEqual(self.keys({"email": ["jane@example"]}), [])
        self.assertEqual(self.keys({"email": ["jane@example.com", "EVE@gmail.com"]}), ["eve", "jane_a", "jane_b"])

    def test_email_lookups(self):
        self.assertEqual(self.keys({"email__ic": ["EXAMPLE.COM"]}), ["bob", "carol", "dave", "jane_a", "jane_b"])
        self.assertEqual(self.keys({"email__iew": ["@GMAIL.COM"]}), ["eve"])
        self.assertEqual(self.keys({"email__isw": ["ja"]}), ["jane_a", "jane_b"])
        self.assertEqual(self.keys({"email__nic": ["example"]}), ["eve"])

    def test_q_searches_email_name_and_organization(self):
        self.assertEqual(self.keys({"q": "JANE@"}), ["jane_a", "jane_b"])
        self.assertEqual(self.keys({"q": "smith"}), ["bob"])
        self.assertEqual(self.keys({"q": "gamma"}), ["carol", "dave"])

    def test_organization_by_meraki_id(self):
        self.assertEqual(self.keys({"organization": ["200"]}), ["eve", "jane_b"])

    def test_two_factor_auth_off(self):
        self.assertEqual(self.keys({"two_factor_auth_enabled": False}), ["bob", "jane_b"])
        self.assertEqual(self.keys({"two_factor_auth_enabled": "false"}), ["bob", "jane_b"])
        self.assertEqual(self.keys({"two_factor_auth_enabled": True}), ["carol", "dave", "eve", "jane_a"])

    def test_inactive_since_includes_never_active_admins(self):
        self.assertEqual(self.keys({"inactive_since": "2025-01-01"}), ["bob", "jane_b"])
        self.assertEqual(self.keys({"inactive_since": date(2025, 12, 1)}), ["bob", "carol", "jane_b"])
        self.assertEqual(self.keys({"inactive_since": "2025-12-02"}), ["bob", "carol", "eve", "jane_b"])
        self.assertEqual(self.keys({"inactive_since": "2020-01-01"}), ["jane_b"])

    def test_inactive_since_rejects_a_non_date(self):
        self.assertFalse(self.filterset({"inactive_since": "last year"}, self.queryset).is_valid())

    def test_each_account_status(self):
        self.assertEqual(self.keys({"account_status": ["ok"]}), ["carol", "dave", "jane_a"])
        self.assertEqual(self.keys({"account_status": ["unverified"]}), ["jane_b"])
        self.assertEqual(self.keys({"account_status": ["pending"]}), ["bob"])
        self.assertEqual(self.keys({"account_status": ["locked"]}), ["eve"])
        self.assertEqual(self.keys({"account_status": ["pending", "locked"]}), ["bob", "eve"])
        self.assertEqual(self.keys({"account_status__n": ["ok"]}), ["bob", "eve", "jane_b"])
        self.assertFalse(self.filterset({"account_status": ["deleted"]}, self.queryset).is_valid())

    def test_each_org_access(self):
        self.assertEqual(self.keys({"org_access": ["full"]}), ["eve", "jane_a"])
        self.assertEqual(self.keys({"org_access": ["read-only"]}), ["bob", "jane_b"])
        self.assertEqual(self.keys({"org_access": ["enterprise"]}), ["dave"])
        self.assertEqual(self.keys({"org_access": ["none"]}), ["carol"])

    def test_has_api_key(self):
        self.assertEqual(self.keys({"has_api_key": True}), ["dave"])

    @email_policy(r"[^@]+@example\.com")
    def test_email_policy_violation_is_a_case_sensitive_full_match_like_the_jobs(self):
        # dave@corp.example.com contains "example.com" but does not fully match; the jobs' re.fullmatch is
        # case-sensitive, so Jane@Example.com is outside this policy too.
        self.assertEqual(self.keys({"email_policy_violation": True}), ["dave", "eve", "jane_b"])
        self.assertEqual(self.keys({"email_policy_violation": False}), ["bob", "carol", "jane_a"])
        pattern = re.compile(r"[^@]+@example\.com")
        outside = sorted(k for k, a in self.inventory["admins"].items() if not pattern.fullmatch(a.email))
        self.assertEqual(outside, ["dave", "eve", "jane_b"])

    @email_policy(r"(?i)[^@]+@(corp\.)?example\.com")
    def test_email_policy_is_read_when_filtering_and_may_start_with_flags(self):
        self.assertEqual(self.keys({"email_policy_violation": True}), ["eve"])

    @email_policy(r"(?P<user>[^@]+)@example\.com")
    def test_a_pattern_postgresql_rejects_is_matched_in_python(self):
        self.assertFalse(database_accepts(full_match_pattern(r"(?P<user>[^@]+)@example\.com"), self.queryset))
        self.assertEqual(self.keys({"email_policy_violation": True}), ["dave", "eve", "jane_b"])
        self.assertEqual(self.keys({"email_policy_violation": False}), ["bob", "carol", "jane_a"])

    @email_policy(r"[^@]+@\bexample\.com")
    def test_a_pattern_the_database_reads_differently_is_matched_in_python(self):
        # `\b` is a word boundary in Python but a backspace in PostgreSQL; the filter must agree with the jobs.
        self.assertEqual(self.keys({"email_policy_violation": True}), ["dave", "eve", "jane_b"])
        self.assertEqual(self.keys({"email_policy_violation": False}), ["bob", "carol", "jane_a"])

    @email_policy(r"[[:alpha:]]+@example\.com")
    def test_a_posix_class_means_what_python_says(self):
        # Python reads `[[:alpha:]]` as a set of the characters "[:alph" followed by "]": no email matches.
        self.assertEqual(len(self.keys({"email_policy_violation": True})), 6)

    @email_policy(None)
    def test_without_a_policy_nothing_violates(self):
        self.assertEqual(self.keys({"email_policy_violation": True}), [])
        self.assertEqual(len(self.keys({"email_policy_violation": False})), 6)

    @email_policy("")
    def test_a_blank_policy_is_no_policy(self):
        self.assertEqual(self.keys({"email_policy_violation": True}), [])

    @email_policy(r"[^@]+@example\.com")
    def test_audit_filters_combine(self):
        params = {"two_factor_auth_enabled": False, "inactive_since": "2025-01-01", "organization": ["100"]}
        self.assertEqual(self.keys(params), ["bob"])
        self.assertEqual(self.keys({"email_policy_violation": True, "account_status": ["ok"]}), ["dave"])


class EmailPolicyPatternTest(FilterTestCases.BaseFilterTestCase):
    def test_patterns_are_anchored_with_flags_in_front(self):
        self.assertEqual(full_match_pattern(r"a|b"), "^(?:a|b)$")
        self.assertEqual(full_match_pattern(r"(?i)a|b"), "(?i)^(?:a|b)$")
        admins = MerakiAdministrator.objects.all()
        self.assertTrue(database_accepts(full_match_pattern(r"(?i)[a-z]+@example\.com"), admins))

    def test_only_syntax_python_and_the_database_read_alike_goes_to_the_database(self):
        portable = [
            r"[^@]+@example\.com",
            r"(?i)[a-z0-9._%+-]+@(corp\.)?example\.com",
            r"[]a-]+\w*@x\.org",
            r"\d{2,3}@x",
        ]
        for regex in portable:
            self.assertTrue(is_portable(regex), regex)
        python_only = [
            r"\bx@x",
            r"[[:alpha:]]+@x",
            r"(?P<u>.+)@x",
            r"(.)\1@x",
            r"(?=a)a@x",
            r"(?s).+@x",
            r"x@x\Z",
            "x\\",
        ]
        for regex in python_only:
            self.assertFalse(is_portable(regex), regex)
