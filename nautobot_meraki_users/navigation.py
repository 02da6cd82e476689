"""The top-level "Meraki" menu: the inventory lists."""

from nautobot.apps.ui import NavigationIconChoices, NavMenuGroup, NavMenuItem, NavMenuTab

APP = "nautobot_meraki_users"


def inventory_item(model_name: str, name: str, weight: int) -> NavMenuItem:
    """A menu link to a list view, shown to users who may view that model."""
    return NavMenuItem(
        link=f"plugins:{APP}:{model_name}_list",
        name=name,
        weight=weight,
        permissions=[f"{APP}.view_{model_name}"],
    )


menu_items = (
    NavMenuTab(
        name="Meraki",
        icon=NavigationIconChoices.CLOUD,
        weight=900,  # with Nautobot's data-model tabs (below 1000), after Cloud
        groups=(
            NavMenuGroup(
                name="Inventory",
                weight=100,
                items=(
                    inventory_item("merakiorganization", "Organizations", 100),
                    inventory_item("merakinetwork", "Networks", 200),
                ),
            ),
            NavMenuGroup(
                name="Access",
                weight=200,
                items=(
                    inventory_item("merakiadministrator", "Administrators", 100),
                    inventory_item("merakisamlrole", "SAML roles", 200),
                ),
            ),
        ),
    ),
)
