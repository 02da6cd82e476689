"""A typed view of PLUGINS_CONFIG["nautobot_meraki_users"] and the one place that resolves the API key."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field

from nautobot_meraki_users.dashboard.types import IMPLICIT_DASHBOARD, DashboardConnection
from nautobot_meraki_users.errors import ConfigurationError
from nautobot_meraki_users.operations.login_security import Rule, parse_baseline

APP_NAME = "nautobot_meraki_users"
API_KEY_ENVIRONMENT_VARIABLE = "MERAKI_DASHBOARD_API_KEY"
DEFAULT_BASE_URL = "https://api.meraki.com/api/v1"

# Every setting's default, in one place: the AppConfig's default_settings, AppSettings and the parsing below
# all read it (app-config-schema.json repeats them for tools; a test keeps the two equal).
DEFAULTS: dict[str, object] = {
    "api_key": None,
    "api_key_secrets_group": None,
    "base_url": DEFAULT_BASE_URL,
    "dashboards": [],  # names of ExternalIntegrations, each one Dashboard connection; empty: the three settings above
    "email_regex": None,
    "allowed_organization_ids": [],
    "proxy": None,
    "request_timeout": 30,
    "maximum_retries": 5,
    "concurrency": 40,
    "rate_limit_per_organization": 10,
    "rate_limit_per_ip": 100,
    "rate_limit_burst": 0,
    "import_max_rows": 10000,
    "import_max_field_size": 65536,  # characters per CSV cell
    "login_security_baseline": {},  # login security fields an organization must meet: exact values or min/max
    "egress_addresses": [],  # where this Nautobot's requests reach Meraki from (after NAT): IP restrictions keep them
}


@dataclass(frozen=True)
class AppSettings:
    """The app's settings, checked and typed; `api_key` is never shown by repr()."""

    api_key: str | None = field(default=None, repr=False)
    api_key_secrets_group: str | None = None
    base_url: str = DEFAULT_BASE_URL
    dashboards: tuple[str, ...] = ()
    email_regex: str | None = None
    allowed_organization_ids: tuple[str, ...] = ()
    proxy: str | None = None
    request_timeout: float = float(DEFAULTS["request_timeout"])
    maximum_retries: int = int(DEFAULTS["maximum_retries"])
    concurrency: int = int(DEFAULTS["concurrency"])
    rate_limit_per_organization: float = float(DEFAULTS["rate_limit_per_organization"])
    rate_limit_per_ip: float = float(DEFAULTS["rate_limit_per_ip"])
    rate_limit_burst: int = int(DEFAULTS["rate_limit_burst"])
    import_max_rows: int = int(DEFAULTS["import_max_rows"])
    import_max_field_size: int = int(DEFAULTS["import_max_field_size"])
    login_security_rules: tuple[Rule, ...] = ()
    egress_addresses: tuple[str, ...] = ()

    @property
    def email_pattern(self) -> re.Pattern[str] | None:
        """The compiled `email_regex`, or None when no policy is set."""
        return re.compile(self.email_regex) if self.email_regex else None


def _blank_to_none(value: object) -> object:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _as_id_tuple(value: object) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple, set)):
        raise ConfigurationError(
            "allowed_organization_ids: must be a list of organization IDs. "
            'Set it like ["123456", "654321"] in PLUGINS_CONFIG["nautobot_meraki_users"].'
        )
    return tuple(str(item).strip() for item in value if str(item).strip())


def _names(value: object) -> tuple[str, ...]:
    """The `dashboards` setting: distinct, non-blank ExternalIntegration names, in the order given."""
    if value in (None, ""):
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ConfigurationError(
            f"dashboards: {value!r} is not a list of ExternalIntegration names. Set it like "
            '["Meraki global", "Meraki China"] in PLUGINS_CONFIG["nautobot_meraki_users"], or leave it empty to use '
            "api_key / api_key_secrets_group and base_url."
        )
    names = tuple(item.strip() for item in value)
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise ConfigurationError(f"dashboards: {', '.join(map(repr, doubles))} is listed twice. List each once.")
    return names


def _addresses(value: object) -> tuple[str, ...]:
    """The `egress_addresses` setting: IP addresses, as written."""
    items = _as_id_tuple(value) if not isinstance(value, (list, tuple)) else tuple(str(v).strip() for v in value)
    for item in items:
        try:
            ipaddress.ip_address(item)
        except ValueError:
            raise ConfigurationError(
                f"egress_addresses: {item!r} is not an IP address. List the public addresses this Nautobot's requests "
                'reach Meraki from, e.g. ["198.51.100.7"], in PLUGINS_CONFIG["nautobot_meraki_users"].'
            ) from None
    return items


