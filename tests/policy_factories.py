"""Access policy records (profiles, grants, exemptions, findings) on top of the audit inventory."""

from datetime import date

from factories import at, create_audit_inventory

from nautobot_meraki_users.models import AccessExemption, AccessFinding, AccessGrant, AccessProfile


def create_policy() -> dict:
    """The audit inventory plus a policy over it.

    ==========  =================  ======================  ====================
    grant       email              profile                 where
    ==========  =================  ======================  ====================
    jane        jane@example.com   Network admins (full)   Acme, Beta
    bob         bob@example.com    Readers (read-only)     every organization
    carol       carol@example.com  Monitors (none + tags)  Gamma, until 2026-12-31
    ==========  =================  ======================  ====================

    Dave is exempt everywhere. Findings: Jane is `different` in Beta (read-only there), Carol `missing` in Gamma,
    Eve `unmanaged` in Beta.
    """
    inventory = create_audit_inventory()
    acme, beta, gamma = (inventory["organizations"][key] for key in ("acme", "beta", "gamma"))
    profiles = {
        "admins": AccessProfile.objects.create(
            name="Network admins", org_access="full", network_privileges=[{"network": "HQ", "access": "full"}]
        ),
        "readers": AccessProfile.objects.create(name="Readers", org_access="read-only", description="Auditors"),
        "monitors": AccessProfile.objects.create(
            name="Monitors", org_access="none", tag_privileges=[{"tag": "branch", "access": "monitor-only"}]
        ),
    }
    grants = {
        "jane": AccessGrant.objects.create(
            email="jane@example.com", name="Jane Doe", profile=profiles["admins"], reason="CHG-1"
        ),
        "bob": AccessGrant.objects.create(
            email="bob@example.com", name="Bob Smith", profile=profiles["readers"], all_organizations=True
        ),
        "carol": AccessGrant.objects.create(
            email="carol@example.com", profile=profiles["monitors"], expires=date(2026, 12, 31), reason="contractor"
        ),
    }
    grants["jane"].organizations.set([acme, beta])
    grants["carol"].organizations.set([gamma])
    exemptions = {
        "dave": AccessExemption.objects.create(
            email="dave@corp.example.com", all_organizations=True, reason="break-glass"
        ),
    }
    findings = {
        "jane_beta": AccessFinding.objects.create(
            organization=beta,
            email="Jane@Example.com",
            finding="different",
            expected="full",
            actual="read-only",
            grant=grants["jane"],
            message="Jane has read-only in Beta; the grant says full.",
            found=at(2026, 2, 1),
        ),
        "carol_gamma": AccessFinding.objects.create(
            organization=gamma,
            email="carol@example.com",
            finding="missing",
            expected="none; tag branch: monitor-only",
            actual="no access",
            grant=grants["carol"],
            found=at(2026, 2, 1),
        ),
        "eve_beta": AccessFinding.objects.create(
            organization=beta,
            email="eve@gmail.com",
            finding="unmanaged",
            expected="no access",
            actual="full",
            found=at(2026, 1, 1),
        ),
    }
    return {**inventory, "profiles": profiles, "grants": grants, "exemptions": exemptions, "findings": findings}
