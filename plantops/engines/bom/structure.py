"""The product structure as a directed graph of "is made from" edges.

An item *uses* an item when a BOM that outputs the first (main product, co-product or
by-product) consumes the second. The structure must be acyclic. The low-level code of
an item is the deepest level at which it appears in any structure (Orlicky, *Material
Requirements Planning*, 1975, ch. 9): MRP nets an item only once all of its users have
been netted, which is the order of increasing low-level code.

Cycle detection and ordering use the standard library's :mod:`graphlib`.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from plantops.vocabulary import ProcessShape


@dataclass
class BomStructure:
    """Edges ``uses[parent] = {component, ...}`` built from BOM outputs and inputs."""

    uses: dict[str, set[str]] = field(default_factory=dict)

    def add_bom(self, outputs: Iterable[str], inputs: Iterable[str]) -> None:
        """Record that every output of a BOM is made from every one of its inputs."""
        input_set = set(inputs)
        for output in outputs:
            self.uses.setdefault(output, set()).update(input_set)

    def used_by(self) -> dict[str, set[str]]:
        """The reverse edges: ``used_by[component] = {parent, ...}``."""
        reverse: dict[str, set[str]] = {}
        for parent, components in self.uses.items():
            reverse.setdefault(parent, set())
            for component in components:
                reverse.setdefault(component, set()).add(parent)
        return reverse


def find_cycle(structure: BomStructure) -> list[str] | None:
    """A cycle of items, each made from the next (first == last), or None if acyclic."""
    sorter = graphlib.TopologicalSorter(structure.used_by())
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        # Predecessors are users here, so graphlib lists the cycle along "is made from".
        return list(error.args[1])
    return None


def low_level_codes(structure: BomStructure) -> dict[str, int]:
    """Low-level code per item: 0 for items no BOM uses, else 1 + the deepest user's code.

    Raises :class:`graphlib.CycleError` on a cyclic structure; call :func:`find_cycle`
    first to report it in the business's words.
    """
    used_by = structure.used_by()
    codes: dict[str, int] = {}
    for item in graphlib.TopologicalSorter(used_by).static_order():
        parents = used_by.get(item, ())
        codes[item] = max((codes[p] + 1 for p in parents), default=0)
    return codes


def process_shape(input_count: int, output_count: int) -> ProcessShape:
    """Separation when a BOM has several outputs; modification for one input; else assembly."""
    if output_count > 1:
        return ProcessShape.SEPARATION
    if input_count == 1:
        return ProcessShape.MODIFICATION
    return ProcessShape.ASSEMBLY
