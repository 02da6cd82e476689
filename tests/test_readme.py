"""The README works verbatim: static checks of README.md, tasks.py and development/dev.sh (no network, no database).

Behaviour the README promises about the REST API (400 per field, FAILURE after 201 for an unknown organization)
is tested through the real endpoint in test_form_path.py.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shlex
from pathlib import Path

import pytest
from invoke import MockContext, Result

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
TASKS_SOURCE = (ROOT / "tasks.py").read_text()
SYSTEM_COMMANDS = {"curl", "pip", "export"}  # documented system commands a newcomer has
NUMBER_WORDS = {
    4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve",
    13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen",
}  # fmt: skip


def load_tasks():
    spec = importlib.util.spec_from_file_location("meraki_users_tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shell_commands() -> list[tuple[str, str]]:
    """(section heading, command) for every command in the README's ```shell blocks, continuation lines joined."""
    commands = []
    heading = ""
    in_block = False
    pending = ""
    for line in README.splitlines():
        if not in_block and line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.strip() == "```shell":
            in_block = True
            continue
        if in_block and line.strip() == "```":
            in_block = False
            continue
        if not in_block:
            continue
        text = pending + line.strip()
        if text.endswith("\\"):  # continued on the next line
            pending = text[:-1] + " "
            continue
        try:
            words = shlex.split(text, comments=True)
        except ValueError:  # a quoted value spans lines
            pending = text + "\n"
            continue
        pending = ""
        if words:
            commands.append((heading, text))
    return commands


def program_of(command: str) -> str:
    """The program a command runs, after leading VAR=value assignments."""
    words = shlex.split(command, comments=True)
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words.pop(0)
    return words[0] if words else ""


def test_every_readme_shell_command_starts_with_something_a_newcomer_has():
    commands = shell_commands()
    assert len(commands) >= 8
    for heading, command in commands:
        program = program_of(command)
        if program == "":  # a bare assignment such as TOKEN=...
            continue
        if program == "nautobot-server":  # on PATH only in your own Nautobot installation
            assert heading == "Install into an existing Nautobot", (heading, command)
            continue
        assert program in SYSTEM_COMMANDS or (ROOT / program).is_file(), (heading, command)


def test_readme_dev_sh_tasks_exist():
    tasks = load_tasks()
    for _, command in shell_commands():
        words = shlex.split(command, comments=True)
        if words[0] == "development/dev.sh" and not words[1].startswith("-"):
            assert hasattr(tasks, words[1].replace("-", "_")), command


def test_readme_counts_the_jobs_from_jobs_py():
    from nautobot_meraki_users.jobs import jobs  # the list that register_jobs() receives

    assert f"enable the {NUMBER_WORDS[len(jobs)]} jobs" in README


def test_placeholder_nautobot_token_is_not_the_standin_meraki_key():
    tasks = load_tasks()
    tokens = re.findall(r"TOKEN=(\w+)", README) + re.findall(r'token="(\w+)"', README)
    assert tokens
    for token in tokens:
        assert token != tasks.DEMO_API_KEY


def test_readme_claims_only_measured_start_times_and_the_real_rest_behaviour():
    assert "about 30 seconds" not in README
    assert "later starts take about a minute" in README
    assert "before anything runs" not in README
    assert "job ends FAILURE with an `errors` list naming `meraki_org_id`" in README


def test_no_invoke_hints_in_what_tasks_print():
    strings = [
        node.value
        for node in ast.walk(ast.parse(TASKS_SOURCE))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [s for s in strings if re.search(r"\binvoke [a-z]", s)]
    assert "stop with: development/dev.sh stop" in TASKS_SOURCE


@pytest.mark.parametrize("task_name", ["createsuperuser", "enable_jobs", "dashboards"])
def test_setup_tasks_use_a_quiet_shell(task_name):
    tasks = load_tasks()
    context = MockContext(run=Result(""), repeat=True)
    getattr(tasks, task_name)(context)
    [command] = [call.args[0] for call in context.run.call_args_list]
    assert command.startswith("nautobot-server shell --no-imports --command ")
    assert "nbshell --command" not in TASKS_SOURCE


def test_start_creates_the_user_the_jobs_and_the_connections_in_one_shell_start_up():
    source = ast.get_source_segment(
        TASKS_SOURCE,
        next(
            node for node in ast.parse(TASKS_SOURCE).body if isinstance(node, ast.FunctionDef) and node.name == "start"
        ),
    )
    assert source.count("_shell(") == 1
    assert "_superuser_script()" in source and "_enable_jobs_script()" in source
    assert "_dashboards_script()" in source  # the demo Dashboard connections that MERAKI_DASHBOARDS names


def job_variables() -> dict[str, set[str]]:
    """Each registered job class and the data keys (variables) it declares."""
    from nautobot_meraki_users.jobs import jobs

    return {job.__name__: set(job._get_vars()) for job in jobs}


def test_readme_runjob_commands_send_json_the_jobs_accept():
    """`runjob --local` ignores unknown keys silently: a misspelt key in the README would do nothing, unnoticed."""
    tasks, variables = load_tasks(), job_variables()
    runs = [shlex.split(command, comments=True) for _, command in shell_commands() if " runjob " in f" {command} "]
    assert len(runs) >= 6
    connections = set()
    for words in runs:
        job = words[words.index("--job") + 1]
        data = json.loads(words[words.index("--data") + 1])
        assert set(data) <= variables[job], (job, sorted(set(data) - variables[job]))
        if data.get("dashboard"):
            connections.add(data["dashboard"])
    # The section on several accounts runs a job through one named connection of the dev environment.
    assert connections and connections <= set(tasks.DEMO_DASHBOARDS), connections


def test_readme_documents_several_dashboards():
    section = README.split("## Several Meraki accounts and clouds", 1)[1].split("\n## ", 1)[0]
    for promise in ("ExternalIntegration", "SecretsGroup", "`dashboards`", "`dashboard`", "also_seen_by",
                    "failed_dashboards", "10 requests", "100 requests"):  # fmt: skip
        assert promise in section, promise
    assert "| `dashboards` |" in README  # the settings table


def test_dev_sh_install_is_quiet():
    dev_sh = (ROOT / "development" / "dev.sh").read_text()
    assert 'PYTHONWARNINGS="ignore:Editable installation"' in dev_sh
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "Apache-2.0"' in pyproject  # a TOML-table license makes setuptools warn
