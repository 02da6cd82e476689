"""Value types the Dashboard client returns and the layers above share (no `meraki` import here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Organization:
    """A Meraki organization the API key can see (`api_enabled`: its Dashboard API access is on)."""

    id: str
    name: str
    url: str = ""
    api_enabled: bool = True
