"""Static checks of the development environment in development/: the Docker mode, and the local mode's settings.

No Docker engine, database, Nautobot or Django is needed for them: the compose files, env files, Dockerfile,
nautobot_config.py and demo_dashboards.py are read as text (YAML, ``ast``), never run. The compose files are merged
in the order ``invoke ... --docker`` passes them to ``docker compose -f ... -f ...``. tasks.py is loaded and its
tasks called with invoke's MockContext, so nothing runs.

The exception is DemoPolicyTest at the end: it runs what `start` runs (the demo Dashboard connections, the sync,
development/demo_policy.py) against the stand-in's demo seed in the test database, then Check Meraki Access Drift,
to show that a newcomer's first check finds every kind of finding.
"""

import ast
import importlib.util
import os
import re
import tomllib
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import demo_dashboards as demo_dashboards_script
import demo_policy
import pytest
import yaml
from invoke import MockContext, Result
from job_helpers import API_KEY, BASE_URL, JobTestCase, MerakiJobTestCase
from meraki_standin import FakeDashboard
from meraki_standin.seed import seed_demo

from nautobot_meraki_users.models import AccessExemption, AccessFinding, AccessGrant, AccessProfile

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "development"
COMPOSE_FILES = (
    "docker-compose.base.yml",
    "docker-compose.postgres.yml",
    "docker-compose.redis.yml",
    "docker-compose.dev.yml",
)
DEVELOPMENT_ENV = DEV / "development.env"
CREDS_ENV = DEV / "creds.env"
CREDS_EXAMPLE_ENV = DEV / "creds.example.env"
NAUTOBOT_CONFIG = DEV / "nautobot_config.py"
DOCKERFILE = DEV / "Dockerfile"
ENTRYPOINT_SCRIPT = DEV / "docker-entrypoint.sh"
DEMO_DASHBOARDS_SCRIPT = DEV / "demo_dashboards.py"  # creates the demo Dashboard connections in both modes
# Where the Dockerfile copies the repository inside the image (and docker-compose.dev.yml mounts it).
CONTAINER_SOURCE = "/source"

APP_NAME = "nautobot_meraki_users"
APP_SETTINGS_KEYS = {
    "api_key",
    "api_key_secrets_group",
    "base_url",
    "dashboards",
    "login_security_baseline",
    "egress_addresses",
    "email_regex",
    "allowed_organization_ids",
    "proxy",
    "request_timeout",
    "maximum_retries",
    "concurrency",
    "rate_limit_per_organization",
    "rate_limit_per_ip",
    "rate_limit_burst",
    "import_max_rows",
    "import_max_field_size",
}
ENV_READERS = {"str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path", "db_url", "cache_url"}
# In these service keys a later compose file replaces the list; other lists (ports, volumes, ...) are appended.
REPLACED_LISTS = {"command", "entrypoint", "test", "dns", "dns_search", "tmpfs"}

# `${NAME}`, `${NAME:-default}`, ... and bare `$NAME`; `$$` is compose's escape for a literal `$`.
INTERPOLATION = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[^}]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def rel(path: Path) -> str:
    """Return path relative to the repository root, for messages."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------- loading


def load_compose(name: str) -> dict[str, Any]:
    """Parse one compose file; fail naming the file when it is missing or malformed."""
    path = DEV / name
    assert path.is_file(), f"{rel(path)}: file is missing. Create it (cookiecutter layout: base, postgres, redis, dev)."
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        pytest.fail(f"{rel(path)}: not valid YAML: {error}. Fix the syntax.")
    assert isinstance(data, dict), f"{rel(path)}: top level is not a mapping. A compose file is a mapping."
    services = data.get("services")
    assert isinstance(services, dict) and services, f"{rel(path)}: no `services:` mapping. Declare its services."
    for service_name, service in services.items():
        assert isinstance(service, dict), f"{rel(path)}: service '{service_name}' is not a mapping."
    return data


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines the way compose's env_file does (comments, blank lines, quotes, `export`)."""
    assert path.is_file(), f"{rel(path)}: file is missing."
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        assert sep, f"{rel(path)}:{number}: `{raw}` is not KEY=VALUE. Write KEY=VALUE or comment the line with #."
        key = key.strip()
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key), f"{rel(path)}:{number}: `{key}` is not a variable name."
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def normalise_service(service: dict[str, Any]) -> dict[str, Any]:
    """Bring the short forms of environment, depends_on and env_file to one shape before merging."""
    service = dict(service)
    environment = service.get("environment")
    if isinstance(environment, list):
        service["environment"] = {
            item.partition("=")[0]: (item.partition("=")[2] if "=" in item else None) for item in environment
        }
    depends_on = service.get("depends_on")
    if isinstance(depends_on, list):
        service["depends_on"] = {name: {"condition": "service_started"} for name in depends_on}
    env_file = service.get("env_file")
    if isinstance(env_file, (str, dict)):
        service["env_file"] = [env_file]
    return service


