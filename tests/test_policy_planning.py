"""The access policy's pure core: each finding kind, expiry, exemptions, overlapping scopes, names resolved per org."""

from datetime import date

import pytest

from nautobot_meraki_users.dashboard.types import Organization
from nautobot_meraki_users.operations.policy import (
    DIFFERENT,
    EXPIRED,
    MISSING,
    UNMANAGED,
    UNRESOLVED,
    Exemption,
    Grant,
    Profile,
    check_organization,
)

ACME = Organization("100", "Acme")
NETWORKS = [{"id": "N_1", "name": "HQ", "tags": ["west"]}, {"id": "N_2", "name": "Branch", "tags": ["east"]}]
TODAY = date(2026, 12, 4)
NOC = Profile("NOC read-only", "read-only")
BRANCH = Profile("Branch engineer", "none", networks=(("Branch", "full"),), tags=(("east", "read-only"),))
BRANCH_ADMIN = {
    "email": "bea@example.com",
    "orgAccess": "none",
    "networks": [{"id": "N_2", "access": "full"}],
    "tags": [{"tag": "east", "access": "read-only"}],
}


def findings(admins, grants, exemptions=()):
    return [(f.email, f.finding) for f in check_organization(ACME, admins, NETWORKS, grants, list(exemptions), TODAY)]


def test_matching_access_has_no_finding_and_names_resolve_to_ids():
    assert findings([BRANCH_ADMIN], [Grant("g1", "Bea@Example.com", BRANCH)]) == []


@pytest.mark.parametrize(
    ("admins", "grant", "expected"),
    [
        ([], Grant("g1", "bea@example.com", BRANCH), [("bea@example.com", MISSING)]),
        (
            [{**BRANCH_ADMIN, "orgAccess": "full"}],
            Grant("g1", "bea@example.com", BRANCH),
            [("bea@example.com", DIFFERENT)],
        ),
        (
            [BRANCH_ADMIN],
            Grant("g1", "bea@example.com", BRANCH, expires=date(2026, 12, 3)),
            [("bea@example.com", EXPIRED)],
        ),
        ([], Grant("g1", "bea@example.com", BRANCH, expires=date(2026, 12, 3)), []),  # expired and gone: nothing
        ([BRANCH_ADMIN], Grant("g1", "bea@example.com", BRANCH, expires=TODAY), []),  # holds through its last day
        (
            [],
            Grant("g1", "bea@example.com", Profile("Lab", "none", networks=(("Lab", "full"),))),
            [("bea@example.com", UNRESOLVED)],
        ),
    ],
)
def test_each_finding_kind(admins, grant, expected):
    assert findings(admins, [grant]) == expected


def test_an_admin_nobody_granted_is_unmanaged_unless_exempt_here():
    admins = [{"email": "breakglass@example.com", "orgAccess": "full"}]
    assert findings(admins, []) == [("breakglass@example.com", UNMANAGED)]
    assert findings(admins, [], [Exemption("BreakGlass@example.com")]) == []
    assert findings(admins, [], [Exemption("breakglass@example.com", frozenset({"200"}))]) == [
        ("breakglass@example.com", UNMANAGED)
    ]


def test_a_grant_for_other_organizations_does_not_apply_here():
    admin = {"email": "ann@example.com", "orgAccess": "read-only"}
    assert findings([admin], [Grant("g1", "ann@example.com", NOC, frozenset({"200"}))]) == [
        ("ann@example.com", UNMANAGED)
    ]
    assert findings([admin], [Grant("g1", "ann@example.com", NOC, frozenset({"100"}))]) == []


def test_expected_and_actual_use_the_write_jobs_words():
    [finding] = check_organization(
        ACME, [{**BRANCH_ADMIN, "orgAccess": "full"}], NETWORKS, [Grant("g7", "bea@example.com", BRANCH)], [], TODAY
    )
    assert finding.as_dict() == {
        "email": "bea@example.com",
        "finding": DIFFERENT,
        "expected": "org access none, networks N_2=full, tags east=read-only",
        "actual": "org access full, networks N_2=full, tags east=read-only",
        "grant": "g7",
        "message": "there with other access",
    }
