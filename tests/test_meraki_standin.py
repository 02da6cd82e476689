"""Tests of the stand-in Meraki Dashboard (development/meraki_standin), driven by the real meraki SDK.

Pure pytest: no database, no Django. Run with ``pytest tests/test_meraki_standin.py -p no:django``.
"""

import io
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

DEVELOPMENT = Path(__file__).resolve().parent.parent / "development"
sys.path.insert(0, str(DEVELOPMENT))

import httpx  # noqa: E402
import meraki  # noqa: E402
import pytest  # noqa: E402
import respx  # noqa: E402
from meraki_standin import FakeDashboard, seed_demo  # noqa: E402
from meraki_standin import spec as standin_spec  # noqa: E402
from meraki_standin.server import StandinServer  # noqa: E402

KEY = "test-key"
BASE_URL = "https://api.meraki.com/api/v1"
CALLER = "NautobotMerakiUsers/0.1.0 NetworkToCode"
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def make_api(api_key=KEY, base_url=BASE_URL, sleeps=None):
    api = meraki.DashboardAPI(
        api_key=api_key,
        base_url=base_url,
        suppress_logging=True,
        output_log=False,
        print_console=False,
        smart_flow_enabled=False,
        caller=CALLER,
        maximum_retries=2,
        wait_on_rate_limit=True,
    )
    api._session._sleep = (lambda seconds: None) if sleeps is None else sleeps.append
    return api


@pytest.fixture
def fake():
    dashboard = FakeDashboard(api_key=KEY, clock=lambda: NOW)
    dashboard.add_organization(org_id="100", name="Org A")
    dashboard.add_organization(org_id="200", name="Org B")
    dashboard.add_organization(org_id="999", name="Hidden", accessible=False)
    dashboard.add_network("100", network_id="N_1", name="HQ", tags=["west"])
    dashboard.add_network("100", network_id="N_2", name="Branch", tags=["east"])
    dashboard.add_admin(
        "100", "miles@example.com", "Miles Meraki", org_access="read-only",
        networks=[{"id": "N_1", "access": "full"}], tags=[{"tag": "west", "access": "read-only"}],
    )  # fmt: skip
    yield dashboard
    responses = [violation for violation in dashboard.spec_violations if violation.startswith("response")]
    assert responses == [], "the fake answered outside the spec"


@pytest.fixture
def mocked(fake):
    with fake.mock(BASE_URL):
        yield fake


@pytest.fixture
def api():
    return make_api()


