"""Inventory valuation engine: textbook FIFO / moving-average / standard examples, by hand."""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from fractions import Fraction

import numpy as np
import pytest

from plantops.engines.valuation import Costing, StockMoves, transfer_flags, value_item, value_items
from plantops.errors import ValidationError
from plantops.vocabulary import MoveType, ValuationMethod

FIFO = Costing(ValuationMethod.FIFO)
AVERAGE = Costing(ValuationMethod.MOVING_AVERAGE)
STANDARD = Costing(ValuationMethod.STANDARD, standard_cost=10.5)

# The textbook ledger (in the manner of Kieso, Intermediate Accounting, ch. 8, perpetual
# FIFO and moving average), days as effective times:
#   day 1  receipt 100 @ 10
#   day 2  receipt 200 @ 11
#   day 3  issue   150
#   day 4  receipt 300 @ 12
#   day 5  issue   100
TEXTBOOK = StockMoves.of(
    quantity=[100, 200, -150, 300, -100],
    unit_cost=[10, 11, 0, 12, 0],
    effective_at=[1, 2, 3, 4, 5],
)


def test_fifo_textbook_three_receipts_two_issues_keep_the_newest_layers() -> None:
    # day 3 issue 150 takes 100 @ 10 and 50 @ 11 -> left 150 @ 11, 300 @ 12 after day 4
    # day 5 issue 100 takes 100 @ 11            -> left  50 @ 11 + 300 @ 12
    # value = 550 + 3600 = 4150 for 350 units; unit cost 4150 / 350 = 11.857142857...
    result = value_item(TEXTBOOK, FIFO, as_of=5)

    assert result.quantity == 350
    assert result.value == pytest.approx(4150, abs=1e-9)
    assert result.unit_cost == pytest.approx(4150 / 350, rel=1e-12)
    assert result.method is ValuationMethod.FIFO


def test_fifo_as_of_an_earlier_instant_ignores_the_later_moves() -> None:
    # As of day 3: the issue of 150 took 100 @ 10 and 50 @ 11 -> 150 @ 11 = 1650.
    # The day 4 receipt and the day 5 issue are in the future and do not count.
    result = value_item(TEXTBOOK, FIFO, as_of=3)

    assert result.quantity == 150
    assert result.value == pytest.approx(1650, abs=1e-9)
    assert result.unit_cost == pytest.approx(11)


def test_as_of_includes_a_move_effective_exactly_then_and_nothing_before_the_first() -> None:
    # As of day 2: both receipts, 1000 + 2200 = 3200; as of day 0: nothing yet.
    assert value_item(TEXTBOOK, FIFO, as_of=2).value == pytest.approx(3200)
    assert value_item(TEXTBOOK, FIFO, as_of=0).value == 0
    assert value_item(TEXTBOOK, FIFO, as_of=0).quantity == 0


def test_moving_average_textbook_reweights_on_each_receipt_only() -> None:
    # day 1: 100 @ 10                            value 1000, average 10
    # day 2: + 200 @ 11 -> 300, value 3200,              average 10.6666...
    # day 3: - 150      -> 150 @ 10.6666... = 1600  (average unchanged)
    # day 4: + 300 @ 12 -> 450, value 1600 + 3600 = 5200, average 11.5555...
    # day 5: - 100      -> 350 @ 11.5555... = 4044.4444...
    result = value_item(TEXTBOOK, AVERAGE, as_of=5)

    assert result.quantity == 350
    assert result.unit_cost == pytest.approx(5200 / 450, rel=1e-12)
    assert result.value == pytest.approx(350 * 5200 / 450, rel=1e-12)
    assert value_item(TEXTBOOK, AVERAGE, as_of=3).value == pytest.approx(1600, rel=1e-12)


def test_standard_cost_values_on_hand_at_the_standard_whatever_was_paid() -> None:
    # 350 on hand x 10.5 standard = 3675; as of day 3: 150 x 10.5 = 1575.
    assert value_item(TEXTBOOK, STANDARD, as_of=5).value == pytest.approx(3675)
    assert value_item(TEXTBOOK, STANDARD, as_of=5).unit_cost == 10.5
    assert value_item(TEXTBOOK, STANDARD, as_of=3).value == pytest.approx(1575)


