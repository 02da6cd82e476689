"""The Meraki inventory: organizations, networks and dashboard administrators as last read from the Dashboard.

The Dashboard owns these records; `nautobot_meraki_users.inventory.sync` writes them and people only read them
(or delete stale rows). Values such as `org_access` and `account_status` are stored exactly as Meraki sends
them, without model `choices`, so that a value Meraki adds later is kept instead of breaking the REST API;
`nautobot_meraki_users.choices` names the known values for filters and forms.

The access policy (profiles, grants, exemptions) is Nautobot's own: people write it, Check Meraki Access Drift
compares the Dashboard with it and stores its findings (`AccessFinding`, replaced on every check).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from nautobot.apps.models import BaseModel, PrimaryModel, extras_features

from nautobot_meraki_users.choices import FindingChoices, OrgAccessChoices

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


# ---------------------------------------------------------------------------------------------------------------------
# The access policy: who *should* have access. Nautobot owns these records (people and the Adopt job write them).
# ---------------------------------------------------------------------------------------------------------------------

POLICY_FEATURES = ("custom_fields", "custom_links", "export_templates", "graphql", "webhooks")


def _privilege_errors(value: object, key: str) -> list[str]:
    from nautobot_meraki_users.operations.policy import privilege_errors

    return privilege_errors(value, key)


@extras_features(*POLICY_FEATURES)
class AccessProfile(PrimaryModel):
    """A named bundle of Meraki access: org access, network privileges and tag privileges."""

    name = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=500, blank=True)
    org_access = models.CharField(
        max_length=32, choices=OrgAccessChoices, verbose_name="Organization access", help_text="full, read-only, "
        "enterprise or none (none: only the network and tag privileges)."
    )  # fmt: skip
    network_privileges = models.JSONField(
        default=list, blank=True, help_text='A list of {"network": name or Meraki ID, "access": level}.'
    )
    tag_privileges = models.JSONField(default=list, blank=True, help_text='A list of {"tag": name, "access": level}.')

    natural_key_field_names = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = "access profile"
        verbose_name_plural = "access profiles"

    def __str__(self):
        return self.name

    def clean(self):
        """Refuse privileges that are not a list of {network|tag, access} with a known level."""
        super().clean()
        errors = {}
        for field_name, key in (("network_privileges", "network"), ("tag_privileges", "tag")):
            problems = _privilege_errors(getattr(self, field_name), key)
            if problems:
                errors[field_name] = problems
        if errors:
            raise ValidationError(errors)


@extras_features(*POLICY_FEATURES)
class AccessGrant(PrimaryModel):
    """A person's access profile in chosen organizations (or all), until an optional expiry date, for a reason."""

    email = models.CharField(
        max_length=254, blank=True, db_index=True, help_text="The person's Meraki login email (blank for a SAML role)."
    )
    saml_role = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        verbose_name="SAML role",
        help_text="Instead of a person: the SAML role (its exact name) that gets the profile's access.",
    )
    name = models.CharField(max_length=255, blank=True, help_text="The person's name (the admin's name in Meraki).")
    user = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Nautobot user",
        help_text="Optional: the Nautobot user this person is.",
    )
    profile = models.ForeignKey(to=AccessProfile, on_delete=models.PROTECT, related_name="grants")
    organizations = models.ManyToManyField(to=MerakiOrganization, blank=True, related_name="access_grants")
    all_organizations = models.BooleanField(default=False, help_text="Every organization, now and later.")
    expires = models.DateField(null=True, blank=True, help_text="The last day of the access; empty: no expiry.")
    reason = models.CharField(max_length=500, blank=True, help_text="Why: a ticket reference or free text.")

    natural_key_field_names = ["id"]  # nothing else is unique; Nautobot needs a natural key to sort and export

    class Meta:
        ordering = ["email", "profile__name"]
        verbose_name = "access grant"
        verbose_name_plural = "access grants"

    def __str__(self):
        return f"{self.email or f'SAML role {self.saml_role}'}: {self.profile}"

    def clean(self):
        """Refuse a grant to nobody, to a person and a SAML role at once, or to an email that is not one."""
        super().clean()
        if self.email and self.saml_role:
            raise ValidationError({"saml_role": "give either email (a person) or saml_role (a SAML role), not both."})
        if not self.email and not self.saml_role:
            raise ValidationError({"email": "give the person's email, or a saml_role for a grant to a SAML role."})
        if self.email:
            _check_email(self.email)
        if self.email and self.profile_id:
            from nautobot_meraki_users.operations.policy import Profile, saml_only_levels  # models load first

            networks = tuple(
                (str(item.get("network")), str(item.get("access"))) for item in self.profile.network_privileges
            )
            problems = saml_only_levels(Profile(self.profile.name, self.profile.org_access, networks))
            if problems:
                raise ValidationError({"profile": " ".join(problems) + " Grant it to a SAML role instead."})


