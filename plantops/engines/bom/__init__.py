"""Bill-of-materials structure: cycles, low-level codes, process shapes."""

from plantops.engines.bom.structure import (
    BomStructure,
    find_cycle,
    low_level_codes,
    process_shape,
)

__all__ = ["BomStructure", "find_cycle", "low_level_codes", "process_shape"]