def _number(config: dict, key: str, kind: type, minimum: float) -> float:
    value = config.get(key)
    if value is None or value == "":
        return kind(DEFAULTS[key])
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        raise ConfigurationError(
            f"{key}: {value!r} is not valid; it must be a number of at least {minimum:g}. "
            f'Fix PLUGINS_CONFIG["nautobot_meraki_users"]["{key}"].'
        )
    return number


def settings_from_mapping(config: dict) -> AppSettings:
    """Check and type a raw settings mapping.

    Args:
        config: the raw `PLUGINS_CONFIG["nautobot_meraki_users"]` dictionary.

    Returns:
        The typed settings.

    Raises:
        ConfigurationError: a value has the wrong type or form; the message names the key and the fix.
    """
    email_regex = _blank_to_none(config.get("email_regex"))
    if email_regex is not None:
        try:
            re.compile(str(email_regex))
        except re.error as err:
            raise ConfigurationError(
                f"email_regex: {email_regex!r} is not a valid regular expression ({err}). "
                'Fix PLUGINS_CONFIG["nautobot_meraki_users"]["email_regex"].'
            ) from None
    request_timeout = _number(config, "request_timeout", float, minimum=0.001)
    maximum_retries = _number(config, "maximum_retries", int, minimum=1)
    concurrency = _number(config, "concurrency", int, minimum=1)
    rate_limit_per_organization = _number(config, "rate_limit_per_organization", float, minimum=0.1)
    rate_limit_per_ip = _number(config, "rate_limit_per_ip", float, minimum=0.1)
    rate_limit_burst = _number(config, "rate_limit_burst", int, minimum=0)
    import_max_rows = _number(config, "import_max_rows", int, minimum=1)
    import_max_field_size = _number(config, "import_max_field_size", int, minimum=1)
    base_url = str(_blank_to_none(config.get("base_url")) or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise ConfigurationError(
            f"base_url: {base_url!r} is not an http(s) URL. Use e.g. {DEFAULT_BASE_URL}, or your Meraki cloud's URL."
        )
    return AppSettings(
        api_key=_blank_to_none(config.get("api_key")),
        api_key_secrets_group=_blank_to_none(config.get("api_key_secrets_group")),
        base_url=base_url,
        dashboards=_names(config.get("dashboards")),
        email_regex=email_regex,
        allowed_organization_ids=_as_id_tuple(config.get("allowed_organization_ids")),
        proxy=_blank_to_none(config.get("proxy")),
        request_timeout=request_timeout,
        maximum_retries=maximum_retries,
        concurrency=concurrency,
        rate_limit_per_organization=rate_limit_per_organization,
        rate_limit_per_ip=rate_limit_per_ip,
        rate_limit_burst=rate_limit_burst,
        import_max_rows=import_max_rows,
        import_max_field_size=import_max_field_size,
        login_security_rules=parse_baseline(config.get("login_security_baseline")),
        egress_addresses=_addresses(config.get("egress_addresses")),
    )


def load_settings() -> AppSettings:
    """Read the app's settings from Django's PLUGINS_CONFIG (defaults come from the AppConfig)."""
    from django.conf import settings

    return settings_from_mapping(settings.PLUGINS_CONFIG.get(APP_NAME, {}))


def resolve_api_key(app_settings: AppSettings) -> str:
    """Find the Meraki API key: the SecretsGroup first, then the `api_key` setting, then the environment.

    Raises:
        ConfigurationError: no key anywhere, or the SecretsGroup is missing or unreadable. The message never
            contains the key.
    """
    if app_settings.api_key_secrets_group:
        return _key_from_secrets_group(app_settings.api_key_secrets_group)
    if app_settings.api_key:
        return str(app_settings.api_key)
    key = os.environ.get(API_KEY_ENVIRONMENT_VARIABLE, "").strip()
    if key:
        return key
    raise ConfigurationError(
        "api_key: no Meraki API key is configured. Set api_key_secrets_group (a SecretsGroup with an HTTP(S)/Token "
        f'secret) or api_key in PLUGINS_CONFIG["nautobot_meraki_users"], or the {API_KEY_ENVIRONMENT_VARIABLE} '
        "environment variable of the Nautobot web and worker processes."
    )


@dataclass(frozen=True)
class ConnectionSetup:
    """One Dashboard connection as configured: its key, or why it cannot be used (`error`, naming the connection)."""

    connection: DashboardConnection
    api_key: str | None = field(default=None, repr=False)
    error: str = ""


def connection_names(app_settings: AppSettings) -> tuple[str, ...]:
    """The names of the configured Dashboard connections, in order (`default` when `dashboards` is empty)."""
    return app_settings.dashboards or (IMPLICIT_DASHBOARD,)


def resolve_connections(app_settings: AppSettings, names: tuple[str, ...] | None = None) -> list[ConnectionSetup]:
    """The Dashboard connections to use (`names`: only these; None: all), in the settings' order.

    Without `dashboards`, one implicit connection made of `base_url` and the key `resolve_api_key` finds (a missing
    key raises ConfigurationError, as it always did). With `dashboards`, each name is an ExternalIntegration: its
    remote URL is the API base URL, its SecretsGroup holds the key, its timeout and SSL settings apply. A connection
    that cannot be used is returned with its `error`; it does not stop the others.
    """
    if not app_settings.dashboards:
        connection = DashboardConnection(IMPLICIT_DASHBOARD, app_settings.base_url, app_settings.request_timeout)
        return [ConnectionSetup(connection, api_key=resolve_api_key(app_settings))]
    return [
        _integration_setup(name, app_settings) for name in app_settings.dashboards if names is None or name in names
    ]


def _integration_setup(name: str, app_settings: AppSettings) -> ConnectionSetup:
    from nautobot.extras.models import ExternalIntegration

    label = f"dashboard {name}"
    unusable = DashboardConnection(name, "", app_settings.request_timeout, labelled=True)
    try:
        integration = ExternalIntegration.objects.select_related("secrets_group").get(name=name)
    except ExternalIntegration.DoesNotExist:
        return ConnectionSetup(
            unusable,
            error=f"{label}: there is no ExternalIntegration named {name!r}. Create it (Extensibility > External "
            "Integrations: remote URL = the API base URL, e.g. https://api.meraki.com/api/v1, and a SecretsGroup with "
            'the key), or remove it from PLUGINS_CONFIG["nautobot_meraki_users"]["dashboards"].',
        )
    base_url = str(integration.remote_url or "").strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        return ConnectionSetup(
            unusable,
            error=f"{label}: the remote URL {base_url!r} of ExternalIntegration {name!r} is not an http(s) URL. Set "
            f"it to the Meraki API base URL, e.g. {DEFAULT_BASE_URL}.",
        )
    connection = DashboardConnection(
        name,
        base_url,
        float(integration.timeout) if integration.timeout else app_settings.request_timeout,
        verify=(integration.ca_file_path or True) if integration.verify_ssl else False,
        key_source=f"the SecretsGroup of ExternalIntegration {name!r}",
        labelled=True,
    )
    if integration.secrets_group is None:
        return ConnectionSetup(
            connection,
            error=f"{label}: ExternalIntegration {name!r} has no SecretsGroup. Give it one with an HTTP(S) access "
            "type / Token secret type secret holding the Meraki API key.",
        )
    try:
        return ConnectionSetup(connection, api_key=_key_from_secrets_group(integration.secrets_group.name, label))
    except ConfigurationError as err:
        return ConnectionSetup(connection, error=str(err))


def _key_from_secrets_group(group_name: str, label: str = "api_key_secrets_group") -> str:
    from nautobot.extras.choices import SecretsGroupAccessTypeChoices, SecretsGroupSecretTypeChoices
    from nautobot.extras.models import SecretsGroup

    try:
        group = SecretsGroup.objects.get(name=group_name)
    except SecretsGroup.DoesNotExist:
        raise ConfigurationError(
            f"{label}: there is no SecretsGroup named {group_name!r}. Create it (Secrets > Secrets "
            "Groups) with an HTTP(S) access type / Token secret type secret, or fix the setting."
        ) from None
    try:
        value = group.get_secret_value(
            access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP,
            secret_type=SecretsGroupSecretTypeChoices.TYPE_TOKEN,
        )
    except Exception as err:  # noqa: BLE001 - SecretError, DoesNotExist and provider errors all mean "no key"
        raise ConfigurationError(
            f"{label}: SecretsGroup {group_name!r} gave no HTTP(S)/Token secret "
            f"({type(err).__name__}). Add a secret with access type HTTP(S) and secret type Token, and check that "
            "its provider can read it on the web and worker hosts."
        ) from None
    if not value or not str(value).strip():
        raise ConfigurationError(
            f"{label}: the HTTP(S)/Token secret of SecretsGroup {group_name!r} is empty. "
            "Put the Meraki API key into it."
        )
    return str(value).strip()
