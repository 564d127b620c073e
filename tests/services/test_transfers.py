"""Transfer orders: create or release, ship and receive in parts with lots, cancel, stock in transit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.inventory import StockMove
from plantops.db.sites import Location
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data, transfers
from plantops.services.inventory import balances, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import Who
from plantops.services.planning import queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.services.transfers import Arrival, Shipment, TransferLine
from plantops.vocabulary import LocationKind, OrderStatus, PlannedOrderStatus, Procurement
from tests.services.minimal_plant import WITH_A_DC, write_plant

START = dt.date(2026, 11, 23)  # a Monday
WHO = Who("tester")

TWO_SITES = {
    **WITH_A_DC,
    "item_sites": "item,site,procurement,transfer_from_site,lead_time_days,lot_size_rule,fixed_order_quantity,"
    "safety_stock,planner_code,abc_class\n"
    "BIKE,DC1,transfer,P1,3,,,4,DC-PLAN,A\n",
    "lots": "item,code,expiry_date\nTUBE,L-001,2027-06-30\nTUBE,L-002,2027-03-31\nFRAME,SN-1,\n",
    "opening_stock": "item,location,lot,quantity,unit_cost\nTUBE,P1/RM,L-001,250.5,2.5\nTUBE,P1/RM,L-002,30,2.5\n"
    "BIKE,P1/FG,,7,240\nFRAME,P1/FG,SN-1,1,80\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant and a DC: tube in two lots at P1/RM (L-002 expires first), BIKE transferred to DC1."""
    master_data.import_path(ops.uow(), write_plant(tmp_path, TWO_SITES), posted_by="tester")
    return ops


def _tube_order(plant: PlantOps, quantity: int = 100) -> str:
    return transfers.create_transfer_order(
        plant.uow(),
        from_site="P1",
        to_site="DC1",
        ship_date=dt.date(2026, 12, 1),
        due_date=dt.date(2026, 12, 4),
        lines=[TransferLine("TUBE", Decimal(quantity))],
        today=START,
    ).number


def _on_hand(plant: PlantOps, location: str, lot: str | None = None, item: str = "TUBE") -> Decimal:
    found = [b for b in balances.on_hand(plant.uow(), item=item, location=location) if b.lot == lot]
    return found[0].on_hand if found else Decimal(0)


def _moves(plant: PlantOps) -> int:
    with plant.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(StockMove)) or 0


def test_a_lot_ships_and_arrives_in_two_parts_and_the_order_closes(plant: PlantOps) -> None:
    number = _tube_order(plant)

    first = transfers.ship(plant.uow(), number, [Shipment(1, Decimal(60), "P1/RM", "L-001")], WHO)
    second = transfers.ship(plant.uow(), number, [Shipment(1, Decimal(40), "P1/RM")], WHO)  # FEFO: L-002 first

    assert first.order.lines[0].shipped_quantity == 60 and second.order.lines[0].shipped_quantity == 100
    assert [(m.location, m.lot, m.quantity) for m in second.posting.moves] == [
        ("P1/RM", "L-002", -30),
        ("DC1-TRANSIT", "L-002", 30),
        ("P1/RM", "L-001", -10),
        ("DC1-TRANSIT", "L-001", 10),
    ]
    assert (_on_hand(plant, "P1/RM", "L-001"), _on_hand(plant, "P1/RM", "L-002")) == (Decimal("180.5"), 0)
    assert _on_hand(plant, "DC1-TRANSIT", "L-001") == 70 and _on_hand(plant, "DC1-TRANSIT", "L-002") == 30
    with plant.uow() as uow:
        kind = uow.session.scalar(select(Location.kind).where(Location.code == "DC1-TRANSIT"))
    assert kind is LocationKind.TRANSIT

    part = transfers.receive(plant.uow(), number, [Arrival(1, Decimal(50), "DC1/FG", "L-001")], WHO)
    assert part.order.status is OrderStatus.OPEN and part.order.lines[0].in_transit == 50
    transit = transfers.in_transit(plant.uow(), order=number)
    assert [(t.lot, t.quantity, t.value) for t in transit] == [
        ("L-001", 20, Decimal("50.00")),
        ("L-002", 30, Decimal("75.00")),
    ]

    rest = transfers.receive(plant.uow(), number, [Arrival(1, Decimal(50), "DC1/FG")], WHO)

    assert rest.order.status is OrderStatus.CLOSED and rest.order.lines[0].received_quantity == 100
    assert _on_hand(plant, "DC1/FG", "L-001") == 70 and _on_hand(plant, "DC1/FG", "L-002") == 30
    assert _on_hand(plant, "DC1-TRANSIT", "L-001") == 0 and transfers.in_transit(plant.uow()) == []
    check = balances.verify(plant.uow())
    assert check.sound, check.problems


