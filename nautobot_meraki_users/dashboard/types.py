"""Value types the Dashboard client returns and the layers above share (no `meraki` import here)."""

from __future__ import annotations

from dataclasses import dataclass

IMPLICIT_DASHBOARD = "default"  # the one connection made of the api_key / base_url settings when `dashboards` is empty


@dataclass(frozen=True)
class Organization:
    """A Meraki organization the API key can see (`api_enabled`: its Dashboard API access is on).

    `dashboard` names the connection it is worked on through, `also_seen_by` the other connections that see it
    (they leave it alone), and `error` says why it cannot be worked on at all (its connection failed).
    """

    id: str
    name: str
    url: str = ""
    api_enabled: bool = True
    dashboard: str = IMPLICIT_DASHBOARD
    also_seen_by: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class DashboardConnection:
    """Where and how to reach one Meraki Dashboard account (its key travels separately, never in a repr).

    `verify` is True, False, or the path of a CA bundle; `key_source` says where the key was configured, for
    the message of a rejected key; `labelled` makes every error message name the connection (several connections).
    """

    name: str
    base_url: str
    request_timeout: float
    verify: bool | str = True
    key_source: str = "the SecretsGroup, the api_key setting or MERAKI_DASHBOARD_API_KEY"
    labelled: bool = False
