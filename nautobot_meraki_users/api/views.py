"""Read-only REST API of the Meraki inventory: the Dashboard owns the data, a sync job writes it.

GET, HEAD and OPTIONS only: POST, PUT, PATCH and DELETE answer 405 on every route, `notes/` included
(people add notes in the UI).
"""

from nautobot.apps.api import NautobotModelViewSet

from nautobot_meraki_users import filters
from nautobot_meraki_users.api import serializers
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole

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