def merge(base: Any, override: Any, key: str = "") -> Any:
    """Deep-merge override into base roughly as `docker compose -f base -f override` does."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = merge(base[name], value, name) if name in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list) and key not in REPLACED_LISTS:
        return base + [item for item in override if item not in base]
    return override


def merged_compose() -> dict[str, Any]:
    """Merge the compose files in the order tasks.py passes them."""
    result: dict[str, Any] = {}
    for name in COMPOSE_FILES:
        data = load_compose(name)
        data = dict(data)
        data["services"] = {svc: normalise_service(body) for svc, body in data["services"].items()}
        result = merge(result, {key: value for key, value in data.items() if not key.startswith("x-")})
    return result


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return merged_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def development_env() -> dict[str, str]:
    return parse_env_file(DEVELOPMENT_ENV)


@pytest.fixture(scope="module")
def creds_example_env() -> dict[str, str]:
    return parse_env_file(CREDS_EXAMPLE_ENV)


@pytest.fixture(scope="module")
def defined_env(development_env: dict[str, str], creds_example_env: dict[str, str]) -> dict[str, str]:
    return {**development_env, **creds_example_env}


def env_file_paths(service: dict[str, Any]) -> list[tuple[Path, bool]]:
    """Return (path, required) for each env_file entry of a service."""
    entries = []
    for entry in service.get("env_file") or []:
        if isinstance(entry, dict):
            entries.append((DEV / entry["path"], bool(entry.get("required", True))))
        else:
            entries.append((DEV / entry, True))
    return entries


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    """The environment a container gets: env_files in order (the example for creds.env), then `environment`."""
    values: dict[str, str] = {}
    for path, _required in env_file_paths(service):
        source = CREDS_EXAMPLE_ENV if path.name == CREDS_ENV.name and not path.is_file() else path
        if source.is_file():
            values.update(parse_env_file(source))
    values.update({key: str(value) for key, value in (service.get("environment") or {}).items() if value is not None})
    return values


def command_words(service: dict[str, Any]) -> list[str]:
    """Entrypoint plus command of a service as a list of words."""
    words: list[str] = []
    for key in ("entrypoint", "command"):
        value = service.get(key) or []
        words.extend(value.split() if isinstance(value, str) else [str(item) for item in value])
    return words


def strings_in(node: Any) -> list[str]:
    """Every string (keys and values) in a parsed YAML tree."""
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in [*strings_in(key), *strings_in(value)]]
    if isinstance(node, list):
        return [text for item in node for text in strings_in(item)]
    return [node] if isinstance(node, str) else []


def declared_in(service_name: str, value: Any = None) -> str:
    """Name the compose file(s) whose definition of a service mentions value (or defines it at all)."""
    files = []
    for name in COMPOSE_FILES:
        service = load_compose(name)["services"].get(service_name)
        if service is not None and (value is None or str(value) in strings_in(service) or str(value) in str(service)):
            files.append(f"development/{name}")
    return ", ".join(files) or "development/docker-compose.*.yml"


def container_path_to_host(path: str) -> Path | None:
    """Map an absolute path under /source in the image to the file it comes from in the repository."""
    if path == CONTAINER_SOURCE or path.startswith(CONTAINER_SOURCE + "/"):
        return ROOT / path[len(CONTAINER_SOURCE) :].lstrip("/")
    return None


def demo_dashboards() -> list[tuple[str, str]]:
    """(connection name, key variable) pairs of DEMO_DASHBOARDS in development/demo_dashboards.py, read with ``ast``."""
    assert DEMO_DASHBOARDS_SCRIPT.is_file(), f"{rel(DEMO_DASHBOARDS_SCRIPT)}: file is missing."
    tree = ast.parse(DEMO_DASHBOARDS_SCRIPT.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["DEMO_DASHBOARDS"]:
            return [tuple(pair) for pair in ast.literal_eval(node.value)]
    pytest.fail(f"{rel(DEMO_DASHBOARDS_SCRIPT)}: no DEMO_DASHBOARDS = ((name, variable), ...). Define it.")


def dashboards_setting(value: str) -> list[str]:
    """MERAKI_DASHBOARDS as nautobot_config.py's env.list() and the app read it: comma-separated, stripped."""
    return [name.strip() for name in value.split(",") if name.strip()]


# ------------------------------------------------------------------------------------------ compose files


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_parses(name):
    load_compose(name)


def test_expected_services_are_defined(services):
    missing = {"nautobot", "worker", "db", "redis", "meraki"} - set(services)
    assert not missing, f"development/docker-compose.*.yml: services {sorted(missing)} are not defined. Add them."


