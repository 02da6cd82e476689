"""The access policy's rows in and out of Nautobot: read as values for a check, findings stored, adoptions saved."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.models import (
    AccessExemption,
    AccessFinding,
    AccessGrant,
    AccessProfile,
    MerakiOrganization,
    scope_errors,
)
from nautobot_meraki_users.operations.adoption import Adoption
from nautobot_meraki_users.operations.drift import OrganizationDrift, Policy
from nautobot_meraki_users.operations.policy import Exemption, Grant, Profile


def profile_value(row: AccessProfile) -> Profile:
    """A profile row as the checker's value."""
    return Profile(
        row.name,
        row.org_access,
        tuple((str(item["network"]), str(item["access"])) for item in row.network_privileges or []),
        tuple((str(item["tag"]), str(item["access"])) for item in row.tag_privileges or []),
    )


def profiles() -> list[Profile]:
    """Every access profile as a value (one query)."""
    return [profile_value(row) for row in AccessProfile.objects.all()]


def _organization_ids(model) -> dict:
    """Each grant's (exemption's) Meraki organization IDs, from one query on the many-to-many table."""
    through = model.organizations.through
    owner = f"{model._meta.model_name}_id"
    ids: dict = {}
    for pk, org_id in through.objects.values_list(owner, "merakiorganization__organization_id"):
        ids.setdefault(pk, []).append(org_id)
    return ids


def load_policy(today: date, email: str | None = None) -> Policy:
    """Every grant and exemption as values (four queries: grants with profiles, exemptions, their organizations)."""
    grants = []
    where = _organization_ids(AccessGrant)
    for row in AccessGrant.objects.select_related("profile"):
        org_ids = None if row.all_organizations else frozenset(where.get(row.pk, ()))
        grants.append(
            Grant(str(row.pk), row.email, profile_value(row.profile), org_ids, row.expires, row.name, row.saml_role)
        )
    where = _organization_ids(AccessExemption)
    exemptions = [
        Exemption(row.email, None if row.all_organizations else frozenset(where.get(row.pk, ())))
        for row in AccessExemption.objects.all()
    ]
    return Policy(grants, exemptions, today, email)


def store_findings(drifts: list[OrganizationDrift], found: datetime, email: str | None = None) -> tuple[int, list[str]]:
    """Replace the stored findings of the organizations read (of one person, with `email`), in one transaction.

    A bounded number of statements: the organizations' rows, the grants still there, one DELETE of the stale
    findings, one INSERT per 1,000 findings. A finding links to its grant if the grant still exists. Returns how
    many were stored, and the organizations that could not be stored because the inventory does not know them yet
    (a sync adds them).
    """
    read = [drift for drift in drifts if not drift.error]
    orgs = {row.organization_id: row for row in MerakiOrganization.objects.filter(
        organization_id__in=[drift.org.id for drift in read]
    )}  # fmt: skip
    stale = AccessFinding.objects.filter(organization__in=list(orgs.values()))
    if email is not None:
        stale = stale.filter(email__iexact=email)
    with transaction.atomic():
        keys = {key for drift in read for finding in drift.findings if (key := _uuid(finding.grant))}
        grants = {str(pk) for pk in AccessGrant.objects.filter(pk__in=keys).values_list("pk", flat=True)}
        rows = [
            AccessFinding(
                organization=orgs[drift.org.id],
                email=finding.email,
                saml_role=finding.saml_role,
                finding=finding.finding,
                expected=finding.expected[:1000],
                actual=finding.actual[:1000],
                grant_id=finding.grant if finding.grant in grants else None,
                message=finding.message[:1000],
                found=found,
            )
            for drift in read
            if drift.org.id in orgs
            for finding in drift.findings
        ]
        # One DELETE: findings have no reverse foreign keys, no change log and no signals to honour; Django's
        # collector would SELECT them and delete 100 at a time.
        stale._raw_delete(stale.db)
        AccessFinding.objects.bulk_create(rows, batch_size=1000)
    return len(rows), [drift.org.id for drift in read if drift.org.id not in orgs]


def _uuid(key: str) -> uuid.UUID | None:
    """A grant's key as its primary key (None for a key that is not one, e.g. a test's)."""
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def covered(org_ids: list[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """What the policy already covers in each organization: emails (casefolded) and SAML role names.

    The emails are those of grants and exemptions; the SAML role names those of grants.
    """
    everywhere: set[str] = set()
    roles_everywhere: set[str] = set()
    emails: dict[str, set[str]] = {org_id: set() for org_id in org_ids}
    roles: dict[str, set[str]] = {org_id: set() for org_id in org_ids}
    for model in (AccessGrant, AccessExemption):
        for row in model.objects.prefetch_related("organizations"):
            role = getattr(row, "saml_role", "")
            keys, everything = (roles, roles_everywhere) if role else (emails, everywhere)
            key = role or row.email.casefold()
            if row.all_organizations:
                everything.add(key)
            for org in row.organizations.all():
                keys.setdefault(org.organization_id, set()).add(key)
    return (
        {org_id: found | everywhere for org_id, found in emails.items()},
        {org_id: found | roles_everywhere for org_id, found in roles.items()},
    )


def save_adoption(adoption: Adoption, orgs: dict[str, Organization], reason: str) -> tuple[int, int]:
    """Create the adoption's new profiles and its grants (validated, change-logged); returns (profiles, grants).

    All or nothing: a row that does not validate, or a grant that collides with one made meanwhile (another Adopt,
    someone in the UI), rolls every row back and raises InputError naming it. An organization the inventory does
    not know yet gets its row (a sync fills in the rest).
    """
    try:
        with transaction.atomic():
            _save_adoption(adoption, orgs, reason)
    except ValidationError as err:
        raise InputError([FieldError("adoption", f"nothing was adopted: {'; '.join(err.messages)}")]) from None
    return len(adoption.new_profiles), len(adoption.grants)


def _save_adoption(adoption: Adoption, orgs: dict[str, Organization], reason: str) -> None:
    profiles = {row.name: row for row in AccessProfile.objects.filter(name__in=adoption.reused_profiles)}
    for profile in adoption.new_profiles:
        row = AccessProfile(
            name=profile.name,
            org_access=profile.org_access,
            network_privileges=[{"network": ref, "access": level} for ref, level in profile.networks],
            tag_privileges=[{"tag": tag, "access": level} for tag, level in profile.tags],
            description="Created by Adopt Current Meraki Access: access found in the Dashboard.",
        )
        row.validated_save()
        profiles[row.name] = row
    org_rows = {}
    for org_id in {org_id for grant in adoption.grants for org_id in grant.organization_ids}:
        org = orgs[org_id]
        org_rows[org_id], _ = MerakiOrganization.objects.get_or_create(
            organization_id=org_id, defaults={"name": org.name[:255], "dashboard": org.dashboard}
        )
    for grant in adoption.grants:
        row = AccessGrant(
            email=grant.email, saml_role=grant.saml_role, name=grant.name[:255], profile=profiles[grant.profile],
            reason=reason,
        )  # fmt: skip
        row.validated_save()
        where = [org_rows[org_id] for org_id in grant.organization_ids]
        row.organizations.set(where)
        collision = scope_errors(
            AccessGrant, email=row.email, organizations=where, all_organizations=False, instance_pk=row.pk,
            saml_role=row.saml_role,
        )  # fmt: skip
        if collision:
            raise ValidationError(f"{grant.email or f'SAML role {grant.saml_role}'}: {' '.join(collision.values())}")
