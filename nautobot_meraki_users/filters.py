"""FilterSets of the Meraki inventory and the access policy: UI lists, REST API, GraphQL and the audit questions.

Audit filters on administrators: `two_factor_auth_enabled=False` (2FA off), `inactive_since=<date>` (last
active before that day, or never), `account_status=<status>`, `email_policy_violation=True` (the email does
not fully match the app's `email_regex`).
"""

import django_filters
from django.db.models import Q
from nautobot.apps.filters import (
    BooleanFilter,
    MultipleChoiceFilter,
    MultiValueCharFilter,
    NaturalKeyOrPKMultipleChoiceFilter,
    NautobotFilterSet,
    SearchFilter,
)

from nautobot_meraki_users.choices import AccountStatusChoices, FindingChoices, OrgAccessChoices
from nautobot_meraki_users.errors import ConfigurationError
from nautobot_meraki_users.inventory.email_policy import compliant_email_condition, configured_email_regex
from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiAdministrator,
    MerakiNetwork,
    MerakiOrganization,
    MerakiSamlRole,
)
from nautobot_meraki_users.operations.login_security import check
from nautobot_meraki_users.settings import load_settings


def organization_filter() -> NaturalKeyOrPKMultipleChoiceFilter:
    """A filter on the parent organization, given by its Meraki ID or its Nautobot UUID."""
    return NaturalKeyOrPKMultipleChoiceFilter(
        queryset=MerakiOrganization.objects.all(),
        to_field_name="organization_id",
        label="Organization (Meraki ID or ID)",
    )


def organizations_filter() -> NaturalKeyOrPKMultipleChoiceFilter:
    """A filter on a grant's or exemption's organizations (Meraki ID or UUID); `all_organizations` ones not included."""
    return NaturalKeyOrPKMultipleChoiceFilter(
        field_name="organizations",
        queryset=MerakiOrganization.objects.all(),
        to_field_name="organization_id",
        label="Organizations (Meraki ID or ID)",
    )


def profile_filter(field_name: str) -> NaturalKeyOrPKMultipleChoiceFilter:
    """A filter on an access profile, given by its name or its UUID."""
    return NaturalKeyOrPKMultipleChoiceFilter(
        field_name=field_name, queryset=AccessProfile.objects.all(), to_field_name="name", label="Profile (name or ID)"
    )


def email_filter() -> MultiValueCharFilter:
    """A filter on the person's email, exact but in any case (`email__ic` and the other lookups come with it)."""
    return MultiValueCharFilter(lookup_expr="iexact", label="Email (exact, case-insensitive)")


def dashboard_filter(field_name: str) -> MultiValueCharFilter:
    """A filter on the Dashboard connection (its name, exact) that reaches the organization."""
    return MultiValueCharFilter(field_name=field_name, label="Dashboard connection")


class MerakiOrganizationFilterSet(NautobotFilterSet):
    """Filter Meraki organizations by name, Meraki ID or Dashboard connection; `q` searches name and ID."""

    q = SearchFilter(filter_predicates={"name": "icontains", "organization_id": "icontains"})
    dashboard = dashboard_filter("dashboard")
    login_security_compliant = BooleanFilter(
        method="filter_login_security_compliant", label="Login security meets the login_security_baseline"
    )

    class Meta:
        model = MerakiOrganization
        fields = ["id", "organization_id", "name", "dashboard_url", "dashboard", "saml_enabled", "last_seen", "tags"]

    def filter_login_security_compliant(self, queryset, name, value):
        """True: organizations whose login security (as last synced) meets the baseline; False: those that do not.

        Organizations whose login security was never read are in neither; without a baseline every one read meets it.
        """
        if value is None:
            return queryset
        read = queryset.exclude(login_security={})
        try:
            rules = load_settings().login_security_rules
        except ConfigurationError:  # a bad baseline is reported by the jobs; no organization can be judged by it
            return queryset.none()
        compliant = [pk for pk, record in read.values_list("pk", "login_security") if not check(record, rules)]
        return read.filter(pk__in=compliant) if value else read.exclude(pk__in=compliant)


class MerakiNetworkFilterSet(NautobotFilterSet):
    """Filter Meraki networks by organization, name, Meraki ID or Meraki tags."""

    q = SearchFilter(
        filter_predicates={"name": "icontains", "network_id": "icontains", "organization__name": "icontains"}
    )
    organization = organization_filter()
    dashboard = dashboard_filter("organization__dashboard")
    network_tags = MultiValueCharFilter(
        method="filter_network_tags", label="Meraki tags (networks carrying all the given tags)"
    )

    class Meta:
        model = MerakiNetwork
        fields = ["id", "network_id", "organization", "name", "last_seen", "tags"]

    def __init__(self, data=None, *args, **kwargs):
        """`organization=all` (the jobs' word for every organization) means no organization filter."""
        if hasattr(data, "getlist") and any(value.lower() == "all" for value in data.getlist("organization")):
            data = data.copy()
            data.pop("organization")
        super().__init__(data, *args, **kwargs)

    def filter_network_tags(self, queryset, name, value):
        """Networks whose Meraki tags contain every given tag."""
        tags = [tag for tag in value if tag]
        return queryset.filter(network_tags__contains=tags) if tags else queryset


