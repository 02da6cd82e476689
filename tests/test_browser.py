"""End to end in a real headless Chromium: log in, open "Create Meraki User", pick an organization and a network
from the inventory dropdowns, run it as a dry run, and find the planned change on the result page.

Runs Nautobot's web server and a Celery worker as their own processes on the test database, with the stand-in
Dashboard over loopback HTTP. Leaves a screenshot of the result page in test-output/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from job_helpers import API_KEY, seed
from meraki_standin import FakeDashboard
from meraki_standin.server import StandinServer
from nautobot.apps.testing import TransactionTestCase
from nautobot.extras.models import Job, JobResult
from nautobot.users.models import User

from nautobot_meraki_users.dashboard.client import Dashboard
from nautobot_meraki_users.inventory import sync as inventory
from nautobot_meraki_users.operations.admins import Organization
from nautobot_meraki_users.settings import settings_from_mapping

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is installed by the dev extra")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
BROKER = "redis://127.0.0.1:6379/14"  # its own queue: a developer's running worker must not take these jobs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)  # polling a server that is starting, not a timed assertion
    raise TimeoutError(f"nothing listens on {port}")


class BrowserDryRunTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.password = "browser-test-password"
        user = User.objects.create(username="browser", is_superuser=True, is_staff=True)
        user.set_password(self.password)
        user.save()
        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)
        self.fake = FakeDashboard(api_key=API_KEY)
        seed(self.fake)
        self.standin = StandinServer(self.fake, "127.0.0.1", 0, log=open(os.devnull, "w")).start()  # noqa: SIM115
        self.addCleanup(self.standin.stop)
        # The inventory the dropdowns read, filled by the app's own sync from the stand-in.
        app_settings = settings_from_mapping({"base_url": self.standin.base_url})
        with Dashboard(app_settings, API_KEY) as dashboard:
            orgs = [Organization(o.id, o.name, o.url) for o in dashboard.organizations()]
            inventory.sync_inventory(inventory.read_snapshot(dashboard, orgs, 4), dryrun=False)
        self.fake.clear_records()
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            NAUTOBOT_DB_NAME=settings.DATABASES["default"]["NAME"],
            NAUTOBOT_CELERY_BROKER_URL=BROKER,
            MERAKI_BASE_URL=self.standin.base_url,
            MERAKI_DASHBOARD_API_KEY=API_KEY,
            MERAKI_RATE_LIMIT_PER_IP="1000000",
            MERAKI_RATE_LIMIT_PER_ORGANIZATION="1000000",
        )
        server = str(Path(sys.executable).parent / "nautobot-server")
        OUTPUT.mkdir(exist_ok=True)
        self.web = self.spawn([server, "runserver", f"127.0.0.1:{self.port}", "--insecure", "--noreload"], env, "web")
        self.worker = self.spawn([server, "celery", "worker", "-l", "INFO", "--pool", "solo"], env, "worker")
        wait_for_port(self.port, self.web)

    def spawn(self, command, env, name):
        log = open(OUTPUT / f"browser-{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(log.close)
        self.addCleanup(process.wait, 30)
        self.addCleanup(process.terminate)
        return process

    def test_create_user_dry_run_with_inventory_pickers(self):
        base = f"http://127.0.0.1:{self.port}"
        job = Job.objects.get(module_name="nautobot_meraki_users.jobs", job_class_name="CreateUsers")
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"{base}/login/?next=/extras/jobs/{job.pk}/run/")
            page.fill("input[name=username]", "browser")
            page.fill("input[name=password]", self.password)
            page.click("button[type=submit]")
            page.wait_for_selector("#id_user_email")
            page.fill("#id_user_email", "pat@example.com")
            page.fill("#id_user_name", "Pat Example")
            # Organization dropdown (from the inventory): pick Acme.
            page.click("#id_meraki_org_id + .select2 .select2-selection")
            page.fill(".select2-container--open .select2-search__field", "Acme")
            page.click(".select2-results__option >> text=Acme (100)")
            # Network dropdown: filtered by the organization picked; pick HQ.
            page.click("#id_meraki_network + .select2 .select2-selection")
            option = page.wait_for_selector(".select2-results__option >> text=HQ")
            options = page.locator(".select2-container--open .select2-results__option").all_inner_texts()
            option.click()
            page.check("#id_dryrun")
            page.screenshot(path=str(OUTPUT / "browser-create-form.png"), full_page=True)
            page.click("button[type=submit] >> text=Run Job Now")
            page.wait_for_url("**/job-results/**", timeout=60_000)
            page.wait_for_selector("text=dry run: would create pat@example.com", timeout=90_000)
            page.screenshot(path=str(OUTPUT / "browser-create-dry-run-result.png"), full_page=True)
            browser.close()
        self.assertEqual(sorted(options), ["Branch", "HQ"])  # only Acme's networks: Globex's HQ was not offered
        result = JobResult.objects.get(job_model=job)
        self.assertEqual(result.status, "SUCCESS")
        self.assertEqual(result.task_kwargs["meraki_org_id"], "100")
        self.assertEqual(result.task_kwargs["meraki_network"], "N_100_1")
        self.assertEqual(result.result["counts"], {"created": 1})
        self.assertEqual(self.fake.writes, [])
