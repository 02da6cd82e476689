"""Reads begun while the organization list is still on its way, for the organizations the inventory expects.

Every job first asks Meraki which organizations its key sees (`GET /organizations`), and everything else waits for
that round trip. The inventory already knows the organizations and the connection each one is reached through:
their first reads (an organization's admins, say) start at once, beside that request, through the shared rate
budget like any other. Once the list is there, the reads of organizations the job does not work on are cancelled
(those already sent are wasted, at most `concurrency`), and each organization's read is taken only when it went
through the connection that works on the organization; otherwise, or when it failed, the engine reads again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from nautobot_meraki_users.dashboard.client import Dashboard
from nautobot_meraki_users.dashboard.connections import Dashboards

T = TypeVar("T")


class EarlyReads(Generic[T]):
    """`read(client, organization_id)` started at once for each expected organization, taken later by the engine.

    Example (no organization expected: nothing is read, nothing is taken):
        >>> with EarlyReads([], {}, lambda client, org_id: [], concurrency=4) as early:
        ...     early.take("123", None) is None
        True
    """

    def __init__(
        self,
        clients: Iterable[Dashboard],
        expected: dict[str, str],
        read: Callable[[Dashboard, str], T],
        concurrency: int,
    ):
        """`expected`: organization ID -> the name of the connection the inventory last reached it through."""
        by_name = {client.name: client for client in clients}
        wanted = [(org_id, by_name[name]) for org_id, name in expected.items() if name in by_name]
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(wanted))), thread_name_prefix="early")
        self._reads: dict[str, tuple[Dashboard, Future]] = {
            org_id: (client, self._pool.submit(read, client, org_id)) for org_id, client in wanted
        }

    def keep(self, organization_ids: Iterable[str]) -> None:
        """Cancel the reads of every other organization (the job does not work on them)."""
        keep = set(organization_ids)
        for org_id in [org_id for org_id in self._reads if org_id not in keep]:
            self._reads.pop(org_id)[1].cancel()

    def take(self, organization_id: str, client: Dashboard | None) -> T | None:
        """The organization's early read if it went through `client` and succeeded (waits for it), else None."""
        client_and_read = self._reads.pop(organization_id, None)
        if client_and_read is None:
            return None
        read_through, future = client_and_read
        if read_through is not client:
            future.cancel()
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - the engine reads the organization again and reports its own error
            return None

    def close(self) -> None:
        """Cancel what has not started and wait for the reads in flight (at most `concurrency`)."""
        self._reads.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> EarlyReads[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def early_or_now(early: EarlyReads[T] | None, dashboards: Dashboards, organization_id: str, read: Callable[[], T]) -> T:
    """The organization's early read, if one went through the connection that works on it; else `read()` now."""
    if early is not None:
        value = early.take(organization_id, dashboards.client_for(organization_id))
        if value is not None:
            return value
    return read()
