"""The benchmark's own arithmetic: scenario names and the split of a job's time by its log entries.

Also the designs the policy scenarios are measured against (what they must find, the requests their bound counts),
and the SQL the drift check's findings storage takes (StoreFindingsQueriesTest, against the test database).
"""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import bench_jobs
import benchmark
import pytest
from nautobot.apps.testing import TestCase

START = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> float:
    return (START + timedelta(seconds=seconds)).timestamp()


def test_scenario_names_carry_their_organizations_and_parallel_jobs():
    assert benchmark.parse_scenario("offboard", 200) == benchmark.Scenario("offboard", "offboard", 1, 200)
    assert benchmark.parse_scenario("offboard-1000", 200) == benchmark.Scenario("offboard-1000", "offboard", 1, 1000)
    assert benchmark.parse_scenario("offboard x2", 20).parallel == 2
    with pytest.raises(SystemExit, match="--scenarios: 'purge' is not a scenario"):
        benchmark.parse_scenario("purge", 200)


def test_timeline_parts_add_up_to_the_job_time():
    job_result = SimpleNamespace(date_started=START, date_done=START + timedelta(seconds=10.4))
    entries = [
        (at(0.01), "initialization", "Running job"),
        (at(5.4), "700000", "removed"),
        (at(7.9), "700199", "removed"),
        (at(9.8), "finish", "Done"),
        (at(10.3), "post_run", "Job completed"),
    ]
    figures = bench_jobs.timeline(job_result, entries)
    assert figures["result_lines"] == 2
    assert figures["to_first_result"] == pytest.approx(5.4)
    assert figures["result_lines_span"] == pytest.approx(2.5)
    assert figures["after_results"] == pytest.approx(1.9)
    assert figures["finish"] == pytest.approx(0.6)


def test_two_dashboard_scenarios_are_offboard_only():
    assert benchmark.parse_scenario("offboard-2dash", 200) == benchmark.Scenario(
        "offboard-2dash", "offboard", 1, 200, 2
    )
    assert benchmark.parse_scenario("offboard-1000-2dash", 200).organizations == 1000
    assert benchmark.parse_scenario("offboard-1000", 200).dashboards == 1
    with pytest.raises(SystemExit, match="-2dash is measured for offboard"):
        benchmark.parse_scenario("create-2dash", 200)


def test_two_dashboard_jobs_read_their_keys_from_the_environment():
    env = bench_jobs.job_environment("http://127.0.0.1:1/api/v1", "k0", 40, [("Bench A", "k1"), ("Bench B", "k2")])
    assert env[bench_jobs.DASHBOARDS_VARIABLE] == "Bench A,Bench B"
    assert (env[bench_jobs.key_variable(1)], env[bench_jobs.key_variable(2)]) == ("k1", "k2")
    assert bench_jobs.job_environment("http://127.0.0.1:1/api/v1", "k0", 40)[bench_jobs.DASHBOARDS_VARIABLE] == ""


def test_the_engine_over_two_dashboards_works_each_organization_once():
    """The -2dash seed and engine path, against the stand-in in-process (no server, no rate limits)."""
    from nautobot_meraki_users.operations import engine
    from nautobot_meraki_users.operations.admins import OrganizationSelector
    from nautobot_meraki_users.settings import settings_from_mapping

    base_url = "https://bench.example/api/v1"
    fake = benchmark.fresh_fake(6, 1, two_dashboards=True)
    settings = settings_from_mapping({"base_url": base_url})
    with fake.mock(base_url), benchmark.open_clients(settings, base_url, None, 2) as dashboards:
        orgs = engine.load_organizations(dashboards, OrganizationSelector(all=True), ())
        results = engine.run_operation(
            dashboards, orgs, engine.Operation("delete", benchmark.LEAVERS[0]), False, 4
        ).organizations
    run = SimpleNamespace(
        entries=[(r.organization_id, str(r.outcome), r.dashboard, r.also_seen_by) for r in results],
        rejected_429=0,
        failures=0,
    )
    assert benchmark.check_two_dashboards(run, 6) == []
    assert ("700003", "removed", "Bench A", ("Bench B",)) in run.entries  # the shared one: the first of half two

    run.entries = run.entries[:3] + run.entries[2:] + [("700009", "removed", "Bench B", ())]
    run.rejected_429 = 2
    assert benchmark.check_two_dashboards(run, 6) == [
        "1 organization(s) worked on more than once, e.g. 700002",
        "1 unexpected organization(s) in the result, e.g. 700009",
        "2 429(s) reached it",
    ]


