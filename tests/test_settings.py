"""Settings: typed view of PLUGINS_CONFIG and where the API key comes from."""

import pytest
from django.test import override_settings
from nautobot.apps.testing import TestCase
from nautobot.extras.choices import SecretsGroupAccessTypeChoices, SecretsGroupSecretTypeChoices
from nautobot.extras.models import Secret, SecretsGroup, SecretsGroupAssociation

from nautobot_meraki_users.errors import ConfigurationError
from nautobot_meraki_users.settings import AppSettings, load_settings, resolve_api_key, settings_from_mapping

KEY = "feedfacefeedfacefeedfacefeedfacefeedface"


def test_defaults_match_the_documented_table():
    settings = settings_from_mapping({})
    assert settings == AppSettings(
        api_key=None,
        api_key_secrets_group=None,
        base_url="https://api.meraki.com/api/v1",
        email_regex=None,
        allowed_organization_ids=(),
        proxy=None,
        request_timeout=30,
        maximum_retries=5,
        concurrency=40,
        rate_limit_per_organization=10,
        rate_limit_per_ip=100,
        rate_limit_burst=0,
    )


def test_api_key_never_appears_in_repr():
    assert KEY not in repr(settings_from_mapping({"api_key": KEY}))


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"email_regex": "(unclosed"}, "email_regex: "),
        ({"request_timeout": "soon"}, "request_timeout"),
        ({"maximum_retries": 0}, "maximum_retries: 0 is not valid"),
        ({"base_url": "api.meraki.com"}, "base_url: "),
        ({"allowed_organization_ids": 5}, "allowed_organization_ids: "),
    ],
)
def test_bad_settings_name_the_key(config, fragment):
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(")):
        settings_from_mapping(config)


def test_allowed_ids_accept_numbers_and_strings():
    assert settings_from_mapping({"allowed_organization_ids": [123, " 456 "]}).allowed_organization_ids == (
        "123",
        "456",
    )


def test_environment_key_is_the_last_fallback(monkeypatch):
    monkeypatch.setenv("MERAKI_DASHBOARD_API_KEY", KEY)
    assert resolve_api_key(settings_from_mapping({})) == KEY
    assert resolve_api_key(settings_from_mapping({"api_key": "from-settings"})) == "from-settings"


def test_missing_key_says_where_to_put_one(monkeypatch):
    monkeypatch.delenv("MERAKI_DASHBOARD_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="api_key: no Meraki API key is configured"):
        resolve_api_key(settings_from_mapping({}))


class SecretsGroupKeyTest(TestCase):
    """The SecretsGroup wins over the api_key setting."""

    def make_group(self, value=KEY):
        secret = Secret.objects.create(
            name="meraki-key", provider="environment-variable", parameters={"variable": "TEST_MERAKI_KEY"}
        )
        group = SecretsGroup.objects.create(name="Meraki")
        SecretsGroupAssociation.objects.create(
            secrets_group=group,
            secret=secret,
            access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP,
            secret_type=SecretsGroupSecretTypeChoices.TYPE_TOKEN,
        )
        return group

    def test_key_from_secrets_group(self):
        self.make_group()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("TEST_MERAKI_KEY", KEY)
            settings = settings_from_mapping({"api_key_secrets_group": "Meraki", "api_key": "ignored"})
            self.assertEqual(resolve_api_key(settings), KEY)

    def test_missing_group_and_missing_secret_are_clear(self):
        with self.assertRaisesRegex(ConfigurationError, "there is no SecretsGroup named 'Nope'"):
            resolve_api_key(settings_from_mapping({"api_key_secrets_group": "Nope"}))
        SecretsGroup.objects.create(name="Empty")
        with self.assertRaisesRegex(ConfigurationError, "gave no HTTP\\(S\\)/Token secret"):
            resolve_api_key(settings_from_mapping({"api_key_secrets_group": "Empty"}))

    def test_plugins_config_is_read(self):
        config = {"nautobot_meraki_users": {"allowed_organization_ids": ["1"], "email_regex": ".*@x\\.org"}}
        with override_settings(PLUGINS_CONFIG=config):
            settings = load_settings()
        self.assertEqual(settings.allowed_organization_ids, ("1",))
        self.assertEqual(settings.email_regex, ".*@x\\.org")
