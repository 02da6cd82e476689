"""Everyday tasks for nautobot-meraki-users (invoke).

Every task runs in one of two modes:
- local (the default): this machine's PostgreSQL and Redis, the repo's .venv, processes in the background
  with their pids and logs under development/.state/;
- docker (`--docker`, or INVOKE_MERAKI_USERS_DOCKER=1): the docker-compose environment in development/.

Nautobot's first migration takes minutes; it happens once. The migrated database is kept as a template
(keyed on the Nautobot version and the app's migrations), so the dev database and the test database are
cloned from it in seconds afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from invoke import Context, task

ROOT = Path(__file__).resolve().parent
DEV = ROOT / "development"
STATE = DEV / ".state"
LOGS = STATE / "logs"
VENV_BIN = Path(sys.executable).parent
COMPOSE_FILES = [
    "docker-compose.base.yml",
    "docker-compose.postgres.yml",
    "docker-compose.redis.yml",
    "docker-compose.dev.yml",
]
COMPOSE_PROJECT = "nautobot-meraki-users"

DB_NAME = os.environ.get("NAUTOBOT_DB_NAME", "nautobot")
DB_USER = os.environ.get("NAUTOBOT_DB_USER", "nautobot")
DB_HOST = os.environ.get("NAUTOBOT_DB_HOST", "127.0.0.1")
PG_ADMIN = os.environ.get("MERAKI_USERS_PG_ADMIN", "postgres")  # a role allowed to create roles (trust auth here)
NAUTOBOT_PORT = int(os.environ.get("NAUTOBOT_PORT", "8080"))
STANDIN_PORT = int(os.environ.get("MERAKI_STANDIN_PORT", "8081"))
DEMO_API_KEY = "0123456789abcdef0123456789abcdef01234567"  # the stand-in Dashboard's key; not a real Meraki key
SECOND_DEMO_API_KEY = "fedcba9876543210fedcba9876543210fedcba98"  # its second account's key; not a real one either
# The two Dashboard connections (ExternalIntegrations) that development/demo_dashboards.py creates at start: name,
# the variable its Secret reads the key from, and the demo organizations that key sees in the stand-in.
DEMO_DASHBOARDS = {
    "Meraki Global": ("MERAKI_DASHBOARD_API_KEY", "100001 Acme Corp, 100002 Globex, 100003 Initech"),
    "Meraki Partner": ("MERAKI_PARTNER_API_KEY", "100002 Globex, 100004 Umbrella"),
}
DEMO_LOGIN_SECURITY_BASELINE = (
    '{"enforceTwoFactorAuth": true, "enforceIdleTimeout": true, "idleTimeoutMinutes": {"max": 30}, '
    '"enforceAccountLockout": true, "accountLockoutAttempts": {"max": 5}}'
)
ADMIN_USER = os.environ.get("NAUTOBOT_SUPERUSER_NAME", "admin")
ADMIN_PASSWORD = os.environ.get("NAUTOBOT_SUPERUSER_PASSWORD", "admin")


def _docker(docker: bool) -> bool:
    return docker or os.environ.get("INVOKE_MERAKI_USERS_DOCKER", "").lower() in ("1", "true", "yes")


def local_env() -> dict[str, str]:
    """The environment of every local-mode process: the dev config, local services, the stand-in Dashboard."""
    env = dict(os.environ)
    env.setdefault("NAUTOBOT_CONFIG", str(DEV / "nautobot_config.py"))
    env.setdefault("NAUTOBOT_ROOT", str(STATE / "nautobot"))
    env.setdefault("NAUTOBOT_DB_HOST", DB_HOST)
    env.setdefault("NAUTOBOT_DB_USER", DB_USER)
    env.setdefault("NAUTOBOT_DB_PASSWORD", "nautobot")
    env.setdefault("NAUTOBOT_DB_NAME", DB_NAME)
    env.setdefault("NAUTOBOT_REDIS_HOST", "127.0.0.1")
    env.setdefault("NAUTOBOT_ALLOWED_HOSTS", "*")
    env.setdefault("MERAKI_DASHBOARD_API_KEY", DEMO_API_KEY)
    # The stand-in's second account: the stand-in reads MERAKI_STANDIN_SECOND_API_KEY, the Secret of the
    # "Meraki Partner" connection reads MERAKI_PARTNER_API_KEY (the same key, as for the first account).
    env.setdefault("MERAKI_PARTNER_API_KEY", env.setdefault("MERAKI_STANDIN_SECOND_API_KEY", SECOND_DEMO_API_KEY))
    env.setdefault("MERAKI_DASHBOARDS", ",".join(DEMO_DASHBOARDS))  # the app's `dashboards` setting
    # A login security baseline the demo's organizations meet (Acme) or not (Globex, Initech).
    env.setdefault("MERAKI_LOGIN_SECURITY_BASELINE", DEMO_LOGIN_SECURITY_BASELINE)
    env.setdefault("MERAKI_BASE_URL", f"http://127.0.0.1:{STANDIN_PORT}/api/v1")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def compose(context: Context, command: str, **kwargs):
    """Run `docker compose` with the project's compose files."""
    files = " ".join(f'-f "{DEV / name}"' for name in COMPOSE_FILES)
    return context.run(f"docker compose --project-name {COMPOSE_PROJECT} {files} {command}", **kwargs)