@pytest.mark.parametrize("costing", [FIFO, AVERAGE, STANDARD], ids=lambda c: c.method.value)
def test_transfers_between_locations_change_neither_quantity_nor_value(costing: Costing) -> None:
    # The textbook ledger plus, on day 3.5, 80 moved from store A to store B at an
    # absurd unit cost of 99: the item's quantity and value must not move at all.
    types = [MoveType.RECEIPT, MoveType.RECEIPT, MoveType.ISSUE, MoveType.TRANSFER_OUT, MoveType.TRANSFER_IN]
    with_transfer = StockMoves.of(
        quantity=[100, 200, -150, -80, 80, 300, -100],
        unit_cost=[10, 11, 0, 99, 99, 12, 0],
        effective_at=[10, 20, 30, 35, 35, 40, 50],
        is_transfer=transfer_flags([*types, MoveType.RECEIPT, MoveType.ISSUE]),
    )

    assert value_item(with_transfer, costing, as_of=50) == value_item(TEXTBOOK, costing, as_of=5)
    assert value_item(with_transfer, costing, as_of=35) == value_item(TEXTBOOK, costing, as_of=3)


def test_transfer_flags_mark_only_the_two_transfer_types() -> None:
    flags = transfer_flags(["transfer_out", MoveType.TRANSFER_IN, MoveType.RECEIPT, MoveType.ADJUSTMENT])

    assert flags.tolist() == [True, True, False, False]


def test_ties_at_the_same_instant_are_ordered_by_move_id_not_by_position() -> None:
    # All three at the same instant, given in the order A, B, issue but with ids 7, 3, 5.
    # By id: B (10 @ 9), then the issue of 10, then A (10 @ 5).
    #   FIFO: the issue takes B's 10 @ 9 -> left A 10 @ 5 = 50 (by position it would be 90).
    #   Moving average: B sets 9, the issue leaves 0 on hand, A onto zero sets 5 -> 50
    #   (by position: (10x5 + 10x9)/20 = 7, -> 10 @ 7 = 70).
    moves = StockMoves.of(quantity=[10, 10, -10], unit_cost=[5, 9, 0], effective_at=[1, 1, 1], move_id=[7, 3, 5])

    assert value_item(moves, FIFO, as_of=1).value == pytest.approx(50)
    assert value_item(moves, AVERAGE, as_of=1).value == pytest.approx(50)


def test_negative_on_hand_is_valued_at_the_latest_cost_then_filled_by_the_next_receipt() -> None:
    # day 1 receipt 10 @ 4; day 2 issue 15 -> on hand -5, valued -5 x 4 = -20 (FIFO and
    # average alike). day 3 receipt 10 @ 6: the shortfall of 5 is filled first, 5 @ 6
    # remain = 30 under FIFO; under moving average a receipt onto on-hand <= 0 sets the
    # average to its own cost, 6 -> 5 x 6 = 30.
    moves = StockMoves.of(quantity=[10, -15, 10], unit_cost=[4, 0, 6], effective_at=[1, 2, 3])

    for costing in (FIFO, AVERAGE):
        short = value_item(moves, costing, as_of=2)
        assert (short.quantity, short.value, short.unit_cost) == (-5, pytest.approx(-20), pytest.approx(4))
        after = value_item(moves, costing, as_of=3)
        assert (after.quantity, after.value, after.unit_cost) == (5, pytest.approx(30), pytest.approx(6))
    assert value_item(moves, STANDARD, as_of=2).value == pytest.approx(-5 * 10.5)


def test_fifo_shortfall_filled_across_two_receipts_leaves_only_the_newest() -> None:
    # receipt 10 @ 1, issue 15 (-5), receipt 3 @ 2 (still -2), receipt 10 @ 3 -> 8 @ 3 = 24.
    moves = StockMoves.of(quantity=[10, -15, 3, 10], unit_cost=[1, 0, 2, 3], effective_at=[1, 2, 3, 4])

    assert value_item(moves, FIFO, as_of=3).value == pytest.approx(-2 * 2)
    assert value_item(moves, FIFO, as_of=4).value == pytest.approx(24)


