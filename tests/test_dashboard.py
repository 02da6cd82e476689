"""dashboard/client.py at the HTTP boundary: the real meraki SDK, the fake Dashboard behind respx. No database."""

from pathlib import Path

import httpx
import pytest
from meraki_standin import FakeDashboard

from nautobot_meraki_users.dashboard.client import (
    CALLER,
    Dashboard,
    describe_api_error,
    normalize_retry_after,
    relative_link_header,
)
from nautobot_meraki_users.errors import DashboardError
from nautobot_meraki_users.settings import settings_from_mapping

KEY = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", "3"), ("1.2", "2"), ("0", "0"), ("-4", "0"), ("soon", None), ("Wed, 21 Oct 2015 07:28:03 GMT", "2")],
)
def test_retry_after_becomes_whole_seconds(header, expected):
    now = 1445412481.0  # 2 s before the HTTP date above
    assert normalize_retry_after(header, now=now) == expected


def test_link_header_under_the_base_url_becomes_relative():
    link = "<http://127.0.0.1:8081/api/v1/organizations/1/networks?startingAfter=N_3>; rel=next"
    assert (
        relative_link_header(link, "http://127.0.0.1:8081/api/v1")
        == "</organizations/1/networks?startingAfter=N_3>; rel=next"
    )
    other = "<https://n42.meraki.com/api/v1/x>; rel=next"
    assert relative_link_header(other, "http://127.0.0.1:8081/api/v1") == other


def make(base_url, **config):
    settings = settings_from_mapping({"base_url": base_url, "maximum_retries": 2, **config})
    waits = []
    return Dashboard(settings, KEY, sleep=waits.append), waits


@pytest.mark.parametrize("base_url", ["https://api.meraki.com/api/v1", "http://meraki-standin.test:8081/api/v1"])
def test_networks_follow_every_page_on_meraki_and_other_hosts(base_url, monkeypatch):
    monkeypatch.setattr("nautobot_meraki_users.dashboard.client.NETWORKS_PER_PAGE", 3)
    fake = FakeDashboard(api_key=KEY)
    fake.add_organization("1", "Org")
    for index in range(8):
        fake.add_network("1", f"N_{index}", f"Net {index}")
    dashboard, _ = make(base_url)
    with fake.mock(base_url):
        networks = dashboard.networks("1")
    assert [n["id"] for n in networks] == [f"N_{i}" for i in range(8)]
    assert len([r for r in fake.requests if r.path.endswith("/networks")]) == 3
    assert fake.spec_violations == []


def test_client_identifies_itself_and_writes_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    fake = FakeDashboard(api_key=KEY)
    fake.add_organization("1", "Org")
    dashboard, _ = make("https://api.meraki.com/api/v1")
    with fake.mock("https://api.meraki.com/api/v1"):
        orgs = dashboard.organizations()
    assert [(o.id, o.name) for o in orgs] == [("1", "Org")]
    assert len(fake.requests) == 1  # smart flow off: no extra discovery requests
    assert f"Caller/({CALLER})" in fake.requests[0].headers["user-agent"]
    assert list(Path(tmp_path).rglob("*")) == []  # no meraki log file, no ~/.meraki cache


def test_errors_are_clear_and_never_contain_the_key():
    fake = FakeDashboard(api_key="another-key")
    fake.add_organization("1", "Org")
    dashboard, _ = make("https://api.meraki.com/api/v1")
    with fake.mock("https://api.meraki.com/api/v1"), pytest.raises(DashboardError) as err:
        dashboard.admins("1")
    assert err.value.status == 401
    assert "Meraki rejected the API key" in err.value.message
    assert KEY not in repr(err.value) and KEY not in str(err.value.__cause__)


def test_429_retries_use_retry_after_then_give_up_clearly():
    fake = FakeDashboard(api_key=KEY)
    fake.add_organization("1", "Org")
    fake.fail_next("GET", "/organizations/1/admins", status=429, headers={"Retry-After": "7"}, times=2)
    dashboard, waits = make("https://api.meraki.com/api/v1")
    with fake.mock("https://api.meraki.com/api/v1"), pytest.raises(DashboardError) as err:
        dashboard.admins("1")
    assert waits == [7, 7]
    assert "429 Too Many Requests after 2 attempts" in err.value.message


