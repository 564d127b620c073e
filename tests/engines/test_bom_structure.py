"""Product structure: cycles named along "is made from", low-level codes, shapes."""

from __future__ import annotations

import itertools

from plantops.engines.bom import BomStructure, find_cycle, low_level_codes, process_shape
from plantops.vocabulary import ProcessShape


def test_acyclic_structure_has_no_cycle() -> None:
    structure = BomStructure()
    structure.add_bom(["BIKE"], ["FRAME", "WHEEL"])
    structure.add_bom(["FRAME"], ["TUBE"])

    assert find_cycle(structure) is None


def test_cycle_is_listed_from_user_to_component_and_back() -> None:
    structure = BomStructure()
    structure.add_bom(["BIKE"], ["FRAME"])
    structure.add_bom(["FRAME"], ["TUBE"])
    structure.add_bom(["TUBE"], ["BIKE"])

    cycle = find_cycle(structure)

    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 4
    for parent, component in itertools.pairwise(cycle):
        assert component in structure.uses[parent]


def test_co_product_that_feeds_its_own_input_is_a_cycle() -> None:
    structure = BomStructure()
    structure.add_bom(["CREAM", "SKIM"], ["MILK"])
    structure.add_bom(["MILK"], ["SKIM"])

    assert find_cycle(structure) is not None


def test_low_level_code_is_the_deepest_level_an_item_appears_at() -> None:
    structure = BomStructure()
    structure.add_bom(["BIKE"], ["FRAME", "BOLT"])
    structure.add_bom(["FRAME"], ["TUBE", "BOLT"])
    structure.add_bom(["TUBE"], ["STEEL"])

    codes = low_level_codes(structure)

    assert codes == {"BIKE": 0, "FRAME": 1, "BOLT": 2, "TUBE": 2, "STEEL": 3}


def test_process_shape_follows_inputs_and_outputs() -> None:
    assert process_shape(input_count=5, output_count=1) is ProcessShape.ASSEMBLY
    assert process_shape(input_count=1, output_count=1) is ProcessShape.MODIFICATION
    assert process_shape(input_count=1, output_count=3) is ProcessShape.SEPARATION
