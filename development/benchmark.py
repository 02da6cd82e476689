"""Benchmark: the app's fan-out against a stand-in Dashboard over real loopback HTTP at Meraki's speed limits.

Run with `invoke bench` (or `python development/benchmark.py --help`). Each scenario runs in a fresh child
process (so its peak memory can be read) against a freshly seeded stand-in that adds a round-trip latency
and answers 429 + Retry-After above 10 requests/s per organization or 100/s per IP. Every scenario is run
twice in the same run: the app's concurrent way, and one request at a time (the naive baseline). The lower
bound is what Meraki's limits allow at best:

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
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "development"))

BENCH_KEY = "be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c"
LEAVERS = ("leaver.one@bench.example", "leaver.two@bench.example")


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


def seed(fake, organizations: int, admins: int) -> None:
    """`organizations` orgs, each with one network and `admins` admins, plus the two leavers everywhere."""
    for index in range(organizations):
        org_id = str(700000 + index)
        fake.add_organization(org_id, f"Bench Org {index}")
        fake.add_network(org_id, f"N_{org_id}", "Main", tags=["bench"])
        for number in range(admins):
            fake.add_admin(org_id, f"user{number}@org{index}.bench.example", f"User {number}")
        for email in LEAVERS:
            fake.add_admin(org_id, email, "Leaver")


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


def child(
    scenario: str, base_url: str, concurrency: int, prefix: str, organizations: int, rows: int, queue, go
) -> None:
    """Run `scenario` once when `go` is set; put (start, end, outcomes, failures, peak MB above idle) on `queue`."""
    os.environ.setdefault("NAUTOBOT_CONFIG", str(ROOT / "development" / "nautobot_config.py"))
    import nautobot

    nautobot.setup()
    import redis

    from nautobot_meraki_users import csv_import, service
    from nautobot_meraki_users.admins import AccessRequest, AdminRequest, OrganizationSelector
    from nautobot_meraki_users.dashboard import Dashboard
    from nautobot_meraki_users.ratelimit import RateLimiter, budgets
    from nautobot_meraki_users.settings import settings_from_mapping

    settings = settings_from_mapping({"base_url": base_url, "concurrency": concurrency, "maximum_retries": 10})
    per_organization, per_ip = budgets(
        settings.rate_limit_per_organization, settings.rate_limit_per_ip, settings.rate_limit_burst
    )
    limiter = RateLimiter(
        redis.Redis(host=os.environ.get("NAUTOBOT_REDIS_HOST", "127.0.0.1")), per_organization, per_ip, prefix=prefix
    )
    gc.freeze()  # keep collector pauses of the loaded Nautobot out of the measurement, as in a long-lived worker
    baseline = _rss_mb("VmRSS")
    queue.put("ready")
    go.wait()
    started = time.time()
    every = OrganizationSelector(all=True)
    with Dashboard(settings, BENCH_KEY, limiter=limiter) as dashboard:
        if scenario.startswith("offboard"):
            email = LEAVERS[1] if scenario.endswith("-2") else LEAVERS[0]
            orgs = service.load_organizations(dashboard, every, ())
            results = service.run_operation(
                dashboard, orgs, service.Operation("delete", email), False, lambda r: None, concurrency
            ).organizations
        elif scenario == "create":
            request = AdminRequest("hire@bench.example", "New Hire", AccessRequest(org_access="read-only"))
            orgs = service.load_organizations(dashboard, every, ())
            results = service.run_operation(
                dashboard, orgs, service.Operation("create", request.email, request), False, lambda r: None, concurrency
            ).organizations
        elif scenario == "list":
            orgs = service.load_organizations(dashboard, every, ())
            rows_found, results = service.list_admins(dashboard, orgs, None, lambda r: None, concurrency)
            assert len(rows_found) >= len(orgs)
        elif scenario == "sync":
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            from nautobot_meraki_users import inventory

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
            results = [service.OrganizationResult(org.id, org.name, "synced") for org in orgs]
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
    queue.put((started, ended, outcomes, outcomes.get("failed", 0), _rss_mb("VmHWM") - baseline))


# ---------------------------------------------------------------------------------------------------------------------
# The parent: serves the stand-in, starts the children, reads the traffic figures.
# ---------------------------------------------------------------------------------------------------------------------


def measure(args, scenario: str, concurrency: int, parallel: int = 1) -> Run:
    """Seed a fresh stand-in, run `parallel` copies of the scenario at once (as on several workers), measure."""
    from meraki_standin import FakeDashboard
    from meraki_standin.limits import MerakiRateLimits
    from meraki_standin.server import StandinServer

    fake = FakeDashboard(api_key=BENCH_KEY, strict=False)
    seed(fake, args.organizations, args.admins)
    limits = MerakiRateLimits(per_organization=10, per_ip=100, burst=args.burst)
    gc.freeze()  # the stand-in's seeded data: no long collector pause skews the arrival times it measures
    prefix = f"nautobot_meraki_users:bench:{uuid.uuid4()}"  # one shared budget for this run's workers
    context = multiprocessing.get_context("spawn")
    if scenario == "sync":
        os.environ["NAUTOBOT_DB_NAME"] = scratch_database()  # the children inherit it
    with StandinServer(fake, "127.0.0.1", 0, log=open(os.devnull, "w"), latency=args.latency, limits=limits) as server:
        queue = context.Queue()
        go = context.Event()
        names = [scenario] if parallel == 1 else [f"{scenario}-{n + 1}" for n in range(parallel)]
        processes = [
            context.Process(
                target=child,
                args=(name, server.base_url, concurrency, prefix, args.organizations, args.rows, queue, go),
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
    for *_, child_outcomes, _, _ in reports:
        for key, value in child_outcomes.items():
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
    )


CHAINS = {"offboard": 3, "create": 3, "list": 2, "import": None, "offboard x2": 3, "sync": 3}
SCRATCH_DB = "meraki_users_bench"


def scratch_database() -> str:
    """A fresh database for the sync scenario, cloned from the migrated template (`invoke start` makes it)."""
    sys.path.insert(0, str(ROOT))
    import subprocess

    import tasks

    template = tasks.template_name()
    psql = ["psql", "-h", tasks.DB_HOST, "-U", tasks.PG_ADMIN, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"], check=True, capture_output=True)
    subprocess.run(
        [*psql, f"CREATE DATABASE {SCRATCH_DB} OWNER {tasks.DB_USER} TEMPLATE {template}"],
        check=True,
        capture_output=True,
    )
    return SCRATCH_DB


def lower_bound(args, run: Run, chain: int) -> float:
    """What Meraki's limits allow at best for this many requests."""
    return max(
        run.requests / 100,
        max(0, run.busiest_org_requests - args.burst) / 10,
        chain * args.latency,
    )


