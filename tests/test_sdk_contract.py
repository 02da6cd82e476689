"""The private parts of the `meraki` SDK that nautobot_meraki_users.dashboard.client relies on, pinned.

dashboard.py replaces the SDK's HTTP client (`DashboardAPI._session._client`, an `httpx.Client` the session sends
every request through) and its retry pause (`_session._sleep`, called between retries), and closes the session
(`_session.close()`). None of that is public API: when a new `meraki` release moves one of them, these tests fail
and say what moved, before the client silently stops pacing or stops using our transport. No database.
"""

from importlib.metadata import version

import httpx
import meraki
import pytest
from meraki_standin import FakeDashboard

from nautobot_meraki_users.dashboard.client import CALLER, Dashboard
from nautobot_meraki_users.settings import settings_from_mapping

KEY = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"
BASE_URL = "https://api.meraki.com/api/v1"
MOVED = f"meraki {version('meraki')}: %s moved; nautobot_meraki_users/dashboard/client.py must be adapted to it"


def sdk_api(maximum_retries=3):
    """A DashboardAPI built with the arguments dashboard.py uses."""
    return meraki.DashboardAPI(
        api_key=KEY,
        base_url=BASE_URL,
        single_request_timeout=30,
        requests_proxy="",
        wait_on_rate_limit=True,
        maximum_retries=maximum_retries,
        output_log=False,
        print_console=False,
        suppress_logging=True,
        caller=CALLER,
        smart_flow_enabled=False,
        use_iterator_for_get_pages=False,
    )


def test_the_sdk_hands_certificate_path_to_its_client_as_is():
    import ssl

    from nautobot_meraki_users.dashboard import client as dashboard_client

    # dashboard.py passes an SSLContext as certificate_path so that the client it replaces loads no CA bundle.
    api = meraki.DashboardAPI(api_key=KEY, certificate_path=dashboard_client._UNUSED_TLS, output_log=False,
                              print_console=False, suppress_logging=True, caller=CALLER)  # fmt: skip
    context = api._session._client._transport._pool._ssl_context
    assert context is dashboard_client._UNUSED_TLS, MOVED % "certificate_path (handed to httpx.Client as verify)"
    assert (context.verify_mode, context.get_ca_certs()) == (ssl.CERT_REQUIRED, [])  # it would trust nothing
    api._session.close()


def fake_dashboard():
    fake = FakeDashboard(api_key=KEY)
    fake.add_organization("1", "Org")
    return fake


def test_the_session_holds_an_httpx_client_with_the_sdk_headers():
    api = sdk_api()
    session = getattr(api, "_session", None)
    assert session is not None, MOVED % "DashboardAPI._session"
    client = getattr(session, "_client", None)
    assert isinstance(client, httpx.Client), MOVED % "DashboardAPI._session._client (an httpx.Client)"
    # dashboard.py copies these headers onto its own client: they carry the key and the caller.
    assert client.headers.get("Authorization") == f"Bearer {KEY}", MOVED % "the Authorization header of _client"
    assert f"Caller/({CALLER})" in client.headers.get("User-Agent", ""), MOVED % "the User-Agent of _client"
    api._session.close()


def test_requests_go_through_a_replaced_client():
    api = sdk_api()
    seen = []
    fake = fake_dashboard()

    def transport(request):
        seen.append(request.url.path)
        return fake.handle(request)

    old = api._session._client
    api._session._client = httpx.Client(transport=httpx.MockTransport(transport), headers=old.headers)
    old.close()
    assert [org["id"] for org in api.organizations.getOrganizations()] == ["1"]
    assert seen == ["/api/v1/organizations"], MOVED % "the use of _session._client for every request"
    assert fake.spec_violations == []


@pytest.mark.parametrize(
    ("fault", "expected_pauses"),
    [
        ({"status": 429, "headers": {"Retry-After": "7"}}, [7]),
        ({"status": 503}, [1]),
        ({"exception": httpx.ConnectError}, [1]),
    ],
    ids=["429 Retry-After", "5xx", "network error"],
)
def test_the_sdk_pauses_through_session_sleep_between_retries(fault, expected_pauses):
    fake = fake_dashboard()
    fake.fail_next("GET", "/organizations", **fault)
    api = sdk_api()
    pauses = []
    api._session._sleep = pauses.append
    with fake.mock(BASE_URL):
        organizations = api.organizations.getOrganizations()
    assert [org["id"] for org in organizations] == ["1"]
    assert pauses == expected_pauses, MOVED % "the retry pause DashboardAPI._session._sleep(seconds)"
    api._session.close()


def test_close_closes_the_client():
    api = sdk_api()
    client = api._session._client
    api._session.close()
    assert client.is_closed, MOVED % "DashboardAPI._session.close() closing _client"


def test_our_client_is_the_one_the_sdk_uses():
    """The same contract seen through dashboard.Dashboard: our transport, our pause, our close."""
    fake = fake_dashboard()
    fake.fail_next("GET", "/organizations", status=429, headers={"Retry-After": "2"})
    pauses = []
    dashboard = Dashboard(settings_from_mapping({"maximum_retries": 3}), KEY, sleep=pauses.append)
    with fake.mock(BASE_URL):
        assert [org.id for org in dashboard.organizations()] == ["1"]
    assert pauses == [2]
    assert len(fake.requests) == 2
    client = dashboard._api._session._client
    dashboard.close()
    assert client.is_closed
