"""The parts of Nautobot that nautobot_meraki_users.inventory.changelog relies on, pinned.

The inventory's change log is dispatched in bulk (inventory/changelog.py) with Nautobot's own per-change functions
and its registry of event brokers, which is not public API (`nautobot.core.events._EVENT_BROKERS`). When a new
Nautobot release moves one of them, these tests fail and say what moved, before inventory changes silently stop
reaching job hooks, webhooks or event brokers. The behaviour itself is tested in test_inventory_changelog.py.
"""

import inspect
from importlib.metadata import version

from nautobot.core import events
from nautobot.extras.jobs import enqueue_job_hooks
from nautobot.extras.models import ObjectChange
from nautobot.extras.webhooks import enqueue_webhooks

MOVED = f"nautobot {version('nautobot')}: %s moved; nautobot_meraki_users/inventory/changelog.py must be adapted to it"


def test_the_registry_of_event_brokers_is_the_list_publish_event_walks():
    assert isinstance(getattr(events, "_EVENT_BROKERS", None), list), MOVED % "nautobot.core.events._EVENT_BROKERS"
    assert "_EVENT_BROKERS" in inspect.getsource(events.publish_event), MOVED % "publish_event's broker registry"


def test_the_per_change_functions_take_what_the_dispatch_gives_them():
    hooks = inspect.signature(enqueue_job_hooks).parameters
    assert {"object_change", "may_reload_jobs", "jobhook_queryset"} <= set(hooks), MOVED % "enqueue_job_hooks()"
    webhooks = inspect.signature(enqueue_webhooks).parameters
    assert {"object_change", "snapshots", "webhook_queryset"} <= set(webhooks), MOVED % "enqueue_webhooks()"
    assert callable(getattr(ObjectChange, "get_snapshots", None)), MOVED % "ObjectChange.get_snapshots()"
    assert callable(getattr(ObjectChange, "get_change_context_display", None)), MOVED % "the change context's label"


def test_nautobot_walks_a_runs_changes_by_its_request_id():
    """Why the inventory's entries carry their own request ID: Nautobot's walk after run() selects by the run's."""
    from nautobot.extras import context_managers

    source = inspect.getsource(context_managers.web_request_context)
    assert "request_id=change_context.change_id" in source, MOVED % "web_request_context's walk of a run's changes"
