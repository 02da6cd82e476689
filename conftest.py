"""Test set-up: Nautobot with the app on the local PostgreSQL and Redis, and the stand-in Meraki Dashboard.

It lives at the repository root so that it runs before pytest collects anything: the tests in tests/ and the
docstring examples of the package (`--doctest-modules` on nautobot_meraki_users/), whose modules import Django
models and so need Nautobot set up first.
"""

import os
import sys
from pathlib import Path

import nautobot

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("NAUTOBOT_CONFIG", str(ROOT / "development" / "nautobot_config.py"))
os.environ.setdefault("NAUTOBOT_ROOT", str(ROOT / "development" / ".state" / "nautobot"))
os.environ.setdefault("NAUTOBOT_DB_HOST", "127.0.0.1")
os.environ.setdefault("NAUTOBOT_DB_USER", "nautobot")
os.environ.setdefault("NAUTOBOT_DB_PASSWORD", "nautobot")
os.environ.setdefault("NAUTOBOT_REDIS_HOST", "127.0.0.1")
# The key of the environment must never leak into a test: tests set the key they mean.
os.environ.pop("MERAKI_DASHBOARD_API_KEY", None)
sys.path.insert(0, str(ROOT / "development"))  # the stand-in Dashboard package `meraki_standin`

nautobot.setup()
# Settings are loaded: the variable nautobot.setup() set would only send pytest-xdist's workers (which inherit this
# environment) to import "nautobot_config" before this file has set them up the same way.
os.environ.pop("DJANGO_SETTINGS_MODULE", None)

# Migrations hold no examples, and importing them teaches nothing.
collect_ignore_glob = ["nautobot_meraki_users/migrations/*"]
