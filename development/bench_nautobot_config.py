"""Nautobot settings for `invoke bench`: the development settings, with the cache (and so the app's shared rate
budget) in a Redis database of its own, so the benchmark's jobs and other processes on the machine (dev worker,
test runs) never share a request budget; and the Dashboard connections the benchmark decides, never a development
shell's MERAKI_DASHBOARDS.
"""

import os
from pathlib import Path

from nautobot.core.settings_funcs import parse_redis_connection

# Nautobot loads its config file as the module `nautobot_config`, so the development settings are read by path.
_DEVELOPMENT_SETTINGS = Path(__file__).with_name("nautobot_config.py")
exec(compile(_DEVELOPMENT_SETTINGS.read_text(), str(_DEVELOPMENT_SETTINGS), "exec"))

CACHES["default"]["LOCATION"] = parse_redis_connection(  # noqa: F821
    redis_database=int(os.environ.get("MERAKI_USERS_BENCH_REDIS_DB", "3"))
)

# Empty (most scenarios): one connection, the stand-in's key in MERAKI_DASHBOARD_API_KEY. A -2dash scenario names
# the ExternalIntegrations it made (development/bench_jobs.py), comma-separated.
PLUGINS_CONFIG["nautobot_meraki_users"]["dashboards"] = [  # noqa: F821
    name.strip() for name in os.environ.get("MERAKI_USERS_BENCH_DASHBOARDS", "").split(",") if name.strip()
]
