"""The benchmark's job runs: the app's real jobs through Nautobot's job machinery, as a user runs them.

Each run happens in a fresh child process that has loaded Nautobot and the app's jobs (like an idle worker) and
calls `JobResult.execute_job`: the same Celery task body a worker runs (`run_job`), in-process, with a real
JobResult, its log entries written to PostgreSQL one by one, the job's inventory upkeep and its result. The job's
own time is `JobResult.date_done - date_started`; the log entries' `created` times show where it goes.

The database is a dedicated one (`meraki_users_bench`, cloned from the migrated template); before each run a
separate process empties the inventory and, where the scenario needs it, seeds it by running Sync Meraki
Inventory against the same stand-in (its traffic is not counted). The cache, and so the app's Redis rate budget,
lives in a Redis database of its own (development/bench_nautobot_config.py).

The access policy scenarios (`policy-check`, `policy-enforce`) need a policy: the seeding process writes it after
the sync (POLICY_PROFILES, `policy_grants`, the leavers exempt everywhere), as plain rows, not timed.

A scenario with several Dashboard connections (`offboard-2dash`) runs the job with the app's `dashboards` setting
naming ExternalIntegrations (MERAKI_USERS_BENCH_DASHBOARDS, read by development/bench_nautobot_config.py); the
seeding process creates them, or brings them up to date (the stand-in's URL changes every run): each with a
SecretsGroup whose HTTP(S)/Token Secret reads its key from an environment variable of the job's process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("MERAKI_USERS_BENCH_DB", "meraki_users_bench")  # one per concurrent bench
BENCH_USER = "bench"
BENCH_CONFIG = ROOT / "development" / "bench_nautobot_config.py"
PROFILES = ROOT / "development" / ".state" / "bench"
JOBS = "nautobot_meraki_users.jobs"
# Their upkeep updates an inventory a sync has filled (the login security check links its lines to the rows and
# stores what it read in them).
# The policy's grants name organizations of the inventory.
# Scenarios that start from a synced inventory, as a user's jobs do (the job forms' pickers come from it). List joined
# on 2026-12-05 with the early reads (the inventory says which organizations to read before their list arrives).
NEEDS_INVENTORY = {"offboard", "create", "list", "import", "login-security", "policy-check", "policy-enforce"}
POLICY_SCENARIOS = {"policy-check", "policy-enforce"}
DASHBOARDS_VARIABLE = "MERAKI_USERS_BENCH_DASHBOARDS"  # the `dashboards` setting, comma-separated (empty: none)
BASELINE_VARIABLE = "MERAKI_USERS_BENCH_LOGIN_SECURITY_BASELINE"  # the `login_security_baseline` setting, as JSON
# What Check Meraki Login Security checks against in the bench (the job through BASELINE_VARIABLE, the engine
# directly); development/benchmark.py seeds organizations that meet it and organizations that do not.
LOGIN_SECURITY_BASELINE = {"enforceTwoFactorAuth": True, "enforceIdleTimeout": True, "idleTimeoutMinutes": {"max": 30}}

# The access policy of policy-check and policy-enforce. Profiles: name -> (org access, network privileges, tag
# privileges). Every bench organization has one network, Main, tagged bench; none has a network Lab.
POLICY_PROFILES = {
    "Bench read-only": ("read-only", [], []),
    "Bench full": ("full", [], []),
    "Bench main network": ("none", [{"network": "Main", "access": "full"}], []),
    "Bench tagged": ("none", [], [{"tag": "bench", "access": "full"}]),
    "Bench lab network": ("none", [{"network": "Lab", "access": "full"}], []),  # unresolved everywhere
}
POLICY_GRANTS = 1000  # the default number of grants
POLICY_KINDS = 5  # grants per organization at most (the kinds of `policy_grant`)
POLICY_EXPIRED_ON = date(2025, 1, 31)  # the expiry of the expired grants (long past)


def policy_grant(index: int, kind: int) -> tuple[str, str, bool]:
    """(email, profile, expired) of grant `kind` (0 to 4) in organization number `index`.

    The bench's admins are user<n>@org<index>.bench.example, read-only. Kind 0: user0 read-only (as they are); 1:
    user1 full (different); 2: user2 read-only, expired; 3: new<index>@bench.example, not an admin (missing); 4: user3
    with a profile that names the network Main (index ending in 0) or the tag bench (5) (both different; the check
    reads those organizations' networks), the absent network Lab (9: unresolved, networks read too), or read-only.
    """
    user = f"user{min(kind, 3)}@org{index}.bench.example"
    if kind == 0:
        return user, "Bench read-only", False
    if kind == 1:
        return user, "Bench full", False
    if kind == 2:
        return user, "Bench read-only", True
    if kind == 3:
        return f"new{index}@bench.example", "Bench read-only", False
    named = {0: "Bench main network", 5: "Bench tagged", 9: "Bench lab network"}
    return user, named.get(index % 10, "Bench read-only"), False


def policy_grants(organizations: int, grants: int = POLICY_GRANTS) -> list[tuple[str, str, str, bool]]:
    """(organization ID, email, profile, expired) of each grant: kind 0 in every organization, then kind 1, and so
    on until `grants` (at most POLICY_KINDS per organization): 1,000 grants over 200 organizations is all five kinds.
    """
    found = []
    for kind in range(POLICY_KINDS):
        for index in range(organizations):
            if len(found) == grants:
                return found
            found.append((str(700000 + index), *policy_grant(index, kind)))
    return found


def policy_values(organizations: int, grants: int, exempt: Sequence[str], today: date):
    """The bench policy as the check's values (`operations.drift.Policy`): what the engine is given."""
    from nautobot_meraki_users.operations.drift import Policy
    from nautobot_meraki_users.operations.policy import Exemption, Grant, Profile

    profiles = {
        name: Profile(name, org_access, tuple((n["network"], n["access"]) for n in networks),
                      tuple((t["tag"], t["access"]) for t in tags))
        for name, (org_access, networks, tags) in POLICY_PROFILES.items()
    }  # fmt: skip
    values = [
        Grant(str(number), email, profiles[profile], frozenset({org_id}), POLICY_EXPIRED_ON if expired else None)
        for number, (org_id, email, profile, expired) in enumerate(policy_grants(organizations, grants))
    ]
    return Policy(values, [Exemption(email) for email in exempt], today)


def seed_policy(organizations: int, grants: int, exempt: Sequence[str]) -> None:
    """Write the bench policy as rows (the inventory's organizations must be there): the profiles, the grants, one
    exemption everywhere per email of `exempt`. Bulk inserts, no change log: this is set-up, not measured.
    """
    from nautobot_meraki_users.models import AccessExemption, AccessGrant, AccessProfile, MerakiOrganization

    clear_policy()
    profiles = {
        name: AccessProfile.objects.create(
            name=name, org_access=org_access, network_privileges=networks, tag_privileges=tags
        )
        for name, (org_access, networks, tags) in POLICY_PROFILES.items()
    }
    orgs = {row.organization_id: row for row in MerakiOrganization.objects.all()}
    wanted = policy_grants(organizations, grants)
    expiry = {True: POLICY_EXPIRED_ON, False: None}
    rows = AccessGrant.objects.bulk_create(
        [
            AccessGrant(email=email, profile=profiles[p], expires=expiry[old], reason="bench")
            for _, email, p, old in wanted
        ]
    )
    through = AccessGrant.organizations.through
    links = zip(rows, wanted, strict=True)
    through.objects.bulk_create(
        [through(accessgrant=row, merakiorganization=orgs[org_id]) for row, (org_id, *_) in links]
    )
    AccessExemption.objects.bulk_create(
        [AccessExemption(email=email, all_organizations=True, reason="bench") for email in exempt]
    )


def clear_policy() -> None:
    """Delete every policy row and stored finding (before the organizations they name), no change log."""
    from nautobot_meraki_users.models import AccessExemption, AccessFinding, AccessGrant, AccessProfile

    for model in (
        AccessFinding,
        AccessGrant.organizations.through,
        AccessExemption.organizations.through,
        AccessGrant,
        AccessExemption,
        AccessProfile,
    ):
        model.objects.all()._raw_delete(model.objects.db)


@dataclass
class JobRun:
    """One measured run of one job scenario (possibly several jobs at once)."""

    seconds: float
    requests: int
    rejected_429: int
    peak_ip_rate: int
    peak_org_rate: int
    busiest_org_requests: int
    peak_memory_mb: float
    outcomes: dict
    failures: int
    statuses: list[str]
    timeline: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)  # per organization: (ID, outcome, connection, also seen by)
    stored: dict = field(default_factory=dict)  # the sync: what the inventory holds afterwards (stored_inventory)


