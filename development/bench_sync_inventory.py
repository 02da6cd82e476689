"""Measure sync_inventory (queries and time) on a synthetic estate, with the change log on, as a job runs it.

Not a test: it prints numbers. It works in one transaction that it rolls back, so any migrated database does;
the test database is handy:

    NAUTOBOT_DB_NAME=test_nautobot_c .venv/bin/python development/bench_sync_inventory.py [orgs] [admins per org]

The estate is shaped like the benchmark's seed (development/benchmark.py): one network per organization, SAML on
with two SAML roles in every fourth organization, login security of three kinds. Four syncs: the first creates
every row, the second updates every row (new names), the third changes nothing, the fourth deletes a tenth of the
admins. "sync" is sync_inventory itself; "job end" is what Nautobot's
change context does when a job ends (it reads each new ObjectChange back for webhooks, job hooks and events).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "development"))
os.environ.setdefault("NAUTOBOT_CONFIG", str(ROOT / "development" / "nautobot_config.py"))
os.environ.setdefault("NAUTOBOT_ROOT", str(ROOT / "development" / ".state" / "nautobot"))
os.environ.setdefault("NAUTOBOT_DB_HOST", "127.0.0.1")
os.environ.setdefault("NAUTOBOT_DB_USER", "nautobot")
os.environ.setdefault("NAUTOBOT_DB_PASSWORD", "nautobot")
os.environ.setdefault("NAUTOBOT_REDIS_HOST", "127.0.0.1")

import nautobot  # noqa: E402

nautobot.setup()

from benchmark import LOGIN_SECURITY_SEEDS, SAML_ROLES, saml_on  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from meraki_standin.state import default_login_security  # noqa: E402
from nautobot.extras.choices import ObjectChangeEventContextChoices  # noqa: E402
from nautobot.extras.context_managers import web_request_context  # noqa: E402
from nautobot.extras.models import ObjectChange  # noqa: E402

from nautobot_meraki_users.inventory import sync as inventory  # noqa: E402
from nautobot_meraki_users.operations.admins import Organization  # noqa: E402


def snapshot(orgs: int, admins: int, version: int, keep_admins: float = 1.0) -> inventory.Snapshot:
    organizations = [Organization(str(100_000 + o), f"Org {o} v{version}") for o in range(orgs)]
    networks = {
        org.id: [{"id": f"N_{org.id}", "name": f"Net {org.id} v{version}", "tags": ["t"]}] for org in organizations
    }
    people = {
        org.id: [
            {"id": str(o * 1000 + a), "email": f"user{a}@org{o}.example", "name": f"User {a} v{version}",
             "orgAccess": "read-only", "accountStatus": "ok", "networks": [{"id": f"N_{org.id}", "access": "full"}]}
            for a in range(int(admins * keep_admins))
        ]
        for o, org in enumerate(organizations)
    }  # fmt: skip
    access = {
        org.id: inventory.AccessSettings(
            saml_enabled=saml_on(o),
            saml_roles=[
                {"id": str(o * 10 + r), "role": f"{role} v{version}", "orgAccess": org_access, "tags": [],
                 "networks": [{"id": f"N_{org.id}", "access": "full"}] if on_network else []}
                for r, (role, org_access, on_network) in enumerate(SAML_ROLES)
            ] if saml_on(o) else [],
            login_security={**default_login_security(), **LOGIN_SECURITY_SEEDS[o % len(LOGIN_SECURITY_SEEDS)][0]},
        )
        for o, org in enumerate(organizations)
    }  # fmt: skip
    return inventory.Snapshot(organizations=organizations, networks=networks, admins=people, access=access)


def main() -> None:
    orgs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    admins = int(sys.argv[2]) if len(sys.argv) > 2 else 22
    user, _ = get_user_model().objects.get_or_create(username="bench-sync")
    steps = [
        ("create", snapshot(orgs, admins, 1)),
        ("update", snapshot(orgs, admins, 2)),
        ("no change", snapshot(orgs, admins, 2)),
        ("delete 10% admins", snapshot(orgs, admins, 2, 0.9)),
    ]
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    roles = sum(saml_on(o) for o in range(orgs)) * len(SAML_ROLES)
    print(f"{orgs} organizations, {orgs} networks, {orgs * admins} admins, {roles} SAML roles")
    print(f"{'sync':<18} {'rows changed':>12} {'queries':>8} {'sync s':>7} {'changelog rows':>14} {'job end s':>9}")
    with transaction.atomic():
        for name, snap in steps:
            before = ObjectChange.objects.count()
            queries.clear()
            started = time.perf_counter()
            with web_request_context(user, context_detail="bench", context=ObjectChangeEventContextChoices.CONTEXT_JOB):
                with connection.execute_wrapper(count):
                    report = inventory.sync_inventory(snap, dryrun=False)
                synced = time.perf_counter()
            ended = time.perf_counter()
            changed = sum(v for k, v in report.counts.items() if not k.endswith("_kept"))
            logged = ObjectChange.objects.count() - before
            line = f"{name:<18} {changed:>12} {len(queries):>8} {synced - started:>7.2f} {logged:>14}"
            print(f"{line} {ended - synced:>9.2f}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