@pytest.mark.parametrize(
    ("arrival", "field"),
    [
        (Arrival(1, Decimal(41), "DC1/FG", "L-001"), "quantity"),  # 40 shipped
        (Arrival(1, Decimal(5), "DC1/FG", "L-002"), "lot"),  # L-002 did not ship on this order
        (Arrival(1, Decimal(5), "P1/FG", "L-001"), "location"),  # not at the destination
        (Arrival(1, Decimal(5), "DC1-TRANSIT", "L-001"), "location"),
        (Arrival(2, Decimal(5), "DC1/FG", "L-001"), "line"),
    ],
)
def test_a_receipt_beyond_what_the_order_shipped_is_refused_and_posts_nothing(
    plant: PlantOps, arrival: Arrival, field: str
) -> None:
    number = _tube_order(plant)
    transfers.ship(plant.uow(), number, [Shipment(1, Decimal(40), "P1/RM", "L-001")], WHO)
    before = _moves(plant)

    with pytest.raises(ValidationError) as refused:
        transfers.receive(plant.uow(), number, [arrival], WHO)

    assert refused.value.field == field
    assert _moves(plant) == before
    assert transfers.transfer_order(plant.uow(), number).lines[0].received_quantity == 0


@pytest.mark.parametrize(
    ("shipment", "field"),
    [
        (Shipment(1, Decimal(101), "P1/RM", "L-001"), "quantity"),
        (Shipment(1, Decimal(5), "DC1/FG", "L-001"), "location"),  # not at the source
        (Shipment(1, Decimal(5), "P1/RM", "L-999"), None),  # no such lot
        (Shipment(1, Decimal(31), "P1/RM", "L-002"), None),  # only 30 on hand
        (Shipment(1, Decimal("0.0001"), "P1/RM", "L-001"), "quantity"),  # kg has 3 decimals
    ],
)
def test_a_bad_shipment_is_refused_and_posts_nothing(plant: PlantOps, shipment: Shipment, field: str | None) -> None:
    number = _tube_order(plant)
    before = _moves(plant)

    with pytest.raises((ValidationError, NotFoundError, InsufficientStockError)) as refused:
        transfers.ship(plant.uow(), number, [shipment], WHO)

    if field is not None:
        assert isinstance(refused.value, ValidationError) and refused.value.field == field
    assert _moves(plant) == before
    assert transfers.transfer_order(plant.uow(), number).lines[0].shipped_quantity == 0


def test_a_second_part_beyond_the_rest_of_the_line_is_refused(plant: PlantOps) -> None:
    number = _tube_order(plant)
    transfers.ship(plant.uow(), number, [Shipment(1, Decimal(70), "P1/RM", "L-001")], WHO)

    with pytest.raises(ValidationError, match=r"line 1 \(TUBE\) has 30 left to ship: 31 is more"):
        transfers.ship(plant.uow(), number, [Shipment(1, Decimal(31), "P1/RM", "L-001")], WHO)


def test_cancelling_before_shipping_cancels_and_nothing_more_is_received(plant: PlantOps) -> None:
    number = _tube_order(plant)

    assert transfers.cancel(plant.uow(), number).status is OrderStatus.CANCELLED
    before = _moves(plant)
    with pytest.raises(ValidationError, match=r"is cancelled: nothing more to receive") as refused:
        transfers.receive(plant.uow(), number, [Arrival(1, Decimal(1), "DC1/FG", "L-001")], WHO)
    assert refused.value.field == "status" and _moves(plant) == before
    with pytest.raises(ValidationError, match="nothing more to ship"):
        transfers.ship(plant.uow(), number, [Shipment(1, Decimal(1), "P1/RM", "L-001")], WHO)


