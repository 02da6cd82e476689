"""Value sets of the Meraki inventory, as the Dashboard API spells them."""

from nautobot.apps.choices import ChoiceSet


class OrgAccessChoices(ChoiceSet):
    """An administrator's organization-wide privilege (`orgAccess`)."""

    FULL = "full"
    READ_ONLY = "read-only"
    ENTERPRISE = "enterprise"
    NONE = "none"

    CHOICES = (
        (FULL, "Full"),
        (READ_ONLY, "Read-only"),
        (ENTERPRISE, "Enterprise"),
        (NONE, "None"),
    )


class AccountStatusChoices(ChoiceSet):
    """An administrator's account state (`accountStatus`); new admins stay `unverified` until they confirm."""

    OK = "ok"
    UNVERIFIED = "unverified"
    PENDING = "pending"
    LOCKED = "locked"

    CHOICES = (
        (OK, "OK"),
        (UNVERIFIED, "Unverified"),
        (PENDING, "Pending"),
        (LOCKED, "Locked"),
    )


class FindingChoices(ChoiceSet):
    """What Check Meraki Access Drift found: how an organization differs from the access policy."""

    MISSING = "missing"
    DIFFERENT = "different"
    UNMANAGED = "unmanaged"
    EXPIRED = "expired"
    UNRESOLVED = "unresolved"

    CHOICES = (
        (MISSING, "Missing (granted, not there)"),
        (DIFFERENT, "Different (there with other access)"),
        (UNMANAGED, "Unmanaged (there with no grant)"),
        (EXPIRED, "Expired (the grant expired, the access is still there)"),
        (UNRESOLVED, "Unresolved (the profile names a network or tag the organization lacks)"),
    )
