"""Benchmark: the app's jobs against a stand-in Dashboard over real loopback HTTP at Meraki's speed limits.

Run with `invoke bench` (or `python development/benchmark.py --help`). Each scenario runs in fresh child
processes (so their peak memory can be read) against a freshly seeded stand-in that adds a round-trip latency
and answers 429 + Retry-After above 10 requests/s per organization or 100/s per IP. Every scenario is measured
three ways in the same run: the real job as a user runs it, through Nautobot's job machinery with its JobResult,
log entries and inventory upkeep (development/bench_jobs.py); the engine alone (the same functions the job calls,
no log, no inventory); and the engine one request at a time (the naive baseline). The lower bound is what
Meraki's limits allow at best:

    max(requests / per-IP rate,
        (busiest organization's requests - burst) / per-organization rate,
        longest chain of dependent round trips * latency)

It prints a table and writes docs/performance.md. It measures; it never fails on speed.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "development"))

BENCH_KEY = "be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c"
SECOND_KEY = "5ec04d5ec04d5ec04d5ec04d5ec04d5ec04d5ec0"  # the stand-in's account "second" (the -2dash scenarios)
LEAVERS = ("leaver.one@bench.example", "leaver.two@bench.example")
# The -2dash scenarios' connections, in the `dashboards` setting's order: (ExternalIntegration name, the stand-in's
# account, its key). The first half of the organizations is the first account's, the second half the second's, and
# one organization (shared_organization) is seen by both: it is worked on once, through the first.
TWO_DASHBOARDS = (("Bench A", "default", BENCH_KEY), ("Bench B", "second", SECOND_KEY))
# Every fourth organization (0, 4, ...) has SAML on and these SAML roles: (name, organization access, full access to
# the organization's network or not).
SAML_ROLES = (("NOC read-only", "read-only", False), ("Site engineers", "none", True))
# Organization number n gets login security LOGIN_SECURITY_SEEDS[n % 3]: (the fields set, the outcome Check Meraki
# Login Security must find against bench_jobs.LOGIN_SECURITY_BASELINE, which wants two-factor authentication and an
# idle timeout of at most 30 minutes enforced).
LOGIN_SECURITY_SEEDS = (
    (
        {"enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": 15,
         "enforceAccountLockout": True, "accountLockoutAttempts": 5},
        "compliant",
    ),
    ({"enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": 60}, "non-compliant"),
    ({}, "non-compliant"),  # a new organization's: every switch off
)  # fmt: skip


@dataclass
class Run:
    """One measured run of one scenario."""

    seconds: float
    requests: int
    rejected_429: int
    peak_ip_rate: int
    peak_org_rate: int
    busiest_org_requests: int
    peak_memory_mb: float
    outcomes: dict
    failures: int
    entries: list = field(default_factory=list)  # per organization: (ID, outcome, connection, also seen by)
    stored: dict = field(default_factory=dict)  # the sync: what the inventory holds afterwards


def fresh_fake(organizations: int, admins: int, two_dashboards: bool = False):
    """A new stand-in Dashboard seeded for the benchmark (`two_dashboards`: its organizations over two accounts)."""
    from meraki_standin import FakeDashboard

    fake = FakeDashboard(api_key=BENCH_KEY, strict=False)
    if two_dashboards:
        _, account, key = TWO_DASHBOARDS[1]
        fake.add_account(account, key)
    seed(fake, organizations, admins, two_dashboards)
    return fake


def shared_organization(organizations: int) -> str:
    """The organization both accounts see in the -2dash scenarios: the first of the second half."""
    return str(700000 + organizations // 2)


def organization_accounts(index: int, organizations: int, two_dashboards: bool) -> tuple[str, ...]:
    """The stand-in accounts that see organization number `index`."""
    first, second = (account for _, account, _ in TWO_DASHBOARDS)
    if not two_dashboards:
        return (first,)
    if str(700000 + index) == shared_organization(organizations):
        return (first, second)
    return (first,) if index < organizations // 2 else (second,)


def saml_on(index: int) -> bool:
    """Whether organization number `index` has SAML on (and the SAML_ROLES)."""
    return index % 4 == 0


def login_security_seed(index: int) -> tuple[dict, str]:
    """Organization number `index`'s login security fields and the outcome the check must find for it."""
    return LOGIN_SECURITY_SEEDS[index % len(LOGIN_SECURITY_SEEDS)]


def seed(fake, organizations: int, admins: int, two_dashboards: bool = False) -> None:
    """`organizations` orgs, each with one network and `admins` admins, plus the two leavers everywhere; SAML on
    with two roles in every fourth one; login security in three kinds (one meets the baseline, two do not).
    """
    for index in range(organizations):
        org_id = str(700000 + index)
        fake.add_organization(
            org_id, f"Bench Org {index}", accounts=organization_accounts(index, organizations, two_dashboards)
        )
        fake.add_network(org_id, f"N_{org_id}", "Main", tags=["bench"])
        for number in range(admins):
            fake.add_admin(org_id, f"user{number}@org{index}.bench.example", f"User {number}")
        for email in LEAVERS:
            fake.add_admin(org_id, email, "Leaver")
        if saml_on(index):
            fake.set_saml(org_id, True)
            for role, org_access, on_network in SAML_ROLES:
                networks = [{"id": f"N_{org_id}", "access": "full"}] if on_network else None
                fake.add_saml_role(org_id, role, org_access, networks=networks)
        fields, _ = login_security_seed(index)
        if fields:
            fake.set_login_security(org_id, **fields)


