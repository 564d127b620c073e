"""The domain's errors.

Every error a user can cause is a :class:`PlantOpsError` whose message names the
record, the field and the reason. Entrypoints translate them to their medium (CLI exit
code 2, HTTP problem+json); nothing below an entrypoint prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass


class PlantOpsError(Exception):
    """Base of every error PlantOps reports to a user."""


class ValidationError(PlantOpsError):
    """A value is not acceptable: ``record``'s ``field`` fails because of ``reason``."""

    def __init__(self, record: str, field: str, reason: str) -> None:
        self.record = record
        self.field = field
        self.reason = reason
        super().__init__(f"{record}: {field}: {reason}")


class NotFoundError(PlantOpsError):
    """A business code names nothing that exists."""

    def __init__(self, kind: str, code: str, *, of: str | None = None) -> None:
        self.kind = kind
        self.code = code
        super().__init__(f"unknown {kind} {code!r}" + (f" of {of}" if of else ""))


class BomCycleError(PlantOpsError):
    """Bills of materials that would make an item a component of itself."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("BOM cycle: " + " -> ".join(cycle))


class DatabaseNotEmptyError(PlantOpsError):
    """An operation that needs an empty database found data in it."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row of an import: where it is and what is wrong with it."""

    source: str  # file name or sheet name
    row: int  # row number as the user sees it (header is row 1)
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source} row {self.row}: {self.field}: {self.reason}"


class ImportRejectedError(PlantOpsError):
    """An import with at least one bad row; nothing was imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        lines = "; ".join(str(p) for p in problems[:20])
        more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"import rejected, nothing imported ({len(problems)} bad rows): {lines}{more}")
