"""Keeps Nautobot's Meraki inventory (organizations, networks, administrators, SAML roles) equal to the Dashboard.

`read_snapshot` reads the Dashboard (concurrently, every page of networks); `SyncStream` turns the difference into
bulk creates, updates and deletes, a few organizations at a time as their reads arrive, so a sync of thousands of
rows costs a few queries per batch and is written while the other reads are in flight (`sync_inventory` does the
same for a snapshot read beforehand).
An organization whose read failed keeps its rows as they were: a failure never deletes inventory, and a row
that a write job stored after the snapshot was read is newer than the snapshot, so the sync leaves it alone.
`record_changes` lets the write jobs keep the rows current after each change they make.

Every create, update and delete lands in Nautobot's change log, attributed to the running job (its user and change
context), written and dispatched in bulk like the rows (`changelog`). A Dashboard value longer than its column is
cut to the column's length with a note; it never fails a sync or a write job.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from nautobot.core.models import BaseModel
from nautobot.extras.choices import ObjectChangeActionChoices
from nautobot.extras.models import ContactAssociation, Note
from nautobot.extras.signals import change_context_state

from nautobot_meraki_users.dashboard.connections import Dashboards
from nautobot_meraki_users.dashboard.fanout import Done, fan_out
from nautobot_meraki_users.errors import failure_message
from nautobot_meraki_users.inventory.changelog import (
    BATCH_SIZE,
    log_changes,
    logged_here,
    object_changes,
    save_changes,
)
from nautobot_meraki_users.log_text import log_safe
from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole
from nautobot_meraki_users.operations.admins import Organization, Outcome, admin_values
from nautobot_meraki_users.operations.engine import OrganizationResult, skipped_entries

UPDATE_BATCH_SIZE = 100  # bulk_update writes one CASE per column over the batch: its cost grows with the square
INVENTORY_MODELS = (
    MerakiOrganization,
    MerakiNetwork,
    MerakiAdministrator,
    MerakiSamlRole,
)  # their change log is built in bulk
WRITTEN = (Outcome.CREATED, Outcome.UPDATED, Outcome.REMOVED)  # the outcomes that changed an admin in Meraki


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessSettings:
    """The other ways into an organization: whether SAML is on, its SAML roles, its login security settings."""

    saml_enabled: bool
    saml_roles: list[dict]
    login_security: dict


def read_access_settings(dashboard: Dashboards, organization_id: str) -> AccessSettings:
    """Read an organization's SAML switch, SAML roles and login security (three requests)."""
    return AccessSettings(
        saml_enabled=dashboard.saml_enabled(organization_id),
        saml_roles=dashboard.saml_roles(organization_id),
        login_security=dashboard.login_security(organization_id),
    )


@dataclass
class Snapshot:
    """What the Dashboard holds for the organizations read, and which organizations could not be read."""

    organizations: list[Organization]
    networks: dict[str, list[dict]] = field(default_factory=dict)
    admins: dict[str, list[dict]] = field(default_factory=dict)
    access: dict[str, AccessSettings] = field(default_factory=dict)  # SAML and login security, per organization
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[Organization] = field(default_factory=list)  # API access disabled: not read, rows kept
    read_started: datetime | None = None  # rows changed after this are newer than the snapshot: a sync keeps them


KINDS = ("organizations", "networks", "administrators", "saml_roles")  # the order of a sync's change lines


