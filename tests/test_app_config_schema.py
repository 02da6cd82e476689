"""nautobot_meraki_users/app-config-schema.json: the JSON Schema of PLUGINS_CONFIG["nautobot_meraki_users"].

The schema is shipped in the wheel, as Nautobot apps ship it (Nautobot's development tooling validates an app's
PLUGINS_CONFIG section against `<package>/app-config-schema.json`). No database.
"""

import json
from importlib.resources import files

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

from nautobot_meraki_users import MerakiUsersConfig

SCHEMA = json.loads(files("nautobot_meraki_users").joinpath("app-config-schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())


def problems(config):
    errors = VALIDATOR.iter_errors(config)
    return sorted(f"{'.'.join(str(part) for part in error.absolute_path)}: {error.message}" for error in errors)


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_lists_exactly_the_app_settings_with_their_defaults():
    defaults = dict(MerakiUsersConfig.default_settings)
    assert set(SCHEMA["properties"]) == set(defaults)
    assert {key: prop["default"] for key, prop in SCHEMA["properties"].items()} == defaults


def test_the_defaults_and_the_development_config_are_valid():
    assert problems(dict(MerakiUsersConfig.default_settings)) == []
    assert problems({}) == []  # every key is optional
    # The development configuration (what the tests run with), after Nautobot added the defaults.
    assert problems(settings.PLUGINS_CONFIG["nautobot_meraki_users"]) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"concurrency": "40"}, "concurrency: '40' is not of type 'integer'"),
        ({"concurrency": 0}, "concurrency: 0 is less than the minimum of 1"),
        ({"request_timeout": 0}, "request_timeout: 0 is less than the minimum of 0.001"),
        ({"rate_limit_burst": -1}, "rate_limit_burst: -1 is less than the minimum of 0"),
        ({"import_max_rows": 0}, "import_max_rows: 0 is less than the minimum of 1"),
        ({"import_max_field_size": 1.5}, "import_max_field_size: 1.5 is not of type 'integer'"),
        ({"base_url": "api.meraki.com"}, "base_url: 'api.meraki.com' does not match '^(https?://\\\\S+)?$'"),
        ({"email_regex": "[a-"}, "email_regex: '[a-' is not a 'regex'"),
        ({"allowed_organization_ids": "123"}, "allowed_organization_ids: '123' is not of type 'array'"),
        ({"concurency": 4}, ": Additional properties are not allowed ('concurency' was unexpected)"),
    ],
)
def test_wrong_values_are_rejected_naming_the_key(config, expected):
    assert problems(config) == [expected]