def http(method, path, key=KEY, **kwargs):
    """A direct httpx call (inside ``mocked``) with Meraki's bearer header."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.request(method, BASE_URL + path, headers=headers, **kwargs)


# --------------------------------------------------------------------------------------------- organizations


def test_list_organizations_shows_only_accessible_ones(mocked, api):
    orgs = api.organizations.getOrganizations()

    assert [org["id"] for org in orgs] == ["100", "200"]
    assert orgs[0]["name"] == "Org A"
    assert orgs[0]["url"].startswith("https://n1.meraki.com/o/")
    assert orgs[0]["url"].endswith("/manage/organization/overview")
    assert mocked.requests[-1].path == "/organizations"
    assert mocked.requests[-1].headers["authorization"] == "<redacted>"


def test_organizations_page_like_networks(mocked, api):
    for number in range(1, 6):
        mocked.add_organization(org_id=f"30{number}")

    orgs = api.organizations.getOrganizations(total_pages="all", perPage=3)

    assert [org["id"] for org in orgs] == ["100", "200", "301", "302", "303", "304", "305"]
    assert len(mocked.requests) == 3


def test_get_organization(mocked, api):
    assert api.organizations.getOrganization("200")["name"] == "Org B"


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.organizations.getOrganization("999"),
        lambda api: api.organizations.getOrganizationAdmins("999"),
        lambda api: api.organizations.getOrganizationNetworks("999"),
        lambda api: api.organizations.createOrganizationAdmin("999", "a@example.com", "A", "full"),
        lambda api: api.organizations.getOrganization("12345"),
    ],
    ids=["org", "admins", "networks", "create-admin", "unknown-org"],
)
def test_inaccessible_or_unknown_organization_is_404(mocked, api, call):
    with pytest.raises(meraki.APIError) as caught:
        call(api)

    assert caught.value.status == 404
    assert caught.value.message == {"errors": ["Not found"]}
    assert mocked.admins("999") == []


# ----------------------------------------------------------------------------------------------------- auth


def test_wrong_api_key_is_401(mocked):
    with pytest.raises(meraki.APIError) as caught:
        make_api(api_key="wrong-key").organizations.getOrganizations()

    assert caught.value.status == 401
    assert caught.value.message == {"errors": ["Invalid API key"]}


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"X-Cisco-Meraki-API-Key": KEY}, 200),
        ({"Authorization": f"Bearer {KEY}"}, 200),
        ({"Authorization": KEY}, 401),
        ({"X-Cisco-Meraki-API-Key": "nope"}, 401),
        ({}, 401),
    ],
)
def test_both_key_headers_are_accepted(mocked, headers, status):
    assert httpx.get(f"{BASE_URL}/organizations", headers=headers).status_code == status


# --------------------------------------------------------------------------------------------------- admins


def test_list_admins_in_meraki_shape(mocked, api):
    (admin,) = api.organizations.getOrganizationAdmins("100")

    assert set(admin) == {
        "id", "name", "email", "orgAccess", "accountStatus", "twoFactorAuthEnabled", "hasApiKey", "tags",
        "networks", "authenticationMethod",
    }  # fmt: skip
    assert isinstance(admin["id"], str)
    assert admin["networks"] == [{"id": "N_1", "access": "full"}]
    assert admin["tags"] == [{"tag": "west", "access": "read-only"}]


def test_list_admins_filtered_by_network(mocked, api):
    mocked.add_admin("100", "east@example.com", "East", networks=[{"id": "N_2", "access": "read-only"}])

    admins = api.organizations.getOrganizationAdmins("100", networkIds=["N_2"])

    assert [admin["email"] for admin in admins] == ["east@example.com"]
    assert mocked.requests[-1].query == {"networkIds[]": ["N_2"]}


def test_create_admin_is_201_and_unverified(mocked, api):
    created = api.organizations.createOrganizationAdmin(
        "100", "new@example.com", "New Admin", "none", networks=[{"id": "N_2", "access": "read-only"}]
    )

    assert created["accountStatus"] == "unverified"
    assert created["twoFactorAuthEnabled"] is False
    assert created["hasApiKey"] is False
    assert created["authenticationMethod"] == "Email"
    assert "lastActive" not in created
    assert mocked.admins("100")[-1] == created
    (write,) = mocked.writes
    assert (write.method, write.path, write.status) == ("POST", "/organizations/100/admins", 201)
    assert write.json == {
        "email": "new@example.com",
        "name": "New Admin",
        "orgAccess": "none",
        "networks": [{"id": "N_2", "access": "read-only"}],
    }


def test_same_email_gets_the_same_admin_id_in_every_org(mocked, api):
    first = api.organizations.createOrganizationAdmin("100", "both@example.com", "Both", "full")
    second = api.organizations.createOrganizationAdmin("200", "BOTH@example.com", "Both", "full")

    assert first["id"] == second["id"]


def test_duplicate_email_is_400_case_insensitively(mocked, api):
    with pytest.raises(meraki.APIError) as caught:
        api.organizations.createOrganizationAdmin("100", "MILES@Example.com", "Miles Again", "full")

    assert caught.value.status == 400
    assert caught.value.message == {"errors": ["Email has already been taken"]}
    assert len(mocked.admins("100")) == 1


def test_unknown_network_privilege_is_400(mocked, api):
    with pytest.raises(meraki.APIError) as caught:
        api.organizations.createOrganizationAdmin(
            "100", "x@example.com", "X", "none", networks=[{"id": "N_404", "access": "full"}]
        )

    assert caught.value.status == 400
    assert "N_404" in caught.value.message["errors"][0]
    assert mocked.spec_violations == []  # a Dashboard rule, not a spec violation


def test_update_admin_changes_only_the_keys_given(mocked, api):
    (admin,) = mocked.admins("100")

    updated = api.organizations.updateOrganizationAdmin("100", admin["id"], orgAccess="full")

    assert updated == {**admin, "orgAccess": "full"}
    assert mocked.admins("100") == [updated]
    assert mocked.writes[-1].json == {"orgAccess": "full"}


def test_update_admin_replaces_privilege_lists(mocked, api):
    (admin,) = mocked.admins("100")

    updated = api.organizations.updateOrganizationAdmin(
        "100", admin["id"], name="Miles", networks=[{"id": "N_2", "access": "read-only"}], tags=[]
    )

    assert updated["name"] == "Miles"
    assert updated["networks"] == [{"id": "N_2", "access": "read-only"}]
    assert updated["tags"] == []


def test_update_unknown_admin_is_404(mocked, api):
    with pytest.raises(meraki.APIError) as caught:
        api.organizations.updateOrganizationAdmin("100", "424242", name="Nobody")

    assert caught.value.status == 404


def test_delete_admin_is_204_then_404(mocked, api):
    (admin,) = mocked.admins("100")

    assert api.organizations.deleteOrganizationAdmin("100", admin["id"]) is None
    assert mocked.admins("100") == []
    assert mocked.requests[-1].status == 204
    with pytest.raises(meraki.APIError) as caught:
        api.organizations.deleteOrganizationAdmin("100", admin["id"])
    assert caught.value.status == 404


def test_writes_are_in_the_change_log(mocked, api):
    created = api.organizations.createOrganizationAdmin("100", "log@example.com", "Log", "full")
    api.organizations.deleteOrganizationAdmin("100", created["id"])

    changes = api.organizations.getOrganizationConfigurationChanges("100")

    assert [change["label"] for change in changes] == [
        "POST /api/v1/organizations/100/admins",
        f"DELETE /api/v1/organizations/100/admins/{created['id']}",
    ]
    assert changes == mocked.configuration_changes("100")


# ------------------------------------------------------------------------------------------------- the spec


def test_body_violating_the_spec_is_400_and_recorded(mocked):
    response = http("POST", "/organizations/100/admins", json={"email": "bad@example.com", "orgAccess": "admin"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "'name' is a required property" in errors
    assert any(error.startswith("orgAccess: 'admin' is not one of") for error in errors)
    assert mocked.spec_violations == [f"request POST /organizations/100/admins: {error}" for error in errors]
    assert len(mocked.admins("100")) == 1


def test_unknown_body_key_is_a_violation(mocked):
    (admin,) = mocked.admins("100")

    response = http("PUT", f"/organizations/100/admins/{admin['id']}", json={"email": "changed@example.com"})

    assert response.status_code == 400
    assert "email" in response.json()["errors"][0]
    assert mocked.admins("100") == [admin]


def test_body_that_is_not_json_is_400(mocked):
    response = http("POST", "/organizations/100/admins", content=b"{not json")

    assert response.status_code == 400
    assert mocked.spec_violations


def test_query_violating_the_spec_is_400(mocked):
    response = http("GET", "/organizations/100/networks", params={"perPage": "many"})

    assert response.status_code == 400
    assert mocked.spec_violations == [
        "request GET /organizations/100/networks: perPage: 'many' is not of type 'integer'"
    ]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/organizations/100/devices"),
        ("PATCH", "/organizations/100/admins/1"),
        ("GET", "/organizations/100/admins/1"),
        ("GET", "/networks/N_1"),
    ],
)
def test_anything_not_in_the_spec_is_404(mocked, method, path):
    response = http(method, path)

    assert response.status_code == 404
    assert response.json() == {"errors": ["Not found"]}


def test_the_fakes_responses_conform_to_the_spec():
    fake = FakeDashboard(api_key=KEY)
    seed_demo(fake)
    admins = fake.admins("100001")

    assert standin_spec.validate_response_body("getOrganizationAdmins", 200, admins) == []
    assert standin_spec.validate_response_body("getOrganizationNetworks", 200, fake.networks("100001")) == []
    assert standin_spec.validate_response_body("getOrganizations", 200, fake.organizations()) == []
    assert standin_spec.validate_response_body("getOrganizationAdmins", 200, [{**admins[0], "lastActive": ""}]) == [
        "0.lastActive: '' is not a 'date-time'"
    ]


def test_spec_validation_functions():
    assert standin_spec.validate_request_body("createOrganizationAdmin", {"email": "a@b.c", "name": "A"}) == [
        "'orgAccess' is a required property"
    ]
    assert standin_spec.validate_request_body("updateOrganizationAdmin", None) == []
    assert standin_spec.validate_request_body("updateOrganizationAdmin", {"nmae": "x"}, strict=False) == []
    assert standin_spec.validate_response_body("deleteOrganizationAdmin", 204, None) == []
    assert standin_spec.validate_response_body("deleteOrganizationAdmin", 200, None) != []


def test_strict_mode_closes_every_object_that_lists_its_properties():
    schema = {"type": "object", "properties": {"a": {"type": "object", "properties": {}}}, "nullable": True}
    open_map = {"type": "object", "additionalProperties": {"type": "string"}}

    assert standin_spec.strict_schemas(schema) == {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {}, "additionalProperties": False}},
        "nullable": True,
        "additionalProperties": False,
    }
    assert standin_spec.strict_schemas(open_map) == open_map


def test_query_values_are_coerced_and_checked():
    assert standin_spec.validate_query(
        "getOrganizationNetworks", {"perPage": "5", "tags[]": ["a", "b"], "isBoundToConfigTemplate": "false", "x": "1"}
    ) == ({"perPage": 5, "tags": ["a", "b"], "isBoundToConfigTemplate": False}, [])
    assert standin_spec.validate_query("getOrganizationNetworks", {"isBoundToConfigTemplate": "yes"}) == (
        {},
        ["isBoundToConfigTemplate: 'yes' is not of type 'boolean'"],
    )


# --------------------------------------------------------------------------------------------------- paging


def add_networks(fake, count):
    for number in range(count):
        fake.add_network("200", network_id=f"N_2{number:02d}", name=f"Net {number}")


def test_sdk_reads_networks_across_pages(mocked, api):
    add_networks(mocked, 8)

    networks = api.organizations.getOrganizationNetworks("200", total_pages="all", perPage=3)

    assert [net["id"] for net in networks] == [f"N_2{number:02d}" for number in range(8)]
    pages = [request for request in mocked.requests if request.path == "/organizations/200/networks"]
    assert [request.query for request in pages] == [
        {"perPage": "3"},
        {"perPage": "3", "startingAfter": "N_202"},
        {"perPage": "3", "startingAfter": "N_205"},
    ]


def test_link_header_is_absolute_like_merakis(mocked):
    add_networks(mocked, 7)

    link = http("GET", "/organizations/200/networks", params={"perPage": 3, "startingAfter": "N_202"}).headers["Link"]

    endpoint = f"{BASE_URL}/organizations/200/networks"
    assert link == (
        f"<{endpoint}?perPage=3&startingAfter=0000000000>; rel=first, "
        f"<{endpoint}?perPage=3&endingBefore=N_203>; rel=prev, "
        f"<{endpoint}?perPage=3&startingAfter=N_205>; rel=next, "
        f"<{endpoint}?perPage=3&endingBefore=zzzzzzzzzz>; rel=last"
    )


def test_last_page_has_no_next_link_and_filters_are_kept(mocked):
    add_networks(mocked, 4)
    mocked.add_network("200", network_id="N_3", tags=["x"])

    response = http("GET", "/organizations/200/networks", params={"tags[]": "x", "perPage": 3})

    assert [net["id"] for net in response.json()] == ["N_3"]
    assert "rel=next" not in response.headers["Link"]
    assert "tags[]=x&perPage=3" in response.headers["Link"]


@pytest.mark.parametrize("per_page", ["2", "100001"])
def test_per_page_out_of_range_is_400(mocked, per_page):
    assert http("GET", "/organizations/200/networks", params={"perPage": per_page}).status_code == 400


# --------------------------------------------------------------------------------------------------- faults


def test_a_500_then_success_is_retried(mocked, api):
    mocked.fail_next(method="GET", path=r"/organizations", status=500)

    assert [org["id"] for org in api.organizations.getOrganizations()] == ["100", "200"]
    assert [request.status for request in mocked.requests] == [500, 200]


def test_a_500_every_time_exhausts_retries(mocked, api):
    mocked.fail_next(path=r"/organizations/100/admins", status=500, times=5)

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.getOrganizationAdmins("100")

    assert caught.value.status == 500
    assert len(mocked.requests) == 2  # maximum_retries=2 means two attempts


def test_429_waits_retry_after(mocked):
    sleeps = []
    api = make_api(sleeps=sleeps)
    mocked.fail_next(method="POST", path=r"/organizations/100/admins", status=429, headers={"Retry-After": "7"})

    api.organizations.createOrganizationAdmin("100", "later@example.com", "Later", "full")

    assert sleeps == [7]
    assert [request.status for request in mocked.writes] == [429, 201]
    assert mocked.writes[0].json == mocked.writes[1].json


def test_connect_timeout_then_success(mocked, api):
    mocked.fail_next(method="*", path=r"/organizations/\d+/admins", exception=httpx.ConnectTimeout)

    assert len(api.organizations.getOrganizationAdmins("100")) == 1
    assert [request.status for request in mocked.requests] == [None, 200]


def test_timeout_after_the_write_makes_the_retry_a_duplicate(mocked, api):
    # The Dashboard created the admin but the answer never arrived; the SDK retries the POST.
    mocked.fail_next(method="POST", path=r"/organizations/100/admins", exception=httpx.ReadTimeout, after=True)

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.createOrganizationAdmin("100", "twice@example.com", "Twice", "full")

    assert caught.value.message == {"errors": ["Email has already been taken"]}
    assert [admin["email"] for admin in mocked.admins("100")][-1] == "twice@example.com"


def test_fail_next_needs_status_or_exception(fake):
    with pytest.raises(ValueError):
        fake.fail_next(path="/organizations")


# ----------------------------------------------------------------------------------------------------- mock


def test_mock_lets_nothing_else_through(mocked):
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://example.com/")
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://api.meraki.com/other")


def test_setup_helpers_reject_mistakes(fake):
    with pytest.raises(ValueError):
        fake.add_admin("100", "MILES@example.com", "Dup")
    with pytest.raises(ValueError):
        fake.add_admin("100", "n@example.com", "N", networks=[{"id": "N_9", "access": "full"}])
    with pytest.raises(ValueError):
        fake.add_admin("100", "s@example.com", "S", account_status="active")
    with pytest.raises(KeyError):
        fake.add_network("404", network_id="N_9")


def test_patch_admin_simulates_a_confirmed_account(mocked, api):
    created = api.organizations.createOrganizationAdmin("100", "confirm@example.com", "Confirm", "full")

    mocked.patch_admin("100", created["id"], accountStatus="ok", lastActive="2024-03-01T12:00:00Z")

    (listed,) = [admin for admin in api.organizations.getOrganizationAdmins("100") if admin["id"] == created["id"]]
    assert listed["accountStatus"] == "ok"


# --------------------------------------------------------------------------------------------------- server


@pytest.fixture
def server():
    fake = FakeDashboard(api_key=KEY, link_style="api-relative")
    seed_demo(fake)
    log = io.StringIO()
    with StandinServer(fake, host="127.0.0.1", port=0, log=log) as running:
        running.log = log
        yield running


def test_server_end_to_end(server):
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers) as client:
        health = httpx.get(server.url + "/healthz")
        orgs = client.get("/organizations")
        created = client.post(
            "/organizations/100001/admins", json={"email": "dana@acme.example", "name": "Dana", "orgAccess": "full"}
        )
        duplicate = client.post(
            "/organizations/100001/admins", json={"email": "Dana@acme.example", "name": "Dana", "orgAccess": "full"}
        )
        deleted = client.delete(f"/organizations/100001/admins/{created.json()['id']}")
        unauthorized = client.get("/organizations", headers={"Authorization": "Bearer wrong"})

    assert (health.status_code, health.text) == (200, "ok")
    assert [org["id"] for org in orgs.json()] == ["100001", "100002", "100003"]
    assert created.status_code == 201 and created.json()["accountStatus"] == "unverified"
    assert duplicate.status_code == 400 and duplicate.json() == {"errors": ["Email has already been taken"]}
    assert deleted.status_code == 204 and deleted.content == b""
    assert unauthorized.status_code == 401
    log = server.log.getvalue()
    assert '"POST /api/v1/organizations/100001/admins" 201' in log
    assert KEY not in log
    assert server.fake.spec_violations == []


def test_sdk_pages_through_the_server_with_api_relative_links(server):
    for number in range(5):
        server.fake.add_network("100003", network_id=f"N_100003_9{number}")
    api = make_api(base_url=server.base_url)

    networks = api.organizations.getOrganizationNetworks("100003", total_pages="all", perPage=3)

    assert len(networks) == 6
    assert len(server.fake.requests) == 2


def test_sdk_cannot_follow_absolute_links_off_meraki_hosts(server):
    # meraki 4.7's validate_base_url prefixes base_url to any URL whose host is not *.meraki.com, so the SDK
    # turns an absolute Link of a local server into base_url + "http://..."; hence the api-relative style.
    server.fake.link_style = "absolute"
    for number in range(5):
        server.fake.add_network("100003", network_id=f"N_100003_9{number}")
    api = make_api(base_url=server.base_url)

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.getOrganizationNetworks("100003", total_pages="all", perPage=3)

    assert caught.value.status == 404
    assert server.fake.requests[-1].path.startswith("/api/v1http://127.0.0.1:")


def test_server_drops_the_connection_for_an_injected_transport_error(server):
    server.fake.fail_next(path="/organizations", exception=httpx.ConnectError)
    api = make_api(base_url=server.base_url)

    assert len(api.organizations.getOrganizations()) == 3
    assert [request.status for request in server.fake.requests] == [None, 200]


def test_command_line_serves_until_sigterm():
    env = {**os.environ, "PYTHONPATH": str(DEVELOPMENT), "MERAKI_DASHBOARD_API_KEY": "cli-secret-key"}
    process = subprocess.Popen(
        [sys.executable, "-m", "meraki_standin", "--port", "0", "--seed", "demo"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stderr.readline()
        base_url = banner.split("serving ")[1].split()[0]
        response = httpx.get(
            base_url + "/organizations/100002/admins", headers={"X-Cisco-Meraki-API-Key": "cli-secret-key"}
        )
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=10)[1]
    finally:
        process.kill()

    assert [admin["email"] for admin in response.json()] == ["hank@globex.example"]
    assert process.returncode == 0
    assert "cli-secret-key" not in banner + rest
    assert '"GET /api/v1/organizations/100002/admins" 200' in rest


def test_lose_replies_applies_each_write_then_answers_502(mocked, api):
    mocked.add_admin("100", "gone@example.com", "Gone", admin_id="700001")
    mocked.lose_replies()  # any write: the next one lands, its reply is lost

    api.organizations.getOrganizationAdmins("100")  # reads are not affected
    with pytest.raises(meraki.APIError) as caught:
        api.organizations.deleteOrganizationAdmin("100", "700001")

    assert caught.value.status == 404  # the retry met the applied delete
    assert [(w.method, w.status) for w in mocked.writes] == [("DELETE", 502), ("DELETE", 404)]
    assert "gone@example.com" not in [admin["email"] for admin in mocked.admins("100")]
    assert [c["label"].split()[0] for c in mocked.configuration_changes("100")] == ["DELETE"]  # landed once


def test_lose_replies_of_a_put_repeats_it_and_answers_the_final_state(mocked, api):
    [miles] = mocked.admins("100")
    mocked.lose_replies("PUT", r"/organizations/100/admins/.*", exception=httpx.ReadTimeout)

    updated = api.organizations.updateOrganizationAdmin("100", miles["id"], orgAccess="full")

    assert updated["orgAccess"] == "full"
    assert [w.status for w in mocked.writes] == [None, 200]


def test_an_organization_with_api_access_disabled_is_listed_but_answers_404(mocked, api):
    mocked.add_organization("300", "No API", api_enabled=False)

    listed = {org["id"]: org["api"]["enabled"] for org in api.organizations.getOrganizations()}
    assert listed == {"100": True, "200": True, "300": False}
    for call in (
        lambda: api.organizations.getOrganizationAdmins("300"),
        lambda: api.organizations.getOrganization("300"),
    ):
        with pytest.raises(meraki.APIError) as caught:
            call()
        assert caught.value.status == 404
    mocked.set_api_enabled("300", True)
    assert api.organizations.getOrganizationAdmins("300") == []


# ------------------------------------------------------------------------------------------------- accounts

SECOND_KEY = "second-key"


@pytest.fixture
def accounts():
    """Account default sees 100 and 200, account second sees 200 and 300; 999 is A-only and inaccessible."""
    dashboard = FakeDashboard(api_key=KEY, clock=lambda: NOW)
    dashboard.add_account("second", SECOND_KEY)
    dashboard.add_organization("100", "Default only")
    dashboard.add_organization("200", "Shared", accounts=["default", "second"])
    dashboard.add_organization("300", "Second only", accounts=("second",))
    dashboard.add_network("300", network_id="N_3", name="Second HQ")
    with dashboard.mock(BASE_URL):
        yield dashboard
    assert dashboard.spec_violations == []


def listed(key):
    return [org["id"] for org in make_api(api_key=key).organizations.getOrganizations(total_pages="all")]


def test_each_account_lists_its_own_organizations_and_shared_ones(accounts):
    assert listed(KEY) == ["100", "200"]
    assert listed(SECOND_KEY) == ["200", "300"]
    assert [request.account for request in accounts.requests] == ["default", "second"]
    assert accounts.accounts == ["default", "second"]


def test_organizations_page_per_account(accounts):
    for number in range(1, 5):
        accounts.add_organization(f"40{number}", accounts=["second"])

    orgs = make_api(api_key=SECOND_KEY).organizations.getOrganizations(total_pages="all", perPage=3)

    assert [org["id"] for org in orgs] == ["200", "300", "401", "402", "403", "404"]
    assert len(accounts.requests) == 2


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/organizations/100"),
        ("GET", "/organizations/100/admins"),
        ("GET", "/organizations/100/networks"),
        ("DELETE", "/organizations/100"),
    ],
)
def test_a_call_into_an_organization_the_account_does_not_see_is_404(accounts, method, path):
    response = http(method, path, key=SECOND_KEY)

    assert response.status_code == 404
    assert response.json() == {"errors": ["Not found"]}
    assert accounts.requests[-1].account == "second"
    assert [org["id"] for org in accounts.organizations()] == ["100", "200", "300"]


def test_the_other_account_reaches_its_organization(accounts):
    assert http("GET", "/organizations/300/networks", key=SECOND_KEY).json()[0]["id"] == "N_3"
    assert http("GET", "/organizations/300/networks").status_code == 404
    assert http("GET", "/organizations/200/networks", key=SECOND_KEY).status_code == 200


def test_an_unknown_key_is_401_and_recorded_without_account_or_key(accounts):
    response = http("GET", "/organizations", key="nobodys-key")

    assert response.status_code == 401
    assert response.json() == {"errors": ["Invalid API key"]}
    (request,) = accounts.requests
    assert (request.account, request.status) == (None, 401)
    assert "nobodys-key" not in repr(request) + str(request.headers)


def test_both_headers_name_the_account(accounts):
    httpx.get(f"{BASE_URL}/organizations", headers={"X-Cisco-Meraki-API-Key": SECOND_KEY})
    http("GET", "/organizations", key=SECOND_KEY)

    assert [(request.account, request.status) for request in accounts.requests] == [("second", 200)] * 2
    assert all(SECOND_KEY not in str(request.headers) for request in accounts.requests)


def test_grant_and_revoke(accounts):
    accounts.grant("100", "second")
    assert listed(SECOND_KEY) == ["100", "200", "300"]
    assert http("GET", "/organizations/100", key=SECOND_KEY).status_code == 200

    accounts.revoke("200", "default")
    accounts.revoke("200", "default")  # revoking twice is harmless
    assert listed(KEY) == ["100"]
    assert http("GET", "/organizations/200/admins").status_code == 404

    accounts.revoke("100", "second")
    assert listed(SECOND_KEY) == ["200", "300"]
    with pytest.raises(KeyError):
        accounts.grant("404", "second")


def test_an_account_registered_after_its_grant_sees_the_organization(accounts):
    accounts.add_organization("500", "Later", accounts=["third"])
    assert "500" not in listed(KEY) + listed(SECOND_KEY)

    accounts.add_account("third", "third-key")

    assert listed("third-key") == ["500"]


def test_set_accessible_hides_an_organization_from_every_account(accounts):
    accounts.set_accessible("200", False)

    assert listed(KEY) == ["100"]
    assert listed(SECOND_KEY) == ["300"]
    assert http("GET", "/organizations/200", key=SECOND_KEY).status_code == 404


def test_an_organization_created_through_the_api_is_seen_by_its_creator(accounts):
    created = http("POST", "/organizations", key=SECOND_KEY, json={"name": "New"})

    assert created.status_code == 201
    assert created.json()["id"] in listed(SECOND_KEY)
    assert created.json()["id"] not in listed(KEY)


def test_account_mistakes_are_rejected(accounts):
    with pytest.raises(ValueError):
        accounts.add_account("second", "another-key")
    with pytest.raises(ValueError):
        accounts.add_account("third", KEY)
    with pytest.raises(ValueError):
        accounts.add_account("default", "another-key")
    with pytest.raises(ValueError):
        accounts.add_organization("600", accounts="second")
    with pytest.raises(ValueError):
        accounts.add_organization("100")


def test_seed_demo_with_a_second_account():
    fake = FakeDashboard(api_key=KEY)
    fake.add_account("second", SECOND_KEY)
    seed_demo(fake)

    with fake.mock(BASE_URL):
        assert listed(KEY) == ["100001", "100002", "100003"]
        assert listed(SECOND_KEY) == ["100002", "100004"]
        (wesker,) = make_api(api_key=SECOND_KEY).organizations.getOrganizationAdmins("100004")
        networks = make_api(api_key=SECOND_KEY).organizations.getOrganizationNetworks("100004")
        assert http("GET", "/organizations/100004/admins").status_code == 404

    assert (wesker["id"], wesker["email"], wesker["name"], wesker["orgAccess"]) == (
        "500004", "wesker@umbrella.example", "Albert Wesker", "full",
    )  # fmt: skip
    assert [(net["id"], net["name"], net["tags"]) for net in networks] == [("N_100004_1", "Umbrella Lab", ["lab"])]
    assert fake.spec_violations == []


def test_command_line_serves_a_second_account_from_the_environment():
    env = {
        **os.environ,
        "PYTHONPATH": str(DEVELOPMENT),
        "MERAKI_DASHBOARD_API_KEY": "cli-secret-key",
        "MERAKI_STANDIN_SECOND_API_KEY": "cli-second-key",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "meraki_standin", "--port", "0", "--seed", "demo"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stderr.readline()
        base_url = banner.split("serving ")[1].split()[0]
        second = httpx.get(base_url + "/organizations", headers={"X-Cisco-Meraki-API-Key": "cli-second-key"})
        default = httpx.get(base_url + "/organizations", headers={"X-Cisco-Meraki-API-Key": "cli-secret-key"})
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=10)[1]
    finally:
        process.kill()

    assert [org["id"] for org in second.json()] == ["100002", "100004"]
    assert [org["id"] for org in default.json()] == ["100001", "100002", "100003"]
    assert "accounts default, second" in banner
    assert "cli-second-key" not in banner + rest


# ------------------------------------------------------------------------- SAML roles and login security

SAML_ROLE_KEYS = {"id", "role", "orgAccess", "networks", "tags"}
SHARED_SPEC = Path(__file__).resolve().parents[2] / "shared" / "meraki" / "openapi-access-v1.42.0.json"


def response_properties(operation_id):
    """The property names of an operation's 200 JSON response object, read from the bundled spec."""
    content = standin_spec.operations()[operation_id].definition["responses"]["200"]["content"]
    return set(content["application/json"]["schema"]["properties"])


