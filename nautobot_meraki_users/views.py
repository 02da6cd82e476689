"""UI views of the Meraki inventory: list (with CSV export), detail, delete, change log and notes.

The Dashboard owns the inventory and the sync job writes it, so there are no add, edit or import views;
deleting a stale row is allowed (the next sync recreates whatever still exists in the Dashboard).
"""

from nautobot.apps.templatetags import placeholder
from nautobot.apps.ui import ObjectDetailContent, ObjectFieldsPanel, ObjectsTablePanel, SectionChoices
from nautobot.apps.views import (
    ObjectBulkDestroyViewMixin,
    ObjectChangeLogViewMixin,
    ObjectDataComplianceViewMixin,
    ObjectDestroyViewMixin,
    ObjectDetailViewMixin,
    ObjectListViewMixin,
    ObjectNotesViewMixin,
)

from nautobot_meraki_users import filters, forms, tables
from nautobot_meraki_users.api import serializers
from nautobot_meraki_users.choices import AccountStatusChoices, OrgAccessChoices
from nautobot_meraki_users.detail_panels import (
    NetworkPrivilegesPanel,
    PrivilegedAdministratorsPanel,
    SameEmailAdministratorsPanel,
    TagPrivilegesPanel,
    join_list,
)
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole

INVENTORY_ACTION_BUTTONS = ("export",)


class ReadOnlyInventoryUIViewSet(
    ObjectListViewMixin,
    ObjectDetailViewMixin,
    ObjectDestroyViewMixin,
    ObjectBulkDestroyViewMixin,
    ObjectChangeLogViewMixin,
    ObjectNotesViewMixin,
    ObjectDataComplianceViewMixin,
):
    """NautobotUIViewSet without add, edit, import, bulk edit or bulk rename."""

    action_buttons = INVENTORY_ACTION_BUTTONS


def choice_label(choices):
    """A value transform that shows a stored Meraki value by its label (as-is when unknown, a dash when blank)."""
    labels = choices.as_dict()
    return lambda value: placeholder(labels.get(value, value))


class MerakiOrganizationUIViewSet(ReadOnlyInventoryUIViewSet):
    """Meraki organizations; the detail page lists the organization's networks and administrators."""

    queryset = MerakiOrganization.objects.all()
    filterset_class = filters.MerakiOrganizationFilterSet
    filterset_form_class = forms.MerakiOrganizationFilterForm
    serializer_class = serializers.MerakiOrganizationSerializer
    table_class = tables.MerakiOrganizationTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("name", "organization_id", "dashboard", "dashboard_url", "saml_enabled", "last_seen"),
            ),
            ObjectsTablePanel(
                weight=200,
                section=SectionChoices.FULL_WIDTH,
                table_class=tables.MerakiNetworkTable,
                table_filter="organization",
                exclude_columns=("organization",),
                add_button_route=None,
                include_paginator=True,
            ),
            ObjectsTablePanel(
                weight=300,
                section=SectionChoices.FULL_WIDTH,
                table_class=tables.MerakiAdministratorTable,
                table_filter="organization",
                exclude_columns=("organization",),
                add_button_route=None,
                include_paginator=True,
            ),
            ObjectsTablePanel(
                weight=400,
                section=SectionChoices.FULL_WIDTH,
                table_title="SAML roles (people who sign in through SAML get a role's access)",
                table_class=tables.MerakiSamlRoleTable,
                table_filter="organization",
                exclude_columns=("organization",),
                add_button_route=None,
                include_paginator=True,
            ),
        )
    )


class MerakiNetworkUIViewSet(ReadOnlyInventoryUIViewSet):
    """Meraki networks; the detail page lists the administrators with privileges on the network."""

    queryset = MerakiNetwork.objects.select_related("organization")
    filterset_class = filters.MerakiNetworkFilterSet
    filterset_form_class = forms.MerakiNetworkFilterForm
    serializer_class = serializers.MerakiNetworkSerializer
    table_class = tables.MerakiNetworkTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("name", "network_id", "organization", "product_types", "network_tags", "last_seen"),
                value_transforms={"product_types": [join_list], "network_tags": [join_list]},
            ),
            PrivilegedAdministratorsPanel(
                weight=200,
                section=SectionChoices.FULL_WIDTH,
                table_title="Administrators with network or tag privileges",
                table_class=tables.MerakiAdministratorTable,
                add_button_route=None,
                enable_related_link=False,
                include_paginator=True,
            ),
        )
    )


class MerakiAdministratorUIViewSet(ReadOnlyInventoryUIViewSet):
    """Meraki administrators; the detail page shows the same person's access in every organization."""

    queryset = MerakiAdministrator.objects.select_related("organization")
    filterset_class = filters.MerakiAdministratorFilterSet
    filterset_form_class = forms.MerakiAdministratorFilterForm
    serializer_class = serializers.MerakiAdministratorSerializer
    table_class = tables.MerakiAdministratorTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=(
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
                    "last_seen",
                ),
                value_transforms={
                    "org_access": [choice_label(OrgAccessChoices)],
                    "account_status": [choice_label(AccountStatusChoices)],
                },
            ),
            NetworkPrivilegesPanel(weight=100, section=SectionChoices.RIGHT_HALF, label="Network privileges"),
            TagPrivilegesPanel(weight=200, section=SectionChoices.RIGHT_HALF, label="Tag privileges"),
            SameEmailAdministratorsPanel(
                weight=200,
                section=SectionChoices.FULL_WIDTH,
                table_title="Access across organizations",
                table_class=tables.MerakiAdministratorTable,
                select_related_fields=("organization",),
                order_by_fields=("organization__name",),
                exclude_columns=("name",),
                include_columns=(
                    "organization",
                    "org_access",
                    "account_status",
                    "two_factor_auth_enabled",
                    "last_active",
                ),
                add_button_route=None,
                include_paginator=True,
            ),
        )
    )


class MerakiSamlRoleUIViewSet(ReadOnlyInventoryUIViewSet):
    """Meraki SAML roles: the access of everyone who signs in to an organization through SAML with that role."""

    queryset = MerakiSamlRole.objects.select_related("organization")
    filterset_class = filters.MerakiSamlRoleFilterSet
    filterset_form_class = forms.MerakiSamlRoleFilterForm
    serializer_class = serializers.MerakiSamlRoleSerializer
    table_class = tables.MerakiSamlRoleTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("role", "organization", "role_id", "org_access", "last_seen"),
                value_transforms={"org_access": [choice_label(OrgAccessChoices)]},
            ),
            NetworkPrivilegesPanel(weight=100, section=SectionChoices.RIGHT_HALF, label="Network privileges"),
            TagPrivilegesPanel(weight=200, section=SectionChoices.RIGHT_HALF, label="Tag privileges"),
        )
    )
