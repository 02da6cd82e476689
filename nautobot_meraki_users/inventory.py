"""Keeps Nautobot's Meraki inventory (organizations, networks, administrators) equal to the Dashboard.

`read_snapshot` reads the Dashboard (concurrently, every page of networks); `sync_inventory` turns the
difference into bulk creates, updates and deletes, so a sync of thousands of rows costs a few queries.
An organization whose read failed keeps its rows as they were: a failure never deletes inventory.
`record_changes` lets the write jobs keep the rows current after each change they make.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from nautobot_meraki_users.admins import Organization, Outcome, admin_values
from nautobot_meraki_users.dashboard import Dashboard
from nautobot_meraki_users.errors import failure_message
from nautobot_meraki_users.fanout import fan_out
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization
from nautobot_meraki_users.service import OrganizationResult, skipped_entries


@dataclass
class Snapshot:
    """What the Dashboard holds for the organizations read, and which organizations could not be read."""

    organizations: list[Organization]
    networks: dict[str, list[dict]] = field(default_factory=dict)
    admins: dict[str, list[dict]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[Organization] = field(default_factory=list)  # API access disabled: not read, rows kept


@dataclass
class SyncReport:
    """How many rows of each kind were (or, in a dry run, would be) created, updated and deleted."""

    dryrun: bool
    counts: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)

    def count(self, kind: str, action: str, description: str) -> None:
        """Record one change, e.g. ("administrators", "created", "jane@example.com in Acme")."""
        self.counts[f"{kind}_{action}"] += 1
        self.changes.append(f"{action} {kind[:-1]} {description}")

    def as_dict(self) -> dict:
        """The job result: dryrun, counts of changes, failed organizations (and skipped ones, if any)."""
        result = {
            "dryrun": self.dryrun,
            "counts": dict(sorted(self.counts.items())),
            "failed_organizations": self.failed,
        }
        if self.skipped:
            result["skipped_organizations"] = self.skipped
        return result


def read_snapshot(dashboard: Dashboard, organizations: list[Organization], concurrency: int) -> Snapshot:
    """Read every page of networks and the admins of each organization, at most `concurrency` at once.

    Organizations that `all` left out (a service.Selection's `skipped`: API access disabled) are not read.
    """
    snapshot = Snapshot(organizations=organizations, skipped=list(getattr(organizations, "skipped", [])))

    def read(org: Organization) -> tuple[list[dict], list[dict]]:
        return dashboard.networks(org.id), dashboard.admins(org.id)

    for done in fan_out(read, organizations, concurrency):
        if done.error is not None:
            snapshot.failed[done.item.id] = failure_message(done.error)
        else:
            snapshot.networks[done.item.id], snapshot.admins[done.item.id] = done.value
    return snapshot


def _when(value: object) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def organization_fields(org: Organization) -> dict:
    """Model fields of a MerakiOrganization from the Dashboard's data."""
    return {"name": org.name, "dashboard_url": org.url}


def network_fields(network: dict) -> dict:
    """Model fields of a MerakiNetwork from the Dashboard's network record."""
    return {
        "name": str(network.get("name", "")),
        "product_types": list(network.get("productTypes") or []),
        "network_tags": list(network.get("tags") or []),
    }


def admin_fields(admin: dict) -> dict:
    """Model fields of a MerakiAdministrator from the Dashboard's admin record."""
    values = admin_values(admin)
    values["last_active"] = _when(values["last_active"])
    return values


def _changed(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _sync_rows(model, existing: dict, wanted: dict, fixed: dict, report: SyncReport, kind: str, now, label) -> None:
    """Create, update and delete `model` rows so that `existing` (key -> row) becomes `wanted` (key -> fields)."""
    to_create, to_update = [], []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(model(**fixed(key), **values, last_seen=now))
            report.count(kind, "created", label(key, values))
        else:
            if _changed(row, values):
                report.count(kind, "updated", label(key, values))
                row.last_updated = now
            for name, value in values.items():
                setattr(row, name, value)
            row.last_seen = now
            to_update.append(row)
    gone = [row for key, row in existing.items() if key not in wanted]
    for row in gone:
        report.count(kind, "deleted", str(row))
    if report.dryrun:
        return
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        names = sorted({name for values in wanted.values() for name in values} | {"last_seen", "last_updated"})
        model.objects.bulk_update(to_update, names, batch_size=500)
    if gone:
        model.objects.filter(pk__in=[row.pk for row in gone]).delete()


def sync_inventory(snapshot: Snapshot, dryrun: bool, full: bool = True) -> SyncReport:
    """Make the inventory equal to `snapshot`.

    Args:
        snapshot: what the Dashboard holds.
        dryrun: count the differences without writing.
        full: the snapshot covers every organization the app may see, so organizations missing from it
            (the key lost access, or they left the allow-list) are deleted with their networks and admins.
    """
    report = SyncReport(dryrun=dryrun, failed=dict(snapshot.failed), skipped=skipped_entries(snapshot.skipped))
    now = timezone.now()
    with transaction.atomic():
        orgs = {o.organization_id: o for o in MerakiOrganization.objects.all()}
        wanted_orgs = {org.id: organization_fields(org) for org in snapshot.organizations}
        kept = {org.id for org in snapshot.skipped}  # API access disabled: left as they were, not deleted
        existing_orgs = {k: v for k, v in orgs.items() if (full and k not in kept) or k in wanted_orgs}
        _sync_rows(
            MerakiOrganization, existing_orgs, wanted_orgs, lambda key: {"organization_id": key}, report,
            "organizations", now, lambda key, values: f"{values['name']} ({key})",
        )  # fmt: skip
        org_rows = {o.organization_id: o for o in MerakiOrganization.objects.filter(organization_id__in=wanted_orgs)}
        readable = [org for org in snapshot.organizations if org.id not in snapshot.failed]

        def org_of(org_id: str):
            # In a dry run a new organization has no row yet; its children are counted all the same.
            return org_rows.get(org_id) or MerakiOrganization(organization_id=org_id)

        networks = {
            n.network_id: n
            for n in MerakiNetwork.objects.filter(organization__organization_id__in=[o.id for o in readable])
        }
        wanted_networks, network_org = {}, {}
        for org in readable:
            for network in snapshot.networks.get(org.id, []):
                wanted_networks[str(network.get("id"))] = network_fields(network)
                network_org[str(network.get("id"))] = org.id
        _sync_rows(
            MerakiNetwork, networks, wanted_networks,
            lambda key: {"network_id": key, "organization": org_of(network_org[key])}, report, "networks", now,
            lambda key, values: f"{values['name']} ({key})",
        )  # fmt: skip
        admins = {
            (a.organization.organization_id, a.admin_id): a
            for a in MerakiAdministrator.objects.filter(
                organization__organization_id__in=[o.id for o in readable]
            ).select_related("organization")
        }
        wanted_admins = {
            (org.id, str(admin.get("id"))): admin_fields(admin)
            for org in readable
            for admin in snapshot.admins.get(org.id, [])
        }
        _sync_rows(
            MerakiAdministrator, admins, wanted_admins,
            lambda key: {"organization": org_of(key[0]), "admin_id": key[1]}, report, "administrators", now,
            lambda key, values: f"{values['email']} in organization {key[0]}",
        )  # fmt: skip
        if dryrun:
            transaction.set_rollback(True)
    return report


def record_changes(results: list[OrganizationResult]) -> None:
    """After a write job: upsert the admins it created or updated, delete the ones it removed."""
    now = timezone.now()
    changed = [r for r in results if r.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.REMOVED) and r.admin_id]
    if not changed:
        return
    orgs = {
        o.organization_id: o
        for o in MerakiOrganization.objects.filter(organization_id__in={r.organization_id for r in changed})
    }  # one query for all organizations, not one per result
    with transaction.atomic():
        for result in changed:
            org = orgs.get(result.organization_id)
            if org is None:  # the inventory was never synced: start it with this organization
                org = orgs[result.organization_id] = MerakiOrganization.objects.create(
                    organization_id=result.organization_id, name=result.organization_name, last_seen=now
                )
            if result.outcome == Outcome.REMOVED:
                MerakiAdministrator.objects.filter(organization=org, admin_id=result.admin_id).delete()
            elif result.record:
                MerakiAdministrator.objects.update_or_create(
                    organization=org,
                    admin_id=result.admin_id,
                    defaults={**admin_fields(result.record), "last_seen": now},
                )