def test_login_security_scenario_names_and_job():
    assert benchmark.parse_scenario("login-security", 200) == benchmark.Scenario(
        "login-security", "login-security", 1, 200
    )
    assert benchmark.parse_scenario("login-security-1000", 200).organizations == 1000
    assert benchmark.parse_scenario("login-security x2", 200).parallel == 2
    assert bench_jobs.job_data("login-security", "", b"") == ("CheckLoginSecurity", {"meraki_org_id": "all"})
    assert "login-security" in bench_jobs.NEEDS_INVENTORY
    env = bench_jobs.job_environment("http://127.0.0.1:1/api/v1", "k0", 40)
    assert json.loads(env[bench_jobs.BASELINE_VARIABLE]) == bench_jobs.LOGIN_SECURITY_BASELINE


def test_the_login_security_check_finds_both_outcomes_as_seeded():
    """The seed and the engine path of login-security, against the stand-in in-process (no server, no limits)."""
    from nautobot_meraki_users.operations import engine, posture
    from nautobot_meraki_users.operations.admins import OrganizationSelector
    from nautobot_meraki_users.settings import settings_from_mapping

    base_url = "https://bench.example/api/v1"
    fake = benchmark.fresh_fake(6, 1)
    settings = settings_from_mapping(
        {"base_url": base_url, "login_security_baseline": bench_jobs.LOGIN_SECURITY_BASELINE}
    )
    with fake.mock(base_url), benchmark.open_clients(settings, base_url, None, 1) as dashboard:
        orgs = engine.load_organizations(dashboard, OrganizationSelector(all=True), ())
        results = posture.check_organizations(dashboard, orgs, settings.login_security_rules, 4)
    run = SimpleNamespace(
        entries=[(r.organization_id, r.outcome, r.dashboard, ()) for r in results], rejected_429=0, failures=0
    )
    assert benchmark.check_login_security(run, 6) == []
    assert [r.outcome for r in results] == ["compliant", "non-compliant", "non-compliant"] * 2
    assert [d["field"] for d in results[1].deviations] == ["idleTimeoutMinutes"]
    assert "2 `compliant` and 4 `non-compliant`" in benchmark.check_summary("login-security", "login-security", 6, 1)

    run.entries = [*run.entries[1:], ("700001", "compliant", "", ())]
    run.failures, run.statuses = 1, ["FAILURE"]
    assert benchmark.check_login_security(run, 6) == [
        "1 organization(s) missing from the result, e.g. 700000",
        "1 organization(s) checked more than once, e.g. 700001",
        "1 organization(s) failed",
        "the job ended FAILURE",
    ]


