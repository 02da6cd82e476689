"""REST routes, served under /api/plugins/meraki-users/."""

from nautobot.apps.api import OrderedDefaultRouter

from nautobot_meraki_users.api import views

router = OrderedDefaultRouter()
router.register("organizations", views.MerakiOrganizationViewSet)
router.register("networks", views.MerakiNetworkViewSet)
router.register("administrators", views.MerakiAdministratorViewSet)
router.register("saml-roles", views.MerakiSamlRoleViewSet)
router.register("access-profiles", views.AccessProfileViewSet)
router.register("access-grants", views.AccessGrantViewSet)
router.register("access-exemptions", views.AccessExemptionViewSet)
router.register("access-findings", views.AccessFindingViewSet)

urlpatterns = router.urls
