"""The inventory's change log: Nautobot change-log entries for inventory rows, written and dispatched in bulk.

Nautobot logs a change one object at a time and, once a job's `run()` has returned, walks every entry of the run
to hand it to job hooks, webhooks and event brokers: a query or two per entry even when nothing listens (0.5 s for
the 200 rows of one offboarding, 17 s for a first sync's 4,900). The inventory's entries are built in bulk here
(`object_changes`) and dispatched in bulk (`dispatch`): each (model, action) is checked once for job hooks, webhooks
and event brokers; only when one listens is each entry handed to it, through Nautobot's own functions.

So that Nautobot's walk does not dispatch them a second time, the inventory's entries of a run carry their own
request ID, derived from the run's (`inventory_request_id`): one ID for all the inventory changes of one run.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby

from django.contrib.contenttypes.models import ContentType
from django.core.serializers import serialize
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from nautobot.core import events
from nautobot.core.api.utils import get_serializer_for_model
from nautobot.extras.choices import ObjectChangeActionChoices, ObjectChangeEventContextChoices
from nautobot.extras.constants import CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL, CHANGELOG_MAX_OBJECT_REPR
from nautobot.extras.models import JobHook, ObjectChange, Tag, TaggedItem, Webhook
from nautobot.extras.registry import registry
from nautobot.extras.signals import change_context_state
from nautobot.extras.utils import change_logged_models_queryset

BATCH_SIZE = 500
# uuid5 namespace of the inventory's request IDs (any fixed UUID; this one is uuid5(NAMESPACE_DNS, the app's name)).
_REQUEST_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "nautobot-meraki-users")
_ACTION_FLAGS = {
    ObjectChangeActionChoices.ACTION_CREATE: "type_create",
    ObjectChangeActionChoices.ACTION_UPDATE: "type_update",
    ObjectChangeActionChoices.ACTION_DELETE: "type_delete",
}


def inventory_request_id(change_id: uuid.UUID) -> uuid.UUID:
    """The request ID of a run's inventory changes: one per run, derived from the run's own.

    Example:
        >>> run = uuid.UUID("12345678-1234-5678-1234-567812345678")
        >>> inventory_request_id(run) == inventory_request_id(run) != run
        True
    """
    return uuid.uuid5(_REQUEST_NAMESPACE, str(change_id))


@contextmanager
def logged_here() -> Iterator[None]:
    """Writes whose change log this module writes (or that need none): Nautobot's per-row signal stays out of it."""
    token = change_context_state.set(None)
    try:
        yield
    finally:
        change_context_state.reset(token)


def prefetch_tags(instances: list) -> None:
    """`instance.tags.all()` of each of `instances` (of one model) answered from one query, as a prefetch does.

    Django's `prefetch_related_objects(instances, "tags")` builds a tag manager and its filter for every instance
    (about 0.2 ms each); here the tags are read with one query and each instance gets its prefetch cache.
    """
    content_type = ContentType.objects.get_for_model(type(instances[0]))
    tags: dict = defaultdict(list)
    items = TaggedItem.objects.filter(content_type=content_type, object_id__in=[instance.pk for instance in instances])
    for item in items.select_related("tag").order_by("tag__name"):  # the order an object's tag manager gives
        tags[item.object_id].append(item.tag)
    for instance in instances:
        cached = Tag.objects.all()
        cached._result_cache, cached._prefetch_done = tags.get(instance.pk, []), True
        instance._prefetched_objects_cache = {**getattr(instance, "_prefetched_objects_cache", {}), "tags": cached}


def object_changes(instances: list, action: str) -> list[ObjectChange]:
    """Change-log entries for `instances` (of one model), equal to each one's `to_objectchange(action)`, built in bulk.

    Nautobot's `to_objectchange` serializes one object at a time (two queries and the REST serializer's set-up each
    time); here the same two serializations run once for all: Django's serializer and the Nautobot tags for
    `object_data` (as `serialize_object` does), the model's REST serializer at depth 1 for `object_data_v2`.
    """
    if not instances:
        return []
    prefetch_tags(instances)
    # Django's "json" serializer, as `serialize_object` uses it, read back: the same values, encoded by one C-speed
    # json.dumps of the batch instead of one pure-Python json.dump per object.
    data = json.loads(json.dumps([item["fields"] for item in serialize("python", instances)], cls=DjangoJSONEncoder))
    data_v2 = get_serializer_for_model(type(instances[0]))(
        instances, many=True, context={"request": None, "depth": 1, "exclude_m2m": False}
    ).data
    entries = []
    for instance, fields, fields_v2 in zip(instances, data, data_v2, strict=True):
        fields["custom_fields"] = fields.pop("_custom_field_data", {})
        fields["tags"] = [tag.name for tag in instance.tags.all()]
        object_data = {key: value for key, value in fields.items() if not key.startswith("_")}
        entries.append(
            ObjectChange(
                changed_object=instance,
                object_repr=str(instance)[:CHANGELOG_MAX_OBJECT_REPR],
                action=action,
                object_data=object_data,
                object_data_v2=dict(fields_v2),
            )
        )
    return entries