class MerakiAdministratorFilterSet(NautobotFilterSet):
    """Filter Meraki administrators, including the audit filters named in the module docstring."""

    q = SearchFilter(
        filter_predicates={
            "email": "icontains",
            "name": "icontains",
            "admin_id": "iexact",
            "organization__name": "icontains",
        }
    )
    organization = organization_filter()
    dashboard = dashboard_filter("organization__dashboard")
    email = MultiValueCharFilter(lookup_expr="iexact", label="Email (exact, case-insensitive)")
    org_access = MultipleChoiceFilter(choices=OrgAccessChoices, label="Organization access")
    account_status = MultipleChoiceFilter(choices=AccountStatusChoices)
    inactive_since = django_filters.DateFilter(
        method="filter_inactive_since", label="Inactive since (last active before this date, or never)"
    )
    email_policy_violation = BooleanFilter(
        method="filter_email_policy_violation", label="Email violates the email_regex policy"
    )
    two_factor_unprotected = BooleanFilter(
        method="filter_two_factor_unprotected", label="2FA off in an organization that does not enforce 2FA"
    )

    class Meta:
        model = MerakiAdministrator
        fields = [
            "id",
            "admin_id",
            "organization",
            "email",
            "name",
            "org_access",
            "account_status",
            "two_factor_auth_enabled",
            "has_api_key",
            "last_active",
            "authentication_method",
            "last_seen",
            "tags",
        ]

    def filter_inactive_since(self, queryset, name, value):
        """Administrators not active since `value`: last active before that day, or never active."""
        if value is None:
            return queryset
        return queryset.filter(Q(last_active__date__lt=value) | Q(last_active__isnull=True))

    def filter_email_policy_violation(self, queryset, name, value):
        """True: emails outside the policy (none when no policy is set); False: emails within it."""
        if value is None:
            return queryset
        regex = configured_email_regex()
        if regex is None:
            return queryset.none() if value else queryset
        compliant = compliant_email_condition(regex, queryset)
        return queryset.exclude(compliant) if value else queryset.filter(compliant)

    def filter_two_factor_unprotected(self, queryset, name, value):
        """True: admins without 2FA in an organization whose login security (as last synced) does not enforce it."""
        if value is None:
            return queryset
        unprotected = Q(two_factor_auth_enabled=False, organization__login_security__enforceTwoFactorAuth=False)
        return queryset.filter(unprotected) if value else queryset.exclude(unprotected)


class MerakiSamlRoleFilterSet(NautobotFilterSet):
    """Filter Meraki SAML roles by organization, connection, name (exact, as Meraki matches it) or org access."""

    q = SearchFilter(filter_predicates={"role": "icontains", "role_id": "iexact", "organization__name": "icontains"})
    organization = organization_filter()
    dashboard = dashboard_filter("organization__dashboard")
    role = MultiValueCharFilter(label="Role name (exact)")
    org_access = MultipleChoiceFilter(choices=OrgAccessChoices, label="Organization access")

    class Meta:
        model = MerakiSamlRole
        fields = ["id", "role_id", "organization", "role", "org_access", "last_seen", "tags"]


class AccessProfileFilterSet(NautobotFilterSet):
    """Filter access profiles by name or org access; `q` searches name and description."""

    q = SearchFilter(filter_predicates={"name": "icontains", "description": "icontains"})
    org_access = MultipleChoiceFilter(choices=OrgAccessChoices, label="Organization access")

    class Meta:
        model = AccessProfile
        fields = ["id", "name", "description", "org_access", "tags"]


class AccessGrantFilterSet(NautobotFilterSet):
    """Filter access grants by email, profile, organization, expiry; `q` searches email, name and reason."""

    q = SearchFilter(
        filter_predicates={"email": "icontains", "saml_role": "icontains", "name": "icontains", "reason": "icontains"}
    )
    email = email_filter()
    profile = profile_filter("profile")
    organizations = organizations_filter()

    class Meta:
        model = AccessGrant
        fields = ["id", "email", "saml_role", "name", "user", "profile", "organizations", "all_organizations",
                  "expires", "reason", "tags"]  # fmt: skip


class AccessExemptionFilterSet(NautobotFilterSet):
    """Filter access exemptions by email or organization; `q` searches email and reason."""

    q = SearchFilter(filter_predicates={"email": "icontains", "reason": "icontains"})
    email = email_filter()
    organizations = organizations_filter()

    class Meta:
        model = AccessExemption
        fields = ["id", "email", "organizations", "all_organizations", "reason", "tags"]


class AccessFindingFilterSet(NautobotFilterSet):
    """Filter access findings by organization, finding, email, grant, the grant's profile, or when found."""

    q = SearchFilter(
        filter_predicates={"email": "icontains", "message": "icontains", "organization__name": "icontains"}
    )
    organization = organization_filter()
    finding = MultipleChoiceFilter(choices=FindingChoices)
    email = email_filter()
    profile = profile_filter("grant__profile")

    class Meta:
        model = AccessFinding
        fields = [
            "id", "organization", "email", "saml_role", "finding", "expected", "actual", "grant", "message", "found",
        ]  # fmt: skip
