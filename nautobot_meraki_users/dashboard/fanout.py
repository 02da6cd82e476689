"""Run one function over many items concurrently; results come back in the items' order, errors per item."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Done(Generic[T, R]):
    """The result of one item: `value`, or the `error` it raised (never both)."""

    item: T
    value: R | None = None
    error: BaseException | None = None


def fan_out(
    func: Callable[[T], R],
    items: Iterable[T],
    concurrency: int,
    on_done: Callable[[Done[T, R]], None] | None = None,
) -> list[Done[T, R]]:
    """Call `func` on every item with at most `concurrency` calls at once.

    One item's exception does not stop the others: it is returned as that item's `error`. `on_done` is called in
    the caller's thread with each item's result as soon as it is there (in the order they finish), while the other
    calls go on: the caller can store or log results without waiting for the slowest. When `on_done` raises (say
    the database is gone), the items not yet started are not started (at most `concurrency` calls still finish),
    and the exception goes to the caller.

    Example:
        >>> [d.value for d in fan_out(lambda x: x * 2, [3, 1, 2], concurrency=2)]
        [6, 2, 4]
    """
    items = list(items)

    def guarded(item: T) -> Done[T, R]:
        try:
            return Done(item, value=func(item))
        except Exception as err:  # noqa: BLE001 - isolate each item; the caller decides what an error means
            return Done(item, error=err)

    if concurrency <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(guarded(item))
            if on_done is not None:
                on_done(results[-1])
        return results
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="meraki") as pool:
        futures = [pool.submit(guarded, item) for item in items]
        if on_done is not None:
            try:
                for future in as_completed(futures):
                    on_done(future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return [future.result() for future in futures]
