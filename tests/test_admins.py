"""Pure tests of the planning in operations/admins.py: no database, no HTTP."""

import re

import pytest

from nautobot_meraki_users.errors import InputError
from nautobot_meraki_users.operations import admins
from nautobot_meraki_users.operations.admins import AccessRequest, AdminRequest, Organization, Outcome

ORG = Organization(id="100", name="Acme")
NETWORKS = [
    {"id": "N_1", "name": "HQ", "tags": ["west", "hq"]},
    {"id": "N_2", "name": "Branch", "tags": ["east"]},
    {"id": "N_3", "name": "Branch", "tags": []},
]


def admin(email="jane@example.com", org_access="read-only", networks=(), tags=(), admin_id="A1", name="Jane"):
    return {
        "id": admin_id,
        "email": email,
        "name": name,
        "orgAccess": org_access,
        "networks": [{"id": n, "access": a} for n, a in networks],
        "tags": [{"tag": t, "access": a} for t, a in tags],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123", admins.OrganizationSelector(False, ("123",))),
        (" 123 , 456,123 ", admins.OrganizationSelector(False, ("123", "456"))),
        ("all", admins.OrganizationSelector(True)),
        ("ALL", admins.OrganizationSelector(True)),
    ],
)
def test_organization_selector_parses_ids_and_all(value, expected):
    assert admins.parse_organization_selector(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "is empty"),
        ("  , ", "is empty"),
        (None, "is empty"),
        ("all,123", "cannot be combined"),
        ("12 3", "not an organization ID"),
    ],
)
def test_organization_selector_rejects_bad_input_naming_the_field(value, fragment):
    with pytest.raises(InputError) as err:
        admins.parse_organization_selector(value)
    assert str(err.value).startswith("meraki_org_id: ")
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("value", "pattern", "fragment"),
    [
        ("", None, "is required"),
        ("not-an-email", None, "not a valid email"),
        ("jane@example", None, "not a valid email"),
        ("jane@gmail.com", r".*@example\.com", "email policy"),
        ("jane@example.com.evil.org", r".*@example\.com", "email policy"),  # full match, not search
    ],
)
def test_email_errors_name_the_field_and_the_fix(value, pattern, fragment):
    errors = admins.email_errors(value, re.compile(pattern) if pattern else None)
    assert len(errors) == 1
    assert errors[0].field == "user_email"
    assert fragment in errors[0].message


def test_email_policy_accepts_matching_address():
    assert admins.email_errors("Jane@Example.com", re.compile(r"(?i).*@example\.com")) == []


def test_access_request_defaults_for_create_and_keeps_for_update():
    create = admins.parse_access_request({"meraki_access_level": ""}, defaults=True)
    assert (create.org_access, create.network_access, create.tag_access) == ("read-only",) * 3
    update = admins.parse_access_request({}, defaults=False)
    assert update == AccessRequest()


def test_access_request_reports_every_bad_choice():
    with pytest.raises(InputError) as err:
        admins.parse_access_request(
            {"meraki_access_level": "admin", "meraki_network_access": "everything", "meraki_tag_access": "full"},
            defaults=True,
        )
    fields = [e.field for e in err.value.errors]
    assert fields == ["meraki_access_level", "meraki_network_access"]
    assert "Use one of: full, read-only, enterprise, none" in err.value.errors[0].message


def test_allow_list_rejects_other_organizations_before_any_call():
    selector = admins.OrganizationSelector(False, ("100", "200"))
    with pytest.raises(InputError) as err:
        admins.check_allowed(selector, ("100",))
    assert "organization 200 is not allowed" in str(err.value)
    admins.check_allowed(admins.OrganizationSelector(True), ("100",))  # 'all' is filtered later, not refused


def test_select_organizations_filters_all_by_allow_list_and_reports_unknown_ids():
    visible = [Organization("100", "A"), Organization("200", "B"), Organization("300", "C")]
    assert [o.id for o in admins.select_organizations(admins.OrganizationSelector(True), visible, ("300", "100"))] == [
        "100",
        "300",
    ]
    with pytest.raises(InputError, match="organization 999 does not exist or this API key cannot see it"):
        admins.select_organizations(admins.OrganizationSelector(False, ("100", "999")), visible, ())


