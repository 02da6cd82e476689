"""The `email_regex` policy as a database condition, with the same full-match semantics as the jobs.

The jobs check an email with Python's `re.fullmatch`; the audit filter asks PostgreSQL (`~`) so that a list
of thousands of admins is filtered in the database. PostgreSQL's regex dialect accepts the usual email
patterns unchanged; a leading inline flag group such as `(?i)` is moved in front of the anchors (PostgreSQL
only allows it there), and a pattern PostgreSQL rejects (e.g. Python's named groups `(?P<name>...)`) is
evaluated in Python instead, so the filter never fails and never disagrees with the jobs.
"""

from __future__ import annotations

import re

from django.db import DataError, connection, transaction
from django.db.models import Q

from nautobot_meraki_users.settings import load_settings

LEADING_FLAGS = re.compile(r"^\(\?([a-zA-Z]+)\)")


def configured_email_regex() -> str | None:
    """The app's `email_regex`, read now (a changed setting applies without a restart); None when unset."""
    return load_settings().email_regex


def postgres_full_match_pattern(regex: str) -> str:
    r"""Anchor `regex` so that PostgreSQL's `~` matches the whole email, like `re.fullmatch`.

    Examples:
        >>> postgres_full_match_pattern(r"[^@]+@example\.com")
        '^(?:[^@]+@example\\.com)$'
        >>> postgres_full_match_pattern(r"(?i)[^@]+@example\.com")
        '(?i)^(?:[^@]+@example\\.com)$'
    """
    flags = LEADING_FLAGS.match(regex)
    prefix, body = (flags.group(0), regex[flags.end() :]) if flags else ("", regex)
    return f"{prefix}^(?:{body})$"


def postgres_accepts(pattern: str) -> bool:
    """Whether PostgreSQL can compile `pattern` (checked in a savepoint, so a failure leaves no broken transaction)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DataError:
        return False
    return True


def compliant_email_condition(regex: str, queryset) -> Q:
    """A condition on `queryset`'s `email` field that holds exactly when the email fully matches `regex`."""
    pattern = postgres_full_match_pattern(regex)
    if postgres_accepts(pattern):
        return Q(email__regex=pattern)
    compiled = re.compile(regex)
    return Q(pk__in=[pk for pk, email in queryset.values_list("pk", "email") if compiled.fullmatch(email)])
