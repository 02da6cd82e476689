"""UI views: the Meraki inventory, the access policy and a person's page.

Inventory: list (with CSV export), detail, delete, change log and notes. The Dashboard owns the inventory and the
sync job writes it, so there are no add, edit or import views; deleting a stale row is allowed (the next sync
recreates whatever still exists in the Dashboard).

Access profiles, grants and exemptions: every view but bulk edit and bulk rename (a bulk edit would bypass the
one-grant-per-person-and-organization check of the form). Access findings: list (with CSV export) and detail only;
Check Meraki Access Drift writes them.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from nautobot.apps.templatetags import placeholder
from nautobot.apps.ui import ObjectDetailContent, ObjectFieldsPanel, ObjectsTablePanel, SectionChoices
from nautobot.apps.views import (
    GenericView,
    ObjectBulkCreateViewMixin,
    ObjectBulkDestroyViewMixin,
    ObjectChangeLogViewMixin,
    ObjectDataComplianceViewMixin,
    ObjectDestroyViewMixin,
    ObjectDetailViewMixin,
    ObjectEditViewMixin,
    ObjectListViewMixin,
    ObjectNotesViewMixin,
)

from nautobot_meraki_users import filters, forms, tables
from nautobot_meraki_users.api import serializers
from nautobot_meraki_users.choices import AccountStatusChoices, FindingChoices, OrgAccessChoices
from nautobot_meraki_users.detail_panels import (
    NetworkPrivilegesPanel,
    PrivilegedAdministratorsPanel,
    ProfilePrivilegesPanel,
    SameEmailAdministratorsPanel,
    TagPrivilegesPanel,
    join_list,
)
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
from nautobot_meraki_users.tables import person_link

INVENTORY_ACTION_BUTTONS = ("export",)
FINDING_FIELDS = ("organization", "email", "saml_role", "finding", "expected", "actual", "grant", "message", "found")


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
                    "email": [person_link],
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


# ---------------------------------------------------------------------------------------------------------------------
# The access policy
# ---------------------------------------------------------------------------------------------------------------------


class PolicyUIViewSet(
    ObjectListViewMixin,
    ObjectDetailViewMixin,
    ObjectEditViewMixin,
    ObjectBulkCreateViewMixin,  # the `import` route, which Nautobot needs to show the Import (Objects job) button
    ObjectDestroyViewMixin,
    ObjectBulkDestroyViewMixin,
    ObjectChangeLogViewMixin,
    ObjectNotesViewMixin,
    ObjectDataComplianceViewMixin,
):
    """NautobotUIViewSet without bulk edit and bulk rename; the Import button runs Nautobot's Import Objects job."""


def organizations_panel(weight: int, related_field_name: str) -> ObjectsTablePanel:
    """The organizations a grant or exemption names (empty when it has all_organizations)."""
    return ObjectsTablePanel(
        weight=weight,
        section=SectionChoices.FULL_WIDTH,
        table_title="Organizations",
        table_class=tables.MerakiOrganizationTable,
        table_attribute="organizations",
        related_field_name=related_field_name,  # required with table_attribute; the list link is off
        include_columns=("name", "organization_id", "dashboard"),
        add_button_route=None,
        enable_related_link=False,
        include_paginator=True,
    )


class AccessProfileUIViewSet(PolicyUIViewSet):
    """Access profiles; the detail page shows the privileges and the grants that use the profile."""

    queryset = AccessProfile.objects.all()
    filterset_class = filters.AccessProfileFilterSet
    filterset_form_class = forms.AccessProfileFilterForm
    form_class = forms.AccessProfileForm
    serializer_class = serializers.AccessProfileSerializer
    table_class = tables.AccessProfileTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("name", "description", "org_access"),
                value_transforms={"org_access": [choice_label(OrgAccessChoices)]},
            ),
            ProfilePrivilegesPanel(
                weight=100,
                section=SectionChoices.RIGHT_HALF,
                label="Network privileges",
                field_name="network_privileges",
                key="network",
            ),
            ProfilePrivilegesPanel(
                weight=200,
                section=SectionChoices.RIGHT_HALF,
                label="Tag privileges",
                field_name="tag_privileges",
                key="tag",
            ),
            ObjectsTablePanel(
                weight=200,
                section=SectionChoices.FULL_WIDTH,
                table_title="Grants of this profile",
                table_class=tables.AccessGrantTable,
                table_filter="profile",
                exclude_columns=("profile",),
                prefetch_related_fields=("organizations",),
                add_button_route=None,
                include_paginator=True,
            ),
        )
    )


