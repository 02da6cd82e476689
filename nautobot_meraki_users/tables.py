"""List tables of the Meraki inventory (read-only: no edit buttons) and of the access policy."""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from nautobot.apps.tables import BaseTable, BooleanColumn, ButtonsColumn, LinkedCountColumn, TagColumn, ToggleColumn

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
)

READ_ONLY_BUTTONS = ("changelog", "delete")


class ChoiceLabelColumn(tables.Column):
    """Show a stored Meraki value by its label, or the raw value when Meraki sent one we do not know."""

    def __init__(self, choices, *args, **kwargs):
        """Remember the ChoiceSet whose labels are shown."""
        self.labels = choices.as_dict()
        super().__init__(*args, **kwargs)

    def render(self, value):
        """The label of `value`."""
        return self.labels.get(value, value)


def person_url(email: str) -> str | None:
    """The URL of the person page of `email`, or None when there is no such page (an empty email)."""
    try:
        return reverse("plugins:nautobot_meraki_users:person", kwargs={"email": email})
    except NoReverseMatch:
        return None


def person_link(email: str) -> str:
    """The email as an (escaped) link to the person's page."""
    url = person_url(email)
    return format_html('<a href="{}">{}</a>', url, email) if url else format_html("{}", email)


class PersonColumn(tables.Column):
    """An email, linked to the person page (grants, actual access and findings of that email)."""

    def render(self, value):
        """The email as a link to the person page."""
        return person_link(value)


class JSONListColumn(tables.Column):
    """Show a JSON list of strings as comma-separated text."""

    def render(self, value):
        """The items of `value`, joined."""
        return ", ".join(str(item) for item in value) if value else self.default


class MerakiOrganizationTable(BaseTable):
    """Meraki organizations with their counts of networks and administrators."""

    pk = ToggleColumn()
    name = tables.Column(linkify=True)
    dashboard_url = tables.Column(verbose_name="Dashboard URL")
    network_count = LinkedCountColumn(
        viewname="plugins:nautobot_meraki_users:merakinetwork_list",
        url_params={"organization": "organization_id"},
        reverse_lookup="organization",
        verbose_name="Networks",
    )
    administrator_count = LinkedCountColumn(
        viewname="plugins:nautobot_meraki_users:merakiadministrator_list",
        url_params={"organization": "organization_id"},
        reverse_lookup="organization",
        verbose_name="Administrators",
    )
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:merakiorganization_list")
    actions = ButtonsColumn(MerakiOrganization, buttons=READ_ONLY_BUTTONS)

    class Meta(BaseTable.Meta):
        model = MerakiOrganization
        fields = (
            "pk",
            "name",
            "organization_id",
            "dashboard",
            "dashboard_url",
            "network_count",
            "administrator_count",
            "last_seen",
            "tags",
            "actions",
        )
        default_columns = (
            "pk", "name", "organization_id", "dashboard", "network_count", "administrator_count", "last_seen",
        )  # fmt: skip

    def render_dashboard_url(self, value):
        """The Dashboard URL as a link that opens in a new tab; a value that is not http(s) stays text.

        The URL comes from the Dashboard: a `javascript:` or `data:` value must never become a clickable link.
        """
        if not str(value).lower().startswith(("https://", "http://")):
            return format_html("{}", value)
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', value, value)


class MerakiNetworkTable(BaseTable):
    """Meraki networks."""

    pk = ToggleColumn()
    name = tables.Column(linkify=True)
    organization = tables.Column(linkify=True)
    product_types = JSONListColumn(orderable=False)
    network_tags = JSONListColumn(verbose_name="Meraki tags", orderable=False)
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:merakinetwork_list")
    actions = ButtonsColumn(MerakiNetwork, buttons=READ_ONLY_BUTTONS)

    class Meta(BaseTable.Meta):
        model = MerakiNetwork
        fields = (
            "pk",
            "name",
            "network_id",
            "organization",
            "product_types",
            "network_tags",
            "last_seen",
            "tags",
            "actions",
        )
        default_columns = ("pk", "name", "network_id", "organization", "product_types", "network_tags")


class MerakiAdministratorTable(BaseTable):
    """Meraki administrators, one row per organization."""

    pk = ToggleColumn()
    email = tables.Column(linkify=True)
    organization = tables.Column(linkify=True)
    org_access = ChoiceLabelColumn(OrgAccessChoices, verbose_name="Organization access")
    account_status = ChoiceLabelColumn(AccountStatusChoices)
    two_factor_auth_enabled = BooleanColumn(verbose_name="2FA")
    has_api_key = BooleanColumn(verbose_name="API key")
    network_privilege_count = tables.Column(
        accessor="network_privileges", verbose_name="Network privileges", orderable=False
    )
    tag_privilege_count = tables.Column(accessor="tag_privileges", verbose_name="Tag privileges", orderable=False)
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:merakiadministrator_list")
    actions = ButtonsColumn(MerakiAdministrator, buttons=READ_ONLY_BUTTONS)

    class Meta(BaseTable.Meta):
        model = MerakiAdministrator
        fields = (
            "pk",
            "email",
            "name",
            "organization",
            "admin_id",
            "org_access",
            "account_status",
            "two_factor_auth_enabled",
            "has_api_key",
            "last_active",
            "authentication_method",
            "network_privilege_count",
            "tag_privilege_count",
            "last_seen",
            "tags",
            "actions",
        )
        default_columns = (
            "pk",
            "email",
            "name",
            "organization",
            "org_access",
            "account_status",
            "two_factor_auth_enabled",
            "last_active",
        )

    def render_network_privilege_count(self, value):
        """How many networks the admin has network-level access to."""
        return len(value)

    def render_tag_privilege_count(self, value):
        """How many tags the admin has tag-level access to."""
        return len(value)