def test_every_service_has_an_image_or_a_buildable_context(services):
    for name, service in services.items():
        build = service.get("build")
        assert service.get("image") or build, f"{declared_in(name)}: service '{name}' has neither image nor build."
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        context = (DEV / build.get("context", ".")).resolve()
        assert context.is_dir(), (
            f"{declared_in(name, build.get('context', '.'))}: service '{name}' build context {rel(context)} "
            "does not exist. Contexts resolve against development/."
        )
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), (
            f"{declared_in(name, build.get('dockerfile', 'Dockerfile'))}: service '{name}' dockerfile "
            f"{rel(dockerfile)} does not exist. "
            "The dockerfile resolves against the build context."
        )


def test_every_env_file_exists(services):
    for name, service in services.items():
        for path, required in env_file_paths(service):
            if path.is_file() or not required:
                continue
            if path.name == CREDS_ENV.name and CREDS_EXAMPLE_ENV.is_file():
                continue  # git-ignored; `invoke start --docker` copies it from creds.example.env
            pytest.fail(
                f"{declared_in(name, path.relative_to(DEV))}: service '{name}' env_file {rel(path)} does not exist."
            )


def test_every_dependency_is_a_defined_service(services):
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, (
                f"{declared_in(name, dependency)}: service '{name}' depends_on '{dependency}', "
                "which no compose file defines. Define it or remove the dependency."
            )


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_interpolated_variable_is_defined(name, defined_env):
    for text in strings_in(load_compose(name)):
        for match in INTERPOLATION.finditer(text.replace("$$", "")):
            variable = match.group("braced") or match.group("bare")
            modifier = match.group("modifier") or ""
            has_default = modifier.startswith((":-", "-", ":+", "+"))
            assert has_default or variable in defined_env, (
                f"development/{name}: `${{{variable}}}` in `{text}` is defined neither in development.env nor "
                "in creds.example.env and has no default. Define it there or write `${VAR:-default}`."
            )


def test_every_relative_volume_source_exists(compose, services):
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                source = volume.get("source") or ""
                kind = volume.get("type", "volume")
            else:
                source = volume.split(":", 1)[0] if ":" in volume else ""
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            if not source:
                continue  # anonymous volume
            if kind == "volume":
                assert source in declared_volumes, (
                    f"{declared_in(name, volume)}: service '{name}' uses volume '{source}', "
                    "which no top-level `volumes:` declares. Declare it."
                )
            elif source.startswith("."):
                host_path = (DEV / source).resolve()
                assert host_path.exists(), (
                    f"{declared_in(name, volume)}: service '{name}' mounts {rel(host_path)}, which does not "
                    "exist. Relative sources resolve against development/."
                )


def published_ports(service: dict[str, Any]) -> set[tuple[str, str]]:
    """(host port, container port) pairs of a service's `ports`."""
    pairs = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            pairs.add((str(port.get("published", "")), str(port.get("target", ""))))
            continue
        parts = str(port).split("/")[0].split(":")
        pairs.add((parts[-2] if len(parts) > 1 else "", parts[-1]))
    return pairs


def test_nautobot_publishes_port_8080(services):
    command = " ".join(command_words(services["nautobot"]))
    assert "runserver 0.0.0.0:8080" in command, (
        f"{declared_in('nautobot', 'runserver')}: service 'nautobot' does not run `runserver 0.0.0.0:8080` ({command})."
    )
    assert ("8080", "8080") in published_ports(services["nautobot"]), (
        f"{declared_in('nautobot')}: service 'nautobot' does not publish 8080:8080. Add it to `ports:`."
    )
    assert services["nautobot"].get("healthcheck", {}).get("test"), (
        f"{declared_in('nautobot')}: service 'nautobot' has no healthcheck; worker waits for it to be healthy."
    )


def test_meraki_standin_is_started_from_the_development_folder(services):
    meraki = services["meraki"]
    words = command_words(meraki)
    assert "meraki_standin" in words, (
        f"{declared_in('meraki')}: service 'meraki' does not run `python -m meraki_standin` ({words})."
    )
    python_path = service_environment(meraki).get("PYTHONPATH", "")
    assert f"{CONTAINER_SOURCE}/development" in python_path.split(":"), (
        f"{declared_in('meraki')}: service 'meraki' needs PYTHONPATH=/source/development to import meraki_standin."
    )
    package = DEV / "meraki_standin"
    assert (package / "__main__.py").is_file(), (
        f"{rel(package)}/__main__.py: missing, so `python -m meraki_standin` cannot start. Add the stand-in's "
        "__main__.py."
    )


def test_meraki_base_url_reaches_the_standin(services):
    meraki_words = command_words(services["meraki"])
    assert "--port" in meraki_words, f"{declared_in('meraki')}: service 'meraki' has no `--port`."
    standin_port = meraki_words[meraki_words.index("--port") + 1]
    for name in ("nautobot", "worker"):
        base_url = service_environment(services[name]).get("MERAKI_BASE_URL")
        assert base_url, (
            f"development/development.env: MERAKI_BASE_URL is not set for service '{name}'. "
            "Set it to http://meraki:8081/api/v1."
        )
        url = urlsplit(base_url)
        assert url.hostname in services, (
            f"development/development.env: MERAKI_BASE_URL={base_url} names host '{url.hostname}', "
            "which is no compose service. Use the meraki service's name."
        )
        assert str(url.port) == standin_port and url.path.rstrip("/") == "/api/v1", (
            f"development/development.env: MERAKI_BASE_URL={base_url} does not match the stand-in, which listens "
            f"on port {standin_port} under /api/v1."
        )


