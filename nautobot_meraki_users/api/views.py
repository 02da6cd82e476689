"""REST API: the Meraki inventory and the access findings (read-only), the access policy (writeable).

The Dashboard owns the inventory and a sync job writes it; Check Meraki Access Drift writes the findings. Those
routes answer GET, HEAD and OPTIONS only: POST, PUT, PATCH and DELETE answer 405, `notes/` included (people add
notes in the UI). Access profiles, grants and exemptions are Nautobot's own and fully writeable.
"""

from nautobot.apps.api import NautobotModelViewSet, ReadOnlyModelViewSet

from nautobot_meraki_users import filters
from nautobot_meraki_users.api import serializers
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

READ_ONLY_METHODS = ["get", "head", "options"]


class ReadOnlyInventoryViewSet(NautobotModelViewSet):
    """NautobotModelViewSet (custom fields, notes, CSV, depth) that refuses every write to the objects."""

    http_method_names = READ_ONLY_METHODS


class MerakiOrganizationViewSet(ReadOnlyInventoryViewSet):
    """Meraki organizations; `?q=` searches name and Meraki ID."""

    queryset = MerakiOrganization.objects.all()
    serializer_class = serializers.MerakiOrganizationSerializer
    filterset_class = filters.MerakiOrganizationFilterSet


class MerakiNetworkViewSet(ReadOnlyInventoryViewSet):
    """Meraki networks; `?organization=<Meraki organization ID>` lists one organization's networks."""

    queryset = MerakiNetwork.objects.select_related("organization")
    serializer_class = serializers.MerakiNetworkSerializer
    filterset_class = filters.MerakiNetworkFilterSet


class MerakiAdministratorViewSet(ReadOnlyInventoryViewSet):
    """Meraki administrators, with the audit filters of MerakiAdministratorFilterSet."""

    queryset = MerakiAdministrator.objects.select_related("organization")
    serializer_class = serializers.MerakiAdministratorSerializer
    filterset_class = filters.MerakiAdministratorFilterSet


class MerakiSamlRoleViewSet(ReadOnlyInventoryViewSet):
    """Meraki SAML roles; `?organization=<Meraki organization ID>` lists one organization's roles."""

    queryset = MerakiSamlRole.objects.select_related("organization")
    serializer_class = serializers.MerakiSamlRoleSerializer
    filterset_class = filters.MerakiSamlRoleFilterSet


class AccessProfileViewSet(NautobotModelViewSet):
    """Access profiles: org access, network privileges and tag privileges."""

    queryset = AccessProfile.objects.all()
    serializer_class = serializers.AccessProfileSerializer
    filterset_class = filters.AccessProfileFilterSet


class AccessGrantViewSet(NautobotModelViewSet):
    """Access grants; one grant per person (email, any case) and organization."""

    queryset = AccessGrant.objects.select_related("profile", "user").prefetch_related("organizations")
    serializer_class = serializers.AccessGrantSerializer
    filterset_class = filters.AccessGrantFilterSet


class AccessExemptionViewSet(NautobotModelViewSet):
    """Access exemptions: people the policy never changes nor reports as unmanaged."""

    queryset = AccessExemption.objects.prefetch_related("organizations")
    serializer_class = serializers.AccessExemptionSerializer
    filterset_class = filters.AccessExemptionFilterSet


class AccessFindingViewSet(ReadOnlyModelViewSet):
    """Access findings of the last drift check (read-only); filter by organization, finding, email, profile, found."""

    queryset = AccessFinding.objects.select_related("organization", "grant__profile")
    serializer_class = serializers.AccessFindingSerializer
    filterset_class = filters.AccessFindingFilterSet
