"""Job variables whose form widgets are pickers fed by the Meraki inventory in Nautobot's database.

The REST contract does not change: the variables stay strings (`meraki_org_id` takes IDs, a comma-separated
list or `all`; `meraki_network` takes network IDs or names). Only the Jobs UI renders them as dropdowns:
organizations from the inventory, networks filtered by the organizations chosen. No call to Meraki happens
while a form renders. Both pickers show only what the user may view in the inventory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from nautobot.apps.jobs import StringVar
from nautobot.core.forms.widgets import APISelectMultiple, StaticSelect2, StaticSelect2Multiple

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

NETWORKS_API = "/api/plugins/meraki-users/networks/"
VIEW_ORGANIZATIONS = "nautobot_meraki_users.view_merakiorganization"
NO_PICKS_LABEL = "All organizations (to pick single ones you need permission to view Meraki organizations)"
EVERY_CONNECTION_LABEL = "Every configured connection"


class CommaSeparatedField(forms.CharField):
    """A text field that also takes a list (from a multi-select) and cleans it to `a,b,c`."""

    def to_python(self, value):
        """Join a list of picked values; keep a string as typed."""
        if isinstance(value, (list, tuple)):
            value = ",".join(str(item).strip() for item in value if str(item).strip())
        return super().to_python(value)


def _as_list(value) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value or []]


def _list_or_text(data, name):
    """Form data from the UI is a QueryDict of picks; data from the REST API is a plain string."""
    if hasattr(data, "getlist"):
        values = data.getlist(name)
        return values[0] if len(values) == 1 else values
    return data.get(name)


class OrganizationPicker(StaticSelect2Multiple):
    """A multi-select of the inventory's organizations plus `all`; choices are read when the form renders."""

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, choices=organization_choices)

    def value_from_datadict(self, data, files, name):  # noqa: D102
        return _list_or_text(data, name)

    def format_value(self, value):  # noqa: D102
        return _as_list(value)


class NetworkPicker(APISelectMultiple):
    """A multi-select of the inventory's networks, filtered by the organizations picked in `meraki_org_id`."""

    def __init__(self, attrs=None):
        super().__init__(api_url=NETWORKS_API, attrs=attrs)
        self.attrs["value-field"] = "network_id"
        self.attrs["display-field"] = "display"
        self.add_query_param("organization", "$meraki_org_id")

    def value_from_datadict(self, data, files, name):  # noqa: D102
        return _list_or_text(data, name)

    def format_value(self, value):  # noqa: D102
        return _as_list(value)

    def optgroups(self, name, value, attrs=None):
        """Keep the picked values selected when the form is shown again (choices come from the API)."""
        self.choices = [(item, item) for item in _as_list(value)]
        return super().optgroups(name, value, attrs)


def request_user() -> AbstractBaseUser | None:
    """The user of the web request being answered (a form renders inside one), or None outside a request.

    Nautobot's forms get no request; its ObjectChangeMiddleware keeps the request in the change context.
    """
    from nautobot.extras.signals import change_context_state  # imports models: only once the app is ready

    context = change_context_state.get()
    user = getattr(context, "user", None) or getattr(getattr(context, "request", None), "user", None)
    return user if user is not None and user.is_authenticated else None


def organization_choices() -> list[tuple[str, str]]:
    """`all` and the inventory's organizations the user may view, read from the database when the form renders.

    Without a user, or without the permission to view any organization, only `all` is offered.
    """
    from nautobot_meraki_users.models import MerakiOrganization  # models load after the app is ready

    user = request_user()
    if user is None or not user.has_perm(VIEW_ORGANIZATIONS):
        return [("all", NO_PICKS_LABEL)]
    organizations = MerakiOrganization.objects.restrict(user, "view").order_by("name")
    pairs = organizations.values_list("organization_id", "name")
    return [("all", "All organizations")] + [(org_id, f"{name} ({org_id})") for org_id, name in pairs]


class OrganizationsVar(StringVar):
    """`meraki_org_id`: a string for the REST API and runjob, an organization picker in the Jobs UI."""

    form_field = CommaSeparatedField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", OrganizationPicker())
        super().__init__(*args, **kwargs)


class NetworksVar(StringVar):
    """`meraki_network`: a string for the REST API and runjob, a network picker in the Jobs UI."""

    form_field = CommaSeparatedField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", NetworkPicker())
        super().__init__(*args, **kwargs)


def dashboard_choices() -> list[tuple[str, str]]:
    """Blank (every connection) and the configured Dashboard connections' names, read when the form renders."""
    from nautobot_meraki_users.errors import ConfigurationError
    from nautobot_meraki_users.settings import connection_names, load_settings

    try:
        names = connection_names(load_settings())
    except ConfigurationError:  # the form's own check names the bad setting
        names = ()
    return [("", EVERY_CONNECTION_LABEL)] + [(name, name) for name in names]


class DashboardVar(StringVar):
    """`dashboard`: a connection's name for the REST API and runjob, a picker of the configured ones in the Jobs UI."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StaticSelect2(choices=dashboard_choices))
        super().__init__(*args, **kwargs)


DASHBOARD_HELP = (
    "Optional: the Dashboard connection to work through (an ExternalIntegration named in the app's 'dashboards' "
    "setting). Blank: every configured connection."
)


def dashboard_var() -> DashboardVar:
    """The optional `dashboard` input every job has."""
    return DashboardVar(label="Dashboard", description=DASHBOARD_HELP, required=False)
