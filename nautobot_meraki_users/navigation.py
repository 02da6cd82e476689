"""The top-level "Meraki" menu: the inventory lists and the access policy."""

from nautobot.apps.ui import NavigationIconChoices, NavMenuAddButton, NavMenuGroup, NavMenuItem, NavMenuTab

APP = "nautobot_meraki_users"


def inventory_item(model_name: str, name: str, weight: int) -> NavMenuItem:
    """A menu link to a list view, shown to users who may view that model."""
    return NavMenuItem(
        link=f"plugins:{APP}:{model_name}_list",
        name=name,
        weight=weight,
        permissions=[f"{APP}.view_{model_name}"],
    )


def policy_item(model_name: str, name: str, weight: int) -> NavMenuItem:
    """A menu link to a writeable list view, with an Add button for users who may add."""
    return NavMenuItem(
        link=f"plugins:{APP}:{model_name}_list",
        name=name,
        weight=weight,
        permissions=[f"{APP}.view_{model_name}"],
        buttons=(NavMenuAddButton(link=f"plugins:{APP}:{model_name}_add", permissions=[f"{APP}.add_{model_name}"]),),
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
            NavMenuGroup(
                name="Policy",
                weight=300,
                items=(
                    policy_item("accessprofile", "Access profiles", 100),
                    policy_item("accessgrant", "Access grants", 200),
                    policy_item("accessexemption", "Exemptions", 300),
                    inventory_item("accessfinding", "Findings", 400),
                ),
            ),
        ),
    ),
)
