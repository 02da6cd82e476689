"""REST serializers of the Meraki inventory (read-only) and of the access policy (writeable)."""

import json
import uuid
from functools import cached_property

from django.urls import NoReverseMatch
from nautobot.apps.api import NautobotModelSerializer, TaggedModelSerializerMixin, ValidatedModelSerializer
from nautobot.core.utils.lookup import get_route_for_model
from nautobot.extras.api.customfields import CustomFieldDefaultValues, CustomFieldsDataField
from rest_framework import serializers
from rest_framework.fields import CreateOnlyDefault
from rest_framework.reverse import reverse

from nautobot_meraki_users.choices import OrgAccessChoices
from nautobot_meraki_users.csv_safety import formula_safe
from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiAdministrator,
    MerakiNetwork,
    MerakiOrganization,
    MerakiSamlRole,
    scope_errors,
)
from nautobot_meraki_users.operations.policy import org_access_error, privilege_errors


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


class CustomFieldsKeysOnce(CustomFieldsDataField):
    """Nautobot's `custom_fields` field, reading the model's custom field keys once per serializer, not per row.

    Nautobot's reads them from the cache for every row. Once per list, page or change-log batch halves the cost of
    serializing many rows (the inventory's change log: 0.45 instead of 0.9 ms a row).
    """

    @cached_property
    def custom_field_keys(self):
        """The model's custom field keys, read when first needed by this serializer."""
        return super().custom_field_keys


_PLACEHOLDER = uuid.UUID(int=0)  # stands for a row's ID in a URL reversed once


class IdentityUrlOnce(serializers.HyperlinkedIdentityField):
    """DRF's `url` field, its route reversed once per field (that is, per list or page) and each row's ID put in.

    Reversing a route for every row is about a tenth of the cost of serializing an inventory row.
    """

    def get_url(self, obj, view_name, request, format):
        """The URL of `obj`, as DRF's `get_url` gives it."""
        value = getattr(obj, self.lookup_field, None)
        if not isinstance(value, uuid.UUID):  # an unsaved object, or an ID that a URL might need quoted
            return super().get_url(obj, view_name, request, format)
        key = (view_name, id(request), format)
        if key not in self._templates:
            kwargs = {self.lookup_url_kwarg: _PLACEHOLDER}
            self._templates[key] = self.reverse(view_name, kwargs=kwargs, request=request, format=format)
        return self._templates[key].replace(str(_PLACEHOLDER), str(value))

    @cached_property
    def _templates(self) -> dict:
        return {}


class AppModelSerializer(FormulaSafeCSVMixin, TaggedModelSerializerMixin, NautobotModelSerializer):
    """The app's model serializers: formula-safe CSV, tags, and custom field keys read once per serializer."""

    serializer_url_field = IdentityUrlOnce

    custom_fields = CustomFieldsKeysOnce(
        source="_custom_field_data", default=CreateOnlyDefault(CustomFieldDefaultValues())
    )

    def to_representation(self, instance):
        """As Nautobot's; a related object nested in many rows (an admin's organization) is serialized once per list.

        A nested serializer serves every row of one list, page or change-log batch: its representation of an
        object is kept for the next row that names the same object (a copy each time).
        """
        if not self.is_nested:
            return super().to_representation(instance)
        if instance.pk not in self._nested:
            self._nested[instance.pk] = super().to_representation(instance)
        return dict(self._nested[instance.pk])

    @cached_property
    def _nested(self) -> dict:
        return {}

    def get_notes_url(self, instance) -> str | None:
        """As Nautobot's, the notes route reversed once per serializer and each row's ID put in."""
        if not isinstance(instance.id, uuid.UUID) or self._notes_url is None:
            return super().get_notes_url(instance)
        return self._notes_url.replace(str(_PLACEHOLDER), str(instance.id))

    @cached_property
    def _notes_url(self) -> str | None:
        try:
            route = get_route_for_model(self.Meta.model, "notes", api=True)
            return reverse(route, args=[_PLACEHOLDER], request=self.context.get("request"))
        except NoReverseMatch:  # Nautobot's own method says why, row by row
            return None

    def get_composite_key(self, instance) -> str:
        """As Nautobot's, built once: Nautobot's builds it twice (the property, and again as getattr's default)."""
        try:
            return instance.composite_key
        except (AttributeError, NotImplementedError):
            return "unknown"

    def get_natural_slug(self, instance) -> str:
        """As Nautobot's, built once (see `get_composite_key`): slugifying is a tenth of a change-log entry's cost."""
        try:
            return instance.natural_slug
        except (AttributeError, NotImplementedError):
            return "unknown"


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


class MerakiOrganizationSerializer(AppModelSerializer):
    """A Meraki organization: `organization_id` is its Meraki ID, `display` its name."""

    class Meta:
        model = MerakiOrganization
        fields = "__all__"


class MerakiNetworkSerializer(AppModelSerializer):
    """A Meraki network; `network_tags` are its Meraki tags, `tags` its Nautobot tags."""

    class Meta:
        model = MerakiNetwork
        fields = "__all__"


