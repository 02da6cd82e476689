"""Checks the data of each job (the REST contract's keys) without any remote call.

Used by the jobs' `run()`, by their forms, and row by row by the CSV import.
"""

from __future__ import annotations

from collections.abc import Callable

from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.operations.admins import (
    AdminRequest,
    OrganizationSelector,
    check_allowed,
    email_errors,
    is_blank,
    parse_access_request,
    parse_organization_selector,
)
from nautobot_meraki_users.operations.saml_roles import SAML_NETWORK_LEVELS, RoleRequest, parse_role_name
from nautobot_meraki_users.settings import AppSettings, connection_names


def collect(*checks: Callable[[], list[FieldError]]) -> None:
    """Run every check (each returns FieldErrors or raises InputError) and raise all problems at once."""
    errors: list[FieldError] = []
    for check in checks:
        try:
            errors.extend(check())
        except InputError as err:
            errors.extend(err.errors)
    if errors:
        raise InputError(errors)


NAME_MAX_LENGTH = 255  # what the inventory stores for an admin's name
LIST_FIELDS = ("meraki_org_id", "meraki_network", "meraki_tags")  # text, or a list of texts (the UI pickers)
TEXT_FIELDS = (
    "user_email", "user_name", "meraki_org_id", "meraki_access_level", "meraki_network", "meraki_network_access",
    "meraki_tags", "meraki_tag_access", "dashboard", "saml_role",
)  # fmt: skip
_EXAMPLES = {
    "user_email": "jane@example.com",
    "user_name": "Jane Doe",
    "meraki_org_id": "123456,654321",
    "meraki_network": "HQ,Branch",
    "meraki_tags": "west,east",
    "dashboard": "Meraki global",
    "saml_role": "NOC read-only",
}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list" if all(isinstance(item, str) for item in value) else "a list of non-text values"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def type_errors(data: dict) -> list[FieldError]:
    """One FieldError per input of the wrong JSON type: a list or a number where text belongs.

    Raw data reaches `run()` from `runjob --data` and the REST API, so `5` or `["x", "y"]` must be refused,
    never turned into the text `"5"` or `"['x', 'y']"`.

    Example:
        >>> [str(e) for e in type_errors({"user_email": 5, "meraki_org_id": ["1", "2"], "user_name": "Jane"})]
        ['user_email: must be text, not a number. Give it as a JSON string, e.g. "jane@example.com".']
    """
    errors = []
    for field_name in TEXT_FIELDS:
        value = data.get(field_name)
        if value is None or isinstance(value, str):
            continue
        if field_name in LIST_FIELDS and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            continue
        example = _EXAMPLES.get(field_name, "read-only")
        errors.append(
            FieldError(field_name, f'must be text, not {_kind(value)}. Give it as a JSON string, e.g. "{example}".')
        )
    return errors


def _too_long(data: dict, field_name: str, limit: int) -> list[FieldError]:
    value = data.get(field_name)
    if isinstance(value, str) and len(value.strip()) > limit:
        return [FieldError(field_name, f"is {len(value.strip())} characters long; the limit is {limit}. Shorten it.")]
    return []


def collect_typed(data: dict, *checks: Callable[[], list[FieldError]]) -> None:
    """`collect`, after the type check: a field of the wrong type gets only its type error."""
    wrong_type = type_errors(data)
    fields = {error.field for error in wrong_type}
    try:
        collect(*checks)
    except InputError as err:
        raise InputError(wrong_type + [e for e in err.errors if e.field not in fields]) from None
    if wrong_type:
        raise InputError(wrong_type)


def parse_selector(data: dict, app_settings: AppSettings) -> OrganizationSelector:
    """`meraki_org_id`, checked against `allowed_organization_ids`."""
    selector = parse_organization_selector(data.get("meraki_org_id"))
    check_allowed(selector, app_settings.allowed_organization_ids)
    return selector


def _required(data: dict, field_name: str, hint: str) -> list[FieldError]:
    return [FieldError(field_name, f"is required. {hint}")] if is_blank(data.get(field_name)) else []


def _keep(parsed: dict, key: str, parse: Callable[[], object]) -> Callable[[], list[FieldError]]:
    """A check for `collect`: run `parse()` (which raises InputError) and keep its value in `parsed[key]`."""

    def check() -> list[FieldError]:
        parsed[key] = parse()
        return []

    return check


def _parse_admin_request(data: dict, app_settings: AppSettings, *, create: bool):
    parsed: dict = {}
    # The email policy governs who may be added, not who may be fixed: an update reaches any existing admin.
    collect_typed(
        data,
        lambda: email_errors(data.get("user_email"), app_settings.email_pattern if create else None),
        lambda: _required(data, "user_name", "Give the admin's full name, e.g. Jane Doe.") if create else [],
        lambda: _too_long(data, "user_name", NAME_MAX_LENGTH),
        _keep(parsed, "selector", lambda: parse_selector(data, app_settings)),
        _keep(parsed, "access", lambda: parse_access_request(data, defaults=create)),
    )
    request = AdminRequest(
        email=str(data["user_email"]).strip(),
        name=None if is_blank(data.get("user_name")) else str(data["user_name"]).strip(),
        access=parsed["access"],
    )
    return parsed["selector"], request