def main(argv=None) -> int:
    """Run the scenarios, print the table, write docs/performance.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--admins", type=int, default=20, help="admins per organization")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per round trip")
    parser.add_argument("--rows", type=int, default=1000, help="rows of the import CSV")
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--burst", type=int, default=0, help="the stand-in's per-organization burst")
    parser.add_argument("--no-naive", action="store_true", help="skip the one-request-at-a-time baseline")
    parser.add_argument("--scenarios", default="offboard,create,list,import,sync,offboard x2")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)

    rows = []
    for scenario in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
        parallel = 2 if scenario == "offboard x2" else 1
        base = scenario.split(" ")[0]
        print(f"running {scenario} ...", file=sys.stderr, flush=True)
        fast = measure(args, base, args.concurrency, parallel)
        naive = None if args.no_naive or parallel > 1 else measure(args, base, 1)
        per_org_chain = -(-args.rows // args.organizations) if base == "import" else 0
        chain = CHAINS.get(scenario) or 2 + per_org_chain
        bound = lower_bound(args, fast, chain)
        rows.append((scenario, fast, naive, bound))
        print(
            json.dumps({"scenario": scenario, "seconds": round(fast.seconds, 2), "outcomes": fast.outcomes}),
            file=sys.stderr,
        )

    table = render(args, rows)
    print(table)
    Path(args.output).write_text(document(args, table))
    print(f"\nwritten to {args.output}")
    return 0


def render(args, rows) -> str:
    """A Markdown table of the measured figures."""
    header = (
        "| scenario | wall s | requests | 429s | failures | peak req/s per org (limit 10) "
        "| peak req/s per IP (limit 100) | peak memory MB | lower bound s | x bound | naive s | speed-up |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for scenario, fast, naive, bound in rows:
        naive_s = f"{naive.seconds:.1f}" if naive else "-"
        speedup = f"{naive.seconds / fast.seconds:.1f}x" if naive else "-"
        lines.append(
            f"| {scenario} | {fast.seconds:.2f} | {fast.requests} | {fast.rejected_429} | {fast.failures} "
            f"| {fast.peak_org_rate} | {fast.peak_ip_rate} | {fast.peak_memory_mb:.0f} | {bound:.2f} "
            f"| {fast.seconds / bound:.2f} | {naive_s} | {speedup} |"
        )
    return "\n".join(lines)


def document(args, table: str) -> str:
    """docs/performance.md."""
    return f"""# Performance

Measured by `invoke bench` on {datetime.now(UTC):%Y-%m-%d} ({platform.machine()}, {os.cpu_count()} cores, Python
{platform.python_version()}). Stand-in Dashboard over loopback HTTP with {args.latency * 1000:.0f} ms per round trip,
{args.organizations} organizations with {args.admins} admins each, enforcing Meraki's limits (10 requests/s per
organization{f" + burst {args.burst}" if args.burst else ""}, 100/s per IP) with 429 + Retry-After. The app ran
with `concurrency` {args.concurrency} and its Redis rate budget at Meraki's numbers.

{table}

- **offboard**: Delete Meraki User for one email in `all` organizations (it is in every one).
- **create**: Create Meraki User for a new email in `all` organizations.
- **list**: List Meraki Users over `all` organizations.
- **import**: Import Meraki Users with a {args.rows}-row CSV of creates spread over the organizations.
- **sync**: Sync Meraki Inventory into an empty inventory (every organization's networks and admins); the
  line printed before the table gives the database part: rows written, queries, seconds.
- **offboard x2**: two offboarding jobs at once, as on two Celery workers (two processes sharing the Redis budget).

Columns: *wall s* is the scenario's time; *requests* and *429s* are what the stand-in received and refused;
*failures* are organizations that ended `failed` (a 429 is retried after its Retry-After, never a failure);
*peak req/s* is the most requests in any one-second window; *peak memory* is the scenario process's peak RSS
above its idle baseline (a process that has loaded Nautobot, like an idle worker); *lower bound* is
`max(requests / 100, (busiest organization's requests - burst) / 10, dependent round trips x latency)`;
*x bound* is wall / lower bound; *naive* is the same work one request at a time, measured in the same run.

Reproduce: `invoke bench` (all options: `invoke bench --help`; e.g. `invoke bench --organizations 50 --no-naive`).
"""


if __name__ == "__main__":
    sys.exit(main())