class MerakiAdministratorSerializer(AppModelSerializer):
    """A Meraki dashboard administrator of one organization."""

    network_privileges = PrivilegesField(required=False)
    tag_privileges = PrivilegesField(required=False)

    class Meta:
        model = MerakiAdministrator
        fields = "__all__"


class MerakiSamlRoleSerializer(AppModelSerializer):
    """A SAML role of one Meraki organization."""

    network_privileges = PrivilegesField(required=False)
    tag_privileges = PrivilegesField(required=False)

    class Meta:
        model = MerakiSamlRole
        fields = "__all__"


# ---------------------------------------------------------------------------------------------------------------------
# The access policy. `org_access` and `finding` are plain strings (as on administrators), not {"value", "label"}.
# ---------------------------------------------------------------------------------------------------------------------


class OrgAccessField(serializers.ChoiceField):
    """An organization access level, read and written as a plain string; OPTIONS lists the levels."""

    def __init__(self, **kwargs):
        """A choice of OrgAccessChoices."""
        super().__init__(choices=OrgAccessChoices.CHOICES, **kwargs)

    def to_internal_value(self, data):
        """The level, or a 400 that lists the known levels."""
        error = org_access_error(data)
        if error:
            raise serializers.ValidationError(f"{error} Choose one of those levels.")
        return data


class AccessProfileSerializer(AppModelSerializer):
    """An access profile: org access plus network privileges (by network name or ID) and tag privileges."""

    org_access = OrgAccessField(help_text="full, read-only, enterprise or none.")
    network_privileges = PrivilegesField(
        required=False, help_text='A list of {"network": name or ID, "access": level}.'
    )
    tag_privileges = PrivilegesField(required=False, help_text='A list of {"tag": name, "access": level}.')

    class Meta:
        model = AccessProfile
        fields = "__all__"

    def validate_network_privileges(self, value: object) -> object:
        """Refuse network privileges that are not a list of {network, access} with known levels."""
        return _checked_privileges(value, "network")

    def validate_tag_privileges(self, value: object) -> object:
        """Refuse tag privileges that are not a list of {tag, access} with known levels."""
        return _checked_privileges(value, "tag")


def _checked_privileges(value: object, key: str) -> object:
    errors = privilege_errors(value, key)
    if errors:
        raise serializers.ValidationError(errors)
    return value


class ScopeCheckMixin:
    """Check where a grant or exemption applies (`scope_errors`): before saving, and again after.

    The second check catches the collision of two records of one request (a list or a CSV of several rows): each
    passes validation alone; the request runs in a transaction, so the refusal undoes the whole request.
    """

    def validate(self, attrs):
        """The model's checks, then organizations / all_organizations and collisions."""
        attrs = super().validate(attrs)
        instance = self.instance

        def value(name: str, default):
            if name in attrs:
                return attrs[name]
            if instance is None:
                return default
            return instance.organizations.all() if name == "organizations" else getattr(instance, name, default)

        errors = scope_errors(
            self.Meta.model,
            email=value("email", ""),
            organizations=value("organizations", []),
            all_organizations=value("all_organizations", False),
            instance_pk=getattr(instance, "pk", None),
            saml_role=value("saml_role", ""),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_representation(self, instance):
        """In CSV, `organizations` is a column of Meraki organization IDs ("100,200"), which CSV import reads back.

        Nautobot leaves many-to-many fields out of CSV; without this an export could not be imported again.
        """
        data = super().to_representation(instance)
        if self._is_csv_request():
            ids = sorted(org.organization_id for org in instance.organizations.all())
            data["organizations"] = formula_safe(",".join(ids))
        return data

    def create(self, validated_data):
        """Create, then refuse a collision with a record saved earlier in the same request."""
        return self._recheck(super().create(validated_data))

    def update(self, instance, validated_data):
        """Update, then refuse a collision with a record saved earlier in the same request."""
        return self._recheck(super().update(instance, validated_data))

    def _recheck(self, instance):
        errors = scope_errors(
            type(instance),
            email=instance.email,
            organizations=instance.organizations.all(),
            all_organizations=instance.all_organizations,
            instance_pk=instance.pk,
            saml_role=getattr(instance, "saml_role", ""),
        )
        if errors:
            raise serializers.ValidationError({field: [message] for field, message in errors.items()})
        return instance


class AccessGrantSerializer(ScopeCheckMixin, AppModelSerializer):
    """A person's profile in some organizations (or all).

    `profile` is given by ID or `{"name": ...}`, `organizations` by ID or `{"organization_id": ...}`.
    """

    class Meta:
        model = AccessGrant
        fields = "__all__"
        default_m2m_fields = ["organizations"]  # shown by default: where it applies is the point of the record


class AccessExemptionSerializer(ScopeCheckMixin, AppModelSerializer):
    """A person the policy leaves alone in some organizations (or all)."""

    class Meta:
        model = AccessExemption
        fields = "__all__"
        default_m2m_fields = ["organizations"]  # shown by default: where it applies is the point of the record


class AccessFindingSerializer(FormulaSafeCSVMixin, ValidatedModelSerializer):
    """One difference between the policy and an organization (read-only: Check Meraki Access Drift writes them)."""

    finding = serializers.CharField(read_only=True)

    class Meta:
        model = AccessFinding
        fields = "__all__"
