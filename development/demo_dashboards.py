"""The development environment's two Dashboard connections, as Nautobot data (run inside Nautobot).

Both modes run this file at start, inside `nautobot-server shell`: `development/dev.sh start` (tasks.py, in the
same start-up as the admin user and the jobs) and the Docker `nautobot` service (docker-entrypoint.sh). For each
connection of DEMO_DASHBOARDS it creates, or brings up to date:

- a Secret `<name> API key`, provider Environment Variable, reading the key from the variable given below (set
  in the environment of the Nautobot web and worker processes);
- a SecretsGroup `<name> API` holding that Secret as access type HTTP(S), secret type Token;
- an ExternalIntegration `<name>`: remote URL = the app's `base_url` (MERAKI_BASE_URL: the stand-in Dashboard,
  or the Meraki cloud you pointed it at), timeout 30 s, that SecretsGroup.

The app works through them when its `dashboards` setting names them (MERAKI_DASHBOARDS in the development
environment). The stand-in Dashboard serves two accounts: the key in MERAKI_DASHBOARD_API_KEY sees 100001 Acme
Corp, 100002 Globex and 100003 Initech; the key in MERAKI_STANDIN_SECOND_API_KEY (for Nautobot:
MERAKI_PARTNER_API_KEY) sees 100002 Globex and 100004 Umbrella.

Run it again with `development/dev.sh dashboards` (add `--docker` in the Docker mode).
"""

from __future__ import annotations

import os

# (ExternalIntegration name, the environment variable its Secret reads the Meraki API key from)
DEMO_DASHBOARDS = (
    ("Meraki Global", "MERAKI_DASHBOARD_API_KEY"),  # the stand-in's account "default": 100001, 100002, 100003
    ("Meraki Partner", "MERAKI_PARTNER_API_KEY"),  # the stand-in's account "second": 100002, 100004
)
TIMEOUT = 30  # seconds, the ExternalIntegration's timeout (the app's request_timeout for that connection)
APP_NAME = "nautobot_meraki_users"


def _upsert(model, lookup: dict, **values):
    """The row matching `lookup`, created or changed to carry `values` (validated); untouched when it already does."""
    row = model.objects.filter(**lookup).first() or model(**lookup)
    if row._state.adding or any(getattr(row, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(row, key, value)
        row.validated_save()
    return row


def ensure_dashboards(
    base_url: str, connections: tuple[tuple[str, str], ...] = DEMO_DASHBOARDS, timeout: int = TIMEOUT
) -> list[str]:
    """Create or update the Secret, SecretsGroup and ExternalIntegration of every connection; their names.

    `connections`: (name, the environment variable its key is read from), the demo's by default (the bench has its
    own).
    """
    from nautobot.extras.choices import SecretsGroupAccessTypeChoices, SecretsGroupSecretTypeChoices
    from nautobot.extras.models import ExternalIntegration, Secret, SecretsGroup, SecretsGroupAssociation

    for name, variable in connections:
        secret = _upsert(
            Secret, {"name": f"{name} API key"}, provider="environment-variable", parameters={"variable": variable}
        )
        group = _upsert(SecretsGroup, {"name": f"{name} API"})
        _upsert(
            SecretsGroupAssociation,
            {
                "secrets_group": group,
                "access_type": SecretsGroupAccessTypeChoices.TYPE_HTTP,
                "secret_type": SecretsGroupSecretTypeChoices.TYPE_TOKEN,
            },
            secret=secret,
        )
        _upsert(ExternalIntegration, {"name": name}, remote_url=base_url, secrets_group=group, timeout=timeout)
    return [name for name, _ in connections]


def main() -> None:
    """Ensure the connections against the configured base URL and say what the app will use."""
    from django.conf import settings

    app_config = settings.PLUGINS_CONFIG.get(APP_NAME, {})
    base_url = str(app_config.get("base_url") or "https://api.meraki.com/api/v1").rstrip("/")
    names = ensure_dashboards(base_url)
    print(f"Dashboard connections (ExternalIntegrations) ready: {', '.join(names)} -> {base_url}")
    for name, variable in DEMO_DASHBOARDS:
        if not os.environ.get(variable, "").strip():
            print(f"warning: {variable} is not set here, so {name} has no key. Set it for the web service and workers.")
    used = list(app_config.get("dashboards") or [])
    print(
        f"dashboards setting: {', '.join(used)}"
        if used
        else "dashboards setting is empty: the app uses one connection from api_key / base_url"
    )


if __name__ == "__main__":
    main()
