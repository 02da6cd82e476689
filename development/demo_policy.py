"""The development environment's access policy, with drift in it on purpose (run inside Nautobot, after the sync).

Both modes run this file at start, inside `nautobot-server shell`, right after Sync Meraki Inventory (the grants name
organizations of the synced inventory): `development/dev.sh start` (tasks.py) and the Docker `nautobot` service
(docker-entrypoint.sh). It creates, or brings back to the values below, the profiles, grants and exemption of
PROFILES, GRANTS, ROLE_GRANTS and EXEMPTIONS, so that Check Meraki Access Drift finds every kind of finding
against the stand-in Dashboard's demo seed (development/meraki_standin/seed.py: alice and bob in 100001 Acme Corp,
hank in 100002 Globex, whose SAML roles are "NOC read-only" and "Branch engineers", nobody in 100003 Initech,
wesker in 100004 Umbrella):

| organization | person | finding | why |
|---|---|---|---|
| 100001 Acme Corp | bob@acme.example | expired | his Branch engineer grant ended on 2025-06-30; he is still there |
| 100001 Acme Corp | carol@acme.example | missing | granted Branch engineer (full on Acme Branch); not in Meraki |
| 100001 Acme Corp | alice@acme.example | (none) | exempt: the break-glass owner account, never reported nor changed |
| 100002 Globex | hank@globex.example | different | granted NOC read-only, has full org access |
| 100002 Globex | dana@labs.example | missing | granted Lab engineer (full on the tag lab), not there |
| 100002 Globex | SAML role NOC read-only | (none) | granted NOC read-only, as it is: compliant |
| 100002 Globex | SAML role Branch engineers | unmanaged | a SAML role no grant names |
| 100003 Initech | dana@labs.example | unresolved | Lab engineer names the tag lab; no Initech network has it |
| 100004 Umbrella | dana@labs.example | missing | as in Globex (only the Meraki Partner connection sees Umbrella) |
| 100004 Umbrella | wesker@umbrella.example | unmanaged | full org access, no grant, no exemption |

Enforce Meraki Access Policy (dry run, then for real) then creates carol and dana (twice), removes bob (alice keeps
Acme's full access), and refuses four changes, each a `skipped` line saying why: hank's downgrade (the last admin
with full org access in Globex), dana in Initech (unresolved), wesker and the SAML role Branch engineers
(unmanaged; `remove_unmanaged` is off). Adopt Current Meraki Access proposes grants for wesker (reusing the
Organization admin profile) and for the SAML role Branch engineers.

The rows are matched by profile name, by email (or SAML role) and profile for a grant, by email for the exemption;
a run puts changed values back and adds missing rows, never deletes anything. Enforce changes only the stand-in,
which a restart reseeds. Rows a grant of yours collides with (one grant per person, or SAML role, and organization)
are left alone, with a warning. Run it again with `development/dev.sh demo-policy` (add `--docker` in the Docker mode).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run with runpy: its sibling is importable too
from demo_dashboards import _upsert

# name -> (org access, network privileges, tag privileges, description)
PROFILES = {
    "Organization admin": ("full", [], [], "Full access to the whole organization."),
    "NOC read-only": ("read-only", [], [], "The network operations centre: sees everything, changes nothing."),
    "Branch engineer": (
        "read-only",
        [{"network": "Acme Branch", "access": "full"}],
        [],
        "Runs the Acme Branch network; sees the rest of the organization.",
    ),
    "Lab engineer": ("none", [], [{"tag": "lab", "access": "full"}], "Full access to the networks tagged lab only."),
}
# (email, name, profile, organization IDs, expires, reason)
GRANTS = (
    ("bob@acme.example", "Bob Brown", "Branch engineer", ("100001",), date(2025, 6, 30),
     "Branch roll-out contract CON-2025-017, ended 2025-06-30."),
    ("carol@acme.example", "Carol Chen", "Branch engineer", ("100001",), None,
     "Takes over the Acme Branch network from Bob (OPS-1201)."),
    ("hank@globex.example", "Hank Scorpio", "NOC read-only", ("100002",), None,
     "Access review REV-88: Globex staff get read-only access."),
    ("dana@labs.example", "Dana Diaz", "Lab engineer", ("100002", "100003", "100004"), None,
     "Runs the lab networks of every customer (OPS-1310)."),
)  # fmt: skip
# Grants to SAML roles: (SAML role name, profile, organization IDs, reason). With one, the check reads every
# organization's SAML roles too.
ROLE_GRANTS = (("NOC read-only", "NOC read-only", ("100002",), "Globex's NOC signs in through SAML (REV-88)."),)
# (email, organization IDs, reason)
EXEMPTIONS = (("alice@acme.example", ("100001",), "Break-glass: Acme's owner account, never changed nor reported."),)
# What Check Meraki Access Drift finds with this policy against the demo seed: (organization ID, email or
# "SAML role <name>") -> finding.
EXPECTED_FINDINGS = {
    ("100001", "bob@acme.example"): "expired",
    ("100001", "carol@acme.example"): "missing",
    ("100002", "hank@globex.example"): "different",
    ("100002", "dana@labs.example"): "missing",
    ("100002", "SAML role Branch engineers"): "unmanaged",
    ("100003", "dana@labs.example"): "unresolved",
    ("100004", "dana@labs.example"): "missing",
    ("100004", "wesker@umbrella.example"): "unmanaged",
}


def ensure_policy() -> dict:
    """Create or update the demo profiles, grants and exemption; what it did and what it could not do.

    Returns {"profiles": n, "grants": n, "exemptions": n, "warnings": [...]}: the demo rows that exist afterwards,
    and why any could not be made (an organization the inventory lacks, a collision with a grant of yours).
    """
    from django.db import transaction

    from nautobot_meraki_users.models import (
        AccessExemption,
        AccessGrant,
        AccessProfile,
        MerakiOrganization,
        scope_errors,
    )

    warnings: list[str] = []
    orgs = {row.organization_id: row for row in MerakiOrganization.objects.all()}
    done = {"profiles": 0, "grants": 0, "exemptions": 0}
    with transaction.atomic():
        profiles = {}
        for name, (org_access, networks, tags, description) in PROFILES.items():
            profiles[name] = _upsert(
                AccessProfile, {"name": name}, org_access=org_access, network_privileges=networks,
                tag_privileges=tags, description=description,
            )  # fmt: skip
            done["profiles"] += 1
        records = [(AccessGrant, email, org_ids, {"profile": profiles[profile], "saml_role": ""},
                    {"name": name, "expires": expires, "reason": reason, "all_organizations": False})
                   for email, name, profile, org_ids, expires, reason in GRANTS]  # fmt: skip
        records += [(AccessGrant, "", org_ids, {"profile": profiles[profile], "saml_role": role},
                     {"reason": reason, "all_organizations": False})
                    for role, profile, org_ids, reason in ROLE_GRANTS]  # fmt: skip
        records += [(AccessExemption, email, org_ids, {}, {"reason": reason, "all_organizations": False})
                    for email, org_ids, reason in EXEMPTIONS]  # fmt: skip
        for model, email, org_ids, lookup, values in records:
            who = email or f"SAML role {lookup['saml_role']}"
            absent = [org_id for org_id in org_ids if org_id not in orgs]
            if absent:
                warnings.append(
                    f"{model._meta.verbose_name} of {who} not made: the inventory has no organization "
                    f"{', '.join(absent)} (run Sync Meraki Inventory, then development/dev.sh demo-policy)"
                )
                continue
            org_rows = [orgs[org_id] for org_id in org_ids]
            row = model.objects.filter(email=email, **lookup).first() or model(email=email, **lookup)
            role = {} if email else {"saml_role": lookup["saml_role"]}
            collision = scope_errors(
                model, email=email, organizations=org_rows, all_organizations=False,
                instance_pk=None if row._state.adding else row.pk, **role,
            )  # fmt: skip
            if collision:
                warnings.append(f"{model._meta.verbose_name} of {who} left as it is: {' '.join(collision.values())}")
                continue
            if row._state.adding or any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.validated_save()
            if set(row.organizations.all()) != set(org_rows):
                row.organizations.set(org_rows)
            done["grants" if model is AccessGrant else "exemptions"] += 1
    return {**done, "warnings": warnings}


def main() -> None:
    """Ensure the demo policy and say what Check Meraki Access Drift will find."""
    done = ensure_policy()
    print(
        f"Demo access policy ready (Meraki > Policy): {done['profiles']} profiles, {done['grants']} grants, "
        f"{done['exemptions']} exemption(s), with drift in it: Check Meraki Access Drift finds "
        + ", ".join(sorted({finding for finding in EXPECTED_FINDINGS.values()}))
        + " (alice@acme.example is exempt)."
    )
    for warning in done["warnings"]:
        print(f"warning: {warning}")


if __name__ == "__main__":
    main()
