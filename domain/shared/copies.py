"""Copies of aggregates whose large containers hold only values no command changes in place."""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any, TypeVar

T = TypeVar("T")


def copy_sharing_items(aggregate: T, memo: dict[int, Any], shared: Collection[str]) -> T:
    """A deep copy, but for the attributes named in `shared`: those containers are copied
    and their items shared. The aggregate cache hands every command a copy; copying
    thousands of immutable items one by one made each command slow."""
    copied = type(aggregate).__new__(type(aggregate))
    memo[id(aggregate)] = copied
    for name, value in vars(aggregate).items():
        vars(copied)[name] = value.copy() if name in shared else copy.deepcopy(value, memo)
    return copied