def nautobot_server(context: Context, command: str, **kwargs):
    """Run a `nautobot-server` command in local mode."""
    return context.run(f"nautobot-server {command}", env=local_env(), **kwargs)


# ---------------------------------------------------------------------------------------------------------------------
# Local services and databases
# ---------------------------------------------------------------------------------------------------------------------


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _psql(context: Context, sql: str, database: str = "postgres", **kwargs):
    return context.run(
        f'psql -h {DB_HOST} -U {PG_ADMIN} -d {database} -v ON_ERROR_STOP=1 -tAc "{sql}"', hide=True, **kwargs
    )


def _wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up within {seconds:.0f} s")
        time.sleep(0.5)


@task
def services(context):
    """Make sure PostgreSQL and Redis run on this machine (install them with apt where missing)."""
    if not shutil.which("psql") or not shutil.which("redis-server"):
        print("Installing PostgreSQL and Redis with apt ...")
        context.run(
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server"
        )
    if not _port_open(5432):
        print("Starting PostgreSQL ...")
        context.run("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort | tail -1) main start")
        _wait_for(lambda: _port_open(5432), "PostgreSQL")
    if not _port_open(6379):
        print("Starting Redis ...")
        context.run('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no')
        _wait_for(lambda: _port_open(6379), "Redis")
    exists = _psql(context, f"SELECT 1 FROM pg_roles WHERE rolname='{DB_USER}'").stdout.strip()
    if not exists:
        _psql(context, f"CREATE ROLE {DB_USER} WITH LOGIN PASSWORD 'nautobot' CREATEDB")


def _database_exists(context: Context, name: str) -> bool:
    return bool(_psql(context, f"SELECT 1 FROM pg_database WHERE datname='{name}'").stdout.strip())