def test_incoming_at_zero_cost_takes_the_current_cost_instead_of_diluting() -> None:
    # receipts 10 @ 4 and 10 @ 6, then a return of 5 with no cost given.
    #   FIFO: the return is a layer at the latest cost, 6 -> 40 + 60 + 30 = 130.
    #   Moving average: average (40 + 60) / 20 = 5; the return at 5 keeps it -> 25 x 5 = 125.
    moves = StockMoves.of(quantity=[10, 10, 5], unit_cost=[4, 6, 0], effective_at=[1, 2, 3])

    assert value_item(moves, FIFO, as_of=3).value == pytest.approx(130)
    assert value_item(moves, AVERAGE, as_of=3).value == pytest.approx(125)
    # With no earlier cost at all, it stays at zero.
    free = StockMoves.of(quantity=[5], unit_cost=[0], effective_at=[1])
    assert value_item(free, FIFO, as_of=1).value == 0
    assert value_item(free, AVERAGE, as_of=1).value == 0


def test_as_of_may_be_datetime64_or_an_aware_datetime_but_not_a_naive_one() -> None:
    day = np.array(["2026-03-01T00:00", "2026-03-02T00:00", "2026-03-03T00:00"], dtype="datetime64[us]")
    moves = StockMoves.of(quantity=[100, 200, -150], unit_cost=[10, 11, 0], effective_at=day)
    berlin_midnight = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    # As of 2 March: 100 @ 10 + 200 @ 11 = 3200.
    assert value_item(moves, FIFO, as_of=np.datetime64("2026-03-02T00:00")).value == pytest.approx(3200)
    assert value_item(moves, FIFO, as_of=berlin_midnight).value == pytest.approx(3200)
    with pytest.raises(ValidationError, match=r"as_of: .* needs a time zone"):
        value_item(moves, FIFO, as_of=dt.datetime(2026, 3, 2))


def test_many_items_at_once_match_each_item_alone_and_items_without_moves_are_zero() -> None:
    # item 0 FIFO, item 1 moving average, item 2 standard: each the textbook ledger,
    # interleaved; item 3 has no moves.
    size = len(TEXTBOOK)
    moves = StockMoves.of(
        quantity=np.tile([100, 200, -150, 300, -100], 3),
        unit_cost=np.tile([10, 11, 0, 12, 0], 3),
        effective_at=np.tile([1, 2, 3, 4, 5], 3),
        move_id=np.arange(3 * size)[::-1],
        item=np.repeat([0, 1, 2], size),
    )
    costings = [FIFO, AVERAGE, STANDARD, Costing(ValuationMethod.STANDARD, 2.0)]
    result = value_items(moves, costings, as_of=5)

    for index, costing in enumerate(costings[:3]):
        alone = value_item(TEXTBOOK, costing, as_of=5)
        assert result.item(index).value == pytest.approx(alone.value, rel=1e-12)
        assert result.item(index).quantity == alone.quantity
    assert result.item(3).quantity == 0 and result.item(3).value == 0 and result.item(3).unit_cost == 2.0
    assert result.total_value == pytest.approx(4150 + 350 * 5200 / 450 + 3675)


