r"""The `email_regex` policy as a database condition, with the same full-match semantics as the jobs.

The jobs check an email with Python's `re.fullmatch`; the audit filter asks the database, through Django's
portable `email__regex` lookup, so that a list of thousands of admins is filtered there. The pattern is anchored
with `^(?:...)$`, which Python and the databases read alike; a leading inline flag group such as `(?i)` stays in
front of the anchors (Python and PostgreSQL only allow it there). A database's regex dialect is not Python's, so
the database is asked only when the pattern is written in the syntax both read alike (see `is_portable`) and the
database compiles it; any other pattern (Python's named groups `(?P<name>...)`, `\b`, `[[:alpha:]]`, ...) is
evaluated in Python instead, so the filter never fails and never disagrees with the jobs.
"""

from __future__ import annotations

import re
import string

from django.db import DatabaseError, transaction
from django.db.models import Q

from nautobot_meraki_users.settings import load_settings

LEADING_FLAGS = re.compile(r"^\(\?([a-zA-Z]+)\)")
# Escapes that mean the same in Python and in the databases' dialects (PostgreSQL, MySQL/MariaDB): character
# classes and escaped punctuation. Letters such as \b (a backspace in PostgreSQL), \A or \1 are left to Python.
_PORTABLE_ESCAPES = frozenset("dDsSwW" + string.punctuation + " ")


def configured_email_regex() -> str | None:
    """The app's `email_regex`, read now (a changed setting applies without a restart); None when unset."""
    return load_settings().email_regex


def full_match_pattern(regex: str) -> str:
    r"""Anchor `regex` so that a regex lookup (a search) matches the whole email, like `re.fullmatch`.

    Examples:
        >>> full_match_pattern(r"[^@]+@example\.com")
        '^(?:[^@]+@example\\.com)$'
        >>> full_match_pattern(r"(?i)[^@]+@example\.com")
        '(?i)^(?:[^@]+@example\\.com)$'
    """
    flags = LEADING_FLAGS.match(regex)
    prefix, body = (flags.group(0), regex[flags.end() :]) if flags else ("", regex)
    return f"{prefix}^(?:{body})$"


def is_portable(regex: str) -> bool:
    r"""Whether `regex` uses only syntax that Python and the databases read alike.

    That is literal characters, `.`, `^`, `$`, alternation, quantifiers, plain and `(?:...)` groups, bracket sets
    without POSIX classes, the escapes `\d \s \w` (and upper case) and escaped punctuation, and a leading `(?i)`.

    Examples:
        >>> is_portable(r"(?i)[a-z0-9._%+-]+@(corp\.)?example\.com")
        True
        >>> is_portable(r"[^@]+@\bexample\.com"), is_portable(r"(?P<user>[^@]+)@example\.com")
        (False, False)
    """
    flags = LEADING_FLAGS.match(regex)
    if flags and set(flags.group(1)) - {"i"}:
        return False
    body = regex[flags.end() :] if flags else regex
    in_set = False
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if body[index + 1 : index + 2] not in _PORTABLE_ESCAPES:
                return False
            index += 2
            continue
        if in_set:
            if char == "[":  # a POSIX class [:alpha:] for the database, a literal "[" for Python
                return False
            if char == "]" and body[index - 1] != "[" and body[index - 2 : index] != "[^":
                in_set = False
        elif char == "[":
            in_set = True
        elif char == "(" and body[index + 1 : index + 2] == "?" and body[index + 2 : index + 3] != ":":
            return False
        index += 1
    return True


def database_accepts(pattern: str, queryset) -> bool:
    """Whether the database of `queryset` compiles `pattern` in a regex lookup.

    Checked in a savepoint, so a failure leaves no broken transaction.
    """
    try:
        with transaction.atomic(using=queryset.db):
            queryset.filter(email__regex=pattern).exists()
    except DatabaseError:
        return False
    return True


def compliant_email_condition(regex: str, queryset) -> Q:
    """A condition on `queryset`'s `email` field that holds exactly when the email fully matches `regex`."""
    pattern = full_match_pattern(regex)
    if is_portable(regex) and database_accepts(pattern, queryset):
        return Q(email__regex=pattern)
    compiled = re.compile(regex)
    return Q(pk__in=[pk for pk, email in queryset.values_list("pk", "email") if compiled.fullmatch(email)])
