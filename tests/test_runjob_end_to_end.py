"""End to end: `nautobot-server runjob` in its own process, the stand-in Dashboard over real loopback HTTP."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from job_helpers import API_KEY, seed
from meraki_standin import FakeDashboard
from meraki_standin.server import StandinServer
from nautobot.apps.testing import TransactionTestCase
from nautobot.extras.models import Job, JobResult
from nautobot.users.models import User

ROOT = Path(__file__).resolve().parent.parent


class RunjobEndToEndTest(TransactionTestCase):
    def setUp(self):
        super().setUp()
        User.objects.create(username="operator", is_superuser=True)
        Job.objects.filter(module_name="nautobot_meraki_users.jobs").update(enabled=True)
        self.fake = FakeDashboard(api_key=API_KEY)  # absolute Link URLs, like Meraki
        seed(self.fake)
        for index in range(5):
            self.fake.add_network("300", f"N_300_{index}", f"Site {index}", tags=["stores"])
        self.server = StandinServer(self.fake, "127.0.0.1", 0).start()
        self.addCleanup(self.server.stop)

    def runjob(self, job_class, data):
        env = dict(os.environ)
        env.update(
            NAUTOBOT_DB_NAME=settings.DATABASES["default"]["NAME"],  # the test database
            MERAKI_BASE_URL=self.server.base_url,
            MERAKI_DASHBOARD_API_KEY=API_KEY,
        )
        command = [
            str(Path(sys.executable).parent / "nautobot-server"), "runjob", "--local", "--username", "operator",
            "--data", json.dumps(data), f"nautobot_meraki_users.jobs.{job_class}",
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        return done.stdout + done.stderr

    def test_create_with_networks_by_name_then_offboard_everywhere(self):
        output = self.runjob(
            "CreateUsers",
            {
                "user_email": "pat@example.com", "user_name": "Pat", "meraki_org_id": "300",
                "meraki_network": "Site 4", "meraki_network_access": "full", "dryrun": False,
            },
        )  # fmt: skip
        self.assertIn("SUCCESS", output)
        self.assertNotIn(API_KEY, output)
        [pat] = [a for a in self.fake.admins("300") if a["email"] == "pat@example.com"]
        self.assertEqual(pat["networks"], [{"id": "N_300_4", "access": "full"}])

        output = self.runjob("DeleteUsers", {"user_email": "pat@example.com", "meraki_org_id": "all", "dryrun": False})
        self.assertIn("SUCCESS", output)
        result = JobResult.objects.filter(name__icontains="Delete").latest("date_created").result
        self.assertEqual(result["counts"], {"removed": 1, "absent": 2})
        self.assertEqual(self.fake.spec_violations, [])
