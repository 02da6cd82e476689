"""Ready-made data sets for a development stand-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .dashboard import FakeDashboard


def seed_demo(fake: FakeDashboard) -> None:
    """Four organizations over two accounts, so every job has something to work on.

    The account ``default`` (the constructor's key) sees 100001 to 100003; the account ``second`` sees 100002 and
    100004. Register its key with ``fake.add_account("second", key)`` (``python -m meraki_standin`` does so from
    ``MERAKI_STANDIN_SECOND_API_KEY``); without it nobody sees Umbrella.

    - ``100001`` Acme Corp: networks ``N_100001_1`` Acme HQ (tags hq, wireless) and ``N_100001_2`` Acme Branch
      (tag branch); admins alice@acme.example (full, id 500001) and bob@acme.example (read-only plus full on
      Acme Branch, id 500002). Login security that looks compliant: two-factor authentication, strong passwords,
      lockout after 5 failed logins and a 30-minute idle timeout enforced.
    - ``100002`` Globex (also seen by ``second``): networks ``N_100002_1`` Globex HQ (tag hq) and ``N_100002_2``
      Globex Lab; admin hank@globex.example (full, id 500003). SAML SSO enabled, with the SAML roles
      "NOC read-only" (orgAccess read-only, id 1400000000001) and "Branch engineers" (orgAccess none, full on the
      tag hq, id 1400000000002).
    - ``100003`` Initech: network ``N_100003_1`` Initech Office; no admins. Login security non-compliant: every
      switch off (the defaults of a new organization), as in Umbrella and Globex.
    - ``100004`` Umbrella (seen by ``second`` only): network ``N_100004_1`` Umbrella Lab (tag lab); admin
      wesker@umbrella.example (full, id 500004).

    The keys' owners are the defaults: ``api-owner@default.example`` and ``api-owner@second.example``.
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
    fake.set_login_security(
        "100001",
        enforceTwoFactorAuth=True,
        enforceStrongPasswords=True,
        enforceAccountLockout=True,
        accountLockoutAttempts=5,
        enforceIdleTimeout=True,
        idleTimeoutMinutes=30,
    )

    fake.add_organization("100002", "Globex", accounts=("default", "second"))
    fake.add_network("100002", "N_100002_1", "Globex HQ", tags=["hq"])
    fake.add_network("100002", "N_100002_2", "Globex Lab", tags=["lab"], product_types=["switch"])
    fake.add_admin("100002", "hank@globex.example", "Hank Scorpio", "full", last_active=last_week, admin_id="500003")
    fake.set_saml("100002", True)
    fake.add_saml_role("100002", "NOC read-only", "read-only", role_id="1400000000001")
    fake.add_saml_role(
        "100002", "Branch engineers", "none", tags=[{"tag": "hq", "access": "full"}], role_id="1400000000002"
    )

    fake.add_organization("100003", "Initech")
    fake.add_network("100003", "N_100003_1", "Initech Office", tags=["office"])

    fake.add_organization("100004", "Umbrella", accounts=("second",))
    fake.add_network("100004", "N_100004_1", "Umbrella Lab", tags=["lab"])
    fake.add_admin(
        "100004", "wesker@umbrella.example", "Albert Wesker", "full", last_active=last_week, admin_id="500004"
    )


def seed_none(fake: FakeDashboard) -> None:
    """Leave the dashboard empty."""


SEEDS: dict[str, Callable[[FakeDashboard], None]] = {"demo": seed_demo, "none": seed_none}