@extras_features(*POLICY_FEATURES)
class AccessExemption(PrimaryModel):
    """A person the policy never changes and never reports as unmanaged (break-glass, service accounts)."""

    email = models.CharField(max_length=254, db_index=True, help_text="The person's Meraki login email.")
    organizations = models.ManyToManyField(to=MerakiOrganization, blank=True, related_name="access_exemptions")
    all_organizations = models.BooleanField(default=False, help_text="Every organization, now and later.")
    reason = models.CharField(max_length=500, blank=True, help_text="Why the policy leaves this person alone.")

    natural_key_field_names = ["id"]  # nothing else is unique

    class Meta:
        ordering = ["email"]
        verbose_name = "access exemption"
        verbose_name_plural = "access exemptions"

    def __str__(self):
        return self.email

    def clean(self):
        """Refuse an email that is not one."""
        super().clean()
        _check_email(self.email)


def _check_email(email: str) -> None:
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": f"{email!r} is not an email address. Give the person's Meraki login."}
        ) from None


@extras_features("export_templates", "graphql")
class AccessFinding(BaseModel):
    """One difference between the policy and an organization, as the last Check Meraki Access Drift saw it."""

    organization = models.ForeignKey(to=MerakiOrganization, on_delete=models.CASCADE, related_name="access_findings")
    email = models.CharField(max_length=254, blank=True, db_index=True)
    saml_role = models.CharField(max_length=255, blank=True, db_index=True, verbose_name="SAML role")
    finding = models.CharField(max_length=32, choices=FindingChoices, db_index=True)
    expected = models.CharField(max_length=1000, blank=True)
    actual = models.CharField(max_length=1000, blank=True)
    grant = models.ForeignKey(to=AccessGrant, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings")
    message = models.CharField(max_length=1000, blank=True)
    found = models.DateTimeField(help_text="When the check saw it.")

    natural_key_field_names = ["id"]  # nothing else is unique

    class Meta:
        ordering = ["organization__name", "email", "finding"]
        verbose_name = "access finding"
        verbose_name_plural = "access findings"

    def __str__(self):
        return f"{self.email or f'SAML role {self.saml_role}'} {self.finding} ({self.organization})"


# ---------------------------------------------------------------------------------------------------------------------
# Where a grant or exemption applies. The REST serializer and the UI form both call `scope_errors` (the organizations
# are a many-to-many field, not set yet when model.clean() runs).
# ---------------------------------------------------------------------------------------------------------------------


def _describe(record: "AccessGrant | AccessExemption") -> str:
    if isinstance(record, AccessGrant):
        return f"grant {record.pk} ({record.email or f'SAML role {record.saml_role}'}, profile {record.profile})"
    return f"exemption {record.pk} ({record.email})"


def scope_errors(
    model: "type[AccessGrant] | type[AccessExemption]",
    *,
    email: str,
    organizations,
    all_organizations: bool,
    instance_pk=None,
    saml_role: str = "",
) -> dict[str, str]:
    """What is wrong with where a grant (or exemption) applies, by field name; empty when nothing is.

    It needs `organizations` or `all_organizations`, not both, and one person (email, any case) has at most one
    grant (one exemption) per organization: an `all_organizations` record collides with every other of that email.

    Args:
        model: AccessGrant or AccessExemption.
        email: the person's email.
        organizations: the MerakiOrganizations it names (a list or queryset).
        all_organizations: whether it covers every organization.
        instance_pk: the record being edited (left out of the collision check), or None for a new one.
        saml_role: a grant to a SAML role (then `email` is blank): one grant per role name (exact) and organization.
    """
    organizations = list(organizations or [])
    if all_organizations and organizations:
        return {
            "all_organizations": "cannot be set together with organizations. Drop one: unset all_organizations to "
            "keep only the listed organizations, or leave organizations empty to cover every organization."
        }
    if not all_organizations and not organizations:
        return {"organizations": "name at least one organization, or set all_organizations."}
    others = (
        model.objects.filter(saml_role=saml_role, email="") if saml_role else model.objects.filter(email__iexact=email)
    )
    if instance_pk is not None:
        others = others.exclude(pk=instance_pk)
    if not all_organizations:
        others = others.filter(models.Q(all_organizations=True) | models.Q(organizations__in=organizations))
    if model is AccessGrant:
        others = others.select_related("profile")
    other = others.distinct().first()
    if other is None:
        return {}
    if all_organizations or other.all_organizations:
        where = "every organization"
    else:
        other_pks = set(other.organizations.values_list("pk", flat=True))
        where = ", ".join(sorted(org.name for org in organizations if org.pk in other_pks))
    kind = model._meta.verbose_name.split()[-1]
    field = "all_organizations" if all_organizations else "organizations"
    return {
        field: f"collides with {_describe(other)} in {where}: a person has one {kind} per organization. "
        f"Edit that {kind}, or leave those organizations out."
    }
