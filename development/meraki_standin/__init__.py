"""A stateful, spec-checked stand-in for the Meraki Dashboard API v1.

It serves organizations, networks, admins, SAML settings and roles, login security, the change log and the
identity of the key's owner, each checked against Meraki's OpenAPI extract ``openapi-access-v1.42.0.json``.

Use ``FakeDashboard`` in tests (``with fake.mock(): ...`` routes httpx, and so the meraki SDK, to it) and
``python -m meraki_standin`` to serve it over HTTP in a development environment.
"""

from .dashboard import FakeDashboard
from .records import RecordedRequest
from .seed import SEEDS, seed_demo

__all__ = ["SEEDS", "FakeDashboard", "RecordedRequest", "seed_demo"]
