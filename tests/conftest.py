"""Test set-up: Nautobot with the app on the local PostgreSQL and Redis, and the stand-in Meraki Dashboard."""

import os
import sys
from pathlib import Path

import nautobot

ROOT = Path(__file__).resolve().parent.parent
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