def parse_create(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, AdminRequest]:
    """CreateUsers: email (and the email policy), name, organizations, access levels (blank: read-only)."""
    return _parse_admin_request(data, app_settings, create=True)


def parse_update(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, AdminRequest]:
    """UpdateUsers: email (the email policy is not applied), organizations, optional name and access.

    Blank name or access keeps the current value. Any existing admin can be updated, including one whose email
    violates `email_regex`: the policy governs who may be added (create), not who may be fixed.
    """
    return _parse_admin_request(data, app_settings, create=False)


def parse_delete(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, str]:
    """DeleteUsers: email and organizations. The email policy is not applied: offboarding must reach anyone."""
    parsed: dict = {}
    orgs = _keep(parsed, "selector", lambda: parse_selector(data, app_settings))
    collect_typed(data, lambda: email_errors(data.get("user_email"), None), orgs)
    return parsed["selector"], str(data["user_email"]).strip()


def parse_list(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, str | None]:
    """ListUsers: organizations (blank: all) and an optional email filter."""
    data = dict(data)
    if is_blank(data.get("meraki_org_id")):
        data["meraki_org_id"] = "all"
    parsed: dict = {}
    orgs = _keep(parsed, "selector", lambda: parse_selector(data, app_settings))
    email = data.get("user_email")
    collect_typed(data, lambda: [] if is_blank(email) else email_errors(email, None), orgs)
    return parsed["selector"], None if is_blank(email) else str(email).strip()


def parse_dashboard(data: dict, app_settings: AppSettings) -> tuple[str, ...] | None:
    """`dashboard`: the one Dashboard connection to work through; None (blank) means every configured connection.

    Example:
        >>> from nautobot_meraki_users.settings import AppSettings
        >>> parse_dashboard({"dashboard": " EMEA "}, AppSettings(dashboards=("Global", "EMEA")))
        ('EMEA',)
    """
    value = data.get("dashboard")
    if is_blank(value):
        return None
    type_error = type_errors({"dashboard": value})
    if type_error:
        raise InputError(type_error)
    name, names = str(value).strip(), connection_names(app_settings)
    if name not in names:
        raise InputError(
            [
                FieldError(
                    "dashboard",
                    f"{name!r} is not a configured Dashboard connection. Use one of {', '.join(map(repr, names))}, "
                    "or leave it blank for every connection.",
                )
            ]
        )
    return (name,)


def parse_login_security(data: dict, app_settings: AppSettings) -> OrganizationSelector:
    """Check / Enforce Meraki Login Security: organizations (blank: all); a baseline must be configured."""
    data = dict(data)
    if is_blank(data.get("meraki_org_id")):
        data["meraki_org_id"] = "all"
    parsed: dict = {}

    def baseline() -> list[FieldError]:
        if app_settings.login_security_rules:
            return []
        return [
            FieldError(
                "login_security_baseline",
                'is empty: there is nothing to check against. Set it in PLUGINS_CONFIG["nautobot_meraki_users"], e.g. '
                '{"enforceTwoFactorAuth": true, "idleTimeoutMinutes": {"max": 30}}.',
            )
        ]

    collect_typed(data, _keep(parsed, "selector", lambda: parse_selector(data, app_settings)), baseline)
    return parsed["selector"]


def _parse_role_request(
    data: dict, app_settings: AppSettings, *, create: bool
) -> tuple[OrganizationSelector, RoleRequest]:
    parsed: dict = {}
    collect_typed(
        data,
        _keep(parsed, "role", lambda: parse_role_name(data.get("saml_role"))),
        _keep(parsed, "selector", lambda: parse_selector(data, app_settings)),
        _keep(
            parsed,
            "access",
            lambda: parse_access_request(data, defaults=create, network_levels=SAML_NETWORK_LEVELS),
        ),
    )
    return parsed["selector"], RoleRequest(role=parsed["role"], access=parsed["access"])


def parse_saml_create(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, RoleRequest]:
    """CreateSamlRoles: the role's name, organizations, access levels (blank: read-only)."""
    return _parse_role_request(data, app_settings, create=True)


def parse_saml_update(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, RoleRequest]:
    """UpdateSamlRoles: the role's name, organizations, optional access (blank keeps the current value)."""
    return _parse_role_request(data, app_settings, create=False)


def parse_saml_delete(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, str]:
    """DeleteSamlRoles: the role's name and organizations."""
    parsed: dict = {}
    collect_typed(
        data,
        _keep(parsed, "role", lambda: parse_role_name(data.get("saml_role"))),
        _keep(parsed, "selector", lambda: parse_selector(data, app_settings)),
    )
    return parsed["selector"], parsed["role"]
