"""Reads and checks the CSV file of the Import Meraki Users job; no remote call.

The columns are the data keys of the create, update and delete jobs plus `action`. Every row is checked
with the same rules as the job of its action; all bad rows are reported at once, with their line numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from nautobot_meraki_users.errors import FieldError, InputError, on_line
from nautobot_meraki_users.operations import inputs
from nautobot_meraki_users.operations.admins import (
    DASHBOARD_COLUMN,
    AdminRequest,
    Organization,
    OrganizationSelector,
    select_organizations,
)
from nautobot_meraki_users.operations.engine import Operation, OrganizationResult, Target
from nautobot_meraki_users.settings import AppSettings

ACTIONS = ("create", "update", "delete")
IMPORT_COLUMNS = (
    "action",
    "user_email",
    "user_name",
    "meraki_org_id",
    "meraki_access_level",
    "meraki_network",
    "meraki_network_access",
    "meraki_tags",
    "meraki_tag_access",
)
REQUIRED_COLUMNS = ("action", "user_email", "meraki_org_id")
_PARSERS = {"create": inputs.parse_create, "update": inputs.parse_update, "delete": inputs.parse_delete}
_DELETE_KEYS = set(REQUIRED_COLUMNS)  # a delete row uses the required columns only


@dataclass(frozen=True)
class ImportRow:
    """One checked row: its line in the file, the action and what it targets."""

    line: int
    action: str
    email: str
    selector: OrganizationSelector
    request: AdminRequest | None


def read_rows(
    content: bytes,
    *,
    max_rows: int = AppSettings.import_max_rows,
    max_field_size: int = AppSettings.import_max_field_size,
) -> list[tuple[int, dict]]:
    """Decode the file and return (line number, row dict) for every non-blank data row.

    Args:
        content: the uploaded file.
        max_rows: the most data rows accepted (`import_max_rows`).
        max_field_size: the most characters in one cell (`import_max_field_size`); Python's CSV reader reads
            no cell longer than `csv.field_size_limit()` (its process-wide limit, left as it is) either way.

    Raises:
        InputError: not UTF-8, empty, a wrong header (missing or unknown columns), not CSV, too many rows or
            a too long value.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            [
                FieldError(
                    "csv_file", f"is not UTF-8 text (bad byte at position {err.start}). Save the file as UTF-8 CSV."
                )
            ]
        ) from None
    if not text.strip():
        raise InputError([FieldError("csv_file", "is empty. Give a header line and one row per change.")])
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read_checked(reader, max_rows, max_field_size)
    except csv.Error as err:
        line = reader.reader.line_num  # the DictReader's own line_num is the last row it returned
        if "field larger than field limit" in str(err):
            raise _too_long(line, max_field_size) from None
        raise InputError(
            [
                FieldError(
                    "csv_file",
                    f"line {line} is not valid CSV ({err}). Save the file as CSV (comma-separated, "
                    "values with commas or quotes in double quotes).",
                )
            ]
        ) from None


def _too_long(line: int, max_field_size: int) -> InputError:
    """A value on `line` is longer than `import_max_field_size` (or than Python's CSV reader reads)."""
    if max_field_size > csv.field_size_limit():
        limit = f"{csv.field_size_limit()} characters, the most Python's CSV reader reads"
        fix = "Shorten it (raising import_max_field_size does not help here)."
    else:
        limit = f"{max_field_size} characters (import_max_field_size)"
        fix = "Shorten it, or ask a Nautobot administrator to raise import_max_field_size."
    return InputError([FieldError("csv_file", f"line {line} has a value longer than {limit}. {fix}")])