def test_transport_error_messages_name_the_host():
    settings = settings_from_mapping({"base_url": "https://api.meraki.ca/api/v1", "maximum_retries": 1})
    assert "no answer from api.meraki.ca within 30 s" in describe_api_error(httpx.ReadTimeout("x"), settings).message
    assert "could not connect to api.meraki.ca" in describe_api_error(httpx.ConnectError("x"), settings).message


def test_real_refused_connection_on_loopback():
    settings = settings_from_mapping(
        {"base_url": "http://127.0.0.1:9/api/v1", "maximum_retries": 1, "request_timeout": 2}
    )
    dashboard = Dashboard(settings, KEY, sleep=lambda s: None)
    with pytest.raises(DashboardError, match=r"could not connect to 127\.0\.0\.1:9 .*after 1 attempts"):
        dashboard.organizations()


def test_saml_login_security_and_the_key_owner_are_read_and_written_as_the_spec_says():
    base_url = "https://api.meraki.com/api/v1"
    fake = FakeDashboard(api_key=KEY, owner_email="owner@example.com", owner_name="Owner")
    fake.add_organization("1", "Org")
    fake.add_network("1", "N_1", "HQ", tags=["west"])
    fake.set_saml("1", True)
    fake.add_saml_role("1", "NOC", "read-only")
    dashboard, _ = make(base_url)
    with fake.mock(base_url):
        assert dashboard.saml_enabled("1") is True
        assert [role["role"] for role in dashboard.saml_roles("1")] == ["NOC"]
        created = dashboard.create_saml_role(
            "1", {"role": "Branch", "orgAccess": "none", "tags": [{"tag": "west", "access": "full"}]}
        )
        assert (created["role"], created["tags"]) == ("Branch", [{"tag": "west", "access": "full"}])
        updated = dashboard.update_saml_role("1", created["id"], {"orgAccess": "read-only"})
        assert (updated["orgAccess"], updated["tags"]) == ("read-only", [{"tag": "west", "access": "full"}])
        dashboard.delete_saml_role("1", created["id"])
        assert [role["role"] for role in fake.saml_roles("1")] == ["NOC"]
        assert dashboard.login_security("1")["enforceTwoFactorAuth"] is False
        after = dashboard.update_login_security("1", {"enforceTwoFactorAuth": True, "idleTimeoutMinutes": 15})
        assert (after["enforceTwoFactorAuth"], after["idleTimeoutMinutes"]) == (True, 15)
        assert fake.login_security("1")["enforceTwoFactorAuth"] is True
        assert dashboard.identity()["email"] == "owner@example.com"
    assert [(r.method, r.path) for r in fake.writes] == [
        ("POST", "/organizations/1/samlRoles"),
        ("PUT", f"/organizations/1/samlRoles/{created['id']}"),
        ("DELETE", f"/organizations/1/samlRoles/{created['id']}"),
        ("PUT", "/organizations/1/loginSecurity"),
    ]
    assert fake.spec_violations == []


def tls_context(dashboard):
    return dashboard._transport._inner._pool._ssl_context


def test_tls_checks_certificates_with_one_context_per_process_unless_turned_off(tmp_path):
    import ssl

    from nautobot_meraki_users.dashboard.types import DashboardConnection

    settings = settings_from_mapping({"base_url": "https://api.meraki.com/api/v1"})
    first, second = Dashboard(settings, KEY), Dashboard(settings, KEY)
    context = tls_context(first)
    assert context is tls_context(second)  # built once: the CA bundle is not read again for every job
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    unchecked = DashboardConnection("lab", "https://lab.example/api/v1", 30, verify=False)
    assert tls_context(Dashboard(settings, KEY, connection=unchecked)).verify_mode == ssl.CERT_NONE