def test_the_sync_reads_what_the_seed_holds_and_its_check_counts_it():
    """The sync's reads (five per organization) against the stand-in in-process; its result check's arithmetic."""
    from nautobot_meraki_users.inventory import sync as inventory
    from nautobot_meraki_users.operations import engine
    from nautobot_meraki_users.operations.admins import OrganizationSelector
    from nautobot_meraki_users.settings import settings_from_mapping

    base_url = "https://bench.example/api/v1"
    fake = benchmark.fresh_fake(8, 2)
    with (
        fake.mock(base_url),
        benchmark.open_clients(settings_from_mapping({"base_url": base_url}), base_url, None, 1) as d,
    ):
        snapshot = inventory.read_snapshot(d, engine.load_organizations(d, OrganizationSelector(all=True), ()), 4)
    want = benchmark.expected_sync(8, 2)
    assert want == {
        "organizations": 8, "networks": 8, "administrators": 32, "saml_roles": 4, "saml_enabled": 2,
        "login_security_read": 8, "two_factor_enforced": 6,
    }  # fmt: skip
    assert not snapshot.failed
    assert sum(len(a.saml_roles) for a in snapshot.access.values()) == want["saml_roles"]
    assert sum(a.saml_enabled for a in snapshot.access.values()) == want["saml_enabled"]
    two_factor = sum(a.login_security["enforceTwoFactorAuth"] for a in snapshot.access.values())
    assert two_factor == want["two_factor_enforced"]

    created = {f"{kind}_created": want[kind] for kind in ("organizations", "networks", "administrators", "saml_roles")}
    run = SimpleNamespace(outcomes={"rows changed": 52, **created}, stored=dict(want), rejected_429=0, failures=0)
    assert benchmark.check_sync(run, 8, 2) == []
    run.outcomes["saml_roles_created"], run.stored["saml_enabled"], run.rejected_429 = 0, 0, 3
    assert benchmark.check_sync(run, 8, 2) == [
        "0 saml_roles created, not 4",
        "the inventory holds 0 saml enabled, not 2",
        "3 429(s) reached it",
    ]


def test_policy_scenario_names_jobs_and_seeding():
    assert benchmark.parse_scenario("policy-check", 200) == benchmark.Scenario("policy-check", "policy-check", 1, 200)
    assert benchmark.parse_scenario("policy-enforce-1000", 200).organizations == 1000
    assert bench_jobs.job_data("policy-check", "", b"") == ("CheckAccessDrift", {"meraki_org_id": "all"})
    assert bench_jobs.job_data("policy-enforce", "", b"") == (
        "EnforceAccessPolicy", {"meraki_org_id": "all", "dryrun": False}
    )  # fmt: skip
    assert {"policy-check", "policy-enforce"} <= bench_jobs.NEEDS_INVENTORY  # the grants name inventory organizations
    grants = bench_jobs.policy_grants(200, 1000)
    assert len(grants) == 1000 and len({(org_id, email) for org_id, email, *_ in grants}) == 1000
    assert len(bench_jobs.policy_grants(3, 1000)) == 3 * bench_jobs.POLICY_KINDS  # at most five per organization


def test_the_policy_bound_counts_one_admins_list_per_organization_and_networks_only_where_named():
    want = benchmark.expected_policy(200, 20, 1000)
    # 20 organizations with a grant naming the network Main, 20 the tag bench, 20 the absent network Lab.
    assert want["network_organizations"] == 60
    assert want["check_requests"] == 1 + 200 + 60
    assert want["findings"] == {"missing": 200, "different": 240, "unmanaged": 3200, "expired": 200, "unresolved": 20}
    assert want["changes"] == {"created": 200, "updated": 240, "removed": 200, "unchanged": 340, "skipped": 3220}
    assert want["enforce_requests"] == 261 + 1 + 640  # the check's reads, the key's owner, one write per change
    args = SimpleNamespace(latency=0.2, burst=0)
    check = benchmark.policy_bound_figures("policy-check", 200, 20, 1000)
    assert benchmark.lower_bound(args, check, benchmark.CHAINS["policy-check"]) == pytest.approx(2.61)
    enforce = benchmark.policy_bound_figures("policy-enforce", 200, 20, 1000)
    assert benchmark.lower_bound(args, enforce, benchmark.CHAINS["policy-enforce"]) == pytest.approx(9.02)
    # Expired grants need no networks: with kinds 0 to 3 only (800 grants) no network is read.
    assert benchmark.expected_policy(200, 20, 800)["check_requests"] == 201