@dataclass
class SyncReport:
    """How many rows of each kind were (or, in a dry run, would be) created, updated and deleted."""

    dryrun: bool
    counts: Counter = field(default_factory=Counter)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)  # organization ID -> its place in the organization list
    _lines: list[tuple[int, int, int, str]] = field(default_factory=list)
    _notes: dict[str, list[str]] = field(default_factory=dict)  # organization ID -> Dashboard values cut to fit

    def count(self, kind: str, action: str, description: str, organization_id: str = "") -> None:
        """Record one change, e.g. ("administrators", "created", "jane@example.com in Acme", "100")."""
        self.counts[f"{kind}_{action}"] += 1
        place = self.order.get(organization_id, len(self.order))
        self._lines.append((KINDS.index(kind), place, len(self._lines), f"{action} {kind[:-1]} {description}"))

    @property
    def changes(self) -> list[str]:
        """One line per change: organizations first, then networks, administrators and SAML roles.

        Each kind follows the organization list's order: the same lines in the same order however the reads arrived.
        """
        return [line for *_, line in sorted(self._lines)]

    def notes_of(self, organization_id: str) -> list[str]:
        """The list that receives the notes (values cut to fit, records not stored) of one organization's rows."""
        return self._notes.setdefault(organization_id, [])

    @property
    def notes(self) -> list[str]:
        """Every note, in the organization list's order."""
        places = sorted(self._notes, key=lambda org_id: self.order.get(org_id, len(self.order)))
        return [note for org_id in places for note in self._notes[org_id]]

    def as_dict(self) -> dict:
        """The job result: dryrun, counts of changes, failed organizations, notes (and skipped ones, if any)."""
        result = {
            "dryrun": self.dryrun,
            "counts": dict(sorted(self.counts.items())),
            "failed_organizations": self.failed,
            "notes": self.notes,
        }
        if self.skipped:
            result["skipped_organizations"] = self.skipped
        return result


@dataclass
class Upkeep:
    """What `record_changes` could not do: organizations whose rows were not updated, and values cut to fit."""

    failed: dict[str, str] = field(default_factory=dict)  # organization ID -> why
    notes: list[str] = field(default_factory=list)


def read_snapshot(
    dashboard: Dashboards,
    organizations: list[Organization],
    concurrency: int,
    on_read: Callable[[Snapshot, Organization], None] | None = None,
) -> Snapshot:
    """Read every page of networks and the admins of each organization, at most `concurrency` at once.

    Organizations that `all` left out (a engine.Selection's `skipped`: API access disabled) are not read.
    `on_read(snapshot, org)` is called in the caller's thread as each organization's read is stored (or its failure,
    in `snapshot.failed`), while the other reads go on (`SyncStream.add`).
    """
    snapshot = Snapshot(
        organizations=organizations,
        skipped=list(getattr(organizations, "skipped", [])),
        read_started=timezone.now(),
    )

    for org in organizations:  # its connection failed: not read, its rows kept
        if org.error:
            snapshot.failed[org.id] = org.error
    readable = [org for org in organizations if not org.error]

    def store(done: Done) -> None:
        if done.error is not None:
            snapshot.failed[done.item.id] = failure_message(done.error)
        else:
            org_id = done.item.id
            snapshot.admins[org_id], snapshot.networks[org_id], snapshot.access[org_id] = done.value
        if on_read is not None:
            on_read(snapshot, done.item)

    fan_out(partial(read_organization, dashboard), readable, concurrency, on_done=store)
    return snapshot


def read_organization(dashboard: Dashboards, org: Organization) -> tuple[list[dict], list[dict], AccessSettings]:
    """One organization's admins, networks and access settings (five requests, more for pages of networks)."""
    return *dashboard.organization_state(org.id), read_access_settings(dashboard, org.id)


