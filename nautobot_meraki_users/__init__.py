"""Nautobot App that manages Cisco Meraki dashboard administrators through Nautobot Jobs."""

from importlib import metadata

from nautobot.apps import NautobotAppConfig

__version__ = metadata.version("nautobot-meraki-users")


class MerakiUsersConfig(NautobotAppConfig):
    """App configuration for nautobot_meraki_users."""

    name = "nautobot_meraki_users"
    verbose_name = "Meraki Users"
    version = __version__
    author = "nautobot-meraki-users developers"
    description = "Create, update, remove and list Cisco Meraki dashboard administrators across organizations."
    base_url = "meraki-users"
    required_settings = []
    min_version = "3.2.0"
    max_version = "3.2.99"
    default_settings = {
        "api_key": None,
        "api_key_secrets_group": None,
        "base_url": "https://api.meraki.com/api/v1",
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
        "import_max_field_size": 65536,
    }
    caching_config = {}
    jobs = "jobs.jobs"
    searchable_models = ["merakiorganization", "merakinetwork", "merakiadministrator"]


config = MerakiUsersConfig
