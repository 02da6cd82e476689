"""The Meraki inventory: organizations, networks and dashboard administrators as last read from the Dashboard.

The Dashboard owns these records; `nautobot_meraki_users.inventory.sync` writes them and people only read them
(or delete stale rows). Values such as `org_access` and `account_status` are stored exactly as Meraki sends
them, without model `choices`, so that a value Meraki adds later is kept instead of breaking the REST API;
`nautobot_meraki_users.choices` names the known values for filters and forms.
"""

from django.db import models
from django.db.models.functions import Lower
from nautobot.apps.models import PrimaryModel, extras_features

MERAKI_ID_LENGTH = 64
INVENTORY_FEATURES = ("custom_fields", "custom_links", "export_templates", "graphql", "webhooks")


@extras_features(*INVENTORY_FEATURES)
class MerakiOrganization(PrimaryModel):
    """A Meraki organization the API key can see."""

    organization_id = models.CharField(max_length=MERAKI_ID_LENGTH, unique=True, verbose_name="Meraki ID")
    name = models.CharField(max_length=255)
    dashboard_url = models.CharField(max_length=500, blank=True, verbose_name="Dashboard URL")
    dashboard = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        verbose_name="Dashboard connection",
        help_text="The connection the app reaches it through: an ExternalIntegration's name, or 'default'.",
    )
    saml_enabled = models.BooleanField(
        null=True, blank=True, verbose_name="SAML enabled", help_text="SAML single sign-on on or off; empty: not read."
    )
    login_security = models.JSONField(
        default=dict, blank=True, help_text="The organization's login security settings, as Meraki sends them."
    )
    last_seen = models.DateTimeField(null=True, blank=True, help_text="When the last sync found it in the Dashboard.")

    natural_key_field_names = ["organization_id"]

    class Meta:
        ordering = ["name"]
        verbose_name = "Meraki organization"
        verbose_name_plural = "Meraki organizations"

    def __str__(self):
        return self.name


@extras_features(*INVENTORY_FEATURES)
class MerakiNetwork(PrimaryModel):
    """A network of a Meraki organization."""

    network_id = models.CharField(max_length=MERAKI_ID_LENGTH, unique=True, verbose_name="Meraki ID")
    organization = models.ForeignKey(to=MerakiOrganization, on_delete=models.CASCADE, related_name="networks")
    name = models.CharField(max_length=255)
    product_types = models.JSONField(default=list, blank=True, help_text="Meraki product types, e.g. appliance.")
    network_tags = models.JSONField(
        default=list, blank=True, verbose_name="Meraki tags", help_text="The network's tags in the Dashboard."
    )
    last_seen = models.DateTimeField(null=True, blank=True, help_text="When the last sync found it in the Dashboard.")

    natural_key_field_names = ["network_id"]

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "Meraki network"
        verbose_name_plural = "Meraki networks"

    def __str__(self):
        return self.name


@extras_features(*INVENTORY_FEATURES)
class MerakiAdministrator(PrimaryModel):
    """A dashboard administrator of one Meraki organization; one person has one row per organization."""

    organization = models.ForeignKey(to=MerakiOrganization, on_delete=models.CASCADE, related_name="administrators")
    admin_id = models.CharField(max_length=MERAKI_ID_LENGTH, verbose_name="Meraki ID")
    email = models.CharField(max_length=254, db_index=True)
    name = models.CharField(max_length=255, blank=True)
    org_access = models.CharField(max_length=32, verbose_name="Organization access")
    account_status = models.CharField(max_length=32, blank=True)
    two_factor_auth_enabled = models.BooleanField(default=False, verbose_name="2FA enabled")
    has_api_key = models.BooleanField(default=False, verbose_name="Has API key")
    last_active = models.DateTimeField(null=True, blank=True, help_text="Last Dashboard activity; empty if never.")
    authentication_method = models.CharField(max_length=64, blank=True)
    network_privileges = models.JSONField(
        default=list, blank=True, help_text='Network-level access: a list of {"id": ..., "access": ...}.'
    )
    tag_privileges = models.JSONField(
        default=list, blank=True, help_text='Tag-level access: a list of {"tag": ..., "access": ...}.'
    )
    last_seen = models.DateTimeField(null=True, blank=True, help_text="When the last sync found it in the Dashboard.")

    natural_key_field_names = ["organization", "admin_id"]

    class Meta:
        ordering = ["email", "organization__name"]
        verbose_name = "Meraki administrator"
        verbose_name_plural = "Meraki administrators"
        constraints = [
            models.UniqueConstraint(fields=["organization", "admin_id"], name="nautobot_meraki_users_admin_per_org"),
        ]
        indexes = [
            models.Index(Lower("email"), name="nautobot_meraki_users_email_ci"),
        ]

    def __str__(self):
        return f"{self.email} ({self.organization})"


@extras_features(*INVENTORY_FEATURES)
class MerakiSamlRole(PrimaryModel):
    """A SAML role of one Meraki organization: the access of everyone who signs in through SAML with that role."""

    organization = models.ForeignKey(to=MerakiOrganization, on_delete=models.CASCADE, related_name="saml_roles")
    role_id = models.CharField(max_length=MERAKI_ID_LENGTH, verbose_name="Meraki ID")
    role = models.CharField(max_length=255, verbose_name="Role name", db_index=True)
    org_access = models.CharField(max_length=64, verbose_name="Organization access")
    network_privileges = models.JSONField(
        default=list, blank=True, help_text='Network-level access: a list of {"id": ..., "access": ...}.'
    )
    tag_privileges = models.JSONField(
        default=list, blank=True, help_text='Tag-level access: a list of {"tag": ..., "access": ...}.'
    )
    last_seen = models.DateTimeField(null=True, blank=True, help_text="When the last sync found it in the Dashboard.")

    natural_key_field_names = ["organization", "role_id"]

    class Meta:
        ordering = ["organization__name", "role"]
        verbose_name = "Meraki SAML role"
        verbose_name_plural = "Meraki SAML roles"
        constraints = [
            models.UniqueConstraint(fields=["organization", "role_id"], name="nautobot_meraki_users_saml_role_per_org"),
        ]

    def __str__(self):
        return f"{self.role} ({self.organization})"