def test_standin_key_matches_creds_example(services, creds_example_env):
    standin_key = (services["meraki"].get("environment") or {}).get("MERAKI_DASHBOARD_API_KEY")
    example_key = creds_example_env.get("MERAKI_DASHBOARD_API_KEY")
    assert standin_key and standin_key == example_key, (
        "development/creds.example.env: MERAKI_DASHBOARD_API_KEY differs from the key the meraki service accepts "
        f"({standin_key!r}). Keep the stand-in's demo key in both."
    )


def test_the_dashboards_setting_names_the_demo_connections(development_env):
    names = [name for name, _ in demo_dashboards()]
    assert len(names) >= 2, f"{rel(DEMO_DASHBOARDS_SCRIPT)}: the demo shows several connections; it defines {names}."
    assert dashboards_setting(development_env.get("MERAKI_DASHBOARDS", "")) == names, (
        f"development/development.env: MERAKI_DASHBOARDS={development_env.get('MERAKI_DASHBOARDS')!r} should name "
        f"the connections {rel(DEMO_DASHBOARDS_SCRIPT)} creates, in its order: {','.join(names)}."
    )


def test_standin_accounts_match_the_connection_keys(services, creds_example_env):
    standin = services["meraki"].get("environment") or {}
    # The stand-in's accounts, in the order of its seed: "default" (--api-key), then "second".
    account_variables = ["MERAKI_DASHBOARD_API_KEY", "MERAKI_STANDIN_SECOND_API_KEY"]
    for (name, variable), standin_variable in zip(demo_dashboards(), account_variables, strict=True):
        key = creds_example_env.get(variable)
        assert key and key == standin.get(standin_variable), (
            f"development/creds.example.env: {variable} (the key of the connection {name!r}) is "
            f"{key!r}, but the meraki service's {standin_variable} is {standin.get(standin_variable)!r}. "
            "Give both the same public demo key."
        )
        for service in ("nautobot", "worker"):  # its Secret is read where the jobs and forms run
            assert service_environment(services[service]).get(variable) == key, (
                f"{declared_in(service)}: service '{service}' does not get {variable}, which the Secret of the "
                f"connection {name!r} reads. Give it the env files."
            )
    keys = [standin.get(variable) for variable in account_variables]
    assert keys[0] != keys[1], "docker-compose.base.yml: the stand-in's two accounts need different keys."


def test_service_hosts_in_env_are_services(services, development_env):
    for variable in ("NAUTOBOT_DB_HOST", "NAUTOBOT_REDIS_HOST"):
        host = development_env.get(variable)
        assert host in services, (
            f"development/development.env: {variable}={host} is no compose service. Use 'db' or 'redis'."
        )


def test_database_credentials_agree(development_env, creds_example_env):
    pairs = [
        ("POSTGRES_USER", "NAUTOBOT_DB_USER", development_env),
        ("POSTGRES_DB", "NAUTOBOT_DB_NAME", development_env),
        ("POSTGRES_PASSWORD", "NAUTOBOT_DB_PASSWORD", creds_example_env),
    ]
    for postgres_var, nautobot_var, values in pairs:
        assert values.get(postgres_var) and values.get(postgres_var) == values.get(nautobot_var), (
            f"development/*.env: {postgres_var}={values.get(postgres_var)!r} and "
            f"{nautobot_var}={values.get(nautobot_var)!r} must be set and equal."
        )


def test_creds_example_holds_the_secrets(creds_example_env):
    required = {
        "NAUTOBOT_DB_PASSWORD",
        "POSTGRES_PASSWORD",
        "NAUTOBOT_SECRET_KEY",
        "DJANGO_SUPERUSER_USERNAME",
        "DJANGO_SUPERUSER_PASSWORD",
        "DJANGO_SUPERUSER_EMAIL",
        "MERAKI_DASHBOARD_API_KEY",
        *(variable for _, variable in demo_dashboards()),  # the keys the demo connections' Secrets read
    }
    missing = required - {key for key, value in creds_example_env.items() if value}
    assert not missing, f"development/creds.example.env: {sorted(missing)} missing or empty. Add them."
    assert creds_example_env["DJANGO_SUPERUSER_USERNAME"] == "admin", (
        "development/creds.example.env: DJANGO_SUPERUSER_USERNAME should be admin, as the docs say."
    )


def test_creds_env_is_git_ignored():
    patterns = (ROOT / ".gitignore").read_text(encoding="utf-8").split() if (ROOT / ".gitignore").is_file() else []
    assert "creds.env" in patterns or "development/creds.env" in patterns, (
        ".gitignore: creds.env is not ignored, so secrets could be committed. Add `creds.env`."
    )