def prepare_database() -> str:
    """The bench database, cloned from the migrated template; kept between runs while the template is the same.

    It is reused rather than dropped each time: DROP DATABASE waits for a checkpoint, minutes on a busy disk.
    Every scenario empties the inventory it needs anyway.
    """
    sys.path.insert(0, str(ROOT))
    import tasks

    template = tasks.template_name()
    psql = ["psql", "-h", tasks.DB_HOST, "-U", tasks.PG_ADMIN, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc"]

    def query(sql: str) -> subprocess.CompletedProcess:
        return subprocess.run([*psql, sql], capture_output=True, text=True)

    if not query(f"SELECT 1 FROM pg_database WHERE datname='{template}'").stdout.strip():
        raise SystemExit(
            f"bench: the migrated template database {template} does not exist. "
            "Run `invoke migrate` on a new database (or `invoke tests`) once to build it, then run the bench again."
        )
    found = query(f"SELECT 'made from ' || coalesce(shobj_description(oid, 'pg_database'), '?') FROM pg_database "
                  f"WHERE datname='{BENCH_DB}'").stdout.strip()  # fmt: skip
    if found == f"made from {template}":
        return BENCH_DB
    if found:  # made from an older template (other migrations) or by an older bench: start again
        query(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)").check_returncode()
    for attempt in range(10):  # another process may be cloning the same template at this moment
        query(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='{template}'")
        done = query(f"CREATE DATABASE {BENCH_DB} OWNER {tasks.DB_USER} TEMPLATE {template}")
        if done.returncode == 0:
            query(f"COMMENT ON DATABASE {BENCH_DB} IS '{template}'").check_returncode()
            return BENCH_DB
        if "being accessed by other users" not in done.stderr or attempt == 9:
            raise SystemExit(f"bench: could not create {BENCH_DB}: {done.stderr.strip()}")
        time.sleep(2)
    return BENCH_DB


def key_variable(number: int) -> str:
    """The environment variable the Secret of the `number`th (from 1) bench Dashboard connection reads its key from."""
    return f"MERAKI_USERS_BENCH_DASHBOARD_KEY_{number}"


def job_environment(
    base_url: str, api_key: str, concurrency: int, dashboards: Sequence[tuple[str, str]] = ()
) -> dict[str, str]:
    """The environment of a job child: the bench database and cache, the app pointed at the stand-in.

    `dashboards`: (ExternalIntegration name, API key) of each connection the job works through, in order; none:
    the one connection made of MERAKI_BASE_URL and `api_key`.
    """
    env = {
        "NAUTOBOT_CONFIG": str(BENCH_CONFIG),
        "NAUTOBOT_DB_NAME": BENCH_DB,
        "MERAKI_BASE_URL": base_url,
        "MERAKI_DASHBOARD_API_KEY": api_key,
        "MERAKI_CONCURRENCY": str(concurrency),
        "MERAKI_MAXIMUM_RETRIES": "10",
        "MERAKI_API_KEY_SECRETS_GROUP": "",
        "MERAKI_ALLOWED_ORGANIZATION_IDS": "",
        DASHBOARDS_VARIABLE: ",".join(name for name, _ in dashboards),
        BASELINE_VARIABLE: json.dumps(LOGIN_SECURITY_BASELINE),
    }
    for number, (_, key) in enumerate(dashboards, 1):
        env[key_variable(number)] = key
    return env


def ensure_dashboards(env: dict[str, str]) -> list[str]:
    """Create or update the ExternalIntegration of every connection `env` names, pointed at the stand-in.

    Each gets a SecretsGroup `<name> API` with a Secret `<name> API key` (provider Environment Variable, reading
    `key_variable(n)`) as access type HTTP(S), secret type Token, as the development environment's connections
    (development/demo_dashboards.py, whose function does it). Idempotent; returns the names.
    """
    from demo_dashboards import ensure_dashboards as ensure

    names = [name for name in env.get(DASHBOARDS_VARIABLE, "").split(",") if name.strip()]
    return ensure(env["MERAKI_BASE_URL"], tuple((name, key_variable(n)) for n, name in enumerate(names, 1)))


def _rss_mb(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _load_nautobot(env: dict[str, str]):
    os.environ.update(env)
    import nautobot

    nautobot.setup()
    from django.contrib.auth import get_user_model
    from nautobot.extras.models import Job

    import nautobot_meraki_users.jobs  # noqa: F401  (a worker has imported the jobs before its first task)

    Job.objects.filter(module_name=JOBS).update(enabled=True)
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def _run_job(user, class_name: str, data: dict):
    from nautobot.extras.models import Job, JobResult

    job_model = Job.objects.get_for_class_path(f"{JOBS}.{class_name}")
    return JobResult.execute_job(job_model, user, job_kwargs=data)


def empty_inventory() -> None:
    """Delete every inventory row (SAML roles, admins and networks before their organizations), no change log.

    The access policy's rows and findings go first: they name organizations.
    """
    from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole

    clear_policy()
    for model in (MerakiSamlRole, MerakiAdministrator, MerakiNetwork, MerakiOrganization):
        model.objects.all()._raw_delete(model.objects.db)


def stored_inventory() -> dict[str, int]:
    """What the inventory holds: rows of each kind, organizations with SAML on, with their login security read
    (not the empty record of a row never synced) and with two-factor authentication enforced in it.
    """
    from nautobot_meraki_users.models import MerakiAdministrator, MerakiNetwork, MerakiOrganization, MerakiSamlRole

    orgs = MerakiOrganization.objects.all()
    return {
        "organizations": orgs.count(),
        "networks": MerakiNetwork.objects.count(),
        "administrators": MerakiAdministrator.objects.count(),
        "saml_roles": MerakiSamlRole.objects.count(),
        "saml_enabled": orgs.filter(saml_enabled=True).count(),
        "login_security_read": orgs.exclude(login_security={}).count(),
        "two_factor_enforced": orgs.filter(login_security__enforceTwoFactorAuth=True).count(),
    }


def seed_child(env: dict[str, str], sync_first: bool, queue, policy: tuple | None = None) -> None:
    """Empty the inventory; with `sync_first`, fill it by running Sync Meraki Inventory. Puts the status on `queue`.

    The Dashboard connections `env` names (if any) are made ready first. `policy`: (organizations, grants, exempt
    emails) of the access policy to write after the sync (`seed_policy`).
    """
    try:
        user = _load_nautobot(env)
        ensure_dashboards(env)
        empty_inventory()
        status = "SUCCESS"
        if sync_first:
            status = _run_job(user, "SyncInventory", {"dryrun": False}).status
        if policy is not None and status == "SUCCESS":
            seed_policy(*policy)
        queue.put(status)
    except BaseException as err:
        queue.put(f"seed failed: {type(err).__name__}: {err}")
        raise


def job_data(scenario: str, leaver: str, import_csv: bytes) -> tuple[str, dict]:
    """The job class and its data for a scenario (the import's file is made later, in the child)."""
    if scenario == "offboard":
        return "DeleteUsers", {"user_email": leaver, "meraki_org_id": "all", "dryrun": False}
    if scenario == "create":
        return "CreateUsers", {
            "user_email": "hire@bench.example", "user_name": "New Hire", "meraki_org_id": "all",
            "meraki_access_level": "read-only", "dryrun": False,
        }  # fmt: skip
    if scenario == "list":
        return "ListUsers", {"meraki_org_id": "all"}
    if scenario == "sync":
        return "SyncInventory", {"dryrun": False}
    if scenario == "login-security":
        return "CheckLoginSecurity", {"meraki_org_id": "all"}
    if scenario == "import":
        return "ImportUsers", {"csv_file": import_csv, "dryrun": False}
    if scenario == "policy-check":
        return "CheckAccessDrift", {"meraki_org_id": "all"}
    if scenario == "policy-enforce":
        return "EnforceAccessPolicy", {"meraki_org_id": "all", "dryrun": False}
    raise SystemExit(f"unknown scenario {scenario}")


def timeline(job_result, entries: list[tuple[float, str, str]]) -> dict:
    """Where the job's time went, from its log entries (created, grouping, message) and its start and end.

    Result lines are the one-per-organization lines (grouped by organization ID); a job without them (the sync)
    counts all its own lines instead. Nautobot's own lines ("Running job", "Job completed") are left out. The
    parts add up to the job's time: start to the first result line; writing the result lines; from the last
    result line to the job's last own line (inventory upkeep, files, the summary); and from there to the end
    (Nautobot's post-run: the result saved, the "Job completed" line, the JobResult closed).
    """
    started, done = job_result.date_started.timestamp(), job_result.date_done.timestamp()
    own = [created for created, grouping, _ in entries if grouping not in ("initialization", "post_run")]
    results = [created for created, grouping, _ in entries if grouping.isdigit()] or own
    last_own = own[-1] if own else done
    figures = {"log_lines": len(entries), "result_lines": len(results), "finish": done - last_own}
    if results:
        figures.update(
            to_first_result=results[0] - started,
            result_lines_span=results[-1] - results[0],
            after_results=last_own - results[-1],
        )
    return figures


def job_child(env: dict[str, str], scenario: str, data: tuple[str, dict], profile: str, queue, go) -> None:
    """Run one job when `go` is set; put its figures on `queue`."""
    try:
        user = _load_nautobot(env)
        from django.core.files.uploadedfile import SimpleUploadedFile
        from nautobot.extras.models import FileProxy, JobLogEntry

        class_name, kwargs = data
        kwargs = dict(kwargs)
        if "csv_file" in kwargs:  # what the upload in the form or the REST API does before the job starts
            upload = SimpleUploadedFile("bench-import.csv", kwargs["csv_file"], content_type="text/csv")
            kwargs["csv_file"] = str(FileProxy.objects.create(name=upload.name, file=upload).pk)
        baseline = _rss_mb("VmRSS")
        queue.put("ready")
        go.wait()
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        job_result = _run_job(user, class_name, kwargs)
        if profiler is not None:
            profiler.stop()
            PROFILES.mkdir(parents=True, exist_ok=True)
            (PROFILES / f"{profile}.html").write_text(profiler.output_html())
            (PROFILES / f"{profile}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        peak = _rss_mb("VmHWM") - baseline
        job_result.refresh_from_db()
        log_entries = [
            (created.timestamp(), grouping, message)
            for created, grouping, message in JobLogEntry.objects.filter(job_result=job_result)
            .order_by("created")
            .values_list("created", "grouping", "message")
        ]
        result = job_result.result
        entries = []
        stored = {}
        if isinstance(result, dict) and "organizations" in result:
            outcomes = dict(result.get("counts") or {})
            entries = [
                (e.get("organization_id"), e.get("outcome") or ("failed" if e.get("error") else "checked"),
                 e.get("dashboard", ""), tuple(e.get("also_seen_by", ())))
                for e in result["organizations"]
            ]  # fmt: skip
            if class_name == "CheckAccessDrift":  # its counts are findings: the organizations it could not read
                from nautobot_meraki_users.models import AccessFinding

                outcomes["failed"] = sum(1 for e in result["organizations"] if e.get("error"))
                stored = {"findings": AccessFinding.objects.count()}
        elif isinstance(result, dict) and "changes" in result:  # Enforce Meraki Access Policy: changes by action
            outcomes = dict(result.get("counts") or {})
            outcomes.setdefault("failed", 0)
        elif isinstance(result, dict):  # the sync: rows changed, of each kind
            counts = dict(result.get("counts") or {})
            outcomes = {"rows changed": sum(counts.values()), **counts}
            outcomes["failed"] = len(result.get("failed_organizations") or {})
        elif isinstance(result, list):
            outcomes = {"rows": len(result)}
        else:
            outcomes = {"result": str(result)[:200]}
        queue.put(
            {
                "started": job_result.date_started.timestamp(),
                "done": job_result.date_done.timestamp(),
                "status": str(job_result.status),
                "outcomes": outcomes,
                "failures": int(outcomes.get("failed", 0)),
                "peak_mb": peak,
                "timeline": timeline(job_result, log_entries),
                "entries": entries,
                "stored": stored_inventory() if class_name == "SyncInventory" else stored,
            }
        )
    except BaseException as err:
        queue.put({"error": f"{type(err).__name__}: {err}"})
        raise


class SwitchableLimits:
    """The stand-in's rate limits, replaceable between the seeding sync and the measured job."""

    def __init__(self, make):
        """`make()` builds a fresh MerakiRateLimits."""
        self._make = make
        self.current = make()

    def reset(self) -> None:
        """Forget the traffic so far (the seeding sync's) and start counting afresh."""
        self.current = self._make()

    def admit(self, path: str, source: str = "", at: float | None = None):
        """See MerakiRateLimits.admit."""
        return self.current.admit(path, source, at)

    def figures(self):
        """See MerakiRateLimits.figures."""
        return self.current.figures()


def measure_jobs(
    fake,
    api_key: str,
    scenario: str,
    args,
    parallel: int,
    leavers: tuple[str, ...],
    import_csv: bytes,
    dashboards: Sequence[tuple[str, str]] = (),
    label: str = "",
    policy: tuple | None = None,
) -> JobRun:
    """Serve the seeded `fake`, seed the inventory if needed, run `parallel` jobs at once and measure them.

    `dashboards`: (ExternalIntegration name, key) of each connection the jobs work through (none: one, `api_key`);
    `label`: the scenario's name as given (its profile's name), `scenario` being its base; `policy`: the access
    policy to seed, (organizations, grants, exempt emails), for the policy scenarios.
    """
    label = label or scenario
    from meraki_standin.limits import MerakiRateLimits
    from meraki_standin.server import StandinServer

    limits = SwitchableLimits(lambda: MerakiRateLimits(per_organization=10, per_ip=100, burst=args.burst))
    context = multiprocessing.get_context("spawn")
    with StandinServer(fake, "127.0.0.1", 0, log=open(os.devnull, "w"), latency=args.latency, limits=limits) as server:
        env = job_environment(server.base_url, api_key, args.concurrency, dashboards)
        queue = context.Queue()
        seeder = context.Process(target=seed_child, args=(env, scenario in NEEDS_INVENTORY, queue, policy))
        seeder.start()
        status = queue.get(timeout=3600)
        seeder.join()
        if status != "SUCCESS":
            raise SystemExit(f"bench: preparing the inventory for {label} failed: {status}")
        limits.reset()
        go = context.Event()
        processes = []
        for number in range(parallel):
            name = f"{label}{'' if parallel == 1 else f'-{number + 1}'}"
            profile = name if args.profile and parallel == 1 else ""
            data = job_data(scenario, leavers[number % len(leavers)], import_csv)
            processes.append(context.Process(target=job_child, args=(env, name, data, profile, queue, go)))
        for process in processes:
            process.start()
        for _ in processes:
            ready = queue.get(timeout=600)
            if ready != "ready":
                raise SystemExit(f"bench: a {label} job did not start: {ready}")
        go.set()
        reports = [queue.get(timeout=3600) for _ in processes]
        for process in processes:
            process.join()
        figures = limits.figures()
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise SystemExit(f"bench: the {label} job crashed: {errors[0]}")
    outcomes: dict[str, int] = {}
    for report in reports:
        for key, value in report["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + value if isinstance(value, int) else value
    return JobRun(
        seconds=max(r["done"] for r in reports) - min(r["started"] for r in reports),
        requests=figures.requests,
        rejected_429=figures.rejected_429,
        peak_ip_rate=figures.peak_ip_rate,
        peak_org_rate=figures.peak_organization_rate,
        busiest_org_requests=figures.busiest_organization_requests,
        peak_memory_mb=max(r["peak_mb"] for r in reports),
        outcomes=outcomes,
        failures=sum(r["failures"] for r in reports),
        statuses=[r["status"] for r in reports],
        timeline=reports[0]["timeline"] if parallel == 1 else {},
        entries=[entry for r in reports for entry in r["entries"]],
        stored=reports[0]["stored"] if parallel == 1 else {},
    )
