"""Ready-made data sets for a development stand-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .dashboard import FakeDashboard


def seed_demo(fake: FakeDashboard) -> None:
    """Three organizations, so every job has something to work on.

    - ``100001`` Acme Corp: networks ``N_100001_1`` Acme HQ (tags hq, wireless) and ``N_100001_2`` Acme Branch
      (tag branch); admins alice@acme.example (full, id 500001) and bob@acme.example (read-only plus full on
      Acme Branch, id 500002).
    - ``100002`` Globex: networks ``N_100002_1`` Globex HQ and ``N_100002_2`` Globex Lab; admin hank@globex.example
      (full, id 500003).
    - ``100003`` Initech: network ``N_100003_1`` Initech Office; no admins.
    """
    last_week = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)

    fake.add_organization("100001", "Acme Corp")
    fake.add_network("100001", "N_100001_1", "Acme HQ", tags=["hq", "wireless"])
    fake.add_network("100001", "N_100001_2", "Acme Branch", tags=["branch"], product_types=["appliance", "switch"])
    fake.add_admin(
        "100001", "alice@acme.example", "Alice Anderson", "full",
        two_factor=True, has_api_key=True, last_active=last_week, admin_id="500001",
    )  # fmt: skip
    fake.add_admin(
        "100001", "bob@acme.example", "Bob Brown", "read-only",
        networks=[{"id": "N_100001_2", "access": "full"}], last_active=last_week, admin_id="500002",
    )  # fmt: skip

    fake.add_organization("100002", "Globex")
    fake.add_network("100002", "N_100002_1", "Globex HQ", tags=["hq"])
    fake.add_network("100002", "N_100002_2", "Globex Lab", tags=["lab"], product_types=["switch"])
    fake.add_admin("100002", "hank@globex.example", "Hank Scorpio", "full", last_active=last_week, admin_id="500003")

    fake.add_organization("100003", "Initech")
    fake.add_network("100003", "N_100003_1", "Initech Office", tags=["office"])


def seed_none(fake: FakeDashboard) -> None:
    """Leave the dashboard empty."""


SEEDS: dict[str, Callable[[FakeDashboard], None]] = {"demo": seed_demo, "none": seed_none}
