"""Translation between database ids and the business keys the exchange format speaks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.services.master_data.sheets import SHEETS_BY_NAME, Sheet

Key = tuple[Any, ...]


class KeyIndex:
    """Per sheet, ``id -> key`` and ``key -> id`` for the rows in the database.

    Maps are loaded on first use with one query per sheet and refreshed after a sheet
    is written (:meth:`forget`).
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_id: dict[str, dict[int, Key]] = {}
        self._by_key: dict[str, dict[Key, int]] = {}

    def ids(self, sheet_name: str) -> dict[Key, int]:
        if sheet_name not in self._by_key:
            self._load(SHEETS_BY_NAME[sheet_name])
        return self._by_key[sheet_name]

    def keys(self, sheet_name: str) -> dict[int, Key]:
        if sheet_name not in self._by_id:
            self._load(SHEETS_BY_NAME[sheet_name])
        return self._by_id[sheet_name]

    def code(self, sheet_name: str, row_id: int | None) -> Any:
        """The code of a row of a sheet keyed by one column (None stays None)."""
        return None if row_id is None else self.keys(sheet_name)[row_id][0]

    def forget(self, sheet_name: str) -> None:
        self._by_id.pop(sheet_name, None)
        self._by_key.pop(sheet_name, None)

    def _load(self, sheet: Sheet) -> None:
        table = table_of(sheet.model)
        parts = [self._key_part(sheet, name) for name in sheet.key]
        attrs = sorted({attr for attr, _ in parts})
        columns = [table.c.id, *(table.c[a] for a in attrs)]
        position = {a: i + 1 for i, a in enumerate(attrs)}
        by_id: dict[int, Key] = {}
        for row in self._session.execute(select(*columns)):
            key: list[Any] = []
            for attr, translate in parts:
                key.extend(translate(row[position[attr]]))
            by_id[row[0]] = tuple(key)
        self._by_id[sheet.name] = by_id
        self._by_key[sheet.name] = {k: i for i, k in by_id.items()}

    def _key_part(self, sheet: Sheet, column_name: str) -> tuple[str, Any]:
        """Which attribute a key column comes from, and how to turn its value into key values."""
        column = sheet.column_index[column_name]
        if column.target is None:  # part of the parent's key
            parent = sheet.parent
            assert parent is not None
            index = parent.columns.index(column_name)
            return parent.attr, lambda v, p=parent.sheet, i=index: (self.keys(p)[v][i],)
        if column.ref:
            return column.target, lambda v, r=column.ref: (None if v is None else self.keys(r)[v][0],)
        return column.target, lambda v: (v,)
