"""Enforce Meraki Access Policy, the pure part: one organization's findings turned into changes, with guard rails.

Each finding becomes one step: `missing` a create, `different` an update, `expired` a removal, `unmanaged` a removal
only when asked, `unresolved` a skip. The guard rails then refuse (as a `skipped` step that says why) whatever could
lock people out: any removal or downgrade of the admin who owns the API key in use, any removal or downgrade that
would leave the organization without an admin of `full` org access, and any change to an exempt person.
"""

from __future__ import annotations

from dataclasses import dataclass

from nautobot_meraki_users.operations.admins import Change, Outcome, describe_access, privilege_map
from nautobot_meraki_users.operations.policy import (
    DIFFERENT,
    EXPIRED,
    MISSING,
    UNMANAGED,
    Finding,
)
from nautobot_meraki_users.operations.saml_roles import role_differences

CREATED, UPDATED, REMOVED, UNCHANGED, SKIPPED, FAILED = (
    "created", "updated", "removed", "unchanged", "skipped", "failed"
)  # fmt: skip
ACTIONS = (CREATED, UPDATED, REMOVED, UNCHANGED, SKIPPED, FAILED)
FULL = "full"
ORG_RANK = {"full": 3, "enterprise": 2, "read-only": 1, "none": 0}
PRIVILEGE_RANK = {"full": 3, "read-only": 2, "monitor-only": 1, "guest-ambassador": 0}


@dataclass
class Step:
    """One planned change for one person in one organization; `change` is the write to send (None: nothing)."""

    email: str
    action: str
    message: str
    change: Change | None = None
    finding: str = ""
    saml_role: str = ""  # a step on a SAML role (then `email` is blank)


def is_downgrade(admin: dict, wanted: dict) -> bool:
    """True when `wanted` gives the admin less than they have.

    Less: a lower org access, or a network or tag privilege lost or lowered (below `full` org access only, which
    covers every network).

    Example:
        >>> is_downgrade({"orgAccess": "full"}, {"orgAccess": "read-only"})
        True
        >>> is_downgrade({"orgAccess": "read-only"}, {"orgAccess": "full", "networks": [], "tags": []})
        False
    """
    had, gets = ORG_RANK.get(str(admin.get("orgAccess")), 0), ORG_RANK.get(str(wanted.get("orgAccess")), 0)
    if gets < had:
        return True
    if gets == ORG_RANK[FULL]:
        return False
    for key, name in (("networks", "id"), ("tags", "tag")):
        after = privilege_map(wanted.get(key), name)
        for ref, level in privilege_map(admin.get(key), name).items():
            if ref not in after or PRIVILEGE_RANK.get(after[ref], 0) < PRIVILEGE_RANK.get(level, 0):
                return True
    return False


def _update_change(finding: Finding) -> Change:
    admin, wanted = finding.admin or {}, finding.wanted or {}
    return Change(
        Outcome.UPDATED,
        f"update {finding.email}: {describe_access(admin)} -> {describe_access(wanted)}",
        admin_id=str(admin.get("id", "")),
        method="PUT",
        body=role_differences(admin, wanted),  # only the parts that differ, as for a SAML role
    )


def _create_change(finding: Finding) -> Change:
    wanted = finding.wanted or {}
    body: dict = {"email": finding.email, "name": finding.name or finding.email, "orgAccess": wanted["orgAccess"]}
    if wanted["networks"]:
        body["networks"] = wanted["networks"]
    if wanted["tags"]:
        body["tags"] = wanted["tags"]
    return Change(Outcome.CREATED, f"create {finding.email} with {describe_access(body)}", method="POST", body=body)


def _remove_change(finding: Finding) -> Change:
    admin = finding.admin or {}
    return Change(
        Outcome.REMOVED,
        f"remove {finding.email} ({describe_access(admin)}; {finding.finding})",
        admin_id=str(admin.get("id", "")),
        method="DELETE",
    )