def test_the_bundled_spec_is_the_access_extract_and_every_operation_has_a_handler():
    from meraki_standin.operations import HANDLERS

    assert standin_spec.SPEC_PATH.name == "openapi-access-v1.42.0.json"
    assert not standin_spec.SPEC_PATH.with_name("openapi-admins-v1.42.0.json").exists()
    assert set(standin_spec.operations()) == set(HANDLERS)
    if SHARED_SPEC.exists():  # the repository's copy must not drift from the shared extract
        assert standin_spec.SPEC_PATH.read_bytes() == SHARED_SPEC.read_bytes()


def test_saml_is_off_by_default_and_a_put_turns_it_on(mocked, api):
    assert api.organizations.getOrganizationSaml("100") == {"enabled": False}

    assert api.organizations.updateOrganizationSaml("100", enabled=True) == {"enabled": True}

    assert api.organizations.getOrganizationSaml("100") == {"enabled": True}
    assert mocked.saml_enabled("100") is True
    assert mocked.saml_enabled("200") is False
    (change,) = mocked.configuration_changes("100")
    assert (change["label"], change["oldValue"], change["newValue"]) == (
        "PUT /api/v1/organizations/100/saml", '{"enabled":false}', '{"enabled":true}',
    )  # fmt: skip
    assert mocked.spec_violations == []