class AccessGrantUIViewSet(PolicyUIViewSet):
    """Access grants; the email links to the person's page, the detail page lists the grant's findings."""

    queryset = AccessGrant.objects.select_related("profile", "user").prefetch_related("organizations")
    filterset_class = filters.AccessGrantFilterSet
    filterset_form_class = forms.AccessGrantFilterForm
    form_class = forms.AccessGrantForm
    serializer_class = serializers.AccessGrantSerializer
    table_class = tables.AccessGrantTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("email", "saml_role", "name", "user", "profile", "all_organizations", "expires", "reason"),
                value_transforms={"email": [person_link]},
            ),
            organizations_panel(weight=200, related_field_name="access_grants"),
            ObjectsTablePanel(
                weight=300,
                section=SectionChoices.FULL_WIDTH,
                table_title="Findings of the last drift check",
                table_class=tables.AccessFindingTable,
                table_filter="grant",
                exclude_columns=("grant",),
                select_related_fields=("organization",),
                add_button_route=None,
                include_paginator=True,
            ),
        )
    )


class AccessExemptionUIViewSet(PolicyUIViewSet):
    """Access exemptions: people the policy never changes and never reports as unmanaged."""

    queryset = AccessExemption.objects.prefetch_related("organizations")
    filterset_class = filters.AccessExemptionFilterSet
    filterset_form_class = forms.AccessExemptionFilterForm
    form_class = forms.AccessExemptionForm
    serializer_class = serializers.AccessExemptionSerializer
    table_class = tables.AccessExemptionTable

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=("email", "all_organizations", "reason"),
                value_transforms={"email": [person_link]},
            ),
            organizations_panel(weight=200, related_field_name="access_exemptions"),
        )
    )


class AccessFindingUIViewSet(ObjectListViewMixin, ObjectDetailViewMixin):
    """Access findings (read-only): list with CSV export, and detail."""

    queryset = AccessFinding.objects.select_related("organization", "grant__profile")
    filterset_class = filters.AccessFindingFilterSet
    filterset_form_class = forms.AccessFindingFilterForm
    serializer_class = serializers.AccessFindingSerializer
    table_class = tables.AccessFindingTable
    action_buttons = INVENTORY_ACTION_BUTTONS

    object_detail_content = ObjectDetailContent(
        panels=(
            ObjectFieldsPanel(
                weight=100,
                section=SectionChoices.LEFT_HALF,
                fields=FINDING_FIELDS,
                value_transforms={"email": [person_link], "finding": [choice_label(FindingChoices)]},
            ),
        )
    )


# ---------------------------------------------------------------------------------------------------------------------
# A person's page
# ---------------------------------------------------------------------------------------------------------------------

PERSON_PERMISSIONS = (
    "nautobot_meraki_users.view_accessgrant",
    "nautobot_meraki_users.view_merakiadministrator",
    "nautobot_meraki_users.view_accessfinding",
)


class PersonView(GenericView):
    """One person by email (any case): their grants, the organizations where they have access, their findings."""

    template_name = "nautobot_meraki_users/person.html"

    def get(self, request, email: str):
        """Render the three tables side by side; 403 without view permission on grants, admins and findings."""
        user = request.user
        if not user.has_perms(PERSON_PERMISSIONS):
            raise PermissionDenied
        grants = (
            AccessGrant.objects.restrict(user, "view")
            .filter(email__iexact=email)
            .select_related("profile")
            .prefetch_related("organizations")
        )
        admins = (
            MerakiAdministrator.objects.restrict(user, "view")
            .filter(email__iexact=email)
            .select_related("organization")
        )
        findings = (
            AccessFinding.objects.restrict(user, "view")
            .filter(email__iexact=email)
            .select_related("organization", "grant__profile")
        )
        names = {grant.name for grant in grants if grant.name} | {admin.name for admin in admins if admin.name}
        context = {
            "email": email,
            "names": sorted(names),
            "grants_table": tables.AccessGrantTable(
                grants, user=user, orderable=False, exclude=("pk", "email", "actions", "tags")
            ),
            "admins_table": tables.MerakiAdministratorTable(
                admins,
                user=user,
                orderable=False,
                exclude=("pk", "name", "actions", "tags"),
            ),
            "findings_table": tables.AccessFindingTable(
                findings, user=user, orderable=False, exclude=("email", "message")
            ),
        }
        if user.has_perm("nautobot_meraki_users.add_accessgrant"):
            add_url = reverse("plugins:nautobot_meraki_users:accessgrant_add")
            context["add_grant_url"] = f"{add_url}?{urlencode({'email': email})}"
        return render(request, self.template_name, context)
