"""REST serializers of the Meraki inventory."""

import json

from nautobot.apps.api import NautobotModelSerializer, TaggedModelSerializerMixin
from rest_framework import serializers

from nautobot_meraki_users.csv_safety import formula_safe
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole


class FormulaSafeCSVMixin:
    """In CSV (the list views' Export, `?format=csv`), text that a spreadsheet would run as a formula is quoted.

    Nautobot's CSV renderer writes values as they are; names come from the Dashboard. JSON keeps the values.
    """

    def to_representation(self, instance):
        """The usual representation; for CSV, every text (and related object's key) made formula-safe."""
        data = super().to_representation(instance)
        if not self._is_csv_request():
            return data
        for key, value in data.items():
            if isinstance(value, dict) and "composite_key" in value:
                value["composite_key"] = formula_safe(value["composite_key"])
            else:
                data[key] = formula_safe(value)
        return data


class PrivilegesField(serializers.JSONField):
    """A list of privilege objects; written as JSON text in CSV exports.

    Nautobot's CSV renderer reads a list of objects that have an "id" key as related objects and keeps only their
    ids, which would drop the access level of `network_privileges`; JSON text keeps every key.
    """

    def to_representation(self, value):
        """JSON text for CSV, the list itself otherwise."""
        if self.parent is not None and self.parent._is_csv_request():
            return json.dumps(value)
        return super().to_representation(value)


class MerakiOrganizationSerializer(FormulaSafeCSVMixin, TaggedModelSerializerMixin, NautobotModelSerializer):
    """A Meraki organization: `organization_id` is its Meraki ID, `display` its name."""

    class Meta:
        model = MerakiOrganization
        fields = "__all__"


class MerakiNetworkSerializer(FormulaSafeCSVMixin, TaggedModelSerializerMixin, NautobotModelSerializer):
    """A Meraki network; `network_tags` are its Meraki tags, `tags` its Nautobot tags."""

    class Meta:
        model = MerakiNetwork
        fields = "__all__"


class MerakiAdministratorSerializer(FormulaSafeCSVMixin, TaggedModelSerializerMixin, NautobotModelSerializer):
    """A Meraki dashboard administrator of one organization."""

    network_privileges = PrivilegesField(required=False)
    tag_privileges = PrivilegesField(required=False)

    class Meta:
        model = MerakiAdministrator
        fields = "__all__"


class MerakiSamlRoleSerializer(FormulaSafeCSVMixin, TaggedModelSerializerMixin, NautobotModelSerializer):
    """A SAML role of one Meraki organization."""

    network_privileges = PrivilegesField(required=False)
    tag_privileges = PrivilegesField(required=False)

    class Meta:
        model = MerakiSamlRole
        fields = "__all__"