def test_set_saml_needs_no_api_call_and_writes_no_change_log(mocked, api):
    mocked.set_saml("200", True)

    assert api.organizations.getOrganizationSaml("200") == {"enabled": True}
    assert mocked.configuration_changes("200") == []
    with pytest.raises(KeyError):
        mocked.set_saml("404", True)


def test_create_saml_role_is_201_in_the_specs_shape(mocked, api):
    created = api.organizations.createOrganizationSamlRole(
        "100", "NOC", "read-only",
        networks=[{"id": "N_1", "access": "ssid-admin"}], tags=[{"tag": "west", "access": "monitor-only"}],
    )  # fmt: skip

    assert set(created) == SAML_ROLE_KEYS == response_properties("getOrganizationSamlRole")
    assert created["id"].isdigit()
    assert (created["role"], created["orgAccess"]) == ("NOC", "read-only")
    assert created["networks"] == [{"id": "N_1", "access": "ssid-admin"}]
    assert created["tags"] == [{"tag": "west", "access": "monitor-only"}]
    assert (mocked.writes[-1].status, mocked.writes[-1].account) == (201, "default")
    assert api.organizations.getOrganizationSamlRoles("100") == [created] == mocked.saml_roles("100")
    assert api.organizations.getOrganizationSamlRole("100", created["id"]) == created
    assert mocked.spec_violations == []


