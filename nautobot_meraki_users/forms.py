"""Forms: filters of every list; add/edit forms of the access policy (the inventory is read-only)."""

from django import forms
from django.contrib.auth import get_user_model
from nautobot.apps.constants import BOOLEAN_WITH_BLANK_CHOICES
from nautobot.apps.forms import (
    DatePicker,
    DynamicModelChoiceField,
    DynamicModelMultipleChoiceField,
    JSONField,
    MultiValueCharField,
    NautobotFilterForm,
    NautobotModelForm,
    StaticSelect2,
    StaticSelect2Multiple,
    TagFilterField,
)

from nautobot_meraki_users.choices import AccountStatusChoices, FindingChoices, OrgAccessChoices
from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiAdministrator,
    MerakiNetwork,
    MerakiOrganization,
    MerakiSamlRole,
    scope_errors,
)


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


# ---------------------------------------------------------------------------------------------------------------------
# The access policy
# ---------------------------------------------------------------------------------------------------------------------


def profile_filter_field() -> DynamicModelMultipleChoiceField:
    """A picker of access profiles that submits their names, as the `profile` filter accepts."""
    return DynamicModelMultipleChoiceField(queryset=AccessProfile.objects.all(), to_field_name="name", required=False)


class AccessProfileForm(NautobotModelForm):
    """Add or edit an access profile; the privileges are JSON lists."""

    network_privileges = JSONField(
        required=False,
        label="Network privileges",
        help_text='A list of {"network": name or Meraki ID, "access": level}.',
    )
    tag_privileges = JSONField(
        required=False, label="Tag privileges", help_text='A list of {"tag": name, "access": level}.'
    )

    class Meta:
        model = AccessProfile
        fields = ["name", "description", "org_access", "network_privileges", "tag_privileges", "tags"]

    def clean_network_privileges(self) -> list:
        """An empty box means no network privileges."""
        return self.cleaned_data["network_privileges"] or []

    def clean_tag_privileges(self) -> list:
        """An empty box means no tag privileges."""
        return self.cleaned_data["tag_privileges"] or []


class ScopeFormMixin:
    """clean(): where the grant or exemption applies, by the same rules as the REST API (`scope_errors`)."""

    def clean(self):
        """The usual checks, then organizations / all_organizations and collisions with the person's other records."""
        super().clean()
        cleaned = self.cleaned_data
        errors = scope_errors(
            self._meta.model,
            email=cleaned.get("email") or "",
            organizations=cleaned.get("organizations") or [],
            all_organizations=bool(cleaned.get("all_organizations")),
            instance_pk=self.instance.pk if self.instance.present_in_database else None,
            saml_role=cleaned.get("saml_role") or "",
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


class AccessGrantForm(ScopeFormMixin, NautobotModelForm):
    """Add or edit an access grant."""

    user = DynamicModelChoiceField(queryset=get_user_model().objects.all(), required=False, label="Nautobot user")
    profile = DynamicModelChoiceField(queryset=AccessProfile.objects.all())
    organizations = DynamicModelMultipleChoiceField(queryset=MerakiOrganization.objects.all(), required=False)
    expires = forms.DateField(
        required=False, widget=DatePicker(), help_text="The last day of the access; empty: no expiry."
    )

    class Meta:
        model = AccessGrant
        fields = [
            "email", "saml_role", "name", "user", "profile", "organizations", "all_organizations", "expires", "reason",
            "tags",
        ]  # fmt: skip


class AccessExemptionForm(ScopeFormMixin, NautobotModelForm):
    """Add or edit an access exemption."""

    organizations = DynamicModelMultipleChoiceField(queryset=MerakiOrganization.objects.all(), required=False)

    class Meta:
        model = AccessExemption
        fields = ["email", "organizations", "all_organizations", "reason", "tags"]


class AccessProfileFilterForm(NautobotFilterForm):
    """Filter the access profile list."""

    model = AccessProfile
    field_order = ["q", "name", "org_access", "tags"]

    q = forms.CharField(required=False, label="Search")
    name = MultiValueCharField(required=False)
    org_access = forms.MultipleChoiceField(
        choices=OrgAccessChoices, required=False, label="Organization access", widget=StaticSelect2Multiple()
    )
    tags = TagFilterField(model)


class AccessGrantFilterForm(NautobotFilterForm):
    """Filter the access grant list."""

    model = AccessGrant
    field_order = ["q", "email", "profile", "organizations", "all_organizations", "tags"]

    q = forms.CharField(required=False, label="Search")
    email = MultiValueCharField(required=False, label="Email (exact, any case)")
    profile = profile_filter_field()
    organizations = DynamicModelMultipleChoiceField(
        queryset=MerakiOrganization.objects.all(), to_field_name="organization_id", required=False
    )
    all_organizations = boolean_filter_field("All organizations")
    tags = TagFilterField(model)


class AccessExemptionFilterForm(NautobotFilterForm):
    """Filter the access exemption list."""

    model = AccessExemption
    field_order = ["q", "email", "organizations", "all_organizations", "tags"]

    q = forms.CharField(required=False, label="Search")
    email = MultiValueCharField(required=False, label="Email (exact, any case)")
    organizations = DynamicModelMultipleChoiceField(
        queryset=MerakiOrganization.objects.all(), to_field_name="organization_id", required=False
    )
    all_organizations = boolean_filter_field("All organizations")
    tags = TagFilterField(model)


class AccessFindingFilterForm(NautobotFilterForm):
    """Filter the access finding list."""

    model = AccessFinding
    field_order = ["q", "organization", "finding", "email", "profile"]

    q = forms.CharField(required=False, label="Search")
    organization = organization_filter_field()
    finding = forms.MultipleChoiceField(choices=FindingChoices, required=False, widget=StaticSelect2Multiple())
    email = MultiValueCharField(required=False, label="Email (exact, any case)")
    profile = profile_filter_field()
