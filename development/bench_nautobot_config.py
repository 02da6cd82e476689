"""Nautobot settings for `invoke bench`: the development settings, with the cache (and so the app's shared rate
budget) in a Redis database of its own, so the benchmark's jobs and other processes on the machine (dev worker,
test runs) never share a request budget; and the Dashboard connections and the login security baseline the
benchmark decides, never a development shell's MERAKI_DASHBOARDS or MERAKI_LOGIN_SECURITY_BASELINE.
"""

import json
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

# The baseline Check Meraki Login Security checks against (the login-security scenario; the other jobs ignore it):
# development/bench_jobs.py's LOGIN_SECURITY_BASELINE, as JSON. Unset (not run by the bench): none.
PLUGINS_CONFIG["nautobot_meraki_users"]["login_security_baseline"] = json.loads(  # noqa: F821
    os.environ.get("MERAKI_USERS_BENCH_LOGIN_SECURITY_BASELINE") or "{}"
)