# ------------------------------------------------------------------------------------- nautobot_config.py


def env_reads(tree: ast.AST) -> dict[str, bool]:
    """Map each variable read through `env.<type>("NAME", ...)` to whether the call gives a default."""
    reads: dict[str, bool] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.func.attr in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            has_default = len(node.args) > 1 or any(keyword.arg == "default" for keyword in node.keywords)
            reads[node.args[0].value] = reads.get(node.args[0].value, True) and has_default
    return reads


@pytest.fixture(scope="module")
def config_tree() -> ast.Module:
    assert NAUTOBOT_CONFIG.is_file(), f"{rel(NAUTOBOT_CONFIG)}: file is missing."
    return ast.parse(NAUTOBOT_CONFIG.read_text(encoding="utf-8"), filename=str(NAUTOBOT_CONFIG))


def test_config_variables_without_default_are_set(config_tree, defined_env):
    reads = env_reads(config_tree)
    # Cross-check the AST walk against a plain text search, so a change of style cannot hide a variable.
    text_reads = set(re.findall(r"\benv\.\w+\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", NAUTOBOT_CONFIG.read_text()))
    assert text_reads and text_reads == set(reads), (
        f'{rel(NAUTOBOT_CONFIG)}: could not parse the env.<type>("NAME") reads ({sorted(text_reads ^ set(reads))}).'
    )
    for variable, has_default in reads.items():
        assert has_default or variable in defined_env, (
            f"{rel(NAUTOBOT_CONFIG)}: reads {variable} without a default, but neither development.env nor "
            "creds.example.env sets it. Set it there or give it a default."
        )


def test_app_variables_in_env_files_are_read_by_config(config_tree, development_env, creds_example_env):
    reads = env_reads(config_tree)
    secret_variables = {variable for _, variable in demo_dashboards()}  # read by the demo connections' Secrets
    for path, values in ((DEVELOPMENT_ENV, development_env), (CREDS_EXAMPLE_ENV, creds_example_env)):
        for variable in values:
            if variable.startswith("MERAKI_") or variable.startswith("NAUTOBOT_JOB_MERAKI_"):
                assert variable in reads or variable in secret_variables, (
                    f"{rel(path)}: {variable} is set but neither {rel(NAUTOBOT_CONFIG)} nor a Secret of "
                    f"{rel(DEMO_DASHBOARDS_SCRIPT)} reads it. Fix the name."
                )