def _read_checked(reader: csv.DictReader, max_rows: int, max_field_size: int) -> list[tuple[int, dict]]:
    """The rows of `reader` after the header and limit checks (see read_rows)."""
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"misses the column(s) {', '.join(missing)}")
    if unknown:
        shown = [repr(name if len(name) <= 40 else name[:40] + "...") for name in unknown]  # a header may be huge
        problems.append(f"has unknown column(s) {', '.join(shown)}")
    if duplicated:
        problems.append(f"repeats the column(s) {', '.join(duplicated)}")
    if problems:
        raise InputError(
            [
                FieldError(
                    "csv_file",
                    f"line 1 (the header) {'; '.join(problems)}. The header must name columns from: "
                    f"{', '.join(IMPORT_COLUMNS)}.",
                )
            ]
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        cells = [value for key, value in row.items() if key is not None] + (row.get(None) or [])
        if any(len(value or "") > max_field_size for value in cells):
            raise _too_long(reader.line_num, max_field_size)
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        if None in row:
            values["__extra__"] = "yes"
        if any(value for key, value in values.items()):
            if len(rows) == max_rows:
                raise InputError(
                    [
                        FieldError(
                            "csv_file",
                            f"has more than {max_rows} rows (import_max_rows). Split the file into files of at most "
                            f"{max_rows} rows, or ask a Nautobot administrator to raise import_max_rows.",
                        )
                    ]
                )
            rows.append((reader.line_num, values))
    if not rows:
        raise InputError([FieldError("csv_file", "has a header but no rows. Add one row per change.")])
    return rows


def check_rows(rows: list[tuple[int, dict]], app_settings: AppSettings) -> list[ImportRow]:
    """Check every row like its job would, and that no person appears twice for the same organization.

    Raises:
        InputError: one FieldError per problem, each named `line N: field`.
    """
    checked: list[ImportRow] = []
    errors: list[FieldError] = []
    seen: dict[str, dict[str, int]] = {}
    for line, data in rows:
        row_errors: list[FieldError] = []
        action = data.get("action", "").lower()
        if data.get("__extra__"):
            row_errors.append(
                FieldError("csv_file", "has more values than the header has columns. Quote values with commas.")
            )
        if action not in ACTIONS:
            row_errors.append(
                FieldError("action", f"{data.get('action')!r} is not an action. Use one of: {', '.join(ACTIONS)}.")
            )
        else:
            if action == "delete":
                extra = [key for key in data if key not in _DELETE_KEYS and key != "__extra__" and data[key]]
                if extra:
                    row_errors.append(
                        FieldError(", ".join(extra), "is not used by delete. Leave it empty on delete rows.")
                    )
            try:
                selector, parsed = _PARSERS[action](data, app_settings)
            except InputError as err:
                row_errors.extend(err.errors)
            else:
                email = parsed if isinstance(parsed, str) else parsed.email
                request = None if isinstance(parsed, str) else parsed
                row_errors.extend(_duplicates(line, email, selector, seen))
                checked.append(ImportRow(line, action, email, selector, request))
        errors.extend(on_line(line, row_errors))
    if errors:
        raise InputError(errors)
    return checked


def _duplicates(
    line: int, email: str, selector: OrganizationSelector, seen: dict[str, dict[str, int]]
) -> list[FieldError]:
    """Each person may appear once per organization (`all` counts as every organization).

    `seen`: person -> {organization ID, or "*" for all -> the first line}; a row costs its own organizations only.
    """
    rows_of_person = seen.setdefault(email.casefold(), {})
    orgs = ("*",) if selector.all else selector.ids
    if selector.all:
        clashes = set(rows_of_person.values())
    else:
        clashes = {rows_of_person[org] for org in (*orgs, "*") if org in rows_of_person}
    for org in orgs:
        rows_of_person.setdefault(org, line)
    if not clashes:
        return []
    return [
        FieldError(
            "user_email",
            f"{email} already appears for the same organization(s) on line {', '.join(map(str, sorted(clashes)))} "
            "(duplicated row). Give each person one row per organization.",
        )
    ]


RESULT_COLUMNS = (
    "row",
    "action",
    "user_email",
    "organization_id",
    "organization_name",
    "outcome",
    "admin_id",
    "message",
)


def result_columns(labelled: bool) -> tuple[str, ...]:
    """The result file's columns: RESULT_COLUMNS, plus `dashboard` with several connections (`labelled`)."""
    return (*RESULT_COLUMNS, DASHBOARD_COLUMN) if labelled else RESULT_COLUMNS


def targets_for(rows: list[ImportRow], visible: list[Organization], app_settings: AppSettings) -> list[Target]:
    """One Target per row and organization, in file order.

    Raises:
        InputError: rows naming an organization the key cannot see (each with its line number).
    """
    targets: list[Target] = []
    errors: list[FieldError] = []
    for row in rows:
        try:
            orgs = select_organizations(row.selector, visible, app_settings.allowed_organization_ids)
        except InputError as err:
            errors.extend(on_line(row.line, err.errors))
            continue
        operation = Operation(row.action, row.email, row.request, line=row.line)
        targets.extend(Target(org, operation) for org in orgs)
    if errors:
        raise InputError(errors)
    return targets


def line_prefix(target: Target) -> str:
    """How a log line of the import names its row: `line N <action> <email>: `."""
    return f"line {target.operation.line} {target.operation.action} {target.operation.email}: "


def result_rows(targets: list[Target], results: list[OrganizationResult], labelled: bool = False) -> list[dict]:
    """The result CSV's rows (`result_columns(labelled)`), one per row and organization."""
    rows = [
        {
            "row": target.operation.line,
            "action": target.operation.action,
            "user_email": target.operation.email,
            "organization_id": result.organization_id,
            "organization_name": result.organization_name,
            "outcome": result.outcome,
            "admin_id": result.admin_id,
            "message": result.message,
        }
        for target, result in zip(targets, results, strict=True)
    ]
    if labelled:
        for row, result in zip(rows, results, strict=True):
            row[DASHBOARD_COLUMN] = result.dashboard
    return rows