def _when(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:  # well-formed but not a real date: an unknown "last active" rather than a failed sync
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def organization_fields(org: Organization, access: AccessSettings | None = None) -> dict:
    """Model fields of a MerakiOrganization from the Dashboard's data (its SAML switch and login security if read)."""
    values = {"name": org.name, "dashboard_url": org.url, "dashboard": org.dashboard}
    if access is not None:
        values.update(saml_enabled=access.saml_enabled, login_security=access.login_security)
    return values


def saml_role_fields(role: dict) -> dict:
    """Model fields of a MerakiSamlRole from the Dashboard's SAML role record."""
    return {
        "role": str(role.get("role", "")),
        "org_access": str(role.get("orgAccess", "")),
        "network_privileges": [
            {"id": str(n.get("id")), "access": str(n.get("access"))} for n in role.get("networks") or []
        ],
        "tag_privileges": [{"tag": str(t.get("tag")), "access": str(t.get("access"))} for t in role.get("tags") or []],
    }


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


def fit_values(model: type[models.Model], values: dict, record: str, notes: list[str]) -> dict:
    """Cut each text in `values` that is longer than its column to the column's `max_length`, noting each cut.

    Args:
        model: the model whose fields' `max_length` apply.
        values: field name -> value, changed in place.
        record: names the record in the note, e.g. "administrator 123 in organization 100".
        notes: receives one line per cut value.
    """
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            values[name] = value[:limit]
            notes.append(f"{record}: {name} is {len(value)} characters long; the inventory keeps the first {limit}.")
    return values


def _id_fits(model: type[models.Model], name: str, value: str, where: str, notes: list[str]) -> bool:
    """Whether a Meraki ID is there and fits its column; a missing or longer one cannot be stored: skip the record.

    A longer ID cannot be cut (it would name another record). The note names `model`'s record, `where`.
    """
    kind = model._meta.verbose_name
    if not value:
        notes.append(f"{where}: a {kind} without a Meraki ID: not stored.")
        return False
    limit = model._meta.get_field(name).max_length
    if len(value) <= limit:
        return True
    notes.append(f"{where}: a Meraki ID of {len(value)} characters, more than {limit}: {kind} not stored.")
    return False


def _changed(instance, values: dict) -> frozenset[str]:
    """The names of the fields whose value in `values` differs from the row's."""
    return frozenset(name for name, value in values.items() if getattr(instance, name) != value)


def _newer_than(row, since: datetime | None) -> bool:
    """Whether `row` was stored (by a write job) after `since`, when the snapshot was read."""
    return since is not None and any(when is not None and when > since for when in (row.last_seen, row.last_updated))


def _delete_rows(queryset) -> None:
    """Delete rows (and the rows that cascade from them), each logged in the change log, in bulk.

    What Nautobot's `bulk_delete_with_bulk_change_logging` does (cascaded rows and their notes are logged too, the
    rows' notes and contact associations removed), in a few statements: the inventory's rows are serialized in bulk
    (`object_changes`) and their notes and contact associations deleted per model, not per row by a signal.
    """
    context = change_context_state.get()
    if context is None:
        queryset.delete()
        return
    collector = Collector(using=queryset.db)
    collector.collect(list(queryset))
    entries, attached = [], []
    for model, instances in collector.data.items():
        instances = list(instances)
        if not instances or not issubclass(model, BaseModel):
            continue
        content_type = ContentType.objects.get_for_model(model)
        pks = [instance.pk for instance in instances]
        notes = list(Note.objects.filter(assigned_object_type=content_type, assigned_object_id__in=pks))
        attached += [
            Note.objects.filter(pk__in=[note.pk for note in notes]),
            ContactAssociation.objects.filter(associated_object_type=content_type, associated_object_id__in=pks),
        ]
        if model in INVENTORY_MODELS:
            if "organization" in {f.name for f in model._meta.fields}:
                prefetch_related_objects(instances, "organization")  # their names include the organization's
            entries += object_changes(instances, ObjectChangeActionChoices.ACTION_DELETE)
        elif hasattr(model, "to_objectchange"):
            entries += [instance.to_objectchange(ObjectChangeActionChoices.ACTION_DELETE) for instance in instances]
        entries += [note.to_objectchange(ObjectChangeActionChoices.ACTION_DELETE) for note in notes]
    with transaction.atomic():
        save_changes([entry for entry in entries if entry is not None], context)
        with logged_here():  # logged above: Nautobot's per-row delete signal has nothing to do
            for rows in attached:
                rows.delete()
            queryset.delete()


def _sync_rows(
    model, existing: dict, wanted: dict, fixed, report: SyncReport, kind: str, now, label, since, owner
) -> None:
    """Create, update and delete `model` rows so that `existing` (key -> row) becomes `wanted` (key -> fields).

    A row stored after `since` (by a write job, while the snapshot was read) is newer than `wanted`: it is kept.
    `owner(key)` is the organization ID a row belongs to (the change lines follow the organization list).
    """
    to_create, changed, seen = [], [], []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(model(**fixed(key), **values, last_seen=now))
            report.count(kind, "created", label(key, values), owner(key))
        elif _newer_than(row, since):
            report.count(kind, "kept", f"{label(key, values)}: changed since the snapshot was read", owner(key))
        elif names := _changed(row, values):
            report.count(kind, "updated", label(key, values), owner(key))
            for name in names:
                setattr(row, name, values[name])
            row.last_seen = row.last_updated = now
            changed.append((row, names))
        else:
            seen.append(row.pk)
    gone = []
    for key, row in existing.items():
        if key in wanted:
            continue
        if _newer_than(row, since):
            report.count(kind, "kept", f"{row}: changed since the snapshot was read", owner(key))
        else:
            gone.append(row)
            report.count(kind, "deleted", str(row), owner(key))
    if report.dryrun:
        return
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    # Each changed row writes only the fields that changed (bulk_update builds a CASE per field and row: all fields
    # of every row cost ten times more, e.g. when only the admins' "last active" moved), grouped by those fields.
    by_fields: dict[frozenset[str], list] = defaultdict(list)
    for row, names in changed:
        by_fields[names].append(row)
    for names, rows in by_fields.items():
        model.objects.bulk_update(rows, sorted(names), batch_size=UPDATE_BATCH_SIZE)
    touched = [row.pk for row, _ in changed]
    for start in range(0, len(touched), BATCH_SIZE):  # the changed rows' times, the same for all: one UPDATE a batch
        model.objects.filter(pk__in=touched[start : start + BATCH_SIZE]).update(last_seen=now, last_updated=now)
    for start in range(0, len(seen), BATCH_SIZE):  # unchanged rows: only "last seen", one UPDATE per batch
        model.objects.filter(pk__in=seen[start : start + BATCH_SIZE]).update(last_seen=now)
    log_changes(to_create, ObjectChangeActionChoices.ACTION_CREATE)
    log_changes([row for row, _ in changed], ObjectChangeActionChoices.ACTION_UPDATE)
    if gone:
        _delete_rows(model.objects.filter(pk__in=[row.pk for row in gone]))


class SyncStream:
    """Makes the inventory equal to the Dashboard organization by organization, as their reads arrive.

    `read_snapshot(..., on_read=stream.add)` hands over each organization once it is read; every `BATCH`
    organizations their rows (the organization, its networks, admins and SAML roles) are synced in one transaction,
    while the other organizations' reads are in flight. `finish` syncs what is left (organizations not read: their
    connection failed) and, last, deletes the organizations the Dashboard no longer shows.

    Args:
        dryrun: count the differences without writing.
        full: the snapshot covers every organization the app may see, so organizations missing from it
            (the key lost access, or they left the allow-list) are deleted with their networks and admins.
        scope: the snapshot covers only these connections (one was chosen, or another failed): only organizations
            the inventory attributes to them may be deleted.
    """

    # Organizations per transaction. Measured with `invoke bench` (sync, 200 organizations): 10 at a time kept the
    # job's thread busy in long stretches and its requests arrived bunched (37 429s); 1 at a time spent more on
    # statements than it saved; 3 keeps the reads at their pace with the writing done in between.
    BATCH = 3

    def __init__(self, dryrun: bool, full: bool = True, scope: set[str] | None = None):
        """Start a sync with nothing synced yet."""
        self.full, self.scope = full, scope
        self.report = SyncReport(dryrun=dryrun)
        self.pending: list[Organization] = []
        self.synced: set[str] = set()  # organizations whose rows were synced
        self.wanted: set[str] = set()  # organizations the inventory keeps (their ID fits a column)

    def add(self, snapshot: Snapshot, org: Organization) -> None:
        """`org` was read (or its read failed, in `snapshot.failed`); syncs a batch once `BATCH` are waiting."""
        self.pending.append(org)
        if len(self.pending) >= self.BATCH:
            self._sync(snapshot, self.pending)
            self.pending = []

    def finish(self, snapshot: Snapshot) -> SyncReport:
        """Sync every organization not synced yet, delete the organizations gone, and report."""
        report = self.report
        report.failed, report.skipped = dict(snapshot.failed), skipped_entries(snapshot.skipped)
        self._sync(snapshot, [org for org in snapshot.organizations if org.id not in self.synced])
        self.pending = []
        if not self.full:  # the snapshot does not cover every organization: none is known to be gone
            return report
        with transaction.atomic():
            kept = {org.id for org in snapshot.skipped}  # API access disabled: left as they were, not deleted
            gone = {
                row.organization_id: row
                for row in MerakiOrganization.objects.exclude(organization_id__in=self.wanted)
                if row.organization_id not in kept and (self.scope is None or row.dashboard in self.scope)
            }
            if gone:
                _sync_rows(
                    MerakiOrganization, gone, {}, None, report, "organizations", timezone.now(), None,
                    snapshot.read_started, lambda key: key,
                )  # fmt: skip
        return report

    def _sync(self, snapshot: Snapshot, batch: list[Organization]) -> None:
        """Sync the rows of the organizations in `batch`: theirs, their networks', admins' and SAML roles'."""
        report = self.report
        if not report.order:
            report.order.update((org.id, place) for place, org in enumerate(snapshot.organizations))
        self.synced.update(org.id for org in batch)
        if not batch:
            return
        now, since = timezone.now(), snapshot.read_started
        with transaction.atomic():
            ids = [org.id for org in batch]
            rows = {row.organization_id: row for row in MerakiOrganization.objects.filter(organization_id__in=ids)}
            wanted_orgs = {
                str(org.id): fit_values(
                    MerakiOrganization,
                    organization_fields(org, snapshot.access.get(org.id)),
                    f"organization {org.id}",
                    report.notes_of(org.id),
                )
                for org in batch
                if _id_fits(MerakiOrganization, "organization_id", str(org.id), "organization", report.notes_of(org.id))
            }
            self.wanted.update(wanted_orgs)
            if self.scope is not None:  # a connection not read now may come first for a shared organization
                for org_id, values in wanted_orgs.items():
                    row = rows.get(org_id)
                    if row is not None and row.dashboard and row.dashboard not in self.scope:
                        values["dashboard"] = row.dashboard
            _sync_rows(
                MerakiOrganization, {k: v for k, v in rows.items() if k in wanted_orgs}, wanted_orgs,
                lambda key: {"organization_id": key}, report, "organizations", now,
                lambda key, values: f"{values['name']} ({key})", since, lambda key: key,
            )  # fmt: skip
            org_rows = {
                row.organization_id: row for row in MerakiOrganization.objects.filter(organization_id__in=wanted_orgs)
            }
            readable = [org for org in batch if org.id in wanted_orgs and org.id not in snapshot.failed]

            def org_of(org_id: str):
                # In a dry run a new organization has no row yet; its children are counted all the same.
                return org_rows.get(org_id) or MerakiOrganization(organization_id=org_id)

            _sync_networks(snapshot, readable, org_of, report, now)
            _sync_organization_rows(ADMINISTRATOR_ROWS, snapshot, readable, org_of, report, now)
            with_access = [org for org in readable if org.id in snapshot.access]  # their SAML roles were read
            _sync_organization_rows(SAML_ROLE_ROWS, snapshot, with_access, org_of, report, now)
            if report.dryrun:
                transaction.set_rollback(True)


def _sync_networks(snapshot: Snapshot, readable: list[Organization], org_of, report: SyncReport, now) -> None:
    """Make the networks of the `readable` organizations equal to the snapshot."""
    existing = {
        n.network_id: n
        for n in MerakiNetwork.objects.filter(
            organization__organization_id__in=[o.id for o in readable]
        ).select_related("organization")
    }
    wanted, network_org = {}, {}
    for org in readable:
        notes = report.notes_of(org.id)
        for network in snapshot.networks.get(org.id, []):
            network_id, record = str(network.get("id") or ""), f"network {network.get('id')}"
            if _id_fits(MerakiNetwork, "network_id", network_id, f"network of organization {org.id}", notes):
                wanted[network_id] = fit_values(MerakiNetwork, network_fields(network), record, notes)
                network_org[network_id] = org.id
    _sync_rows(
        MerakiNetwork, existing, wanted,
        lambda key: {"network_id": key, "organization": org_of(network_org[key])}, report, "networks", now,
        lambda key, values: f"{values['name']} ({key})", snapshot.read_started,
        lambda key: network_org.get(key) or existing[key].organization.organization_id,
    )  # fmt: skip


@dataclass(frozen=True)
class _OrganizationRows:
    """A kind of row that belongs to one organization: keyed by (organization ID, its Meraki ID)."""

    model: type[models.Model]
    id_field: str  # the Meraki ID's field
    kind: str  # the report's name for them, e.g. "administrators"
    noun: str  # one of them in a note, e.g. "administrator"
    records: Callable[[Snapshot, str], list[dict]]  # the Dashboard's records of one organization
    fields: Callable[[dict], dict]  # a record's model fields
    name: Callable[[dict], str]  # names a row in a change line, from its fields


ADMINISTRATOR_ROWS = _OrganizationRows(
    MerakiAdministrator, "admin_id", "administrators", "administrator",
    lambda snapshot, org_id: snapshot.admins.get(org_id, []), admin_fields, lambda values: values["email"],
)  # fmt: skip
SAML_ROLE_ROWS = _OrganizationRows(
    MerakiSamlRole, "role_id", "saml_roles", "SAML role",
    lambda snapshot, org_id: snapshot.access[org_id].saml_roles, saml_role_fields, lambda values: values["role"],
)  # fmt: skip


def _sync_organization_rows(
    rows: _OrganizationRows, snapshot: Snapshot, readable: list[Organization], org_of, report: SyncReport, now
) -> None:
    """Make the `rows` (administrators or SAML roles) of the `readable` organizations equal to the snapshot."""
    model, id_field = rows.model, rows.id_field
    existing = {
        (row.organization.organization_id, getattr(row, id_field)): row
        for row in model.objects.filter(organization__organization_id__in=[org.id for org in readable]).select_related(
            "organization"
        )
    }
    wanted = {}
    for org in readable:
        notes = report.notes_of(org.id)
        for record in rows.records(snapshot, org.id):
            record_id, where = str(record.get("id") or ""), f"{rows.noun} {record.get('id')} in organization {org.id}"
            if _id_fits(model, id_field, record_id, f"{rows.noun} in organization {org.id}", notes):
                wanted[org.id, record_id] = fit_values(model, rows.fields(record), where, notes)
    _sync_rows(
        model, existing, wanted, lambda key: {"organization": org_of(key[0]), id_field: key[1]}, report, rows.kind,
        now, lambda key, values: f"{rows.name(values)} in organization {key[0]}", snapshot.read_started,
        lambda key: key[0],
    )  # fmt: skip


def sync_inventory(snapshot: Snapshot, dryrun: bool, full: bool = True, scope: set[str] | None = None) -> SyncReport:
    """Make the inventory equal to `snapshot`, read beforehand (`SyncStream` syncs while it is read).

    Args:
        snapshot: what the Dashboard holds.
        dryrun: count the differences without writing.
        full: the snapshot covers every organization the app may see (`SyncStream`).
        scope: the snapshot covers only these connections (`SyncStream`).
    """
    return SyncStream(dryrun, full, scope).finish(snapshot)


def _written(results: list[OrganizationResult]) -> list[OrganizationResult]:
    return [r for r in results if r.outcome in WRITTEN and r.admin_id]


def _organization_row(org_id: str, result: OrganizationResult, now, notes: list[str]) -> MerakiOrganization:
    """The organization's row; created when the inventory was never synced. Safe when another job creates it too."""
    values = {"name": result.organization_name, "dashboard": result.dashboard, "last_seen": now}
    values = fit_values(MerakiOrganization, values, f"organization {org_id}", notes)
    # get_or_create inserts in its own savepoint and, when another job inserted the row first, reads that row. Its
    # change is logged with the run's other inventory changes (one request ID), not by Nautobot's per-row signal.
    with logged_here():
        row, created = MerakiOrganization.objects.get_or_create(organization_id=org_id, defaults=values)
    if created:
        log_changes([row], ObjectChangeActionChoices.ACTION_CREATE)
    return row


def record_changes(results: list[OrganizationResult]) -> Upkeep:
    """After a write job: upsert the admins it created or updated, delete the ones it removed.

    All organizations are kept current by a few bulk statements (change log included). Should that fail, each
    organization is redone in its own savepoint: a problem in one is reported in the returned `Upkeep.failed` and
    leaves the others alone. Values longer than their columns are cut, noted in `Upkeep.notes`.
    """
    upkeep, now = Upkeep(), timezone.now()
    by_org: dict[str, list[OrganizationResult]] = {}
    for result in _written(results):
        by_org.setdefault(result.organization_id, []).append(result)
    if not by_org:
        return upkeep
    try:
        with transaction.atomic():
            _record_rows(by_org, now, upkeep.notes)
        return upkeep
    except Exception as err:  # noqa: BLE001 - find the organization(s) at fault: one savepoint each
        logger.info("inventory upkeep: the bulk write failed (%s); retrying organization by organization", err)
        upkeep.notes.clear()
    for org_id, org_results in by_org.items():
        try:
            with transaction.atomic():
                _record_rows({org_id: org_results}, now, upkeep.notes)
        except Exception as err:  # noqa: BLE001 - any inventory error: the Meraki change stands, report it
            upkeep.failed[org_id] = f"{type(err).__name__}: {err}"
    return upkeep


def _record_rows(by_org: dict[str, list[OrganizationResult]], now, notes: list[str]) -> None:
    """Bring the admins of `by_org`'s results to their last result's state: one read, then bulk writes."""
    orgs = {o.organization_id: o for o in MerakiOrganization.objects.filter(organization_id__in=by_org)}
    wanted: dict[tuple[str, str], dict | None] = {}  # (organization ID, admin ID) -> fields, None: removed
    for org_id, org_results in by_org.items():
        if org_id not in orgs:
            orgs[org_id] = _organization_row(org_id, org_results[0], now, notes)
        for result in org_results:  # in order: a later result for the same admin wins
            key = (org_id, result.admin_id)
            if result.outcome == Outcome.REMOVED:
                wanted[key] = None
            elif result.record:
                record = f"administrator {result.admin_id} in organization {org_id}"
                wanted[key] = fit_values(MerakiAdministrator, admin_fields(result.record), record, notes)
    existing = {
        (row.organization.organization_id, row.admin_id): row
        for row in MerakiAdministrator.objects.filter(
            organization__in=orgs.values(), admin_id__in={admin_id for _, admin_id in wanted}
        ).select_related("organization")
    }
    fields = sorted({name for values in wanted.values() if values for name in values} | {"last_seen", "last_updated"})
    gone, changed, new = [], [], []
    for key, values in wanted.items():
        row = existing.get(key)
        if values is None:
            if row is not None:
                gone.append(row.pk)
        elif row is None:
            new.append(MerakiAdministrator(organization=orgs[key[0]], admin_id=key[1], **values, last_seen=now))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.last_seen = row.last_updated = now
            changed.append(row)
    if gone:
        _delete_rows(MerakiAdministrator.objects.filter(pk__in=gone))
    if changed:
        MerakiAdministrator.objects.bulk_update(changed, fields, batch_size=UPDATE_BATCH_SIZE)
        log_changes(changed, ObjectChangeActionChoices.ACTION_UPDATE)
    if new:
        # Another job may store the same admin between the read and this insert: then its row is updated.
        MerakiAdministrator.objects.bulk_create(
            new, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["organization", "admin_id"],
            update_fields=fields,
        )  # fmt: skip
        log_changes(new, ObjectChangeActionChoices.ACTION_CREATE)


def record_changes_or_warn(results: list[OrganizationResult], logger) -> Upkeep:
    """`record_changes` for a job: an inventory problem never fails the job nor loses its result, it is a warning.

    The Meraki changes already happened; the warning names the organizations whose rows could not be updated
    and says how to repair them (run Sync Meraki Inventory).
    """
    try:
        upkeep = record_changes(results)
    except Exception as err:  # noqa: BLE001 - e.g. the database is unreachable: the job's result still stands
        upkeep = Upkeep(failed={r.organization_id: f"{type(err).__name__}: {err}" for r in _written(results)})
    for note in upkeep.notes:
        logger.warning(log_safe(note), extra={"grouping": "inventory"})
    if upkeep.failed:
        reasons = sorted(set(upkeep.failed.values()))
        logger.warning(
            "inventory: the rows of organization(s) %s could not be updated (%s). The change in Meraki was made; "
            "run Sync Meraki Inventory to bring the inventory up to date.",
            ", ".join(upkeep.failed),
            log_safe("; ".join(reasons)[:500]),
            extra={"grouping": "inventory"},
        )
    return upkeep


def record_login_security(records: dict[str, dict]) -> int:
    """Store each organization's login security as just read or written (organization ID -> Meraki's record).

    Only rows whose value changed are written (and logged in the change log); returns how many.
    """
    rows = [
        row
        for row in MerakiOrganization.objects.filter(organization_id__in=records)
        if row.login_security != records[row.organization_id]
    ]
    for row in rows:
        row.login_security = records[row.organization_id]
    if rows:
        with transaction.atomic():
            MerakiOrganization.objects.bulk_update(rows, ["login_security"], batch_size=UPDATE_BATCH_SIZE)
            log_changes(rows, ObjectChangeActionChoices.ACTION_UPDATE)
    return len(rows)


def record_role_changes(results: list[OrganizationResult]) -> None:
    """After a SAML role job: upsert the roles it created or updated, delete the ones it removed (change log too)."""
    written = _written(results)
    if not written:
        return
    now, notes = timezone.now(), []
    with transaction.atomic():
        orgs = {o.organization_id: o for o in MerakiOrganization.objects.filter(
            organization_id__in={r.organization_id for r in written}
        )}  # fmt: skip
        for result in written:
            if result.organization_id not in orgs:
                orgs[result.organization_id] = _organization_row(result.organization_id, result, now, notes)
        gone = [(r.organization_id, r.admin_id) for r in written if r.outcome == Outcome.REMOVED]
        wanted = {
            (r.organization_id, r.admin_id): saml_role_fields(r.record)
            for r in written
            if r.outcome != Outcome.REMOVED and r.record
        }
        existing = {
            (row.organization.organization_id, row.role_id): row
            for row in MerakiSamlRole.objects.filter(
                organization__in=orgs.values(), role_id__in={role_id for _, role_id in [*gone, *wanted]}
            ).select_related("organization")
        }
        doomed = [existing[key].pk for key in gone if key in existing]
        if doomed:
            _delete_rows(MerakiSamlRole.objects.filter(pk__in=doomed))
        new, changed = [], []
        for (org_id, role_id), values in wanted.items():
            row = existing.get((org_id, role_id))
            if row is None:
                new.append(MerakiSamlRole(organization=orgs[org_id], role_id=role_id, **values, last_seen=now))
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.last_seen = now
            changed.append(row)
        MerakiSamlRole.objects.bulk_create(new)
        if changed:
            MerakiSamlRole.objects.bulk_update(changed, [*saml_role_fields({}), "last_seen"])
        log_changes(new, ObjectChangeActionChoices.ACTION_CREATE)
        log_changes(changed, ObjectChangeActionChoices.ACTION_UPDATE)


def record_role_changes_or_warn(results: list[OrganizationResult], logger) -> None:
    """`record_role_changes` for a job: an inventory problem is a warning (the Meraki changes stand)."""
    try:
        record_role_changes(results)
    except Exception as err:  # noqa: BLE001 - the job's result stands; a sync repairs the inventory
        logger.warning(
            "inventory: the SAML roles could not be stored (%s). The change in Meraki was made; run Sync Meraki "
            "Inventory to bring the inventory up to date.",
            log_safe(f"{type(err).__name__}: {err}"[:500]),
            extra={"grouping": "inventory"},
        )
