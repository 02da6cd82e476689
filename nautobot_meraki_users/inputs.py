"""Checks the data of each job (the REST contract's keys) without any remote call.

Used by the jobs' `run()`, by their forms, and row by row by the CSV import.
"""

from __future__ import annotations

from collections.abc import Callable

from nautobot_meraki_users.admins import (
    AdminRequest,
    OrganizationSelector,
    check_allowed,
    email_errors,
    is_blank,
    parse_access_request,
    parse_organization_selector,
)
from nautobot_meraki_users.errors import FieldError, InputError
from nautobot_meraki_users.settings import AppSettings


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


def parse_selector(data: dict, app_settings: AppSettings) -> OrganizationSelector:
    """`meraki_org_id`, checked against `allowed_organization_ids`."""
    selector = parse_organization_selector(data.get("meraki_org_id"))
    check_allowed(selector, app_settings.allowed_organization_ids)
    return selector


def _required(data: dict, field_name: str, hint: str) -> list[FieldError]:
    return [FieldError(field_name, f"is required. {hint}")] if is_blank(data.get(field_name)) else []


def _parse_admin_request(data: dict, app_settings: AppSettings, *, create: bool):
    parsed: dict = {}

    def orgs() -> list[FieldError]:
        parsed["selector"] = parse_selector(data, app_settings)
        return []

    def access() -> list[FieldError]:
        parsed["access"] = parse_access_request(data, defaults=create)
        return []

    collect(
        lambda: email_errors(data.get("user_email"), app_settings.email_pattern),
        lambda: _required(data, "user_name", "Give the admin's full name, e.g. Jane Doe.") if create else [],
        orgs,
        access,
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
    """UpdateUsers: email, organizations, optional name and access (blank: keep the current value)."""
    return _parse_admin_request(data, app_settings, create=False)


def parse_delete(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, str]:
    """DeleteUsers: email and organizations. The email policy is not applied: offboarding must reach anyone."""
    parsed: dict = {}

    def orgs() -> list[FieldError]:
        parsed["selector"] = parse_selector(data, app_settings)
        return []

    collect(lambda: email_errors(data.get("user_email"), None), orgs)
    return parsed["selector"], str(data["user_email"]).strip()


def parse_list(data: dict, app_settings: AppSettings) -> tuple[OrganizationSelector, str | None]:
    """ListUsers: organizations (blank: all) and an optional email filter."""
    data = dict(data)
    if is_blank(data.get("meraki_org_id")):
        data["meraki_org_id"] = "all"
    parsed: dict = {}

    def orgs() -> list[FieldError]:
        parsed["selector"] = parse_selector(data, app_settings)
        return []

    email = data.get("user_email")
    collect(lambda: [] if is_blank(email) else email_errors(email, None), orgs)
    return parsed["selector"], None if is_blank(email) else str(email).strip()