def test_the_policy_engine_path_finds_and_changes_what_the_design_says():
    """The engine path of policy-check and policy-enforce against the stand-in in-process (no server, no limits)."""
    from nautobot_meraki_users.operations import drift, engine
    from nautobot_meraki_users.operations.admins import OrganizationSelector
    from nautobot_meraki_users.settings import settings_from_mapping

    base_url = "https://bench.example/api/v1"
    organizations, admins, grants = 20, 6, 100
    want = benchmark.expected_policy(organizations, admins, grants)
    policy = bench_jobs.policy_values(organizations, grants, benchmark.LEAVERS, datetime(2026, 6, 1).date())
    settings = settings_from_mapping({"base_url": base_url})
    for base in ("policy-check", "policy-enforce"):
        fake = benchmark.fresh_fake(organizations, admins)
        with fake.mock(base_url), benchmark.open_clients(settings, base_url, None, 1, wrapped=True) as dashboard:
            orgs = engine.load_organizations(dashboard, OrganizationSelector(all=True), ())
            drifts = drift.read_drift(dashboard, orgs, policy, 4)
            if base == "policy-enforce":
                changes, *_ = drift.enforce(dashboard, drifts, policy, False, False, 4)
                outcomes = drift.change_counts(changes)
            else:
                outcomes = drift.counts(drifts)
        entries = [(d.org.id, "failed" if d.error else "checked", "", ()) for d in drifts]
        run = SimpleNamespace(
            entries=entries, outcomes=outcomes, requests=len(fake.requests), rejected_429=0, failures=0
        )
        assert benchmark.check_policy(run, base, organizations, admins, grants) == [], base
    assert len([r for r in fake.requests if r.path.endswith("/networks")]) == want["network_organizations"]

    run.outcomes["created"], run.requests = 0, 5
    assert benchmark.check_policy(run, "policy-enforce", organizations, admins, grants)[:2] == [
        f"0 created, not {want['changes']['created']}",
        f"5 requests, not {want['enforce_requests']}",
    ]


def _store_queries(organizations: int, per_organization: int) -> tuple[int, int, int]:
    """(findings stored, queries storing them into an empty table, queries storing them again over themselves)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from nautobot_meraki_users.dashboard.types import Organization
    from nautobot_meraki_users.inventory import policy_store
    from nautobot_meraki_users.models import AccessFinding, MerakiOrganization
    from nautobot_meraki_users.operations.drift import OrganizationDrift
    from nautobot_meraki_users.operations.policy import Finding

    MerakiOrganization.objects.bulk_create(
        [MerakiOrganization(organization_id=str(800000 + n), name=f"Org {n}") for n in range(organizations)],
        ignore_conflicts=True,
    )
    drifts = []
    for n in range(organizations):
        findings = [
            Finding(f"user{k}@org{n}.example", "unmanaged", "no access", "org access read-only")
            for k in range(per_organization)
        ]
        drifts.append(OrganizationDrift(Organization(str(800000 + n), f"Org {n}"), findings))
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            stored, unknown = policy_store.store_findings(drifts, timezone.now())
        assert unknown == [] and stored == organizations * per_organization
        counts.append(len(queries))
    assert AccessFinding.objects.count() == stored
    AccessFinding.objects.all().delete()
    return stored, counts[0], counts[1]


class StoreFindingsQueriesTest(TestCase):
    """What the drift check's findings storage costs in SQL, at 5 findings and at the policy-check bench's 4,000.

    bulk_create writes up to 1,000 rows per INSERT, so 4,000 findings may take three more INSERTs than 5 do; nothing
    else may grow (no query per finding, per organization or per stale row).
    """

    def setUp(self):
        super().setUp()
        self.small = _store_queries(1, 5)
        self.large = _store_queries(200, 20)  # 200 organizations, 20 findings each
        self.batches = -(-self.large[0] // 1000) - 1  # the extra INSERT batches of the large case

    def test_storing_findings_into_an_empty_table_takes_a_bounded_number_of_queries(self):
        assert self.small[1] <= 8, self.small
        assert self.large[1] <= self.small[1] + self.batches, (self.small, self.large)

    def test_replacing_stored_findings_takes_a_bounded_number_of_queries(self):
        assert self.small[2] <= 8, self.small
        assert self.large[2] <= self.small[2] + self.batches, (self.small, self.large)