def template_name() -> str:
    """The name of the migrated template database for this Nautobot version and these app migrations."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("nautobot").encode())
    migrations = ROOT / "nautobot_meraki_users" / "migrations"
    for path in sorted(migrations.glob("*.py")) if migrations.exists() else []:
        digest.update(path.name.encode() + path.read_bytes())
    return f"meraki_users_tpl_{digest.hexdigest()[:12]}"


def _clone(context: Context, source: str, target: str) -> None:
    _psql(context, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='{source}'")
    _psql(context, f"CREATE DATABASE {target} OWNER {DB_USER} TEMPLATE {source}")


def save_template(context: Context, source: str) -> None:
    """Keep a migrated database as the template for later dev and test databases."""
    template = template_name()
    if not _database_exists(context, template):
        print(f"Saving the migrated database {source} as template {template} ...")
        _clone(context, source, template)


@task(pre=[services])
def migrate(context, docker=False):
    """Create and migrate the dev database (cloned from the template when one exists)."""
    if _docker(docker):
        compose(context, "run --rm --entrypoint 'nautobot-server migrate' nautobot")
        return
    fresh = not _database_exists(context, DB_NAME)
    if fresh and _database_exists(context, template_name()):
        print(f"Creating {DB_NAME} from the migrated template {template_name()} ...")
        _clone(context, template_name(), DB_NAME)
    elif fresh:
        _psql(context, f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
        print("Migrating a new Nautobot database: the first time takes about 6 minutes on 2 cores ...")
    nautobot_server(context, "migrate --no-input", hide="out")
    if fresh:  # only a database that holds nothing but migrations may become the template
        save_template(context, DB_NAME)


# ---------------------------------------------------------------------------------------------------------------------
# Start, stop, logs
# ---------------------------------------------------------------------------------------------------------------------

PROCESSES = {
    "meraki-standin": lambda: [
        sys.executable, "-m", "meraki_standin", "--host", "127.0.0.1", "--port", str(STANDIN_PORT), "--seed", "demo",
    ],
    "worker": lambda: [str(VENV_BIN / "nautobot-server"), "celery", "worker", "-l", "INFO", "--concurrency", "2"],
    "nautobot": lambda: [
        str(VENV_BIN / "nautobot-server"), "runserver", f"0.0.0.0:{NAUTOBOT_PORT}", "--insecure", "--noreload",
    ],
}  # fmt: skip


def _pid(name: str) -> int | None:
    pid_file = STATE / f"{name}.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def _spawn(name: str) -> None:
    if _pid(name):
        print(f"{name} is already running (pid {_pid(name)})")
        return
    LOGS.mkdir(parents=True, exist_ok=True)
    env = local_env()
    env["PYTHONPATH"] = f"{DEV}{os.pathsep}{env.get('PYTHONPATH', '')}"
    with open(LOGS / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            PROCESSES[name](), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    (STATE / f"{name}.pid").write_text(str(process.pid))
    print(f"started {name} (pid {process.pid}, log {LOGS / (name + '.log')})")


def _superuser_script() -> str:
    return (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"u, _ = U.objects.get_or_create(username='{ADMIN_USER}', defaults={{'email': 'admin@example.com'}}); "
        "u.is_superuser = True; u.is_staff = True; "
        f"u.set_password('{ADMIN_PASSWORD}') if not u.has_usable_password() or _ else None; u.save(); "
        f"print('user {ADMIN_USER} ready')"
    )


def _enable_jobs_script() -> str:
    return (
        "from nautobot.extras.models import Job; "
        "n = Job.objects.filter(module_name__startswith='nautobot_meraki_users').update(enabled=True); "
        "print(n, 'Meraki Users jobs enabled')"
    )


def _dashboards_script(development: str = str(DEV)) -> str:
    """Create or update the demo Dashboard connections (the same file runs in the Docker entrypoint)."""
    path = f"{development}/demo_dashboards.py"
    return f"import runpy; runpy.run_path({path!r}, run_name='__main__')"


def _policy_script(development: str = str(DEV)) -> str:
    """Create or update the demo access policy, drift included (the same file runs in the Docker entrypoint)."""
    path = f"{development}/demo_policy.py"
    return f"import runpy; runpy.run_path({path!r}, run_name='__main__')"


def _shell(context: Context, *scripts: str, docker: bool = False):
    """Run Python in ONE `nautobot-server shell` start-up (no page of auto-imports, unlike nbshell)."""
    command = f'shell --no-imports --command "{"; ".join(scripts)}"'
    if docker:
        return compose(context, f"exec nautobot nautobot-server {command}")
    return nautobot_server(context, command)


@task
def createsuperuser(context, docker=False):
    """Create the admin user (NAUTOBOT_SUPERUSER_NAME / NAUTOBOT_SUPERUSER_PASSWORD, default admin/admin)."""
    if _docker(docker):
        compose(context, "run --rm --entrypoint 'nautobot-server createsuperuser' nautobot", pty=True)
        return
    _shell(context, _superuser_script())


@task
def enable_jobs(context, docker=False):
    """Enable the app's jobs (Nautobot registers app jobs disabled)."""
    _shell(context, _enable_jobs_script(), docker=_docker(docker))


@task
def dashboards(context, docker=False):
    """Create or update the demo Dashboard connections: Secrets, SecretsGroups, ExternalIntegrations (`start` does)."""
    if _docker(docker):
        _shell(context, _dashboards_script("/source/development"), docker=True)
        return
    _shell(context, _dashboards_script())