def import_csv(organizations: int, rows: int) -> bytes:
    """`rows` create rows spread evenly over the organizations (5 per organization at 200 orgs / 1,000 rows)."""
    lines = ["action,user_email,user_name,meraki_org_id,meraki_access_level"]
    for number in range(rows):
        org_id = 700000 + number % organizations
        lines.append(f"create,new{number}@bench.example,New {number},{org_id},read-only")
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------------------------------------------------------------
# The child process: runs one scenario through the app's own code (the same functions the jobs call).
# ---------------------------------------------------------------------------------------------------------------------


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_clients(settings, base_url: str, limiter, dashboards: int, wrapped: bool = False):
    """The client the engine works through: one `Dashboard` on the bench key, or (two connections) a `Dashboards`.

    The two connections are built as the jobs' `open_dashboards` builds them from the ExternalIntegrations: one
    `Dashboard` per `DashboardConnection` (labelled), all spending from the same rate budget. `wrapped`: one
    connection as a `Dashboards` too (the access policy's enforcement asks it for the key's owner).
    """
    from nautobot_meraki_users.dashboard.client import Dashboard
    from nautobot_meraki_users.dashboard.connections import Dashboards

    if dashboards == 1:
        client = Dashboard(settings, BENCH_KEY, limiter=limiter)
        return Dashboards([client]) if wrapped else client
    from nautobot_meraki_users.dashboard.types import DashboardConnection

    return Dashboards(
        [
            Dashboard(
                settings,
                key,
                limiter=limiter,
                connection=DashboardConnection(name, base_url, settings.request_timeout, labelled=True),
            )
            for name, _, key in TWO_DASHBOARDS[:dashboards]
        ]
    )


def child(
    scenario: str,
    base_url: str,
    concurrency: int,
    prefix: str,
    organizations: int,
    rows: int,
    queue,
    go,
    dashboards: int = 1,
    grants: int = 1000,
) -> None:
    """Run `scenario` once when `go` is set; put (start, end, outcomes, failures, peak MB above idle, entries,
    stored) on `queue` (entries: per organization, its ID, outcome, connection and the other connections that see
    it; stored: the sync's inventory afterwards, bench_jobs.stored_inventory; for policy-check, what storing its
    findings took, `store_findings_cost`). `grants`: the access policy's size (policy-check, policy-enforce).
    """
    os.environ.setdefault("NAUTOBOT_CONFIG", str(ROOT / "development" / "nautobot_config.py"))
    import nautobot

    nautobot.setup()
    import bench_jobs
    import redis

    from nautobot_meraki_users.dashboard.ratelimit import RateLimiter, budgets
    from nautobot_meraki_users.operations import csv_import
    from nautobot_meraki_users.operations import engine as service
    from nautobot_meraki_users.operations.admins import AccessRequest, AdminRequest, OrganizationSelector
    from nautobot_meraki_users.settings import settings_from_mapping

    settings = settings_from_mapping(
        {
            "base_url": base_url,
            "concurrency": concurrency,
            "maximum_retries": 10,
            "login_security_baseline": bench_jobs.LOGIN_SECURITY_BASELINE,
        }
    )
    per_organization, per_ip = budgets(
        settings.rate_limit_per_organization, settings.rate_limit_per_ip, settings.rate_limit_burst
    )
    limiter = RateLimiter(
        redis.Redis(host=os.environ.get("NAUTOBOT_REDIS_HOST", "127.0.0.1")), per_organization, per_ip, prefix=prefix
    )
    if scenario.startswith("sync"):
        bench_jobs.empty_inventory()  # the sync starts from an empty inventory, as the job does (not timed)
    gc.freeze()  # keep collector pauses of the loaded Nautobot out of the measurement, as in a long-lived worker
    baseline = _rss_mb("VmRSS")
    queue.put("ready")
    go.wait()
    started = time.time()
    every = OrganizationSelector(all=True)
    extra_outcomes: dict[str, int] = {}
    stored: dict[str, int] = {}
    drifts = []
    with open_clients(settings, base_url, limiter, dashboards, wrapped=scenario.startswith("policy")) as dashboard:
        if scenario.startswith("offboard"):
            email = LEAVERS[1] if scenario.endswith("-2") else LEAVERS[0]
            orgs = service.load_organizations(dashboard, every, ())
            results = service.run_operation(
                dashboard, orgs, service.Operation("delete", email), False, concurrency
            ).organizations
        elif scenario == "create":
            request = AdminRequest("hire@bench.example", "New Hire", AccessRequest(org_access="read-only"))
            orgs = service.load_organizations(dashboard, every, ())
            results = service.run_operation(
                dashboard, orgs, service.Operation("create", request.email, request), False, concurrency
            ).organizations
        elif scenario == "list":
            orgs = service.load_organizations(dashboard, every, ())
            rows_found, results = service.list_admins(dashboard, orgs, None, concurrency)
            assert len(rows_found) >= len(orgs)
        elif scenario == "sync":
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            from nautobot_meraki_users.inventory import sync as inventory

            orgs = service.load_organizations(dashboard, every, ())
            snapshot = inventory.read_snapshot(dashboard, orgs, concurrency)
            written = time.time()
            with CaptureQueriesContext(connection) as queries:
                report = inventory.sync_inventory(snapshot, dryrun=False)
            print(
                f"sync: {sum(report.counts.values())} rows changed by {len(queries)} queries in "
                f"{time.time() - written:.2f} s (read {written - started:.2f} s)",
                file=sys.stderr,
            )
            results = [
                service.OrganizationResult(org.id, org.name, "failed" if org.id in snapshot.failed else "synced")
                for org in orgs
            ]
            extra_outcomes = dict(report.counts)
        elif scenario.startswith("login-security"):
            from nautobot_meraki_users.operations import posture

            orgs = service.load_organizations(dashboard, every, ())
            results = posture.check_organizations(dashboard, orgs, settings.login_security_rules, concurrency)
        elif scenario.startswith("policy"):
            from django.utils import timezone

            from nautobot_meraki_users.operations import drift

            policy = bench_jobs.policy_values(organizations, grants, LEAVERS, timezone.localdate())
            orgs = service.load_organizations(dashboard, every, ())
            drifts = drift.read_drift(dashboard, orgs, policy, concurrency)
            if scenario == "policy-enforce":
                changes, *_ = drift.enforce(dashboard, drifts, policy, False, False, concurrency)
                extra_outcomes = drift.change_counts(changes)
            else:
                extra_outcomes = drift.counts(drifts)
            results = [
                service.OrganizationResult(d.org.id, d.org.name, "failed" if d.error else "checked") for d in drifts
            ]
        elif scenario == "import":
            checked = csv_import.check_rows(csv_import.read_rows(import_csv(organizations, rows)), settings)
            targets = csv_import.targets_for(checked, dashboard.organizations(), settings)
            results = service.execute_targets(dashboard, targets, False, concurrency)
        else:
            raise SystemExit(f"unknown scenario {scenario}")
    ended = time.time()
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    peak = _rss_mb("VmHWM") - baseline
    entries = [(r.organization_id, str(r.outcome), r.dashboard, tuple(getattr(r, "also_seen_by", ()))) for r in results]
    if scenario == "sync":
        stored = bench_jobs.stored_inventory()
    if scenario == "policy-check":
        stored = store_findings_cost(drifts)
        print(
            f"policy-check: store_findings: {stored['findings']} findings stored by {stored['queries']} queries in "
            f"{stored['seconds']:.2f} s; again over them (replacing {stored['findings']}): {stored['queries_again']} "
            f"queries in {stored['seconds_again']:.2f} s",
            file=sys.stderr,
        )
    failures = outcomes.get("failed", 0)
    queue.put((started, ended, {**outcomes, **extra_outcomes}, failures, peak, entries, stored))