class MerakiSamlRoleTable(BaseTable):
    """Meraki SAML roles, one row per organization and role."""

    pk = ToggleColumn()
    role = tables.Column(linkify=True, verbose_name="Role name")
    organization = tables.Column(linkify=True)
    org_access = ChoiceLabelColumn(OrgAccessChoices, verbose_name="Organization access")
    network_privilege_count = tables.Column(
        accessor="network_privileges", verbose_name="Network privileges", orderable=False
    )
    tag_privilege_count = tables.Column(accessor="tag_privileges", verbose_name="Tag privileges", orderable=False)
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:merakisamlrole_list")
    actions = ButtonsColumn(MerakiSamlRole, buttons=READ_ONLY_BUTTONS)

    class Meta(BaseTable.Meta):
        model = MerakiSamlRole
        fields = (
            "pk", "role", "organization", "role_id", "org_access", "network_privilege_count", "tag_privilege_count",
            "last_seen", "tags", "actions",
        )  # fmt: skip
        default_columns = (
            "pk", "role", "organization", "org_access", "network_privilege_count", "tag_privilege_count", "last_seen",
        )  # fmt: skip

    def render_network_privilege_count(self, value):
        """How many networks the role has network-level access to."""
        return len(value)

    def render_tag_privilege_count(self, value):
        """How many tags the role has tag-level access to."""
        return len(value)


# ---------------------------------------------------------------------------------------------------------------------
# The access policy
# ---------------------------------------------------------------------------------------------------------------------


class ScopeColumn(tables.Column):
    """Where a grant or exemption applies: "All" or the number of organizations."""

    def __init__(self, *args, **kwargs):
        """An unsortable column read from the record."""
        kwargs.setdefault("accessor", "organizations")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, record):
        """All (all_organizations) or the number of organizations (the queryset prefetches them)."""
        return "All" if record.all_organizations else len(record.organizations.all())


class AccessProfileTable(BaseTable):
    """Access profiles with their privilege counts and how many grants use them."""

    pk = ToggleColumn()
    name = tables.Column(linkify=True)
    org_access = ChoiceLabelColumn(OrgAccessChoices, verbose_name="Organization access")
    network_privilege_count = tables.Column(
        accessor="network_privileges", verbose_name="Network privileges", orderable=False
    )
    tag_privilege_count = tables.Column(accessor="tag_privileges", verbose_name="Tag privileges", orderable=False)
    grant_count = LinkedCountColumn(
        viewname="plugins:nautobot_meraki_users:accessgrant_list",
        url_params={"profile": "name"},
        reverse_lookup="profile",
        verbose_name="Grants",
    )
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:accessprofile_list")
    actions = ButtonsColumn(AccessProfile)

    class Meta(BaseTable.Meta):
        model = AccessProfile
        fields = (
            "pk", "name", "description", "org_access", "network_privilege_count", "tag_privilege_count", "grant_count",
            "tags", "actions",
        )  # fmt: skip
        default_columns = (
            "pk", "name", "org_access", "network_privilege_count", "tag_privilege_count", "grant_count", "description",
            "actions",
        )  # fmt: skip

    def render_network_privilege_count(self, value):
        """How many networks the profile gives network-level access to."""
        return len(value)

    def render_tag_privilege_count(self, value):
        """How many tags the profile gives tag-level access to."""
        return len(value)


class AccessGrantTable(BaseTable):
    """Access grants: who gets which profile where, until when and why."""

    pk = ToggleColumn()
    email = PersonColumn()
    name = tables.Column(empty_values=())
    profile = tables.Column(linkify=True)
    organizations = ScopeColumn(verbose_name="Organizations")
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:accessgrant_list")
    actions = ButtonsColumn(AccessGrant)

    class Meta(BaseTable.Meta):
        model = AccessGrant
        fields = (
            "pk", "email", "saml_role", "name", "user", "profile", "organizations", "expires", "reason", "tags",
            "actions",
        )  # fmt: skip
        default_columns = (
            "pk", "email", "saml_role", "name", "profile", "organizations", "expires", "reason", "actions",
        )  # fmt: skip

    def render_name(self, record, value):
        """The name, linked to the grant (the email links to the person)."""
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value or "(grant)")


class AccessExemptionTable(BaseTable):
    """Access exemptions: people the policy leaves alone, where and why."""

    pk = ToggleColumn()
    exemption = tables.Column(accessor="pk", verbose_name="Exemption", orderable=False)
    email = PersonColumn()
    organizations = ScopeColumn(verbose_name="Organizations")
    tags = TagColumn(url_name="plugins:nautobot_meraki_users:accessexemption_list")
    actions = ButtonsColumn(AccessExemption)

    class Meta(BaseTable.Meta):
        model = AccessExemption
        fields = ("pk", "exemption", "email", "organizations", "reason", "tags", "actions")
        default_columns = ("pk", "exemption", "email", "organizations", "reason", "actions")

    def render_exemption(self, record):
        """A link to the exemption's own page (the email links to the person)."""
        return format_html('<a href="{}">Details</a>', record.get_absolute_url())


class AccessFindingTable(BaseTable):
    """Access findings: where an organization differs from the policy."""

    organization = tables.Column(linkify=True)
    email = PersonColumn()
    finding = ChoiceLabelColumn(FindingChoices, linkify=True)
    grant = tables.Column(linkify=True)
    found = tables.DateTimeColumn()

    class Meta(BaseTable.Meta):
        model = AccessFinding
        fields = ("organization", "email", "saml_role", "finding", "expected", "actual", "grant", "message", "found")
        default_columns = ("organization", "email", "saml_role", "finding", "expected", "actual", "grant", "found")
