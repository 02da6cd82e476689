"""Run one function over many items concurrently; results come back in the items' order, errors per item."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
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


def fan_out(func: Callable[[T], R], items: Iterable[T], concurrency: int) -> list[Done[T, R]]:
    """Call `func` on every item with at most `concurrency` calls at once.

    One item's exception does not stop the others: it is returned as that item's `error`.

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
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="meraki") as pool:
        return list(pool.map(guarded, items))