def store_findings_cost(drifts) -> dict:
    """What storing a check's findings takes (`inventory.policy_store.store_findings`): the SQL queries and seconds
    into an empty table, then again over the same findings (every one replaced). The inventory must know the
    organizations (a sync has run). Not part of the engine's time.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from nautobot_meraki_users.inventory import policy_store
    from nautobot_meraki_users.models import AccessFinding

    AccessFinding.objects.all()._raw_delete(AccessFinding.objects.db)
    figures = {}
    for suffix in ("", "_again"):
        started = time.time()
        with CaptureQueriesContext(connection) as queries:
            stored, _ = policy_store.store_findings(drifts, timezone.now())
        figures.update({f"queries{suffix}": len(queries), f"seconds{suffix}": time.time() - started})
    return {"findings": stored, **figures}


# ---------------------------------------------------------------------------------------------------------------------
# The parent: serves the stand-in, starts the children, reads the traffic figures.
# ---------------------------------------------------------------------------------------------------------------------


def measure(
    args, scenario: str, concurrency: int, parallel: int = 1, organizations: int | None = None, dashboards: int = 1
) -> Run:
    """Seed a fresh stand-in, run `parallel` copies of the engine at once (as on several workers), measure.

    `dashboards` 2: the organizations split over two accounts, the engine working through two connections.
    """
    from meraki_standin.limits import MerakiRateLimits
    from meraki_standin.server import StandinServer

    organizations = organizations or args.organizations
    fake = fresh_fake(organizations, args.admins, two_dashboards=dashboards == 2)
    limits = MerakiRateLimits(per_organization=10, per_ip=100, burst=args.burst)
    gc.freeze()  # the stand-in's seeded data: no long collector pause skews the arrival times it measures
    prefix = f"nautobot_meraki_users:bench:{uuid.uuid4()}"  # one shared budget for this run's workers
    context = multiprocessing.get_context("spawn")
    with StandinServer(fake, "127.0.0.1", 0, log=open(os.devnull, "w"), latency=args.latency, limits=limits) as server:
        queue = context.Queue()
        go = context.Event()
        names = [scenario] if parallel == 1 else [f"{scenario}-{n + 1}" for n in range(parallel)]
        processes = [
            context.Process(
                target=child,
                args=(
                    name,
                    server.base_url,
                    concurrency,
                    prefix,
                    organizations,
                    args.rows,
                    queue,
                    go,
                    dashboards,
                    args.grants,
                ),
            )
            for name in names
        ]
        for process in processes:
            process.start()
        for _ in processes:
            assert queue.get(timeout=300) == "ready"
        go.set()  # every worker has loaded Nautobot: start them together
        reports = [queue.get(timeout=3600) for _ in processes]
        for process in processes:
            process.join()
        figures = limits.figures()
    outcomes: dict[str, int] = {}
    for report in reports:
        for key, value in report[2].items():
            outcomes[key] = outcomes.get(key, 0) + value
    return Run(
        seconds=max(r[1] for r in reports) - min(r[0] for r in reports),
        requests=figures.requests,
        rejected_429=figures.rejected_429,
        peak_ip_rate=figures.peak_ip_rate,
        peak_org_rate=figures.peak_organization_rate,
        busiest_org_requests=figures.busiest_organization_requests,
        peak_memory_mb=max(r[4] for r in reports),
        outcomes=outcomes,
        failures=sum(r[3] for r in reports),
        entries=[entry for r in reports for entry in r[5]],
        stored=reports[0][6] if parallel == 1 else {},
    )


# The longest chain of dependent round trips: the organization list, then what depends on it (offboard and create:
# the admins, then the write; the sync: its five reads per organization, none waiting for another; the login
# security check: one read per organization; the drift check: the admins and, where needed, the networks, neither
# waiting for the other; enforcing the policy: the admins, then the write). The import: 2 + its rows per
# organization (set in main).
CHAINS = {
    "offboard": 3, "create": 3, "list": 2, "import": None, "sync": 2, "login-security": 2, "policy-check": 2,
    "policy-enforce": 3,
}  # fmt: skip
DEFAULT_SCENARIOS = (
    "offboard,create,list,import,sync,login-security,policy-check,policy-enforce,offboard x2,offboard-1000,"
    "offboard-2dash"
)


@dataclass
class Scenario:
    """A scenario as named on the command line: `offboard`, `offboard x2` (two jobs at once), `offboard-1000`,
    `offboard-2dash` (the organizations split over two Dashboard connections), `login-security`.
    """

    name: str
    base: str
    parallel: int
    organizations: int
    dashboards: int = 1


def parse_scenario(name: str, default_organizations: int) -> Scenario:
    """`<base>[-<organizations>][-2dash][ x<parallel>]`, e.g. `offboard-1000`: offboarding at 1,000 organizations."""
    match = re.fullmatch(r"([a-z]+(?:-[a-z]+)*)(?:-(\d+))?(-2dash)?(?: x(\d+))?", name)
    if not match or match.group(1) not in CHAINS:
        raise SystemExit(
            f"--scenarios: {name!r} is not a scenario. Use {', '.join(CHAINS)}, optionally with -<organizations>, "
            "-2dash (offboard only) and/or ' x<jobs at once>', e.g. 'offboard-1000', 'offboard-2dash' or "
            "'offboard x2'."
        )
    base, parallel, dashboards = match.group(1), int(match.group(4) or 1), 2 if match.group(3) else 1
    if dashboards == 2 and (base != "offboard" or parallel != 1):
        raise SystemExit(f"--scenarios: {name!r}: -2dash is measured for offboard, one job at a time, only.")
    return Scenario(name, base, parallel, int(match.group(2) or default_organizations), dashboards)


def check_two_dashboards(run, organizations: int, outcome: str = "removed") -> list[str]:
    """What is wrong with the result of a -2dash run (nothing: an empty list).

    Every organization worked on exactly once, with `outcome`, through its own connection; the shared one through
    the first, naming the second in `also_seen_by`; no 429 reached the run, no failure.
    """
    (first, _, _), (second, _, _) = TWO_DASHBOARDS
    shared = shared_organization(organizations)
    problems = []
    seen: dict[str, int] = {}
    for org_id, *_ in run.entries:
        seen[org_id] = seen.get(org_id, 0) + 1
    expected = [str(700000 + index) for index in range(organizations)]
    missing = [org_id for org_id in expected if org_id not in seen]
    if missing:
        problems.append(f"{len(missing)} organization(s) missing from the result, e.g. {missing[0]}")
    twice = sorted(org_id for org_id, count in seen.items() if count > 1)
    if twice:
        problems.append(f"{len(twice)} organization(s) worked on more than once, e.g. {twice[0]}")
    strangers = sorted(set(seen) - set(expected))
    if strangers:
        problems.append(f"{len(strangers)} unexpected organization(s) in the result, e.g. {strangers[0]}")
    for index, org_id in enumerate(expected):
        entries = [entry for entry in run.entries if entry[0] == org_id]
        if not entries:
            continue
        _, got, dashboard, also_seen_by = entries[0]
        want = (first, (second,)) if org_id == shared else (first if index < organizations // 2 else second, ())
        if got != outcome:
            problems.append(f"{org_id}: {got}, not {outcome}")
        if (dashboard, tuple(also_seen_by)) != want:
            problems.append(
                f"{org_id}: through {dashboard or '?'} also seen by {list(also_seen_by)}, "
                f"not through {want[0]} also seen by {list(want[1])}"
            )
    return problems + _run_problems(run)


def _run_problems(run) -> list[str]:
    """What is wrong with any run beyond its result: 429s that reached it, failed organizations, jobs not SUCCESS."""
    problems = []
    if run.rejected_429:
        problems.append(f"{run.rejected_429} 429(s) reached it")
    if run.failures:
        problems.append(f"{run.failures} organization(s) failed")
    bad_statuses = [status for status in getattr(run, "statuses", []) if status != "SUCCESS"]
    if bad_statuses:
        problems.append(f"the job ended {', '.join(bad_statuses)}")
    return problems


def expected_sync(organizations: int, admins: int) -> dict[str, int]:
    """What a sync into an empty inventory must store from the bench's seed (bench_jobs.stored_inventory's keys)."""
    saml = sum(saml_on(index) for index in range(organizations))
    two_factor = sum(bool(login_security_seed(index)[0].get("enforceTwoFactorAuth")) for index in range(organizations))
    return {
        "organizations": organizations,
        "networks": organizations,
        "administrators": organizations * (admins + len(LEAVERS)),
        "saml_roles": saml * len(SAML_ROLES),
        "saml_enabled": saml,
        "login_security_read": organizations,
        "two_factor_enforced": two_factor,
    }


def check_sync(run, organizations: int, admins: int) -> list[str]:
    """What is wrong with the result of a sync into an empty inventory (nothing: an empty list).

    Every row of the seed created (organizations, networks, admins, SAML roles) and nothing else changed; the
    inventory afterwards holds them, each organization's SAML switch and login security as seeded; no 429 reached
    the run, no failure.
    """
    want = expected_sync(organizations, admins)
    problems = []
    for kind in ("organizations", "networks", "administrators", "saml_roles"):
        created = run.outcomes.get(f"{kind}_created", 0)
        if created != want[kind]:
            problems.append(f"{created} {kind} created, not {want[kind]}")
    others = {key: value for key, value in run.outcomes.items() if key.endswith(("_updated", "_deleted", "_kept"))}
    if any(others.values()):
        problems.append(f"changes other than creates: {others}")
    for key, value in want.items():
        if run.stored.get(key) != value:
            problems.append(f"the inventory holds {run.stored.get(key)} {key.replace('_', ' ')}, not {value}")
    return problems + _run_problems(run)


def check_login_security(run, organizations: int) -> list[str]:
    """What is wrong with the result of a login security check (nothing: an empty list).

    Every organization checked exactly once, with the outcome its seed calls for (`login_security_seed`), none
    failed; no 429 reached the run.
    """
    want = {str(700000 + index): login_security_seed(index)[1] for index in range(organizations)}
    problems = []
    seen: dict[str, list[str]] = {}
    for org_id, outcome, *_ in run.entries:
        seen.setdefault(org_id, []).append(outcome)
    missing = [org_id for org_id in want if org_id not in seen]
    if missing:
        problems.append(f"{len(missing)} organization(s) missing from the result, e.g. {missing[0]}")
    twice = sorted(org_id for org_id, outcomes in seen.items() if len(outcomes) > 1)
    if twice:
        problems.append(f"{len(twice)} organization(s) checked more than once, e.g. {twice[0]}")
    strangers = sorted(set(seen) - set(want))
    if strangers:
        problems.append(f"{len(strangers)} unexpected organization(s) in the result, e.g. {strangers[0]}")
    wrong = [(org_id, seen[org_id][0]) for org_id in want if org_id in seen and seen[org_id][0] != want[org_id]]
    if wrong:
        org_id, got = wrong[0]
        problems.append(f"{len(wrong)} organization(s) with another outcome than seeded, e.g. {org_id}: {got}, "
                        f"not {want[org_id]}")  # fmt: skip
    return problems + _run_problems(run)


FINDING_KINDS = ("missing", "different", "unmanaged", "expired", "unresolved")
CHANGE_ACTIONS = ("created", "updated", "removed", "unchanged", "skipped")


def expected_policy(organizations: int, admins: int, grants: int) -> dict:
    """What the policy scenarios must find and do against the bench's seed, and the requests that takes.

    Returns `findings` (by kind, the check), `changes` (by action, the enforcement, remove_unmanaged off),
    `network_organizations` (where a live grant names a network or a tag: the check reads their networks),
    `check_requests` (the organization list, one admins list per organization, those networks),
    `enforce_requests` (those, the key owner once, one write per change) and the busiest organization's requests
    of each (`check_busiest`, `enforce_busiest`). Every bench admin is read-only; the leavers are exempt.
    """
    import bench_jobs

    findings = dict.fromkeys(FINDING_KINDS, 0)
    changes = dict.fromkeys(CHANGE_ACTIONS, 0)
    granted: dict[str, set[str]] = {}
    networks_read: set[str] = set()
    writes: dict[str, int] = {}
    action = {"missing": "created", "different": "updated", "expired": "removed", "unresolved": "skipped"}
    for org_id, email, profile, expired in bench_jobs.policy_grants(organizations, grants):
        granted.setdefault(org_id, set()).add(email)
        local = email.split("@")[0]
        present = local.startswith("user") and int(local.removeprefix("user")) < admins
        _, networks, tags = bench_jobs.POLICY_PROFILES[profile]
        if expired:
            kind = "expired" if present else ""
        else:
            if networks or tags:
                networks_read.add(org_id)
            if profile == "Bench lab network":
                kind = "unresolved"
            elif not present:
                kind = "missing"
            else:
                kind = "" if profile == "Bench read-only" else "different"
            if not kind:
                changes["unchanged"] += 1
        if kind:
            findings[kind] += 1
            changes[action[kind]] += 1
            writes[org_id] = writes.get(org_id, 0) + (kind != "unresolved")
    for index in range(organizations):
        org_id = str(700000 + index)
        users = {f"user{number}@org{index}.bench.example" for number in range(admins)}
        unmanaged = len(users - granted.get(org_id, set()))
        findings["unmanaged"] += unmanaged
        changes["skipped"] += unmanaged
    check = 1 + organizations + len(networks_read)
    return {
        "findings": findings,
        "changes": changes,
        "network_organizations": len(networks_read),
        "check_requests": check,
        "check_busiest": 2 if networks_read else 1,
        "enforce_requests": check + 1 + sum(writes.values()),
        "enforce_busiest": max((1 + (org_id in networks_read) + count for org_id, count in writes.items()), default=1),
    }


def policy_bound_figures(base: str, organizations: int, admins: int, grants: int) -> SimpleNamespace:
    """The requests the bound of a policy scenario counts: those the design calls for, not the ones measured."""
    want = expected_policy(organizations, admins, grants)
    kind = "check" if base == "policy-check" else "enforce"
    return SimpleNamespace(requests=want[f"{kind}_requests"], busiest_org_requests=want[f"{kind}_busiest"])


def check_policy(run, base: str, organizations: int, admins: int, grants: int) -> list[str]:
    """What is wrong with the result of a policy scenario (nothing: an empty list).

    policy-check: every organization read once, the findings of each kind as designed (`expected_policy`), exactly
    the requests the design calls for (one admins list per organization, networks only where a live grant names
    networks or tags); policy-enforce: the changes of each action as designed, and those reads plus one write per
    change. No 429 reached the run, no failure.
    """
    want = expected_policy(organizations, admins, grants)
    problems = []
    if base == "policy-check":
        expected, requests = want["findings"], want["check_requests"]
        seen: dict[str, int] = {}
        for org_id, *_ in run.entries:
            seen[org_id] = seen.get(org_id, 0) + 1
        missing = [str(700000 + index) for index in range(organizations) if str(700000 + index) not in seen]
        if missing:
            problems.append(f"{len(missing)} organization(s) missing from the result, e.g. {missing[0]}")
        twice = sorted(org_id for org_id, count in seen.items() if count > 1)
        if twice:
            problems.append(f"{len(twice)} organization(s) read more than once, e.g. {twice[0]}")
    else:
        expected, requests = want["changes"], want["enforce_requests"]
    for key, value in expected.items():
        if run.outcomes.get(key, 0) != value:
            problems.append(f"{run.outcomes.get(key, 0)} {key}, not {value}")
    if run.requests != requests:
        problems.append(f"{run.requests} requests, not {requests}")
    return problems + _run_problems(run)


def check_summary(name: str, base: str, organizations: int, admins: int, grants: int = 1000) -> str:
    """The line that says what a passed result check of scenario `name` established."""
    if base.startswith("policy"):
        import bench_jobs

        want = expected_policy(organizations, admins, grants)
        grant_count = len(bench_jobs.policy_grants(organizations, grants))
        reads = (
            f"{want['check_requests']} requests: the organization list, {organizations} admins lists and the networks "
            f"of the {want['network_organizations']} organizations where a live grant names a network or a tag"
        )
        if base == "policy-check":
            found = ", ".join(f"{count} `{kind}`" for kind, count in want["findings"].items())
            return (
                f"Result check of {name} (job and engine): {grant_count} grants over {organizations} organizations, "
                f"each organization read once, {reads}; {found}, as designed; no 429 reached it; no failure."
            )
        done = ", ".join(f"{count} `{action}`" for action, count in want["changes"].items())
        writes = want["enforce_requests"] - want["check_requests"] - 1
        return (
            f"Result check of {name} (job and engine): {done}, as designed; {want['enforce_requests']} requests (the "
            f"check's {reads.split(':')[0]}, the API key's owner once, {writes} writes: one per change); no 429 "
            "reached it; no failure."
        )
    if base == "sync":
        want = expected_sync(organizations, admins)
        return (
            f"Result check of {name} (job and engine): into an empty inventory, {want['organizations']} "
            f"organizations, {want['networks']} networks, {want['administrators']} administrators and "
            f"{want['saml_roles']} SAML roles created, nothing else changed; the inventory holds them, "
            f"{want['saml_enabled']} organizations with SAML on and every organization's login security "
            f"({want['two_factor_enforced']} with two-factor authentication enforced), as seeded; no 429 reached it; "
            "no failure."
        )
    if base == "login-security":
        outcomes = [login_security_seed(index)[1] for index in range(organizations)]
        return (
            f"Result check of {name} (job and engine): every organization checked once, "
            f"{outcomes.count('compliant')} `compliant` and {outcomes.count('non-compliant')} `non-compliant`, as "
            "seeded; none failed; no 429 reached it."
        )
    return (
        f"Result check of {name} (job and engine): every organization `removed` exactly once through its "
        f"own connection; the shared one ({shared_organization(organizations)} at {organizations} "
        f"organizations) worked on once, through {TWO_DASHBOARDS[0][0]}, with `also_seen_by` "
        f"[{TWO_DASHBOARDS[1][0]}]; no 429 reached it; no failure."
    )


def result_checks(scenario: Scenario, job, engine, admins: int, grants: int = 1000) -> dict[str, list[str]] | None:
    """The result check of a scenario that has one (-2dash, sync, login-security and the policy scenarios, one job at
    a time): what is wrong, for the job and for the engine; None for the others.
    """
    if scenario.parallel != 1:
        return None
    runs = {"job": job, "engine": engine}
    if scenario.dashboards == 2:
        return {who: check_two_dashboards(run, scenario.organizations) for who, run in runs.items()}
    if scenario.base == "sync":
        return {who: check_sync(run, scenario.organizations, admins) for who, run in runs.items()}
    if scenario.base == "login-security":
        return {who: check_login_security(run, scenario.organizations) for who, run in runs.items()}
    if scenario.base.startswith("policy"):
        return {
            who: check_policy(run, scenario.base, scenario.organizations, admins, grants) for who, run in runs.items()
        }
    return None


def lower_bound(args, run, chain: int) -> float:
    """What Meraki's limits allow at best for this many requests."""
    return max(
        run.requests / 100,
        max(0, run.busiest_org_requests - args.burst) / 10,
        chain * args.latency,
    )