def test_saml_role_without_privileges_lists_empty_ones(mocked, api):
    created = api.organizations.createOrganizationSamlRole("100", "Auditors", "none")

    assert (created["networks"], created["tags"]) == ([], [])


def test_update_saml_role_changes_only_the_keys_given_and_replaces_lists(mocked, api):
    role = mocked.add_saml_role("100", "Engineers", "none", networks=[{"id": "N_1", "access": "full"}])

    renamed = api.organizations.updateOrganizationSamlRole("100", role["id"], orgAccess="full")
    assert renamed == {**role, "orgAccess": "full"}

    moved = api.organizations.updateOrganizationSamlRole(
        "100", role["id"], role="Field engineers", networks=[{"id": "N_2", "access": "read-only"}], tags=[]
    )
    networks = [{"id": "N_2", "access": "read-only"}]
    assert moved == {**role, "role": "Field engineers", "orgAccess": "full", "networks": networks}
    assert mocked.saml_roles("100") == [moved]
    assert mocked.writes[-1].json == {
        "role": "Field engineers", "networks": [{"id": "N_2", "access": "read-only"}], "tags": []
    }  # fmt: skip


def test_delete_saml_role_is_204_then_404(mocked, api):
    role = mocked.add_saml_role("100", "Temporary", "read-only")

    assert api.organizations.deleteOrganizationSamlRole("100", role["id"]) is None
    assert mocked.requests[-1].status == 204
    assert mocked.saml_roles("100") == []
    for call in (
        lambda: api.organizations.deleteOrganizationSamlRole("100", role["id"]),
        lambda: api.organizations.getOrganizationSamlRole("100", role["id"]),
        lambda: api.organizations.updateOrganizationSamlRole("100", role["id"], orgAccess="full"),
    ):
        with pytest.raises(meraki.APIError) as caught:
            call()
        assert (caught.value.status, caught.value.message) == (404, {"errors": ["Not found"]})


def test_a_role_of_another_organization_is_404(mocked, api):
    role = mocked.add_saml_role("200", "Elsewhere", "full")

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.getOrganizationSamlRole("100", role["id"])

    assert caught.value.status == 404