def _reference(quantities: list[int], costs: list[float], method: ValuationMethod) -> tuple[int, Fraction]:
    """Quantity and value by the textbook procedure, one move at a time, in exact fractions."""
    if method is ValuationMethod.FIFO:
        layers: deque[list[Fraction]] = deque()
        short, latest = 0, Fraction(0)
        for quantity, unit_cost in zip(quantities, costs, strict=True):
            if quantity > 0:
                latest = Fraction(unit_cost) if unit_cost else latest
                filled = min(quantity, short)
                short -= filled
                if quantity > filled:
                    layers.append([Fraction(quantity - filled), latest])
            else:
                need = Fraction(-quantity)
                while need and layers:
                    taken = min(need, layers[0][0])
                    layers[0][0] -= taken
                    need -= taken
                    if not layers[0][0]:
                        layers.popleft()
                short += int(need)
        return sum(int(q) for q, _ in layers) - short, sum((q * c for q, c in layers), Fraction(0)) - short * latest
    on_hand, mean = 0, Fraction(0)
    for quantity, unit_cost in zip(quantities, costs, strict=True):
        if quantity > 0:
            received = Fraction(unit_cost) if unit_cost else mean
            mean = (on_hand * mean + quantity * received) / (on_hand + quantity) if on_hand > 0 else received
        on_hand += quantity
    return on_hand, on_hand * mean


@pytest.mark.parametrize("method", [ValuationMethod.FIFO, ValuationMethod.MOVING_AVERAGE])
def test_random_ledgers_match_the_one_move_at_a_time_textbook_procedure(method: ValuationMethod) -> None:
    rng = np.random.default_rng(20260301)
    items, size = 40, 2000
    quantity = np.where(rng.random(size) < 0.55, rng.integers(1, 50, size), -rng.integers(1, 40, size))
    unit_cost = np.where(rng.random(size) < 0.1, 0.0, rng.integers(100, 2000, size) / 100)
    effective_at = rng.integers(0, 500, size)  # many ties
    move_id = rng.permutation(size)
    item = rng.integers(0, items, size)
    moves = StockMoves.of(quantity=quantity, unit_cost=unit_cost, effective_at=effective_at, move_id=move_id, item=item)
    result = value_items(moves, [Costing(method)] * items, as_of=350)

    for index in range(items):
        rows = np.flatnonzero((item == index) & (effective_at <= 350))
        rows = rows[np.lexsort((move_id[rows], effective_at[rows]))]
        quantity_ref, value_ref = _reference(quantity[rows].tolist(), unit_cost[rows].tolist(), method)
        assert result.item(index).quantity == quantity_ref
        assert result.item(index).value == pytest.approx(float(value_ref), rel=1e-9, abs=1e-9)


def test_quantities_are_summed_exactly_to_six_decimals() -> None:
    # 0.1 + 0.2 - 0.3 is 5.6e-17 in float64; in whole millionths it is exactly 0.
    moves = StockMoves.of(quantity=[0.1, 0.2, -0.3, 1.000001], unit_cost=[1, 1, 0, 2], effective_at=[1, 2, 3, 4])

    assert value_item(moves, FIFO, as_of=3).quantity == 0
    assert value_item(moves, FIFO, as_of=4).quantity == 1.000001


def test_bad_arrays_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="unit_cost: has 1 values, expected 2"):
        StockMoves.of(quantity=[1, 2], unit_cost=[1], effective_at=[1, 2])
    with pytest.raises(ValidationError, match="finite"):
        StockMoves.of(quantity=[float("nan")], unit_cost=[1], effective_at=[1])
    with pytest.raises(ValidationError, match="item: item indexes must be between 0 and 0"):
        value_items(StockMoves.of(quantity=[1], unit_cost=[1], effective_at=[1], item=[1]), [FIFO], as_of=1)


def test_values_100k_moves_of_1000_items_in_well_under_a_second() -> None:
    rng = np.random.default_rng(7)
    size, items = 100_000, 1000
    moves = StockMoves.of(
        quantity=np.where(rng.random(size) < 0.5, rng.integers(1, 100, size), -rng.integers(1, 60, size)),
        unit_cost=rng.uniform(1, 50, size).round(4),
        effective_at=rng.integers(0, 10**12, size),
        move_id=np.arange(size),
        is_transfer=rng.random(size) < 0.1,
        item=rng.integers(0, items, size),
    )
    methods = list(ValuationMethod)
    costings = [Costing(methods[i % 3], 5.0) for i in range(items)]
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        result = value_items(moves, costings, as_of=10**12)
        timings.append(time.perf_counter() - started)

    assert len(result) == items
    assert min(timings) < 0.5
