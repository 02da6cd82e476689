"""A stateful, spec-checked stand-in for the Meraki Dashboard API v1 (organizations, networks, admins).

Use ``FakeDashboard`` in tests (``with fake.mock(): ...`` routes httpx, and so the meraki SDK, to it) and
``python -m meraki_standin`` to serve it over HTTP in a development environment.
"""

from .dashboard import FakeDashboard
from .records import RecordedRequest
from .seed import SEEDS, seed_demo

__all__ = ["SEEDS", "FakeDashboard", "RecordedRequest", "seed_demo"]
