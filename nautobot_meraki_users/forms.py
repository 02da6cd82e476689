"""Filter forms of the Meraki inventory lists. The inventory is read-only, so there are no create/edit forms."""

from django import forms
from nautobot.apps.constants import BOOLEAN_WITH_BLANK_CHOICES
from nautobot.apps.forms import (
    DatePicker,
    DynamicModelMultipleChoiceField,
    MultiValueCharField,
    NautobotFilterForm,
    StaticSelect2,
    StaticSelect2Multiple,
    TagFilterField,
)

from nautobot_meraki_users.choices import AccountStatusChoices, OrgAccessChoices
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole


def boolean_filter_field(label: str) -> forms.NullBooleanField:
    """A yes / no / any select for a boolean filter."""
    return forms.NullBooleanField(required=False, label=label, widget=StaticSelect2(choices=BOOLEAN_WITH_BLANK_CHOICES))


def organization_filter_field() -> DynamicModelMultipleChoiceField:
    """A picker of organizations that submits their Meraki IDs, as the `organization` filter expects."""
    return DynamicModelMultipleChoiceField(
        queryset=MerakiOrganization.objects.all(), to_field_name="organization_id", required=False
    )


class MerakiOrganizationFilterForm(NautobotFilterForm):
    """Filter the organization list."""

    model = MerakiOrganization
    field_order = ["q", "name", "organization_id", "dashboard", "saml_enabled", "login_security_compliant", "tags"]

    q = forms.CharField(required=False, label="Search")
    name = MultiValueCharField(required=False)
    organization_id = MultiValueCharField(required=False, label="Meraki ID")
    dashboard = MultiValueCharField(required=False, label="Dashboard connection")
    saml_enabled = boolean_filter_field("SAML enabled")
    login_security_compliant = boolean_filter_field("Login security meets the baseline")
    tags = TagFilterField(model)


class MerakiNetworkFilterForm(NautobotFilterForm):
    """Filter the network list."""

    model = MerakiNetwork
    field_order = ["q", "organization", "dashboard", "name", "network_id", "network_tags", "tags"]

    q = forms.CharField(required=False, label="Search")
    organization = organization_filter_field()
    dashboard = MultiValueCharField(required=False, label="Dashboard connection")
    name = MultiValueCharField(required=False)
    network_id = MultiValueCharField(required=False, label="Meraki ID")
    network_tags = MultiValueCharField(required=False, label="Meraki tags")
    tags = TagFilterField(model)


class MerakiAdministratorFilterForm(NautobotFilterForm):
    """Filter the administrator list, with the audit filters."""

    model = MerakiAdministrator
    field_order = [
        "q",
        "email",
        "organization",
        "dashboard",
        "org_access",
        "account_status",
        "two_factor_auth_enabled",
        "inactive_since",
        "email_policy_violation",
        "two_factor_unprotected",
        "has_api_key",
        "tags",
    ]

    q = forms.CharField(required=False, label="Search")
    email = MultiValueCharField(required=False, label="Email (exact, any case)")
    organization = organization_filter_field()
    dashboard = MultiValueCharField(required=False, label="Dashboard connection")
    org_access = forms.MultipleChoiceField(
        choices=OrgAccessChoices, required=False, label="Organization access", widget=StaticSelect2Multiple()
    )
    account_status = forms.MultipleChoiceField(
        choices=AccountStatusChoices, required=False, widget=StaticSelect2Multiple()
    )
    two_factor_auth_enabled = boolean_filter_field("2FA enabled")
    inactive_since = forms.DateField(
        required=False, label="Inactive since", help_text="Last active before this date, or never.", widget=DatePicker()
    )
    email_policy_violation = boolean_filter_field("Email violates policy")
    two_factor_unprotected = boolean_filter_field("2FA off where the organization does not enforce it")
    has_api_key = boolean_filter_field("Has API key")
    tags = TagFilterField(model)


class MerakiSamlRoleFilterForm(NautobotFilterForm):
    """Filter the SAML role list."""

    model = MerakiSamlRole
    field_order = ["q", "organization", "dashboard", "role", "org_access", "tags"]

    q = forms.CharField(required=False, label="Search")
    organization = organization_filter_field()
    dashboard = MultiValueCharField(required=False, label="Dashboard connection")
    role = MultiValueCharField(required=False, label="Role name (exact)")
    org_access = forms.MultipleChoiceField(
        choices=OrgAccessChoices, required=False, label="Organization access", widget=StaticSelect2Multiple()
    )
    tags = TagFilterField(model)
