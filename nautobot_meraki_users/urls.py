"""UI routes under /plugins/meraki-users/, named like `plugins:nautobot_meraki_users:merakiorganization_list`."""

from nautobot.apps.urls import NautobotUIViewSetRouter

from nautobot_meraki_users import views

app_name = "nautobot_meraki_users"
router = NautobotUIViewSetRouter()
router.register("organizations", views.MerakiOrganizationUIViewSet)
router.register("networks", views.MerakiNetworkUIViewSet)
router.register("administrators", views.MerakiAdministratorUIViewSet)
router.register("saml-roles", views.MerakiSamlRoleUIViewSet)

urlpatterns = router.urls
