"""Nautobot settings for developing and testing nautobot-meraki-users.

Nautobot's own settings already read NAUTOBOT_DB_*, NAUTOBOT_REDIS_*, NAUTOBOT_SECRET_KEY and
NAUTOBOT_ALLOWED_HOSTS from the environment; this file adds the app and its settings, filled from
environment variables with django-environ.
"""

import sys

import environ
from nautobot.core.settings import *  # noqa: F403

env = environ.Env()

DEBUG = env.bool("NAUTOBOT_DEBUG", default=False)
TESTING = (len(sys.argv) > 1 and sys.argv[1] == "test") or "pytest" in sys.modules
SECRET_KEY = env.str("NAUTOBOT_SECRET_KEY", default="development-only-secret-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("NAUTOBOT_ALLOWED_HOSTS", default=["*"])

DATABASES = {
    "default": {
        "NAME": env.str("NAUTOBOT_DB_NAME", default="nautobot"),
        "USER": env.str("NAUTOBOT_DB_USER", default="nautobot"),
        "PASSWORD": env.str("NAUTOBOT_DB_PASSWORD", default="nautobot"),
        "HOST": env.str("NAUTOBOT_DB_HOST", default="127.0.0.1"),
        "PORT": env.str("NAUTOBOT_DB_PORT", default="5432"),
        "CONN_MAX_AGE": env.int("NAUTOBOT_DB_TIMEOUT", default=300),
        "ENGINE": "django.db.backends.postgresql",
    }
}


LOG_LEVEL = env.str("NAUTOBOT_LOG_LEVEL", default="INFO")

# Development and CI machines reach no outside service: no installation metrics.
INSTALLATION_METRICS_ENABLED = env.bool("NAUTOBOT_INSTALLATION_METRICS_ENABLED", default=False)

PLUGINS = ["nautobot_meraki_users"]

PLUGINS_CONFIG = {
    "nautobot_meraki_users": {
        # The key itself: prefer a SecretsGroup in production; the environment works for development.
        "api_key": env.str("MERAKI_DASHBOARD_API_KEY", default=None),
        "api_key_secrets_group": env.str("MERAKI_API_KEY_SECRETS_GROUP", default=None),
        "base_url": env.str("MERAKI_BASE_URL", default="https://api.meraki.com/api/v1"),
        # Several Dashboard connections: ExternalIntegration names, comma-separated ("Meraki Global,Meraki Partner",
        # which development/demo_dashboards.py creates); empty: one connection from the three settings above.
        "dashboards": env.list("MERAKI_DASHBOARDS", default=[]),
        "email_regex": env.str("NAUTOBOT_JOB_MERAKI_EMAIL_VALIDATION_REGEX", default=None),
        "allowed_organization_ids": env.list("MERAKI_ALLOWED_ORGANIZATION_IDS", default=[]),
        "proxy": env.str("MERAKI_PROXY", default=None),
        "request_timeout": env.int("MERAKI_REQUEST_TIMEOUT", default=30),
        "maximum_retries": env.int("MERAKI_MAXIMUM_RETRIES", default=5),
        # Fan-out and the rate budget shared (through Redis) by every job and worker using this key.
        "concurrency": env.int("MERAKI_CONCURRENCY", default=40),
        "rate_limit_per_organization": env.float("MERAKI_RATE_LIMIT_PER_ORGANIZATION", default=10),
        "rate_limit_per_ip": env.float("MERAKI_RATE_LIMIT_PER_IP", default=100),
        "rate_limit_burst": env.int("MERAKI_RATE_LIMIT_BURST", default=0),
        # Import Meraki Users: rows per file, characters per cell.
        "import_max_rows": env.int("MERAKI_IMPORT_MAX_ROWS", default=10000),
        "import_max_field_size": env.int("MERAKI_IMPORT_MAX_FIELD_SIZE", default=65536),
        # Login security every organization must meet (Check / Enforce Meraki Login Security), as JSON.
        "login_security_baseline": env.json("MERAKI_LOGIN_SECURITY_BASELINE", default={}),
        # Where this Nautobot reaches Meraki from (public addresses): IP restrictions must keep them in.
        "egress_addresses": env.list("MERAKI_EGRESS_ADDRESSES", default=[]),
    }
}

# Parallel tests (pytest-xdist): each worker has its own test database (pytest-django names it) and its own Redis
# cache database, so one worker's rate budget, 429 walls and cached settings never reach another's tests.
_XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if TESTING and _XDIST_WORKER.startswith("gw") and _XDIST_WORKER[2:].isdigit():
    CACHES["default"]["LOCATION"] = parse_redis_connection(redis_database=2 + int(_XDIST_WORKER[2:]))  # noqa: F405
