"""Detail-page panels that are specific to the Meraki inventory and the access policy."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from nautobot.apps.templatetags import placeholder
from nautobot.apps.ui import KeyValueTablePanel, ObjectsTablePanel
from nautobot.apps.views import get_obj_from_context

from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork


def join_list(value) -> str:
    """Render a JSON list of strings as comma-separated text, or a placeholder when empty."""
    return placeholder(", ".join(str(item) for item in value) if value else None)


def same_email_administrators(admin: MerakiAdministrator):
    """Every administrator row, in any organization, whose email equals `admin.email` ignoring case."""
    return MerakiAdministrator.objects.filter(email__iexact=admin.email)


def administrators_with_privileges_on(network: MerakiNetwork):
    """Administrators given network-level access to `network`, or tag-level access to one of its Meraki tags."""
    query = Q(network_privileges__contains=[{"id": network.network_id}])
    for tag in network.network_tags or []:
        query |= Q(organization=network.organization, tag_privileges__contains=[{"tag": tag}])
    return MerakiAdministrator.objects.filter(query)


class SameEmailAdministratorsPanel(ObjectsTablePanel):
    """The "Access across organizations" table: the admin's rows in every organization, linked to the list."""

    def get_table_data_queryset(self, instance, request):
        """Rows with the same email, case-insensitively."""
        return same_email_administrators(instance)

    def get_extra_context(self, context):
        """Point the panel's list link at `?email=<email>` (the default would filter by this row's pk)."""
        extra = super().get_extra_context(context)
        admin = get_obj_from_context(context)
        list_url = reverse("plugins:nautobot_meraki_users:merakiadministrator_list")
        extra["body_content_table_list_url"] = f"{list_url}?{urlencode({'email': admin.email})}"
        return extra


class PrivilegedAdministratorsPanel(ObjectsTablePanel):
    """On a network: the administrators with network-level or tag-level privileges on it."""

    def get_table_data_queryset(self, instance, request):
        """Administrators whose privileges name this network or one of its tags."""
        return administrators_with_privileges_on(instance)


class NetworkPrivilegesPanel(KeyValueTablePanel):
    """An administrator's network-level privileges: network (name and Meraki ID) -> access."""

    def get_data(self, context):
        """Name each privileged network when the inventory knows it, else show its Meraki ID."""
        admin = get_obj_from_context(context)
        privileges = admin.network_privileges or []
        ids = [str(item.get("id")) for item in privileges]
        names = dict(
            MerakiNetwork.objects.restrict(context["request"].user, "view")
            .filter(network_id__in=ids)
            .values_list("network_id", "name")
        )
        return {
            f"{names[network_id]} ({network_id})" if network_id in names else network_id: item.get("access")
            for network_id, item in zip(ids, privileges, strict=True)
        }

    def render_key(self, key, value, context):
        """Show the network as written, without title-casing."""
        return escape(key)


class TagPrivilegesPanel(KeyValueTablePanel):
    """An administrator's tag-level privileges: Meraki network tag -> access."""

    def get_data(self, context):
        """The privileges as a tag -> access mapping."""
        admin = get_obj_from_context(context)
        return {str(item.get("tag")): item.get("access") for item in admin.tag_privileges or []}

    def render_key(self, key, value, context):
        """Show the tag as written, without title-casing."""
        return escape(key)


class ProfilePrivilegesPanel(KeyValueTablePanel):
    """An access profile's network (or tag) privileges: the network or tag as written -> access level."""

    def __init__(self, *, field_name: str, key: str, **kwargs):
        """Show the profile's `field_name` list, whose items name their target under `key`."""
        self.field_name = field_name
        self.key = key
        super().__init__(**kwargs)

    def get_data(self, context):
        """The privileges as a target -> access mapping."""
        profile = get_obj_from_context(context)
        return {str(item.get(self.key)): item.get("access") for item in getattr(profile, self.field_name) or []}

    def render_key(self, key, value, context):
        """Show the network or tag as written, without title-casing."""
        return escape(key)