def plan_organization(
    findings: list[Finding],
    admins: list[dict],
    compliant: list[str],
    key_owner: str,
    exempt: set[str],
    remove_unmanaged: bool,
) -> list[Step]:
    """The steps that bring one organization to the policy: creates, then updates, then removals.

    `compliant`: the granted emails whose access already matches (each an `unchanged` step); `key_owner`: the API
    key owner's email; `exempt`: the casefolded emails exempt in this organization.

    Example:
        >>> admins = [{"id": "1", "email": "key@x.org", "orgAccess": "full"}]
        >>> found = [Finding("key@x.org", "unmanaged", "no access", "org access full", admin=admins[0])]
        >>> [(s.action, s.message) for s in plan_organization(found, admins, [], "key@x.org", set(), True)]
        [('skipped', 'key@x.org owns the API key in use: never removed or downgraded (unmanaged)')]
    """
    steps = [Step(email, UNCHANGED, "access matches the policy; nothing to do") for email in compliant]
    writes: list[tuple[Finding, Change]] = []
    for finding in findings:
        if finding.finding == MISSING:
            writes.append((finding, _create_change(finding)))
        elif finding.finding == DIFFERENT:
            writes.append((finding, _update_change(finding)))
        elif finding.finding == EXPIRED or (finding.finding == UNMANAGED and remove_unmanaged):
            writes.append((finding, _remove_change(finding)))
        elif finding.finding == UNMANAGED:
            why = "unmanaged: left alone (remove_unmanaged is off)"
            steps.append(Step(finding.email, SKIPPED, why, None, UNMANAGED))
        else:
            steps.append(
                Step(finding.email, SKIPPED, f"{finding.finding}: {finding.message}; fix the profile or the grant",
                     None, finding.finding)
            )  # fmt: skip
    order = {"POST": 0, "PUT": 1, "DELETE": 2}
    writes.sort(key=lambda pair: order[pair[1].method or "DELETE"])
    # The admins of full org access who can sign in now; an upgrade planned here does not count (it may fail).
    full = {
        str(a.get("email", "")).casefold()
        for a in admins
        if a.get("orgAccess") == FULL and a.get("accountStatus", "ok") == "ok"
    }
    for finding, change in writes:
        email = finding.email.casefold()
        lowers = change.method == "DELETE" or is_downgrade(finding.admin or {}, finding.wanted or {})
        refusal = ""
        if lowers and email == key_owner.casefold():
            refusal = f"{finding.email} owns the API key in use: never removed or downgraded"
        elif email in exempt:
            refusal = f"{finding.email} is exempt: the policy never changes them"
        elif lowers and email in full and full == {email}:
            refusal = f"{finding.email} is the last admin with full org access here: never removed or downgraded"
        if refusal:
            steps.append(Step(finding.email, SKIPPED, f"{refusal} ({finding.finding})", None, finding.finding))
            continue
        if lowers:
            full.discard(email)
        steps.append(Step(finding.email, str(change.outcome), change.message, change, finding.finding))
    return steps


def plan_saml_roles(findings: list[Finding], compliant: list[str], remove_unmanaged: bool) -> list[Step]:
    """The steps that bring one organization's SAML roles to the policy: creates, updates, then removals.

    SAML roles have no lock-out guard rails of their own: the people they let in sign in through the identity
    provider, and the admins (with their guard rails) stay. An unmanaged role is removed only when asked.

    Example:
        >>> found = [Finding("", "missing", "org access read-only", "no access", "g1", "", "NOC",
        ...                  wanted={"orgAccess": "read-only", "networks": [], "tags": []})]
        >>> [(s.saml_role, s.action, s.change.body) for s in plan_saml_roles(found, [], False)]
        [('NOC', 'created', {'role': 'NOC', 'orgAccess': 'read-only'})]
    """
    steps = [Step("", UNCHANGED, "access matches the policy; nothing to do", saml_role=role) for role in compliant]
    writes = []
    for finding in findings:
        role, kind, wanted = finding.saml_role, finding.finding, finding.wanted or {}
        if kind == MISSING:
            body = {"role": role, "orgAccess": wanted["orgAccess"]}
            body.update({key: wanted[key] for key in ("networks", "tags") if wanted[key]})
            change = Change(Outcome.CREATED, f"create SAML role {role!r} with {finding.expected}", "", "POST", body)
        elif kind == DIFFERENT:
            admin = finding.admin or {}
            body = role_differences(admin, wanted)
            message = f"update SAML role {role!r}: {finding.actual} -> {finding.expected}"
            change = Change(Outcome.UPDATED, message, str(admin.get("id", "")), "PUT", body)
        elif kind == EXPIRED or (kind == UNMANAGED and remove_unmanaged):
            message = f"remove SAML role {role!r} ({finding.actual}; {kind})"
            change = Change(Outcome.REMOVED, message, str((finding.admin or {}).get("id", "")), "DELETE")
        else:
            why = "unmanaged: left alone (remove_unmanaged is off)" if kind == UNMANAGED else (
                f"{kind}: {finding.message}; fix the profile or the grant"
            )  # fmt: skip
            steps.append(Step("", SKIPPED, why, None, kind, role))
            continue
        writes.append(Step("", str(change.outcome), change.message, change, kind, role))
    order = {"POST": 0, "PUT": 1, "DELETE": 2}
    return steps + sorted(writes, key=lambda step: order[step.change.method or "DELETE"])
