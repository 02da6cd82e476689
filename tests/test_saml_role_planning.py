"""Planning SAML role changes: exact names, idempotence, "blank keeps", and Meraki's two spellings compared equal."""

import pytest

from nautobot_meraki_users.errors import InputError
from nautobot_meraki_users.operations.admins import AccessRequest, Outcome
from nautobot_meraki_users.operations.saml_roles import (
    RoleRequest,
    parse_role_name,
    plan_create_role,
    plan_delete_role,
    plan_update_role,
)

NOC = {"id": "SR_1", "role": "NOC", "orgAccess": "read-only", "networks": [], "tags": []}
BRANCH = {
    "id": "SR_2",
    "role": "Branch engineers",
    "orgAccess": "none",
    "networks": [{"id": "N_1", "access": "switchport"}],
    "tags": [{"tag": "branch", "access": "full"}],
}
ROLES = [NOC, BRANCH]


def test_create_posts_a_new_role_with_only_the_given_privileges():
    change = plan_create_role(RoleRequest("Auditors", AccessRequest(org_access="read-only")), ROLES, [])
    assert (change.outcome, change.method) == (Outcome.CREATED, "POST")
    assert change.body == {"role": "Auditors", "orgAccess": "read-only"}


def test_create_of_an_identical_role_is_unchanged_and_of_a_different_one_a_conflict():
    same = plan_create_role(RoleRequest("NOC", AccessRequest(org_access="read-only")), ROLES, [])
    assert (same.outcome, same.method, same.admin_id) == (Outcome.UNCHANGED, None, "SR_1")
    other = plan_create_role(RoleRequest("NOC", AccessRequest(org_access="full")), ROLES, [])
    assert (other.outcome, other.method) == (Outcome.CONFLICT, None)
    assert "Update Meraki SAML Role" in other.message


def test_names_match_exactly_as_meraki_does():
    change = plan_create_role(RoleRequest("noc", AccessRequest(org_access="read-only")), ROLES, [])
    assert change.outcome == Outcome.CREATED


def test_update_sends_only_what_differs_and_blank_keeps():
    change = plan_update_role(RoleRequest("Branch engineers", AccessRequest(tag_access="read-only")), ROLES, [])
    assert (change.outcome, change.method, change.admin_id) == (Outcome.UPDATED, "PUT", "SR_2")
    assert change.body == {"tags": [{"tag": "branch", "access": "read-only"}]}


@pytest.mark.parametrize("level", ["port-tags", "switchport"])
def test_port_tags_and_switchport_are_the_same_privilege(level):
    request = RoleRequest("Branch engineers", AccessRequest(networks=("N_1",), network_access=level))
    assert plan_update_role(request, ROLES, ["N_1"]).outcome == Outcome.UNCHANGED


def test_update_and_delete_of_a_missing_role_are_absent():
    assert plan_update_role(RoleRequest("Ghost", AccessRequest(org_access="full")), ROLES, []).outcome == Outcome.ABSENT
    assert plan_delete_role("Ghost", ROLES).outcome == Outcome.ABSENT
    removed = plan_delete_role("NOC", ROLES)
    assert (removed.outcome, removed.method, removed.admin_id) == (Outcome.REMOVED, "DELETE", "SR_1")


@pytest.mark.parametrize(("value", "message"), [("", "saml_role: is required"), (5, "saml_role: must be text")])
def test_a_bad_role_name_names_the_field(value, message):
    with pytest.raises(InputError) as raised:
        parse_role_name(value)
    assert str(raised.value).startswith(message)


def test_port_tags_is_a_level_a_saml_role_job_accepts():
    from nautobot_meraki_users.operations.admins import parse_access_request
    from nautobot_meraki_users.operations.saml_roles import SAML_NETWORK_LEVELS

    access = parse_access_request(
        {"meraki_network_access": "port-tags"}, defaults=False, network_levels=SAML_NETWORK_LEVELS
    )
    assert access.network_access == "port-tags"