@task
def demo_policy(context, docker=False):
    """Create or update the demo access policy: profiles, grants with drift in them, an exemption (`start` does)."""
    if _docker(docker):
        _shell(context, _policy_script("/source/development"), docker=True)
        return
    _shell(context, _policy_script())


@task
def sync(context, docker=False):
    """Run the Sync Meraki Inventory job once, so the Meraki menu and the job dropdowns have data."""
    command = f"runjob --local --username {ADMIN_USER} nautobot_meraki_users.jobs.SyncInventory"
    if _docker(docker):
        compose(context, f"exec nautobot nautobot-server {command}")
        return
    result = nautobot_server(context, command, hide=True, warn=True)
    print(
        "inventory synced"
        if "SUCCESS" in result.stdout + result.stderr
        else "inventory sync failed: see the job result"
    )


@task(
    positional=[],
    help={
        "job": "the job's class, e.g. CreateUsers (or its full path nautobot_meraki_users.jobs.CreateUsers)",
        "data": 'the job\'s data as JSON, e.g. \'{"meraki_org_id": "all"}\'',
    },
)
def runjob(context, job, data="{}", docker=False):
    """Run one of the app's jobs in-process (`nautobot-server runjob --local`) in the dev environment."""
    path = job if "." in job else f"nautobot_meraki_users.jobs.{job}"
    command = f"runjob --local --username {ADMIN_USER} --data {shlex.quote(data)} {shlex.quote(path)}"
    if _docker(docker):
        compose(context, f"exec nautobot nautobot-server {command}")
        return
    nautobot_server(context, command)


@task
def start(context, docker=False):
    """Start Nautobot with the app, a Celery worker and the stand-in Meraki Dashboard; print where to log in."""
    if _docker(docker):
        creds = DEV / "creds.env"
        if not creds.exists():
            shutil.copy(DEV / "creds.example.env", creds)
        compose(context, "up --detach --build")
        print(
            f"Nautobot: http://localhost:{NAUTOBOT_PORT}/ (user and password from development/creds.env)\n"
            f"Dashboard connections: {', '.join(DEMO_DASHBOARDS)} (MERAKI_DASHBOARDS in development/development.env; "
            "demo organizations 100001 to 100004)\n"
            "Access policy (Meraki > Policy), drift included: development/dev.sh runjob --docker --job CheckAccessDrift"
        )
        return
    services(context)
    migrate(context)
    _shell(context, _superuser_script(), _enable_jobs_script(), _dashboards_script())  # one start-up for all three
    for name in PROCESSES:
        _spawn(name)
    _wait_for(lambda: _port_open(STANDIN_PORT), "the stand-in Meraki Dashboard", 30)
    sync(context)
    demo_policy(context)  # its grants name the organizations the sync brought in
    _wait_for(lambda: _port_open(NAUTOBOT_PORT), "Nautobot", 120)
    print(
        f"\nNautobot with the Meraki Users app is up: http://127.0.0.1:{NAUTOBOT_PORT}/  "
        f"(log in as {ADMIN_USER} / {ADMIN_PASSWORD})\n"
        f"Jobs: http://127.0.0.1:{NAUTOBOT_PORT}/extras/jobs/  (group 'Meraki Users')\n"
        f"Stand-in Meraki Dashboard: http://127.0.0.1:{STANDIN_PORT}/api/v1  (demo organizations 100001 to 100004)\n"
        f"{_connections_summary(local_env())}\n"
        "Access policy (Meraki > Policy), drift included: development/dev.sh runjob --job CheckAccessDrift\n"
        f"Logs: {LOGS}/  -  stop with: development/dev.sh stop"
    )


def _connections_summary(env: dict[str, str]) -> str:
    """Which Dashboard connections the app uses (the `dashboards` setting) and what each one sees."""
    used = [name.strip() for name in env.get("MERAKI_DASHBOARDS", "").split(",") if name.strip()]
    if not used:
        return (
            "Dashboard connection: one, from MERAKI_DASHBOARD_API_KEY (MERAKI_DASHBOARDS is empty): "
            f"{DEMO_DASHBOARDS['Meraki Global'][1]}"
        )
    lines = [f"Dashboard connections (Extensibility > External Integrations; MERAKI_DASHBOARDS): {', '.join(used)}"]
    width = max(len(name) for name in used) + 1
    for name in used:
        variable, organizations = DEMO_DASHBOARDS.get(name, ("", "not a demo connection"))
        lines.append(f"  {name + ':':<{width}} {organizations}" + (f"  (key: {variable})" if variable else ""))
    if {"Meraki Global", "Meraki Partner"} <= set(used):
        first = next(name for name in used if name in ("Meraki Global", "Meraki Partner"))
        lines.append(f"  100002 Globex is seen by both: worked on once, through {first}")
    return "\n".join(lines)


