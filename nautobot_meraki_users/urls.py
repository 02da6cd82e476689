"""UI routes under /plugins/meraki-users/, named like `plugins:nautobot_meraki_users:merakiorganization_list`.

`plugins:nautobot_meraki_users:person` (kwarg `email`) is a person's page.
"""

from django.urls import path
from nautobot.apps.urls import NautobotUIViewSetRouter

from nautobot_meraki_users import views

app_name = "nautobot_meraki_users"
router = NautobotUIViewSetRouter()
router.register("organizations", views.MerakiOrganizationUIViewSet)
router.register("networks", views.MerakiNetworkUIViewSet)
router.register("administrators", views.MerakiAdministratorUIViewSet)
router.register("saml-roles", views.MerakiSamlRoleUIViewSet)
router.register("access-profiles", views.AccessProfileUIViewSet)
router.register("access-grants", views.AccessGrantUIViewSet)
router.register("access-exemptions", views.AccessExemptionUIViewSet)
router.register("access-findings", views.AccessFindingUIViewSet)

urlpatterns = [
    # A person by email: their grants, actual access and findings. `path` so that any email reverses.
    path("people/<path:email>/", views.PersonView.as_view(), name="person"),
    *router.urls,
]
