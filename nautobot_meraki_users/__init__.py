"""Nautobot App that manages Cisco Meraki dashboard administrators through Nautobot Jobs."""

from importlib import metadata

from nautobot.apps import NautobotAppConfig

from nautobot_meraki_users.settings import DEFAULTS

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
    default_settings = dict(DEFAULTS)  # settings.DEFAULTS: every default in one place
    caching_config = {}
    jobs = "jobs.jobs"
    searchable_models = [
        "merakiorganization", "merakinetwork", "merakiadministrator", "merakisamlrole", "accessprofile", "accessgrant",
        "accessexemption",
    ]  # fmt: skip


config = MerakiUsersConfig
