"""Bin names in the order a picker walks the shelves."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+)")


def bin_order(shelf: str) -> tuple[object, ...]:
    """Bins in walking order: A-2 before A-10 (numbers compared as numbers); no bin last."""
    if not shelf:
        return ((1,),)
    return ((0,), *((0, int(part)) if part.isdigit() else (1, part.casefold())
                    for part in _NUMBER.split(shelf) if part))