def main(argv=None) -> int:
    """Run the scenarios, print the tables, write docs/performance.md."""
    import bench_jobs

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--admins", type=int, default=20, help="admins per organization")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per round trip")
    parser.add_argument("--rows", type=int, default=1000, help="rows of the import CSV")
    parser.add_argument(
        "--grants", type=int, default=bench_jobs.POLICY_GRANTS, help="access grants of the policy scenarios"
    )
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--burst", type=int, default=0, help="the stand-in's per-organization burst")
    parser.add_argument("--no-naive", action="store_true", help="skip the one-request-at-a-time baseline")
    parser.add_argument(
        "--profile", action="store_true", help=f"profile each job with pyinstrument into {bench_jobs.PROFILES}/"
    )
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help=f"comma-separated (default {DEFAULT_SCENARIOS})")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    scenarios = [parse_scenario(s.strip(), args.organizations) for s in args.scenarios.split(",") if s.strip()]

    os.environ["NAUTOBOT_DB_NAME"] = bench_jobs.prepare_database()  # every child inherits it
    os.environ["NAUTOBOT_CONFIG"] = str(bench_jobs.BENCH_CONFIG)
    rows, checks = [], {}
    for scenario in scenarios:
        print(f"running {scenario.name} ...", file=sys.stderr, flush=True)
        two = scenario.dashboards == 2
        job = bench_jobs.measure_jobs(
            fresh_fake(scenario.organizations, args.admins, two), BENCH_KEY, scenario.base, args, scenario.parallel,
            LEAVERS, import_csv(scenario.organizations, args.rows),
            dashboards=[(name, key) for name, _, key in TWO_DASHBOARDS] if two else (), label=scenario.name,
            policy=(scenario.organizations, args.grants, LEAVERS) if scenario.base.startswith("policy") else None,
        )  # fmt: skip
        engine = measure(
            args, scenario.base, args.concurrency, scenario.parallel, scenario.organizations, scenario.dashboards
        )
        found = result_checks(scenario, job, engine, args.admins, args.grants)
        if found is not None:
            summary = check_summary(scenario.name, scenario.base, scenario.organizations, args.admins, args.grants)
            checks[scenario.name] = (summary, found)
        naive = None
        if not args.no_naive and scenario.parallel == 1 and scenario.organizations == args.organizations:
            naive = measure(args, scenario.base, 1, 1, scenario.organizations)
        per_org_chain = -(-args.rows // scenario.organizations) if scenario.base == "import" else 0
        chain = CHAINS[scenario.base] or 2 + per_org_chain
        counted = job  # the policy scenarios' bound counts the requests their design calls for
        if scenario.base.startswith("policy"):
            counted = policy_bound_figures(scenario.base, scenario.organizations, args.admins, args.grants)
        rows.append((scenario, job, engine, naive, lower_bound(args, counted, chain)))
        print(
            json.dumps(
                {
                    "scenario": scenario.name, "job_seconds": round(job.seconds, 2), "job_status": job.statuses,
                    "job_outcomes": job.outcomes, "engine_seconds": round(engine.seconds, 2),
                    "engine_outcomes": engine.outcomes, "job_requests": job.requests,
                    "engine_requests": engine.requests, "timeline": {k: round(v, 3) for k, v in job.timeline.items()},
                    **({"job_stored": job.stored, "engine_stored": engine.stored} if job.stored else {}),
                    **({"check": checks[scenario.name][1]} if scenario.name in checks else {}),
                }
            ),
            file=sys.stderr,
        )  # fmt: skip

    tables = render(rows) + "\n\n" + render_timeline(rows)
    print(tables)
    notes = render_checks(checks)
    if notes:
        print("\n" + notes)
    Path(args.output).write_text(document(args, tables, notes))
    print(f"\nwritten to {args.output}")
    failed = [name for name, (_, found) in checks.items() if any(found.values())]
    if failed:
        print(f"bench: the result check of {', '.join(failed)} failed (see above)", file=sys.stderr)
        return 1
    return 0


def render_checks(checks: dict[str, tuple[str, dict[str, list[str]]]]) -> str:
    """One paragraph per checked scenario: what its result check found, for the job and for the engine (`checks`:
    per scenario, the line saying what a passed check established, and the problems of the job and of the engine).
    """
    lines = []
    for name, (summary, found) in checks.items():
        if any(found.values()):
            wrong = "; ".join(f"{who}: {', '.join(problems)}" for who, problems in found.items() if problems)
            lines.append(f"Result check of {name}: FAILED ({wrong}).")
        else:
            lines.append(summary)
    return "\n\n".join(lines)


def render(rows) -> str:
    """A Markdown table of the measured figures: the job first, the engine alone beside it."""
    header = (
        "| scenario | organizations | job s | engine s | requests | 429s | failures | peak req/s per org (limit 10) "
        "| peak req/s per IP (limit 100) | peak memory MB job / engine | lower bound s | job x bound "
        "| engine x bound | naive s | speed-up |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for scenario, job, engine, naive, bound in rows:
        naive_s = f"{naive.seconds:.1f}" if naive else "-"
        speedup = f"{naive.seconds / job.seconds:.1f}x" if naive else "-"
        failures = job.failures + sum(status != "SUCCESS" for status in job.statuses)
        lines.append(
            f"| {scenario.name} | {scenario.organizations} | {job.seconds:.2f} | {engine.seconds:.2f} "
            f"| {job.requests} | {job.rejected_429} | {failures} | {job.peak_org_rate} | {job.peak_ip_rate} "
            f"| {job.peak_memory_mb:.0f} / {engine.peak_memory_mb:.0f} | {bound:.2f} | {job.seconds / bound:.2f} "
            f"| {engine.seconds / bound:.2f} | {naive_s} | {speedup} |"
        )
    return "\n".join(lines)


def render_timeline(rows) -> str:
    """Where each job's time went, read from its log entries' `created` times (one job at a time only)."""
    header = (
        "| scenario | job s | start to first result line s | result lines | writing them s | ms per line "
        "| last result line to last own line s | last own line to job end s | log lines |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for scenario, job, *_ in rows:
        t = job.timeline
        if not t:
            continue
        count = t["result_lines"]
        per_line = f"{1000 * t['result_lines_span'] / (count - 1):.1f}" if count > 1 else "-"
        after = f"{t['after_results']:.2f}" if "after_results" in t else "-"
        lines.append(
            f"| {scenario.name} | {job.seconds:.2f} | {t.get('to_first_result', 0):.2f} | {count} "
            f"| {t.get('result_lines_span', 0):.2f} | {per_line} | {after} | {t['finish']:.2f} | {t['log_lines']} |"
        )
    return "\n".join(lines)


def document(args, tables: str, notes: str = "") -> str:
    """docs/performance.md (`notes`: the result checks, after the scenario list)."""
    notes = f"\n{notes}\n" if notes else ""
    return f"""# Performance

Measured by `invoke bench` on {datetime.now(UTC):%Y-%m-%d} ({platform.machine()}, {os.cpu_count()} cores, Python
{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end). Stand-in Dashboard over loopback
HTTP with {args.latency * 1000:.0f} ms per round trip, {args.organizations} organizations (unless the scenario
names another number) with {args.admins} admins each, enforcing Meraki's limits (10 requests/s per
organization{f" + burst {args.burst}" if args.burst else ""}, 100/s per IP) with 429 + Retry-After. The app ran
with `concurrency` {args.concurrency} and its Redis rate budget at Meraki's numbers.

{tables}

- **offboard**: Delete Meraki User for one email in `all` organizations (it is in every one).
- **create**: Create Meraki User for a new email in `all` organizations.
- **list**: List Meraki Users over `all` organizations (with its CSV file).
- **import**: Import Meraki Users with a {args.rows}-row CSV of creates spread over the organizations.
- **sync**: Sync Meraki Inventory into an empty inventory: every organization's admins and networks, its SAML
  switch, SAML roles and login security (five reads per organization). The seed gives every fourth organization
  SAML on with two SAML roles, and login security of three kinds (one meets the baseline, two do not).
- **login-security**: Check Meraki Login Security in `all` organizations against `login_security_baseline`
  `{{"enforceTwoFactorAuth": true, "enforceIdleTimeout": true, "idleTimeoutMinutes": {{"max": 30}}}}` (one read per
  organization; the inventory filled by a sync first, as for offboard): a third of the organizations meet it, two
  thirds do not (an idle timeout of 60 minutes, or nothing enforced).
- **policy-check**: Check Meraki Access Drift in `all` organizations against an access policy of {args.grants} grants
  (at most five per organization, development/bench_jobs.py `policy_grant`: one compliant, one `different`, one
  expired, one for a person not in the Dashboard, and one that names the network Main, the tag bench or the absent
  network Lab in one organization in ten each, else compliant), the two leavers exempt everywhere, the other admins
  `unmanaged`. It reads one admins list per organization and the networks only where a live grant names networks or
  tags; the job stores every finding (`policy_store.store_findings`). The inventory is synced and the policy written
  first (not counted).
- **policy-enforce**: Enforce Meraki Access Policy (not a dry run, `remove_unmanaged` off) over the same policy: the
  check's reads, the API key's owner once, and one write per change (create, update or remove).
- **offboard x2**: two offboarding jobs at once, as on two Celery workers (two processes sharing the Redis budget).
- **offboard-1000**: offboard at 1,000 organizations.
- **offboard-2dash**: offboard with two Dashboard connections (`dashboards = ["Bench A", "Bench B"]`, two
  ExternalIntegrations whose SecretsGroups read the two keys from environment variables): the stand-in's first half
  of the organizations is seen by the first key, the second half by the second, and one organization by both (it is
  worked on once, through Bench A). Both connections spend from the one per-IP budget, so the lower bound has the
  same form; the requests include one organization list per connection.
{notes}
How it runs: *job* is the real job as a user runs it: `JobResult.execute_job` (the task body a Celery worker
runs, in-process, like `nautobot-server runjob --local`) in a fresh process that has loaded Nautobot and the
app's jobs, with its JobResult, its log entries written to PostgreSQL, its inventory upkeep, its files and its
result, in a dedicated database (`meraki_users_bench`, cloned from the migrated template). Before offboard, create,
list, import, login-security, policy-check and policy-enforce the inventory is filled by running Sync Meraki
Inventory (not counted), as on a live system (for the policy scenarios the policy's rows are written after it); the
sync starts from an empty inventory. Its time is `JobResult.date_done - date_started`. *engine*
is the same operation through the functions the job calls (`operations.engine.run_operation`,
`inventory.sync.read_snapshot` then `sync_inventory`, `operations.posture.check_organizations` and friends), with no
log, no inventory upkeep, no change log and no JobResult: the difference between the two is what Nautobot's job
machinery and the job's own bookkeeping cost. (The sync job writes its change-logged rows while it reads, every 3
organizations, `inventory.sync.SyncStream`; the engine writes its rows, without a change log, after its reads.)

Columns: *requests* and *429s* are what the stand-in received and refused during the job; *failures* are
organizations that ended `failed` plus jobs that did not end SUCCESS (a 429 is retried after its Retry-After,
never a failure); *peak req/s* is the most requests in any one-second window; *peak memory* is the process's peak
RSS above its idle baseline (a process that has loaded Nautobot and the jobs, like an idle worker), for the job
and for the engine; *lower bound* is `max(requests / 100, (busiest organization's requests - burst) / 10,
dependent round trips x latency)` (the organization list, then what waits for it: for offboard and create the
admins and then the write, 3; for the sync's five reads of an organization and the login security read, which wait
for nothing else, 2); *x bound* is the time / lower bound; *naive* is the engine one request at a
time, measured in the same run; *speed-up* is naive / job. For policy-check and policy-enforce the lower bound
counts the requests their design calls for, not those measured (the result check says both are the same): the
organization list, one admins list per organization, the networks of each organization where a live grant names
networks or tags, and for policy-enforce the key owner and one write per change; their chains are 2 (the admins and
the networks wait for nothing but the organization list) and 3 (the write waits for the admins).

The second table splits each job's time (one job at a time) by its log entries' `created` times; Nautobot's
own "Running job" and "Job completed" lines are left out of the parts. *Result lines* are the lines with one
organization's (or one CSV row's) outcome, grouped by organization ID. *Start to first result line* is the
Dashboard work until the first lines are written; *writing them* is the time between the first and the last of
those lines (the write jobs (offboard, create, import) keep the inventory current and write their lines every 10
organizations while the other organizations' requests are in flight, and list writes its lines the same way, so
this part overlaps the Dashboard work; the others write them once every organization is done, with one database
insert for all); *last result line to last own line* is what the job does after them (for list and login-security
the CSV file, then the summary line);
*last own line to job end*
is Nautobot's post-run: the result saved, the "Job completed" line, the JobResult closed. The sync has no
per-organization lines: there *result lines* are all its own lines.

Reproduce: `invoke bench` (all options: `invoke bench --help`; e.g. `invoke bench --organizations 50 --no-naive`,
`invoke bench --scenarios offboard --profile` writes a pyinstrument profile of the job to
`development/.state/bench/`).
"""


if __name__ == "__main__":
    sys.exit(main())
