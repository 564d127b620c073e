"""How an engine hands out work that splits into independent pieces.

An engine that forecasts series in chunks (or plays scenarios, replications, instances)
does not choose where the pieces run: it receives a :class:`MapFunction` and calls it with
a top-level function and the pieces. The service passes :func:`serial_map` (this
process) or one that runs the pieces on other processes or machines; the engine cannot
tell which, and its result must not depend on it. That is why the function must be
defined at module level and its pieces picklable: they may cross a process boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

Piece = TypeVar("Piece")
Outcome = TypeVar("Outcome")

Finished = Callable[[int], None]
"""Told the position of each piece as it is done (in the order they finish)."""


class MapFunction(Protocol):
    """Apply ``function`` to each of ``pieces`` and return the outcomes in the pieces' order.

    ``function`` is a module-level function and ``pieces`` picklable, so that they can be
    shipped to other processes. ``finished`` is told the position of each piece when its
    outcome is in, so that the caller can report progress while the rest still run. An
    error raised by ``function`` is raised to the caller.
    """

    def __call__(
        self,
        function: Callable[[Piece], Outcome],
        pieces: Sequence[Piece],
        finished: Finished | None = None,
    ) -> list[Outcome]: ...


def serial_map(
    function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
) -> list[Outcome]:
    """The pieces one after the other in this process (the default, and the reference of every other map)."""
    outcomes = []
    for position, piece in enumerate(pieces):
        outcomes.append(function(piece))
        if finished is not None:
            finished(position)
    return outcomes