def test_resolve_networks_by_id_and_exact_name_with_clear_errors():
    ids, errors = admins.resolve_networks(("N_2", "HQ", "Nowhere", "Branch"), NETWORKS, ORG)
    assert ids == ["N_2", "N_1"]
    assert [e.field for e in errors] == ["meraki_network", "meraki_network"]
    assert "no network 'Nowhere' in organization 100 (Acme)" in errors[0].message
    assert "2 networks are named 'Branch'" in errors[1].message and "N_2, N_3" in errors[1].message


def test_check_tags_is_case_sensitive_and_names_the_field():
    errors = admins.check_tags(("west", "West"), NETWORKS, ORG)
    assert [str(e) for e in errors] == [
        "meraki_tags: no network in organization 100 (Acme) has the tag 'West'. Tag a network with it in the "
        "Dashboard first, or use an existing tag (tags are case-sensitive)."
    ]


def request(email="jane@example.com", name="Jane", **access):
    return AdminRequest(email, name, AccessRequest(**access))


def test_plan_create_posts_a_spec_shaped_body():
    change = admins.plan_create(
        request(org_access="none", networks=("HQ",), network_access="full", tags=("east",), tag_access="monitor-only"),
        [],
        ["N_1"],
    )
    assert change.outcome == Outcome.CREATED and change.method == "POST"
    assert change.body == {
        "email": "jane@example.com",
        "name": "Jane",
        "orgAccess": "none",
        "networks": [{"id": "N_1", "access": "full"}],
        "tags": [{"tag": "east", "access": "monitor-only"}],
    }


def test_plan_create_is_unchanged_for_same_access_matching_email_case_insensitively():
    current = [admin(email="JANE@example.com", networks=[("N_1", "full")])]
    change = admins.plan_create(
        request(org_access="read-only", networks=("N_1",), network_access="full"), current, ["N_1"]
    )
    assert change.outcome == Outcome.UNCHANGED and not change.is_write and change.admin_id == "A1"


def test_plan_create_conflict_names_current_access_and_points_to_update():
    change = admins.plan_create(request(org_access="full"), [admin(org_access="read-only")], [])
    assert change.outcome == Outcome.CONFLICT and not change.is_write
    assert "org access read-only" in change.message and "Update Meraki User" in change.message


def test_plan_update_sends_only_changed_parts_and_keeps_the_rest():
    current = [admin(networks=[("N_1", "full")], tags=[("west", "read-only")])]
    change = admins.plan_update(request(name=None, org_access="full"), current, [])
    assert change.outcome == Outcome.UPDATED and change.method == "PUT"
    assert change.body == {"orgAccess": "full"}


def test_plan_update_replaces_networks_when_given_and_relevels_when_only_access_given():
    current = [admin(networks=[("N_1", "read-only")], tags=[("west", "read-only")])]
    replaced = admins.plan_update(request(name=None, networks=("N_2",), network_access="full"), current, ["N_2"])
    assert replaced.body == {"networks": [{"id": "N_2", "access": "full"}]}
    relevel = admins.plan_update(request(name=None, tag_access="monitor-only"), current, [])
    assert relevel.body == {"tags": [{"tag": "west", "access": "monitor-only"}]}


def test_plan_update_without_change_sends_nothing():
    change = admins.plan_update(request(name="Jane", org_access="read-only"), [admin()], [])
    assert change.outcome == Outcome.UNCHANGED and not change.is_write


def test_plan_update_and_delete_of_absent_admin():
    assert admins.plan_update(request(), [admin(email="x@example.com")], []).outcome == Outcome.ABSENT
    assert admins.plan_delete("jane@example.com", []).outcome == Outcome.ABSENT


def test_plan_delete_targets_the_admin_id():
    change = admins.plan_delete("Jane@Example.com", [admin(admin_id="A9")])
    assert (change.outcome, change.method, change.admin_id) == (Outcome.REMOVED, "DELETE", "A9")


def test_admin_row_flattens_privileges():
    row = admins.admin_row(ORG, admin(networks=[("N_1", "full")], tags=[("west", "read-only"), ("east", "full")]))
    assert list(row) == list(admins.LIST_COLUMNS)
    assert row["network_privileges"] == "N_1=full"
    assert row["tag_privileges"] == "west=read-only; east=full"
    assert row["organization_name"] == "Acme" and row["two_factor_auth_enabled"] is False