def test_app_settings_keys(config_tree):
    plugins_config = None
    plugins = None
    for node in config_tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "PLUGINS_CONFIG":
                plugins_config = node.value
            elif node.targets[0].id == "PLUGINS":
                plugins = node.value
    assert plugins is not None and APP_NAME in ast.literal_eval(plugins), (
        f"{rel(NAUTOBOT_CONFIG)}: PLUGINS does not list {APP_NAME!r}. Add it."
    )
    assert isinstance(plugins_config, ast.Dict), f"{rel(NAUTOBOT_CONFIG)}: PLUGINS_CONFIG is not a dict literal."
    app_settings = None
    for key, value in zip(plugins_config.keys, plugins_config.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == APP_NAME:
            app_settings = value
    assert isinstance(app_settings, ast.Dict), f"{rel(NAUTOBOT_CONFIG)}: PLUGINS_CONFIG[{APP_NAME!r}] is missing."
    keys = {key.value for key in app_settings.keys if isinstance(key, ast.Constant)}
    assert keys == APP_SETTINGS_KEYS, (
        f"{rel(NAUTOBOT_CONFIG)}: PLUGINS_CONFIG[{APP_NAME!r}] keys differ: "
        f"missing {sorted(APP_SETTINGS_KEYS - keys)}, unexpected {sorted(keys - APP_SETTINGS_KEYS)}."
    )


# ------------------------------------------------------------------------------- Dockerfile and start-up


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, with line continuations joined."""
    assert DOCKERFILE.is_file(), f"{rel(DOCKERFILE)}: file is missing."
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        instruction, _, arguments = line.partition(" ")
        instructions.append((instruction.upper(), arguments.strip()))
    return instructions


def build_context(services: dict[str, dict[str, Any]]) -> Path:
    build = services["nautobot"].get("build") or {}
    return (DEV / (build if isinstance(build, str) else build.get("context", "."))).resolve()


def test_dockerfile_base_image_and_settings():
    instructions = dockerfile_instructions()
    args = [arguments for instruction, arguments in instructions if instruction == "ARG"]
    assert "NAUTOBOT_VER=3.2.7" in args and "PYTHON_VER=3.11" in args, (
        f"{rel(DOCKERFILE)}: needs `ARG NAUTOBOT_VER=3.2.7` and `ARG PYTHON_VER=3.11` before FROM."
    )
    froms = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert froms == ["ghcr.io/nautobot/nautobot-dev:${NAUTOBOT_VER}-py${PYTHON_VER}"], (
        f"{rel(DOCKERFILE)}: FROM is {froms}; it should be "
        "ghcr.io/nautobot/nautobot-dev:${NAUTOBOT_VER}-py${PYTHON_VER}."
    )
    env_text = " ".join(arguments for instruction, arguments in instructions if instruction == "ENV")
    match = re.search(r"NAUTOBOT_CONFIG[= ](\S+)", env_text)
    assert match, f"{rel(DOCKERFILE)}: does not set ENV NAUTOBOT_CONFIG. Point it at /source/development/."
    config_on_host = container_path_to_host(match.group(1))
    assert config_on_host == NAUTOBOT_CONFIG, (
        f"{rel(DOCKERFILE)}: NAUTOBOT_CONFIG={match.group(1)} is not /source/development/nautobot_config.py."
    )
    runs = " ".join(arguments for instruction, arguments in instructions if instruction == "RUN")
    assert re.search(r"pip install .*-e \"?/source\[dev\]", runs), (
        f"{rel(DOCKERFILE)}: does not `pip install -e /source[dev]`. Install the app with its dev extra."
    )


def test_dockerfile_copy_sources_exist(services):
    context = build_context(services)
    for instruction, arguments in dockerfile_instructions():
        if instruction not in {"COPY", "ADD"}:
            continue
        words = [word for word in arguments.split() if not word.startswith("--")]
        if any(word.startswith("--from") for word in arguments.split()):
            continue  # copies from another stage or image, not from the build context
        for source in words[:-1]:
            if "://" in source:
                continue
            relative = source.lstrip("/").rstrip("/") or "."
            exists = (context / relative).exists() if relative == "." else bool(list(context.glob(relative)))
            assert exists, (
                f"{rel(DOCKERFILE)}: `{instruction} {arguments}` copies {source}, which does not exist in the "
                f"build context {rel(context)}."
            )


def test_dockerfile_installs_what_pyproject_needs():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert "dev" in project.get("optional-dependencies", {}), (
        "pyproject.toml: no `dev` extra, but development/Dockerfile installs /source[dev]. Add the extra."
    )
    readme = project.get("readme")
    readme_file = readme if isinstance(readme, str) else (readme or {}).get("file")
    if readme_file:
        assert (ROOT / readme_file).is_file(), (
            f"pyproject.toml: readme {readme_file} does not exist, so `pip install -e /source[dev]` in "
            f"{rel(DOCKERFILE)} fails. Add the file."
        )


def test_secrets_stay_out_of_the_image():
    ignore_files = [DEV / "Dockerfile.dockerignore", ROOT / ".dockerignore"]
    patterns = set()
    for path in ignore_files:
        if path.is_file():
            patterns.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    assert {"creds.env", "development/creds.env"} & patterns or "**/creds.env" in patterns, (
        f"{rel(ignore_files[0])}: creds.env is not ignored, so `COPY . /source` bakes the secrets into the image. "
        "Ignore it."
    )


def test_container_paths_under_source_exist(services):
    for name, service in services.items():
        words = command_words(service) + list(service_environment(service).values())
        for word in words:
            for part in word.split(":"):
                host_path = container_path_to_host(part)
                if host_path is not None:
                    assert host_path.exists(), (
                        f"{declared_in(name, part)}: service '{name}' uses {part}, but {rel(host_path)} "
                        "does not exist in the repository."
                    )


def test_entrypoint_script_is_used_and_complete(services):
    if not ENTRYPOINT_SCRIPT.is_file():
        pytest.skip("development/docker-entrypoint.sh is not used")
    script_in_container = f"{CONTAINER_SOURCE}/development/{ENTRYPOINT_SCRIPT.name}"
    users = [name for name, service in services.items() if script_in_container in command_words(service)]
    assert "nautobot" in users, (
        f"{rel(ENTRYPOINT_SCRIPT)}: not referenced by the nautobot service. Set its entrypoint to "
        f"`bash {script_in_container}` or remove the script."
    )
    script = ENTRYPOINT_SCRIPT.read_text(encoding="utf-8")
    for step in ("post_upgrade", "createsuperuser --noinput", "update(enabled=True)", "exec "):
        assert step in script, f"{rel(ENTRYPOINT_SCRIPT)}: missing the `{step}` step."
    assert script.index("post_upgrade") < script.index("update(enabled=True)"), (
        f"{rel(ENTRYPOINT_SCRIPT)}: enables the Jobs before post_upgrade registers them. Migrate first."
    )
    dashboards_in_container = f"{CONTAINER_SOURCE}/development/{DEMO_DASHBOARDS_SCRIPT.name}"
    assert dashboards_in_container in script, (
        f"{rel(ENTRYPOINT_SCRIPT)}: does not run {dashboards_in_container}, so the Dashboard connections that "
        "MERAKI_DASHBOARDS names do not exist. Run it with `nautobot-server shell`."
    )
    assert container_path_to_host(dashboards_in_container) == DEMO_DASHBOARDS_SCRIPT
    assert script.index("post_upgrade") < script.index(dashboards_in_container) < script.index("SyncInventory"), (
        f"{rel(ENTRYPOINT_SCRIPT)}: create the Dashboard connections after post_upgrade and before the sync uses them."
    )


# ------------------------------------------------------------------------------------------ local mode


def load_tasks():
    spec = importlib.util.spec_from_file_location("meraki_users_tasks_env", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tasks(monkeypatch):
    for variable in ("MERAKI_DASHBOARDS", "MERAKI_DASHBOARD_API_KEY", "MERAKI_PARTNER_API_KEY",
                     "MERAKI_STANDIN_SECOND_API_KEY"):  # fmt: skip
        monkeypatch.delenv(variable, raising=False)
    return load_tasks()


def test_local_mode_configures_the_same_connections_and_keys_as_docker(tasks, creds_example_env, development_env):
    env = tasks.local_env()
    assert dashboards_setting(env["MERAKI_DASHBOARDS"]) == dashboards_setting(development_env["MERAKI_DASHBOARDS"])
    assert list(tasks.DEMO_DASHBOARDS) == [name for name, _ in demo_dashboards()]
    for name, variable in demo_dashboards():
        assert tasks.DEMO_DASHBOARDS[name][0] == variable, f"tasks.py: DEMO_DASHBOARDS[{name!r}] names another key."
        assert env[variable] == creds_example_env[variable], f"tasks.py: local_env() gives {variable} another key."
    # The stand-in's second account gets the key the second connection's Secret reads.
    assert env["MERAKI_STANDIN_SECOND_API_KEY"] == env[demo_dashboards()[1][1]] == tasks.SECOND_DEMO_API_KEY
    assert re.fullmatch(r"[0-9a-f]{40}", tasks.SECOND_DEMO_API_KEY) and tasks.SECOND_DEMO_API_KEY != tasks.DEMO_API_KEY


def test_start_creates_the_connections_with_the_shared_script(tasks):
    assert str(DEMO_DASHBOARDS_SCRIPT) in tasks._dashboards_script()
    assert f"{CONTAINER_SOURCE}/development/{DEMO_DASHBOARDS_SCRIPT.name}" in tasks._dashboards_script(
        f"{CONTAINER_SOURCE}/development"
    )


def test_tests_never_get_the_dev_dashboards_setting(tasks, monkeypatch):
    monkeypatch.setenv("MERAKI_DASHBOARDS", "Meraki Global,Meraki Partner")
    monkeypatch.setattr(tasks, "services", lambda context: None)
    monkeypatch.setattr(tasks, "_database_exists", lambda context, name: True)
    monkeypatch.setattr(tasks.shutil, "which", lambda name: f"/usr/bin/{name}")
    context = MockContext(run=Result(""), repeat=True)
    tasks.tests(context, keyword="test_readme")
    [pytest_run] = [call for call in context.run.call_args_list if call.args[0].startswith("pytest ")]
    assert "MERAKI_DASHBOARDS" not in pytest_run.kwargs["env"], "tasks.py: `tests` passes MERAKI_DASHBOARDS to pytest."
    assert "MERAKI_DASHBOARDS" not in tasks.env_for_tests()  # the benchmark's jobs too

    context = MockContext(run=Result(""), repeat=True)
    tasks.tests(context, docker=True)
    [command] = [call.args[0] for call in context.run.call_args_list]
    assert " -e MERAKI_DASHBOARDS= " in command, "tasks.py: `tests --docker` keeps development.env's MERAKI_DASHBOARDS."


# ------------------------------------------------------------------------------------ the demo access policy

DEMO_POLICY_SCRIPT = DEV / "demo_policy.py"  # the access policy, drift included, that both modes create at start


def test_start_creates_the_demo_policy_after_the_sync_in_both_modes(tasks):
    """Its grants name organizations of the inventory, so it runs after Sync Meraki Inventory, locally and in Docker."""
    assert str(DEMO_POLICY_SCRIPT) in tasks._policy_script()
    in_container = f"{CONTAINER_SOURCE}/development/{DEMO_POLICY_SCRIPT.name}"
    assert in_container in tasks._policy_script(f"{CONTAINER_SOURCE}/development")
    source = (ROOT / "tasks.py").read_text(encoding="utf-8")
    start = ast.get_source_segment(
        source, next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "start")
    )
    assert "demo_policy(context)" in start and start.index("sync(context)") < start.index("demo_policy(context)"), (
        "tasks.py: `start` must run the demo policy (development/demo_policy.py) after the inventory sync."
    )
    script = ENTRYPOINT_SCRIPT.read_text(encoding="utf-8")
    assert in_container in script, f"{rel(ENTRYPOINT_SCRIPT)}: does not create the demo access policy."
    assert container_path_to_host(in_container) == DEMO_POLICY_SCRIPT
    assert script.index("SyncInventory") < script.index(in_container) < script.index('exec "$@"'), (
        f"{rel(ENTRYPOINT_SCRIPT)}: create the demo access policy after the sync, before the server starts."
    )


def test_demo_policy_task_uses_a_quiet_shell(tasks):
    context = MockContext(run=Result(""), repeat=True)
    tasks.demo_policy(context)
    [command] = [call.args[0] for call in context.run.call_args_list]
    assert command.startswith("nautobot-server shell --no-imports --command ") and str(DEMO_POLICY_SCRIPT) in command


SECOND_KEY = "fedcba9876543210fedcba9876543210fedcba98"  # the stand-in's second account, as in the dev environment


class DemoPolicyTest(MerakiJobTestCase):
    """The dev environment's start against the stand-in's demo seed: both connections, the sync, the policy."""

    def setUp(self):
        JobTestCase.setUp(self)  # not MerakiJobTestCase's one-account seed: the demo seed over two accounts
        pause = mock.patch("nautobot_meraki_users.dashboard.client.pause", lambda seconds: None)
        pause.start()
        self.addCleanup(pause.stop)
        self.fake = FakeDashboard(api_key=API_KEY)
        self.fake.add_account("second", SECOND_KEY)
        seed_demo(self.fake)
        router = self.fake.mock(BASE_URL)
        router.start()
        self.addCleanup(router.stop)
        keys = {
            variable: key for (_, variable), key in zip(demo_dashboards_script.DEMO_DASHBOARDS, (API_KEY, SECOND_KEY))
        }
        environment = mock.patch.dict(os.environ, keys)
        environment.start()
        self.addCleanup(environment.stop)
        names = demo_dashboards_script.ensure_dashboards(BASE_URL)
        self.set_config(dashboards=names, api_key=None)
        job_result, result, _ = self.run_job("SyncInventory", dryrun=False)
        self.assertEqual(job_result.status, "SUCCESS", result)
        self.fake.clear_records()

    def rows(self) -> tuple[int, int, int]:
        return AccessProfile.objects.count(), AccessGrant.objects.count(), AccessExemption.objects.count()

    def test_check_finds_every_kind_of_finding_and_not_the_exempt_admin(self):
        done = demo_policy.ensure_policy()
        self.assertEqual(done["warnings"], [])
        rows = self.rows()
        grants = len(demo_policy.GRANTS) + len(demo_policy.ROLE_GRANTS)
        self.assertEqual(rows, (len(demo_policy.PROFILES), grants, len(demo_policy.EXEMPTIONS)))
        self.assertEqual(demo_policy.ensure_policy()["warnings"], [])  # a second start: nothing new
        self.assertEqual(self.rows(), rows)

        job_result, result, _ = self.run_job("CheckAccessDrift", meraki_org_id="all")
        self.assertEqual(job_result.status, "SUCCESS", result)
        found = {
            (org["organization_id"], finding["email"] or f"SAML role {finding['saml_role']}"): finding["finding"]
            for org in result["organizations"]
            for finding in org["findings"]
        }
        self.assertEqual(found, demo_policy.EXPECTED_FINDINGS)
        self.assertEqual(
            {kind for kind, count in result["counts"].items() if count},
            {"missing", "different", "unmanaged", "expired", "unresolved"},
        )
        exempt = {email for email, _, _ in demo_policy.EXEMPTIONS}
        self.assertTrue(exempt and not exempt & {email for _, email in found})
        self.assertIn("alice@acme.example", {admin["email"] for admin in self.fake.admins("100001")})
        self.assertEqual(AccessFinding.objects.count(), len(demo_policy.EXPECTED_FINDINGS))
        self.assertEqual(self.fake.writes, [])

    def test_enforce_dry_run_creates_removes_and_refuses_as_the_script_says(self):
        demo_policy.ensure_policy()
        job_result, result, _ = self.run_job("EnforceAccessPolicy", meraki_org_id="all", dryrun=True)
        self.assertEqual(job_result.status, "SUCCESS", result)
        changes = {
            (c["organization_id"], c["email"] or f"SAML role {c['saml_role']}"): c["action"] for c in result["changes"]
        }
        self.assertEqual(
            changes,
            {
                ("100001", "carol@acme.example"): "created",
                ("100001", "bob@acme.example"): "removed",
                ("100002", "dana@labs.example"): "created",
                ("100002", "hank@globex.example"): "skipped",  # the last admin with full org access there
                ("100002", "SAML role NOC read-only"): "unchanged",
                ("100002", "SAML role Branch engineers"): "skipped",  # unmanaged
                ("100003", "dana@labs.example"): "skipped",  # unresolved
                ("100004", "dana@labs.example"): "created",
                ("100004", "wesker@umbrella.example"): "skipped",  # unmanaged, remove_unmanaged off
            },
        )
        self.assertEqual(self.fake.writes, [])