@task
def stop(context, docker=False):
    """Stop what `start` started."""
    if _docker(docker):
        compose(context, "down")
        return
    for name in reversed(PROCESSES):
        pid = _pid(name)
        if pid:
            os.killpg(pid, signal.SIGTERM)
            (STATE / f"{name}.pid").unlink(missing_ok=True)
            print(f"stopped {name} (pid {pid})")


@task
def logs(context, docker=False, follow=False, service=""):
    """Show the logs of the dev processes (local: nautobot, worker, meraki-standin)."""
    if _docker(docker):
        compose(context, f"logs {'--follow' if follow else ''} {service}")
        return
    files = [LOGS / f"{name}.log" for name in ([service] if service else PROCESSES)]
    context.run(f"tail {'-f' if follow else '-n 50'} {' '.join(str(f) for f in files if f.exists())}", pty=follow)


@task
def nbshell(context, docker=False):
    """Open Nautobot's Python shell."""
    if _docker(docker):
        compose(context, "exec nautobot nautobot-server nbshell", pty=True)
        return
    nautobot_server(context, "nbshell", pty=True)


# ---------------------------------------------------------------------------------------------------------------------
# Tests, lint, docs
# ---------------------------------------------------------------------------------------------------------------------


@task
def lint(context):
    """Ruff: lint and format check."""
    context.run("ruff check .")
    context.run("ruff format --check .")