@pytest.mark.parametrize("name", ["NOC", "noc", "Noc"])
def test_duplicate_saml_role_name_is_400(mocked, api, name):
    mocked.add_saml_role("100", "NOC", "read-only")

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.createOrganizationSamlRole("100", name, "full")

    assert caught.value.status == 400
    assert caught.value.message == {"errors": ["Role has already been taken"]}
    assert [role["role"] for role in mocked.saml_roles("100")] == ["NOC"]
    assert api.organizations.createOrganizationSamlRole("200", name, "full")["role"] == name  # per organization
    assert mocked.spec_violations == []  # a Dashboard rule, not a spec violation


def test_renaming_a_saml_role_onto_another_is_400_but_keeping_its_name_is_fine(mocked, api):
    mocked.add_saml_role("100", "NOC", "read-only")
    other = mocked.add_saml_role("100", "Engineers", "none")

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.updateOrganizationSamlRole("100", other["id"], role="noc")
    kept = api.organizations.updateOrganizationSamlRole("100", other["id"], role="Engineers", orgAccess="full")

    assert caught.value.message == {"errors": ["Role has already been taken"]}
    assert kept["orgAccess"] == "full"
    assert [role["role"] for role in mocked.saml_roles("100")] == ["NOC", "Engineers"]


def test_blank_saml_role_name_is_400(mocked):
    response = http("POST", "/organizations/100/samlRoles", json={"role": " ", "orgAccess": "none"})

    assert (response.status_code, response.json()) == (400, {"errors": ["Role can't be blank"]})


@pytest.mark.parametrize("method, path_suffix", [("POST", ""), ("PUT", "/{role_id}")], ids=["create", "update"])
def test_saml_role_on_an_unknown_network_is_400(mocked, method, path_suffix):
    role = mocked.add_saml_role("100", "Engineers", "none")
    body = {"role": "Other", "orgAccess": "none", "networks": [{"id": "N_404", "access": "full"}]}

    response = http(method, "/organizations/100/samlRoles" + path_suffix.format(role_id=role["id"]), json=body)

    assert response.status_code == 400
    assert response.json() == {"errors": ["Network with id 'N_404' not found in this organization"]}
    assert mocked.saml_roles("100") == [role]
    assert mocked.configuration_changes("100") == []
    assert mocked.spec_violations == []


@pytest.mark.parametrize(
    "body, error",
    [
        ({"role": "R", "orgAccess": "admin"}, "orgAccess: 'admin' is not one of"),
        ({"role": "R"}, "'orgAccess' is a required property"),
        ({"role": "R", "orgAccess": "none", "tags": [{"tag": "west", "access": "ssid-admin"}]}, "tags.0.access"),
        ({"role": "R", "orgAccess": "none", "camera": []}, "camera"),  # SAML camera privileges are newer than 1.42
    ],
    ids=["org-access", "missing-org-access", "tag-access", "camera"],
)
def test_saml_role_body_outside_the_spec_is_400_and_recorded(mocked, body, error):
    response = http("POST", "/organizations/100/samlRoles", json=body)

    assert response.status_code == 400
    assert any(error in message for message in response.json()["errors"])
    assert mocked.spec_violations[0].startswith("request POST /organizations/100/samlRoles: ")
    assert mocked.saml_roles("100") == []


def test_saml_role_writes_are_in_the_change_log(mocked, api):
    created = api.organizations.createOrganizationSamlRole("100", "NOC", "read-only")
    api.organizations.updateOrganizationSamlRole("100", created["id"], orgAccess="full")
    api.organizations.deleteOrganizationSamlRole("100", created["id"])

    changes = api.organizations.getOrganizationConfigurationChanges("100")

    path = f"/api/v1/organizations/100/samlRoles/{created['id']}"
    assert [change["label"] for change in changes] == [
        "POST /api/v1/organizations/100/samlRoles", f"PUT {path}", f"DELETE {path}",
    ]  # fmt: skip
    assert '"orgAccess":"read-only"' in changes[1]["oldValue"] and '"orgAccess":"full"' in changes[1]["newValue"]
    assert "newValue" not in changes[2]
    assert changes == mocked.configuration_changes("100")


def test_add_saml_role_helper(fake):
    role = fake.add_saml_role(
        "100", "NOC", "read-only", networks=[{"id": "N_1", "access": "full"}], tags=[{"tag": "west", "access": "full"}]
    )
    fixed = fake.add_saml_role("200", "Fixed", "none", role_id="4242")

    assert set(role) == SAML_ROLE_KEYS and role["id"].isdigit()
    assert fixed["id"] == "4242"
    assert fake.saml_roles("100") == [role]
    assert fake.configuration_changes("100") == []
    assert standin_spec.validate_response_body("getOrganizationSamlRoles", 200, fake.saml_roles("100")) == []
    for mistake in (
        lambda: fake.add_saml_role("100", "noc", "full"),
        lambda: fake.add_saml_role("100", "Other", "full", networks=[{"id": "N_404", "access": "full"}]),
        lambda: fake.add_saml_role("100", "Other", "admin"),
        lambda: fake.add_saml_role("100", "Other", "none", tags=[{"tag": "west", "access": "ssid-admin"}]),
        lambda: fake.add_saml_role("100", "Other", "none", role_id="4242"),  # ids are unique across organizations
    ):
        with pytest.raises(ValueError):
            mistake()
    with pytest.raises(KeyError):
        fake.add_saml_role("404", "Other", "none")
    assert len(fake.saml_roles("100")) == 1


def test_login_security_defaults_have_every_field_of_the_spec_and_enforce_nothing(mocked, api):
    settings = api.organizations.getOrganizationLoginSecurity("100")

    assert set(settings) == response_properties("getOrganizationLoginSecurity")
    assert {key: value for key, value in settings.items() if key.startswith("enforce")} == {
        "enforcePasswordExpiration": False, "enforceDifferentPasswords": False, "enforceStrongPasswords": False,
        "enforceAccountLockout": False, "enforceIdleTimeout": False, "enforceTwoFactorAuth": False,
        "enforceLoginIpRanges": False,
    }  # fmt: skip
    assert (settings["passwordExpirationDays"], settings["numDifferentPasswords"]) == (90, 3)
    assert (settings["accountLockoutAttempts"], settings["idleTimeoutMinutes"]) == (3, 30)
    assert settings["loginIpRanges"] == []
    assert settings["apiAuthentication"] == {"ipRestrictionsForKeys": {"enabled": False, "ranges": []}}
    assert settings == mocked.login_security("100")
    assert mocked.spec_violations == []


def test_login_security_put_merges_only_the_fields_given(mocked, api):
    before = mocked.login_security("100")

    first = api.organizations.updateOrganizationLoginSecurity(
        "100", enforceIdleTimeout=True, idleTimeoutMinutes=15,
        apiAuthentication={"ipRestrictionsForKeys": {"ranges": ["192.0.2.0/24"]}},
    )  # fmt: skip
    second = api.organizations.updateOrganizationLoginSecurity(
        "100", enforceTwoFactorAuth=True, apiAuthentication={"ipRestrictionsForKeys": {"enabled": True}}
    )

    assert first == {
        **before, "enforceIdleTimeout": True, "idleTimeoutMinutes": 15,
        "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": False, "ranges": ["192.0.2.0/24"]}},
    }  # fmt: skip
    assert second == {
        **first, "enforceTwoFactorAuth": True,
        "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": True, "ranges": ["192.0.2.0/24"]}},
    }  # fmt: skip
    assert mocked.writes[-1].json == {
        "enforceTwoFactorAuth": True, "apiAuthentication": {"ipRestrictionsForKeys": {"enabled": True}}
    }  # fmt: skip
    assert api.organizations.getOrganizationLoginSecurity("100") == second
    assert mocked.login_security("200") == before  # other organizations keep theirs
    changes = mocked.configuration_changes("100")
    assert [change["label"] for change in changes] == ["PUT /api/v1/organizations/100/loginSecurity"] * 2
    assert '"enforceTwoFactorAuth":false' in changes[1]["oldValue"]
    assert '"enforceTwoFactorAuth":true' in changes[1]["newValue"]
    assert mocked.spec_violations == []