def log_changes(instances: list, action: str) -> None:
    """Write Nautobot change-log entries for `instances` in bulk, attributed as Nautobot's own change logging does.

    The entries go to the active change context (a job run sets one: its user, context "job" and the job's class
    path; the request ID is `inventory_request_id` of the run's). Without a change context nothing is logged.
    """
    context = change_context_state.get()
    if context is None or not instances:
        return
    for start in range(0, len(instances), BATCH_SIZE):
        save_changes(object_changes(instances[start : start + BATCH_SIZE], action), context)


def save_changes(entries: list[ObjectChange], context) -> None:
    """Attribute `entries` to the change context, insert them, and dispatch them once the transaction commits."""
    user, request_id = context.get_user(), inventory_request_id(context.change_id)
    for entry in entries:
        entry.user = user
        entry.user_name = user.username if user is not None else "Undefined"
        entry.request_id = request_id
        entry.change_context = context.context
        entry.change_context_detail = context.context_detail[:CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL]
    ObjectChange.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    # After the commit, as Nautobot's own dispatch runs after the job's changes: a hook or a webhook never sees a
    # row that a rollback then takes back. A failing dispatch is logged; it never undoes the logged changes.
    transaction.on_commit(lambda: dispatch(entries), robust=True)


def _listened_to(entry: ObjectChange) -> tuple[list, list]:
    """The job hooks and webhooks that want `entry`'s model and action (Nautobot's own rules for each)."""
    content_type, flag = entry.changed_object_type, {_ACTION_FLAGS[entry.action]: True}
    hooks: list = []
    if entry.change_context != ObjectChangeEventContextChoices.CONTEXT_JOB_HOOK:
        hooks = list(JobHook.objects.filter(content_types=content_type, enabled=True, **flag))
        # Nautobot's further condition, asked only when there is a hook (it unpickles a cached queryset each time).
        hooks = hooks if hooks and content_type in change_logged_models_queryset() else []
    webhooks: list = []
    if content_type.model in registry["model_features"]["webhooks"].get(content_type.app_label, []):
        webhooks = list(Webhook.objects.filter(content_types=content_type, enabled=True, **flag))
    return hooks, webhooks


def dispatch(entries: list[ObjectChange]) -> None:
    """Hand `entries` to the job hooks, webhooks and event brokers that listen, as Nautobot does after a job.

    Each (model, action) costs two queries; its entries are walked only when a job hook or a webhook wants them or
    an event broker is registered, and then each goes through Nautobot's own `enqueue_job_hooks`,
    `enqueue_webhooks` and `publish_event`, with the snapshots and event payload Nautobot gives them.
    """
    from nautobot.extras.jobs import enqueue_job_hooks  # Nautobot imports it late too (a circular import)
    from nautobot.extras.webhooks import enqueue_webhooks

    jobs_reloaded = False
    for _, group in groupby(entries, key=lambda entry: (entry.changed_object_type_id, entry.action)):
        group = list(group)
        hooks, webhooks = _listened_to(group[0])
        if not hooks and not webhooks and not events._EVENT_BROKERS:
            continue
        for entry in group:
            if hooks:
                reloaded, _ = enqueue_job_hooks(entry, may_reload_jobs=not jobs_reloaded, jobhook_queryset=hooks)
                jobs_reloaded = jobs_reloaded or reloaded
            snapshots = entry.get_snapshots()
            if webhooks:
                enqueue_webhooks(entry, snapshots=snapshots, webhook_queryset=webhooks)
            content_type = entry.changed_object_type
            payload = {
                **snapshots,
                "context": {
                    "change_context": entry.get_change_context_display(),
                    "change_context_detail": entry.change_context_detail,
                    "request_id": str(entry.request_id),
                    "user_name": entry.user_name,
                    "timestamp": str(entry.time),
                },
            }
            events.publish_event(
                topic=f"nautobot.{entry.action}.{content_type.app_label}.{content_type.model}", payload=payload
            )
