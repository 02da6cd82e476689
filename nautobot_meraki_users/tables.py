"""List tables of the Meraki inventory (read-only: no edit buttons)."""

import django_tables2 as tables
from django.utils.html import format_html
from nautobot.apps.tables import BaseTable, BooleanColumn, ButtonsColumn, LinkedCountColumn, TagColumn, ToggleColumn

from nautobot_meraki_users.choices import AccountStatusChoices, OrgAccessChoices
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole

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