def test_login_ip_ranges_accept_addresses_ranges_and_subnets(mocked, api):
    ranges = ["192.0.2.7", "198.51.100.1-198.51.100.99", "2001:db8::/32"]

    settings = api.organizations.updateOrganizationLoginSecurity("100", enforceLoginIpRanges=True, loginIpRanges=ranges)

    assert (settings["enforceLoginIpRanges"], settings["loginIpRanges"]) == (True, ranges)


@pytest.mark.parametrize(
    "body, error",
    [
        ({"enforceIdleTimeout": True, "idleTimeoutMinutes": 0}, "'idleTimeoutMinutes' must be greater than 0"),
        ({"accountLockoutAttempts": -1}, "'accountLockoutAttempts' must be greater than 0"),
        ({"loginIpRanges": ["10.0.0.300"]}, "'10.0.0.300' in 'loginIpRanges' is not a valid IP address"),
        (
            {"apiAuthentication": {"ipRestrictionsForKeys": {"ranges": ["10.0.0.9-10.0.0.1"]}}},
            "'10.0.0.9-10.0.0.1' in 'ranges' is not a valid IP address",
        ),
        ({"enforceLoginIpRanges": True}, "'loginIpRanges' must not be empty while 'enforceLoginIpRanges' is true"),
        (
            {"apiAuthentication": {"ipRestrictionsForKeys": {"enabled": True}}},
            "'apiAuthentication.ipRestrictionsForKeys.ranges' must not be empty while it is enabled",
        ),
    ],
    ids=["idle-zero", "lockout-negative", "bad-ip", "backwards-range", "ip-ranges-empty", "key-ranges-empty"],
)
def test_login_security_the_dashboard_rejects_is_400_and_changes_nothing(mocked, body, error):
    before = mocked.login_security("100")

    response = http("PUT", "/organizations/100/loginSecurity", json=body)

    assert response.status_code == 400
    assert any(message.startswith(error) for message in response.json()["errors"]), response.json()
    assert mocked.login_security("100") == before
    assert mocked.configuration_changes("100") == []
    assert mocked.spec_violations == []  # Dashboard rules, not spec violations


@pytest.mark.parametrize(
    "body",
    [{"minimumPasswordLength": 12}, {"enforceLockedIpSessions": True}, {"idleTimeoutMinutes": "30"}],
    ids=["newer-field", "newer-field-2", "string-number"],
)
def test_login_security_outside_the_1_42_spec_is_400(mocked, body):
    response = http("PUT", "/organizations/100/loginSecurity", json=body)

    assert response.status_code == 400
    assert mocked.spec_violations[0].startswith("request PUT /organizations/100/loginSecurity: ")


def test_set_login_security_helper(fake):
    settings = fake.set_login_security(
        "100", enforceTwoFactorAuth=True, apiAuthentication={"ipRestrictionsForKeys": {"ranges": ["192.0.2.1"]}}
    )

    assert settings == fake.login_security("100")
    assert settings["enforceTwoFactorAuth"] is True
    assert settings["apiAuthentication"]["ipRestrictionsForKeys"] == {"enabled": False, "ranges": ["192.0.2.1"]}
    assert settings["idleTimeoutMinutes"] == 30
    assert fake.configuration_changes("100") == []
    assert standin_spec.validate_response_body("getOrganizationLoginSecurity", 200, settings) == []
    for mistake in ({"enforceTwoFactorAuth": "yes"}, {"twoFactor": True}, {"enforceLoginIpRanges": True}):
        with pytest.raises(ValueError):
            fake.set_login_security("100", **mistake)
    assert fake.login_security("100") == settings
    settings["loginIpRanges"].append("10.0.0.1")  # a copy
    assert fake.login_security("100")["loginIpRanges"] == []


def test_identity_of_the_default_keys_owner(mocked, api):
    me = api.administered.getAdministeredIdentitiesMe()

    assert me == {
        "name": "API key owner (default)",
        "email": "api-owner@default.example",
        "lastUsedDashboardAt": "2024-03-01T12:00:00.000000Z",
        "authentication": {
            "mode": "email", "api": {"key": {"created": True}}, "twoFactor": {"enabled": False},
            "saml": {"enabled": False},
        },
    }  # fmt: skip
    assert me == mocked.identity()
    assert set(me) == response_properties("getAdministeredIdentitiesMe")
    assert (mocked.requests[-1].path, mocked.requests[-1].account) == ("/administered/identities/me", "default")
    assert mocked.spec_violations == []


def test_identity_is_per_account(accounts):
    accounts.add_account("third", "third-key", owner_email="Ops@Example.com", owner_name="Olga Ops")

    identities = {key: http("GET", "/administered/identities/me", key=key).json() for key in (KEY, SECOND_KEY)}
    third = make_api(api_key="third-key").administered.getAdministeredIdentitiesMe()

    assert [(me["name"], me["email"]) for me in identities.values()] == [
        ("API key owner (default)", "api-owner@default.example"),
        ("API key owner (second)", "api-owner@second.example"),
    ]
    assert (third["name"], third["email"]) == ("Olga Ops", "Ops@Example.com")
    assert third == accounts.identity("third")
    assert [request.account for request in accounts.requests] == ["default", "second", "third"]
    assert http("GET", "/administered/identities/me", key="nobodys-key").status_code == 401
    with pytest.raises(KeyError):
        accounts.identity("nobody")


def test_the_constructor_names_the_default_keys_owner():
    fake = FakeDashboard(api_key=KEY, owner_email="netops@corp.example", owner_name="Net Ops", clock=lambda: NOW)
    fake.add_account("other owner!", "other-key")

    assert (fake.identity()["name"], fake.identity()["email"]) == ("Net Ops", "netops@corp.example")
    assert fake.identity("other owner!")["email"] == "api-owner@other-owner.example"
    assert FakeDashboard("positional-key").identity()["email"] == "api-owner@default.example"


def test_the_change_log_names_the_owner_of_the_key_that_wrote(accounts):
    assert http("PUT", "/organizations/200/saml", key=SECOND_KEY, json={"enabled": True}).status_code == 200
    assert http("PUT", "/organizations/200/saml", json={"enabled": False}).status_code == 200

    second, default = accounts.configuration_changes("200")

    assert (second["adminName"], second["adminEmail"]) == ("API key owner (second)", "api-owner@second.example")
    assert (default["adminName"], default["adminEmail"]) == ("API key owner (default)", "api-owner@default.example")
    assert default["adminId"] == "100000"
    assert second["adminId"] != default["adminId"]