def test_cancelling_after_a_part_shipped_cuts_the_order_to_it_and_keeps_it_open_until_received(
    plant: PlantOps,
) -> None:
    order = transfers.create_transfer_order(
        plant.uow(),
        from_site="P1",
        to_site="DC1",
        ship_date=dt.date(2026, 12, 1),
        due_date=dt.date(2026, 12, 4),
        lines=[TransferLine("TUBE", Decimal(100)), TransferLine("BIKE", Decimal(5))],
        today=START,
    )
    transfers.ship(plant.uow(), order.number, [Shipment(1, Decimal(25), "P1/RM", "L-001")], WHO)

    cut = transfers.cancel(plant.uow(), order.number)

    assert cut.status is OrderStatus.OPEN
    assert [(line.item, line.quantity, line.shipped_quantity) for line in cut.lines] == [("TUBE", 25, 25)]
    received = transfers.receive(plant.uow(), order.number, [Arrival(1, Decimal(25), "DC1/FG")], WHO)
    assert received.order.status is OrderStatus.CLOSED


def test_a_new_order_names_the_bad_field(plant: PlantOps) -> None:
    def create(**changes: object) -> None:
        values: dict[str, object] = {
            "from_site": "P1",
            "to_site": "DC1",
            "ship_date": dt.date(2026, 12, 4),
            "due_date": dt.date(2026, 12, 4),
            "lines": [TransferLine("BIKE", Decimal(2))],
            "today": START,
        }
        transfers.create_transfer_order(plant.uow(), **{**values, **changes})  # type: ignore[arg-type]

    for changes, field in (
        ({"to_site": "P1"}, "to_site"),
        ({"due_date": dt.date(2026, 12, 3)}, "due_date"),
        ({"lines": []}, "lines"),
        ({"lines": [TransferLine("BIKE", Decimal("0.5"))]}, "quantity"),
    ):
        with pytest.raises(ValidationError) as refused:
            create(**changes)
        assert refused.value.field == field, changes
    with pytest.raises(NotFoundError, match="site 'NOPE'"):
        create(to_site="NOPE")
    assert transfers.transfer_orders(plant.uow()).total == 0


def test_a_planned_transfer_is_released_as_a_transfer_order_and_travels(plant: PlantOps) -> None:
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, orders = queries.planned_orders(plant.uow(), item="BIKE", kind=Procurement.TRANSFER)
    planned = orders[0]

    released = queries.release(plant.uow().acting_as("planner"), planned.number, today=START)

    number = f"TO-{planned.number}"
    assert released.status is PlannedOrderStatus.RELEASED and released.released_as == number
    order = transfers.transfer_order(plant.uow(), number)
    assert (order.from_site, order.to_site, order.planned_order, order.created_by) == (
        "P1",
        "DC1",
        planned.number,
        "planner",
    )
    assert (order.ship_date, order.due_date) == (planned.release_date, planned.due_date)
    assert [(line.item, line.quantity) for line in order.lines] == [("BIKE", planned.quantity)]

    transfers.ship(plant.uow(), number, [Shipment(1, planned.quantity, "P1/FG")], WHO)
    assert _on_hand(plant, "DC1-TRANSIT", item="BIKE") == planned.quantity
    [summary] = transfers.transfer_orders(plant.uow(), site="DC1", status=OrderStatus.OPEN).orders
    assert (summary.number, summary.shipped_quantity) == (number, planned.quantity)
    assert transfers.open_transfer_orders(plant.uow(), from_site="P1", to_site="DC1") == [number]
    with pytest.raises(ValidationError, match="already released"):
        queries.release(plant.uow(), planned.number, today=START)


def test_a_shipment_cannot_be_reversed_in_the_ledger_behind_its_order(plant: PlantOps) -> None:
    number = _tube_order(plant)
    shipped = transfers.ship(plant.uow(), number, [Shipment(1, Decimal(10), "P1/RM", "L-001")], WHO)
    before = _moves(plant)

    with pytest.raises(ValidationError, match=f"ships or receives transfer order {number}"):
        stock.reverse(plant.uow(), shipped.posting.posting_id, Who("tester", reason="wrong lot"))

    assert _moves(plant) == before
    assert transfers.transfer_order(plant.uow(), number).lines[0].shipped_quantity == 10
