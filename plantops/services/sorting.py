"""How a list's ``sort`` words become the columns it is ordered by, for every service that pages a list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plantops.errors import ValidationError


def order_by(sort: Sequence[str], columns: Mapping[str, Any], record: str) -> list[Any]:
    """The columns named by ``sort`` (keys of ``columns``, ``-`` first for descending), in order;
    an unknown name is refused naming the field ``sort`` and the names known."""
    ordering = []
    for word in sort:
        column = columns.get(word.removeprefix("-"))
        if column is None:
            raise ValidationError(record, "sort", f"no column {word!r} to sort by (known: {', '.join(columns)})")
        ordering.append(column.desc() if word.startswith("-") else column.asc())
    return ordering