def test_a_key_owner_who_is_an_admin_keeps_one_admin_id(accounts):
    admin = accounts.add_admin("100", "API-OWNER@default.example", "Owner", "full")

    http("PUT", "/organizations/100/saml", json={"enabled": True})

    assert admin["id"] == accounts.configuration_changes("100")[0]["adminId"] == "100000"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/organizations/100/saml", None),
        ("PUT", "/organizations/100/saml", {"enabled": True}),
        ("GET", "/organizations/100/samlRoles", None),
        ("POST", "/organizations/100/samlRoles", {"role": "Intruders", "orgAccess": "full"}),
        ("GET", "/organizations/100/samlRoles/{role_id}", None),
        ("PUT", "/organizations/100/samlRoles/{role_id}", {"orgAccess": "full"}),
        ("DELETE", "/organizations/100/samlRoles/{role_id}", None),
        ("GET", "/organizations/100/loginSecurity", None),
        ("PUT", "/organizations/100/loginSecurity", {"enforceTwoFactorAuth": False}),
    ],
)
def test_the_new_paths_of_an_organization_the_account_does_not_see_are_404(accounts, method, path, body):
    role = accounts.add_saml_role("100", "NOC", "read-only")
    accounts.set_login_security("100", enforceTwoFactorAuth=True)

    response = http(method, path.format(role_id=role["id"]), key=SECOND_KEY, json=body)

    assert (response.status_code, response.json()) == (404, {"errors": ["Not found"]})
    assert accounts.requests[-1].account == "second"
    assert accounts.saml_roles("100") == [role]
    assert accounts.saml_enabled("100") is False
    assert accounts.login_security("100")["enforceTwoFactorAuth"] is True
    assert accounts.configuration_changes("100") == []
    assert http(method, path.format(role_id=role["id"]), json=body).status_code < 300  # its own account may


def test_an_organization_with_api_access_disabled_answers_404_on_the_new_paths(mocked, api):
    mocked.add_organization("300", "No API", api_enabled=False)

    for call in (
        lambda: api.organizations.getOrganizationSaml("300"),
        lambda: api.organizations.getOrganizationSamlRoles("300"),
        lambda: api.organizations.getOrganizationLoginSecurity("300"),
    ):
        with pytest.raises(meraki.APIError) as caught:
            call()
        assert caught.value.status == 404


def test_faults_apply_to_the_new_paths(mocked, api):
    mocked.fail_next(method="GET", path=r"/organizations/100/samlRoles", status=500)
    mocked.fail_next(path=r"/administered/identities/me", exception=httpx.ConnectTimeout)
    mocked.fail_next(method="PUT", path=r"/organizations/100/loginSecurity", status=429, headers={"Retry-After": "3"})

    assert api.organizations.getOrganizationSamlRoles("100") == []
    assert api.administered.getAdministeredIdentitiesMe()["email"] == "api-owner@default.example"
    assert api.organizations.updateOrganizationLoginSecurity("100", enforceTwoFactorAuth=True)["enforceTwoFactorAuth"]

    assert [(request.method, request.status) for request in mocked.requests] == [
        ("GET", 500), ("GET", 200), ("GET", None), ("GET", 200), ("PUT", 429), ("PUT", 200),
    ]  # fmt: skip
    assert len(mocked.configuration_changes("100")) == 1


def test_a_lost_reply_to_a_saml_role_create_makes_the_retry_a_duplicate(mocked, api):
    mocked.lose_replies("POST", r"/organizations/100/samlRoles")

    with pytest.raises(meraki.APIError) as caught:
        api.organizations.createOrganizationSamlRole("100", "NOC", "read-only")

    assert caught.value.message == {"errors": ["Role has already been taken"]}
    assert [(write.method, write.status) for write in mocked.writes] == [("POST", 502), ("POST", 400)]
    assert [role["role"] for role in mocked.saml_roles("100")] == ["NOC"]
    assert len(mocked.configuration_changes("100")) == 1  # landed once


def test_a_lost_reply_to_a_login_security_put_repeats_it_harmlessly(mocked, api):
    mocked.lose_replies("PUT", r"/organizations/100/loginSecurity", exception=httpx.ReadTimeout)

    settings = api.organizations.updateOrganizationLoginSecurity("100", enforceIdleTimeout=True)

    assert settings["enforceIdleTimeout"] is True
    assert [write.status for write in mocked.writes] == [None, 200]
    assert len(mocked.configuration_changes("100")) == 2  # Meraki logs an unchanged PUT too


def test_rate_limits_count_the_new_paths_per_organization():
    from meraki_standin.limits import MerakiRateLimits, organization_in

    limits = MerakiRateLimits(per_organization=2, per_ip=100, clock=lambda: 0.0)
    paths = [f"/api/v1/organizations/100/{tail}" for tail in ("saml", "samlRoles/1", "loginSecurity")]

    assert [limits.admit(path, at=0.0) for path in paths] == [None, None, 1]
    assert limits.admit("/api/v1/organizations/200/samlRoles", at=0.0) is None
    assert [limits.admit("/api/v1/administered/identities/me", at=0.0) for _ in range(5)] == [None] * 5
    assert organization_in("/api/v1/administered/identities/me") is None
    figures = limits.figures()
    assert (figures.requests, figures.rejected_429, figures.busiest_organization_requests) == (9, 1, 3)


def test_seed_demo_has_saml_on_globex_and_login_security_on_acme_and_initech():
    fake = FakeDashboard(api_key=KEY)
    fake.add_account("second", SECOND_KEY)
    seed_demo(fake)

    with fake.mock(BASE_URL):
        api = make_api()
        globex_saml = api.organizations.getOrganizationSaml("100002")
        roles = make_api(api_key=SECOND_KEY).organizations.getOrganizationSamlRoles("100002")
        acme = api.organizations.getOrganizationLoginSecurity("100001")
        initech = api.organizations.getOrganizationLoginSecurity("100003")
        other_saml = [api.organizations.getOrganizationSaml(org_id) for org_id in ("100001", "100003")]
        second_me = make_api(api_key=SECOND_KEY).administered.getAdministeredIdentitiesMe()

    assert globex_saml == {"enabled": True}
    assert other_saml == [{"enabled": False}] * 2
    assert roles == [
        {"id": "1400000000001", "role": "NOC read-only", "orgAccess": "read-only", "networks": [], "tags": []},
        {
            "id": "1400000000002", "role": "Branch engineers", "orgAccess": "none", "networks": [],
            "tags": [{"tag": "hq", "access": "full"}],
        },
    ]  # fmt: skip
    assert (acme["enforceTwoFactorAuth"], acme["enforceStrongPasswords"]) == (True, True)
    assert (acme["enforceIdleTimeout"], acme["idleTimeoutMinutes"]) == (True, 30)
    assert (acme["enforceAccountLockout"], acme["accountLockoutAttempts"]) == (True, 5)
    assert not any(value for key, value in initech.items() if key.startswith("enforce"))
    assert second_me["email"] == "api-owner@second.example"
    assert fake.configuration_changes("100001") == []  # seeding is not an API write
    assert fake.spec_violations == []


def test_the_server_serves_the_new_paths(server):
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers) as client:
        me = client.get("/administered/identities/me")
        roles = client.get("/organizations/100002/samlRoles")
        created = client.post("/organizations/100002/samlRoles", json={"role": "Auditors", "orgAccess": "read-only"})
        duplicate = client.post("/organizations/100002/samlRoles", json={"role": "auditors", "orgAccess": "none"})
        security = client.put("/organizations/100003/loginSecurity", json={"enforceTwoFactorAuth": True})

    assert me.status_code == 200 and me.json()["email"] == "api-owner@default.example"
    assert [role["role"] for role in roles.json()] == ["NOC read-only", "Branch engineers"]
    assert created.status_code == 201 and created.json()["role"] == "Auditors"
    assert duplicate.status_code == 400 and duplicate.json() == {"errors": ["Role has already been taken"]}
    assert security.json()["enforceTwoFactorAuth"] is True
    assert '"GET /api/v1/administered/identities/me" 200' in server.log.getvalue()
    assert server.fake.spec_violations == []