def _build_template(context: Context, template: str) -> None:
    """Migrate a new database and keep it, untouched by any test, as the template (about 7 minutes on 2 cores).

    It is migrated under a temporary name and renamed when done, so nobody clones a half-migrated template.
    """
    building = f"tplbuild_{os.getpid()}_{template}"
    _psql(context, f"CREATE DATABASE {building} OWNER {DB_USER}")
    env = local_env()
    env["NAUTOBOT_DB_NAME"] = building
    context.run("nautobot-server migrate --no-input", env=env, hide="out", pty=False)
    if _database_exists(context, template):  # another run built it meanwhile
        _psql(context, f"DROP DATABASE {building} WITH (FORCE)")
        return
    _psql(context, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='{building}'")
    _psql(context, f"ALTER DATABASE {building} RENAME TO {template}")


def env_for_tests() -> dict[str, str]:
    """The environment of a test run: local_env() without the dev's Dashboard connections.

    Tests configure the app themselves (PLUGINS_CONFIG); `dashboards` from MERAKI_DASHBOARDS would send every
    single-key test through ExternalIntegrations that the test database does not have.
    """
    env = local_env()
    env.pop("MERAKI_DASHBOARDS", None)
    env.pop("MERAKI_LOGIN_SECURITY_BASELINE", None)
    return env


def test_workers() -> int:
    """How many pytest-xdist workers run the suite: one per core (2 to 4), or NAUTOBOT_TEST_WORKERS (1: no xdist).

    At most 8: worker N uses Redis database 2 + N for its cache, below the tests' own 14 and 15.
    """
    wanted = os.environ.get("NAUTOBOT_TEST_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), 8)
    return max(2, min(4, os.cpu_count() or 2))


def test_databases(workers: int) -> list[str]:
    """The test databases of a run: pytest-django's `test_<name>`, suffixed `_gw<N>` for each xdist worker."""
    base = f"test_{env_for_tests()['NAUTOBOT_DB_NAME']}"
    return [base] if workers == 1 else [f"{base}_gw{index}" for index in range(workers)]


@task(help={"keyword": "only tests matching this pytest -k expression", "create_db": "rebuild the test databases"})
def tests(context, docker=False, keyword="", create_db=False):
    """Run the test suite against real PostgreSQL and Redis, in parallel (test databases kept between runs)."""
    if _docker(docker):  # the tests set their own settings: no Dashboard connections from development.env
        compose(context, "run --rm -e MERAKI_DASHBOARDS= --entrypoint 'pytest' nautobot --reuse-db")
        return
    services(context)
    if not shutil.which("chromium"):
        if os.geteuid() == 0:
            print("Installing Debian's chromium for the browser test ...")
            context.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium")
        else:
            print("chromium is not installed: the browser test will be skipped (apt-get install chromium)")
    env = env_for_tests()
    workers = test_workers()
    for test_db in test_databases(workers):
        if create_db and _database_exists(context, test_db):
            _psql(context, f"DROP DATABASE {test_db} WITH (FORCE)")
        if not _database_exists(context, test_db):
            # A test database is always a copy of a template that only migrations wrote: a test run's database is
            # not one (TransactionTestCase truncates every table, so Nautobot's statuses, roles and namespace are
            # gone).
            template = template_name()
            if not _database_exists(context, template):
                print(f"Migrating a new template database {template}: once, about 7 minutes on 2 cores ...")
                _build_template(context, template)
            print(f"Creating the test database {test_db} from the migrated template {template} ...")
            _clone(context, template, test_db)
    # pytest-xdist: one worker per test database; a class's or a module's tests stay together (their set-up runs once).
    parallel = f" -n {workers} --dist loadscope" if workers > 1 else ""
    args = "--reuse-db" + parallel + (f" -k '{keyword}'" if keyword else "")
    started = time.monotonic()
    result = context.run(f"pytest {args}", env=env, warn=True, pty=False)
    print(f"test suite wall time: {time.monotonic() - started:.1f} s")
    for screenshot in sorted((ROOT / "test-output").glob("*.png")):
        print(f"browser test screenshot: {screenshot}")
    if not result.ok:
        raise SystemExit(result.exited)


@task
def docs(context, serve=False):
    """Build the docs with mkdocs (`--serve` to preview on http://127.0.0.1:8001)."""
    context.run("mkdocs serve -a 127.0.0.1:8001" if serve else "mkdocs build --strict", env=local_env())


@task(
    help={
        "organizations": "stand-in organizations (default 200; a scenario like offboard-1000 names its own)",
        "admins": "admins per organization (default 20)",
        "latency": "seconds per round trip (default 0.2)",
        "rows": "rows of the import CSV (default 1000)",
        "grants": "access grants of the policy scenarios (default 1000)",
        "concurrency": "the app's concurrency setting (default 40)",
        "naive": "also measure one request at a time (default on; --no-naive skips it)",
        "scenarios": (
            "comma-separated: offboard,create,list,import,sync,login-security,policy-check,policy-enforce,offboard x2,"
            "offboard-1000,offboard-2dash (the default)"
        ),
        "profile": "write a pyinstrument profile of each job to development/.state/bench/",
    }
)
def bench(
    context,
    organizations=200,
    admins=20,
    latency=0.2,
    rows=1000,
    grants=1000,
    concurrency=40,
    naive=True,
    scenarios="",
    profile=False,
):
    """Benchmark the real jobs (and their engine) at Meraki's rate limits; prints tables, writes docs/performance.md."""
    services(context)
    args = (
        f"--organizations {organizations} --admins {admins} --latency {latency} --rows {rows} --grants {grants} "
        f"--concurrency {concurrency}" + ("" if naive else " --no-naive") + (" --profile" if profile else "")
    )
    if scenarios:
        args += f" --scenarios '{scenarios}'"
    # The benchmark decides its jobs' Dashboard connections itself, never the dev's MERAKI_DASHBOARDS.
    context.run(f"{sys.executable} development/benchmark.py {args}", env=env_for_tests(), pty=False)


@task(pre=[services])
def check_migrations(context):
    """Fail when the models have changes that no migration records (`makemigrations --check --dry-run`).

    It reads the migration history of the dev database, or of the test database (CI has only that one).
    """
    env = local_env()
    for name in (DB_NAME, *test_databases(test_workers())):
        if _database_exists(context, name):
            env["NAUTOBOT_DB_NAME"] = name
            break
    context.run("nautobot-server makemigrations nautobot_meraki_users --check --dry-run", env=env)
